DROP INDEX messages_idempotency;
CREATE UNIQUE INDEX messages_idempotency ON messages (conversation_id, idempotency_key);
