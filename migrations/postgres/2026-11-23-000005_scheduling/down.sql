DROP TABLE calendar_feeds;
DROP TABLE keep_apart;
DROP TABLE scheduling_policies;
