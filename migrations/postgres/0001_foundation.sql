-- Accounts, organizations, memberships, sessions, rate limits and the audit log.
-- Ids are UUID text, times are unix milliseconds; keep in step with ../sqlite.

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    email         TEXT NOT NULL,
    given_name    TEXT NOT NULL,
    family_name   TEXT NOT NULL,
    display_name  TEXT NOT NULL,
    language      TEXT NOT NULL CHECK (language IN ('en', 'de', 'fr', 'it')),
    status        TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
    platform_role TEXT CHECK (platform_role IN ('platform_admin', 'platform_operator')),
    password_hash TEXT,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
-- Emails are stored lowercased, so this is the case-insensitive uniqueness rule.
CREATE UNIQUE INDEX users_email_key ON users (email);

CREATE TABLE organizations (
    id           TEXT PRIMARY KEY,
    kind         TEXT NOT NULL CHECK (kind IN ('company', 'personal')),
    slug         TEXT NOT NULL,
    display_name TEXT NOT NULL,
    -- The registrant's email domain when it claims the company (never a public mail domain).
    email_domain TEXT,
    status       TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'deleted')),
    created_by   TEXT REFERENCES users (id) ON DELETE SET NULL,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE UNIQUE INDEX organizations_slug_key ON organizations (slug);
-- One active company per claimed email domain, enforced even across concurrent processes.
CREATE UNIQUE INDEX organizations_email_domain_key ON organizations (email_domain)
    WHERE kind = 'company' AND status = 'active' AND email_domain IS NOT NULL;

CREATE TABLE memberships (
    organization_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    user_id         TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role            TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'member', 'viewer')),
    created_at      BIGINT NOT NULL,
    PRIMARY KEY (organization_id, user_id)
);
CREATE INDEX memberships_user_idx ON memberships (user_id);

CREATE TABLE sessions (
    -- SHA-256 (hex) of the cookie token; the token itself is never stored.
    id_hash      TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    client_addr  TEXT,
    user_agent   TEXT
);
CREATE INDEX sessions_user_idx ON sessions (user_id);
CREATE INDEX sessions_expires_idx ON sessions (expires_at);

-- Registration attempts and failed sign-ins, counted per bucket and subject.
CREATE TABLE rate_limit_events (
    id      TEXT PRIMARY KEY,
    bucket  TEXT NOT NULL,
    subject TEXT NOT NULL,
    at      BIGINT NOT NULL
);
CREATE INDEX rate_limit_events_lookup_idx ON rate_limit_events (bucket, subject, at);

-- Append-only: the code has no update or delete path for this table.
CREATE TABLE audit_events (
    id               TEXT PRIMARY KEY,
    at               BIGINT NOT NULL,
    actor_user_id    TEXT,
    actor_api_key_id TEXT,
    action           TEXT NOT NULL,
    organization_id  TEXT,
    target           TEXT,
    client_addr      TEXT,
    outcome          TEXT NOT NULL CHECK (outcome IN ('success', 'failure', 'denied')),
    detail           TEXT
);
CREATE INDEX audit_events_org_at_idx ON audit_events (organization_id, at);
CREATE INDEX audit_events_at_idx ON audit_events (at);
