-- Fast admin-queue search over 100k+ requests: an FTS5 trigram index over, lowercased, the
-- organization's name, the contact's name and the contact's email of every request. It
-- answers substring searches of three or more characters without reading every row.
-- Triggers keep it right, also when an organization is renamed. Rows name their request by
-- id (rowids of tables without an INTEGER PRIMARY KEY may change on VACUUM).
-- Keep in step with ../postgres (a search_text column with a pg_trgm index there).

CREATE VIRTUAL TABLE instance_requests_fts USING fts5(
    search_text, request_id UNINDEXED, tokenize = 'trigram'
);

CREATE TRIGGER instance_requests_fts_insert AFTER INSERT ON instance_requests BEGIN
    INSERT INTO instance_requests_fts (request_id, search_text)
    VALUES (NEW.id, lower(COALESCE((SELECT display_name FROM organizations WHERE id = NEW.organization_id), '')
                             || ' ' || NEW.contact_name || ' ' || NEW.contact_email));
END;
CREATE TRIGGER instance_requests_fts_update AFTER UPDATE OF organization_id, contact_name, contact_email
ON instance_requests BEGIN
    DELETE FROM instance_requests_fts WHERE request_id = OLD.id;
    INSERT INTO instance_requests_fts (request_id, search_text)
    VALUES (NEW.id, lower(COALESCE((SELECT display_name FROM organizations WHERE id = NEW.organization_id), '')
                             || ' ' || NEW.contact_name || ' ' || NEW.contact_email));
END;
CREATE TRIGGER instance_requests_fts_delete AFTER DELETE ON instance_requests BEGIN
    DELETE FROM instance_requests_fts WHERE request_id = OLD.id;
END;
CREATE TRIGGER organizations_fts_rename AFTER UPDATE OF display_name ON organizations BEGIN
    DELETE FROM instance_requests_fts
    WHERE request_id IN (SELECT id FROM instance_requests WHERE organization_id = NEW.id);
    INSERT INTO instance_requests_fts (request_id, search_text)
    SELECT id, lower(NEW.display_name || ' ' || contact_name || ' ' || contact_email)
    FROM instance_requests WHERE organization_id = NEW.id;
END;

INSERT INTO instance_requests_fts (request_id, search_text)
SELECT r.id, lower(o.display_name || ' ' || r.contact_name || ' ' || r.contact_email)
FROM instance_requests r JOIN organizations o ON o.id = r.organization_id;

-- Walks of the all-statuses view read status from the index, not the table.
CREATE INDEX instance_requests_created_status_idx ON instance_requests (created_at, id, status);
