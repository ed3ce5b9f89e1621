-- The event log keeps no foreign keys. It is written only by the store, in the same
-- transaction as the conversation and message each event names, and nothing deletes those;
-- the three checks per event were most of what appending cost on PostgreSQL (see the twin of
-- this migration), and the two backends keep one schema. SQLite cannot drop a constraint, so
-- the table is rebuilt; copying every id keeps AUTOINCREMENT's high-water mark.
CREATE TABLE events_unchecked (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    business_number_id BIGINT NOT NULL,
    kind               TEXT   NOT NULL,
    conversation_id    BIGINT NOT NULL,
    message_id         BIGINT,
    created_at         BIGINT NOT NULL
);
INSERT INTO events_unchecked (id, business_number_id, kind, conversation_id, message_id, created_at)
    SELECT id, business_number_id, kind, conversation_id, message_id, created_at FROM events;
DROP TABLE events;
ALTER TABLE events_unchecked RENAME TO events;
CREATE INDEX events_number ON events (business_number_id, id);
