CREATE TABLE events_checked (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    business_number_id BIGINT NOT NULL REFERENCES business_numbers (id),
    kind               TEXT   NOT NULL,
    conversation_id    BIGINT NOT NULL REFERENCES conversations (id),
    message_id         BIGINT REFERENCES messages (id),
    created_at         BIGINT NOT NULL
);
INSERT INTO events_checked (id, business_number_id, kind, conversation_id, message_id, created_at)
    SELECT id, business_number_id, kind, conversation_id, message_id, created_at FROM events;
DROP TABLE events;
ALTER TABLE events_checked RENAME TO events;
CREATE INDEX events_number ON events (business_number_id, id);
