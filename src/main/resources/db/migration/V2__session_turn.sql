-- The number of requests made in each session so far, the current one included, so that
-- the policy can tell the first turn of a conversation from later ones. Sessions that
-- existed before this column had at least one request, so they start at 1.
ALTER TABLE session_owner ADD COLUMN turn INTEGER NOT NULL DEFAULT 1;
