-- SVRunner 1.9: screens have an orientation; content can be scheduled.
ALTER TABLE screens ADD COLUMN orientation TEXT NOT NULL DEFAULT 'landscape';
CREATE TABLE schedules (
  id INTEGER PRIMARY KEY,
  content_id INTEGER NOT NULL REFERENCES contents (id),
  starts_at TEXT NOT NULL,
  ends_at TEXT
);
UPDATE screens SET orientation = 'portrait' WHERE name LIKE '%kiosk%';
