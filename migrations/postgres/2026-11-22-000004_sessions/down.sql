DROP TABLE session_parties;
DROP TABLE sessions;
