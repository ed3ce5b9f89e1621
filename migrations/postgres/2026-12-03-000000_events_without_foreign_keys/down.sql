ALTER TABLE events
    ADD CONSTRAINT events_business_number_id_fkey
        FOREIGN KEY (business_number_id) REFERENCES business_numbers (id),
    ADD CONSTRAINT events_conversation_id_fkey
        FOREIGN KEY (conversation_id) REFERENCES conversations (id),
    ADD CONSTRAINT events_message_id_fkey
        FOREIGN KEY (message_id) REFERENCES messages (id);
