//! Spool behaviour on real files in temporary directories: ordering,
//! acknowledgement, restart, torn writes, size and age bounds.

use std::fs::OpenOptions;
use std::io::Write;
use std::time::Duration;

use onestop_agent::spool::{Spool, SpoolConfig, SpoolError};
use proptest::prelude::*;

fn cfg(max_bytes: u64, segment_bytes: u64) -> SpoolConfig {
    SpoolConfig {
        max_bytes,
        max_age: Duration::from_secs(3600),
        segment_bytes,
    }
}

fn seqs(spool: &Spool) -> Vec<u64> {
    spool
        .pending(usize::MAX)
        .unwrap()
        .iter()
        .map(|r| r.seq)
        .collect()
}

fn segment_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "log"))
        .collect();
    v.sort();
    v
}

#[test]
fn append_pending_ack_and_restart() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Spool::open(dir.path(), cfg(1 << 20, 200)).unwrap();
    for i in 0..10 {
        assert_eq!(
            s.append(1000 + i, format!("batch {i}").as_bytes()).unwrap(),
            i as u64 + 1
        );
    }
    assert!(segment_files(dir.path()).len() > 1, "small segments rotate");
    let first = s.pending(3).unwrap();
    assert_eq!(
        first.iter().map(|r| r.seq).collect::<Vec<_>>(),
        vec![1, 2, 3]
    );
    assert_eq!(first[1].payload, b"batch 1");
    assert_eq!(first[1].ts_ms, 1001);
    s.ack(4).unwrap();
    assert_eq!(seqs(&s), (5..=10).collect::<Vec<_>>());
    drop(s);
    // Restart: nothing acknowledged comes back, nothing un-acknowledged is lost.
    let mut s = Spool::open(dir.path(), cfg(1 << 20, 200)).unwrap();
    assert_eq!(seqs(&s), (5..=10).collect::<Vec<_>>());
    assert_eq!(s.append(2000, b"after restart").unwrap(), 11);
    s.ack(11).unwrap();
    assert!(seqs(&s).is_empty());
    assert!(
        segment_files(dir.path()).is_empty(),
        "fully acknowledged segments are deleted"
    );
    drop(s);
    // Sequence numbers keep increasing even when the spool was emptied.
    let mut s = Spool::open(dir.path(), cfg(1 << 20, 200)).unwrap();
    assert_eq!(s.append(3000, b"x").unwrap(), 12);
    assert_eq!(s.stats().acked_seq, 11);
}

#[test]
fn torn_tail_is_cut_and_appends_continue() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Spool::open(dir.path(), SpoolConfig::default()).unwrap();
    for i in 0..3 {
        s.append(i, b"complete").unwrap();
    }
    drop(s);
    let seg = segment_files(dir.path()).pop().unwrap();
    let len = std::fs::metadata(&seg).unwrap().len();
    OpenOptions::new()
        .append(true)
        .open(&seg)
        .unwrap()
        .write_all(&[40, 0, 0, 0, 1, 2, 3])
        .unwrap();
    let mut s = Spool::open(dir.path(), SpoolConfig::default()).unwrap();
    assert_eq!(
        std::fs::metadata(&seg).unwrap().len(),
        len,
        "garbage cut off"
    );
    assert_eq!(seqs(&s), vec![1, 2, 3]);
    assert!(s.was_appended(3) && !s.was_appended(4) && !s.was_appended(0));
    assert_eq!(s.append(9, b"next").unwrap(), 4);
    assert!(s.was_appended(4));
    drop(s);
    let s = Spool::open(dir.path(), SpoolConfig::default()).unwrap();
    assert_eq!(seqs(&s), vec![1, 2, 3, 4]);
}

