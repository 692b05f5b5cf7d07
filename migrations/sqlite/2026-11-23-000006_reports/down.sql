DROP TABLE report_releases;
DROP TABLE reports;
