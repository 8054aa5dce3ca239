DROP TABLE IF EXISTS slot_guides;
