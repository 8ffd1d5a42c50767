//! Attachments: files on disk under a directory the caller names, checked by their bytes
//! (executables and type mismatches are refused), recorded with their SHA-256, audited and
//! put on the ticket's timeline.
use super::tickets::{append, load, touch};
use super::{Attachment, NewAttachment};
use crate::util::new_id;
use crate::{Result, Scope, Store, StoreError};
use onestop_domain::desk::{DeskEvent, Visibility};
use onestop_domain::model::ValidationError;
use sha2::{Digest, Sha256};
use sqlx::{Row, any::AnyRow};
use std::path::{Path, PathBuf};

const COLS: &str = "id, ticket_id, customer_id, filename, content_type, size, sha256, visibility, note, uploaded_by, created_at";

fn from_row(r: &AnyRow) -> Result<Attachment> {
    Ok(Attachment {
        id: r.try_get("id")?,
        ticket_id: r.try_get("ticket_id")?,
        customer_id: r.try_get("customer_id")?,
        filename: r.try_get("filename")?,
        content_type: r.try_get("content_type")?,
        size: r.try_get("size")?,
        sha256: r.try_get("sha256")?,
        visibility: r.try_get("visibility")?,
        note: r.try_get("note")?,
        uploaded_by: r.try_get("uploaded_by")?,
        created_at: r.try_get("created_at")?,
    })
}

fn invalid(field: &str, msg: impl Into<String>) -> StoreError {
    ValidationError::new(field, msg).into()
}

/// The file's base name without control characters or path separators, at most 200 chars.
fn clean_filename(name: &str) -> Result<String> {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let clean: String = base.chars().filter(|c| !c.is_control()).take(200).collect();
    let clean = clean.trim().to_string();
    if clean.is_empty() || clean == "." || clean == ".." {
        return Err(invalid("file", "needs a file name"));
    }
    Ok(clean)
}

/// Extensions that run code when opened on a desktop: refused whatever the bytes say.
const EXECUTABLE_EXTENSIONS: &[&str] = &[
    "exe", "com", "scr", "msi", "msp", "dll", "bat", "cmd", "ps1", "vbs", "vbe", "js", "jse",
    "wsf", "wsh", "hta", "cpl", "jar", "lnk", "sh", "elf", "so", "dylib", "app", "apk", "dex",
];

/// The extension's usual type, for the types the sniffer knows.
fn type_of_extension(ext: &str) -> Option<&'static str> {
    Some(match ext {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "bmp" => "image/bmp",
        "tif" | "tiff" => "image/tiff",
        "pdf" => "application/pdf",
        "zip" => "application/zip",
        "gz" | "tgz" => "application/gzip",
        "bz2" => "application/x-bzip2",
        "xz" => "application/x-xz",
        "7z" => "application/x-7z-compressed",
        "tar" => "application/x-tar",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "pptx" => "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        _ => return None,
    })
}

/// Types that count as the same thing for a declared/sniffed comparison.
fn same_type(declared: &str, sniffed: &str) -> bool {
    let norm = |t: &str| match t {
        "image/jpg" | "image/pjpeg" => "image/jpeg".to_string(),
        "application/x-gzip" => "application/gzip".to_string(),
        "application/x-zip-compressed" => "application/zip".to_string(),
        t => t.to_string(),
    };
    let (d, s) = (norm(declared), norm(sniffed));
    // Office documents are zip files; a declared zip may hold one and vice versa.
    let zipish = |t: &str| t == "application/zip" || t.starts_with("application/vnd.openxml");
    d == s || (zipish(&d) && zipish(&s))
}

