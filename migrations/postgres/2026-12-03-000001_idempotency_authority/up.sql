-- Who a key's first request was authorised as (role, provider, API client): a replay for
-- anyone whose authority has changed since is refused rather than handed the stored body.
ALTER TABLE idempotency_keys ADD COLUMN authority TEXT;
