-- An instance that was deprovisioned keeps its row in phase 'Deleted' (SPEC §2), so its
-- history and audit trail stay readable. Keep in step with ../postgres.
--
-- SQLite cannot change a CHECK constraint in place: the table is rebuilt. The migration
-- runs in a transaction with foreign keys on, where dropping the old table would cascade
-- into the rows that reference it, so those are set aside first and put back after.
CREATE TEMP TABLE saved_provisioning_steps AS SELECT * FROM provisioning_steps;
CREATE TEMP TABLE saved_provisioning_runs AS SELECT * FROM provisioning_runs;
CREATE TEMP TABLE saved_instance_resources AS SELECT * FROM instance_resources;
CREATE TEMP TABLE saved_instance_secrets AS SELECT * FROM instance_secrets;
DELETE FROM provisioning_steps;
DELETE FROM provisioning_runs;
DELETE FROM instance_resources;
DELETE FROM instance_secrets;

CREATE TABLE instances_rebuilt (
    id              TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    request_id      TEXT NOT NULL REFERENCES instance_requests (id) ON DELETE CASCADE,
    name            TEXT NOT NULL,
    display_name    TEXT NOT NULL,
    phase           TEXT NOT NULL DEFAULT 'Pending'
                    CHECK (phase IN ('Pending', 'Provisioning', 'Ready', 'Error', 'Suspended', 'Deleting', 'Deleted')),
    packages        TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
INSERT INTO instances_rebuilt (id, organization_id, request_id, name, display_name, phase,
                               packages, created_at, updated_at)
SELECT id, organization_id, request_id, name, display_name, phase, packages, created_at,
       updated_at
FROM instances;
DROP TABLE instances;
ALTER TABLE instances_rebuilt RENAME TO instances;
CREATE UNIQUE INDEX instances_name_key ON instances (name);
CREATE UNIQUE INDEX instances_request_id_key ON instances (request_id);
CREATE INDEX instances_org_idx ON instances (organization_id);

INSERT INTO provisioning_runs SELECT * FROM saved_provisioning_runs;
INSERT INTO provisioning_steps SELECT * FROM saved_provisioning_steps;
INSERT INTO instance_resources SELECT * FROM saved_instance_resources;
INSERT INTO instance_secrets SELECT * FROM saved_instance_secrets;
DROP TABLE saved_provisioning_steps;
DROP TABLE saved_provisioning_runs;
DROP TABLE saved_instance_resources;
DROP TABLE saved_instance_secrets;
