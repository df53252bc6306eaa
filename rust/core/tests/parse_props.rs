//! Property tests: no input panics, and a cut input loses nothing before the cut.

mod common;

use common::*;
use proptest::prelude::*;

/// Line fragments from every dialect, so random inputs reach deep parser states.
const FRAGMENTS: &[&str] = &[
    "Current AppOps Service state:",
    "AppOps Service state:",
    "AppOps Uid Op State",
    "DUMP OF SERVICE appops:",
    "DUMP OF SERVICE other:",
    "--------- 0.1s was the duration of dumpsys appops",
    "  Uid u0a103:",
    "  Uid 1000:",
    "Uid mode: CAMERA: allow",
    "    state=cch",
    "    capability=LCMN",
    "      COARSE_LOCATION: mode=ignore",
    "    Package com.facebook.katana:",
    "      READ_CONTACTS (allow):",
    "      FINE_LOCATION (allow / switch COARSE_LOCATION=allow): ",
    "      READ_SMS (allow): miui",
    "AppOps Service state: (vendor)",
    "        null=[",
    "        tag.x=[",
    "        ]",
    "          Access: [bg-tpd] 2022-03-07 18:05:34.325 (-22d4h22m19s762ms)",
    "          Reject: [fg-s]2021-05-19 22:02:52.054 (-314d1h25m2s33ms)",
    "          Access: [bg-s] 2022-01-24 05:16:25.882 (-10d8h47m39s979ms) duration=+1s942ms proxy[uid=0, pkg=null]",
    "          Access: top   = 2019-01-01 12:00:00.000 (-1h2m3s4ms)",
    "                  bg    = 2019-01-01 11:00:00.000 (-2h2m3s4ms)",
    "          Running start at: +5s0ms",
    "          duration=+1s0ms",
    "          startNesting=2",
    "      VIBRATE: mode=0; time=+39s500ms ago; duration=+59ms",
    "WRITE_SMS: ignore; rejectTime=+10d5h57m14s652ms ago",
    "Discrete accesses: ",
    "  Uid: 10123",
    "    Package: com.example",
    "      CAMERA",
    "        Attribution: null",
    "          Access [top-s] at 2021-06-01 12:00:00.000 for 60000 milliseconds ",
    "UID|PACKAGE_NAME|DEVICE_ID|OP_NAME|ATTRIBUTION_TAG|UID_STATE|OP_FLAGS|ATTR_FLAGS|CHAIN_ID|ACCESS_TIME|DURATION",
    "10123|com.example|default|CAMERA|null|top|s|0|-1|2025-01-01 12:00:00.000|1000",
    "  History:  mode=ENABLED_ACTIVE",
    "SHORT_INTERVAL(Aggregation Bucket)=1 Minute, LONG_INTERVAL(Aggregation Bucket)=15 Minutes",
    "------------Aggregated App Ops-------------",
    "----Location, Microphone, and Camera App Ops (Last 1 Hour)----",
    "UID|PACKAGE_NAME|DEVICE_ID|OP_NAME|ATTRIBUTION_TAG|ACCESS_TIME|ACCESS_COUNTS|REJECT_COUNTS|DURATION|UID_STATE|OP_FLAGS",
    "10210|com.tmall.wireless|default:0|READ_CONTACTS|null|2026-03-01 09:00:00.000|6|1|0|top|s",
    "    snapshot:",
    "      begin = 2021-06-01 12:00:00.000  (-1h0m0s0ms)",
    "            [top-s] = access=3, reject=1, duration=+5s0ms",
    "Unknown(12) (mode=5):",
    "\u{0}\u{1b}[31m",
    // Byte order marks inside the input (files that each began with one, joined), alone on a line too.
    "\u{feff}",
    "  \u{feff}\t",
    "\u{feff}  Uid u0a104:",
    "",
];

