-- Referrals and cases: people, parties kept apart, the transition log, the ledger, and the
-- casework between offer and closure. Keep equivalent to postgres/.
-- Contact details and needs live on people; risk lives on the referral (special category).

CREATE TABLE people (
    id TEXT PRIMARY KEY NOT NULL,
    provider_id TEXT NOT NULL REFERENCES providers (id),
    given_name TEXT,
    family_name TEXT,
    date_of_birth DATE,
    address_line1 TEXT,
    address_line2 TEXT,
    town TEXT,
    postcode TEXT,
    phone TEXT,
    email TEXT,
    -- The account that supplied the current contact details (a referrer sees back only its own).
    contact_supplied_by TEXT,
    interpreter_language TEXT,
    access_needs TEXT,
    -- A parent's own account, once linked.
    user_id TEXT REFERENCES users (id),
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX people_user_idx ON people (user_id);

CREATE TABLE referrals (
    id TEXT PRIMARY KEY NOT NULL,
    provider_id TEXT NOT NULL REFERENCES providers (id),
    centre_id TEXT NOT NULL REFERENCES centres (id),
    service_type TEXT NOT NULL CHECK (service_type IN ('supported', 'supervised', 'handover', 'indirect')),
    status TEXT NOT NULL CHECK (status IN ('submitted', 'awaiting_information', 'awaiting_referral_fee',
        'screening', 'declined', 'waitlisted', 'place_offered', 'awaiting_balance', 'pre_visits',
        'active', 'suspended', 'review_due', 'closed')),
    status_changed_at TIMESTAMP NOT NULL,
    referrer_kind TEXT NOT NULL CHECK (referrer_kind IN ('self', 'solicitor', 'cafcass', 'court',
        'local_authority', 'other_centre')),
    referrer_user_id TEXT REFERENCES users (id),
    referrer_details TEXT NOT NULL,
    external_ref TEXT,
    court_ordered BOOLEAN NOT NULL,
    court TEXT,
    risk TEXT NOT NULL,
    availability TEXT,
    missing TEXT NOT NULL,
    funder TEXT CHECK (funder IN ('cafcass', 'local_authority')),
    session_minutes INTEGER NOT NULL,
    complete_at TIMESTAMP,
    priority INTEGER NOT NULL DEFAULT 0,
    priority_reason TEXT,
    offer_expires_at TIMESTAMP,
    decline_reason TEXT,
    signposted_service TEXT,
    override_reason TEXT,
    suspension_reason TEXT,
    closure_reason TEXT,
    closure_notes TEXT,
    activated_on DATE,
    next_review_on DATE,
    first_session_on DATE,
    created_by TEXT REFERENCES users (id),
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX referrals_provider_idx ON referrals (provider_id, id);
CREATE INDEX referrals_list_idx ON referrals (centre_id, service_type, status);
CREATE INDEX referrals_referrer_idx ON referrals (referrer_user_id, id);
CREATE INDEX referrals_external_ref_idx ON referrals (external_ref);
CREATE INDEX referrals_status_idx ON referrals (status, offer_expires_at);

CREATE TABLE referral_parties (
    referral_id TEXT NOT NULL REFERENCES referrals (id),
    person_id TEXT NOT NULL REFERENCES people (id),
    role TEXT NOT NULL CHECK (role IN ('resident_parent', 'non_resident_parent', 'child', 'attendee')),
    relationship TEXT,
    position INTEGER NOT NULL,
    PRIMARY KEY (referral_id, person_id)
);
CREATE INDEX referral_parties_person_idx ON referral_parties (person_id);

-- Append-only: who moved the case, from what to what, when, why.
CREATE TABLE referral_events (
    id TEXT PRIMARY KEY NOT NULL,
    referral_id TEXT NOT NULL REFERENCES referrals (id),
    from_status TEXT NOT NULL,
    to_status TEXT NOT NULL,
    action TEXT NOT NULL,
    actor_user_id TEXT,
    actor_role TEXT,
    reason TEXT,
    at TIMESTAMP NOT NULL
);
CREATE INDEX referral_events_referral_idx ON referral_events (referral_id, id);

CREATE TABLE charges (
    id TEXT PRIMARY KEY NOT NULL,
    referral_id TEXT NOT NULL REFERENCES referrals (id),
    kind TEXT NOT NULL CHECK (kind IN ('referral_fee', 'balance', 'session', 'item', 'cancellation')),
    description TEXT NOT NULL,
    amount_pence BIGINT NOT NULL CHECK (amount_pence > 0),
    refundable BOOLEAN NOT NULL,
    payer TEXT NOT NULL CHECK (payer IN ('non_resident_parent', 'resident_parent', 'funder')),
    funder TEXT,
    due TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX charges_referral_idx ON charges (referral_id, id);

CREATE TABLE ledger_entries (
    id TEXT PRIMARY KEY NOT NULL,
    referral_id TEXT NOT NULL REFERENCES referrals (id),
    charge_id TEXT NOT NULL REFERENCES charges (id),
    kind TEXT NOT NULL CHECK (kind IN ('payment', 'refund', 'waiver')),
    amount_pence BIGINT NOT NULL CHECK (amount_pence > 0),
    method TEXT,
    reference TEXT,
    -- Who paid (payments) or was repaid (refunds).
    payer TEXT CHECK (payer IN ('non_resident_parent', 'resident_parent', 'funder', 'other')),
    funder TEXT,
    reason TEXT,
    recorded_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX ledger_entries_referral_idx ON ledger_entries (referral_id, id);
CREATE INDEX ledger_entries_charge_idx ON ledger_entries (charge_id);

CREATE TABLE assessments (
    id TEXT PRIMARY KEY NOT NULL,
    referral_id TEXT NOT NULL REFERENCES referrals (id),
    outcome TEXT NOT NULL CHECK (outcome IN ('suitable', 'suitable_with_controls', 'unsuitable')),
    unsupervised_contact_appropriate BOOLEAN,
    separate_entrances BOOLEAN NOT NULL,
    arrival_offset_minutes INTEGER,
    controls_notes TEXT,
    review_on DATE,
    assessed_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX assessments_referral_idx ON assessments (referral_id, id);

CREATE TABLE pre_visits (
    id TEXT PRIMARY KEY NOT NULL,
    referral_id TEXT NOT NULL REFERENCES referrals (id),
    party_role TEXT NOT NULL CHECK (party_role IN ('resident_parent', 'non_resident_parent')),
    starts_at TIMESTAMP NOT NULL,
    ends_at TIMESTAMP NOT NULL,
    attended BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMP NOT NULL,
    CHECK (ends_at > starts_at)
);
CREATE UNIQUE INDEX pre_visits_side_key ON pre_visits (referral_id, party_role);

CREATE TABLE reviews (
    id TEXT PRIMARY KEY NOT NULL,
    referral_id TEXT NOT NULL REFERENCES referrals (id),
    held_on DATE NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('continue', 'close')),
    notes TEXT,
    continue_reason TEXT,
    recorded_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX reviews_referral_idx ON reviews (referral_id, id);

CREATE TABLE next_steps_meetings (
    id TEXT PRIMARY KEY NOT NULL,
    referral_id TEXT NOT NULL REFERENCES referrals (id),
    held_on DATE NOT NULL,
    attendees TEXT NOT NULL,
    outcome TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX next_steps_meetings_referral_key ON next_steps_meetings (referral_id);

-- How many families a service takes at once; when set, freed places are offered automatically.
ALTER TABLE offerings ADD COLUMN places INTEGER CHECK (places >= 0);
