//! Any bytes: the parser must not panic; the streaming and owned paths must agree, and the block path must make
//! exactly the visitor calls, with the same summary, of the line-by-line parse (every line through the parser one by
//! one).
#![no_main]

use libfuzzer_sys::fuzz_target;
use opsight_core::parse::across_blocks::parse_line_by_line;
use opsight_core::parse::calls::Calls;
use opsight_core::parse::Tally;
use opsight_core::{parse_bytes, Snapshot};

fuzz_target!(|data: &[u8]| {
    let snapshot = Snapshot::parse(data);
    let mut tally = Tally::default();
    let summary = parse_bytes(data, &mut tally);
    assert_eq!(summary.lines, snapshot.summary.lines);
    let events: u64 =
        snapshot.uids.iter().flat_map(|u| &u.packages).flat_map(|p| &p.ops).map(|o| o.events.len() as u64).sum();
    assert_eq!(events, tally.access_events + tally.reject_events);
    assert_eq!(snapshot.discrete.len() as u64, tally.discrete_events);
    let (mut got, mut want) = (Calls::default(), Calls::default());
    assert_eq!(parse_bytes(data, &mut got), parse_line_by_line(data, &mut want));
    got.assert_same(&want, "blocks");
});
