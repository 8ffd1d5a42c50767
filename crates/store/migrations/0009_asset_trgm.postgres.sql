-- PostgreSQL only: a trigram GIN index so substring search (LIKE '%…%') on the lower-cased
-- search text does not scan the table. pg_trgm is a trusted extension (PostgreSQL 13+).
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX assets_search_trgm ON assets USING gin (search gin_trgm_ops);
