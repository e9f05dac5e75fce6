-- Invitations, OpenID Connect identities and pending OIDC sign-ins. Keep in step with ../sqlite.

CREATE TABLE invitations (
    id              TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    -- Lowercased, like users.email.
    email           TEXT NOT NULL,
    role            TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'member', 'viewer')),
    -- SHA-256 (hex) of the link's token; the token itself is only in the email.
    token_hash      TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'accepted', 'revoked')),
    language        TEXT NOT NULL CHECK (language IN ('en', 'de', 'fr', 'it')),
    invited_by      TEXT REFERENCES users (id) ON DELETE SET NULL,
    created_at      BIGINT NOT NULL,
    expires_at      BIGINT NOT NULL,
    accepted_by     TEXT REFERENCES users (id) ON DELETE SET NULL,
    finished_at     BIGINT,
    -- Delivery of the latest email for this invitation, shown to the inviter.
    email_status    TEXT NOT NULL DEFAULT 'sending' CHECK (email_status IN ('sending', 'sent', 'failed')),
    email_error     TEXT,
    email_attempts  INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX invitations_token_hash_key ON invitations (token_hash);
-- At most one pending invitation per organization and address: re-inviting replaces it.
CREATE UNIQUE INDEX invitations_pending_key ON invitations (organization_id, email) WHERE status = 'pending';

-- Who a user is at an OpenID Connect issuer (the subject is stable, the email may change).
CREATE TABLE user_identities (
    issuer     TEXT NOT NULL,
    subject    TEXT NOT NULL,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (issuer, subject)
);
CREATE INDEX user_identities_user_idx ON user_identities (user_id);

-- A sign-in started at an issuer and not yet finished; keyed by the SHA-256 of a token in a
-- short-lived cookie of the browser that started it, used once.
CREATE TABLE oidc_logins (
    id_hash       TEXT PRIMARY KEY,
    issuer_id     TEXT NOT NULL,
    state         TEXT NOT NULL,
    nonce         TEXT NOT NULL,
    pkce_verifier TEXT NOT NULL,
    next_path     TEXT,
    created_at    BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL
);
CREATE INDEX oidc_logins_expires_idx ON oidc_logins (expires_at);
CREATE INDEX audit_events_actor_at_idx ON audit_events (actor_user_id, at);
