-- Matching again after an import finds the hosts that have a package the changed advisories
-- name, by binary name or by source name, without reading every host's packages. Both
-- indexes cover the (host, name) pairs the query returns; most packages have no source name
-- of their own.
CREATE INDEX host_packages_name ON host_packages (name, host_id);
CREATE INDEX host_packages_source ON host_packages (source_name, host_id, name)
    WHERE source_name IS NOT NULL;
-- The advisories' generation (count, sum of `modified`, newest `imported_at`), read before
-- every match, from the index alone instead of the table with its JSON.
CREATE INDEX advisories_generation ON advisories (modified, imported_at);
