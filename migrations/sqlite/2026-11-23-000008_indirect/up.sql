-- Indirect (letterbox) contact: the schedule agreed for a case, and the log of every item
-- received and sent on. Items hold no addresses: an item goes to the recipient party's stored
-- address, read only when a coordinator sends it.
CREATE TABLE indirect_schedules (
    referral_id TEXT PRIMARY KEY NOT NULL REFERENCES referrals (id),
    -- JSON arrays: the kinds of item agreed, the directions they go, the named occasions.
    kinds TEXT NOT NULL,
    directions TEXT NOT NULL,
    frequency TEXT NOT NULL CHECK (frequency IN ('weekly', 'fortnightly', 'monthly', 'occasions_only')),
    occasions TEXT NOT NULL,
    notes TEXT,
    version BIGINT NOT NULL,
    updated_by TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE indirect_items (
    id TEXT PRIMARY KEY NOT NULL,
    referral_id TEXT NOT NULL REFERENCES referrals (id),
    direction TEXT NOT NULL CHECK (direction IN ('to_child', 'from_child')),
    kind TEXT NOT NULL CHECK (kind IN ('letter', 'card', 'email', 'photo', 'gift')),
    -- Who it is from, as the item names them ("Dad", "Cal and Mum").
    from_whom TEXT NOT NULL,
    description TEXT,
    large_or_valuable BOOLEAN NOT NULL,
    received_at TIMESTAMP NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('received', 'checked', 'approved', 'withheld', 'sent',
        'delivered', 'returned', 'escalated')),
    check_notes TEXT,
    checked_by TEXT REFERENCES users (id),
    checked_at TIMESTAMP,
    decided_by TEXT REFERENCES users (id),
    decided_at TIMESTAMP,
    withheld_reason TEXT,
    -- The per-item fee raised on approval; none where the tariff has no item fee or a funder pays.
    charge_id TEXT REFERENCES charges (id),
    postage TEXT CHECK (postage IN ('first_class', 'tracked_signed', 'email')),
    tracking_number TEXT,
    sent_by TEXT REFERENCES users (id),
    sent_at TIMESTAMP,
    delivered_at TIMESTAMP,
    returned_at TIMESTAMP,
    return_reason TEXT,
    escalated_at TIMESTAMP,
    escalation_notes TEXT,
    recorded_by TEXT NOT NULL REFERENCES users (id),
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK (status <> 'withheld' OR withheld_reason IS NOT NULL),
    CHECK (status NOT IN ('sent', 'delivered') OR (postage IS NOT NULL AND sent_at IS NOT NULL)),
    CHECK (postage <> 'tracked_signed' OR tracking_number IS NOT NULL)
);
CREATE INDEX indirect_items_referral_idx ON indirect_items (referral_id, id);
CREATE UNIQUE INDEX indirect_items_charge_idx ON indirect_items (charge_id);
