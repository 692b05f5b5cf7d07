DROP INDEX tariffs_provider_name_key;
ALTER TABLE tariffs DROP COLUMN name_key;
CREATE UNIQUE INDEX tariffs_provider_name_key ON tariffs (provider_id, lower(name));

DROP INDEX rooms_centre_name_key;
ALTER TABLE rooms DROP COLUMN name_key;
CREATE UNIQUE INDEX rooms_centre_name_key ON rooms (centre_id, lower(name));

DROP INDEX centres_town_idx;
DROP INDEX centres_provider_name_key;
ALTER TABLE centres DROP COLUMN town_key;
ALTER TABLE centres DROP COLUMN name_key;
CREATE UNIQUE INDEX centres_provider_name_key ON centres (provider_id, lower(name));
CREATE INDEX centres_town_idx ON centres (lower(town), id);

DROP INDEX providers_name_key;
ALTER TABLE providers DROP COLUMN name_key;
CREATE UNIQUE INDEX providers_name_key ON providers (lower(name));
