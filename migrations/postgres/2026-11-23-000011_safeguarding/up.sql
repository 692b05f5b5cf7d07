-- Safeguarding concerns about a child of a case, from raising to the designated lead's decision,
-- any outside referral and the outcome. Seen only by the provider's coordinators, org admins and
-- supervisors.
CREATE TABLE safeguarding_concerns (
    id TEXT PRIMARY KEY NOT NULL,
    referral_id TEXT NOT NULL REFERENCES referrals (id),
    child_id TEXT NOT NULL REFERENCES people (id),
    session_id TEXT REFERENCES sessions (id),
    concern TEXT NOT NULL,
    raised_by TEXT NOT NULL REFERENCES users (id),
    raised_at TIMESTAMP NOT NULL,
    suspended_case BOOLEAN NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('raised', 'decided', 'referred', 'closed')),
    decision TEXT CHECK (decision IN ('no_further_action', 'monitor', 'refer_externally')),
    rationale TEXT,
    decided_by TEXT REFERENCES users (id),
    decided_at TIMESTAMP,
    agency TEXT CHECK (agency IN ('childrens_social_care', 'police', 'lado', 'cafcass', 'nspcc', 'other')),
    agency_contact TEXT,
    agency_reference TEXT,
    referred_at TIMESTAMP,
    referred_by TEXT REFERENCES users (id),
    outcome TEXT,
    closed_by TEXT REFERENCES users (id),
    closed_at TIMESTAMP,
    version BIGINT NOT NULL,
    CHECK ((status = 'raised') = (decision IS NULL)),
    CHECK ((status = 'referred' OR (status = 'closed' AND decision = 'refer_externally')) = (referred_at IS NOT NULL)),
    CHECK ((status = 'closed') = (outcome IS NOT NULL))
);
CREATE INDEX safeguarding_concerns_referral_idx ON safeguarding_concerns (referral_id, id);

-- What was disclosed about a case beyond its attendance record (or, for supervised contact,
-- beyond its released reports), to whom, and the safeguarding reason that justified it.
CREATE TABLE disclosures (
    id TEXT PRIMARY KEY NOT NULL,
    referral_id TEXT NOT NULL REFERENCES referrals (id),
    recipient TEXT NOT NULL CHECK (recipient IN ('referrer', 'court', 'cafcass', 'police',
        'social_worker', 'other')),
    recipient_name TEXT NOT NULL,
    what TEXT NOT NULL,
    safeguarding_reason TEXT NOT NULL,
    concern_id TEXT REFERENCES safeguarding_concerns (id),
    disclosed_by TEXT NOT NULL REFERENCES users (id),
    disclosed_at TIMESTAMP NOT NULL
);
CREATE INDEX disclosures_referral_idx ON disclosures (referral_id, id);
