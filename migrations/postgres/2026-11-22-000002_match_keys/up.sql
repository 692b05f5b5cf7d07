-- Names and towns are matched by a key the application computes (Unicode case folding and
-- collapsed spaces, the same on both backends) instead of SQL lower(), which folds only ASCII
-- on SQLite and follows the locale on PostgreSQL. Keep equivalent to sqlite/.
-- Existing rows get lower() as their key; rows written from now on get the application's key.

ALTER TABLE providers ADD COLUMN name_key TEXT NOT NULL DEFAULT '';
UPDATE providers SET name_key = lower(trim(name));
DROP INDEX providers_name_key;
CREATE UNIQUE INDEX providers_name_key ON providers (name_key);

ALTER TABLE centres ADD COLUMN name_key TEXT NOT NULL DEFAULT '';
ALTER TABLE centres ADD COLUMN town_key TEXT NOT NULL DEFAULT '';
UPDATE centres SET name_key = lower(trim(name)), town_key = lower(trim(town));
DROP INDEX centres_provider_name_key;
DROP INDEX centres_town_idx;
CREATE UNIQUE INDEX centres_provider_name_key ON centres (provider_id, name_key);
CREATE INDEX centres_town_idx ON centres (town_key, id);

ALTER TABLE rooms ADD COLUMN name_key TEXT NOT NULL DEFAULT '';
UPDATE rooms SET name_key = lower(trim(name));
DROP INDEX rooms_centre_name_key;
CREATE UNIQUE INDEX rooms_centre_name_key ON rooms (centre_id, name_key);

ALTER TABLE tariffs ADD COLUMN name_key TEXT NOT NULL DEFAULT '';
UPDATE tariffs SET name_key = lower(trim(name));
DROP INDEX tariffs_provider_name_key;
CREATE UNIQUE INDEX tariffs_provider_name_key ON tariffs (provider_id, name_key);