#[test]
fn corrupt_record_ends_the_segment() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Spool::open(dir.path(), SpoolConfig::default()).unwrap();
    for i in 0..3 {
        s.append(i, b"payload!").unwrap();
    }
    drop(s);
    let seg = segment_files(dir.path()).pop().unwrap();
    let mut bytes = std::fs::read(&seg).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0xff;
    std::fs::write(&seg, &bytes).unwrap();
    let s = Spool::open(dir.path(), SpoolConfig::default()).unwrap();
    assert_eq!(seqs(&s), vec![1, 2]);
    // Record 3 may have reached the server before it was damaged: its number is not reused.
    assert_eq!(s.stats().next_seq, 4);
}

#[test]
fn size_bound_drops_oldest_and_counts() {
    let dir = tempfile::tempdir().unwrap();
    let payload = [7u8; 76]; // 100-byte frames
    let mut s = Spool::open(dir.path(), cfg(1000, 300)).unwrap();
    for i in 0..50 {
        s.append(i, &payload).unwrap();
    }
    let st = s.stats();
    assert!(st.bytes <= 1000, "{st:?}");
    assert!(st.dropped > 0);
    assert_eq!(st.dropped + st.pending, 50);
    let p = seqs(&s);
    assert_eq!(*p.last().unwrap(), 50);
    assert!(
        p.windows(2).all(|w| w[1] == w[0] + 1),
        "contiguous newest records kept"
    );
    drop(s);
    let mut s = Spool::open(dir.path(), cfg(1000, 300)).unwrap();
    assert_eq!(s.stats().dropped, st.dropped, "drop count survives restart");
    assert!(
        s.was_appended(1),
        "dropped by the bound, but it was appended"
    );
    s.ack(40).unwrap();
    assert!(s.was_appended(40) && s.was_appended(50) && !s.was_appended(51));
    assert_eq!(seqs(&s), p);
}

#[test]
fn age_bound_drops_old_segments() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Spool::open(dir.path(), cfg(1 << 20, 150)).unwrap();
    s.append(1_000, &[1; 100]).unwrap();
    s.append(2_000, &[2; 100]).unwrap();
    s.append(3_600_000 + 5_000, &[3; 100]).unwrap();
    assert_eq!(s.enforce_age(3_600_000 + 2_500).unwrap(), 2);
    assert_eq!(seqs(&s), vec![3]);
    assert_eq!(s.stats().dropped, 2);
}

#[test]
fn oversized_record_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Spool::open(dir.path(), cfg(1000, 100)).unwrap();
    assert!(matches!(
        s.append(0, &[0; 200]),
        Err(SpoolError::TooLarge(_))
    ));
    assert_eq!(s.append(0, b"ok").unwrap(), 1);
}

#[derive(Debug, Clone)]
enum Op {
    Append(usize),
    AckPending(usize),
    Reopen,
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    #[test]
    fn matches_a_simple_model(ops in prop::collection::vec(prop_oneof![
        (1usize..120).prop_map(Op::Append),
        (0usize..4).prop_map(Op::AckPending),
        Just(Op::Reopen),
    ], 1..40)) {
        let dir = tempfile::tempdir().unwrap();
        let c = cfg(1 << 30, 256);
        let mut s = Spool::open(dir.path(), c).unwrap();
        let mut model: Vec<(u64, Vec<u8>)> = Vec::new();
        let mut next = 1u64;
        for op in ops {
            match op {
                Op::Append(n) => {
                    let payload: Vec<u8> = (0..n).map(|i| (i as u64 * next) as u8).collect();
                    prop_assert_eq!(s.append(next as i64, &payload).unwrap(), next);
                    model.push((next, payload));
                    next += 1;
                }
                Op::AckPending(k) => {
                    if let Some(&(seq, _)) = model.get(k.min(model.len().saturating_sub(1))) {
                        s.ack(seq).unwrap();
                        model.retain(|(q, _)| *q > seq);
                    }
                }
                Op::Reopen => {
                    drop(s);
                    s = Spool::open(dir.path(), c).unwrap();
                }
            }
            let got: Vec<(u64, Vec<u8>)> = s.pending(usize::MAX).unwrap().into_iter().map(|r| (r.seq, r.payload)).collect();
            prop_assert_eq!(&got, &model);
        }
    }
}
