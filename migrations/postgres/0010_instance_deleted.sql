-- An instance that was deprovisioned keeps its row in phase 'Deleted' (SPEC §2), so its
-- history and audit trail stay readable. Keep in step with ../sqlite.
ALTER TABLE instances DROP CONSTRAINT instances_phase_check;
ALTER TABLE instances ADD CONSTRAINT instances_phase_check
    CHECK (phase IN ('Pending', 'Provisioning', 'Ready', 'Error', 'Suspended', 'Deleting', 'Deleted'));