fn fragment_lines() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec((0..FRAGMENTS.len(), any::<u8>(), 0..4usize), 0..60).prop_map(|parts| {
        let mut out = Vec::new();
        for (i, noise, mode) in parts {
            let line = FRAGMENTS[i].as_bytes();
            match mode {
                // Mutate one byte, cut the line short, or keep it.
                0 if !line.is_empty() => {
                    let mut l = line.to_vec();
                    let at = usize::from(noise) % l.len();
                    l[at] = noise;
                    out.extend_from_slice(&l);
                }
                1 => out.extend_from_slice(&line[..usize::from(noise) % (line.len() + 1)]),
                _ => out.extend_from_slice(line),
            }
            out.extend_from_slice(if noise % 7 == 0 { b"\r\n" } else { b"\n" });
        }
        out
    })
}

/// The last event of a cut parse may lack the optional fields that followed the cut (duration, proxy).
fn same_but_trailing_fields(cut: &str, full: &str) -> bool {
    let head = |s: &str| s.rsplitn(3, '|').nth(2).map(str::to_owned);
    cut == full || head(cut) == head(full)
}

fn check_cut(input: &[u8], cut: usize) {
    let full = record(input);
    let prefix = &input[..cut];
    let got = record(prefix);
    // Lines that were whole before the cut parse exactly as in the full input.
    let whole = prefix.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
    let whole_events = record(&input[..whole]);
    assert_eq!(whole_events[..], full[..whole_events.len()], "whole lines before the cut");
    assert!(got.len() >= whole_events.len(), "nothing before the cut is lost");
    assert!(got.len() <= whole_events.len() + 2, "at most the cut line adds events");
    for (i, e) in got.iter().enumerate() {
        if i < whole_events.len() {
            assert_eq!(e, &full[i]);
        } else {
            assert!(same_but_trailing_fields(e, &full[i]), "cut line event {e} vs {}", full[i]);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(input in prop::collection::vec(any::<u8>(), 0..4096)) {
        let snap = snapshot(&input);
        let (s, t) = tally(&input);
        prop_assert_eq!(snap.summary.lines, s.lines);
        let events: u64 = snap.uids.iter().flat_map(|u| &u.packages).flat_map(|p| &p.ops).map(|o| o.events.len() as u64).sum();
        prop_assert_eq!(events, t.access_events + t.reject_events);
    }

    #[test]
    fn dialect_shaped_noise_never_panics(input in fragment_lines()) {
        let snap = snapshot(&input);
        let (_, t) = tally(&input);
        prop_assert_eq!(snap.discrete.len() as u64, t.discrete_events);
        let text = String::from_utf8_lossy(&input);
        // JSON output of any input is valid JSON.
        let json = serde_json::to_string(&snap).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert!(serde_json::from_str::<serde_json::Value>(&json).is_ok(), "{}", text);
    }

    #[test]
    fn cut_real_samples_lose_nothing_before_the_cut(which in 0..REAL_DUMPS.len() + 1, at in any::<prop::sample::Index>()) {
        let name = if which == REAL_DUMPS.len() { LG_ANDROID6 } else { REAL_DUMPS[which] };
        let input = real(name);
        check_cut(&input, at.index(input.len() + 1));
    }

    #[test]
    fn cut_synthetic_samples_lose_nothing_before_the_cut(which in 0..10usize, at in any::<prop::sample::Index>()) {
        let names = ["android9_pie", "android12_discrete_xml", "android16_discrete_sqlite", "android12_history",
            "android16_sectioned", "android8_legacy_uidmodes", "bugreport_embedded", "oem_noisy_android11",
            "android16_sqlite_history", "android16_sqlite_last_hour"];
        let input = fixture(&format!("synthetic/{}.txt", names[which]));
        check_cut(&input, at.index(input.len() + 1));
    }
}

#[test]
fn every_cut_of_the_android10_sample() {
    // Exhaustive over one real sample: every byte position.
    let input = real("mvt-project-mvt__dumpsys_appops_samsung_a10.txt");
    for cut in 0..=input.len() {
        check_cut(&input, cut);
    }
}

#[test]
fn every_cut_of_every_synthetic_sample_and_the_android11_sample() {
    let mut inputs: Vec<Vec<u8>> = [
        "android9_pie",
        "android12_discrete_xml",
        "android16_discrete_sqlite",
        "android12_history",
        "android16_sectioned",
        "android8_legacy_uidmodes",
        "oem_noisy_android11",
    ]
    .iter()
    .map(|n| fixture(&format!("synthetic/{n}.txt")))
    .collect();
    inputs.push(real("lixiaogang03-blog__dumpsys_appops_android11_sunmi_qssi_2021.txt"));
    for input in &inputs {
        for cut in 0..=input.len() {
            check_cut(input, cut);
        }
    }
}

/// `input` with every line that is not UTF-8 replaced by its lossy reading (U+FFFD), as the parser reads such a
/// line, and how many lines that changed.
fn lossy_per_line(input: &[u8]) -> (Vec<u8>, u64) {
    let mut out = Vec::with_capacity(input.len());
    let mut changed = 0;
    for (i, line) in input.split(|&b| b == b'\n').enumerate() {
        if i > 0 {
            out.push(b'\n');
        }
        match std::str::from_utf8(line) {
            Ok(_) => out.extend_from_slice(line),
            Err(_) => {
                changed += 1;
                out.extend_from_slice(String::from_utf8_lossy(line).as_bytes());
            }
        }
    }
    (out, changed)
}

/// A parse of `input` and of its lossy reading give the same events and counts, on one thread and on two, but for
/// the count of lines read lossily (and of bytes). (A bad byte sends only its own line down the per-line path; the rest of its
/// block still takes the usual one.)
fn check_bad_bytes(input: &[u8]) {
    let (clean, changed) = lossy_per_line(input);
    let (mut s, t) = tally(input);
    let (clean_s, clean_t) = tally(&clean);
    assert_eq!((s.lossy_lines, s.bytes), (changed, input.len() as u64));
    (s.lossy_lines, s.bytes) = (0, clean_s.bytes);
    assert_eq!(format!("{s:?} {t:?}"), format!("{clean_s:?} {clean_t:?}"));
    assert_eq!(record(input), record(&clean));
    let mut on_two = opsight_core::parse::Tally::default();
    let mut s2 = opsight_core::parse::parse_reader_parallel(input, &mut on_two).expect("a slice reads");
    assert_eq!((s2.lossy_lines, s2.bytes), (changed, input.len() as u64));
    (s2.lossy_lines, s2.bytes) = (0, clean_s.bytes);
    assert_eq!(format!("{s2:?} {on_two:?}"), format!("{clean_s:?} {clean_t:?}"));
}

fn with_bytes_inserted(input: &[u8], inserts: &[(prop::sample::Index, u8)]) -> Vec<u8> {
    let mut out = input.to_vec();
    for (at, byte) in inserts {
        out.insert(at.index(out.len() + 1), *byte);
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn stray_bytes_cost_only_their_own_lines(
        which in 0..REAL_DUMPS.len() + 1,
        inserts in prop::collection::vec((any::<prop::sample::Index>(), prop_oneof![0x80..=0xFFu8, Just(0xE2u8)]), 1..6),
    ) {
        let name = if which == REAL_DUMPS.len() { LG_ANDROID6 } else { REAL_DUMPS[which] };
        check_bad_bytes(&with_bytes_inserted(&real(name), &inserts));
    }
}

#[test]
fn stray_bytes_across_blocks_and_after_an_overlong_line() {
    // Many 256 KiB blocks, a bad byte in some of them (first and last line of a block too, by the spread), and an
    // overlong line whose rest opens a block that is not UTF-8.
    let sample = real("lixiaogang03-blog__dumpsys_appops_android11_sunmi_qssi_2021.txt");
    let mut input = Vec::new();
    for k in 0..200usize {
        let mut part = sample.clone();
        if k % 3 == 0 {
            let at = (k * 7919) % part.len();
            part.insert(at, 0xFF);
        }
        input.extend_from_slice(&part);
        if k == 100 {
            input.extend(std::iter::repeat_n(b'x', 300 * 1024));
            input.extend_from_slice(b"\n\xC3(\nUid u0a1:\n");
        }
    }
    check_bad_bytes(&input);
}
