-- A revision per organization that rises with every change to what its kept pages (the
-- dashboard and settings) show: the organization itself, its memberships, requests,
-- instances, provisioning runs and steps. Triggers raise it, so a write from any process
-- counts, and in the writer's transaction, so it is visible exactly when the change is. The
-- page cache answers a member's page from memory only while the revision it was rendered at
-- is current (app/src/page_cache.rs).
--
-- Users' rows are not covered: the kept pages show no other user's data, and the member's
-- own comes with the session into the cache's validator. A page that shows members' names
-- or activity must not be kept before a trigger here covers it (last_active_at changes with
-- every minute of a member's activity). Keep in step with ../sqlite.

-- No organization may be added between the copy below and the trigger that adds its row.
LOCK TABLE organizations IN SHARE ROW EXCLUSIVE MODE;

CREATE TABLE organization_revisions (
    organization_id TEXT PRIMARY KEY REFERENCES organizations (id) ON DELETE CASCADE,
    revision        BIGINT NOT NULL DEFAULT 0
);
INSERT INTO organization_revisions (organization_id) SELECT id FROM organizations;

CREATE FUNCTION organization_revision_bump(org TEXT) RETURNS void LANGUAGE sql AS $$
    UPDATE organization_revisions SET revision = revision + 1 WHERE organization_id = org;
$$;

CREATE FUNCTION organizations_revision() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO organization_revisions (organization_id) VALUES (NEW.id);
    ELSE
        PERFORM organization_revision_bump(NEW.id);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER organizations_revision AFTER INSERT OR UPDATE ON organizations
    FOR EACH ROW EXECUTE FUNCTION organizations_revision();

-- For the tables that carry organization_id.
CREATE FUNCTION organization_rows_revision() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM organization_revision_bump(OLD.organization_id);
    END IF;
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.organization_id <> OLD.organization_id) THEN
        PERFORM organization_revision_bump(NEW.organization_id);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER memberships_revision AFTER INSERT OR UPDATE OR DELETE ON memberships
    FOR EACH ROW EXECUTE FUNCTION organization_rows_revision();
CREATE TRIGGER instance_requests_revision AFTER INSERT OR UPDATE OR DELETE ON instance_requests
    FOR EACH ROW EXECUTE FUNCTION organization_rows_revision();
CREATE TRIGGER instances_revision AFTER INSERT OR UPDATE OR DELETE ON instances
    FOR EACH ROW EXECUTE FUNCTION organization_rows_revision();
-- A run's lease and status change often and show nowhere; its instance and age pick the
-- latest run.
CREATE TRIGGER provisioning_runs_revision
    AFTER INSERT OR UPDATE OF instance_id, organization_id, created_at OR DELETE ON provisioning_runs
    FOR EACH ROW EXECUTE FUNCTION organization_rows_revision();

-- Steps belong to the organization of their run.
CREATE FUNCTION provisioning_steps_revision() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM organization_revision_bump(r.organization_id)
        FROM provisioning_runs r WHERE r.id = OLD.run_id;
    END IF;
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.run_id <> OLD.run_id) THEN
        PERFORM organization_revision_bump(r.organization_id)
        FROM provisioning_runs r WHERE r.id = NEW.run_id;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER provisioning_steps_revision AFTER INSERT OR UPDATE OR DELETE ON provisioning_steps
    FOR EACH ROW EXECUTE FUNCTION provisioning_steps_revision();

