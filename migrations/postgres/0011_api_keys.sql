-- API keys (SPEC §2, §3.9): pinned to one organization, acting for the member who made them
-- within their scopes. Only the SHA-256 of a token is stored; a reroll keeps the key's id
-- and settings and lets the previous token work until previous_until.
-- Keep in step with ../sqlite.

CREATE TABLE api_keys (
    id              TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name            TEXT NOT NULL,
    -- Hex SHA-256 of the whole token.
    token_hash      TEXT NOT NULL,
    -- tny_ + the first 4 and the last 4 characters of the rest, for lists.
    display_prefix  TEXT NOT NULL,
    previous_hash   TEXT,
    previous_until  BIGINT,
    -- 'read' or 'read write'.
    scopes          TEXT NOT NULL CHECK (scopes IN ('read', 'read write')),
    expires_at      BIGINT,
    created_by      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at      BIGINT NOT NULL,
    -- Written at most once a minute per key.
    last_used_at    BIGINT,
    revoked_at      BIGINT,
    updated_at      BIGINT NOT NULL
);
CREATE UNIQUE INDEX api_keys_token_hash_key ON api_keys (token_hash);
CREATE INDEX api_keys_previous_hash_idx ON api_keys (previous_hash);
CREATE INDEX api_keys_org_idx ON api_keys (organization_id, created_at);

-- Bumped by every change that can end a key's access (revoke, reroll, a suspension, an
-- organization or membership change); each process polls it and drops its cache of
-- verified keys when it moves, so such changes reach every process within a second.
CREATE TABLE api_key_epoch (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    epoch BIGINT NOT NULL
);
INSERT INTO api_key_epoch (id, epoch) VALUES (1, 0);

-- The changes that bump it, caught where they happen so no code path can forget one.
CREATE FUNCTION api_key_epoch_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE api_key_epoch SET epoch = epoch + 1 WHERE id = 1;
    RETURN NULL;
END;
$$;
CREATE TRIGGER api_key_epoch_keys
    AFTER UPDATE OF token_hash, previous_hash, previous_until, scopes, expires_at, revoked_at OR DELETE ON api_keys
    FOR EACH STATEMENT EXECUTE FUNCTION api_key_epoch_bump();
CREATE TRIGGER api_key_epoch_users AFTER UPDATE OF status, platform_role OR DELETE ON users
    FOR EACH STATEMENT EXECUTE FUNCTION api_key_epoch_bump();
CREATE TRIGGER api_key_epoch_organizations AFTER UPDATE OF status, slug OR DELETE ON organizations
    FOR EACH STATEMENT EXECUTE FUNCTION api_key_epoch_bump();
CREATE TRIGGER api_key_epoch_memberships AFTER UPDATE OF role OR DELETE ON memberships
    FOR EACH STATEMENT EXECUTE FUNCTION api_key_epoch_bump();
