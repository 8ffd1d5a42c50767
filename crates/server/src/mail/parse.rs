//! From raw RFC 5322 bytes to the intake's facts, with `mail-parser` (MIME, RFC 2047
//! encoded words, ISO-2022-JP / Shift_JIS / EUC-JP through its `full_encoding` feature):
//! sender, subject, the Message-IDs it answers, text (HTML-only mail converted with
//! `html2text`, the HTML kept), attachments, and whether it is automatic (RFC 3834
//! `Auto-Submitted`, `Precedence`, `X-Autoreply`) or a delivery report (bounce).
use mail_parser::{HeaderValue, Message, MessageParser, MimeHeaders, PartType};
use onestop_store::mail::{Bounce, InboundMail, MailAttachment, is_japanese};
use sha2::{Digest, Sha256};

fn ids(v: &HeaderValue<'_>) -> Vec<String> {
    match v {
        HeaderValue::Text(t) => vec![t.to_string()],
        HeaderValue::TextList(l) => l.iter().map(|t| t.to_string()).collect(),
        _ => vec![],
    }
}

/// Why a message is automatic, if it is.
fn auto_reason(msg: &Message<'_>) -> Option<String> {
    let raw = |name: &str| msg.header_raw(name).map(|v| v.trim().to_ascii_lowercase());
    if let Some(v) = raw("Auto-Submitted") {
        let token = v.split(';').next().unwrap_or("").trim().to_string();
        if token != "no" {
            return Some(format!("Auto-Submitted: {token}"));
        }
    }
    if let Some(v) = raw("Precedence")
        && ["bulk", "junk", "auto_reply", "list"].contains(&v.as_str())
    {
        return Some(format!("Precedence: {v}"));
    }
    for h in ["X-Autoreply", "X-Autorespond", "X-Auto-Reply"] {
        if msg.header_raw(h).is_some() {
            return Some(h.to_string());
        }
    }
    None
}

/// A delivery report: `multipart/report; report-type=delivery-status`, or mail from a
/// mailer-daemon or postmaster. The bounced Message-IDs are those named in its parts.
fn bounce(msg: &Message<'_>, from: &str, raw: &[u8]) -> Option<Bounce> {
    let report = msg.content_type().is_some_and(|c| {
        c.ctype().eq_ignore_ascii_case("multipart")
            && c.subtype()
                .is_some_and(|s| s.eq_ignore_ascii_case("report"))
            && c.attribute("report-type")
                .is_some_and(|r| r.eq_ignore_ascii_case("delivery-status"))
    });
    let local = from.split('@').next().unwrap_or("");
    if !report && !["mailer-daemon", "postmaster"].contains(&local) {
        return None;
    }
    let own = msg.message_id().unwrap_or("");
    let text = String::from_utf8_lossy(raw);
    let mut original_ids: Vec<String> = vec![];
    let mut reason = String::new();
    for line in text.lines() {
        let l = line.trim_start();
        let lower = l.to_ascii_lowercase();
        if lower.starts_with("message-id:") || lower.starts_with("original-message-id:") {
            if let Some((_, rest)) = l.split_once('<')
                && let Some((id, _)) = rest.split_once('>')
                && id != own
                && !original_ids.iter().any(|i| i == id)
            {
                original_ids.push(id.to_string());
            }
        } else if reason.is_empty()
            && (lower.starts_with("diagnostic-code:") || lower.starts_with("status:"))
        {
            reason = l
                .split_once(':')
                .map(|(_, r)| r.trim().to_string())
                .unwrap_or_default();
        }
    }
    original_ids.extend(ids(msg.in_reply_to()));
    if reason.is_empty() {
        reason = msg.subject().unwrap_or("delivery failed").to_string();
    }
    Some(Bounce {
        original_ids,
        reason,
    })
}

fn attachments(msg: &Message<'_>) -> Vec<MailAttachment> {
    msg.attachments()
        .filter_map(|p| {
            let bytes = match &p.body {
                PartType::Binary(b) | PartType::InlineBinary(b) => b.to_vec(),
                PartType::Text(t) | PartType::Html(t) => t.as_bytes().to_vec(),
                PartType::Message(m) => m.raw_message().to_vec(),
                PartType::Multipart(_) => return None,
            };
            let content_type = p.content_type().map(|c| match c.subtype() {
                Some(s) => format!("{}/{s}", c.ctype()),
                None => c.ctype().to_string(),
            });
            let filename = p.attachment_name().map(str::to_string).unwrap_or_else(|| {
                if matches!(p.body, PartType::Message(_)) {
                    "message.eml".into()
                } else {
                    "attachment.bin".into()
                }
            });
            Some(MailAttachment {
                filename,
                content_type,
                bytes,
            })
        })
        .collect()
}

/// The intake's view of `raw` (never fails: an unparsable message still gets stored).
pub fn parse(raw: &[u8], source: &str) -> InboundMail {
    let hash = || format!("sha256:{}@onestop", hex::encode(Sha256::digest(raw)));
    let Some(msg) = MessageParser::default().parse(raw) else {
        return InboundMail {
            message_id: hash(),
            subject: String::new(),
            body_text: String::from_utf8_lossy(raw).into_owned(),
            lang: "en".into(),
            raw: raw.to_vec(),
            source: source.into(),
            ..Default::default()
        };
    };
    let from = msg.from().and_then(|a| a.first());
    let from_addr = from
        .and_then(|a| a.address())
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let from_name = from
        .and_then(|a| a.name())
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty());
    let subject = msg.subject().unwrap_or("").trim().to_string();
    let mut references = ids(msg.references());
    for id in ids(msg.in_reply_to()) {
        if !references.contains(&id) {
            references.push(id);
        }
    }
    let has_plain = msg
        .text_bodies()
        .any(|p| matches!(p.body, PartType::Text(_)));
    let html = msg
        .html_bodies()
        .find(|p| matches!(p.body, PartType::Html(_)))
        .and_then(|p| p.text_contents().map(str::to_string));
    let body_text = match (&html, has_plain) {
        (Some(h), false) => html2text::from_read(h.as_bytes(), 78).unwrap_or_else(|_| h.clone()),
        _ => msg.body_text(0).map(|t| t.into_owned()).unwrap_or_default(),
    };
    let body_text = body_text.replace("\r\n", "\n").trim().to_string();
    let lang = if subject.chars().chain(body_text.chars()).any(is_japanese) {
        "ja"
    } else {
        "en"
    };
    InboundMail {
        message_id: msg.message_id().map(str::to_string).unwrap_or_else(hash),
        bounce: bounce(&msg, &from_addr, raw),
        auto_reason: auto_reason(&msg),
        attachments: attachments(&msg),
        from_addr,
        from_name,
        subject,
        references,
        body_text,
        body_html: html,
        lang: lang.into(),
        raw: raw.to_vec(),
        source: source.into(),
    }
}
