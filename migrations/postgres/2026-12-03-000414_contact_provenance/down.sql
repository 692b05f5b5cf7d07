ALTER TABLE people ADD COLUMN contact_supplied_by TEXT;
UPDATE people SET contact_supplied_by = COALESCE(email_supplied_by, phone_supplied_by, address_supplied_by);
ALTER TABLE people DROP COLUMN email_supplied_by;
ALTER TABLE people DROP COLUMN phone_supplied_by;
ALTER TABLE people DROP COLUMN address_supplied_by;
