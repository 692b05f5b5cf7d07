DROP TABLE retention_actions;
DROP TABLE legal_holds;
DROP TABLE retention_rules;
