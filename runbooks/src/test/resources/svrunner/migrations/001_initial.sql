-- SVRunner 1.8 schema: screens and the content they show.
CREATE TABLE screens (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  location TEXT NOT NULL
);
CREATE TABLE contents (
  id INTEGER PRIMARY KEY,
  screen_id INTEGER NOT NULL REFERENCES screens (id),
  asset TEXT NOT NULL,
  position INTEGER NOT NULL
);
