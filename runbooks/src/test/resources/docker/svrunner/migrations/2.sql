-- Schema 2 (SVRunner 2.0): screens report when they were last seen; in one transaction.
BEGIN;
ALTER TABLE screens ADD COLUMN last_seen_at TEXT;
CREATE TABLE previews (screen_id INTEGER PRIMARY KEY REFERENCES screens (id), rendered_at TEXT);
UPDATE schema_version SET version = 2;
COMMIT;
