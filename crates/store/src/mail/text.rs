//! The words of the customer-facing messages, in Japanese and English, as plain text and
//! HTML (the same content; the HTML escapes everything it quotes).
use crate::Ticket;

/// Which message.
pub(crate) enum Kind {
    Ack,
    Reply(String),
    Resolved,
}

impl Kind {
    pub fn as_str(&self) -> &'static str {
        match self {
            Kind::Ack => "ack",
            Kind::Reply(_) => "reply",
            Kind::Resolved => "resolved",
        }
    }
}

pub(crate) struct Composed {
    pub subject: String,
    pub text: String,
    pub html: String,
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The message `kind` about `t` for a reader of `lang` (`ja` or `en`).
pub(crate) fn compose(kind: Kind, lang: &str, t: &Ticket, name: Option<&str>) -> Composed {
    let ja = lang == "ja";
    let n = &t.number;
    let greeting = match (ja, name) {
        (true, Some(n)) => format!("{n} 様"),
        (true, None) => "お客様".to_string(),
        (false, Some(n)) => format!("Dear {n},"),
        (false, None) => "Dear customer,".to_string(),
    };
    let (subject, paragraphs): (String, Vec<String>) = match (&kind, ja) {
        (Kind::Ack, true) => (
            format!("[{n}] 受付のお知らせ: {}", t.title),
            vec![
                format!("お問い合わせを受け付けました。受付番号は {n} です。"),
                "このメールに返信すると、同じお問い合わせに追記されます。件名の受付番号は消さないでください。".into(),
            ],
        ),
        (Kind::Ack, false) => (
            format!("[{n}] We received your request: {}", t.title),
            vec![
                format!("We have received your request. Its number is {n}."),
                "Reply to this message to add to the same request; please keep the number in the subject.".into(),
            ],
        ),
        (Kind::Reply(body), true) => (format!("Re: [{n}] {}", t.title), vec![body.clone()]),
        (Kind::Reply(body), false) => (format!("Re: [{n}] {}", t.title), vec![body.clone()]),
        (Kind::Resolved, true) => (
            format!("[{n}] 解決のご確認: {}", t.title),
            vec![
                format!("お問い合わせ {n} は解決済みとなりました。"),
                "内容をご確認ください。解決していない場合は、このメールにご返信ください。".into(),
            ],
        ),
        (Kind::Resolved, false) => (
            format!("[{n}] Resolved, please confirm: {}", t.title),
            vec![
                format!("Your request {n} has been resolved."),
                "Please confirm. If the problem is not solved, reply to this message.".into(),
            ],
        ),
    };
    let footer = if ja {
        format!("受付番号: {n} / 件名: {}", t.title)
    } else {
        format!("Request {n}: {}", t.title)
    };
    let text = format!(
        "{greeting}\n\n{}\n\n-- \n{footer}\n",
        paragraphs.join("\n\n")
    );
    let html_paras: String = paragraphs
        .iter()
        .map(|p| format!("<p>{}</p>", escape(p).replace('\n', "<br>")))
        .collect();
    let html = format!(
        "<!DOCTYPE html><html lang=\"{lang}\"><head><meta charset=\"utf-8\"><title>{}</title></head><body><p>{}</p>{html_paras}<hr><p><small>{}</small></p></body></html>",
        escape(&subject),
        escape(&greeting),
        escape(&footer)
    );
    Composed {
        subject,
        text,
        html,
    }
}
