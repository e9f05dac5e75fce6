-- When a user was last seen, for the members list. Keep in step with ../postgres.
ALTER TABLE users ADD COLUMN last_active_at INTEGER;
