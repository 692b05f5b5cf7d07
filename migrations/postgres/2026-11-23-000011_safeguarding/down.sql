DROP TABLE disclosures;
DROP TABLE safeguarding_concerns;
