-- A provider's retention rule per record class (absent: the default in ccm-domain), and the
-- legal minimum it has set for the class, which no rule may undercut.
CREATE TABLE retention_rules (
    provider_id TEXT NOT NULL REFERENCES providers (id),
    record_class TEXT NOT NULL CHECK (record_class IN ('attendance', 'case_records', 'reports',
        'incidents', 'safeguarding_concerns', 'indirect_items', 'documents', 'financial')),
    years INTEGER NOT NULL CHECK (years BETWEEN 0 AND 100),
    action TEXT NOT NULL CHECK (action IN ('anonymise', 'delete')),
    legal_minimum_years INTEGER CHECK (legal_minimum_years BETWEEN 0 AND 100),
    updated_by TEXT NOT NULL REFERENCES users (id),
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (provider_id, record_class)
);

-- A legal hold keeps every record of a case, whatever the rules say, until it is lifted.
CREATE TABLE legal_holds (
    id TEXT PRIMARY KEY NOT NULL,
    referral_id TEXT NOT NULL REFERENCES referrals (id),
    reason TEXT NOT NULL,
    placed_by TEXT NOT NULL REFERENCES users (id),
    placed_at TIMESTAMP NOT NULL,
    lifted_by TEXT REFERENCES users (id),
    lifted_at TIMESTAMP,
    CHECK ((lifted_by IS NULL) = (lifted_at IS NULL))
);
CREATE INDEX legal_holds_referral_idx ON legal_holds (referral_id, id);

-- What `ccm retention run` did to each closed case, so each class is dealt with once.
CREATE TABLE retention_actions (
    id TEXT PRIMARY KEY NOT NULL,
    referral_id TEXT NOT NULL REFERENCES referrals (id),
    record_class TEXT NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('anonymise', 'delete')),
    records INTEGER NOT NULL,
    applied_at TIMESTAMP NOT NULL,
    UNIQUE (referral_id, record_class)
);
