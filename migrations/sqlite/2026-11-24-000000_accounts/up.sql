-- Accounts, sessions and business numbers. Times are Unix epoch milliseconds (UTC) so the
-- same schema reads identically on SQLite and PostgreSQL.

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    username      TEXT    NOT NULL,
    username_key  TEXT    NOT NULL,
    display_name  TEXT    NOT NULL,
    role          TEXT    NOT NULL CHECK (role IN ('admin', 'agent', 'viewer')),
    password_hash TEXT    NOT NULL,
    active        BOOLEAN NOT NULL DEFAULT 1,
    created_at    BIGINT  NOT NULL,
    updated_at    BIGINT  NOT NULL
);
-- Usernames are unique case-insensitively: the key is the lower-cased username.
CREATE UNIQUE INDEX users_username_key ON users (username_key);

-- A session is one sign-in; every refresh token rotated from it belongs to it.
CREATE TABLE sessions (
    id         TEXT   PRIMARY KEY NOT NULL,
    user_id    BIGINT NOT NULL REFERENCES users (id),
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE INDEX sessions_user_id ON sessions (user_id);

-- Refresh tokens are stored only as SHA-256 digests.
CREATE TABLE refresh_tokens (
    token_digest TEXT   PRIMARY KEY NOT NULL,
    session_id   TEXT   NOT NULL REFERENCES sessions (id),
    expires_at   BIGINT NOT NULL,
    used_at      BIGINT,
    created_at   BIGINT NOT NULL
);
CREATE INDEX refresh_tokens_session_id ON refresh_tokens (session_id);
CREATE INDEX refresh_tokens_expires_at ON refresh_tokens (expires_at);

CREATE TABLE login_failures (
    id           INTEGER PRIMARY KEY,
    username_key TEXT   NOT NULL,
    failed_at    BIGINT NOT NULL
);
CREATE INDEX login_failures_key_time ON login_failures (username_key, failed_at);
-- Failures older than the lock-out window are pruned across all keys.
CREATE INDEX login_failures_failed_at ON login_failures (failed_at);

CREATE TABLE business_numbers (
    id                   INTEGER PRIMARY KEY,
    name                 TEXT   NOT NULL,
    display_phone_number TEXT   NOT NULL,
    phone_number_id      TEXT   NOT NULL,
    waba_id              TEXT,
    created_at           BIGINT NOT NULL,
    updated_at           BIGINT NOT NULL
);
CREATE UNIQUE INDEX business_numbers_display_phone_number ON business_numbers (display_phone_number);
CREATE UNIQUE INDEX business_numbers_phone_number_id ON business_numbers (phone_number_id);

CREATE TABLE business_number_members (
    business_number_id BIGINT NOT NULL REFERENCES business_numbers (id),
    user_id            BIGINT NOT NULL REFERENCES users (id),
    created_at         BIGINT NOT NULL,
    PRIMARY KEY (business_number_id, user_id)
);
CREATE INDEX business_number_members_user_id ON business_number_members (user_id);
