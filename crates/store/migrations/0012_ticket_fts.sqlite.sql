-- SQLite only: FTS5 over ticket_text (external content on its rowid), kept by triggers.
CREATE VIRTUAL TABLE ticket_fts USING fts5(body, content='ticket_text', content_rowid='rowid', tokenize='unicode61 remove_diacritics 0');
CREATE TRIGGER ticket_fts_ai AFTER INSERT ON ticket_text BEGIN
  INSERT INTO ticket_fts(rowid, body) VALUES (new.rowid, new.body);
END;
CREATE TRIGGER ticket_fts_ad AFTER DELETE ON ticket_text BEGIN
  INSERT INTO ticket_fts(ticket_fts, rowid, body) VALUES ('delete', old.rowid, old.body);
END;
CREATE TRIGGER ticket_fts_au AFTER UPDATE OF body ON ticket_text BEGIN
  INSERT INTO ticket_fts(ticket_fts, rowid, body) VALUES ('delete', old.rowid, old.body);
  INSERT INTO ticket_fts(rowid, body) VALUES (new.rowid, new.body);
END;
