-- A queued message a dispatcher is sending: which instance took it and until when. Another
-- instance takes it over only once the claim has run out (its claimant is presumed dead).
ALTER TABLE messages ADD COLUMN claimed_by TEXT;
ALTER TABLE messages ADD COLUMN claim_expires_at TIMESTAMPTZ;
