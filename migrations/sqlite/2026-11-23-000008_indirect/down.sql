DROP TABLE indirect_items;
DROP TABLE indirect_schedules;
