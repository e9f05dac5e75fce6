-- Fast admin-queue search over 100k+ requests. `search_text` holds, lowercased, the
-- organization's name, the contact's name and the contact's email; triggers keep it right
-- (also when an organization is renamed). A pg_trgm GIN index over it answers substring
-- (LIKE '%…%') searches without reading every row. pg_trgm is a trusted extension: the
-- database owner may create it.
-- Keep in step with ../sqlite (which uses an FTS5 trigram index instead).

CREATE EXTENSION IF NOT EXISTS pg_trgm;

ALTER TABLE instance_requests ADD COLUMN search_text TEXT NOT NULL DEFAULT '';

CREATE FUNCTION instance_requests_search_text() RETURNS trigger AS $$
BEGIN
    NEW.search_text := lower(COALESCE((SELECT display_name FROM organizations WHERE id = NEW.organization_id), '')
                             || ' ' || NEW.contact_name || ' ' || NEW.contact_email);
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER instance_requests_search_text
    BEFORE INSERT OR UPDATE OF organization_id, contact_name, contact_email ON instance_requests
    FOR EACH ROW EXECUTE FUNCTION instance_requests_search_text();

CREATE FUNCTION organizations_search_rename() RETURNS trigger AS $$
BEGIN
    UPDATE instance_requests
    SET search_text = lower(NEW.display_name || ' ' || contact_name || ' ' || contact_email)
    WHERE organization_id = NEW.id;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER organizations_search_rename
    AFTER UPDATE OF display_name ON organizations
    FOR EACH ROW EXECUTE FUNCTION organizations_search_rename();

UPDATE instance_requests r
SET search_text = lower(o.display_name || ' ' || r.contact_name || ' ' || r.contact_email)
FROM organizations o WHERE o.id = r.organization_id;

CREATE INDEX instance_requests_search_idx ON instance_requests USING gin (search_text gin_trgm_ops);
-- Walks of the all-statuses view read status from the index, not the table.
CREATE INDEX instance_requests_created_status_idx ON instance_requests (created_at, id, status);
