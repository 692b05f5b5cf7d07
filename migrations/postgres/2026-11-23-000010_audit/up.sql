-- The audit trail: one row per write and per read of confidential data. Rows name the fields
-- touched, never their values. No foreign keys: the trail must outlive the accounts and records
-- it mentions. The triggers make it append-only for every client of the database, not only the
-- API.
CREATE TABLE audit_events (
    id TEXT PRIMARY KEY NOT NULL,
    at TIMESTAMP NOT NULL,
    request_id TEXT,
    actor_id TEXT,
    actor_role TEXT,
    provider_id TEXT,
    kind TEXT NOT NULL CHECK (kind IN ('write', 'read')),
    action TEXT NOT NULL,
    entity_type TEXT NOT NULL,
    entity_id TEXT,
    referral_id TEXT,
    fields TEXT NOT NULL,
    reason TEXT
);
CREATE INDEX audit_events_provider_idx ON audit_events (provider_id, id);
CREATE INDEX audit_events_entity_idx ON audit_events (entity_type, entity_id, id);
CREATE INDEX audit_events_referral_idx ON audit_events (referral_id, id);
CREATE INDEX audit_events_actor_idx ON audit_events (actor_id, id);

CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only';
END;
$$;
CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
