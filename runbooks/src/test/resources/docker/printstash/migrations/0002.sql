-- G-code metadata parsed on upload (PrintStash 1.5), in one transaction with its revision.
BEGIN;
CREATE TABLE gcode_metadata (
  file_id INTEGER PRIMARY KEY REFERENCES files (id),
  slicer VARCHAR(100),
  layer_height FLOAT,
  filament_used_mm FLOAT,
  estimated_time VARCHAR(40)
);
ALTER TABLE files ADD COLUMN metadata_parsed INTEGER NOT NULL DEFAULT 0;
UPDATE alembic_version SET version_num = '0002';
COMMIT;
