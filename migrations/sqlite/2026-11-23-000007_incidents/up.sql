-- Incidents at a session: what happened, when, and what staff did. Seen only by the
-- provider's coordinators, org admins and supervisors.
CREATE TABLE incidents (
    id TEXT PRIMARY KEY NOT NULL,
    session_id TEXT NOT NULL REFERENCES sessions (id),
    referral_id TEXT NOT NULL REFERENCES referrals (id),
    kind TEXT NOT NULL CHECK (kind IN ('behaviour', 'injury', 'safeguarding', 'order_breach',
        'property', 'other')),
    occurred_at TIMESTAMP NOT NULL,
    description TEXT NOT NULL,
    action_taken TEXT NOT NULL,
    recorded_by TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX incidents_session_idx ON incidents (session_id, occurred_at);