/// Decide the stored content type of `bytes` named `filename` and declared as `declared`, or
/// refuse: executables (by bytes, by a `#!` script line, or by extension) and files whose
/// bytes contradict their declared type or extension.
pub fn check_content(filename: &str, declared: Option<&str>, bytes: &[u8]) -> Result<String> {
    let ext = filename
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    let declared = declared
        .map(|d| {
            d.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
        .filter(|d| !d.is_empty() && d != "application/octet-stream");
    let sniffed = infer::get(bytes);
    if EXECUTABLE_EXTENSIONS.contains(&ext.as_str())
        || bytes.starts_with(b"#!")
        || bytes.starts_with(b"\x7fELF")
        || (bytes.starts_with(b"MZ") && bytes.contains(&0))
        || bytes.starts_with(b"\xcf\xfa\xed\xfe")
        || bytes.starts_with(b"\xca\xfe\xba\xbe")
        || sniffed.is_some_and(|k| k.matcher_type() == infer::MatcherType::App)
        || declared.as_deref().is_some_and(|d| {
            d.contains("executable")
                || d.contains("msdownload")
                || d == "application/x-sh"
                || d == "application/javascript"
                || d == "text/javascript"
        })
    {
        return Err(invalid(
            "file",
            "executable files and scripts cannot be attached",
        ));
    }
    let by_ext = type_of_extension(&ext);
    match sniffed {
        Some(kind) => {
            let sniffed = kind.mime_type();
            for (what, claimed) in [
                ("declared type", declared.as_deref()),
                ("extension", by_ext),
            ] {
                if let Some(c) = claimed
                    && !same_type(c, sniffed)
                {
                    return Err(invalid(
                        "file",
                        format!("the {what} says {c} but the content is {sniffed}"),
                    ));
                }
            }
            Ok(sniffed.to_string())
        }
        None => {
            // Nothing the sniffer recognises: it must not claim to be a format it knows.
            for (what, claimed) in [
                ("declared type", declared.as_deref()),
                ("extension", by_ext),
            ] {
                if let Some(c) = claimed
                    && (infer::is_mime_supported(c) || type_of_extension(&ext) == Some(c))
                {
                    return Err(invalid(
                        "file",
                        format!("the {what} says {c} but the content is not"),
                    ));
                }
            }
            let text = !bytes.contains(&0) && std::str::from_utf8(bytes).is_ok();
            Ok(match declared {
                Some(d)
                    if text
                        && (d.starts_with("text/")
                            || d.ends_with("json")
                            || d.ends_with("xml")) =>
                {
                    d
                }
                _ if text => "text/plain".into(),
                _ => "application/octet-stream".into(),
            })
        }
    }
}

/// Where an attachment's bytes live.
pub fn attachment_path(dir: &Path, a: &Attachment) -> PathBuf {
    dir.join(&a.ticket_id).join(&a.id)
}

impl Store {
    /// Attach a file to a ticket the scope may see. The bytes are written to
    /// `<dir>/<ticket id>/<attachment id>`; the row, the timeline event and the audit entry are
    /// committed together, and the file is removed again if that fails.
    pub async fn add_attachment(
        &self,
        scope: &Scope,
        ticket_id: &str,
        dir: &Path,
        input: NewAttachment,
    ) -> Result<Attachment> {
        let filename = clean_filename(&input.filename)?;
        if input.bytes.is_empty() {
            return Err(invalid("file", "is empty"));
        }
        let content_type = check_content(&filename, input.content_type.as_deref(), &input.bytes)?;
        let visibility = match input
            .visibility
            .as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
        {
            _ if !scope.is_staff() => Visibility::Public,
            Some(v) => v
                .parse::<Visibility>()
                .map_err(|e| invalid("visibility", e))?,
            None => Visibility::Internal,
        };
        // The bytes are hashed and written before the write transaction (which holds the
        // audit chain's lock) begins, once the scope is known to see the ticket.
        let t = {
            let mut conn = self.pool.acquire().await?;
            load(&mut conn, scope, ticket_id).await?
        };
        let mut a = Attachment {
            id: new_id(),
            ticket_id: t.id.clone(),
            customer_id: t.customer_id.clone(),
            filename,
            content_type,
            size: input.bytes.len() as i64,
            sha256: hex::encode(Sha256::digest(&input.bytes)),
            visibility: visibility.as_str().into(),
            note: input.note.unwrap_or_default().trim().to_string(),
            uploaded_by: scope.actor(),
            created_at: 0,
        };
        let path = attachment_path(dir, &a);
        let io = |e: std::io::Error| StoreError::Other(format!("cannot store attachment: {e}"));
        tokio::fs::create_dir_all(path.parent().unwrap_or(dir))
            .await
            .map_err(io)?;
        tokio::fs::write(&path, &input.bytes).await.map_err(io)?;
        let mut tx = match self.write(scope).await {
            Ok(tx) => tx,
            Err(e) => {
                let _ = tokio::fs::remove_file(&path).await;
                return Err(e);
            }
        };
        a.created_at = tx.now;
        let result = async {
            let mut t = load(tx.conn(), scope, ticket_id).await?;
            sqlx::query(&format!("INSERT INTO ticket_attachments ({COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"))
                .bind(&a.id)
                .bind(&a.ticket_id)
                .bind(&a.customer_id)
                .bind(&a.filename)
                .bind(&a.content_type)
                .bind(a.size)
                .bind(&a.sha256)
                .bind(&a.visibility)
                .bind(&a.note)
                .bind(&a.uploaded_by)
                .bind(a.created_at)
                .execute(tx.conn())
                .await
                .map_err(StoreError::from_write)?;
            append(
                &mut tx,
                &t,
                &DeskEvent::AttachmentAdded {
                    attachment: a.id.clone(),
                    filename: a.filename.clone(),
                    size: a.size,
                    visibility,
                },
            )
            .await?;
            touch(&mut tx, &mut t).await?;
            let after = serde_json::to_value(&a).unwrap_or_default();
            tx.audit(
                "ticket.attach",
                "ticket_attachment",
                &a.id,
                Some(&a.customer_id),
                None,
                Some(&after),
            )
            .await?;
            tx.commit().await
        }
        .await;
        if result.is_err() {
            let _ = tokio::fs::remove_file(&path).await;
        }
        result.map(|_| a)
    }

    /// The ticket's attachments the scope may see (customers: public ones only).
    pub async fn list_attachments(
        &self,
        scope: &Scope,
        ticket_id: &str,
    ) -> Result<Vec<Attachment>> {
        let mut conn = self.pool.acquire().await?;
        let t = load(&mut conn, scope, ticket_id).await?;
        let mut sql = format!("SELECT {COLS} FROM ticket_attachments WHERE ticket_id = $1");
        if !scope.is_staff() {
            sql.push_str(" AND visibility = 'public'");
        }
        sql.push_str(" ORDER BY created_at, id");
        let rows = sqlx::query(&sql).bind(&t.id).fetch_all(&mut *conn).await?;
        rows.iter().map(from_row).collect()
    }

    /// One attachment and the path of its bytes; `NotFound` when the scope may not see it.
    pub async fn attachment(
        &self,
        scope: &Scope,
        ticket_id: &str,
        id: &str,
        dir: &Path,
    ) -> Result<(Attachment, PathBuf)> {
        let mut conn = self.pool.acquire().await?;
        let t = load(&mut conn, scope, ticket_id).await?;
        let row = sqlx::query(&format!(
            "SELECT {COLS} FROM ticket_attachments WHERE ticket_id = $1 AND id = $2"
        ))
        .bind(&t.id)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound)?;
        let a = from_row(&row)?;
        if !scope.is_staff() && a.visibility != "public" {
            return Err(StoreError::NotFound);
        }
        let path = attachment_path(dir, &a);
        Ok((a, path))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0";

    #[test]
    fn content_checks() {
        assert_eq!(
            check_content("a.png", Some("image/png"), PNG).unwrap(),
            "image/png"
        );
        assert_eq!(check_content("a.png", None, PNG).unwrap(), "image/png");
        assert!(check_content("a.pdf", None, PNG).is_err());
        assert!(check_content("a.png", Some("application/pdf"), PNG).is_err());
        assert_eq!(
            check_content("log.txt", Some("text/plain; charset=utf-8"), b"hello").unwrap(),
            "text/plain"
        );
        assert_eq!(
            check_content("x.csv", Some("text/csv"), b"a,b").unwrap(),
            "text/csv"
        );
        assert!(check_content("fake.png", None, b"not a png").is_err());
        assert!(check_content("a.exe", None, b"hello").is_err());
        assert!(check_content("run", None, b"#!/bin/sh\nrm -rf /").is_err());
        assert!(
            check_content(
                "x.bin",
                None,
                b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x02\0"
            )
            .is_err()
        );
        assert!(check_content("setup.txt", None, b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff").is_err());
        assert_eq!(
            check_content("core", None, b"\0\x01\x02binary").unwrap(),
            "application/octet-stream"
        );
        assert_eq!(
            clean_filename("C:\\x\\..\\r\u{7}eport.txt").unwrap(),
            "report.txt"
        );
        assert!(clean_filename("dir/").is_err());
    }
}
