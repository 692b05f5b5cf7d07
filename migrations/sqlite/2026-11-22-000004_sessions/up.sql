-- Contact sessions: one family's time at a centre (or, for supervised contact, in the
-- community), with each parent's own planned and actual times.
CREATE TABLE sessions (
    id TEXT PRIMARY KEY NOT NULL,
    referral_id TEXT NOT NULL REFERENCES referrals (id),
    -- Sessions booked together as a series share this id.
    series_id TEXT,
    centre_id TEXT NOT NULL REFERENCES centres (id),
    service_type TEXT NOT NULL CHECK (service_type IN ('supported', 'supervised', 'handover')),
    room_id TEXT REFERENCES rooms (id),
    supervisor_id TEXT REFERENCES users (id),
    community_place TEXT,
    handover_slot TEXT CHECK (handover_slot IN ('morning', 'afternoon')),
    starts_at TIMESTAMP NOT NULL,
    ends_at TIMESTAMP NOT NULL CHECK (ends_at > starts_at),
    status TEXT NOT NULL CHECK (status IN ('provisional', 'awaiting_payment', 'confirmed',
        'completed', 'ended_early', 'cancelled')),
    charge_id TEXT REFERENCES charges (id),
    cancelled_by TEXT CHECK (cancelled_by IN ('resident_parent', 'non_resident_parent', 'centre')),
    cancelled_at TIMESTAMP,
    cancel_reason TEXT,
    notice_minutes BIGINT,
    cancellation_charge_id TEXT REFERENCES charges (id),
    ended_early_reason TEXT,
    version BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX sessions_referral_idx ON sessions (referral_id, starts_at);
CREATE INDEX sessions_room_idx ON sessions (room_id, starts_at);
CREATE INDEX sessions_supervisor_idx ON sessions (supervisor_id, starts_at);
CREATE INDEX sessions_centre_idx ON sessions (centre_id, starts_at);

CREATE TABLE session_parties (
    session_id TEXT NOT NULL REFERENCES sessions (id),
    party TEXT NOT NULL CHECK (party IN ('resident_parent', 'non_resident_parent')),
    expected_arrival TIMESTAMP NOT NULL,
    expected_departure TIMESTAMP NOT NULL,
    arrived_at TIMESTAMP,
    departed_at TIMESTAMP,
    late_minutes INTEGER,
    no_show BOOLEAN NOT NULL,
    PRIMARY KEY (session_id, party)
);
