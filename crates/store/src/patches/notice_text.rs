//! The words of a security notice and of a patch digest as e-mailed, in the recipient's
//! language (Japanese unless English was chosen): subject, opening line, one line per
//! finding (host, package, installed → fixed version, advisory and CVEs), and where to look.
use super::NoticeItem;

/// `security` (new findings) or `digest` (all open findings of a period).
pub(crate) struct NoticeText<'a> {
    pub kind: &'a str,
    pub customer: &'a str,
    pub period: Option<&'a str>,
    pub max_severity: &'a str,
    pub items: &'a [NoticeItem],
}

fn severity(lang: &str, s: &str) -> String {
    let ja = match s {
        "critical" => "緊急",
        "high" => "重要",
        "medium" => "警告",
        "low" => "注意",
        _ => "不明",
    };
    if lang == "en" {
        s.to_string()
    } else {
        ja.to_string()
    }
}

impl NoticeText<'_> {
    fn hosts(&self) -> usize {
        let hosts: std::collections::BTreeSet<&str> =
            self.items.iter().map(|i| i.host_id.as_str()).collect();
        hosts.len()
    }

    /// The subject line in `lang`.
    pub fn subject(&self, lang: &str) -> String {
        let (n, h, c, p) = (
            self.items.len(),
            self.hosts(),
            self.customer,
            self.period.unwrap_or(""),
        );
        let sev = severity(lang, self.max_severity);
        match (self.kind, lang) {
            ("digest", "en") => format!("Patch information for {c}, {p}: {n} open finding(s)"),
            ("digest", _) => format!("{c} 様 パッチ情報 {p}: 未対応の指摘 {n} 件"),
            (_, "en") => format!(
                "[{sev}] Security patch information for {c}: {n} new finding(s) on {h} host(s)"
            ),
            _ => format!("【{sev}】{c} 様 セキュリティパッチ情報: 新たな指摘 {n} 件（{h} 台）"),
        }
    }

    /// The plain-text body in `lang`.
    pub fn body(&self, lang: &str) -> String {
        let (c, p) = (self.customer, self.period.unwrap_or(""));
        let en = lang == "en";
        let mut b = match (self.kind, en) {
            ("digest", true) => format!("Open security findings on {c}'s hosts as of {p}:\n\n"),
            ("digest", false) => {
                format!("{p} 時点で {c} 様のホストに残っている未対応の指摘です。\n\n")
            }
            (_, true) => format!(
                "New security advisories affect {c}'s hosts. Packages, installed versions and the versions that fix them:\n\n"
            ),
            (_, false) => format!(
                "{c} 様のホストに影響する新しいセキュリティアドバイザリが公開されました。対象のパッケージ、導入済みのバージョンと修正バージョンは次のとおりです。\n\n"
            ),
        };
        if self.items.is_empty() {
            b.push_str(if en {
                "No open findings.\n"
            } else {
                "未対応の指摘はありません。\n"
            });
        }
        for i in self.items {
            let fixed = match (&i.fixed_version, en) {
                (Some(v), _) => v.clone(),
                (None, true) => "no fix yet".into(),
                (None, false) => "修正版なし".into(),
            };
            b.push_str(&format!(
                "- [{}] {} {} {} → {} ({}{}{})\n",
                severity(lang, &i.severity),
                i.host_name,
                i.package,
                i.installed_version,
                fixed,
                i.advisory_id,
                if i.cves.is_empty() { "" } else { ": " },
                i.cves.join(" ")
            ));
        }
        b.push_str(if en {
            "\nThe portal shows these findings under Patch information.\n"
        } else {
            "\n詳細はポータルの「パッチ情報」でご確認いただけます。\n"
        });
        b
    }
}
