-- The provisioning engine (SPEC §3.6): a run per instance and purpose, its steps with their
-- status, and the external ids the steps produced. A worker holds a run by a lease it
-- renews while it works; an expired lease is taken over by any process.
-- Keep in step with ../sqlite.

CREATE TABLE provisioning_runs (
    id              TEXT PRIMARY KEY,
    instance_id     TEXT NOT NULL REFERENCES instances (id) ON DELETE CASCADE,
    organization_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    kind            TEXT NOT NULL CHECK (kind IN ('provision', 'reconcile', 'deprovision')),
    -- pending: due at next_attempt_at; running: leased; done; error: waits for a person.
    status          TEXT NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'running', 'done', 'error')),
    lease_owner     TEXT,
    lease_until     BIGINT,
    next_attempt_at BIGINT NOT NULL,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    finished_at     BIGINT
);
CREATE INDEX provisioning_runs_due_idx ON provisioning_runs (status, next_attempt_at);
CREATE INDEX provisioning_runs_instance_idx ON provisioning_runs (instance_id, created_at);

CREATE TABLE provisioning_steps (
    run_id          TEXT NOT NULL REFERENCES provisioning_runs (id) ON DELETE CASCADE,
    step            TEXT NOT NULL,
    position        BIGINT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'running', 'ok', 'skipped', 'error')),
    attempts        BIGINT NOT NULL DEFAULT 0,
    -- Never a secret or a raw upstream body: a short message the engine wrote.
    last_error      TEXT,
    -- For a step in error: when it is tried again (NULL: it waits for a person).
    next_attempt_at BIGINT,
    started_at      BIGINT,
    finished_at     BIGINT,
    PRIMARY KEY (run_id, step)
);

-- What a step created upstream, per instance, so later runs adopt it instead of creating
-- it again. detail is JSON without secrets.
CREATE TABLE instance_resources (
    instance_id TEXT NOT NULL REFERENCES instances (id) ON DELETE CASCADE,
    step        TEXT NOT NULL,
    external_id TEXT NOT NULL,
    detail      TEXT NOT NULL DEFAULT '{}',
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (instance_id, step)
);

-- Secrets a step obtained for later steps (the LiteLLM virtual key), sealed with the
-- organization's data key like package secrets.
CREATE TABLE instance_secrets (
    instance_id TEXT NOT NULL REFERENCES instances (id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    sealed      TEXT NOT NULL,
    PRIMARY KEY (instance_id, name)
);

-- The placeholder jobs of earlier versions become runs.
INSERT INTO provisioning_runs (id, instance_id, organization_id, kind, status, next_attempt_at,
                               created_at, updated_at)
SELECT j.id, j.instance_id, i.organization_id, 'provision', 'pending', j.created_at,
       j.created_at, j.updated_at
FROM provisioning_jobs j JOIN instances i ON i.id = j.instance_id
WHERE j.status IN ('queued', 'running');
DROP TABLE provisioning_jobs;
