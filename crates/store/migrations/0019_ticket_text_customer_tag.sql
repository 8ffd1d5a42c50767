-- Search documents carry their customer's tag word (see onestop_domain::desk::customer_tag),
-- so a search within one customer intersects index entries instead of walking every match.
-- On SQLite the update trigger of 0012 re-indexes each document in FTS5.
UPDATE ticket_text SET body = body || ' cust' || lower(replace(customer_id, '-', ''));
