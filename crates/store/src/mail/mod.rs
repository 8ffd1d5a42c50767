//! E-mail: what the intake stores about received messages (`intake.rs`), the staff triage
//! queue (`triage.rs`), the customer-facing messages queued into the outbox (`compose.rs`,
//! `text.rs`) and the outbox as the delivery worker sees it (`delivery.rs`). Parsing MIME
//! and speaking SMTP/IMAP is the server's job; this module gets the facts it decides on.
pub(crate) mod compose;
mod delivery;
mod intake;
mod text;
mod triage;

pub use delivery::{DueMail, TicketMail};
pub use intake::{Bounce, InboundMail, IntakeOutcome, IntakePolicy, MailAttachment};
pub use triage::{InboundRecord, TriageQuery};

/// The `settings` key holding the domain of the Message-IDs we make.
pub const DOMAIN_KEY: &str = "mail_message_id_domain";

/// Free-mail domains sent to triage by default: a sender there says nothing about a customer.
pub const DEFAULT_FREEMAIL: &[&str] = &[
    "gmail.com",
    "googlemail.com",
    "yahoo.com",
    "yahoo.co.jp",
    "ymail.com",
    "outlook.com",
    "outlook.jp",
    "hotmail.com",
    "hotmail.co.jp",
    "live.com",
    "live.jp",
    "msn.com",
    "icloud.com",
    "me.com",
    "aol.com",
    "gmx.net",
    "gmx.de",
    "mail.com",
    "proton.me",
    "protonmail.com",
    "zoho.com",
    "yandex.ru",
    "qq.com",
    "163.com",
    "docomo.ne.jp",
    "ezweb.ne.jp",
    "au.com",
    "softbank.ne.jp",
    "i.softbank.jp",
    "nifty.com",
    "biglobe.ne.jp",
    "ocn.ne.jp",
    "so-net.ne.jp",
];

/// Whether `c` is Japanese script (kana, CJK ideographs, full-width forms): a message with any
/// is answered in Japanese when the sender's language is not known.
pub fn is_japanese(c: char) -> bool {
    matches!(c as u32, 0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xFF00..=0xFFEF)
}
