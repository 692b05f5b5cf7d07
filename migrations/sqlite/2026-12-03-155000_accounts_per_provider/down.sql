-- Fails while an address has accounts at several providers: merge or remove those first.
DROP INDEX users_email_idx;
DROP INDEX users_provider_email_key;
CREATE UNIQUE INDEX users_email_key ON users (email);
