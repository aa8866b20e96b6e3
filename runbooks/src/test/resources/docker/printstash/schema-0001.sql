-- The database as PrintStash 1.4.0 left it: revision 0001 (files and printers), with data.
CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY);
INSERT INTO alembic_version VALUES ('0001');
CREATE TABLE files (
  id INTEGER PRIMARY KEY,
  name VARCHAR(255) NOT NULL,
  size INTEGER NOT NULL,
  uploaded_at VARCHAR(32) NOT NULL
);
CREATE INDEX ix_files_name ON files (name);
CREATE TABLE printers (
  id INTEGER PRIMARY KEY,
  name VARCHAR(100) NOT NULL UNIQUE,
  provider VARCHAR(40) NOT NULL
);
INSERT INTO files VALUES (1, 'benchy.gcode', 48, '2024-04-30T18:02:11Z');
INSERT INTO files VALUES (2, 'calibration-cube.gcode', 42, '2024-05-01T07:45:00Z');
INSERT INTO files VALUES (3, 'spool holder v2.gcode', 51, '2024-05-02T21:13:37Z');
INSERT INTO printers VALUES (1, 'prusa-mk4', 'prusalink');
INSERT INTO printers VALUES (2, 'voron-2.4', 'moonraker');
