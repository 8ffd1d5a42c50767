//! Properties that must hold for any input: no panics, and every message fits its template.

use chrono::{TimeZone, Utc};
use onestop_logs::TemplateMiner;
use onestop_logs::mask::MaskedLine;
use onestop_logs::syslog::{DecodeContext, decode, framing::FrameDecoder};
use proptest::prelude::*;

fn word() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "user",
            "root",
            "from",
            "port",
            "ssh2",
            "failed",
            "Jun",
            "Fri",
            "uid=0",
            "[1]",
            "(x)",
            "/var/log",
            "a.b.c:80",
            "true",
            "=",
            ":",
            "é",
            "blk_123456",
            "v1.2",
            "0x1f",
            "-",
        ])
        .prop_map(str::to_string),
        "[a-z]{1,6}",
        "[0-9]{1,6}",
        "[a-z0-9=:/._()\\[\\]-]{1,8}",
    ]
}

fn message() -> impl Strategy<Value = String> {
    prop::collection::vec(word(), 0..8).prop_map(|w| w.join(" "))
}

fn fits(template: &str, message: &str) -> bool {
    let mut re = String::from("^");
    for (i, part) in template.split("<*>").enumerate() {
        if i > 0 {
            re.push_str("(?s:.*)");
        }
        re.push_str(&regex::escape(part).replace(' ', r"\s+"));
    }
    re.push('$');
    regex::Regex::new(&re).unwrap().is_match(message.trim())
}

proptest! {
    #[test]
    fn every_message_fits_its_final_template(msgs in prop::collection::vec(message(), 1..40)) {
        let mut m = TemplateMiner::default();
        let ids: Vec<_> = msgs.iter().map(|s| m.add(s)).collect();
        m.consolidate();
        for (s, id) in msgs.iter().zip(ids) {
            let t = m.template(m.resolve(id).unwrap()).unwrap();
            prop_assert!(fits(&t, s), "{s:?} does not fit {t:?}");
            let params = onestop_logs::miner::params::extract(&t, s);
            prop_assert!(params.is_some(), "no parameters for {s:?} under {t:?}");
        }
    }

    #[test]
    fn masking_keeps_utf8_and_tokens(s in "\\PC{0,60}") {
        let mut line = MaskedLine::new();
        line.mask(&s);
        prop_assert!(std::str::from_utf8(line.as_bytes()).is_ok());
        for i in 0..line.len() {
            prop_assert!(!line.token(i).is_empty());
        }
    }

    #[test]
    fn decoding_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        let ctx = DecodeContext::utc(Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap());
        let m = decode(&bytes, &ctx);
        prop_assert!(m.facility.is_none_or(|f| f < 24));
        let mut d = FrameDecoder::new(64);
        d.push(&bytes);
        while d.next_frame().is_some() {}
        d.finish();
    }
}
