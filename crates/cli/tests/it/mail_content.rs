//! What a received message becomes: Japanese in ISO-2022-JP (with an RFC 2047 subject),
//! Shift_JIS and EUC-JP bodies decoded; HTML-only mail as readable text with the HTML kept;
//! attachments kept as ticket attachments, byte for byte.
use crate::mail_support::{customers, ingest, ticket_by_number};
use crate::support::{Api, Server};
use base64_helper::b64;

/// Base64 without a crate: the test's own small encoder.
mod base64_helper {
    pub fn b64(data: &[u8]) -> String {
        const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut out = String::new();
        for c in data.chunks(3) {
            let n = (c[0] as u32) << 16
                | (*c.get(1).unwrap_or(&0) as u32) << 8
                | *c.get(2).unwrap_or(&0) as u32;
            for i in 0..4 {
                if i <= c.len() {
                    out.push(T[(n >> (18 - 6 * i) & 63) as usize] as char);
                } else {
                    out.push('=');
                }
            }
        }
        out
    }
}

fn encode(enc: &'static encoding_rs::Encoding, s: &str) -> Vec<u8> {
    let (bytes, _, bad) = enc.encode(s);
    assert!(!bad);
    bytes.into_owned()
}

fn japanese(
    charset: &str,
    enc: &'static encoding_rs::Encoding,
    id: &str,
    subject: &str,
    body: &str,
) -> Vec<u8> {
    let subject = format!("=?{charset}?B?{}?=", b64(&encode(enc, subject)));
    let cte = if charset == "ISO-2022-JP" {
        "7bit"
    } else {
        "8bit"
    };
    let mut raw = format!(
        "From: =?{charset}?B?{}?= <alice@acme.example>\r\nTo: desk@provider.example\r\nSubject: {subject}\r\nMessage-ID: <{id}>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset={charset}\r\nContent-Transfer-Encoding: {cte}\r\n\r\n",
        b64(&encode(enc, "山田 花子"))
    )
    .into_bytes();
    raw.extend(encode(enc, body));
    raw.extend(b"\r\n");
    raw
}

#[tokio::test]
async fn mail_japanese_html_and_attachments() {
    let s = Server::start();
    let api = Api::new(&s, s.admin_token());
    customers(&api).await;
    let db = &s.db;
    let cases = [
        (
            "ISO-2022-JP",
            encoding_rs::ISO_2022_JP,
            "プリンターが動きません",
            "至急対応をお願いします。①　全角カナ",
        ),
        (
            "Shift_JIS",
            encoding_rs::SHIFT_JIS,
            "サーバー停止のお知らせ",
            "表示・ソフト・能力（5C を含む文字）",
        ),
        (
            "EUC-JP",
            encoding_rs::EUC_JP,
            "ネットワーク障害",
            "東京拠点で通信ができません。",
        ),
    ];
    for (i, (charset, enc, subject, body)) in cases.iter().enumerate() {
        let raw = japanese(charset, enc, &format!("ja{i}@acme.example"), subject, body);
        let (code, number, err) = ingest(db, &[], &raw);
        assert_eq!(code, 0, "{err}");
        let t = ticket_by_number(&api, &number).await;
        assert_eq!(t["title"], *subject, "{charset}");
        assert_eq!(t["description"], *body, "{charset}");
    }
    // A message in Japanese from an unknown sender at the domain: acknowledged in Japanese.
    let raw = japanese(
        "ISO-2022-JP",
        encoding_rs::ISO_2022_JP,
        "ja9@acme.example",
        "問い合わせ",
        "よろしくお願いします",
    );
    let raw = String::from_utf8(raw)
        .unwrap()
        .replace("alice@", "kenji@")
        .into_bytes();
    let (_, number, _) = ingest(db, &[], &raw);
    let t = ticket_by_number(&api, &number).await;
    let (_, mail) = api
        .get(&format!("/tickets/{}/mail", t["id"].as_str().unwrap()))
        .await;
    assert!(
        mail["outgoing"][0]["subject"]
            .as_str()
            .unwrap()
            .contains("受付"),
        "{mail}"
    );

    // HTML only: readable text, the HTML kept on the received message.
    let html = "<html><body><h1>Disk full</h1><p>The <b>backup</b> server&nbsp;is out of space.</p><ul><li>/var</li><li>/home</li></ul><script>x()</script></body></html>";
    let raw = format!(
        "From: alice@acme.example\r\nSubject: HTML only\r\nMessage-ID: <h1@acme.example>\r\nMIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n{html}\r\n"
    );
    let (_, number, _) = ingest(db, &[], raw.as_bytes());
    let t = ticket_by_number(&api, &number).await;
    let d = t["description"].as_str().unwrap();
    assert!(
        d.contains("Disk full") && d.contains("backup") && d.contains("/var"),
        "{d}"
    );
    assert!(!d.contains('<') && !d.contains("&nbsp;"), "{d}");
    let (_, mail) = api
        .get(&format!("/tickets/{}/mail", t["id"].as_str().unwrap()))
        .await;
    assert_eq!(
        mail["incoming"][0]["body_html"].as_str().unwrap().trim(),
        html
    );

    // Attachments: a PNG and a text file, kept byte for byte.
    let png: Vec<u8> = [&b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"[..], &[0u8; 40]].concat();
    let log = "line 1\nline 2\n".repeat(50);
    let raw = format!(
        "From: alice@acme.example\r\nSubject: With files\r\nMessage-ID: <a1@acme.example>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"XX\"\r\n\r\n\
         --XX\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nSee attached.\r\n\
         --XX\r\nContent-Type: image/png\r\nContent-Disposition: attachment; filename=\"screen.png\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n\
         --XX\r\nContent-Type: text/plain\r\nContent-Disposition: attachment; filename*=UTF-8''%E3%83%AD%E3%82%B0.txt\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n--XX--\r\n",
        b64(&png),
        b64(log.as_bytes())
    );
    let (_, number, _) = ingest(db, &[], raw.as_bytes());
    let t = ticket_by_number(&api, &number).await;
    assert_eq!(t["description"], "See attached.");
    let id = t["id"].as_str().unwrap();
    let (_, files) = api.get(&format!("/tickets/{id}/attachments")).await;
    let files = files.as_array().unwrap();
    assert_eq!(files.len(), 2, "{files:?}");
    let png_row = files
        .iter()
        .find(|f| f["filename"] == "screen.png")
        .unwrap();
    assert_eq!(png_row["size"], png.len());
    let txt = files.iter().find(|f| f["filename"] == "ログ.txt").unwrap();
    let c = reqwest::Client::new();
    let got = c
        .get(format!(
            "{}/api/v1/tickets/{id}/attachments/{}",
            s.base,
            txt["id"].as_str().unwrap()
        ))
        .bearer_auth(&api.token)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(&got[..], log.as_bytes());
}
