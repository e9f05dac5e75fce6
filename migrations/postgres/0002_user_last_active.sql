-- When a user was last seen, for the members list. Keep in step with ../sqlite.
ALTER TABLE users ADD COLUMN last_active_at BIGINT;
