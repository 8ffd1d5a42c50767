-- Log diagnosis, part two: one miner per database and findings raised as events.
-- A message stored by a process that does not hold the `log-miner` lease carries
-- template_id 0 ("not mined yet"); the lease holder mines those later, oldest first.
CREATE INDEX log_messages_unmined ON log_messages (received_at) WHERE template_id = 0;

-- Once per condition per period: a finding raises its event only when it claims its mark
-- (`rule:<customer>:<host>:<rule>:<hour>`, `spike:<customer>:<host>:<template>`, …) and the
-- mark is not still running (`until_ms` in the future); a running spike extends it.
CREATE TABLE log_event_marks (
    mark TEXT PRIMARY KEY,
    until_ms BIGINT NOT NULL
);
