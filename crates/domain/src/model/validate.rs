//! Field checks shared by every entry point (API, UI, CSV import, CLI).
use thiserror::Error;

/// A rejected field value, named so the caller can show it next to the field.
#[derive(Debug, Clone, Error, PartialEq, Eq)]
#[error("{field}: {message}")]
pub struct ValidationError {
    pub field: String,
    pub message: String,
}

impl ValidationError {
    pub fn new(field: &str, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// A required, trimmed, non-empty name of at most 200 characters.
pub fn valid_name(field: &str, value: &str) -> Result<String, ValidationError> {
    let v = value.trim();
    if v.is_empty() {
        return Err(ValidationError::new(field, "is required"));
    }
    if v.chars().count() > 200 {
        return Err(ValidationError::new(field, "is longer than 200 characters"));
    }
    Ok(v.to_string())
}

/// A plausible e-mail address: one `@`, a non-empty local part and a dotted domain.
pub fn valid_email(field: &str, value: &str) -> Result<String, ValidationError> {
    let v = value.trim();
    let ok = match v.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !v.chars().any(char::is_whitespace)
        }
        None => false,
    };
    if ok {
        Ok(v.to_string())
    } else {
        Err(ValidationError::new(
            field,
            format!("`{v}` is not an e-mail address"),
        ))
    }
}

/// A calendar date written `YYYY-MM-DD`, checked for month lengths and leap years.
pub fn valid_date(field: &str, value: &str) -> Result<String, ValidationError> {
    let v = value.trim();
    let bad = || ValidationError::new(field, format!("`{v}` is not a date (YYYY-MM-DD)"));
    let parts: Vec<&str> = v.split('-').collect();
    if parts.len() != 3 || parts[0].len() != 4 || parts[1].len() != 2 || parts[2].len() != 2 {
        return Err(bad());
    }
    let num = |s: &str| s.parse::<u32>().map_err(|_| bad());
    let (y, m, d) = (num(parts[0])?, num(parts[1])?, num(parts[2])?);
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return Err(bad()),
    };
    if d == 0 || d > days {
        return Err(bad());
    }
    Ok(v.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks() {
        assert_eq!(valid_name("name", "  Acme ").unwrap(), "Acme");
        assert!(valid_name("name", "  ").is_err());
        assert!(valid_email("email", "a@b.jp").is_ok());
        assert!(valid_email("email", "a@b").is_err());
        assert!(valid_email("email", "a b@c.jp").is_err());
        assert!(valid_date("d", "2024-02-29").is_ok());
        assert!(valid_date("d", "2023-02-29").is_err());
        assert!(valid_date("d", "2023-13-01").is_err());
    }
}
