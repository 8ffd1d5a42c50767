-- The annual implementation plan, work orders with checklists, and checklist templates.

-- Checklist templates: items_json is a list of
-- {"title": …, "title_ja": …, "guidance": …, "auto": "<agent check id>" | null}.
CREATE TABLE checklist_templates (
    id TEXT PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name_en TEXT NOT NULL,
    name_ja TEXT NOT NULL,
    items_json TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- One planned activity of a contract's year. `occurrence` is the date the service's RRULE gave
-- (with contract and service, the key that regeneration matches on); NULL for activities added
-- by hand. `planned_on` is the date after the shift or an edit. `wo_due_on` is planned_on less
-- the service's lead days: the day its work order is created. status: planned | work_order |
-- done | skipped ("late" is judged at read time).
CREATE TABLE plan_activities (
    id TEXT PRIMARY KEY,
    contract_id TEXT NOT NULL REFERENCES contracts (id),
    customer_id TEXT NOT NULL REFERENCES customers (id),
    year BIGINT NOT NULL,
    service TEXT NOT NULL,
    occurrence TEXT,
    planned_on TEXT NOT NULL,
    wo_due_on TEXT NOT NULL,
    lead_days BIGINT NOT NULL,
    owner_role TEXT NOT NULL,
    assets_json TEXT NOT NULL,
    template TEXT,
    status TEXT NOT NULL,
    skip_reason TEXT,
    edited BIGINT NOT NULL DEFAULT 0,
    work_order_id TEXT,
    done_on TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX plan_activities_key ON plan_activities (contract_id, service, occurrence);
CREATE INDEX plan_activities_year ON plan_activities (contract_id, year, planned_on);
CREATE INDEX plan_activities_due ON plan_activities (status, wo_due_on);
CREATE INDEX plan_activities_customer ON plan_activities (customer_id, planned_on);

-- Which (contract, year) plans exist, and the contract version they were generated from.
CREATE TABLE plan_years (
    contract_id TEXT NOT NULL REFERENCES contracts (id),
    year BIGINT NOT NULL,
    contract_updated_at BIGINT NOT NULL,
    generated_at BIGINT NOT NULL,
    PRIMARY KEY (contract_id, year)
);

-- Work orders. kind: planned | adhoc | patch. status: open | in_progress | done | cancelled.
-- activity_id is unique: a planned activity never gets two work orders.
CREATE TABLE work_orders (
    id TEXT PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,
    customer_id TEXT NOT NULL REFERENCES customers (id),
    contract_id TEXT REFERENCES contracts (id),
    activity_id TEXT UNIQUE REFERENCES plan_activities (id),
    ticket_id TEXT REFERENCES tickets (id),
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    template TEXT,
    assets_json TEXT NOT NULL,
    owner_role TEXT,
    assignee_id TEXT REFERENCES users (id),
    scheduled_start BIGINT NOT NULL,
    scheduled_end BIGINT NOT NULL,
    status TEXT NOT NULL,
    notes TEXT NOT NULL DEFAULT '',
    minutes_spent BIGINT NOT NULL DEFAULT 0,
    patch_json TEXT,
    approved_by TEXT,
    approved_at BIGINT,
    maintenance_id TEXT,
    signoff_name TEXT,
    signoff_user_id TEXT,
    signoff_recorded_by TEXT,
    signoff_at BIGINT,
    done_at BIGINT,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX work_orders_customer ON work_orders (customer_id, scheduled_start);
CREATE INDEX work_orders_assignee ON work_orders (assignee_id, status, scheduled_start);
CREATE INDEX work_orders_due ON work_orders (status, scheduled_end);

-- Checklist items of a work order, copied from the template when it is created.
-- result: ok | finding | n_a (NULL until recorded). evidence_json: for automated items, the
-- agent check row used (check, version, status, summary, detail, source, observed_at, host).
CREATE TABLE work_order_items (
    work_order_id TEXT NOT NULL REFERENCES work_orders (id),
    pos BIGINT NOT NULL,
    title TEXT NOT NULL,
    title_ja TEXT NOT NULL DEFAULT '',
    guidance TEXT NOT NULL,
    auto_check TEXT,
    result TEXT,
    notes TEXT NOT NULL DEFAULT '',
    measured TEXT NOT NULL DEFAULT '',
    evidence_json TEXT,
    ticket_id TEXT REFERENCES tickets (id),
    recorded_by TEXT,
    recorded_at BIGINT,
    PRIMARY KEY (work_order_id, pos)
);

CREATE TABLE work_order_attachments (
    id TEXT PRIMARY KEY,
    work_order_id TEXT NOT NULL REFERENCES work_orders (id),
    customer_id TEXT NOT NULL REFERENCES customers (id),
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    uploaded_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX work_order_attachments_wo ON work_order_attachments (work_order_id, created_at);

-- Customer users allowed to sign off work orders and approve patch installations.
CREATE TABLE work_order_signers (
    user_id TEXT PRIMARY KEY REFERENCES users (id),
    granted_by TEXT NOT NULL,
    granted_at BIGINT NOT NULL
);

-- The default checklist templates (editable by administrators).
INSERT INTO checklist_templates (id, code, name_en, name_ja, items_json, created_at, updated_at) VALUES
('0193a000-0000-7000-8000-000000000100', 'system_inspection', 'System inspection', 'システム点検', '[{"title": "Disk space headroom on every filesystem", "title_ja": "全ファイルシステムのディスク空き容量", "guidance": "Used space under 85% on each mount; note the fullest.", "auto": "disk_headroom"}, {"title": "Inode headroom on every filesystem", "title_ja": "全ファイルシステムの inode 空き", "guidance": "Used inodes under 85%.", "auto": "inode_headroom"}, {"title": "No failed systemd units", "title_ja": "失敗した systemd ユニットがない", "guidance": "systemctl --failed is empty, or each failure is explained.", "auto": "failed_units"}, {"title": "Clock synchronised (NTP)", "title_ja": "時刻同期 (NTP)", "guidance": "Synchronised, offset under 100 ms.", "auto": "ntp_sync"}, {"title": "Last reboot and uptime", "title_ja": "最終再起動と稼働時間", "guidance": "Reboots since the last inspection are explained.", "auto": "last_reboot"}, {"title": "RAID arrays healthy", "title_ja": "RAID アレイの状態", "guidance": "No degraded or rebuilding array.", "auto": "raid_state"}, {"title": "Disk SMART health", "title_ja": "ディスク SMART 状態", "guidance": "No failing attribute, no reallocated-sector growth.", "auto": "smart_state"}, {"title": "Pending security updates", "title_ja": "未適用のセキュリティ更新", "guidance": "Open findings listed; a patch date agreed for each.", "auto": "pending_security_updates"}, {"title": "OS logs reviewed since the last inspection", "title_ja": "前回点検以降の OS ログ確認", "guidance": "Errors and warnings in syslog / the journal explained or ticketed.", "auto": null}, {"title": "Backups: last success and last restore test", "title_ja": "バックアップ: 最終成功日とリストア試験日", "guidance": "Record both dates as measured values.", "auto": null}, {"title": "CPU, memory and swap trend", "title_ja": "CPU・メモリ・スワップの推移", "guidance": "Peaks and trend against thresholds; record the peak values.", "auto": null}]', 1764000000000, 1764000000000),
('0193a000-0000-7000-8000-000000000101', 'network_inspection', 'Network inspection', 'ネットワーク点検', '[{"title": "Interface errors and discards on core devices", "title_ja": "コア機器のインターフェースエラー・破棄", "guidance": "Counters since the last inspection; record the worst port.", "auto": null}, {"title": "Uplink status, speed and duplex", "title_ja": "アップリンクの状態・速度・デュプレックス", "guidance": "Every uplink up at the expected speed, full duplex.", "auto": null}, {"title": "Redundancy state (VRRP/HSRP, LACP, STP root)", "title_ja": "冗長構成の状態 (VRRP/HSRP、LACP、STP ルート)", "guidance": "Active/standby as designed; no member link down.", "auto": null}, {"title": "Firmware versions against vendor advisories", "title_ja": "ファームウェアとベンダー勧告の照合", "guidance": "Record versions; open a ticket for an affected device.", "auto": null}, {"title": "Configuration backed up and compared", "title_ja": "設定のバックアップと差分確認", "guidance": "Backup taken today; differences since last time explained.", "auto": null}, {"title": "Firewall rules reviewed", "title_ja": "ファイアウォールルールの見直し", "guidance": "No any-any rules; unused rules listed for removal.", "auto": null}, {"title": "Listening ports on servers against the expected list", "title_ja": "サーバーの待受ポートと想定一覧の照合", "guidance": "Nothing listening that is not on the list.", "auto": "listening_ports"}, {"title": "Device clocks synchronised", "title_ja": "ネットワーク機器の時刻同期", "guidance": "NTP associations up on every device.", "auto": null}, {"title": "Wireless: channel use and rogue access points", "title_ja": "無線: チャネル使用率と不正アクセスポイント", "guidance": "Utilisation under 60%; no unknown SSID on site.", "auto": null}]', 1764000000000, 1764000000000),
('0193a000-0000-7000-8000-000000000102', 'security_inspection', 'Security inspection', 'セキュリティ点検', '[{"title": "sshd: no root login, no password authentication", "title_ja": "sshd: root ログイン・パスワード認証の無効化", "guidance": "PermitRootLogin no (or prohibit-password), PasswordAuthentication no.", "auto": "sshd_config"}, {"title": "Only root has UID 0", "title_ja": "UID 0 は root のみ", "guidance": "Any other UID 0 account is an incident.", "auto": "uid0_accounts"}, {"title": "No world-writable files in system paths", "title_ja": "システムパスに全員書込可能なファイルがない", "guidance": "/etc, /usr, /bin, /sbin, /lib checked.", "auto": "world_writable"}, {"title": "Listening ports against the expected list", "title_ja": "待受ポートと想定一覧の照合", "guidance": "Unexpected listeners explained or closed.", "auto": "listening_ports"}, {"title": "Pending security updates", "title_ja": "未適用のセキュリティ更新", "guidance": "Critical and high findings have an agreed patch date.", "auto": "pending_security_updates"}, {"title": "Accounts of leavers disabled, privileged groups reviewed", "title_ja": "退職者アカウントの無効化と特権グループの確認", "guidance": "Compare with the customer list of staff changes.", "auto": null}, {"title": "Malware protection up to date", "title_ja": "マルウェア対策の定義ファイル更新", "guidance": "Definitions under 24 hours old on every host.", "auto": null}, {"title": "Administrator accounts use MFA and the password policy", "title_ja": "管理者アカウントの多要素認証とパスワードポリシー", "guidance": "Record exceptions.", "auto": null}, {"title": "Audit logs kept for the agreed period", "title_ja": "監査ログの保存期間", "guidance": "Oldest entry date recorded as a measured value.", "auto": null}]', 1764000000000, 1764000000000),
('0193a000-0000-7000-8000-000000000103', 'hardware_inspection', 'Periodic hardware inspection', '定期ハードウェア点検', '[{"title": "Fans and filters cleaned, airflow unobstructed", "title_ja": "ファン・フィルターの清掃と通気の確認", "guidance": "Remove dust; note clogged filters.", "auto": null}, {"title": "Hardware event log reviewed (iLO/iDRAC/IPMI SEL)", "title_ja": "ハードウェアイベントログの確認 (iLO/iDRAC/IPMI SEL)", "guidance": "Errors since the last inspection explained; log cleared after saving.", "auto": null}, {"title": "RAID arrays healthy", "title_ja": "RAID アレイの状態", "guidance": "No degraded array, batteries/capacitors good.", "auto": "raid_state"}, {"title": "Disk SMART health", "title_ja": "ディスク SMART 状態", "guidance": "No predicted failure.", "auto": "smart_state"}, {"title": "Power supplies redundant, status LEDs normal", "title_ja": "電源の冗長性とステータス LED", "guidance": "Both supplies on separate feeds.", "auto": null}, {"title": "UPS self-test and runtime", "title_ja": "UPS セルフテストと稼働時間", "guidance": "Record the runtime in minutes.", "auto": null}, {"title": "Firmware and BIOS against vendor advisories", "title_ja": "ファームウェア・BIOS とベンダー勧告の照合", "guidance": "Record versions.", "auto": null}, {"title": "Cabling and labels", "title_ja": "ケーブル配線とラベル", "guidance": "Labels match the asset register.", "auto": null}, {"title": "Rack temperature and humidity", "title_ja": "ラック温度・湿度", "guidance": "Record values; 18-27 C, 20-80% RH.", "auto": null}]', 1764000000000, 1764000000000),
('0193a000-0000-7000-8000-000000000104', 'environment_assessment', 'Environment assessment', '環境アセスメント', '[{"title": "OS logs checked for errors and warnings", "title_ja": "OS ログのエラー・警告の確認", "guidance": "Group by message; note new ones.", "auto": null}, {"title": "Middleware and application logs checked", "title_ja": "ミドルウェア・アプリケーションログの確認", "guidance": "Errors explained or ticketed.", "auto": null}, {"title": "CPU, memory and swap usage", "title_ja": "CPU・メモリ・スワップ使用率", "guidance": "Peaks and averages over the period as measured values.", "auto": null}, {"title": "Disk space headroom", "title_ja": "ディスク空き容量", "guidance": "Under 85% used.", "auto": "disk_headroom"}, {"title": "Inode headroom", "title_ja": "inode 空き", "guidance": "Under 85% used.", "auto": "inode_headroom"}, {"title": "No failed systemd units", "title_ja": "失敗した systemd ユニットがない", "guidance": "", "auto": "failed_units"}, {"title": "Last reboot", "title_ja": "最終再起動", "guidance": "", "auto": "last_reboot"}, {"title": "Capacity forecast for the next 12 months", "title_ja": "今後 12 か月の容量予測", "guidance": "Growth rate and the month a resource runs out.", "auto": null}, {"title": "Recommendations for the customer", "title_ja": "お客様への推奨事項", "guidance": "Write them in the notes.", "auto": null}]', 1764000000000, 1764000000000),
('0193a000-0000-7000-8000-000000000105', 'patch_installation', 'Patch installation', 'パッチ適用', '[{"title": "Backup or snapshot taken before installation", "title_ja": "適用前のバックアップまたはスナップショット", "guidance": "Record its name.", "auto": null}, {"title": "Packages installed as planned", "title_ja": "計画どおりのパッケージ適用", "guidance": "Compare with the plan; note any held back.", "auto": null}, {"title": "Services restarted and checked", "title_ja": "サービスの再起動と動作確認", "guidance": "Customer-facing services answer.", "auto": null}, {"title": "Reboot done when a new kernel was installed", "title_ja": "新しいカーネル適用時の再起動", "guidance": "The running kernel is the newest installed.", "auto": "last_reboot"}, {"title": "Pending security updates after installation", "title_ja": "適用後の未適用セキュリティ更新", "guidance": "The planned findings are closed.", "auto": "pending_security_updates"}, {"title": "Monitoring quiet after the window", "title_ja": "メンテナンス後の監視状態", "guidance": "No alert open for these hosts.", "auto": null}]', 1764000000000, 1764000000000);
