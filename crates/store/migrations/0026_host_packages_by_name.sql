-- Matching again after an import finds the hosts that have a package the changed advisories
-- name, by binary name or by source name, without reading every host's packages. Both
-- indexes cover the (host, name) pairs the query returns.
CREATE INDEX host_packages_name ON host_packages (name, host_id);
CREATE INDEX host_packages_source ON host_packages (source_name, host_id, name);
