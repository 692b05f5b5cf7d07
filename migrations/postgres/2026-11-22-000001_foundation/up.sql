-- The foundation: providers, accounts, the catalogue (centres, rooms, tariffs, offerings),
-- refresh tokens, login throttling and idempotency records. Keep equivalent to sqlite/.
-- Money is integer pence; ids are UUIDv7 text; timestamps are UTC.

CREATE TABLE providers (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    charity_number TEXT,
    website TEXT,
    contact_email TEXT,
    contact_phone TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX providers_name_key ON providers (lower(name));

CREATE TABLE users (
    id TEXT PRIMARY KEY NOT NULL,
    email TEXT NOT NULL,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('platform_admin', 'org_admin', 'coordinator', 'supervisor',
                                       'volunteer', 'finance', 'referrer', 'parent')),
    provider_id TEXT REFERENCES providers (id),
    active BOOLEAN NOT NULL DEFAULT TRUE,
    version BIGINT NOT NULL DEFAULT 1,
    last_login_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK ((role = 'platform_admin') = (provider_id IS NULL))
);
CREATE UNIQUE INDEX users_email_key ON users (email);
CREATE INDEX users_provider_idx ON users (provider_id, id);

CREATE TABLE refresh_tokens (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id),
    family_id TEXT NOT NULL,
    token_hash TEXT NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP,
    revoked_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX refresh_tokens_hash_key ON refresh_tokens (token_hash);
CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_user_idx ON refresh_tokens (user_id);

CREATE TABLE login_throttle (
    email TEXT PRIMARY KEY NOT NULL,
    failures INTEGER NOT NULL,
    locked_until TIMESTAMP,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE centres (
    id TEXT PRIMARY KEY NOT NULL,
    provider_id TEXT NOT NULL REFERENCES providers (id),
    name TEXT NOT NULL,
    address_line1 TEXT NOT NULL,
    address_line2 TEXT,
    town TEXT NOT NULL,
    postcode TEXT NOT NULL,
    phone TEXT,
    time_zone TEXT NOT NULL DEFAULT 'Europe/London',
    opening_pattern TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX centres_provider_name_key ON centres (provider_id, lower(name));
CREATE INDEX centres_town_idx ON centres (lower(town), id);
CREATE INDEX centres_provider_idx ON centres (provider_id, id);

CREATE TABLE rooms (
    id TEXT PRIMARY KEY NOT NULL,
    centre_id TEXT NOT NULL REFERENCES centres (id),
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('shared', 'private')),
    capacity INTEGER NOT NULL CHECK (capacity >= 1 AND (kind = 'shared' OR capacity = 1)),
    active BOOLEAN NOT NULL DEFAULT TRUE,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX rooms_centre_name_key ON rooms (centre_id, lower(name));

CREATE TABLE tariffs (
    id TEXT PRIMARY KEY NOT NULL,
    provider_id TEXT NOT NULL REFERENCES providers (id),
    name TEXT NOT NULL,
    service_type TEXT NOT NULL CHECK (service_type IN ('supported', 'supervised', 'handover', 'indirect')),
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX tariffs_provider_name_key ON tariffs (provider_id, lower(name));

-- A tariff's fees from a date on; a quote uses the latest version effective on its date.
CREATE TABLE tariff_versions (
    id TEXT PRIMARY KEY NOT NULL,
    tariff_id TEXT NOT NULL REFERENCES tariffs (id),
    effective_from DATE NOT NULL,
    referral_fee_pence BIGINT NOT NULL CHECK (referral_fee_pence >= 0),
    referral_fee_refundable BOOLEAN NOT NULL,
    balance_pence BIGINT NOT NULL CHECK (balance_pence >= 0),
    balance_refundable BOOLEAN NOT NULL,
    covers_months INTEGER,
    covers_sessions INTEGER,
    session_fee_basis TEXT CHECK (session_fee_basis IN ('per_session', 'per_hour')),
    session_fee_pence BIGINT CHECK (session_fee_pence >= 0),
    item_fee_pence BIGINT CHECK (item_fee_pence >= 0),
    cancellation_rule TEXT NOT NULL CHECK (cancellation_rule IN ('no_charge', 'session_charge', 'fixed')),
    cancellation_fee_pence BIGINT CHECK (cancellation_fee_pence >= 0),
    waivers TEXT NOT NULL,
    price_on_application BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL,
    CHECK ((session_fee_basis IS NULL) = (session_fee_pence IS NULL)),
    CHECK ((cancellation_rule = 'fixed') = (cancellation_fee_pence IS NOT NULL))
);
CREATE UNIQUE INDEX tariff_versions_effective_key ON tariff_versions (tariff_id, effective_from);

CREATE TABLE offerings (
    id TEXT PRIMARY KEY NOT NULL,
    centre_id TEXT NOT NULL REFERENCES centres (id),
    service_type TEXT NOT NULL CHECK (service_type IN ('supported', 'supervised', 'handover', 'indirect')),
    tariff_id TEXT NOT NULL REFERENCES tariffs (id),
    default_session_minutes INTEGER NOT NULL CHECK (default_session_minutes > 0),
    days_offered TEXT NOT NULL,
    waiting_list_open BOOLEAN NOT NULL DEFAULT TRUE,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX offerings_centre_service_key ON offerings (centre_id, service_type);
CREATE INDEX offerings_service_idx ON offerings (service_type, centre_id);

-- The first response to a POST carrying an Idempotency-Key, replayed for retries.
CREATE TABLE idempotency_keys (
    scope TEXT NOT NULL,
    key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status INTEGER,
    response_body TEXT,
    response_headers TEXT,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (scope, key)
);
