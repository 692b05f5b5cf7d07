-- Accounts belong to a provider: someone who works for two providers has two accounts, one per
-- employer, each with its own password, role and deactivation. An e-mail address is therefore
-- unique within a provider, and among platform admins (no provider), not across the platform;
-- a platform-wide key let one provider's admin learn who has an account at another.
DROP INDEX users_email_key;
CREATE UNIQUE INDEX users_provider_email_key ON users ((COALESCE(provider_id, '')), email);
-- Sign-in looks an address up across providers.
CREATE INDEX users_email_idx ON users (email);
