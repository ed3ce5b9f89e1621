-- The event log keeps no foreign keys. It is written only by the store, in the same
-- transaction as the conversation and message each event names, and nothing deletes those.
-- The three checks were about four fifths of appending a batch's events (each a lookup and a
-- FOR KEY SHARE row lock by trigger, per event: 2.4-2.9 ms for 52 events with them,
-- 0.55-0.66 ms without, by EXPLAIN ANALYZE), and appending runs under the event log's lock.
ALTER TABLE events
    DROP CONSTRAINT events_business_number_id_fkey,
    DROP CONSTRAINT events_conversation_id_fkey,
    DROP CONSTRAINT events_message_id_fkey;
