//! Any bytes: the parser must not panic, and the streaming and owned paths must agree.
#![no_main]

use libfuzzer_sys::fuzz_target;
use opsight_core::parse::Tally;
use opsight_core::{parse_bytes, Snapshot};

fuzz_target!(|data: &[u8]| {
    let snapshot = Snapshot::parse(data);
    let mut tally = Tally::default();
    let summary = parse_bytes(data, &mut tally);
    assert_eq!(summary.lines, snapshot.summary.lines);
    let events: u64 = snapshot.uids.iter().flat_map(|u| &u.packages).flat_map(|p| &p.ops).map(|o| o.events.len() as u64).sum();
    assert_eq!(events, tally.access_events + tally.reject_events);
    assert_eq!(snapshot.discrete.len() as u64, tally.discrete_events);
});
