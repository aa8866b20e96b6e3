-- A boot migration that fails half-way and outside a transaction: the column and the rewritten
-- rows stay behind, the schema version does not move. Only the backup can undo it.
ALTER TABLE screens ADD COLUMN last_seen_at TEXT;
UPDATE playlists SET name = 'migrated ' || name;
INSERT INTO no_such_table VALUES (1);
UPDATE schema_version SET version = 2;
