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
-- every minute of a member's activity). SQLite drops a table's triggers with it: a later
-- migration that rebuilds one of these tables creates its triggers again. Keep in step with
-- ../postgres.

CREATE TABLE organization_revisions (
    organization_id TEXT PRIMARY KEY REFERENCES organizations (id) ON DELETE CASCADE,
    revision        INTEGER NOT NULL DEFAULT 0
);
INSERT INTO organization_revisions (organization_id) SELECT id FROM organizations;

CREATE TRIGGER organizations_revision_insert AFTER INSERT ON organizations BEGIN
    INSERT INTO organization_revisions (organization_id) VALUES (NEW.id);
END;
CREATE TRIGGER organizations_revision_update AFTER UPDATE ON organizations BEGIN
    UPDATE organization_revisions SET revision = revision + 1 WHERE organization_id = NEW.id;
END;

CREATE TRIGGER memberships_revision_insert AFTER INSERT ON memberships BEGIN
    UPDATE organization_revisions SET revision = revision + 1
    WHERE organization_id = NEW.organization_id;
END;
CREATE TRIGGER memberships_revision_update AFTER UPDATE ON memberships BEGIN
    UPDATE organization_revisions SET revision = revision + 1
    WHERE organization_id IN (OLD.organization_id, NEW.organization_id);
END;
CREATE TRIGGER memberships_revision_delete AFTER DELETE ON memberships BEGIN
    UPDATE organization_revisions SET revision = revision + 1
    WHERE organization_id = OLD.organization_id;
END;

CREATE TRIGGER instance_requests_revision_insert AFTER INSERT ON instance_requests BEGIN
    UPDATE organization_revisions SET revision = revision + 1
    WHERE organization_id = NEW.organization_id;
END;
CREATE TRIGGER instance_requests_revision_update AFTER UPDATE ON instance_requests BEGIN
    UPDATE organization_revisions SET revision = revision + 1
    WHERE organization_id IN (OLD.organization_id, NEW.organization_id);
END;
CREATE TRIGGER instance_requests_revision_delete AFTER DELETE ON instance_requests BEGIN
    UPDATE organization_revisions SET revision = revision + 1
    WHERE organization_id = OLD.organization_id;
END;

CREATE TRIGGER instances_revision_insert AFTER INSERT ON instances BEGIN
    UPDATE organization_revisions SET revision = revision + 1
    WHERE organization_id = NEW.organization_id;
END;
CREATE TRIGGER instances_revision_update AFTER UPDATE ON instances BEGIN
    UPDATE organization_revisions SET revision = revision + 1
    WHERE organization_id IN (OLD.organization_id, NEW.organization_id);
END;
CREATE TRIGGER instances_revision_delete AFTER DELETE ON instances BEGIN
    UPDATE organization_revisions SET revision = revision + 1
    WHERE organization_id = OLD.organization_id;
END;

CREATE TRIGGER provisioning_runs_revision_insert AFTER INSERT ON provisioning_runs BEGIN
    UPDATE organization_revisions SET revision = revision + 1
    WHERE organization_id = NEW.organization_id;
END;
-- A run's lease and status change often and show nowhere; its instance and age pick the
-- latest run.
CREATE TRIGGER provisioning_runs_revision_update
AFTER UPDATE OF instance_id, organization_id, created_at ON provisioning_runs BEGIN
    UPDATE organization_revisions SET revision = revision + 1
    WHERE organization_id IN (OLD.organization_id, NEW.organization_id);
END;
CREATE TRIGGER provisioning_runs_revision_delete AFTER DELETE ON provisioning_runs BEGIN
    UPDATE organization_revisions SET revision = revision + 1
    WHERE organization_id = OLD.organization_id;
END;

-- Steps belong to the organization of their run.
CREATE TRIGGER provisioning_steps_revision_insert AFTER INSERT ON provisioning_steps BEGIN
    UPDATE organization_revisions SET revision = revision + 1
    WHERE organization_id = (SELECT organization_id FROM provisioning_runs WHERE id = NEW.run_id);
END;
CREATE TRIGGER provisioning_steps_revision_update AFTER UPDATE ON provisioning_steps BEGIN
    UPDATE organization_revisions SET revision = revision + 1
    WHERE organization_id IN (SELECT organization_id FROM provisioning_runs
                              WHERE id IN (OLD.run_id, NEW.run_id));
END;
CREATE TRIGGER provisioning_steps_revision_delete AFTER DELETE ON provisioning_steps BEGIN
    UPDATE organization_revisions SET revision = revision + 1
    WHERE organization_id = (SELECT organization_id FROM provisioning_runs WHERE id = OLD.run_id);
END;
