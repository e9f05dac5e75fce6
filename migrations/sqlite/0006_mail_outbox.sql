-- Notification emails wait here until the relay accepts them. They are written in the same
-- transaction as the change they report, so a decision never waits on (or is undone by)
-- the mail server; a worker delivers them and retries failures with backoff.
-- Keep in step with ../postgres.

CREATE TABLE mail_outbox (
    id              TEXT PRIMARY KEY,
    -- What the email is about (request.created, request.approved, request.rejected).
    kind            TEXT NOT NULL,
    -- The request (or other subject) it reports on.
    subject_id      TEXT,
    to_email        TEXT NOT NULL,
    subject         TEXT NOT NULL,
    body_text       TEXT NOT NULL,
    body_html       TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    -- A worker that took the row holds it until then (another process skips it).
    claimed_until   INTEGER,
    last_error      TEXT,
    created_at      INTEGER NOT NULL,
    sent_at         INTEGER
);
CREATE INDEX mail_outbox_due_idx ON mail_outbox (status, next_attempt_at);
CREATE INDEX mail_outbox_subject_idx ON mail_outbox (subject_id);
