//! Search words for tickets, the same on both databases: each run of letters or digits becomes
//! one lower-cased word, and each run of CJK characters becomes its overlapping bigrams (a lone
//! character stays as it is). Two-character Japanese words such as 障害 are then whole words,
//! which a trigram index would miss. Documents and queries go through the same function.

/// Han, Hiragana, Katakana (and their half-width forms), Hangul.
fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF   // Hiragana, Katakana
        | 0x31F0..=0x31FF // Katakana phonetic extensions
        | 0x3400..=0x4DBF // CJK extension A
        | 0x4E00..=0x9FFF // CJK unified ideographs
        | 0xF900..=0xFAFF // compatibility ideographs
        | 0xFF66..=0xFF9F // half-width Katakana
        | 0xAC00..=0xD7AF // Hangul syllables
        | 0x20000..=0x2FA1F)
}

/// Full-width ASCII (Ａ, １) as plain ASCII, lower-cased.
fn fold(c: char) -> char {
    let c = match c as u32 {
        0xFF01..=0xFF5E => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        _ => c,
    };
    c.to_lowercase().next().unwrap_or(c)
}

/// The search words of `text`, in order, separated by single spaces.
pub fn search_words(text: &str) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut word = String::new();
    let mut cjk: Vec<char> = Vec::new();
    let flush_word = |w: &mut String, out: &mut Vec<String>| {
        if !w.is_empty() {
            out.push(std::mem::take(w));
        }
    };
    let flush_cjk = |run: &mut Vec<char>, out: &mut Vec<String>| {
        match run.len() {
            0 => {}
            1 => out.push(run[0].to_string()),
            _ => out.extend(run.windows(2).map(|w| w.iter().collect::<String>())),
        }
        run.clear();
    };
    for c in text.chars().map(fold) {
        if is_cjk(c) {
            flush_word(&mut word, &mut out);
            cjk.push(c);
        } else if c.is_alphanumeric() {
            flush_cjk(&mut cjk, &mut out);
            word.push(c);
        } else {
            flush_word(&mut word, &mut out);
            flush_cjk(&mut cjk, &mut out);
        }
    }
    flush_word(&mut word, &mut out);
    flush_cjk(&mut cjk, &mut out);
    out.join(" ")
}

/// The word that marks a ticket's search documents as its customer's: `cust` and the id's
/// letters and digits. A search within one customer adds it as one more term, so the index
/// intersects the customer's documents with the words' instead of walking every match.
pub fn customer_tag(customer_id: &str) -> String {
    let mut tag = String::from("cust");
    tag.extend(
        customer_id
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .map(|c| c.to_ascii_lowercase()),
    );
    tag
}

/// A query as groups of words: one group per whitespace-separated term, each group to be found
/// as a phrase (adjacent words). Terms with no word characters are dropped.
pub fn query_terms(query: &str) -> Vec<Vec<String>> {
    query
        .split_whitespace()
        .map(|t| {
            search_words(t)
                .split(' ')
                .filter(|w| !w.is_empty())
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .filter(|g| !g.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_and_bigrams() {
        assert_eq!(search_words("Disk FULL on web-01"), "disk full on web 01");
        assert_eq!(
            search_words("サーバ障害発生"),
            "サー ーバ バ障 障害 害発 発生"
        );
        assert_eq!(search_words("RAID障害です。"), "raid 障害 害で です");
        assert_eq!(search_words("Ｗｅｂ１ 止"), "web1 止");
        assert_eq!(search_words("...  "), "");
    }

    #[test]
    fn a_two_character_word_is_a_word_of_the_document() {
        let doc = search_words("本日、ディスク障害が発生しました");
        let words: Vec<&str> = doc.split(' ').collect();
        for g in query_terms("障害 発生") {
            assert!(
                g.iter().all(|w| words.contains(&w.as_str())),
                "{g:?} in {doc}"
            );
        }
        assert_eq!(
            query_terms("障害発生 disk"),
            vec![
                vec!["障害".to_string(), "害発".into(), "発生".into()],
                vec!["disk".into()]
            ]
        );
        assert!(query_terms("、。 !!").is_empty());
    }

    #[test]
    fn a_customer_tag_is_one_search_word() {
        let tag = customer_tag("0190AB-cd-12");
        assert_eq!(tag, "cust0190abcd12");
        assert_eq!(search_words(&tag), tag);
    }
}
