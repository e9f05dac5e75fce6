-- One data key per organization, stored only wrapped by the key-encryption key (which is
-- never in the database). Deleting the row shreds every secret of the organization.
-- Keep in step with ../sqlite.
CREATE TABLE org_data_keys (
    organization_id TEXT PRIMARY KEY REFERENCES organizations (id) ON DELETE CASCADE,
    wrapped_key     TEXT NOT NULL,
    kek_fingerprint TEXT NOT NULL,
    key_version     INTEGER NOT NULL,
    created_at      BIGINT NOT NULL,
    rotated_at      BIGINT
);
CREATE INDEX org_data_keys_kek_idx ON org_data_keys (kek_fingerprint);
