-- Work records on a ticket (attachments, time, links, vendor cases, field visits) and the
-- service catalog. Portable SQL: BIGINT milliseconds, TEXT ids (UUIDv7), no serials, no
-- booleans (0/1 BIGINT).
CREATE TABLE ticket_attachments (
    id TEXT PRIMARY KEY,
    ticket_id TEXT NOT NULL REFERENCES tickets (id),
    customer_id TEXT NOT NULL REFERENCES customers (id),
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    visibility TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    uploaded_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX ticket_attachments_ticket ON ticket_attachments (ticket_id, created_at);

CREATE TABLE ticket_time_entries (
    id TEXT PRIMARY KEY,
    ticket_id TEXT NOT NULL REFERENCES tickets (id),
    customer_id TEXT NOT NULL REFERENCES customers (id),
    user_id TEXT REFERENCES users (id),
    username TEXT NOT NULL,
    minutes BIGINT NOT NULL,
    worked_at BIGINT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    billable BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX ticket_time_entries_ticket ON ticket_time_entries (ticket_id, worked_at);
CREATE INDEX ticket_time_entries_user ON ticket_time_entries (user_id, worked_at);

-- A link reads "from_ticket <kind> to_ticket": kind `problem` (to is the problem behind the
-- incident from), `duplicate_of`, `child_of`.
CREATE TABLE ticket_links (
    id TEXT PRIMARY KEY,
    from_ticket TEXT NOT NULL REFERENCES tickets (id),
    from_customer TEXT NOT NULL REFERENCES customers (id),
    to_ticket TEXT NOT NULL REFERENCES tickets (id),
    to_customer TEXT NOT NULL REFERENCES customers (id),
    kind TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (from_ticket, to_ticket, kind)
);
CREATE INDEX ticket_links_to ON ticket_links (to_ticket);

CREATE TABLE vendor_cases (
    id TEXT PRIMARY KEY,
    ticket_id TEXT NOT NULL REFERENCES tickets (id),
    customer_id TEXT NOT NULL REFERENCES customers (id),
    vendor TEXT NOT NULL,
    case_number TEXT,
    status TEXT NOT NULL,
    raised_at BIGINT NOT NULL,
    raised_by TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    updated_at BIGINT NOT NULL
);
CREATE INDEX vendor_cases_ticket ON vendor_cases (ticket_id, raised_at);
CREATE INDEX vendor_cases_open ON vendor_cases (status, raised_at);

CREATE TABLE vendor_answers (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES vendor_cases (id),
    customer_id TEXT NOT NULL REFERENCES customers (id),
    at BIGINT NOT NULL,
    body TEXT NOT NULL,
    recorded_by TEXT NOT NULL
);
CREATE INDEX vendor_answers_case ON vendor_answers (case_id, at);

CREATE TABLE dispatches (
    id TEXT PRIMARY KEY,
    ticket_id TEXT NOT NULL REFERENCES tickets (id),
    customer_id TEXT NOT NULL REFERENCES customers (id),
    engineer_id TEXT NOT NULL REFERENCES users (id),
    status TEXT NOT NULL,
    planned_at BIGINT NOT NULL,
    arrived_at BIGINT,
    finished_at BIGINT,
    work_done TEXT NOT NULL DEFAULT '',
    parts_json TEXT NOT NULL DEFAULT '[]',
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX dispatches_ticket ON dispatches (ticket_id, planned_at);
CREATE INDEX dispatches_engineer ON dispatches (engineer_id, planned_at);

-- The provider's menu of services; contracts choose from it by code.
CREATE TABLE service_catalog (
    id TEXT PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    grp TEXT NOT NULL,
    name_en TEXT NOT NULL,
    name_ja TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    default_rrule TEXT,
    active BIGINT NOT NULL DEFAULT 1,
    sort_order BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

INSERT INTO service_catalog (id, code, grp, name_en, name_ja, description, default_rrule, sort_order, created_at, updated_at) VALUES
('0193a000-0000-7000-8000-000000000001', 'security_patch_info', 'proactive', 'Security patch information', 'セキュリティパッチ情報提供', 'Sent as soon as advisories are published.', NULL, 10, 1764000000000, 1764000000000),
('0193a000-0000-7000-8000-000000000002', 'patch_info', 'proactive', 'Patch information', 'パッチ情報提供', 'Mailed periodically.', 'FREQ=MONTHLY', 20, 1764000000000, 1764000000000),
('0193a000-0000-7000-8000-000000000003', 'periodic_inspection', 'proactive', 'Periodic inspection', '定期点検', 'Cleaning, hardware log and OS log checks.', 'FREQ=MONTHLY;INTERVAL=6', 30, 1764000000000, 1764000000000),
('0193a000-0000-7000-8000-000000000004', 'environment_assessment', 'proactive', 'Environment assessment', '環境アセスメント', 'Software logs checked for errors and warnings twice a year, plus a resource check.', 'FREQ=MONTHLY;INTERVAL=6', 40, 1764000000000, 1764000000000),
('0193a000-0000-7000-8000-000000000005', 'technical_review', 'proactive', 'Technical review', 'テクニカルレビュー', 'Once a year, to solve or improve operational problems.', 'FREQ=YEARLY', 50, 1764000000000, 1764000000000),
('0193a000-0000-7000-8000-000000000006', 'reception', 'reactive', 'Question and failure reception', '問い合わせ・障害受付', 'Up to 24x365 by phone, fax and e-mail, no limit on count.', NULL, 60, 1764000000000, 1764000000000),
('0193a000-0000-7000-8000-000000000007', 'troubleshooting', 'reactive', 'Troubleshooting', '障害切り分け・復旧支援', 'Isolate the fault, support recovery, send a field engineer for hardware faults.', NULL, 70, 1764000000000, 1764000000000),
('0193a000-0000-7000-8000-000000000008', 'vendor_escalation', 'reactive', 'Vendor escalation', 'マルチベンダーエスカレーション', 'The desk raises and tracks cases with other vendors.', NULL, 80, 1764000000000, 1764000000000),
('0193a000-0000-7000-8000-000000000009', 'remote_monitoring', 'management', 'Remote monitoring', 'リモート監視', 'Events watched 24x365; problems reported with a proposed response.', NULL, 90, 1764000000000, 1764000000000),
('0193a000-0000-7000-8000-000000000010', 'log_diagnosis', 'management', 'Log diagnosis', 'ログ診断', 'Periodic diagnosis of OS system logs, with a report.', 'FREQ=MONTHLY', 100, 1764000000000, 1764000000000),
('0193a000-0000-7000-8000-000000000011', 'performance_check', 'management', 'Performance check', '性能チェック', 'CPU, memory and swap usage with trend analysis.', 'FREQ=MONTHLY;INTERVAL=3', 110, 1764000000000, 1764000000000),
('0193a000-0000-7000-8000-000000000012', 'patch_installation', 'proxy', 'Patch installation', 'パッチ適用代行', 'On a date agreed with the customer.', NULL, 120, 1764000000000, 1764000000000),
('0193a000-0000-7000-8000-000000000013', 'onsite_recovery', 'proxy', 'On-site recovery', 'オンサイト復旧作業代行', 'Following a recovery procedure agreed beforehand.', NULL, 130, 1764000000000, 1764000000000),
('0193a000-0000-7000-8000-000000000014', 'system_monitoring', 'system_support', 'System monitoring', 'システム監視', 'Remote maintenance; server and network monitoring.', NULL, 140, 1764000000000, 1764000000000),
('0193a000-0000-7000-8000-000000000015', 'system_inspection', 'system_support', 'System inspection', 'システム点検', '', 'FREQ=YEARLY', 150, 1764000000000, 1764000000000),
('0193a000-0000-7000-8000-000000000016', 'network_inspection', 'system_support', 'Network inspection', 'ネットワーク点検', 'Inside and outside the center.', 'FREQ=YEARLY', 160, 1764000000000, 1764000000000),
('0193a000-0000-7000-8000-000000000017', 'security_inspection', 'system_support', 'Security inspection', 'セキュリティ点検', '', 'FREQ=YEARLY', 170, 1764000000000, 1764000000000),
('0193a000-0000-7000-8000-000000000018', 'remote_periodic_inspection', 'system_support', 'Remote periodic inspection', 'リモート定期点検', '', 'FREQ=MONTHLY;INTERVAL=3', 180, 1764000000000, 1764000000000),
('0193a000-0000-7000-8000-000000000019', 'remote_failure_response', 'system_support', 'Remote response on failure', 'リモート障害対応', '', NULL, 190, 1764000000000, 1764000000000),
('0193a000-0000-7000-8000-000000000020', 'asset_management', 'system_support', 'Asset management', '資産管理', '', 'FREQ=MONTHLY', 200, 1764000000000, 1764000000000),
('0193a000-0000-7000-8000-000000000021', 'equipment_management', 'system_support', 'Equipment management', '機器管理', '', 'FREQ=MONTHLY', 210, 1764000000000, 1764000000000),
('0193a000-0000-7000-8000-000000000022', 'environment_management', 'system_support', 'Environment management', '環境管理', '', 'FREQ=MONTHLY', 220, 1764000000000, 1764000000000),
('0193a000-0000-7000-8000-000000000023', 'introduction_analysis', 'system_support', 'Effect of an introduction', '導入効果分析', 'Operations analysis and evaluation.', NULL, 230, 1764000000000, 1764000000000),
('0193a000-0000-7000-8000-000000000024', 'system_analysis', 'system_support', 'System analysis', 'システム分析', 'Operations analysis and evaluation.', 'FREQ=YEARLY', 240, 1764000000000, 1764000000000),
('0193a000-0000-7000-8000-000000000025', 'utilization_analysis', 'system_support', 'Utilization analysis', '稼働分析', 'Resources and performance.', 'FREQ=MONTHLY;INTERVAL=3', 250, 1764000000000, 1764000000000),
('0193a000-0000-7000-8000-000000000026', 'business_support', 'system_support', 'Business support', '業務支援', 'Help evaluating the business use of the system.', NULL, 260, 1764000000000, 1764000000000),
('0193a000-0000-7000-8000-000000000027', 'software_helpdesk', 'system_support', 'Software help desk', 'ソフトウェアヘルプデスク', 'Specification and operation questions, problem solving.', NULL, 270, 1764000000000, 1764000000000),
('0193a000-0000-7000-8000-000000000028', 'update_information', 'system_support', 'Update material and information', '更新情報提供', '', 'FREQ=MONTHLY', 280, 1764000000000, 1764000000000),
('0193a000-0000-7000-8000-000000000029', 'hardware_investigation', 'system_support', 'Failed equipment investigation', '故障機器調査', '', NULL, 290, 1764000000000, 1764000000000),
('0193a000-0000-7000-8000-000000000030', 'periodic_maintenance', 'system_support', 'Periodic maintenance', '定期保守', '', 'FREQ=YEARLY', 300, 1764000000000, 1764000000000),
('0193a000-0000-7000-8000-000000000031', 'equipment_replacement', 'system_support', 'Failed equipment replacement', '故障機器交換', '', NULL, 310, 1764000000000, 1764000000000),
('0193a000-0000-7000-8000-000000000032', 'preventive_maintenance', 'system_support', 'Preventive maintenance', '予防保守', '', 'FREQ=MONTHLY;INTERVAL=6', 320, 1764000000000, 1764000000000);
