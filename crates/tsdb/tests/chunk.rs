//! Chunk round-trip properties and corruption handling.

use onestop_tsdb::bits::{BitReader, BitWriter, read_varbits, write_varbits};
use onestop_tsdb::{ChunkEncoder, ChunkError, decode, decode_all};
use proptest::prelude::*;

fn roundtrip(samples: &[(i64, f64)]) -> Vec<u8> {
    let mut enc = ChunkEncoder::new();
    for &(t, v) in samples {
        enc.push(t, v);
    }
    let bytes = enc.finish();
    let back = decode_all(&bytes).expect("decodes");
    assert_eq!(back.len(), samples.len());
    for (i, (got, want)) in back.iter().zip(samples).enumerate() {
        assert_eq!(got.0, want.0, "ts at {i}");
        assert_eq!(
            got.1.to_bits(),
            want.1.to_bits(),
            "value bits at {i}: {} vs {}",
            got.1,
            want.1
        );
    }
    bytes
}

fn any_value() -> impl Strategy<Value = f64> {
    prop_oneof![
        any::<u64>().prop_map(f64::from_bits), // every bit pattern, NaN payloads included
        (-1_000_000i64..1_000_000).prop_map(|n| n as f64),
        (0i64..10_000_000).prop_map(|n| n as f64 / 100.0),
        Just(-0.0),
        Just(f64::NAN),
    ]
}

fn any_ts() -> impl Strategy<Value = i64> {
    prop_oneof![
        any::<i64>(),
        -10_000i64..10_000,
        Just(i64::MIN),
        Just(i64::MAX)
    ]
}

proptest! {
    #[test]
    fn arbitrary_series_roundtrip(samples in prop::collection::vec((any_ts(), any_value()), 0..200)) {
        roundtrip(&samples);
    }

    #[test]
    fn regular_series_with_jitter_roundtrip(
        start in any::<i64>(),
        jitter in prop::collection::vec(-5000i64..5000, 1..300),
        values in prop::collection::vec(0u64..1 << 40, 1..300),
    ) {
        let n = jitter.len().min(values.len());
        let mut acc = 0u64;
        let samples: Vec<(i64, f64)> = (0..n)
            .map(|i| {
                acc = acc.wrapping_add(values[i]);
                (start.wrapping_add(i as i64 * 10_000 + jitter[i]), acc as f64 / 100.0)
            })
            .collect();
        roundtrip(&samples);
    }

    #[test]
    fn varbits_roundtrip(vals in prop::collection::vec(any::<i64>(), 0..100)) {
        let widths = [3, 9, 20, 64];
        let mut w = BitWriter::new();
        for &v in &vals { write_varbits(&mut w, v, &widths); }
        let bytes = w.into_bytes();
        let mut r = BitReader::new(&bytes);
        for &v in &vals { prop_assert_eq!(read_varbits(&mut r, &widths), Some(v)); }
    }
}

#[test]
fn edge_cases_roundtrip() {
    roundtrip(&[]);
    roundtrip(&[(0, 0.0)]);
    roundtrip(&[
        (i64::MAX, f64::NAN),
        (i64::MIN, -0.0),
        (0, f64::INFINITY),
        (-1, f64::NEG_INFINITY),
    ]);
    let nan_payload = f64::from_bits(0x7ff8_dead_beef_0001);
    roundtrip(&[
        (1, nan_payload),
        (2, nan_payload),
        (3, f64::from_bits(0xfff0_0000_0000_0001)),
    ]);
    // Huge gap then going backwards in time.
    roundtrip(&[
        (0, 1.0),
        (10_000, 2.0),
        (1 << 60, 3.0),
        (5, 4.0),
        (-(1 << 62), 5.0),
    ]);
}

#[test]
fn regular_counter_is_small() {
    let samples: Vec<(i64, f64)> = (0..8640)
        .map(|i| (1_700_000_000_000 + i * 10_000, (i * 4096) as f64))
        .collect();
    let bytes = roundtrip(&samples);
    assert!(
        bytes.len() < 8640 / 2,
        "{} bytes for a perfectly regular counter",
        bytes.len()
    );
}

#[test]
fn bits_writer_counts_and_pads() {
    let mut w = BitWriter::new();
    w.write_bits(0b101, 3);
    w.write_bit(true);
    assert_eq!(w.bit_len(), 4);
    w.write_bits(u64::MAX, 64);
    assert_eq!(w.bit_len(), 68);
    let bytes = w.into_bytes();
    assert_eq!(bytes.len(), 9);
    assert_eq!(bytes[0], 0b1011_1111);
    let mut r = BitReader::new(&bytes);
    assert_eq!(r.read_bits(4), Some(0b1011));
    assert_eq!(r.read_bits(64), Some(u64::MAX));
    assert_eq!(r.read_bits(5), None);
}

#[test]
fn corrupt_chunks_are_errors_not_panics() {
    assert!(matches!(decode(&[]), Err(ChunkError::Header(_))));
    assert!(matches!(decode(&[9, 0, 0]), Err(ChunkError::Header(_))));
    assert!(matches!(decode(&[1, 7, 0]), Err(ChunkError::Header(_))));
    let mut enc = ChunkEncoder::new();
    for i in 0..100 {
        enc.push(i * 1000, (i as f64).sin());
    }
    let bytes = enc.finish();
    let cut = &bytes[..bytes.len() / 2];
    let res: Result<Vec<_>, _> = decode(cut).unwrap().collect();
    assert!(matches!(res, Err(ChunkError::Truncated(n)) if n > 0 && n < 100));
    // Every prefix and every single-byte flip must decode or fail cleanly.
    for len in 0..bytes.len() {
        if let Ok(it) = decode(&bytes[..len]) {
            let _ = it.count();
        }
    }
    for i in 0..bytes.len() {
        let mut b = bytes.clone();
        b[i] ^= 0x5a;
        if let Ok(it) = decode(&b) {
            let _ = it.take(1000).count();
        }
    }
}
