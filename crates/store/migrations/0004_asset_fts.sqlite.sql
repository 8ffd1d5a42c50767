-- SQLite only: a trigram full-text index over assets.search, so substring search does not scan
-- the table. External content keyed on the implicit rowid, kept in sync by triggers.
-- (After a manual VACUUM, run: INSERT INTO assets_fts(assets_fts) VALUES('rebuild');)
CREATE VIRTUAL TABLE assets_fts USING fts5(search, content='assets', content_rowid='rowid', tokenize='trigram');
INSERT INTO assets_fts(assets_fts) VALUES ('rebuild');
CREATE TRIGGER assets_fts_ai AFTER INSERT ON assets BEGIN
  INSERT INTO assets_fts(rowid, search) VALUES (new.rowid, new.search);
END;
CREATE TRIGGER assets_fts_ad AFTER DELETE ON assets BEGIN
  INSERT INTO assets_fts(assets_fts, rowid, search) VALUES ('delete', old.rowid, old.search);
END;
CREATE TRIGGER assets_fts_au AFTER UPDATE OF search ON assets BEGIN
  INSERT INTO assets_fts(assets_fts, rowid, search) VALUES ('delete', old.rowid, old.search);
  INSERT INTO assets_fts(rowid, search) VALUES (new.rowid, new.search);
END;
