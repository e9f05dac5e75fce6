-- Instance requests (what the wizard submits), their sealed package secrets, instances
-- created on approval, and the provisioning jobs approval enqueues. Keep in step with ../postgres.

CREATE TABLE instance_requests (
    id                  TEXT PRIMARY KEY,
    organization_id     TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    requested_by        TEXT REFERENCES users (id) ON DELETE SET NULL,
    status              TEXT NOT NULL DEFAULT 'pending'
                        CHECK (status IN ('pending', 'approved', 'provisioning', 'active', 'rejected', 'deleted')),
    instance_label      TEXT,
    agent_name          TEXT NOT NULL,
    soul_md             TEXT NOT NULL,
    agents_md           TEXT NOT NULL,
    -- JSON array of catalog package ids.
    packages            TEXT NOT NULL,
    billing_company     TEXT,
    billing_street      TEXT NOT NULL,
    billing_postal_code TEXT NOT NULL,
    billing_city        TEXT NOT NULL,
    billing_country     TEXT NOT NULL,
    billing_notes       TEXT,
    contact_name        TEXT NOT NULL,
    contact_email       TEXT NOT NULL,
    admin_note          TEXT,
    decided_by          TEXT REFERENCES users (id) ON DELETE SET NULL,
    decided_at          INTEGER,
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL
);
CREATE INDEX instance_requests_queue_idx ON instance_requests (status, created_at);
CREATE INDEX instance_requests_org_idx ON instance_requests (organization_id, created_at);
CREATE INDEX instance_requests_created_idx ON instance_requests (created_at);

-- Package secrets, sealed (app::secrets) with organization, request and purpose bound.
CREATE TABLE request_secrets (
    request_id TEXT NOT NULL REFERENCES instance_requests (id) ON DELETE CASCADE,
    package_id TEXT NOT NULL,
    field      TEXT NOT NULL,
    sealed     TEXT NOT NULL,
    PRIMARY KEY (request_id, package_id, field)
);

CREATE TABLE instances (
    id              TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    request_id      TEXT NOT NULL REFERENCES instance_requests (id) ON DELETE CASCADE,
    name            TEXT NOT NULL,
    display_name    TEXT NOT NULL,
    phase           TEXT NOT NULL DEFAULT 'Pending'
                    CHECK (phase IN ('Pending', 'Provisioning', 'Ready', 'Error', 'Suspended', 'Deleting')),
    packages        TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE UNIQUE INDEX instances_name_key ON instances (name);
CREATE UNIQUE INDEX instances_request_id_key ON instances (request_id);
CREATE INDEX instances_org_idx ON instances (organization_id);

-- Work for the provisioning engine (a later milestone runs these).
CREATE TABLE provisioning_jobs (
    id          TEXT PRIMARY KEY,
    instance_id TEXT NOT NULL REFERENCES instances (id) ON DELETE CASCADE,
    status      TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'failed')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE INDEX provisioning_jobs_status_idx ON provisioning_jobs (status, created_at);
