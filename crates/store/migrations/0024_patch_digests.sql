-- Matching a fleet without redoing unchanged work: a digest of each host's package set, and
-- a digest of what its findings were last reconciled from (the advisory content of its
-- ecosystem, its packages and its running kernel). A host whose inputs did not change since
-- is not matched again after an import.
ALTER TABLE host_inventories ADD COLUMN packages_digest TEXT;
ALTER TABLE host_inventories ADD COLUMN match_digest TEXT;
