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
    ("action", "Action", "操作"),
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
    ("logs", "Logs", "ログ"),
    ("log_templates", "Log templates", "ログテンプレート"),
    ("log_report", "Log diagnosis", "ログ診断"),
    ("host", "Host", "ホスト"),
    ("from", "From", "開始"),
    ("to", "To", "終了"),
    ("severity", "Severity", "重要度"),
    ("program", "Program", "プログラム"),
    ("template", "Template", "テンプレート"),
    ("message", "Message", "メッセージ"),
    ("count", "Count", "件数"),
    ("last_24h", "Last 24 hours", "直近24時間"),
    ("last_seen", "Last seen", "最終受信"),
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
