-- Provenance per contact field: a referrer sees back only the fields it supplied, not an
-- address or phone staff added to the same record later.
ALTER TABLE people ADD COLUMN address_supplied_by TEXT;
ALTER TABLE people ADD COLUMN phone_supplied_by TEXT;
ALTER TABLE people ADD COLUMN email_supplied_by TEXT;
UPDATE people SET
    address_supplied_by = CASE WHEN address_line1 IS NOT NULL THEN contact_supplied_by END,
    phone_supplied_by = CASE WHEN phone IS NOT NULL THEN contact_supplied_by END,
    email_supplied_by = CASE WHEN email IS NOT NULL THEN contact_supplied_by END;
ALTER TABLE people DROP COLUMN contact_supplied_by;
