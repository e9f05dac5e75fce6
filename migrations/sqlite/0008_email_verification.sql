-- Proven email addresses (SPEC §3.2): an account counts once its owner opened a single-use
-- link sent to the address (or an invitation link, or an OpenID issuer vouched for it).
-- Until then it claims no email domain and no OpenID identity is linked to it.
-- Keep in step with ../postgres.

ALTER TABLE users ADD COLUMN email_verified_at INTEGER;
-- Accounts made before this rule keep working: they are taken as proven.
UPDATE users SET email_verified_at = created_at;

-- A company claims its email domain when its owner proves the address; until then the
-- domain it would claim waits here.
ALTER TABLE organizations ADD COLUMN pending_email_domain TEXT;

-- One row per verification link sent; only the SHA-256 of the token is stored.
CREATE TABLE email_verifications (
    token_hash TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    email      TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX email_verifications_user_idx ON email_verifications (user_id);

-- Refused sign-ins are recorded as one row per subject and window, counted here.
ALTER TABLE audit_events ADD COLUMN occurrences INTEGER NOT NULL DEFAULT 1;
