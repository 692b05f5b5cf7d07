CREATE TABLE ledger_entries_new (
    id TEXT PRIMARY KEY NOT NULL,
    referral_id TEXT NOT NULL REFERENCES referrals (id),
    charge_id TEXT NOT NULL REFERENCES charges (id),
    kind TEXT NOT NULL CHECK (kind IN ('payment', 'refund', 'waiver')),
    amount_pence BIGINT NOT NULL CHECK (amount_pence > 0),
    method TEXT,
    reference TEXT,
    -- Who paid (payments), was repaid (refunds) or holds the credit.
    payer TEXT CHECK (payer IN ('non_resident_parent', 'resident_parent', 'funder', 'other')),
    funder TEXT,
    reason TEXT,
    recorded_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
INSERT INTO ledger_entries_new SELECT * FROM ledger_entries WHERE kind IN ('payment', 'refund', 'waiver');
DROP TABLE ledger_entries;
ALTER TABLE ledger_entries_new RENAME TO ledger_entries;
CREATE INDEX ledger_entries_referral_idx ON ledger_entries (referral_id, id);
CREATE INDEX ledger_entries_charge_idx ON ledger_entries (charge_id);
