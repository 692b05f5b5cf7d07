-- Supervised session reports: one per session, written in sections, checked by someone
-- other than its author, released to named recipients. Released versions are kept as they
-- were released; an amendment is a new version.
CREATE TABLE reports (
    id TEXT PRIMARY KEY NOT NULL,
    session_id TEXT NOT NULL UNIQUE REFERENCES sessions (id),
    referral_id TEXT NOT NULL REFERENCES referrals (id),
    status TEXT NOT NULL CHECK (status IN ('due', 'draft', 'in_qa', 'changes_requested',
        'approved', 'released', 'amended')),
    author_id TEXT REFERENCES users (id),
    arrival TEXT,
    activities TEXT,
    interaction TEXT,
    presentation TEXT,
    incidents TEXT,
    departure TEXT,
    ending TEXT,
    due_on DATE NOT NULL,
    qa_by TEXT REFERENCES users (id),
    qa_notes TEXT,
    amendment_reason TEXT,
    released_versions INTEGER NOT NULL,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX reports_referral_idx ON reports (referral_id);
CREATE INDEX reports_due_idx ON reports (status, due_on);

-- Each release: which version went to whom, when, released by whom.
CREATE TABLE report_releases (
    id TEXT PRIMARY KEY NOT NULL,
    report_id TEXT NOT NULL REFERENCES reports (id),
    version_number INTEGER NOT NULL,
    recipient TEXT NOT NULL,
    sections TEXT NOT NULL,
    approved_by TEXT NOT NULL,
    released_by TEXT NOT NULL,
    released_at TIMESTAMP NOT NULL,
    UNIQUE (report_id, version_number, recipient)
);
