-- A centre's scheduling rules. No row means the defaults: the non-resident parent first,
-- 15 minutes apart; late beyond 10 minutes (or absent) at 3 of the last 5 handovers flags
-- the case.
CREATE TABLE scheduling_policies (
    centre_id TEXT PRIMARY KEY NOT NULL REFERENCES centres (id),
    arrival_order TEXT NOT NULL CHECK (arrival_order IN ('resident_first', 'non_resident_first')),
    arrival_offset_minutes INTEGER NOT NULL CHECK (arrival_offset_minutes BETWEEN 5 AND 120),
    lateness_threshold_minutes INTEGER NOT NULL CHECK (lateness_threshold_minutes BETWEEN 0 AND 240),
    lateness_strikes INTEGER NOT NULL CHECK (lateness_strikes BETWEEN 1 AND 52),
    lateness_window INTEGER NOT NULL CHECK (lateness_window BETWEEN 1 AND 52),
    version BIGINT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- Two adults of different families who must not meet (an order between them, a known
-- threat): a shared session keeps them in different arrival windows.
CREATE TABLE keep_apart (
    id TEXT PRIMARY KEY NOT NULL,
    referral_id TEXT NOT NULL REFERENCES referrals (id),
    party TEXT NOT NULL CHECK (party IN ('resident_parent', 'non_resident_parent')),
    other_referral_id TEXT NOT NULL REFERENCES referrals (id),
    other_party TEXT NOT NULL CHECK (other_party IN ('resident_parent', 'non_resident_parent')),
    reason TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    CHECK (referral_id <> other_referral_id)
);
CREATE INDEX keep_apart_referral_idx ON keep_apart (referral_id);
CREATE INDEX keep_apart_other_idx ON keep_apart (other_referral_id);

-- iCalendar feeds: a parent's own sessions and times, or a staff member's sessions. Only a
-- hash of the token is kept; revoking sets revoked_at.
CREATE TABLE calendar_feeds (
    id TEXT PRIMARY KEY NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    referral_id TEXT REFERENCES referrals (id),
    party TEXT CHECK (party IN ('resident_parent', 'non_resident_parent')),
    user_id TEXT REFERENCES users (id),
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP,
    CHECK ((referral_id IS NOT NULL AND party IS NOT NULL AND user_id IS NULL)
        OR (referral_id IS NULL AND party IS NULL AND user_id IS NOT NULL))
);
CREATE INDEX calendar_feeds_referral_idx ON calendar_feeds (referral_id);
CREATE INDEX calendar_feeds_user_idx ON calendar_feeds (user_id);
