DELETE FROM ledger_entries WHERE kind IN ('credit', 'credit_used', 'credit_refund');
ALTER TABLE ledger_entries DROP CONSTRAINT ledger_entries_kind_check;
ALTER TABLE ledger_entries ADD CONSTRAINT ledger_entries_kind_check
    CHECK (kind IN ('payment', 'refund', 'waiver'));
