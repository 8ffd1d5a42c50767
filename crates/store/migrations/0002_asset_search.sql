-- Asset search: one lower-cased text of the searchable fields, so a search reads one column.
ALTER TABLE assets ADD COLUMN search TEXT NOT NULL DEFAULT '';
UPDATE assets SET search = lower(name || ' ' || serial || ' ' || model || ' ' || ip_addresses);
CREATE INDEX assets_status_name ON assets (status, name);
CREATE INDEX assets_criticality_name ON assets (criticality, name);
