-- A charge written off moves what was paid on it to its payer's credit, which settles another
-- charge of theirs or is repaid.
ALTER TABLE ledger_entries DROP CONSTRAINT ledger_entries_kind_check;
ALTER TABLE ledger_entries ADD CONSTRAINT ledger_entries_kind_check
    CHECK (kind IN ('payment', 'refund', 'waiver', 'credit', 'credit_used', 'credit_refund'));
