ALTER TABLE messages DROP COLUMN claim_expires_at;
ALTER TABLE messages DROP COLUMN claimed_by;
