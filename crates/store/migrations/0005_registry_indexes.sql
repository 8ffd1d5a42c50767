-- Lists sort by a column and then by id (a stable order for pages). Indexes that end in id
-- serve both the sort and its tie-breaker, so a sorted page reads 50 index entries instead of
-- sorting every matching row.
DROP INDEX assets_name;
DROP INDEX assets_customer_name;
DROP INDEX assets_kind_name;
DROP INDEX assets_status_name;
DROP INDEX assets_criticality_name;
DROP INDEX assets_support_expiry;
DROP INDEX assets_warranty_expiry;
CREATE INDEX assets_name_id ON assets (name, id);
CREATE INDEX assets_customer_name_id ON assets (customer_id, name, id);
CREATE INDEX assets_kind_name_id ON assets (kind, name, id);
CREATE INDEX assets_status_name_id ON assets (status, name, id);
CREATE INDEX assets_criticality_name_id ON assets (criticality, name, id);
CREATE INDEX assets_warranty_id ON assets (warranty_expiry, id);
CREATE INDEX assets_support_id ON assets (support_expiry, id);
CREATE INDEX assets_updated_id ON assets (updated_at, id);
CREATE INDEX assets_created_id ON assets (created_at, id);
CREATE INDEX assets_customer_warranty ON assets (customer_id, warranty_expiry);
CREATE INDEX assets_customer_updated ON assets (customer_id, updated_at);
CREATE INDEX customers_created_id ON customers (created_at, id);
CREATE INDEX customers_updated_id ON customers (updated_at, id);
CREATE INDEX contacts_name_id ON contacts (name, id);
CREATE INDEX sites_name_id ON sites (name, id);
