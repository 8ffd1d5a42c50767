-- Lifecycle lists: assets of one kind by warranty or support expiry (either direction) or by
-- last change, read off an index instead of sorting every asset of the kind. The id
-- tie-breaker runs in the sort's direction (`Filter::page`), so one index serves both.
CREATE INDEX assets_kind_warranty_id ON assets (kind, warranty_expiry, id);
CREATE INDEX assets_kind_support_id ON assets (kind, support_expiry, id);
CREATE INDEX assets_kind_updated_id ON assets (kind, updated_at, id);
