//! Network interface counters from `/proc/net/dev`.

use super::{CollectError, Context, parse_err, read};
use crate::metrics::Metrics;

const FIELDS: [&str; 16] = [
    "receive_bytes",
    "receive_packets",
    "receive_errs",
    "receive_drop",
    "receive_fifo",
    "receive_frame",
    "receive_compressed",
    "receive_multicast",
    "transmit_bytes",
    "transmit_packets",
    "transmit_errs",
    "transmit_drop",
    "transmit_fifo",
    "transmit_colls",
    "transmit_carrier",
    "transmit_compressed",
];

pub(super) fn collect(ctx: &Context, m: &mut Metrics) -> Result<(), CollectError> {
    let path = ctx.proc("net/dev");
    let text = read(&path)?;
    for line in text.lines().skip(2) {
        let Some((dev, rest)) = line.split_once(':') else {
            return Err(parse_err(&path, format!("bad line {line:?}")));
        };
        let dev = dev.trim();
        for (field, v) in FIELDS.iter().zip(rest.split_whitespace()) {
            let v = v
                .parse::<f64>()
                .map_err(|_| parse_err(&path, format!("bad number {v:?}")))?;
            let help = format!("Network device statistic {field}.");
            m.counter(
                &format!("node_network_{field}_total"),
                &help,
                &[("device", dev)],
                v,
            );
        }
    }
    Ok(())
}
