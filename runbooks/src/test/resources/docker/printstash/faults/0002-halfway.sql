-- A migration that fails half-way and outside a transaction: the new table and the renamed
-- rows stay behind, the revision does not move. Only the backup can undo it.
CREATE TABLE gcode_metadata (file_id INTEGER PRIMARY KEY, slicer VARCHAR(100));
UPDATE files SET name = 'migrated-' || name;
INSERT INTO no_such_table VALUES (1);
UPDATE alembic_version SET version_num = '0002';
