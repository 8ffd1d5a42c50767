//! English and Japanese strings of the web UI. A missing Japanese string falls back to English.
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Lang {
    En,
    Ja,
}

impl Lang {
    /// The user's setting, else the first supported language of `Accept-Language`, else English.
    pub fn pick(setting: Option<&str>, accept: Option<&str>) -> Lang {
        if let Some(l) = setting.and_then(Lang::parse) {
            return l;
        }
        accept
            .unwrap_or("")
            .split(',')
            .filter_map(|part| Lang::parse(part.split(';').next()?.trim()))
            .next()
            .unwrap_or(Lang::En)
    }

    fn parse(s: &str) -> Option<Lang> {
        let s = s.to_ascii_lowercase();
        if s.starts_with("ja") {
            Some(Lang::Ja)
        } else if s.starts_with("en") {
            Some(Lang::En)
        } else {
            None
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ja => "ja",
        }
    }
}

/// The strings of one language; templates call `t.get("key")`.
#[derive(Debug, Clone, Copy)]
pub struct T(pub Lang);

const STRINGS: &[(&str, &str, &str)] = &[
    ("app", "onestop", "onestop"),
    ("dashboard", "Dashboard", "ダッシュボード"),
    ("customers", "Customers", "顧客"),
    ("customer", "Customer", "顧客"),
    ("assets", "Assets", "資産"),
    ("asset", "Asset", "資産"),
    ("users", "Users and teams", "ユーザーとチーム"),
    ("tokens", "API tokens", "APIトークン"),
    ("audit", "Audit log", "監査ログ"),
    ("sign_in", "Sign in", "サインイン"),
    ("sign_out", "Sign out", "サインアウト"),
    ("username", "User name", "ユーザー名"),
    ("password", "Password", "パスワード"),
    (
        "bad_login",
        "Wrong user name or password.",
        "ユーザー名またはパスワードが違います。",
    ),
    (
        "throttled",
        "Too many failed attempts. Try again in 15 minutes.",
        "失敗が多すぎます。15分後に再度お試しください。",
    ),
    (
        "csrf",
        "The form expired. Please try again.",
        "フォームの有効期限が切れました。もう一度お試しください。",
    ),
    ("totp_code", "Authentication code", "認証コード"),
    (
        "totp_setup",
        "Set up two-factor authentication",
        "二要素認証の設定",
    ),
    (
        "totp_setup_help",
        "Add this key to your authenticator app, then enter the code it shows.",
        "このキーを認証アプリに登録し、表示されたコードを入力してください。",
    ),
    (
        "bad_code",
        "The code is not valid.",
        "コードが正しくありません。",
    ),
    ("verify", "Verify", "確認"),
    ("search", "Search", "検索"),
    ("filter", "Filter", "絞り込み"),
    ("name", "Name", "名称"),
    ("code", "Code", "コード"),
    ("kind", "Kind", "種別"),
    ("status", "Status", "状態"),
    ("criticality", "Criticality", "重要度"),
    ("model", "Model", "型番"),
    ("vendor", "Vendor", "ベンダー"),
    ("serial", "Serial", "シリアル番号"),
    ("os", "OS", "OS"),
    ("ip_addresses", "IP addresses", "IPアドレス"),
    ("location", "Location", "設置場所"),
    ("rack", "Rack", "ラック"),
    ("owner", "Owner", "所有者"),
    ("support_contract", "Support contract", "保守契約"),
    ("support_expiry", "Support expiry", "保守期限"),
    ("warranty_expiry", "Warranty expiry", "保証期限"),
    ("attributes", "Attributes", "属性"),
    ("site", "Site", "拠点"),
    ("sites", "Sites", "拠点"),
    ("address", "Address", "住所"),
    ("rooms", "Rooms", "部屋"),
    ("contacts", "Contacts", "連絡先"),
    ("email", "E-mail", "メール"),
    ("phone", "Phone", "電話"),
    ("fax", "Fax", "FAX"),
    ("language", "Language", "言語"),
    ("roles", "Roles", "役割"),
    ("role", "Role", "ロール"),
    ("create", "Create", "作成"),
    ("add", "Add", "追加"),
    ("save", "Save", "保存"),
    ("edit", "Edit", "編集"),
    ("new_customer", "New customer", "新規顧客"),
    ("new_asset", "New asset", "新規資産"),
    ("relations", "Relations", "関連"),
    ("impact", "Impact", "影響範囲"),
    (
        "impact_help",
        "Assets that depend on this one, directly or indirectly.",
        "この資産に直接・間接に依存する資産。",
    ),
    ("depth", "Depth", "段数"),
    ("services", "Services", "サービス"),
    ("none", "None.", "ありません。"),
    ("previous", "Previous", "前へ"),
    ("next", "Next", "次へ"),
    ("page", "Page", "ページ"),
    ("of", "of", "/"),
    ("total", "Total", "合計"),
    ("sort", "Sort", "並び順"),
    ("all", "All", "すべて"),
    ("delete", "Delete", "削除"),
    ("tickets", "Tickets", "チケット"),
    ("desk_settings", "Desk settings", "受付の設定"),
    (
        "auto_close_days",
        "Resolved tickets close after (days)",
        "解決後に自動クローズするまでの日数",
    ),
    (
        "reopen_days",
        "Closed tickets can be reopened within (days)",
        "クローズ後に再開できる日数",
    ),
    (
        "default_calendar",
        "Default calendar for customers without a contract (empty: 24x365)",
        "契約のない顧客の営業カレンダー(空欄は24時間365日)",
    ),
    (
        "default_sla",
        "Default SLA in minutes per priority",
        "既定のSLA(優先度ごとの分)",
    ),
    ("new_ticket", "New ticket", "新規受付"),
    ("notifications", "Notifications", "通知"),
    ("queue_mine", "Mine", "自分の担当"),
    ("queue_team", "My teams", "チーム"),
    ("queue_unassigned", "Unassigned", "未割当"),
    ("queue_breaching", "Breaching soon", "SLA期限間近"),
    ("queue_open", "Open", "対応中"),
    ("queue_all", "All", "すべて"),
    (
        "search_tickets",
        "Words or ticket number",
        "キーワードまたはチケット番号",
    ),
    ("priority", "Priority", "優先度"),
    ("type", "Type", "種別"),
    ("number", "Number", "番号"),
    ("title", "Title", "件名"),
    ("assignee", "Assignee", "担当者"),
    ("team", "Team", "チーム"),
    ("updated", "Updated", "更新"),
    ("running", "running", "計測中"),
    ("paused", "paused", "停止中"),
    ("met", "met", "達成"),
    ("breached", "breached", "違反"),
    ("warning", "warning", "警告"),
    ("first_response", "First response", "初回応答"),
    ("resolution", "Resolution", "解決"),
    ("business_left", "business time left", "営業時間内の残り"),
    ("over_budget", "over the target", "超過"),
    ("caller", "Caller", "連絡者"),
    (
        "caller_help",
        "Name, phone, e-mail or company",
        "氏名・電話番号・メール・会社名",
    ),
    ("contact", "Contact", "連絡先"),
    ("channel", "Channel", "受付経路"),
    ("description", "Description", "内容"),
    ("ticket_impact", "Impact", "影響度"),
    ("urgency", "Urgency", "緊急度"),
    ("category", "Category", "分類"),
    ("contract", "Contract", "契約"),
    (
        "no_contract",
        "No contract: the provider's default calendar and SLA apply.",
        "契約なし:既定の営業カレンダーとSLAを適用",
    ),
    (
        "critical_procedure",
        "Agreed critical-failure procedure",
        "重大障害時の取り決め手順",
    ),
    ("state", "State", "状態"),
    ("due", "Due", "期限"),
    ("assign_and_edit", "Assign and edit", "割当・編集"),
    ("note", "Note", "メモ"),
    ("change_status", "Change status", "状態を変更"),
    ("timeline", "Timeline", "経過"),
    ("reply_customer", "Reply to the customer", "顧客へ回答"),
    ("internal_note", "Internal note", "社内メモ"),
    ("reply", "Reply", "返信"),
    ("mark_read", "Mark all read", "すべて既読にする"),
    ("escalations", "Escalation rules", "エスカレーション規則"),
    (
        "escalations_help",
        "Reminders go out only inside the calendar's hours, except for critical tickets.",
        "通知は営業カレンダーの時間内のみ送られます(重大チケットを除く)。",
    ),
    ("trigger", "Trigger", "条件"),
    ("minutes", "Minutes", "分"),
    ("action", "Action", "動作"),
    ("enable", "Enable", "有効にする"),
    ("disable", "Disable", "無効にする"),
    ("service", "Service", "サービス"),
    ("frequency", "Frequency", "頻度"),
    ("ev_opened", "Opened", "受付"),
    ("ev_first_response", "First response given", "初回応答済み"),
    ("ev_sla_warning", "SLA warning", "SLA警告"),
    ("ev_sla_breached", "SLA breached", "SLA違反"),
    ("ev_escalated", "Escalated", "エスカレーション"),
    ("remove", "Remove", "外す"),
    (
        "expiries",
        "Coming expiries (90 days)",
        "期限切れ予定（90日以内）",
    ),
    ("date", "Date", "日付"),
    ("what", "What", "内容"),
    ("import_csv", "Import CSV", "CSV取り込み"),
    ("export_csv", "Export CSV", "CSV出力"),
    ("teams", "Teams", "チーム"),
    ("members", "Members", "メンバー"),
    ("new_user", "New user", "新規ユーザー"),
    ("new_team", "New team", "新規チーム"),
    (
        "mfa_roles",
        "Roles that must use two-factor authentication",
        "二要素認証を必須とするロール",
    ),
    ("token_name", "Token name", "トークン名"),
    (
        "token_once",
        "Copy this token now; it will not be shown again:",
        "このトークンを今コピーしてください。再表示されません：",
    ),
    ("revoke", "Revoke", "無効化"),
    ("revoked", "Revoked", "無効化済み"),
    ("created", "Created", "作成日時"),
    ("last_used", "Last used", "最終利用"),
    ("when", "When", "日時"),
    ("actor", "Who", "実行者"),
    ("entity", "Object", "対象"),
    ("change", "Change", "変更内容"),
    ("error", "Error", "エラー"),
    ("back", "Back", "戻る"),
    ("settings", "Settings", "設定"),
    ("account", "My account", "アカウント"),
    (
        "enable_totp",
        "Enable two-factor authentication",
        "二要素認証を有効にする",
    ),
    (
        "totp_on",
        "Two-factor authentication is on.",
        "二要素認証は有効です。",
    ),
    (
        "customer_user_note",
        "You see your organization's data only.",
        "自組織のデータのみ表示されます。",
    ),
    ("w_attachments", "Attachments", "添付ファイル"),
    ("w_file", "File", "ファイル"),
    ("w_size", "Size", "サイズ"),
    ("w_type", "Type", "種類"),
    ("w_visibility", "Visibility", "公開範囲"),
    ("w_by", "By", "担当"),
    ("w_when", "When", "日時"),
    ("w_internal", "Internal", "社内のみ"),
    ("w_public", "Visible to the customer", "お客様に公開"),
    ("w_note", "Note", "メモ"),
    ("w_attach", "Attach", "添付"),
    ("w_links", "Linked tickets", "関連チケット"),
    ("w_relation", "Relation", "関係"),
    ("w_ticket", "Ticket", "チケット"),
    ("w_status", "Status", "状態"),
    ("w_remove", "Remove", "削除"),
    ("w_link", "Link", "関連付け"),
    ("w_rel_problem", "Problem", "問題"),
    (
        "w_rel_incident",
        "Incident of this problem",
        "この問題のインシデント",
    ),
    ("w_rel_duplicate_of", "Duplicate of", "重複元"),
    ("w_rel_duplicated_by", "Duplicated by", "重複チケット"),
    ("w_rel_parent", "Parent", "親チケット"),
    ("w_rel_child", "Child", "子チケット"),
    ("w_dispatches", "On-site visits", "オンサイト対応"),
    ("w_engineer", "Field engineer", "CE"),
    ("w_planned", "Planned", "予定日時"),
    ("w_arrived", "Arrived", "到着"),
    ("w_finished", "Finished", "完了"),
    ("w_work_done", "Work done", "作業内容"),
    ("w_parts", "Parts replaced", "交換部品"),
    (
        "w_parts_help",
        "name | part number | removed serial | installed serial | quantity",
        "部品名 | 部品番号 | 取外しシリアル | 取付けシリアル | 数量",
    ),
    ("w_ds_planned", "Planned", "予定"),
    ("w_ds_on_site", "On site", "作業中"),
    ("w_ds_done", "Done", "完了"),
    ("w_ds_cancelled", "Cancelled", "中止"),
    ("w_update", "Update", "更新"),
    ("w_dispatch", "Dispatch", "手配"),
    (
        "w_vendor_cases",
        "Vendor escalations",
        "ベンダーエスカレーション",
    ),
    ("w_vendor", "Vendor", "ベンダー"),
    ("w_case_number", "Vendor case number", "ベンダー案件番号"),
    ("w_raised", "Raised", "起票"),
    ("w_answers", "Answers", "回答"),
    ("w_answer", "The vendor's answer", "ベンダーの回答"),
    ("w_record_answer", "Record answer", "回答を記録"),
    ("w_reopen", "Reopen (new clock)", "再エスカレーション"),
    ("w_vs_open", "Open", "対応待ち"),
    ("w_vs_answered", "Answered", "回答済み"),
    ("w_vs_closed", "Closed", "クローズ"),
    ("w_escalate", "Escalate", "エスカレーション"),
    ("w_vendor_clock", "Vendor SLA", "ベンダーSLA"),
    ("w_due", "due", "期限"),
    ("w_time", "Time spent", "作業時間"),
    ("w_total", "Total", "合計"),
    ("w_billable", "Billable", "請求対象"),
    ("w_minutes", "Minutes", "分"),
    ("w_log_time", "Log time", "記録"),
    ("catalog_nav", "Service catalog", "サービスカタログ"),
    ("catalog_title", "Service catalog", "サービスカタログ"),
    (
        "catalog_help",
        "The services contracts choose from, with their default frequency (RFC 5545 RRULE).",
        "契約で選択するサービスと既定の実施頻度（RFC 5545 RRULE）。",
    ),
    (
        "catalog_group_proactive",
        "ProActive: prevent problems",
        "プロアクティブ（予防）",
    ),
    (
        "catalog_group_reactive",
        "ReActive: recover from problems",
        "リアクティブ（復旧）",
    ),
    (
        "catalog_group_management",
        "Management: see problems coming",
        "マネジメント（予兆管理）",
    ),
    ("catalog_group_proxy", "Proxy work", "代行作業"),
    (
        "catalog_group_system_support",
        "System support services",
        "システムサポートサービス",
    ),
    ("catalog_code", "Code", "コード"),
    ("catalog_name", "Service", "サービス"),
    ("catalog_frequency", "Default frequency", "既定の頻度"),
    ("catalog_description", "Description", "説明"),
    ("catalog_edit", "Edit", "編集"),
    ("catalog_group", "Group", "分類"),
    ("catalog_order", "Order", "表示順"),
    ("catalog_active", "Offered", "提供中"),
    ("catalog_new", "New service", "サービス追加"),
    ("hosts", "Hosts", "ホスト"),
    ("host", "Host", "ホスト"),
    ("last_seen", "Last seen", "最終受信"),
    ("up", "up", "稼働"),
    ("down", "down", "停止"),
    ("never", "no data yet", "未受信"),
    ("firing_alerts", "Firing alerts", "発生中のアラート"),
    ("alerts", "Alerts", "アラート"),
    ("alert_rule", "Rule", "ルール"),
    ("severity", "Severity", "深刻度"),
    ("value", "Value", "値"),
    ("since", "Since", "発生時刻"),
    ("incident", "Incident", "インシデント"),
    (
        "no_hosts",
        "No host is enrolled yet.",
        "登録済みのホストはありません。",
    ),
    ("enroll_host", "Enroll a host", "ホストの登録"),
    (
        "create_enrollment_token",
        "Create enrollment token",
        "登録トークンを発行",
    ),
    (
        "enrollment_token_once",
        "The token is shown only now; it works once, for one day.",
        "トークンは今だけ表示されます。1回限り、1日有効です。",
    ),
    ("patches", "Patches", "パッチ"),
    ("findings", "Findings", "検出事項"),
    ("notices", "Notices", "通知履歴"),
    ("package", "Package", "パッケージ"),
    ("packages", "Packages", "パッケージ"),
    ("installed_version", "Installed", "導入版"),
    ("fixed_version", "Fixed in", "修正版"),
    ("advisory", "Advisory", "アドバイザリ"),
    ("age_days", "Age (days)", "経過日数"),
    ("reboot_pending", "reboot pending", "再起動待ち"),
    ("decide", "Decide", "判断"),
    ("reason", "Reason", "理由"),
    ("expires", "Expires", "期限"),
    ("this_host", "This host", "このホスト"),
    ("whole_customer", "Whole customer", "顧客全体"),
    ("ecosystem", "Ecosystem", "エコシステム"),
    ("kernel", "Kernel", "カーネル"),
    ("newest_kernel", "newest installed", "最新導入"),
    ("yes", "Yes", "はい"),
    ("no", "No", "いいえ"),
    ("evidence", "Evidence of patching", "パッチ適用証跡"),
    ("show", "Show", "表示"),
    (
        "no_inventory",
        "No inventory yet: install the agent or upload one through the API.",
        "インベントリがありません。エージェントを導入するかAPIで登録してください。",
    ),
    ("package_history", "Package history", "パッケージ変更履歴"),
    ("from_version", "From", "変更前"),
    ("to_version", "To", "変更後"),
    ("version", "Version", "バージョン"),
    ("source_package", "Source package", "ソースパッケージ"),
    ("period", "Period", "期間"),
    ("open_findings", "Open findings", "未対応の検出事項"),
    ("findings_closed", "Findings closed", "解消した検出事項"),
    ("published", "Published", "公開"),
    ("modified", "Modified", "更新"),
    ("withdrawn", "Withdrawn", "取り下げ"),
    ("affected_packages", "Affected packages", "影響パッケージ"),
    ("affected_hosts", "Affected hosts", "影響ホスト"),
    ("references", "References", "参考情報"),
    ("subject", "Subject", "件名"),
    ("recipients", "Recipients", "宛先"),
    (
        "packages_and_findings",
        "Packages and findings",
        "パッケージと検出事項",
    ),
    ("logs", "Logs", "ログ"),
    ("log_templates", "Log templates", "ログテンプレート"),
    ("log_report", "Log diagnosis", "ログ診断"),
    ("from", "From", "開始"),
    ("to", "To", "終了"),
    ("program", "Program", "プログラム"),
    ("template", "Template", "テンプレート"),
    ("message", "Message", "メッセージ"),
    ("count", "Count", "件数"),
    ("last_24h", "Last 24 hours", "直近24時間"),
    (
        "no_logs",
        "No log messages match.",
        "該当するログはありません。",
    ),
    ("baseline_periods", "Baseline periods", "比較期間数"),
    (
        "errors_warnings",
        "Errors and warnings by template",
        "テンプレート別のエラーと警告",
    ),
    ("meaning", "What it may mean", "考えられる意味"),
    ("open_ticket", "Open a ticket", "チケットを起票"),
    ("ticket_opened", "Ticket opened", "チケットを起票しました"),
    ("spikes", "Spikes against the baseline", "平常時からの急増"),
    ("baseline", "Baseline per period", "平常時（期間あたり）"),
    (
        "new_templates",
        "New and rare templates",
        "新規・まれなテンプレート",
    ),
    ("rare", "rare", "まれ"),
    ("top_talkers", "Top talkers", "送信量の多い送信元"),
    // Notifications, on-call rota, webhooks.
    ("notify_prefs", "Notification preferences", "通知設定"),
    (
        "notify_prefs_help",
        "Which events reach you, in the app and by e-mail. During quiet hours e-mail is held until they end, except for critical tickets and on-call pages.",
        "どのイベントをアプリ内とメールで受け取るか。静穏時間中のメールは終了時まで保留されます（重大チケットとオンコール呼び出しを除く）。",
    ),
    ("time_zone", "Time zone", "タイムゾーン"),
    ("quiet_from", "Quiet hours from", "静穏時間 開始"),
    ("quiet_to", "until", "終了"),
    ("event", "Event", "イベント"),
    ("in_app", "In the app", "アプリ内"),
    ("oncall", "On call", "オンコール"),
    (
        "oncall_help",
        "Outside business hours (the desk's default calendar), critical tickets and escalations go to whoever is on call, in the app and by e-mail.",
        "営業時間外（デスクの既定カレンダー）には、重大チケットとエスカレーションがオンコール担当者にアプリ内とメールで届きます。",
    ),
    ("from_day", "from", "開始日"),
    ("oncall_now", "On call now", "現在の担当"),
    ("oncall_next", "Next", "次の担当"),
    ("instead_of", "instead of", "代理:"),
    ("overrides", "Overrides", "交代"),
    ("whoever", "whoever is scheduled", "予定の担当者"),
    ("add_override", "Add override", "交代を追加"),
    ("handover", "Hand-over", "交代時刻"),
    ("webhooks", "Webhooks", "Webhook"),
    (
        "webhooks_help",
        "Events posted to a URL, signed with X-Onestop-Signature (HMAC-SHA256 of the body); the slack format suits Slack and Teams incoming webhooks.",
        "イベントをURLへ送信します。X-Onestop-Signature（本文のHMAC-SHA256）で署名されます。slack形式はSlackとTeamsの受信Webhook向けです。",
    ),
    (
        "webhook_secret_once",
        "Signing secret (shown only now):",
        "署名用シークレット（今回のみ表示）：",
    ),
    ("events", "Events", "イベント"),
    ("format", "Format", "形式"),
    ("deliveries", "Deliveries", "配信"),
    ("attempts", "Attempts", "試行"),
];

impl T {
    pub fn get(&self, key: &str) -> &'static str {
        match STRINGS.iter().find(|(k, _, _)| *k == key) {
            Some((_, en, ja)) => {
                if self.0 == Lang::Ja && !ja.is_empty() {
                    ja
                } else {
                    en
                }
            }
            None => "?",
        }
    }

    pub fn lang(&self) -> &'static str {
        self.0.code()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_and_translates() {
        assert_eq!(Lang::pick(None, Some("ja-JP,ja;q=0.9,en;q=0.8")), Lang::Ja);
        assert_eq!(Lang::pick(Some("en"), Some("ja")), Lang::En);
        assert_eq!(Lang::pick(None, Some("fr-FR")), Lang::En);
        assert_eq!(T(Lang::Ja).get("customers"), "顧客");
        assert_eq!(T(Lang::En).get("customers"), "Customers");
        let keys: std::collections::HashSet<_> = STRINGS.iter().map(|s| s.0).collect();
        assert_eq!(keys.len(), STRINGS.len(), "duplicate keys");
    }
}
