-- Contacts, conversations, messages, early statuses and the event log.

CREATE TABLE contacts (
    id           INTEGER PRIMARY KEY,
    wa_id        TEXT   NOT NULL,
    phone        TEXT   NOT NULL,
    profile_name TEXT,
    display_name TEXT,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE UNIQUE INDEX contacts_wa_id ON contacts (wa_id);

CREATE TABLE conversations (
    id                 INTEGER PRIMARY KEY,
    business_number_id BIGINT  NOT NULL REFERENCES business_numbers (id),
    contact_id         BIGINT  NOT NULL REFERENCES contacts (id),
    status             TEXT    NOT NULL CHECK (status IN ('open', 'pending', 'resolved')),
    assignee_id        BIGINT  REFERENCES users (id),
    last_message_at    BIGINT  NOT NULL,
    last_inbound_at    BIGINT,
    unread_count       INTEGER NOT NULL DEFAULT 0,
    -- The newest message by Meta's order, for the inbox preview.
    last_message_id    BIGINT,
    created_at         BIGINT  NOT NULL,
    updated_at         BIGINT  NOT NULL
);
CREATE UNIQUE INDEX conversations_number_contact ON conversations (business_number_id, contact_id);
-- The inbox: newest activity first per number, keyset-paginated by (last_message_at, id).
CREATE INDEX conversations_inbox ON conversations (business_number_id, last_message_at DESC, id DESC);
CREATE INDEX conversations_assignee ON conversations (assignee_id);

CREATE TABLE messages (
    id              INTEGER PRIMARY KEY,
    conversation_id BIGINT NOT NULL REFERENCES conversations (id),
    direction       TEXT   NOT NULL CHECK (direction IN ('inbound', 'outbound')),
    kind            TEXT   NOT NULL,
    body            TEXT,
    payload         TEXT   NOT NULL,
    -- WhatsApp's message id; NULL for an outbound message not yet accepted.
    wamid           TEXT,
    sender_user_id  BIGINT REFERENCES users (id),
    -- Meta's timestamp (inbound) or the time the agent sent it (outbound): the thread order.
    sent_at         BIGINT NOT NULL,
    status          TEXT   NOT NULL,
    accepted_at     BIGINT,
    sent_status_at  BIGINT,
    delivered_at    BIGINT,
    read_at         BIGINT,
    failed_at       BIGINT,
    error_code      BIGINT,
    error_title     TEXT,
    error_details   TEXT,
    reply_to_wamid  TEXT,
    idempotency_key TEXT,
    -- A customer's file: Meta's id and checksum, then where it is stored once downloaded.
    media_id         TEXT,
    media_mime       TEXT,
    media_sha256     TEXT,
    media_state      TEXT CHECK (media_state IN ('pending', 'stored', 'failed')),
    media_key        TEXT,
    media_size       BIGINT,
    media_attempts   INTEGER NOT NULL DEFAULT 0,
    media_next_at    BIGINT,
    -- Dispatcher bookkeeping for queued outbound messages.
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at BIGINT,
    created_at      BIGINT NOT NULL
);
-- Exactly once: a redelivered webhook message hits this index, never a second row. NULLs are
-- distinct in unique indexes (SQLite and PostgreSQL alike), so unsent messages do not collide.
CREATE UNIQUE INDEX messages_wamid ON messages (wamid);
CREATE UNIQUE INDEX messages_idempotency ON messages (conversation_id, idempotency_key);
-- The thread: Meta's order, ties broken by arrival (id).
CREATE INDEX messages_thread ON messages (conversation_id, sent_at, id);
-- The media downloader's queue.
CREATE INDEX messages_media_pending ON messages (id) WHERE media_state = 'pending';
-- The dispatcher's queue.
CREATE INDEX messages_queued ON messages (conversation_id, id) WHERE status = 'queued';

-- Statuses for WhatsApp ids we have not stored yet (they can beat the send response).
CREATE TABLE pending_statuses (
    id            INTEGER PRIMARY KEY,
    wamid         TEXT   NOT NULL,
    status        TEXT   NOT NULL,
    status_at     BIGINT NOT NULL,
    error_code    BIGINT,
    error_title   TEXT,
    error_details TEXT,
    received_at   BIGINT NOT NULL
);
CREATE UNIQUE INDEX pending_statuses_wamid_status ON pending_statuses (wamid, status);

-- The durable event log behind /api/v1/events; ids only grow, so a client resumes from the
-- last id it saw.
CREATE TABLE events (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    business_number_id BIGINT NOT NULL REFERENCES business_numbers (id),
    kind               TEXT   NOT NULL,
    conversation_id    BIGINT NOT NULL REFERENCES conversations (id),
    message_id         BIGINT REFERENCES messages (id),
    created_at         BIGINT NOT NULL
);
CREATE INDEX events_number ON events (business_number_id, id);
