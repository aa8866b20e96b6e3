-- local.db as SVRunner 1.0.0 left it: schema 1, with screens and playlists.
CREATE TABLE schema_version (version INTEGER NOT NULL);
INSERT INTO schema_version VALUES (1);
CREATE TABLE screens (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, playlist_id INTEGER);
CREATE TABLE playlists (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE assets (id INTEGER PRIMARY KEY, path TEXT NOT NULL, playlist_id INTEGER NOT NULL);
INSERT INTO playlists VALUES (1, 'Lobby'), (2, 'Cafeteria menu');
INSERT INTO screens VALUES (1, 'lobby-left', 1), (2, 'lobby-right', 1), (3, 'cafeteria', 2);
INSERT INTO assets VALUES (1, 'welcome.png', 1), (2, 'menu/monday.html', 2);
