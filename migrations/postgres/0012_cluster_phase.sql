-- The phase the Kubernetes cluster reports for an instance's custom resource (its
-- status.phase, read back by the kubernetes.resource step); NULL when no cluster manages
-- it. Keep in step with ../sqlite.
ALTER TABLE instances ADD COLUMN cluster_phase TEXT;
