-- Only agents' messages carry an idempotency key. As a full index every customer message
-- added an entry (its conversation and a NULL) that no look-up ever reads; partial, it costs
-- inbound ingestion nothing. Look-ups by `idempotency_key = $1` imply NOT NULL, so the planner
-- still uses it, and it still makes a repeated key conflict (as `ON CONFLICT` needs the same
-- predicate to infer it, a statement targeting this index must repeat the WHERE clause).
DROP INDEX messages_idempotency;
CREATE UNIQUE INDEX messages_idempotency ON messages (conversation_id, idempotency_key)
    WHERE idempotency_key IS NOT NULL;
