-- Agents' uploaded files. The bytes live in the media store under `attachments/<id>`; a row
-- belongs to its uploader, the only user who may send it.

CREATE TABLE attachments (
    id         INTEGER PRIMARY KEY,
    owner_id   BIGINT NOT NULL REFERENCES users (id),
    kind       TEXT   NOT NULL CHECK (kind IN ('image', 'video', 'audio', 'document', 'sticker')),
    mime_type  TEXT   NOT NULL,
    size       BIGINT NOT NULL,
    filename   TEXT   NOT NULL,
    -- SHA-256 of the bytes, lowercase hex.
    sha256     TEXT   NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX attachments_owner ON attachments (owner_id, id);
