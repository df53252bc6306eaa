//! One test per format variant of the grammar. Where no real capture exists, the input was written from the
//! AOSP source grammar (tests/fixtures/synthetic/README.md says which source for each) and the test says so.

mod common;

use common::*;
use opsight_core::model::{EventKind, Proxy};
use opsight_core::time::LocalTime;
use opsight_core::Dialect;

/// The discrete table's header line, verbatim from DiscreteOpsSqlRegistry (aosp-mirror @a05b53f6).
const DISCRETE_TABLE_HEADER: &str =
    "UID|PACKAGE_NAME|DEVICE_ID|OP_NAME|ATTRIBUTION_TAG|UID_STATE|OP_FLAGS|ATTR_FLAGS|CHAIN_ID|ACCESS_TIME|DURATION";

fn local(s: &str) -> LocalTime {
    LocalTime::parse(s.as_bytes()).expect("valid local time").0
}

#[test]
fn android9_per_state_lines_written_from_the_grammar() {
    // No public Android 9 capture exists; this input follows Bootleggers-pie AppOpsService @34240df7.
    let snap = snapshot(&fixture("synthetic/android9_pie.txt"));
    assert_eq!(snap.summary.dialect, Dialect::DumpsysPie);
    assert_eq!(snap.summary.dump_time_local, Some(local("2019-01-01 13:02:03.004")));
    let uid = &snap.uids[0];
    assert_eq!(uid.prop("state"), Some("top"), "padded `state=top  ` is trimmed");
    assert_eq!(uid.prop("startNesting"), Some("1"), "uid-level startNesting is a uid property");
    assert_eq!(uid.modes.len(), 1, "foregroundOps entries are not modes; `COARSE_LOCATION: mode=foreground` is");
    let fine = &uid.packages[0].ops[0];
    assert_eq!((fine.switch_op.as_deref(), fine.switch_mode.as_deref()), (Some("COARSE_LOCATION"), Some("foreground")));
    let got: Vec<_> =
        fine.events.iter().map(|e| (e.kind, e.uid_state.clone().unwrap_or_default(), e.relative_ms)).collect();
    assert_eq!(
        got,
        vec![
            (EventKind::Access, "top".to_owned(), Some(-3_723_004)),
            (EventKind::Access, "bg".to_owned(), Some(-7_323_004)),
            (EventKind::Reject, "cch".to_owned(), Some(-10_923_004)),
        ]
    );
    assert!(fine.events.iter().all(|e| e.flags.is_empty()), "Android 9 has no flags");
    assert_eq!(fine.running.len(), 1);
    assert_eq!(fine.running[0].started_ago_ms, Some(5_000));
    assert_eq!(fine.last_duration_ms, Some(1_000));
    assert_eq!(fine.start_nesting, vec![(None, 2)]);
    assert_eq!(uid.packages[0].ops[1].events[0].uid_state.as_deref(), Some("fgsvc"));
}

#[test]
fn android10_keyed_events_real_capture() {
    // Real: the MVT Samsung sample (see parse_real.rs for the full check).
    let (s, t) = tally(&real("mvt-project-mvt__dumpsys_appops_samsung_a10.txt"));
    assert_eq!((s.dialect, t.access_events + t.reject_events), (Dialect::DumpsysQ, 23));
}

#[test]
fn android12_discrete_xml_form_written_from_the_grammar() {
    // No public capture with `--include-discrete`; follows DiscreteRegistry.dump (aosp-mirror @0014f5fa).
    let snap = snapshot(&fixture("synthetic/android12_discrete_xml.txt"));
    assert_eq!(snap.summary.dialect, Dialect::DumpsysAttributed);
    assert!(snap.summary.has_discrete);
    assert_eq!(snap.discrete.len(), 4);
    let d = &snap.discrete[0];
    assert_eq!(
        (d.uid.as_deref(), d.package.as_deref(), d.op.as_str()),
        (Some("10123"), Some("com.tencent.qqmusic"), "RECORD_AUDIO")
    );
    assert_eq!(
        (d.uid_state.as_deref(), d.flags.as_slice(), d.attribution_tag.as_deref()),
        (Some("bg"), &["s".to_owned()][..], None)
    );
    assert_eq!((d.time_local, d.duration_ms), (Some(local("2022-06-01 03:12:00.000")), Some(60_000)));
    assert_eq!(snap.discrete[1].duration_ms, None, "no `for N milliseconds` when the duration is -1");
    let loc = &snap.discrete[2];
    assert_eq!((loc.op.as_str(), loc.attribution_tag.as_deref()), ("FINE_LOCATION", Some("locationSdk")));
    assert_eq!((loc.attribution_flags, loc.chain_id), (Some(1), Some(7)));
    assert_eq!(snap.discrete[3].flags, vec!["tpd".to_owned()]);
    // The op state before the discrete section is read as usual.
    assert_eq!(snap.uids[0].packages[0].ops[0].events[0].duration_ms, Some(60_000));
}

/// The discrete text form as it may arrive: re-spaced (two blanks before `for`), with an OEM line between records, and
/// with a `proxy[…]` after the fields (AOSP prints none there; kept when a build does, as on op-state lines). The
/// registry records accesses only: a `Reject` line there is counted, never taken for an access.
#[test]
fn discrete_xml_form_respaced_with_oem_and_reject_lines_and_a_proxy() {
    let snap = snapshot(
        b"Discrete accesses: \n  Uid: 10123\n    Package: com.x\n      CAMERA\n        Attribution: null\n\
          Access [top-s] at 2022-06-01 09:00:00.000  for 60000 milliseconds \n\
          OEM camera note:\n\
          Reject [top-s] at 2022-06-01 09:00:30.000\n\
          Access [fg-tpd] at 2022-06-01 09:01:00.000 for 1000 milliseconds  proxy[uid=10070, pkg=com.y, attributionTag=t]\n",
    );
    assert_eq!(snap.discrete.len(), 2, "the OEM line ending with `:` leaves the discrete section as it was");
    assert_eq!(snap.summary.unrecognised_lines, 2, "the OEM line; the `Reject` line, which is no access");
    assert_eq!(snap.discrete[0].duration_ms, Some(60_000));
    let d = &snap.discrete[1];
    assert_eq!((d.op.as_str(), d.duration_ms), ("CAMERA", Some(1000)));
    assert_eq!(
        d.proxy,
        Some(Proxy { uid: Some(10070), package: Some("com.y".to_owned()), attribution_tag: Some("t".to_owned()) })
    );
}

#[test]
fn android16_discrete_sqlite_table_written_from_the_grammar() {
    // The header line is verbatim from DiscreteOpsSqlRegistry (aosp-mirror @a05b53f6); rows are illustrative.
    let snap = snapshot(&fixture("synthetic/android16_discrete_sqlite.txt"));
    assert_eq!(snap.summary.dialect, Dialect::DiscreteOnly);
    assert_eq!(snap.discrete.len(), 3);
    let voice = &snap.discrete[1];
    assert_eq!(
        (voice.attribution_tag.as_deref(), voice.duration_ms, voice.device_id.as_deref()),
        (Some("voice"), None, Some("default:0"))
    );
    let maps = &snap.discrete[2];
    assert_eq!(
        (maps.package.as_deref(), maps.uid_state.as_deref(), maps.attribution_flags, maps.chain_id),
        (Some("com.autonavi.minimap"), Some("fgsvc"), Some(1), Some(42))
    );
    assert_eq!(maps.time_local, Some(local("2025-01-01 12:10:00.000")));
}

#[test]
fn the_repeated_hour_is_told_apart_by_the_dumps_other_times() {
    // Written by hand: dumps taken after clocks fell back, whose nearest event lies in the repeated hour, with no
    // capture instant. Each pair's instant minus its relative time is the same "now", so a pair outside the hour
    // tells which pass the nearest one was in, and with it every event of the hour (an hour early before).
    let utc = |s: &str| s.parse::<jiff::Timestamp>().expect("instant").as_millisecond();
    let times = |input: &[u8], zone: &str| -> Vec<Option<i64>> {
        let mut snap = snapshot(input);
        let zone = jiff::tz::TimeZone::get(zone).expect("zone");
        snap.resolve_times(&opsight_core::time::CaptureContext { zone: Some(zone), ..Default::default() });
        let events = snap.uids.iter().flat_map(|u| &u.packages).flat_map(|p| &p.ops).flat_map(|o| &o.events);
        let windows = snap.history.iter().flat_map(|h| [h.begin_utc_ms, h.end_utc_ms]);
        events.map(|e| e.utc_ms).chain(windows).collect()
    };
    // Berlin, 2024-10-27 (03:00 CEST became 02:00 CET): 02:55 is the second pass, since 01:50 (2h20m before the
    // dump, one instant) puts the dump at 02:10Z.
    let berlin = b"  Uid u0a119:\n    Package com.example:\n      CAMERA (allow):\n        null=[\n\
          Access: [fg-s] 2024-10-27 02:55:00.000 (-15m0s0ms)\n          Access: [bg-s] 2024-10-27 01:50:00.000 (-2h20m0s0ms)\n        ]\n";
    assert_eq!(times(berlin, "Europe/Berlin"), [Some(utc("2024-10-27T01:55:00Z")), Some(utc("2024-10-26T23:50:00Z"))]);
    // New York, Android 9's per-state lines: the 01:xx of both events in the repeated hour are the second.
    let new_york = b"  Uid u0a119:\n    Package com.example:\n      CAMERA (allow):\n\
          Access: top   = 2024-11-03 01:30:00.000 (-20m0s0ms)\n                  bg    = 2024-11-03 00:40:00.000 (-2h10m0s0ms)\n\
          Reject: fg    = 2024-11-03 01:45:00.000 (-5m0s0ms)\n";
    assert_eq!(
        times(new_york, "America/New_York"),
        [Some(utc("2024-11-03T06:30:00Z")), Some(utc("2024-11-03T04:40:00Z")), Some(utc("2024-11-03T06:45:00Z"))]
    );
    // A history window printed as two hours long, ending in the repeated hour, stays two hours long.
    let window =
        b"  History:  mode=ENABLED_ACTIVE\n    snapshot:\n      begin = 2024-10-27 01:20:00.000  (-2h0m0s0ms)\n\
      end = 2024-10-27 02:20:00.000  (0)\n      Uid u0a123:\n        Package com.example:\n          CAMERA:\n\
            [top-s] = access=3, reject=1, duration=+5s0ms\n";
    assert_eq!(times(window, "Europe/Berlin"), [Some(utc("2024-10-26T23:20:00Z")), Some(utc("2024-10-27T01:20:00Z"))]);
}

#[test]
fn android15_discrete_accesses_per_device_written_from_aosp() {
    // From `DiscreteOp.dump` (aosp-mirror DiscreteOpsXmlRegistry.java @658c3fe6; DiscreteRegistry.java on Android 15):
    // the accesses of an op are printed per device, `default:0` being the phone itself (PERSISTENT_DEVICE_ID_DEFAULT),
    // between the op and its attributions. The rows are illustrative.
    let input = b"Discrete accesses: \n  Largest chain id: 7\n  Uid: 10123\n    Package: com.example.camera\n      CAMERA\n\
        Device: default:0\n          Attribution: null\n            Access [top-s] at 2025-03-01 12:00:00.000 for 60000 milliseconds \n\
        Device: companion:42\n          Attribution: barcode\n            Access [top-s] at 2025-03-01 12:10:00.000 for 120000 milliseconds  attribution flags=9 with chainId=7\n\
      RECORD_AUDIO\n          Attribution: null\n            Access [bg-s] at 2025-03-01 12:20:00.000\n";
    let snap = snapshot(input);
    assert_eq!((snap.summary.dialect, snap.summary.unrecognised_lines), (Dialect::DiscreteOnly, 0));
    let got: Vec<_> = snap
        .discrete
        .iter()
        .map(|d| (d.op.as_str(), d.device_id.as_deref(), d.attribution_tag.as_deref(), d.duration_ms))
        .collect();
    assert_eq!(
        got,
        [
            ("CAMERA", Some("default:0"), None, Some(60_000)),
            ("CAMERA", Some("companion:42"), Some("barcode"), Some(120_000)),
            // A new op starts with no device: an Android 14 layout (no `Device:` lines) has none.
            ("RECORD_AUDIO", None, None, None),
        ]
    );
    // A device's line ends the attribution above it: the tag does not carry over to another device.
    let reset = snapshot(
        b"Discrete accesses:\n  Uid: 1\n    Package: p\n      CAMERA\n        Device: default:0\n          Attribution: t\n\
        Device: companion:1\n            Access [top-s] at 2025-03-01 12:00:00.000\n        Device:\n",
    );
    assert_eq!(
        (reset.discrete[0].attribution_tag.as_deref(), reset.discrete[0].device_id.as_deref()),
        (None, Some("companion:1"))
    );
    assert_eq!(reset.summary.unrecognised_lines, 1, "a device line naming none");
}

#[test]
fn android14_history_and_discrete_under_the_dump_header_are_no_legacy_dump() {
    // AppOpsService.dump with `--history --include-discrete` (aosp-mirror @b0fe1b67): the header, then the history and
    // the discrete accesses, and no uid blocks. With no uid block nothing is of Android 8.1's relative-only layout.
    let input = b"Current AppOps Service state:\n\n  History:  mode=ENABLED_ACTIVE\n\n      snapshot:\n\
        begin = 2025-03-01 11:45:00.000  (-15m0s0ms)\n        end = 2025-03-01 12:00:00.000  (0)\n\n\
        Uid u0a140:\n          Package com.example.app:\n            Attribution null:\n              CAMERA:\n\
                [top-s] = access=3, reject=1, duration=+5s0ms\n";
    let history = snapshot(input);
    assert_eq!((history.summary.dialect, history.history.len()), (Dialect::HistoryOnly, 1));
    assert!(!history.summary.dialect.relative_only());
    let mut both = input.to_vec();
    both.extend_from_slice(
        b"Discrete accesses: \n  Uid: 10140\n    Package: com.example.app\n      CAMERA\n\
        Attribution: null\n          Access [top-s] at 2025-03-01 11:58:00.000 for 60000 milliseconds \n",
    );
    assert_eq!(snapshot(&both).summary.dialect, Dialect::DiscreteOnly);
    // The header alone is still the oldest layout's (nothing tells a newer one).
    assert_eq!(snapshot(b"Current AppOps Service state:\n").summary.dialect, Dialect::DumpsysLegacy);
}

#[test]
fn sqlite_history_rows_are_placed_in_their_bucket() {
    // AppOpHistoryHelper.dump (gotenksIN/android_frameworks_base @f5fede8e), its header verbatim: ACCESS_TIME is the
    // first access a row counts (AppOpHistoryTable), and the row's bucket is that time rounded down to the bucket's
    // size. A bucket has a row per device and duration, and another each time a dump flushed AOSP's cache while it
    // was open: rows of one bucket share its window. The rows are illustrative.
    let input = b"AppOps Historical Service State:\n\nHistory:  mode=ENABLED_ACTIVE\n\
SHORT_INTERVAL(Aggregation Bucket)=1 Minute, LONG_INTERVAL(Aggregation Bucket)=15 Minutes\n\
------------Aggregated App Ops-------------\n\n\
UID|PACKAGE_NAME|DEVICE_ID|OP_NAME|ATTRIBUTION_TAG|UID_STATE|OP_FLAGS|ACCESS_TIME|ACCESS_COUNTS|REJECT_COUNTS|DURATION\n\
10140|com.example.app|default:0|READ_CONTACTS|null|top|s|2025-03-01 11:58:23.456|2|0|-1\n\
10140|com.example.app|default:0|READ_CONTACTS|null|top|s|2025-03-01 11:59:40.002|5|0|-1\n\
10140|com.example.app|companion:3|READ_CONTACTS|null|top|s|2025-03-01 11:45:00.000|1|0|-1\n\
10140|com.example.app|default:0|READ_CONTACTS|null|top|s|2025-03-01 12:00:00.000|1|1|-1\n";
    let snap = snapshot(input);
    assert_eq!(snap.summary.unrecognised_lines, 0);
    let windows: Vec<_> = snap
        .history
        .iter()
        .flat_map(|w| w.entries.iter().map(move |e| (w.window.begin_local, w.window.end_local, e.access_count)))
        .collect();
    let (a, b, c) =
        (local("2025-03-01 11:45:00.000"), local("2025-03-01 12:00:00.000"), local("2025-03-01 12:15:00.000"));
    assert_eq!(windows, [(Some(a), Some(b), 2), (Some(a), Some(b), 5), (Some(a), Some(b), 1), (Some(b), Some(c), 1)]);
    // The short table's buckets are of a minute.
    let short = String::from_utf8(input.to_vec()).expect("utf-8").replace("Aggregated App Ops", "Discrete App Ops");
    let snap = snapshot(short.as_bytes());
    let w = &snap.history[0].window;
    assert_eq!(
        (w.begin_local, w.end_local),
        (Some(local("2025-03-01 11:58:00.000")), Some(local("2025-03-01 11:59:00.000")))
    );
}

#[test]
fn history_aggregates_written_from_the_grammar() {
    // Follows HistoricalRegistry's dump (aosp-mirror @032a65fa).
    let snap = snapshot(&fixture("synthetic/android12_history.txt"));
    assert_eq!(snap.summary.dialect, Dialect::HistoryOnly);
    assert_eq!(snap.history.len(), 2);
    let w = &snap.history[0];
    assert_eq!(
        (w.window.begin_local, w.window.begin_relative_ms),
        (Some(local("2021-06-01 12:00:00.000")), Some(-3_600_000))
    );
    assert_eq!(w.window.end_relative_ms, Some(-2_700_000));
    assert_eq!(w.entries.len(), 3);
    let cam = &w.entries[0];
    assert_eq!(
        (cam.uid.as_deref(), cam.package.as_deref(), cam.op.as_str()),
        (Some("u0a123"), Some("com.example"), "CAMERA")
    );
    assert_eq!((cam.access_count, cam.reject_count, cam.duration_ms), (3, 1, 5_000));
    assert_eq!((w.entries[1].access_count, w.entries[1].reject_count), (1, 0));
    let tagged = &w.entries[2];
    assert_eq!(
        (tagged.op.as_str(), tagged.attribution_tag.as_deref(), tagged.access_count),
        ("READ_CONTACTS", Some("sync"), 12)
    );
    assert_eq!(snap.history[1].entries[0].access_count, 7);
    assert_eq!(snap.summary.dump_time_local, Some(local("2021-06-01 13:00:00.000")));
}

/// Written by hand: the history's `Empty` (a registry with nothing persisted) and a `mode=` line of its own are no
/// records and nothing unknown; OEM lines there are counted.
#[test]
fn history_empty_and_mode_lines_are_skipped_and_oem_lines_counted() {
    let snap = snapshot(b"History:\n  mode=ENABLED_ACTIVE\n  Empty\n  OEM history note\n  OEM history total=0\n");
    assert_eq!(snap.summary.dialect, Dialect::HistoryOnly);
    assert_eq!(snap.summary.unrecognised_lines, 2);
    assert!(snap.history.is_empty());
}

#[test]
fn newest_sectioned_layout_written_from_the_grammar() {
    // Follows PixelOS-17 AppOpsService @2271b503 (`AppOps Service state:` without "Current").
    let snap = snapshot(&fixture("synthetic/android16_sectioned.txt"));
    assert_eq!(snap.summary.dialect, Dialect::DumpsysSectioned);
    assert_eq!(snap.uids.len(), 2);
    assert_eq!(snap.uids[1].prop("state"), Some("gone"));
    let fine = &snap.uids[1].packages[0].ops[1];
    let e = &fine.events[0];
    assert_eq!(
        (e.attribution_tag.as_deref(), e.flags.clone()),
        (Some("tracking"), vec!["s".to_owned(), "tpd".to_owned()])
    );
    assert_eq!(e.proxy, Some(Proxy { uid: Some(1000), package: Some("android".into()), attribution_tag: None }));
    assert_eq!(e.duration_ms, Some(2_500));
    assert_eq!(
        (fine.running[0].attribution_tag.as_deref(), fine.running[0].started_ago_ms),
        (Some("tracking"), Some(60_000))
    );
    assert_eq!(fine.start_nesting, vec![(Some("tracking".to_owned()), 2)]);
    assert_eq!(snap.summary.unrecognised_lines, 0, "restrictions and profile owners are skipped, not unrecognised");
}

#[test]
fn android8_legacy_with_uid_modes_written_from_the_grammar() {
    // Follows SiXROM-OREO AppOpsService @7164d91c.
    let snap = snapshot(&fixture("synthetic/android8_legacy_uidmodes.txt"));
    assert_eq!(snap.summary.dialect, Dialect::DumpsysLegacy);
    // The user restrictions after the uid blocks (`Restricted ops: [CAMERA]`) are no op state either.
    assert_eq!(snap.summary.unrecognised_lines, 0);
    let uid = &snap.uids[0];
    assert_eq!(
        uid.modes.iter().map(|m| (m.op.as_str(), m.mode.as_str())).collect::<Vec<_>>(),
        [("RUN_IN_BACKGROUND", "1"), ("WAKE_LOCK", "0")]
    );
    let ops = &uid.packages[0].ops;
    assert_eq!(ops.len(), 3, "Started ops: and Audio Restrictions: are not op state");
    assert_eq!((ops[0].events[0].relative_ms, ops[0].running.len()), (Some(-62_003), 1));
    assert_eq!((ops[1].events[0].kind, ops[1].events[0].relative_ms), (EventKind::Reject, Some(-7_200_000)));
    let loc = &ops[2].events;
    assert_eq!(loc.len(), 2);
    assert_eq!((loc[0].duration_ms, loc[1].duration_ms), (Some(3_000), None), "duration belongs to the access");
}

#[test]
fn appops_section_found_inside_a_bugreport() {
    // The real Android 10 sample's uid blocks inside bugreport framing, with decoys in other services.
    let framed = snapshot(&fixture("synthetic/bugreport_embedded.txt"));
    let plain = snapshot(&real("mvt-project-mvt__dumpsys_appops_samsung_a10.txt"));
    assert!(framed.summary.embedded && !framed.summary.truncated);
    assert_eq!(framed.summary.dialect, Dialect::DumpsysQ);
    assert_eq!(framed.uids, plain.uids, "exactly the appops section, nothing from logcat or other services");
    assert_eq!(framed.summary.unrecognised_lines, 0);
}

/// A whole bugreport states the device's zone in its system properties, before the services: its times are read in
/// that zone when none is given (a zone given wins), exactly as with the zone given. Elsewhere the same line is no
/// statement: after the appops section began, in a dump that is no bugreport, or naming no zone.
#[test]
fn a_bugreport_states_the_device_zone_before_its_services() {
    use opsight_core::time::{CaptureContext, TimeBasis};
    let with_zone = fixture("synthetic/bugreport_with_zone.txt");
    let mut stated = snapshot(&with_zone);
    assert_eq!(stated.summary.device_zone.as_deref(), Some("Europe/Berlin"));
    let header = LocalTime::parse(b"2022-03-29 23:26:10").map(|(t, _)| t);
    assert_eq!(stated.summary.report_start_local, header, "its `== dumpstate:` header");
    let text = std::str::from_utf8(&with_zone).expect("utf-8").to_owned();
    let twice = text.replacen(
        "== dumpstate: 2022-03-29 23:26:10",
        "== dumpstate: 2022-03-29 23:26:10\n== dumpstate: 2023-01-01 00:00:00",
        1,
    );
    assert_eq!(snapshot(twice.as_bytes()).summary.report_start_local, header, "the first header counts");
    assert_eq!(stated.uids, snapshot(&fixture("synthetic/bugreport_embedded.txt")).uids, "the same appops section");
    stated.resolve_times(&CaptureContext::default());
    let mut given = snapshot(&fixture("synthetic/bugreport_embedded.txt"));
    let berlin = jiff::tz::TimeZone::get("Europe/Berlin").expect("zone");
    given.resolve_times(&CaptureContext { zone: Some(berlin), ..CaptureContext::default() });
    assert_eq!(stated.uids, given.uids, "dated as with --zone Europe/Berlin");
    let first = stated.uids.iter().flat_map(|u| &u.packages).flat_map(|p| &p.ops).flat_map(|o| &o.events).next();
    let first = first.expect("an event");
    assert_eq!(first.time_basis, Some(TimeBasis::LocalWithZone));
    // 2022-03-29 is summer time in Berlin: two hours ahead of UTC.
    assert_eq!(first.utc_ms, first.time_local.map(|l| l.0 - 2 * 3_600_000));
    // A zone given wins over the one stated.
    let tokyo = jiff::tz::TimeZone::get("Asia/Tokyo").expect("zone");
    let mut overridden = snapshot(&with_zone);
    overridden.resolve_times(&CaptureContext { zone: Some(tokyo), ..CaptureContext::default() });
    let first = overridden.uids.iter().flat_map(|u| &u.packages).flat_map(|p| &p.ops).flat_map(|o| &o.events).next();
    assert_eq!(first.and_then(|e| e.utc_ms), first.and_then(|e| e.time_local.map(|l| l.0 - 9 * 3_600_000)));

    let after = text.replace("[persist.sys.timezone]: [Europe/Berlin]\n", "")
        + "------ SYSTEM PROPERTIES (getprop) ------\n[persist.sys.timezone]: [Asia/Tokyo]\n";
    assert_eq!(snapshot(after.as_bytes()).summary.device_zone, None, "after the appops section");
    let plain = "[persist.sys.timezone]: [Asia/Tokyo]\n  Uid u0a1:\n    Package a.b:\n      CAMERA (allow):\n";
    assert_eq!(snapshot(plain.as_bytes()).summary.device_zone, None, "not a bugreport");
    // Only in the system properties section: other sections before it print text that apps write (a
    // notification's, a log's), which must not name the zone.
    let planted = text.replace(
        "------ SYSTEM PROPERTIES (getprop) ------",
        "DUMP OF SERVICE notification:\n  [persist.sys.timezone]: [Pacific/Kiritimati]\n------ SYSTEM LOG ------\n\
         [persist.sys.timezone]: [Pacific/Kiritimati]\n------ SYSTEM PROPERTIES (getprop) ------",
    );
    assert_eq!(snapshot(planted.as_bytes()).summary.device_zone.as_deref(), Some("Europe/Berlin"));
    let after_section = text.replace("[persist.sys.timezone]: [Europe/Berlin]\n", "").replace(
        "------ 0.031s was the duration of 'SYSTEM PROPERTIES' ------\n",
        "------ 0.031s was the duration of 'SYSTEM PROPERTIES' ------\n[persist.sys.timezone]: [Asia/Tokyo]\n",
    );
    assert_eq!(snapshot(after_section.as_bytes()).summary.device_zone, None, "after the section closed");
    // A bugreport joined after a dump: its start and zone come after events, and say nothing of them.
    let joined = format!("  Uid u0a1:\n    Package a.b:\n      CAMERA (allow):\n{text}");
    let joined = snapshot(joined.as_bytes()).summary;
    assert_eq!((joined.report_start_local, joined.device_zone), (None, None));
    for not_a_zone in ["", "Europe/Berlin; rm", "../../etc/passwd x"] {
        let odd = text.replace("[Europe/Berlin]", &format!("[{not_a_zone}]"));
        assert_eq!(snapshot(odd.as_bytes()).summary.device_zone, None, "{not_a_zone:?}");
    }
    // A name the time zone database does not know is kept as printed and dates nothing.
    let unknown = text.replace("Europe/Berlin", "Mars/Olympus_Mons");
    let mut unknown = snapshot(unknown.as_bytes());
    assert_eq!(unknown.summary.device_zone.as_deref(), Some("Mars/Olympus_Mons"));
    unknown.resolve_times(&CaptureContext::default());
    let first = unknown.uids.iter().flat_map(|u| &u.packages).flat_map(|p| &p.ops).flat_map(|o| &o.events).next();
    assert_eq!(first.and_then(|e| e.time_basis), None);
}

#[test]
fn noisy_oem_text_keeps_everything_it_can() {
    // The real Android 11 sample, re-indented with tabs, CRLF, trailing spaces, starting mid-uid, plus OEM lines.
    let snap = snapshot(&fixture("synthetic/oem_noisy_android11.txt"));
    let clean = snapshot(&real("lixiaogang03-blog__dumpsys_appops_android11_sunmi_qssi_2021.txt"));
    assert_eq!(snap.summary.lossy_lines, 1);
    assert_eq!(snap.summary.unrecognised_lines, 0);
    assert_eq!(snap.summary.event_lines_with_unread_words, 1, "`oemExtra=1` after an event's duration, counted");
    assert_eq!(snap.uids[0].uid, None, "an excerpt that starts mid-uid keeps its packages under an unnamed uid");
    assert_eq!(snap.uids[0].packages, clean.uids[0].packages, "tabs, CRLF and trailing spaces change nothing");
    let oem = &snap.uids[1];
    assert_eq!(
        (oem.uid.as_deref(), oem.prop("state"), oem.prop("someOemFlag")),
        (Some("u0a200"), Some("fgsvcl"), Some("42"))
    );
    assert_eq!((oem.modes[0].op.as_str(), oem.modes[0].mode.as_str()), ("AUTO_START", "5"));
    let pkg = &oem.packages[0];
    assert_eq!(
        pkg.package.as_deref(),
        Some("com.miui.ex\u{fffd}ample"),
        "non-UTF-8 bytes read lossily, OEM words dropped"
    );
    let auto = &pkg.ops[0];
    assert_eq!((auto.op.as_str(), auto.mode.as_deref()), ("AUTO_START", Some("mode=5")));
    let e = &auto.events[0];
    assert_eq!(
        (e.uid_state.as_deref(), e.flags.clone()),
        (Some("unknown"), vec!["upd".to_owned(), "weird".to_owned()])
    );
    assert_eq!(e.duration_ms, Some(1_000));
    assert_eq!(pkg.ops[1].events[0].uid_state.as_deref(), Some("gone"));
    assert_eq!(
        (pkg.ops[2].op.as_str(), pkg.ops[2].events[0].attribution_tag.as_deref()),
        ("Unknown(10021)", Some("oem.tag"))
    );
}

/// OEM text after an op header's mode, or a header without its colon, still starts a new op: read as anything else,
/// the events under it would be charged to the op before it. Section headers with extra words still switch sections.
/// Written from the grammar (no real capture has these).
#[test]
fn oem_words_in_op_and_section_headers() {
    for header in [
        "READ_SMS (allow): extra",
        "READ_SMS (allow):  [oem]",
        "READ_SMS (allow / switch X=allow): miui",
        "READ_SMS (allow)",
    ] {
        let text = format!(
            "  Uid u0a1:\n    Package a.b:\n      CAMERA (allow):\n        null=[\n          Access: [top-s] 2022-03-29 23:03:03.763 (-24m50s324ms)\n        ]\n      {header}\n        null=[\n          Access: [bg-s] 2022-03-29 23:04:03.763 (-23m50s324ms)\n        ]\n"
        );
        let snap = snapshot(text.as_bytes());
        assert_eq!(snap.summary.unrecognised_lines, 0, "{header:?}");
        let ops = &snap.uids[0].packages[0].ops;
        let seen: Vec<_> = ops
            .iter()
            .map(|o| {
                (o.op.as_str(), o.mode.as_deref(), o.events.iter().map(|e| e.uid_state.as_deref()).collect::<Vec<_>>())
            })
            .collect();
        assert_eq!(
            seen,
            vec![("CAMERA", Some("allow"), vec![Some("top")]), ("READ_SMS", Some("allow"), vec![Some("bg")])],
            "{header:?}"
        );
    }
    let sectioned = String::from_utf8(fixture("synthetic/android16_sectioned.txt")).expect("utf-8");
    let clean = snapshot(sectioned.as_bytes());
    assert_eq!(clean.summary.dialect, Dialect::DumpsysSectioned);
    for (from, to) in
        [("AppOps Service state:", "AppOps Service state: (vendor)"), ("AppOps Uid Op State", "AppOps Uid Op State:")]
    {
        assert!(sectioned.contains(from), "{from}");
        let snap = snapshot(sectioned.replacen(from, to, 1).as_bytes());
        assert_eq!(snap.summary.dialect, Dialect::DumpsysSectioned, "{to:?}");
        assert_eq!(snap.summary.unrecognised_lines, clean.summary.unrecognised_lines, "{to:?}");
        assert_eq!(snap.uids, clean.uids, "{to:?}");
    }
    let current =
        snapshot(b"Current AppOps Service state: (vendor build)\n  Settings:\n    top_state_settle_time=+30s0ms\n");
    assert_eq!(current.summary.unrecognised_lines, 0);
}

/// Words an OEM adds to an event line (written here from the grammar, with invented vendor words: no capture with
/// them is public) are skipped, wherever they stand among the fields; the event and every field are kept, and the
/// line is counted, on one thread and on two.
#[test]
fn oem_words_on_event_lines_are_counted_and_the_events_kept() {
    let text = "Uid u0a7:\n  Package com.example:\n    CAMERA (allow):\n      null=[\n\
        Access: [top-s] 2021-01-11 16:01:05.086 (-1h5m27s679ms) vendorHint=3\n\
        Access: [fg-s] 2021-01-11 16:00:00.000 (-1h6m32s765ms) duration=+2s0ms oem proxy[uid=1000, pkg=android]\n\
        Reject: [bg-s]2021-01-11 15:00:00.000 (-2h6m32s765ms)\n      ]\n\
    READ_SMS (allow):\n      Access: top   = 2019-01-01 12:00:00.000 (-1h2m3s4ms) miui=1\n\
        bg    = 2019-01-01 11:00:00.000 (-2h2m3s4ms)\n";
    let snap = snapshot(text.as_bytes());
    assert_eq!((snap.summary.event_lines_with_unread_words, snap.summary.unrecognised_lines), (3, 0));
    let ops = &snap.uids[0].packages[0].ops;
    let camera: Vec<_> = ops[0].events.iter().map(|e| (e.relative_ms, e.duration_ms, e.proxy.is_some())).collect();
    assert_eq!(
        camera,
        vec![(Some(-3_927_679), None, false), (Some(-3_992_765), Some(2_000), true), (Some(-7_592_765), None, false)]
    );
    assert_eq!(ops[1].events.len(), 2, "the Android 9 line and its continuation");
    let mut on_two = opsight_core::parse::Tally::default();
    let summary = opsight_core::parse::parse_reader_parallel(text.repeat(2000).as_bytes(), &mut on_two).expect("read");
    assert_eq!(summary.event_lines_with_unread_words, 6000);
}

#[test]
fn truncated_inside_an_open_block_keeps_what_came_before() {
    let input = real("lixiaogang03-blog__dumpsys_appops_android11_sunmi_qssi_2021.txt");
    let text = String::from_utf8(input).expect("utf-8");
    let cut =
        text.find("          Access: [bg-s] 2021-01-11 15:01:04.947 (-2h5m27s818ms) duration=+304ms").expect("line");
    let snap = snapshot(&text.as_bytes()[..cut]);
    assert!(snap.summary.truncated, "the GPS attribution block is still open");
    let gps = &snap.uids[0].packages[0].ops[2];
    assert_eq!((gps.op.as_str(), gps.events.len()), ("GPS", 1));
}

#[test]
fn truncated_mid_line_drops_the_cut_line_and_says_so() {
    let text = "  Uid u0a1:\n    Package a.b:\n      WAKE_LOCK (allow):\n          Access: [bg-s] 2022-03-29 23:03:03.763 (-24m50s324ms) duration=+3";
    let snap = snapshot(text.as_bytes());
    assert!(snap.summary.truncated);
    assert!(snap.uids[0].packages[0].ops[0].events.is_empty(), "`+3` of `+33ms` is not kept as 3 ms");
    let get = "WAKE_LOCK: allow; time=+5m55s466ms ago; duration=+2s8";
    assert!(snapshot(get.as_bytes()).summary.truncated);
}

#[test]
fn empty_and_garbage_inputs() {
    for input in [&b""[..], b"\n\n\n", b"\xff\xfe\x00garbage", b"Access: [fg-s] 2020-01-01 00:00:00.000 (-1s0ms)\n"] {
        let snap = snapshot(input);
        assert_eq!(snap.summary.dialect, Dialect::Unknown);
        assert!(snap.uids.is_empty());
    }
}

#[test]
fn newest_historical_service_state_written_from_the_grammar() {
    // No public capture exists. The newest `dumpsys appops --history` prints `AppOps Historical Service State:` and the
    // aggregated history under it, then nothing else (PixelOS-17 AppOpsService @2271b503; see the fixture's first lines).
    // By hand: 2 `snapshot:` windows; 4 `[key] =` lines in the first, 1 in the second. The `Uid`/`Package` lines of
    // the history are not op state.
    let input = fixture("synthetic/android16_historical_state.txt");
    let (s, t) = tally(&input);
    assert_eq!((s.dialect, s.has_history), (Dialect::HistoryOnly, true));
    assert_eq!((t.history_windows, t.history_entries), (2, 5));
    assert_eq!((t.uids, t.packages, t.ops, t.access_events, t.reject_events), (0, 0, 0, 0, 0));
    assert_eq!(s.unrecognised_lines, 3, "the three provenance lines at the top");
    // 09:00:00.000 + 1h = 09:15:00.000 + 45m = 08:00:00.000 + 2h = 10:00:00.000.
    assert_eq!((s.dump_time_local, s.dump_time_votes), (Some(local("2026-03-01 10:00:00.000")), 4));

    let snap = snapshot(&input);
    let counts: Vec<_> = snap.history.iter().map(|w| w.entries.len()).collect();
    assert_eq!(counts, [4, 1]);
    let w = &snap.history[0].window;
    assert_eq!((w.begin_local, w.begin_relative_ms), (Some(local("2026-03-01 09:00:00.000")), Some(-3_600_000)));
    assert_eq!((w.end_local, w.end_relative_ms), (Some(local("2026-03-01 09:15:00.000")), Some(-2_700_000)));
    // `[top-s] = access=4, reject=1, duration=+12s500ms` under u0a210 / com.tmall.wireless / `Attribution null:` / CAMERA.
    let cam = &snap.history[0].entries[0];
    assert_eq!(
        (cam.uid.as_deref(), cam.package.as_deref(), cam.op.as_str(), cam.attribution_tag.as_deref()),
        (Some("u0a210"), Some("com.tmall.wireless"), "CAMERA", None)
    );
    assert_eq!((cam.uid_state.as_deref(), cam.flags.as_slice()), (Some("top"), &["s".to_owned()][..]));
    assert_eq!((cam.access_count, cam.reject_count, cam.duration_ms), (4, 1, 12_500));
    // `[bg-s] = reject=2`: a key with rejects only.
    let bg = &snap.history[0].entries[1];
    assert_eq!((bg.uid_state.as_deref(), bg.access_count, bg.reject_count, bg.duration_ms), (Some("bg"), 0, 2, 0));
    let clip = &snap.history[0].entries[3];
    assert_eq!((clip.uid.as_deref(), clip.op.as_str(), clip.access_count), (Some("1000"), "READ_CLIPBOARD", 1));
    // Second window: `[fgsvc-s|tpd] = access=2, duration=+3s0ms`.
    let proxied = &snap.history[1].entries[0];
    assert_eq!(proxied.flags, vec!["s".to_owned(), "tpd".to_owned()]);
    assert_eq!((proxied.access_count, proxied.reject_count, proxied.duration_ms), (2, 0, 3_000));

    // A tag other than null, above its ops as AOSP prints it, holds for each op under it until the next tag or
    // package (the first version of this parser took the tag for the op's own and lost it at the next op).
    let text = String::from_utf8(input.clone()).expect("utf-8");
    let tagged = text.replacen("Attribution null:", "Attribution tracking:", 1);
    let tagged = snapshot(tagged.as_bytes());
    let tags: Vec<_> =
        tagged.history[0].entries.iter().map(|e| (e.op.as_str(), e.attribution_tag.as_deref())).collect();
    assert_eq!(
        tags,
        [
            ("CAMERA", Some("tracking")),
            ("CAMERA", Some("tracking")),
            ("READ_CONTACTS", Some("tracking")),
            ("READ_CLIPBOARD", None)
        ]
    );

    // The header alone opens the history section: without the registry's `History:  mode=` line nothing changes.
    let text = String::from_utf8(input).expect("utf-8");
    let line = "  History:  mode=ENABLED_ACTIVE\n";
    assert!(text.contains(line));
    let bare = snapshot(text.replacen(line, "", 1).as_bytes());
    assert_eq!((bare.summary.dialect, &bare.history), (Dialect::HistoryOnly, &snap.history));
}

#[test]
fn sectioned_layout_with_watchers_and_uid_state_log_written_from_the_grammar() {
    // No public capture exists. `dumpsys appops -a` of the newest layout (as in a bugreport): `AppOps Watchers`,
    // `AppOps Restrictions`, `AppOps Uid Op State`, then `Uid State Changes Event Log:` (PixelOS-17 AppOpsService
    // @2271b503, AppOpsUidStateTrackerImpl.dumpEvents). By hand, in `AppOps Uid Op State`: `Uid 1000` and `Uid u0a210`,
    // 2 `Package`, 3 op headers (READ_CLIPBOARD, READ_CONTACTS, CAMERA), 1 `COARSE_LOCATION: mode=foreground`,
    // 2 `Access:`, 1 `Reject:`. The watcher lines (`op=CAMERA`, `op=READ_SMS` …) and the log lines (`uid=10210`,
    // `code=CAMERA  result=allow` …) are none of these.
    let input = fixture("synthetic/android16_sectioned_all_sections.txt");
    let (s, t) = tally(&input);
    assert_eq!(s.dialect, Dialect::DumpsysSectioned);
    assert_eq!(counts(&t), (2, 2, 3, 1, 2, 1));
    assert_eq!((t.running, t.history_entries, t.discrete_events), (0, 0, 0));
    assert_eq!(s.unrecognised_lines, 2, "the two provenance lines at the top; watchers and the log are skipped");
    assert_eq!((s.dump_time_local, s.dump_time_votes), (Some(local("2026-03-01 10:00:00.000")), 3));

    let snap = snapshot(&input);
    let ops: Vec<_> = snap.uids.iter().flat_map(|u| &u.packages).flat_map(|p| &p.ops).map(|o| o.op.as_str()).collect();
    assert_eq!(ops, ["READ_CLIPBOARD", "READ_CONTACTS", "CAMERA"]);
    let tmall = &snap.uids[1];
    assert_eq!(
        tmall.props,
        vec![
            ("state".to_owned(), "top".to_owned()),
            ("capability".to_owned(), "LCMNFUA".to_owned()),
            ("appWidgetVisible".to_owned(), "false".to_owned())
        ],
        "nothing from the log's `uidState=` / `capability=` columns"
    );
    let contacts = &tmall.packages[0].ops[0];
    assert_eq!(contacts.events.len(), 2);
    // `Reject: [bg-s]2026-03-01 09:45:00.000 (-15m0s0ms)`
    let e = &contacts.events[1];
    assert_eq!(e.kind, EventKind::Reject);
    assert_eq!((e.uid_state.as_deref(), e.flags.as_slice()), (Some("bg"), &["s".to_owned()][..]));
    assert_eq!(e.attribution_tag, None, "`null=[`");
    assert_eq!((e.time_local, e.relative_ms), (Some(local("2026-03-01 09:45:00.000")), Some(-900_000)));
    assert_eq!((e.duration_ms, e.proxy.as_ref()), (None, None));
    assert_eq!(contacts.events[0].duration_ms, Some(1_200));
    assert!(tmall.packages[0].ops[1].events.is_empty(), "CAMERA: a bare header; the log's `code=CAMERA` is no event");

    // Section headers printed with a colon read the same.
    let text = String::from_utf8(input).expect("utf-8");
    let colon = snapshot(text.replacen("AppOps Watchers\n", "AppOps Watchers:\n", 1).as_bytes());
    assert_eq!((colon.summary.unrecognised_lines, &colon.uids), (2, &snap.uids));
}

#[test]
fn a_uid_header_with_oem_words_in_parentheses_is_a_uid_header() {
    // OEM builds add words to headers (`Package com.x (shared):`); a uid header so extended ends with `):` as an op
    // header does, and must still open the uid, not be read as an op.
    let dump = "Current AppOps Service state:\n  Uid u0a1 (vendor):\n    state=top\n    Package com.x:\n      CAMERA (allow):\n        null=[\n          Access: [top-s] 2024-05-01 10:00:00.000 (-1s0ms)\n        ]\n";
    let snap = snapshot(dump.as_bytes());
    assert_eq!(snap.summary.unrecognised_lines, 0);
    assert_eq!((snap.uids.len(), snap.uids[0].uid.as_deref()), (1, Some("u0a1")));
    assert_eq!(snap.uids[0].packages[0].ops[0].events.len(), 1);
}

#[test]
fn each_android11_uid_key_alone_says_android11() {
    // Written by hand from the Android 11 grammar (brief §2.4): `capability=`, `pendingCapability=` and
    // `appWidgetVisible=` are printed from Android 11 on. An excerpt of uids whose ops have no events (so no
    // attribution blocks) is still Android 11+ when any one of them is there.
    for key in ["capability=---", "pendingCapability=---", "appWidgetVisible=false"] {
        let dump = format!("  Uid u0a1:\n    state=cch\n    {key}\n    Package com.x:\n      CAMERA (allow):\n");
        let (s, t) = tally(dump.as_bytes());
        assert_eq!((s.dialect, s.unrecognised_lines), (Dialect::DumpsysAttributed, 0), "{key}");
        assert_eq!(counts(&t), (1, 1, 1, 0, 0, 0), "{key}");
    }
    let (s, _) = tally(b"  Uid u0a1:\n    state=cch\n    Package com.x:\n      CAMERA (allow):\n");
    assert_eq!(s.dialect, Dialect::DumpsysQ, "without them: Android 9 or later, nothing narrower");
}

#[test]
fn an_android9_duration_line_needs_its_op() {
    // Written by hand from the Android 9 grammar: `duration=` on its own line is the last duration of the op above
    // it. An excerpt that starts below a package's op header has no op to give it to: the line is unknown, and no
    // op is made up for it. Under a uid, before its packages, the same `key=value` text is a uid property.
    let no_op = "    Package com.x:\n          duration=+2s0ms\n      CAMERA (allow): \n          duration=+5s0ms\n";
    let snap = snapshot(no_op.as_bytes());
    assert_eq!(snap.summary.unrecognised_lines, 1);
    let ops: Vec<_> = snap.uids[0].packages[0].ops.iter().map(|o| (o.op.as_str(), o.last_duration_ms)).collect();
    assert_eq!(ops, [("CAMERA", Some(5_000))]);
    let uid = snapshot(b"  Uid u0a1:\n    duration=+2s0ms\n    Package com.x:\n");
    assert_eq!(uid.uids[0].props, [("duration".to_owned(), "+2s0ms".to_owned())]);
    assert!(uid.uids[0].packages[0].ops.is_empty());
}

#[test]
fn android9_reject_continuation_line_written_from_the_grammar() {
    // No public Android 9 capture exists. Bootleggers-pie AppOpsService @34240df7 dumpTimesLocked prints the first
    // uid state after `Access: ` / `Reject: ` and every further one on an 18-space continuation line, in uid-state
    // order (pers, top, fgsvc, fg, bg, cch), names padded to 5. A continuation after `Reject:` is a reject.
    let input = "Current AppOps Service state:\n  Uid u0a57:\n    state=top  \n    Package com.x:\n      \
FINE_LOCATION (allow): \n          Access: top   = 2019-01-01 12:00:00.000 (-1h2m3s4ms)\n          \
Reject: fg    = 2019-01-01 10:00:00.000 (-3h2m3s4ms)\n                  bg    = 2019-01-01 09:00:00.000 (-4h2m3s4ms)\n          \
duration=+2s0ms\n      CAMERA (allow): \n          Access: pers  = 2019-01-01 12:30:00.000 (-32m3s4ms)\n                  \
top   = 2019-01-01 12:31:00.000 (-31m3s4ms)\n";
    let (s, t) = tally(input.as_bytes());
    assert_eq!(s.dialect, Dialect::DumpsysPie);
    assert_eq!((t.uids, t.packages, t.ops, t.access_events, t.reject_events), (1, 1, 2, 3, 2));
    assert_eq!(s.unrecognised_lines, 0);
    // Every line implies 13:02:03.004 (e.g. 09:00:00.000 + 4h2m3s4ms).
    assert_eq!((s.dump_time_local, s.dump_time_votes), (Some(local("2019-01-01 13:02:03.004")), 5));

    let snap = snapshot(input.as_bytes());
    let fine = &snap.uids[0].packages[0].ops[0];
    let got: Vec<_> = fine.events.iter().map(|e| (e.kind, e.uid_state.as_deref(), e.relative_ms)).collect();
    assert_eq!(
        got,
        vec![
            (EventKind::Access, Some("top"), Some(-3_723_004)),
            (EventKind::Reject, Some("fg"), Some(-10_923_004)),
            (EventKind::Reject, Some("bg"), Some(-14_523_004)),
        ]
    );
    // The continuation line, field by field.
    let bg = &fine.events[2];
    assert_eq!(bg.time_local, Some(local("2019-01-01 09:00:00.000")));
    assert!(bg.flags.is_empty(), "Android 9 has no flags");
    assert_eq!((bg.attribution_tag.as_ref(), bg.duration_ms, bg.proxy.as_ref()), (None, None, None));
    assert_eq!(fine.last_duration_ms, Some(2_000), "`duration=` is the op's, not the continuation's");
    // A continuation after `Access:` stays an access, and keeps its own state.
    let cam = &snap.uids[0].packages[0].ops[1];
    let got: Vec<_> =
        cam.events.iter().map(|e| (e.kind, e.uid_state.as_deref(), e.time_local, e.relative_ms)).collect();
    assert_eq!(
        got,
        vec![
            (EventKind::Access, Some("pers"), Some(local("2019-01-01 12:30:00.000")), Some(-1_923_004)),
            (EventKind::Access, Some("top"), Some(local("2019-01-01 12:31:00.000")), Some(-1_863_004)),
        ]
    );
}

#[test]
fn an_inline_op_with_an_unreadable_time_keeps_the_op_and_says_so() {
    // Written by hand: `time=+3s ago` is no time Android prints (`formatDuration` ends with the `ms` field). The op is
    // kept, its access cannot be, and the summary counts the line as not read rather than losing it silently.
    let input = b"Uid mode: COARSE_LOCATION: allow\nCAMERA: mode=0; time=+3s ago\nREAD_SMS: allow; time=+1s5ms ago\n";
    let (s, t) = tally(input);
    assert_eq!((t.ops, t.access_events, t.reject_events), (2, 1, 0));
    assert_eq!(s.unrecognised_lines, 1);
    let snap = snapshot(input);
    let ops: Vec<_> = snap.uids.iter().flat_map(|u| &u.packages).flat_map(|p| &p.ops).collect();
    assert_eq!(
        ops.iter().map(|o| (o.op.as_str(), o.events.len())).collect::<Vec<_>>(),
        [("CAMERA", 0), ("READ_SMS", 1)]
    );
    assert_eq!(ops[1].events[0].relative_ms, Some(-1_005));
}

#[test]
fn history_windows_get_utc_instants_by_the_events_rule() {
    // The newest history fixture's first window: 09:00:00.000 (-1h0m0s0ms) to 09:15:00.000 (-45m0s0ms).
    let mut snap = snapshot(&fixture("synthetic/android16_historical_state.txt"));
    assert_eq!((snap.history[0].begin_utc_ms, snap.history[0].end_utc_ms), (None, None));
    let utc = |s: &str| s.parse::<jiff::Timestamp>().expect("instant").as_millisecond();
    // With the zone (UTC+8): the local times converted.
    let zone = jiff::tz::TimeZone::get("Asia/Shanghai").expect("tzdb has Asia/Shanghai");
    snap.resolve_times(&opsight_core::time::CaptureContext { zone: Some(zone), ..Default::default() });
    let w = &snap.history[0];
    assert_eq!((w.begin_utc_ms, w.end_utc_ms), (Some(utc("2026-03-01T01:00:00Z")), Some(utc("2026-03-01T01:15:00Z"))));
    assert_eq!(w.time_basis, Some(opsight_core::time::TimeBasis::LocalWithZone));
    // Without it: the capture instant plus the relative times.
    let mut snap = snapshot(&fixture("synthetic/android16_historical_state.txt"));
    let cap = utc("2026-03-01T02:00:00Z");
    snap.resolve_times(&opsight_core::time::CaptureContext { captured_at_utc_ms: Some(cap), ..Default::default() });
    let w = &snap.history[0];
    assert_eq!((w.begin_utc_ms, w.end_utc_ms), (Some(cap - 3_600_000), Some(cap - 2_700_000)));
    assert_eq!(w.time_basis, Some(opsight_core::time::TimeBasis::CaptureRelative));
    assert_eq!(snapshot(&fixture("synthetic/android16_historical_state.txt")).history[0].time_basis, None);
}

#[test]
fn an_excerpt_that_starts_inside_a_uid_block_keeps_its_properties_and_modes() {
    // Written from the grammar (Android 9+): a uid's `state=` and its `OP: mode=<name>` lines come before its packages.
    // Without the `Uid` header they still belong to the uid, not to a package nobody named.
    let input = b"    state=cch\n      COARSE_LOCATION: mode=ignore\n      LEGACY_STORAGE: mode=allow\n    Package com.facebook.katana:\n      READ_CONTACTS (allow):\n          Access: [bg-tpd] 2022-03-07 18:05:34.325 (-22d4h22m19s762ms)\n";
    let snap = snapshot(input);
    assert_eq!(snap.summary.unrecognised_lines, 0);
    assert_eq!(snap.uids.len(), 1);
    let uid = &snap.uids[0];
    assert_eq!(uid.uid, None);
    assert_eq!(uid.props, [("state".to_owned(), "cch".to_owned())]);
    let modes: Vec<_> = uid.modes.iter().map(|m| (m.op.as_str(), m.mode.as_str())).collect();
    assert_eq!(modes, [("COARSE_LOCATION", "ignore"), ("LEGACY_STORAGE", "allow")]);
    assert_eq!(uid.packages.len(), 1);
    assert_eq!(uid.packages[0].package.as_deref(), Some("com.facebook.katana"));
    // Any `key=value` text is no evidence of a uid: only the keys AOSP prints there are kept without a `Uid` line.
    let text = snapshot(b"foo=bar\nhello=world\n");
    assert!(text.uids.is_empty());
    assert_eq!(text.summary.unrecognised_lines, 2);
    // Up to Android 8.1 an op line has this form with a number for its mode: still an op.
    let legacy = snapshot(b"VIBRATE: mode=0\n");
    assert!(legacy.uids[0].modes.is_empty());
    assert_eq!(legacy.uids[0].packages[0].ops[0].op, "VIBRATE");
}

#[test]
fn key_value_lines_that_belong_to_nothing_are_counted_not_dropped() {
    // Written by hand: OEM lines inside an attribution block and a package, an Android 9 continuation with no
    // `Access:`/`Reject:` line above it, and a `startNesting=` that is no number.
    let input = b"  Uid u0a1:\n    Package com.x:\n      CAMERA (allow):\n        null=[\n          Access: [top-s] 2022-01-01 00:00:00.000 (-1s0ms)\n          oemExtra=5\n        ]\n      oemKey=7\n      RECORD_AUDIO (allow): \n                  bg    = 2019-01-01 11:00:00.000 (-2h2m3s4ms)\n          startNesting=many\n";
    let snap = snapshot(input);
    assert_eq!(snap.summary.unrecognised_lines, 4);
    let ops = &snap.uids[0].packages[0].ops;
    assert_eq!(ops.iter().map(|o| o.events.len()).collect::<Vec<_>>(), [1, 0]);
    assert!(snap.uids[0].props.is_empty(), "none of them is a uid property");
    assert!(ops[1].start_nesting.is_empty());
}

#[test]
fn the_last_line_without_a_newline_is_kept_when_whole_and_reported_when_cut() {
    // Written by hand from the grammar. Whole lines that end with a mode number or a time to the millisecond are kept.
    let legacy = snapshot(b"Current AppOps Service state:\n  Uid u0a87:\n    Package com.example:\n      VIBRATE: mode=0; time=+39s500ms ago\n      READ_SMS: mode=1");
    assert!(!legacy.summary.truncated);
    let ops = &legacy.uids[0].packages[0].ops;
    assert_eq!((ops[1].op.as_str(), ops[1].mode.as_deref()), ("READ_SMS", Some("1")));
    let discrete = snapshot(b"Discrete accesses: \n  Uid: 10123\n    Package: com.x\n      CAMERA\n        Attribution: null\n          Access [top-s] at 2022-06-01 09:00:00.000");
    assert!(!discrete.summary.truncated);
    assert_eq!(discrete.discrete.len(), 1);
    assert_eq!(discrete.discrete[0].time_local, Some(local("2022-06-01 09:00:00.000")));
    // A line cut where a whole line could end (`]`) but that is no line: cut, not an unrecognised line.
    let cut = snapshot(b"Current AppOps Service state:\n  Uid u0a1:\n    Package com.x:\n      CAMERA (allow):\n          Access: [bg-s]");
    assert!(cut.summary.truncated);
    assert_eq!(cut.summary.unrecognised_lines, 0);
    // A number that may have been cut (`startNesting=2` of `=23`) is not kept.
    let nesting = snapshot(b"  Uid u0a1:\n    Package com.x:\n      CAMERA (allow):\n          startNesting=2");
    assert!(nesting.summary.truncated);
    assert!(nesting.uids[0].packages[0].ops[0].start_nesting.is_empty());
    // `Running start at:` cut before its duration is no running entry.
    let running = snapshot(b"  Uid u0a1:\n    Package com.x:\n      CAMERA (allow):\n          Running start at:");
    assert!(running.summary.truncated);
    assert!(running.uids[0].packages[0].ops[0].running.is_empty());
    // A watcher cut inside its braces, in a section that is skipped: still a cut input.
    let watcher = snapshot(b"Current AppOps Service state:\n  Op mode watchers:\n    Op COARSE_LOCATION:\n      #0: ModeCallback{b8f1a14 watchinguid=-1 flags=0");
    assert!(watcher.summary.truncated);
}

#[test]
fn legacy_times_keep_their_sign_and_a_running_op_its_start() {
    // Written from the Android 5-8.1 source: `time=` is `formatDuration(now - time)` followed by ` ago`, so a negative
    // value is after the dump's "now"; `startOperation` sets the time to the start and prints ` (running)`.
    let snap = snapshot(b"CAMERA: allow; time=-5m0s0ms ago\nWAKE_LOCK: allow; time=+1m0s0ms ago (running)\n");
    let ops = &snap.uids[0].packages[0].ops;
    assert_eq!(ops[0].events[0].relative_ms, Some(300_000));
    assert_eq!(ops[1].events[0].relative_ms, Some(-60_000));
    assert_eq!(ops[1].running.len(), 1);
    assert_eq!(ops[1].running[0].started_ago_ms, Some(60_000));
    // The real LG capture: com.mxspy's location op, running since 4h10m10s565ms.
    let lg = snapshot(&real("stopipv-isdi__dumpsys_appops_lg_phoenix_lv1_att_android6.0.1_2018-03-12.txt"));
    let running: Vec<_> = lg
        .uids
        .iter()
        .flat_map(|u| &u.packages)
        .filter(|p| p.package.as_deref() == Some("com.mxspy"))
        .flat_map(|p| &p.ops)
        .filter(|o| o.op == "MONITOR_LOCATION")
        .flat_map(|o| &o.running)
        .collect();
    assert_eq!(running.len(), 1);
    assert_eq!(running[0].started_ago_ms, Some(15_010_565));
}

#[test]
fn newest_sqlite_history_table_written_from_the_grammar() {
    // No public capture exists. With the SQLite history on, `dumpsys appops --history` prints the aggregation buckets,
    // then `AppOpHistoryHelper.dump`'s table: one row per key and bucket (and more, see
    // `sqlite_history_rows_are_placed_in_their_bucket`), placed in the bucket of its ACCESS_TIME. By hand: 4 rows in 3
    // buckets of 15 minutes (two rows share 09:00).
    let input = fixture("synthetic/android16_sqlite_history.txt");
    let (s, t) = tally(&input);
    assert_eq!((s.dialect, s.has_history), (Dialect::HistoryOnly, true));
    assert_eq!((t.history_windows, t.history_entries), (3, 4));
    assert_eq!(s.unrecognised_lines, 3, "the three provenance lines at the top");
    let snap = snapshot(&input);
    assert_eq!(snap.history.iter().map(|w| w.entries.len()).collect::<Vec<_>>(), [2, 1, 1]);
    let w = &snap.history[0].window;
    assert_eq!(
        (w.begin_local, w.end_local),
        (Some(local("2026-03-01 09:00:00.000")), Some(local("2026-03-01 09:15:00.000")))
    );
    assert_eq!((w.begin_relative_ms, w.end_relative_ms), (None, None));
    // `10210|com.tmall.wireless|default:0|FINE_LOCATION|com.tmall.wireless.location|2026-03-01 09:00:00.000|2|0|0|bg|s|-1|0`
    let loc = &snap.history[0].entries[1];
    assert_eq!(
        (loc.uid.as_deref(), loc.package.as_deref(), loc.op.as_str(), loc.attribution_tag.as_deref()),
        (Some("10210"), Some("com.tmall.wireless"), "FINE_LOCATION", Some("com.tmall.wireless.location"))
    );
    assert_eq!((loc.uid_state.as_deref(), loc.flags.as_slice()), (Some("bg"), &["s".to_owned()][..]));
    assert_eq!((loc.access_count, loc.reject_count, loc.duration_ms), (2, 0, 0));
    let wake = &snap.history[1].entries[0];
    assert_eq!((wake.op.as_str(), wake.access_count, wake.duration_ms), ("WAKE_LOCK", 3, 1_500));
    let sms = &snap.history[2].entries[0];
    assert_eq!((sms.op.as_str(), sms.access_count, sms.reject_count), ("READ_SMS", 0, 4));

    // A plain dump prints the last hour of location, microphone and camera ops after the uid op state, in buckets of
    // the short interval (1 minute).
    let plain = snapshot(&fixture("synthetic/android16_sqlite_last_hour.txt"));
    assert_eq!(plain.summary.unrecognised_lines, 3);
    assert_eq!(plain.uids.len(), 1);
    assert_eq!(plain.history.len(), 1);
    let w = &plain.history[0].window;
    assert_eq!(
        (w.begin_local, w.end_local),
        (Some(local("2026-03-01 09:59:00.000")), Some(local("2026-03-01 10:00:00.000")))
    );
    let cam = &plain.history[0].entries[0];
    assert_eq!((cam.op.as_str(), cam.access_count, cam.duration_ms), ("CAMERA", 1, 60_000));

    // Without the bucket line the rows are kept, their windows without an end.
    let text = String::from_utf8(input).expect("utf-8");
    let bucket = "SHORT_INTERVAL(Aggregation Bucket)=1 Minute, LONG_INTERVAL(Aggregation Bucket)=15 Minutes\n";
    assert!(text.contains(bucket));
    let bare = snapshot(text.replacen(bucket, "", 1).as_bytes());
    assert_eq!(bare.history.iter().map(|w| w.entries.len()).sum::<usize>(), 4);
    assert!(bare.history.iter().all(|w| w.window.end_local.is_none()));
}

#[test]
fn a_bom_before_the_indentation_keeps_the_first_line() {
    // Written by hand: a BOM, then an indented excerpt (the BOM used to be stripped after trimming, leaving the
    // indentation and losing the `Uid` line).
    let snap = snapshot(b"\xef\xbb\xbf  Uid u0a1:\n    Package com.x:\n      CAMERA (allow):\n          Access: [fg-s] 2021-01-11 16:01:05.086 (-1h5m27s679ms)\n");
    assert_eq!(snap.summary.unrecognised_lines, 0);
    assert_eq!(snap.uids[0].uid.as_deref(), Some("u0a1"));
    assert_eq!(snap.uids[0].packages[0].package.as_deref(), Some("com.x"));
}

#[test]
fn oem_words_after_names_in_history_and_discrete_headers() {
    // Written by hand: OEM words after the uid and package of the history and discrete sections are left out, as in
    // the op state, so that the same app is the same app in every section.
    let input = b"History:\n  snapshot:\n    begin = 2021-06-01 12:00:00.000  (-1h0m0s0ms)\n    end = 2021-06-01 12:15:00.000  (-45m0s0ms)\n    Uid u0a123 (extra):\n      Package com.example (shared):\n        CAMERA:\n          [top-s] = access=3, reject=1, duration=+5s0ms\nDiscrete accesses:\n  Uid: 10123 (x)\n    Package: com.example (shared)\n      CAMERA\n        Attribution: null\n          Access [top-s] at 2021-06-01 12:00:00.000\n";
    let snap = snapshot(input);
    let e = &snap.history[0].entries[0];
    assert_eq!((e.uid.as_deref(), e.package.as_deref()), (Some("u0a123"), Some("com.example")));
    let d = &snap.discrete[0];
    assert_eq!((d.uid.as_deref(), d.package.as_deref()), (Some("10123"), Some("com.example")));
}

/// Written by hand: in the `UID|…` table form, only a line with a `|` is a row, and a row's time is read whole. A line
/// without one after the table is read as itself (here the op state's `Uid` block that the newest layouts print after
/// the discrete dump, and `Largest chain id`); a time with anything after it is neither a local time nor an instant;
/// a row with fewer fields than its header names, even one ended by a newline, was cut.
#[test]
fn discrete_table_rows_have_bars_and_whole_times() {
    let input = format!(
        "Discrete accesses:\n{DISCRETE_TABLE_HEADER}\n10123|com.x|default|CAMERA|null|top|s|0|-1|2025-01-01 12:00:00.000|1000\n\
         10123|com.x|default|CAMERA|null|top|s|0|-1|2025-01-01 12:01:00.000x|1000\n\
         10123|com.x|default|CAMERA|null|top|s|0|-1|1735732920000|1000\n\
         10123|com.x|default|CAMERA|null|top|s|0|-1|2025-01-01 12:03:00.000\n\
         Largest chain id: 42\n  Uid 10123:\n    state=top\n"
    );
    let snap = snapshot(input.as_bytes());
    assert_eq!(snap.summary.unrecognised_lines, 2, "the row whose time runs on, the row short of its header's columns");
    let times: Vec<_> = snap.discrete.iter().map(|d| (d.time_local, d.time_utc_ms)).collect();
    assert_eq!(times, vec![(Some(local("2025-01-01 12:00:00.000")), None), (None, Some(1_735_732_920_000))]);
    assert_eq!(snap.uids.len(), 1);
    assert_eq!((snap.uids[0].uid.as_deref(), snap.uids[0].prop("state")), (Some("10123"), Some("top")));
}

#[test]
fn cut_history_table_and_uid_mode_lines_are_not_records() {
    // Written by hand: the last line of each input was cut where a whole line could end. None may become a record
    // with fields decoded from the cut (a key with no counts, a row without its time, a mode with no value).
    let history = "History:\n  snapshot:\n    begin = 2021-06-01 12:00:00.000  (-1h0m0s0ms)\n    end = 2021-06-01 12:15:00.000  (-45m0s0ms)\n    Uid u0a123:\n      Package com.example:\n        CAMERA:\n          [top-s]";
    let table = format!(
        "Discrete accesses:\n{DISCRETE_TABLE_HEADER}\n10123|com.example|default|CAMERA|null|top|s|0|-1|2025-01-01 12:"
    );
    let short_row =
        format!("Discrete accesses:\n{DISCRETE_TABLE_HEADER}\n10123|com.example|default|CAMERA|null|top|s|");
    let uid_mode = "Uid mode: READ_CLIPBOARD:";
    for input in [history, &table, &short_row, uid_mode] {
        let snap = snapshot(input.as_bytes());
        assert!(snap.summary.truncated, "{input}");
        assert_eq!(snap.summary.unrecognised_lines, 0, "{input}");
        assert!(snap.history.iter().all(|w| w.entries.is_empty()), "{input}");
        assert!(snap.discrete.is_empty(), "{input}");
        assert!(snap.uids.iter().all(|u| u.modes.is_empty()), "{input}");
    }
    // Whole, each is read.
    assert_eq!(snapshot(format!("{history} = access=3\n").as_bytes()).history[0].entries[0].access_count, 3);
    assert_eq!(snapshot(format!("{table}00:00.000|1000\n").as_bytes()).discrete.len(), 1);
}

#[test]
fn an_oem_name_value_line_inside_an_op_block_is_no_op() {
    // Written by hand: in a dump whose ops are `OP (mode):` headers, an OEM `Extra: vendor` line inside an op block
    // is counted, and the events after it stay with their op.
    let input = b"Current AppOps Service state:\n  Uid u0a119:\n    Package com.x:\n      FINE_LOCATION (allow):\n        null=[\n          Access: [fg-s] 2021-01-11 16:01:05.086 (-1h5m27s679ms)\n          Extra: vendor\n          Access: [bg-s] 2021-01-11 16:02:05.086 (-1h4m27s679ms)\n        ]\n";
    let snap = snapshot(input);
    assert_eq!(snap.summary.unrecognised_lines, 1);
    let ops = &snap.uids[0].packages[0].ops;
    assert_eq!(ops.len(), 1);
    assert_eq!(ops[0].events.iter().map(|e| e.uid_state.as_deref()).collect::<Vec<_>>(), [Some("fg"), Some("bg")]);
    // A line of the same form whose value is a mode is an op line (as `appops get` prints them): it is read as one.
    let with_op = [&input[..], b"      RECORD_AUDIO: ignore; time=+1s0ms ago\n"].concat();
    let snap = snapshot(&with_op);
    assert_eq!(snap.summary.unrecognised_lines, 1);
    let ops = &snap.uids[0].packages[0].ops;
    assert_eq!((ops.len(), ops[1].op.as_str(), ops[1].events[0].relative_ms), (2, "RECORD_AUDIO", Some(-1_000)));
    // The Android 9 fixture with such a line between an `Access:` line and its continuation keeps both events.
    let pie = String::from_utf8(fixture("synthetic/android9_pie.txt")).expect("utf-8");
    let (_, want) = tally(pie.as_bytes());
    let noisy = pie.replacen("                  bg    =", "          Note: x\n                  bg    =", 1);
    assert_ne!(noisy, pie);
    let (s, got) = tally(noisy.as_bytes());
    assert_eq!((got.ops, got.access_events, got.reject_events), (want.ops, want.access_events, want.reject_events));
    assert_eq!(s.unrecognised_lines, 1);
}

#[test]
fn a_plain_dumpsys_of_every_service_is_read_from_its_appops_section_only() {
    // Written by hand from dumpsys.cpp: a plain `dumpsys` (androidqf's `dumpsys.txt`) starts with the list of
    // services, then each one's dump. Nothing before `DUMP OF SERVICE appops:` is AppOps text.
    let input = b"Currently running services:\n  DockObserver\n  appops\n  Uid 1000:\nDUMP OF SERVICE DockObserver:\n  x\n--------- 0.001s was the duration of dumpsys DockObserver, ending at: 2022\nDUMP OF SERVICE appops:\nCurrent AppOps Service state:\n  Uid u0a1:\n    Package com.x:\n      CAMERA (allow):\n          Access: [top-s] 2022-03-29 23:00:00.000 (-27m54s87ms)\n--------- 0.031s was the duration of dumpsys appops, ending at: 2022\n";
    let snap = snapshot(input);
    assert!(snap.summary.embedded);
    assert_eq!(snap.summary.unrecognised_lines, 0);
    assert_eq!(snap.uids.iter().map(|u| u.uid.as_deref()).collect::<Vec<_>>(), [Some("u0a1")]);
}

#[test]
fn an_attribution_block_outside_any_op_is_no_evidence() {
    // Written by hand: any text whose line ends with `=[` (random bytes found it in 20 MB) was taken for an Android 11+
    // attribution block, and the input labelled `dumpsys_attributed`. Outside an op it is counted, not believed.
    let snap = snapshot(b"\x8f\x02 noise=[\n  ]\n");
    assert_eq!(snap.summary.dialect, Dialect::Unknown);
    assert_eq!(snap.summary.unrecognised_lines, 2);
    // Inside an op it is the usual block.
    let op = snapshot(b"  Uid u0a1:\n    Package com.x:\n      CAMERA (allow):\n        null=[\n          Access: [top-s] 2022-01-01 00:00:00.000 (-1s0ms)\n        ]\n");
    assert_eq!(op.summary.dialect, Dialect::DumpsysAttributed);
    assert_eq!(op.summary.unrecognised_lines, 0);
}

#[test]
fn a_uid_block_reads_the_same_whatever_came_before_it() {
    // Written by hand: whether a `Name: value` line is an op depends on the op it follows (one opened by an
    // `OP (mode):` header has no op lines under it), not on what the input showed earlier, so that a file parsed in
    // parts from its `Uid` lines reads as in one go (the parts test found a mix where it did not).
    let legacy = "  Uid u0a2:\n    Package com.y:\n      VIBRATE: mode=0; time=+1s0ms ago\n      Extra: vendor\n";
    let header = "  Uid u0a1:\n    Package com.x:\n      CAMERA (allow):\n          Access: [top-s] 2022-01-01 00:00:00.000 (-1s0ms)\n";
    let alone = snapshot(legacy.as_bytes());
    let after = snapshot(format!("{header}{legacy}").as_bytes());
    assert_eq!(after.uids[1], alone.uids[0]);
    assert_eq!(after.summary.unrecognised_lines, alone.summary.unrecognised_lines);
    assert_eq!(alone.uids[0].packages[0].ops[0].op, "VIBRATE");
}

/// Every date-time of `input` (`YYYY-MM-DD HH:MM:SS` and its fraction) written with the digits that start at `zero`,
/// as `SimpleDateFormat` writes them in a locale that uses them.
fn localise_times(input: &[u8], zero: char) -> Vec<u8> {
    const SHAPE: &[u8; 19] = b"0000-00-00 00:00:00";
    let digit = |b: u8| char::from_u32(u32::from(zero) + u32::from(b - b'0')).expect("a digit");
    let mut out = Vec::with_capacity(input.len() * 2);
    let mut i = 0;
    while i < input.len() {
        let fits = input
            .get(i..i + 19)
            .is_some_and(|w| w.iter().zip(SHAPE).all(|(&b, &s)| if s == b'0' { b.is_ascii_digit() } else { b == s }));
        if !fits {
            out.push(input[i]);
            i += 1;
            continue;
        }
        let mut end = i + 19;
        if input.get(end) == Some(&b'.') {
            end += 1;
            while input.get(end).is_some_and(u8::is_ascii_digit) {
                end += 1;
            }
        }
        for &b in &input[i..end] {
            if b.is_ascii_digit() {
                out.extend(digit(b).to_string().as_bytes());
            } else {
                out.push(b);
            }
        }
        i = end;
    }
    out
}

/// AppOps formats its times with `SimpleDateFormat` in the device's locale, which writes them in the locale's digits
/// (Arabic, Persian, Bengali, Marathi, Burmese, …); everything else it prints in ASCII. Written from that rule over
/// the real captures and the grammar's fixtures: each reads exactly as in ASCII digits, in every dialect that prints
/// times, also as the cut or whole last line of an input.
#[test]
fn times_in_other_scripts_digits_read_as_in_ascii() {
    // What was read, not how many bytes it took.
    let read = |input: &[u8]| {
        let mut snap = snapshot(input);
        snap.summary.bytes = 0;
        snap
    };
    let inputs = [
        real("lixiaogang03-blog__dumpsys_appops_android11_sunmi_qssi_2021.txt"),
        real("mvt-project-mvt__dumpsys_appops_samsung_a10.txt"),
        fixture("synthetic/android9_pie.txt"),
        fixture("synthetic/android12_discrete_xml.txt"),
        fixture("synthetic/android12_history.txt"),
        fixture("synthetic/android16_discrete_sqlite.txt"),
        fixture("synthetic/android16_sqlite_history.txt"),
        fixture("synthetic/android16_historical_state.txt"),
    ];
    // Arabic-Indic, extended Arabic-Indic (Persian), Devanagari (Marathi), Bengali, Myanmar.
    for zero in ['\u{0660}', '\u{06f0}', '\u{0966}', '\u{09e6}', '\u{1040}'] {
        for input in &inputs {
            let localised = localise_times(input, zero);
            assert_ne!(&localised, input, "the input has times");
            let want = read(input);
            assert!(want.summary.unrecognised_lines < 100);
            assert_eq!(read(&localised), want, "digits from {:?}", zero);
        }
        // The last line a discrete access ending with its time: whole, then cut in its milliseconds.
        let ascii = b"Discrete accesses:\n  Uid: 10123\n    Package: com.example\n      CAMERA\n        Attribution: null\n          Access [top-s] at 2022-06-01 09:00:00.000";
        let localised = localise_times(ascii, zero);
        assert_eq!(read(&localised), read(ascii));
        assert_eq!((read(&localised).summary.truncated, read(&localised).discrete.len()), (false, 1));
        let cut = &localised[..localised.len() - zero.len_utf8()];
        assert_eq!(read(cut), read(&ascii[..ascii.len() - 1]));
        assert_eq!((read(cut).summary.truncated, read(cut).discrete.len()), (true, 0));
    }
}

#[test]
fn a_legacy_excerpt_without_its_header_is_still_a_dumpsys() {
    // Written from the Android 5-8.1 grammar: uid blocks cut out of a `dumpsys appops` (no `Current AppOps Service
    // state:` line above them). The `Uid`/`Package` headers, which `appops get` never prints, make it a dumpsys.
    let excerpt = b"  Uid 1000:\n    Package android:\n      VIBRATE: mode=0; time=+39s500ms ago; duration=+59ms\n\
      COARSE_LOCATION: mode=0; time=+1m0s0ms ago; duration=0\n";
    let snap = snapshot(excerpt);
    assert_eq!(snap.summary.dialect, Dialect::DumpsysLegacy);
    let ops = &snap.uids[0].packages[0].ops;
    assert_eq!(ops[0].events[0].duration_ms, Some(59));
    // Lollipop prints `duration=0` too (the battery-historian capture): no duration, rather than one of 0 ms.
    assert_eq!((ops[1].events[0].relative_ms, ops[1].events[0].duration_ms), (Some(-60_000), None));
    // Cut further, from inside the uid (its `Package` header first) or to the uid's own lines (a uid mode): still a
    // dumpsys. The same op lines alone are `appops get` output.
    let package_only = snapshot(b"    Package android:\n      VIBRATE: mode=0; time=+39s500ms ago\n");
    assert_eq!((package_only.summary.dialect, package_only.uids[0].packages[0].ops.len()), (Dialect::DumpsysLegacy, 1));
    let uid_only = snapshot(b"  Uid 1000:\n    COARSE_LOCATION: mode=1\n");
    assert_eq!((uid_only.summary.dialect, uid_only.uids[0].modes.len()), (Dialect::DumpsysLegacy, 1));
    assert_eq!(snapshot(b"VIBRATE: mode=0; time=+39s500ms ago\n").summary.dialect, Dialect::AppopsGet);
}

#[test]
fn a_running_line_with_its_duration_keeps_both() {
    // Written by hand: AOSP prints a running op's `duration=` on a line of its own (the Android 9 fixture); when a
    // build prints it on the `Running start at:` line itself, the start and the duration are both kept.
    let snap = snapshot(
        b"  Uid u0a1:\n    Package com.x:\n      CAMERA (allow):\n          Running start at: +5s0ms duration=+1s500ms\n",
    );
    let running = &snap.uids[0].packages[0].ops[0].running;
    assert_eq!((running[0].started_ago_ms, running[0].duration_ms), (Some(5_000), Some(1_500)));
}

#[test]
fn an_appops_section_followed_by_another_service_is_not_cut() {
    // Written by hand from dumpsys.cpp: an appops section that printed no uid state (a phone with none), followed by
    // the next service's dump without the `---------` line between them. The section ended; nothing was cut. Had
    // the input stopped before the next service, the section would count as cut.
    let whole = b"DUMP OF SERVICE appops:\nCurrent AppOps Service state:\n  Settings:\n    top_state_settle_time=+30s0ms\nDUMP OF SERVICE batterystats:\n  x\n";
    let snap = snapshot(whole);
    assert!(snap.summary.embedded && !snap.summary.truncated);
    let cut = &whole[..whole.len() - "DUMP OF SERVICE batterystats:\n  x\n".len()];
    assert!(snapshot(cut).summary.truncated);
}

#[test]
fn an_excerpt_that_starts_at_the_watchers_skips_them() {
    // Written by hand from the Android 11 dump (the bench's generator prints the same): the watcher sections come
    // before any uid. An excerpt that starts at one has no `Current AppOps Service state:` or `Settings:` above it,
    // and its lines (`Op COARSE_LOCATION:`, `#0: ModeCallback{…}`, `6195dd9 ->`) are none of the dump's state.
    let excerpt = b"  Op mode watchers:\n    Op COARSE_LOCATION:\n      #0: ModeCallback{68f0e24 watchinguid=-1 flags=0x1 op=COARSE_LOCATION from uid=u0a41 pid=3444}\n  Package mode watchers:\n    Pkg com.android.mms.service:\n      #0: ModeCallback{e59de77 watchinguid=-1 flags=0x0 op=PLAY_AUDIO from uid=u0a41 pid=3444}\n  All op active watchers:\n    6195dd9 ->\n        [COARSE_LOCATION, FINE_LOCATION]\n        ActiveCallback{9336ba7 watchinguid=-1 from uid=u0a30 pid=2375}\n  Uid u0a1:\n    state=top\n    Package com.x:\n      CAMERA (allow):\n        null=[\n          Access: [top-s] 2022-03-29 23:00:00.000 (-27m54s87ms)\n        ]\n";
    let (s, t) = tally(excerpt);
    assert_eq!((s.dialect, s.unrecognised_lines, s.truncated), (Dialect::DumpsysAttributed, 0, false));
    assert_eq!(counts(&t), (1, 1, 1, 0, 1, 0));
}

#[test]
fn an_excerpt_that_starts_at_a_section_before_the_uids_skips_it() {
    // The service state's own sections (settings, profile owners, clients with their started ops, audio
    // restrictions, and the newest layout's `AppOps Watchers` and `AppOps Restrictions`) come before the uids, so in
    // a whole dump each falls in a skipped stretch anyway. An excerpt that starts at one has nothing above it: the
    // header itself must open a skipped section, or its lines (`uid=10087 pkg=… op=RECORD_AUDIO`, `PLAY_AUDIO:`,
    // `Usage AUDIO_USAGE_MEDIA: mode=1`, `Op CAMERA:`, `Restricted ops: [CAMERA]`) would be read as op state or
    // counted as unknown.
    let sectioned = "synthetic/android16_sectioned_all_sections.txt";
    for (file, from) in [
        ("appops/stopipv-isdi__dumpsys_appops_lg_phoenix_lv1_att_android6.0.1_2018-03-12.txt", "  Clients:"),
        ("appops/mvt-project-mvt__dumpsys_appops_samsung_a10.txt", "  Settings:"),
        ("synthetic/android8_legacy_uidmodes.txt", "  Audio Restrictions:"),
        (sectioned, "  Profile owners:"),
        (sectioned, "AppOps Watchers\n"),
        (sectioned, "AppOps Restrictions\n"),
    ] {
        let text = String::from_utf8_lossy(&fixture(file)).into_owned();
        let excerpt = &text[text.find(from).expect("the section")..];
        let (whole, part) = (snapshot(text.as_bytes()), snapshot(excerpt.as_bytes()));
        assert_eq!(part.uids, whole.uids, "{file} from {from:?}");
        let (s, t) = (&part.summary, tally(excerpt.as_bytes()).1);
        assert_eq!((s.dialect, s.unrecognised_lines, s.truncated), (whole.summary.dialect, 0, false), "{from:?}");
        assert_eq!(counts(&t), counts(&tally(text.as_bytes()).1), "{file} from {from:?}");
    }
    let whole = snapshot(&fixture(sectioned)).summary;
    assert_eq!((whole.dialect, whole.unrecognised_lines), (Dialect::DumpsysSectioned, 2), "its two provenance lines");
}

#[test]
fn only_the_duration_line_of_dumpsys_closes_an_appops_section() {
    // Written by hand from dumpsys.cpp: a service's section ends with `--------- <t>s was the duration of dumpsys
    // <service>, ending at: …` (or a line of dashes). A line of the section that starts with dashes for another
    // reason (an OEM separator) does not end it: the uids after it are still the dump's.
    let separator = "  --------- vendor extras ---------\n";
    let body = "Current AppOps Service state:\n  Uid u0a1:\n    Package com.x:\n      CAMERA (allow):\n          Access: [top-s] 2022-03-29 23:00:00.000 (-27m54s87ms)\n";
    let second = "  Uid u0a2:\n    Package com.y:\n      READ_SMS (allow):\n          Access: [bg-s] 2022-03-29 23:10:00.000 (-17m54s87ms)\n";
    let end = "--------- 0.031s was the duration of dumpsys appops, ending at: 2022\n";
    let (s, t) = tally(format!("DUMP OF SERVICE appops:\n{body}{separator}{second}{end}").as_bytes());
    assert!(s.embedded && !s.truncated);
    assert_eq!((counts(&t), s.unrecognised_lines), ((2, 2, 2, 0, 2, 0), 1), "the separator is an unknown line");
    // What follows the duration line is another service's; so is what follows the line of dashes dumpsys prints
    // between services (78 of them; 60 or more count), even with no duration line before it.
    for close in [end.to_owned(), format!("{}\n", "-".repeat(78)), format!("{}\n", "-".repeat(60))] {
        let (s, t) = tally(format!("DUMP OF SERVICE appops:\n{body}{close}{second}").as_bytes());
        assert_eq!((counts(&t), s.truncated), ((1, 1, 1, 0, 1, 0), false), "{close:?}");
    }
    let (s, t) = tally(format!("DUMP OF SERVICE appops:\n{body}{}\n{second}", "-".repeat(59)).as_bytes());
    assert_eq!((counts(&t), s.unrecognised_lines), ((2, 2, 2, 0, 2, 0), 1), "59 dashes are no rule");
}

#[test]
fn a_whole_bugreport_that_ends_inside_the_appops_section_was_cut() {
    // A whole bugreport (it starts with dumpstate's banner) has dumpsys close every section with its duration line,
    // so one that ends inside the appops section, even on a whole line after op state, was cut. An excerpt that
    // starts at `DUMP OF SERVICE appops:` and holds op state may simply have been copied without its trailer.
    let report = std::str::from_utf8(&fixture("synthetic/bugreport_embedded.txt")).expect("utf-8").to_owned();
    let end = report.find("--------- 0.031s was the duration of dumpsys appops").expect("the section's end");
    let cut_at = report[..end].rfind("Access:").expect("an event");
    let cut_at = cut_at + report[cut_at..].find('\n').expect("its end") + 1;
    let cut = snapshot(&report.as_bytes()[..cut_at]).summary;
    assert!(cut.embedded && cut.truncated);
    let excerpt_start = report.find("DUMP OF SERVICE appops:").expect("the section");
    let excerpt = snapshot(&report.as_bytes()[excerpt_start..cut_at]).summary;
    assert!(excerpt.embedded && !excerpt.truncated);
    assert!(!snapshot(report.as_bytes()).summary.truncated, "the whole report");
}

#[test]
fn an_appops_section_of_history_or_discrete_accesses_alone_cut_short_is_truncated() {
    // Written by hand from the grammar brief (§4, §5): an appops section of a bugreport that printed only the history
    // registry or only discrete accesses (no uid state). Stopped before the section's closing line, it started
    // printing AppOps state and stopped before any op state: cut. With the closing line it is whole.
    let end = "--------- 0.031s was the duration of dumpsys appops, ending at: 2022\n";
    for body in [
        "AppOps Historical Service State:\n  History:  mode=ENABLED_ACTIVE\n\n    snapshot:\n      begin = 2021-06-01 12:00:00.000  (-1h0m0s0ms)\n      end = 2021-06-01 12:15:00.000  (-45m0s0ms)\n",
        "Discrete accesses: \n  Uid: 10123\n    Package: com.x\n      CAMERA\n        Attribution: null\n          Access [top-s] at 2022-06-01 09:00:00.000\n",
    ] {
        let cut = format!("DUMP OF SERVICE appops:\n{body}");
        let s = snapshot(cut.as_bytes()).summary;
        assert!(s.embedded && s.truncated, "{body:?}");
        let whole = snapshot(format!("{cut}{end}").as_bytes()).summary;
        assert!(whole.embedded && !whole.truncated, "{body:?}");
    }
}

#[test]
fn appops_get_of_a_package_without_ops_is_appops_get_output() {
    // Written from AppOpsService's shell command (grammar brief, `appops get`): a package with no op entries prints
    // `No operations.`, and when one op was asked for, its default mode after it. Nothing to keep, nothing unknown.
    for input in [
        &b"No operations.\n"[..],
        b"No operations.\nDefault mode: allow\n",
        b"No operations.\r\nDefault mode: foreground",
    ] {
        let (s, t) = tally(input);
        assert_eq!((s.dialect, s.unrecognised_lines, s.truncated), (Dialect::AppopsGet, 0, false), "{input:?}");
        assert_eq!(counts(&t), (0, 0, 0, 0, 0, 0));
    }
}

#[test]
fn a_last_line_without_its_newline_is_read_when_whole() {
    // Written by hand: text copied from a terminal often lacks the final newline. A last line that is whole (the
    // `]` closing the attribution block, an event that ends as an event can) is read as any other line.
    let whole = "  Uid u0a1:\n    Package a.b:\n      WAKE_LOCK (allow):\n        null=[\n          Access: [bg-s] 2022-03-29 23:03:03.763 (-24m50s324ms) duration=+33ms\n        ]";
    let snap = snapshot(whole.as_bytes());
    assert!(!snap.summary.truncated, "the block was closed");
    assert_eq!(snap.summary.unrecognised_lines, 0);
    let event = whole.strip_suffix("\n        ]").expect("the block's end");
    let open = snapshot(event.as_bytes());
    assert!(open.summary.truncated, "the block is still open");
    assert_eq!(open.uids[0].packages[0].ops[0].events[0].duration_ms, Some(33), "the whole event line is kept");
}

#[test]
fn an_appops_section_that_holds_no_appops_text_is_not_cut() {
    // Written by hand after the message of AOSP's DumpUtils.checkDumpPermission: a bugreport taken without the DUMP
    // permission has a refusal where the appops dump would be, and may end there. That is no dump cut short: nothing
    // is said to be truncated (only a section that started printing AppOps state and stopped before any op is).
    let refused = b"DUMP OF SERVICE appops:\nPermission Denial: can't dump AppOps from from pid=4242, uid=2000 due to missing android.permission.DUMP permission\n";
    let snap = snapshot(refused);
    assert!(snap.summary.embedded && !snap.summary.truncated);
    assert_eq!(snap.summary.dialect, Dialect::Unknown);
    let started = b"DUMP OF SERVICE appops:\nCurrent AppOps Service state:\n  Settings:\n";
    assert!(snapshot(started).summary.truncated);
}

#[test]
fn the_attribution_policy_line_after_the_uid_blocks_is_framing() {
    // Written from AppOpsService.dump (Android 14–16, grammar brief §2.6): after the uid blocks and the restrictions
    // comes `  AppOps policy not set.` (or the policy's tags). It is the service's framing, not a line of the last
    // uid, and what follows it (the policy's tags, the uid state log) is skipped until a section the parser reads.
    let dump = "Current AppOps Service state:\n  Uid u0a1:\n    state=top\n    Package a.b:\n      CAMERA (allow):\n        null=[\n          Access: [top-s] 2024-05-01 10:00:00.000 (-1s0ms)\n        ]\n  AppOps policy not set.\n";
    let (s, t) = tally(dump.as_bytes());
    assert_eq!((s.dialect, s.unrecognised_lines, s.truncated), (Dialect::DumpsysAttributed, 0, false));
    assert_eq!(counts(&t), (1, 1, 1, 0, 1, 0));
    let (s, t) = tally(format!("{dump}      RECORD_AUDIO (allow):\n").as_bytes());
    assert_eq!((t.ops, s.unrecognised_lines), (1, 0), "skipped, not read into the last uid and not unknown");
}

#[test]
fn an_inline_op_needs_a_mode_and_skips_oem_words() {
    // Written by hand from the `appops get` grammar (`OP: mode; time=…`): `formatMode` prints one word. A line with
    // no mode is not read as an op (and is counted as unknown, not lost). Words an OEM adds (after the mode, after a
    // time, or as a part of their own) are skipped and counted; the op, its mode and its times are kept.
    let good = b"READ_SMS: allow; time=+1s5ms ago\n";
    let (s, t) = tally(good);
    assert_eq!((s.dialect, s.unrecognised_lines, t.ops, t.access_events), (Dialect::AppopsGet, 0, 1, 1));
    let (s, t) = tally(b"READ_SMS: ; time=+1s5ms ago\n");
    assert_eq!((t.ops, t.access_events, s.unrecognised_lines), (0, 0, 1));
    for line in [
        "READ_SMS: allow now; time=+1s5ms ago\n",
        "READ_SMS: allow; time=+1s5ms ago oem\n",
        "READ_SMS: allow; time=+1s5ms ago; oem=1\n",
        "Uid u0a2:\n  Package com.x:\n    READ_SMS: mode=0 oem; time=+1s5ms ago\n",
    ] {
        let snap = snapshot(line.as_bytes());
        let op = &snap.uids[0].packages[0].ops[0];
        let events: Vec<_> = op.events.iter().map(|e| (e.kind, e.relative_ms)).collect();
        assert_eq!((op.op.as_str(), events), ("READ_SMS", vec![(EventKind::Access, Some(-1005))]), "{line:?}");
        assert!(op.mode.as_deref() == Some("allow") || op.mode.as_deref() == Some("0"), "{line:?}");
        assert_eq!((snap.summary.unrecognised_lines, snap.summary.event_lines_with_unread_words), (0, 1), "{line:?}");
    }
    // A uid's mode with an OEM's words after it (`OP: mode=ignore oem=1`): the mode is its first word.
    let snap = snapshot(b"Uid u0a2:\n    COARSE_LOCATION: mode=ignore oem=1\n  Package com.x:\n");
    let modes: Vec<_> = snap.uids[0].modes.iter().map(|m| (m.op.as_str(), m.mode.as_str())).collect();
    assert_eq!(modes, [("COARSE_LOCATION", "ignore")]);
}

/// Written by hand from the grammar, with OEM forms no public capture shows: an op header whose name is no AOSP
/// name (a number, small letters) is an op of its own; one that cannot be read at all ends the op above it, so that
/// the events below it are dropped and counted, not charged to that op.
#[test]
fn oem_op_headers_start_their_own_ops() {
    let dump = "Uid u0a12:\n  Package com.x:\n    MIUIOP(10008) (ask):\n      Access: [top-s] 2022-01-01 10:00:01.000 (-1s0ms)\n\
                \x20   10008 (allow):\n      Access: [top-s] 2022-01-01 10:00:02.000 (-2s0ms)\n\
                \x20   auto_start (allow):\n      Access: [top-s] 2022-01-01 10:00:03.000 (-3s0ms)\n\
                \x20   OEM OP (allow):\n      Access: [top-s] 2022-01-01 10:00:04.000 (-4s0ms)\n";
    let snap = snapshot(dump.as_bytes());
    let ops: Vec<_> = snap.uids[0].packages[0]
        .ops
        .iter()
        .map(|o| (o.op.as_str(), o.mode.as_deref(), o.events.iter().map(|e| e.relative_ms).collect::<Vec<_>>()))
        .collect();
    assert_eq!(
        ops,
        [
            ("MIUIOP(10008)", Some("ask"), vec![Some(-1000)]),
            ("10008", Some("allow"), vec![Some(-2000)]),
            ("auto_start", Some("allow"), vec![Some(-3000)]),
        ]
    );
    assert_eq!(snap.summary.unrecognised_lines, 2, "the header not read, and its event");
}

/// Written by hand from the grammar: OEM words after a tag's `=[`, and `Package`/`Uid` headers that lost their
/// colon, still open what they open; `Uid` followed by no uid in the settings does not end them.
#[test]
fn headers_with_oem_words_or_without_their_colon_open_their_blocks() {
    let dump = "Uid u0a12:\n  Package com.a:\n    CAMERA (allow):\n      tracking=[ oem\n\
                \x20       Access: [top-s] 2022-01-01 10:00:00.000 (-1s0ms)\n        Running start at: +5s0ms\n      ]\n\
                \x20 Package com.b\n    READ_SMS (allow):\n      Access: [top-s] 2022-01-01 10:00:00.000 (-2s0ms)\n\
                Uid u0a13\n  Package com.c:\n    READ_SMS (allow):\n      Access: [top-s] 2022-01-01 10:00:00.000 (-3s0ms)\n";
    let snap = snapshot(dump.as_bytes());
    let camera = &snap.uids[0].packages[0].ops[0];
    assert_eq!(camera.events[0].attribution_tag.as_deref(), Some("tracking"));
    assert_eq!(camera.running[0].attribution_tag.as_deref(), Some("tracking"));
    let placed: Vec<_> = snap
        .uids
        .iter()
        .flat_map(|u| u.packages.iter().map(move |p| (u.uid.as_deref(), p.package.as_deref(), p.ops[0].events.len())))
        .collect();
    assert_eq!(
        placed,
        [(Some("u0a12"), Some("com.a"), 1), (Some("u0a12"), Some("com.b"), 1), (Some("u0a13"), Some("com.c"), 1)]
    );
    assert_eq!(snap.summary.unrecognised_lines, 0);
    // A `Uid` line not read still ends the uid above it: the packages below it are kept with no uid.
    let snap = snapshot(
        b"Uid u0a12:\n  Package com.a:\n    CAMERA (allow):\nUid of vendor x\n  Package com.b:\n    CAMERA (allow):\n",
    );
    let placed: Vec<_> = snap
        .uids
        .iter()
        .flat_map(|u| u.packages.iter().map(move |p| (u.uid.as_deref(), p.package.as_deref())))
        .collect();
    assert_eq!(placed, [(Some("u0a12"), Some("com.a")), (None, Some("com.b"))]);
    assert_eq!(snap.summary.unrecognised_lines, 1);
    // As the input's last line without its newline, a header without its colon may have been cut inside its name
    // (`Package com.android.mms` of `…mmsservice:`), though it ends as a duration would: not read, and truncated.
    for last in ["  Package com.android.mms", "Uid 10001ms"] {
        let snap = snapshot(format!("Uid u0a12:\n  Package com.a:\n    CAMERA (allow):\n{last}").as_bytes());
        assert!(snap.summary.truncated, "{last:?}");
        assert_eq!((snap.uids.len(), snap.uids[0].packages.len()), (1, 1), "{last:?}");
    }
    // In the settings, `Uid State:` is no uid: the settings go on, and nothing below is a uid's property.
    let settings = "Current AppOps Service state:\n  Settings:\n    top_state_settle_time=+5s0ms\n  Uid State:\n\
                    \x20   fg_service_state_settle_time=+5s0ms\n  Uid u0a1:\n    state=top\n";
    let snap = snapshot(settings.as_bytes());
    assert_eq!(snap.uids.len(), 1);
    assert_eq!(snap.uids[0].props, vec![("state".to_owned(), "top".to_owned())]);
}

/// Written by hand: a field AOSP prints, glued to more (`duration=+1m37s899msX`), cannot be read; the event is kept
/// and the line counted with the OEM words, not lost silently. As the input's last line, it is taken as cut.
#[test]
fn a_field_that_cannot_be_read_is_counted() {
    let head = "Uid u0a12:\n  Package com.a:\n    CAMERA (allow):\n";
    let line = "      Access: [top-s] 2022-01-01 10:00:00.000 (-1h7m5s542ms) duration=+1m37s899msX\n";
    let snap = snapshot(format!("{head}{line}").as_bytes());
    let e = &snap.uids[0].packages[0].ops[0].events[0];
    assert_eq!((e.relative_ms, e.duration_ms), (Some(-4_025_542), None));
    assert_eq!((snap.summary.event_lines_with_unread_words, snap.summary.unrecognised_lines), (1, 0));
    let cut = snapshot(format!("{head}{}", line.trim_end_matches('\n')).as_bytes());
    assert!(cut.summary.truncated);
}

#[test]
fn a_uid_property_needs_a_key_of_one_word() {
    // Written by hand: AOSP prints uid properties as `key=value` with a one-word key (`state=top`,
    // `pendingCapability=LCMN`). A line with no key, or with words before the `=`, is not one: counted as unknown.
    let input = "  Uid u0a1:\n    state=top\n    =cch\n    last state=cch\n    Package a.b:\n      CAMERA (allow):\n";
    let snap = snapshot(input.as_bytes());
    assert_eq!(snap.uids[0].props, vec![("state".to_owned(), "top".to_owned())]);
    assert_eq!(snap.summary.unrecognised_lines, 2);
}

#[test]
fn lines_up_to_64_kib_are_read_whole_and_longer_ones_are_cut() {
    // Written by hand: the cap on a line's length (64 KiB, docs/parser.md) guards memory only; no real line comes near
    // it. A package name just under it is kept whole; one just over it makes the line overlong, counted as unknown.
    let line = |name_len: usize| format!("  Uid u0a1:\n    Package {}:\n      CAMERA (allow):\n", "p".repeat(name_len));
    let fits = 64 * 1024 - "    Package :".len(); // the cap counts the raw line, indentation included
    let snap = snapshot(line(fits).as_bytes());
    assert_eq!(snap.uids[0].packages[0].package.as_deref().map(str::len), Some(fits));
    assert_eq!(snap.summary.unrecognised_lines, 0);
    let (s, t) = tally(line(fits + 1).as_bytes());
    assert_eq!((t.packages, s.unrecognised_lines), (0, 1));
}

#[test]
fn an_overlong_last_line_without_its_newline_was_cut() {
    // Written by hand: a copy that stops inside a line longer than the 64 KiB cap ended mid-line, as any cut last
    // line does, whether the cap is reached before the input ends (300 KiB: the rest of the line is skipped as it
    // comes) or with it (just over 64 KiB); with its newline it is only an unknown line.
    let head = "  Uid u0a1:\n    Package a.b:\n      CAMERA (allow):\n";
    for len in [64 * 1024 + 1, 300 * 1024] {
        let cut = format!("{head}{}", "b".repeat(len));
        for input in [cut.clone(), format!("{cut}\n")] {
            let whole = input.ends_with('\n');
            let (s, t) = tally(input.as_bytes());
            assert_eq!((s.truncated, s.unrecognised_lines, t.ops), (!whole, 1, 1), "{len} bytes, newline: {whole}");
            let mut on_two = opsight_core::parse::Tally::default();
            let s2 = opsight_core::parse::parse_reader_parallel(input.as_bytes(), &mut on_two).expect("a slice reads");
            assert_eq!((s2.truncated, s2.unrecognised_lines, on_two.ops), (!whole, 1, 1));
        }
    }
}

#[test]
fn an_empty_uid_block_and_repeated_history_windows_are_kept_apart() {
    // Written by hand from the grammar: a uid with nothing under it (a `Uid` header, then the next one) is a fact too,
    // and two history snapshots are two windows even when their bounds print the same (each has its own entries).
    let snap = snapshot(b"  Uid u0a1:\n  Uid u0a2:\n    state=top\n");
    let uids: Vec<_> = snap.uids.iter().map(|u| u.uid.as_deref()).collect();
    assert_eq!(uids, [Some("u0a1"), Some("u0a2")]);
    let window = "      snapshot:\n        begin = 2026-03-01 09:00:00.000  (-1h0m0s0ms)\n        end = 2026-03-01 09:15:00.000  (-45m0s0ms)\n        Uid u0a210:\n          Package com.tmall.wireless:\n            Attribution null:\n              CAMERA:\n                [top-s] = access=4\n";
    let snap = snapshot(
        format!("AppOps Historical Service State:\n  History:  mode=ENABLED_ACTIVE\n{window}{window}").as_bytes(),
    );
    assert_eq!(snap.history.len(), 2);
    assert!(snap.history.iter().all(|w| w.entries.len() == 1 && w.window.begin_relative_ms == Some(-3_600_000)));
}

/// Xiaomi's own ops print as `MIUIOP(N)` (HyperOS/MIUI `appops get` as published in public repositories, e.g.
/// `MIUIOP(10021): ignore`, `MIUIOP(10008)` for auto-start). Written from those lines in every layout that names an
/// op: each is an op of its own, never folded into the op above it, and never dropped.
#[test]
fn xiaomi_numbered_ops_are_ops_of_their_own() {
    let dump = "Current AppOps Service state:\n  Uid u0a200:\n    state=cch\n      MIUIOP(10008): mode=ignore\n\
                \x20   Package com.athar:\n      CAMERA (allow):\n        null=[\n\
                \x20         Access: [top-s] 2025-01-01 10:00:00.000 (-1h0m0s0ms)\n        ]\n\
                \x20     MIUIOP(10021) (ignore):\n        null=[\n\
                \x20         Reject: [bg-s]2025-01-01 10:30:00.000 (-30m0s0ms)\n        ]\n";
    let snap = snapshot(dump.as_bytes());
    assert_eq!(snap.summary.unrecognised_lines, 0);
    let uid = &snap.uids[0];
    assert_eq!((uid.modes[0].op.as_str(), uid.modes[0].mode.as_str()), ("MIUIOP(10008)", "ignore"));
    let ops: Vec<(&str, usize)> = uid.packages[0].ops.iter().map(|o| (o.op.as_str(), o.events.len())).collect();
    assert_eq!(ops, [("CAMERA", 1), ("MIUIOP(10021)", 1)]);
    assert_eq!(uid.packages[0].ops[1].events[0].kind, EventKind::Reject);

    let get = snapshot(
        b"CAMERA: allow; time=+1m0s0ms ago\nMIUIOP(10020): allow\nMIUIOP(10021): ignore; rejectTime=+5s0ms ago\n",
    );
    assert_eq!(get.summary.unrecognised_lines, 0);
    let ops: Vec<(&str, usize)> = get.uids[0].packages[0].ops.iter().map(|o| (o.op.as_str(), o.events.len())).collect();
    assert_eq!(ops, [("CAMERA", 1), ("MIUIOP(10020)", 0), ("MIUIOP(10021)", 1)]);

    let legacy = snapshot(
        b"Current AppOps Service state:\n  Uid u0a200:\n    Package com.athar:\n      CAMERA: mode=0; time=+1h0m0s0ms ago\n\
          \x20     MIUIOP(10021): mode=1; rejectTime=+30m0s0ms ago\n",
    );
    let ops: Vec<&str> = legacy.uids[0].packages[0].ops.iter().map(|o| o.op.as_str()).collect();
    assert_eq!(ops, ["CAMERA", "MIUIOP(10021)"]);
    // An op the catalog does not know is `other`, and stays usable.
    assert_eq!(opsight_core::ops::info_type("MIUIOP(10021)"), opsight_core::ops::InfoType::Other);
}

/// OEM words after the first uid's header (`Uid u0a119: shared`) still end the skipped settings, and a package
/// whose name ends in `watchers` is a package, not a watcher section. Both used to lose the uid's events.
#[test]
fn headers_with_oem_words_and_watcher_like_names_keep_their_events() {
    let event = "        null=[\n          Access: [top-s] 2021-01-11 16:01:05.086 (-1h5m27s679ms)\n        ]\n";
    let dump = format!(
        "Current AppOps Service state:\n  Settings:\n    top_state_settle_time=+5s0ms\n\
         \x20 Uid u0a119: shared\n    state=bg\n    Package org.birdwatchers:\n      CAMERA (allow):\n{event}\
         \x20   Package com.y: v2\n      CAMERA (allow):\n{event}\
         \x20 Uid u0a120:\n    Package com.z:\n      CAMERA (allow):\n{event}"
    );
    let snap = snapshot(dump.as_bytes());
    let got: Vec<(&str, &str, usize)> = snap
        .uids
        .iter()
        .flat_map(|u| {
            u.packages.iter().map(move |p| {
                (u.uid.as_deref().unwrap_or(""), p.package.as_deref().unwrap_or(""), p.ops[0].events.len())
            })
        })
        .collect();
    assert_eq!(got, [("u0a119", "org.birdwatchers", 1), ("u0a119", "com.y", 1), ("u0a120", "com.z", 1)]);
    assert_eq!(snap.summary.unrecognised_lines, 0);
    // The watcher sections themselves are still skipped.
    let watchers = "Current AppOps Service state:\n  Op mode watchers:\n    Op CAMERA:\n      #0: ModeCallback{1 watchinguid=-1 flags=0}\n\
                    \x20 Package mode watchers:\n    Pkg com.x:\n      #0: ModeCallback{2 watchinguid=-1 flags=0}\n";
    let snap = snapshot(watchers.as_bytes());
    assert!(snap.uids.is_empty());
    assert_eq!(snap.summary.unrecognised_lines, 0);
}

/// What `dumpsys appops --op LEGACY_STORAGE` prints on Android 10 (AppOpsService's dump filtered to one op, by
/// hand from its source): settings, then uids with their `state=` and the op's uid mode, no events. Uid states are
/// printed from Android 9 on, so this is not the Android 4.4–8.1 layout.
#[test]
fn uid_states_without_op_state_are_android_9_or_later() {
    let dump = "Current AppOps Service state:\n  Settings:\n    top_state_settle_time=+30s0ms\n\n\
                \x20 Uid 1000:\n    state=pers\n      LEGACY_STORAGE: mode=allow\n\
                \x20 Uid u0a104:\n    state=cch\n      LEGACY_STORAGE: mode=ignore\n";
    let snap = snapshot(dump.as_bytes());
    assert_eq!(snap.summary.dialect, Dialect::DumpsysPie);
    assert_eq!(snap.uids.len(), 2);
    assert_eq!(snap.uids[1].modes[0].mode, "ignore");
    // Without the states the same text could be Android 8.1's: the old layout, as before.
    let old = snapshot(dump.replace("    state=pers\n", "").replace("    state=cch\n", "").as_bytes());
    assert_eq!(old.summary.dialect, Dialect::DumpsysLegacy);
}

/// An Android 9 continuation line (`fg    = <abs> (<rel>)`) continues the `Access:`/`Reject:` line of its op. Right
/// after a `Package` line there is none: the line is not an event of the op before (or of an op with no name).
#[test]
fn an_android9_continuation_after_a_package_line_has_no_event_to_continue() {
    let dump = "Current AppOps Service state:\n  Uid 1000:\n    Package android:\n      WAKE_LOCK (allow): \n\
                \x20         Access: pers  = 2026-08-03 16:52:51.243 (-3s807ms)\n    Package com.b:\n\
                \x20                 fg    = 2026-04-11 03:58:41.049 (-114d12h54m14s1ms)\n      CAMERA (allow): \n";
    let snap = snapshot(dump.as_bytes());
    let events: Vec<(&str, usize)> =
        snap.uids[0].packages.iter().flat_map(|p| &p.ops).map(|o| (o.op.as_str(), o.events.len())).collect();
    assert_eq!(events, [("WAKE_LOCK", 1), ("CAMERA", 0)]);
    assert_eq!(snap.summary.unrecognised_lines, 1);
}

/// AOSP prints the attribution tag into the SQLite tables as it is (DiscreteOpsSqlRegistry.dump,
/// AppOpHistoryHelper.dump), and an app chooses its tags: one holding `|` must not move the row's state, time,
/// duration or counts into other columns. The extra fields are the tag's.
#[test]
fn a_tag_holding_bars_stays_in_its_column() {
    let forged = "t|cch|s|0|-1|2024-12-01 03:00:00.000|-1";
    let discrete = format!(
        "Discrete accesses: \n{DISCRETE_TABLE_HEADER}\n\
         10123|com.spy|default|RECORD_AUDIO|{forged}|top|s|0|-1|2025-01-01 12:00:00.000|3600000\n\
         10123|com.spy|default|CAMERA|null|top|s|5|42|2025-01-01 12:01:00.000|-1\n"
    );
    let snap = snapshot(discrete.as_bytes());
    assert_eq!(snap.summary.unrecognised_lines, 0);
    let d = &snap.discrete[0];
    assert_eq!(
        (d.attribution_tag.as_deref(), d.uid_state.as_deref(), d.duration_ms, d.time_local),
        (Some(forged), Some("top"), Some(3_600_000), Some(local("2025-01-01 12:00:00.000")))
    );
    assert_eq!((snap.discrete[1].attribution_tag.as_deref(), snap.discrete[1].chain_id), (None, Some(42)));
    let history = "AppOps Historical Service State:\n\nHistory:  mode=ENABLED_ACTIVE\n\
                   SHORT_INTERVAL(Aggregation Bucket)=1 Minute, LONG_INTERVAL(Aggregation Bucket)=15 Minutes\n\
                   ------------Aggregated App Ops-------------\n\n\
                   UID|PACKAGE_NAME|DEVICE_ID|OP_NAME|ATTRIBUTION_TAG|UID_STATE|OP_FLAGS|ACCESS_TIME|ACCESS_COUNTS|REJECT_COUNTS|DURATION\n\
                   10123|com.spy|default|READ_CONTACTS|t|cch|s|2024-12-01 03:00:00.000|0|0|0|top|s|2025-01-01 12:00:00.000|500|0|0\n";
    let snap = snapshot(history.as_bytes());
    let e = &snap.history[0].entries[0];
    assert_eq!(
        (e.attribution_tag.as_deref(), e.uid_state.as_deref(), e.access_count),
        (Some("t|cch|s|2024-12-01 03:00:00.000|0|0|0"), Some("top"), 500)
    );
    assert_eq!(snap.history[0].window.begin_local, Some(local("2025-01-01 12:00:00.000")));
    // A table with no tag column cannot tell which field is extra: such a row is not read.
    let untagged = "Discrete accesses: \nUID|PACKAGE_NAME|OP_NAME|UID_STATE|OP_FLAGS|ACCESS_TIME|DURATION\n\
                    10123|com.x|CAMERA|top|s|extra|2025-01-01 12:00:00.000|-1\n";
    let snap = snapshot(untagged.as_bytes());
    assert!(snap.discrete.is_empty());
    assert_eq!(snap.summary.unrecognised_lines, 1);
}

/// Two files that each began with a byte order mark, joined (`copy a+b` on Windows): the mark in the middle starts
/// a line like any other. And the discrete section's headings met without its `Discrete accesses:` line are no ops
/// of `appops get` (`Uid: 10123` read as an op `Uid` in mode `10123`).
#[test]
fn a_byte_order_mark_inside_the_input_and_discrete_headings_out_of_place() {
    let state = "Current AppOps Service state:\n  Uid u0a123:\n    Package com.example:\n      CAMERA (allow):\n\
                 \x20         Access: [top-s] 2024-05-01 10:00:00.000 (-1h0m0s0ms)\n";
    let discrete =
        "Discrete accesses: \n  Uid: 10123\n    Package: com.example\n      CAMERA\n        Attribution: null\n\
                    \x20         Access [top-s] at 2024-05-01 09:00:00.000\n";
    let joined = format!("\u{feff}{state}\u{feff}{discrete}");
    let plain = format!("{state}{discrete}");
    let (mut with_marks, without) = (snapshot(joined.as_bytes()), snapshot(plain.as_bytes()));
    assert_eq!(with_marks.summary.bytes, without.summary.bytes + 6, "two marks of three bytes");
    with_marks.summary.bytes = without.summary.bytes;
    assert_eq!(with_marks, without);
    assert_eq!(with_marks.discrete.len(), 1);
    let headless = snapshot(discrete.lines().skip(1).collect::<Vec<_>>().join("\n").as_bytes());
    assert!(headless.uids.is_empty(), "{:?}", headless.uids);
}

/// A line of nothing but a byte order mark (a file that held only a mark, joined to others; or with indentation or
/// CRLF around it) is a blank line, wherever it comes: it once reached the op-state rules as an empty line and
/// panicked.
#[test]
fn a_line_of_only_a_byte_order_mark_is_blank() {
    let plain = "Current AppOps Service state:\n  Uid u0a123:\n    Package com.example:\n      CAMERA (allow):\n\
                 \x20         Access: [top-s] 2024-05-01 10:00:00.000 (-1h0m0s0ms)\n";
    let expected = snapshot(plain.as_bytes());
    for mark in ["\u{feff}", "\t\u{feff}", "\u{feff}\r", "  \u{feff}\u{feff}  "] {
        let marked = plain.replace('\n', &format!("\n{mark}\n"));
        let mut got = snapshot(marked.as_bytes());
        assert_eq!(got.summary.lines, expected.summary.lines * 2, "{mark:?}");
        assert_eq!(got.summary.unrecognised_lines, 0, "{mark:?}");
        (got.summary.lines, got.summary.bytes) = (expected.summary.lines, expected.summary.bytes);
        assert_eq!(got, expected, "{mark:?}");
    }
    // The auditor's input: a first line, then the mark alone.
    let snap = snapshot(b"x\n\xEF\xBB\xBF\n");
    assert_eq!((snap.summary.lines, snap.summary.unrecognised_lines), (2, 1));
    // A mark at the start of any kind of line (a file joined there that starts mid-op): the line as without it. Op
    // headers, tag lines and events take the parser's fast path, which once kept the mark (an op lost, a tag
    // `\u{feff}null`).
    let tagged = "Current AppOps Service state:\n  Uid u0a123:\n    Package com.example:\n      CAMERA (allow):\n\
                  \x20       null=[\n          Access: [top-s] 2024-05-01 10:00:00.000 (-1h0m0s0ms)\n        ]\n\
                  \x20       tag.x=[\n          Reject: [bg-s]2024-05-01 09:00:00.000 (-2h0m0s0ms)\n        ]\n\
                  \x20     RECORD_AUDIO (allow / switch CAMERA=allow):\n        null=[\n\
                  \x20         Access: [top-s] 2024-05-01 08:00:00.000 (-3h0m0s0ms) duration=+1s0ms\n        ]\n";
    let expected = snapshot(tagged.as_bytes());
    let lines: Vec<&str> = tagged.lines().collect();
    for i in 0..lines.len() {
        let mut marked = lines.clone();
        let with_mark = format!("\u{feff}{}", lines[i].trim_start());
        marked[i] = &with_mark;
        let mut got = snapshot((marked.join("\n") + "\n").as_bytes());
        assert_eq!(got.summary.unrecognised_lines, 0, "line {i}");
        got.summary.bytes = expected.summary.bytes;
        assert_eq!(got, expected, "a mark before line {i}: {:?}", lines[i]);
    }
}

/// AppOpsPolicy's tags (`AppOpsPolicy.dumpTags`, Android 12 on), printed after the uid blocks: a section of their
/// own, skipped, not unknown lines.
#[test]
fn the_policy_tags_after_the_uids_are_a_skipped_section() {
    let dump = "Current AppOps Service state:\n  Uid u0a50:\n    Package com.ex:\n      CAMERA (allow):\n        null=[\n\
                \x20         Access: [top-s] 2024-05-01 10:00:00.000 (-1h0m0s0ms)\n        ]\n\n\
                \x20 AppOps policy location tags:\n    #0: 10154=com.google.android.gms[.location, fused_location_provider]\n\
                com.google.android.gms.location.history[*]\n\n  AppOps policy activity recognition tags:\n\
                \x20   #0: 10154=com.google.android.gms[*]\n";
    let snap = snapshot(dump.as_bytes());
    assert_eq!((snap.summary.unrecognised_lines, snap.uids.len()), (0, 1));
    assert_eq!(snap.uids[0].packages[0].ops[0].events.len(), 1);
}

/// Only a uid as `formatUid` prints one (`u0a119`, `1000`) ends the skipped settings when OEM words follow its
/// header: other `Uid …:` lines there (an OEM's counters, say) stay skipped, and nothing after them is read as op
/// state until a real uid comes.
#[test]
fn only_a_real_uid_with_oem_words_ends_the_skipped_settings() {
    let dump = "Current AppOps Service state:\n  Settings:\n    Uid changes: 3 since boot\n    Uid users: 2\n\
                \x20   CAMERA: mode=allow\n  Uid u0a119: shared\n    Package com.x:\n      CAMERA (allow):\n\
                \x20         Access: [top-s] 2021-01-11 16:01:05.086 (-1h5m27s679ms)\n";
    let snap = snapshot(dump.as_bytes());
    let uids: Vec<&str> = snap.uids.iter().filter_map(|u| u.uid.as_deref()).collect();
    assert_eq!(uids, ["u0a119"]);
    assert!(snap.uids[0].modes.is_empty(), "the settings' line is no uid mode");
}

/// A stream that ends before its own end (a gzip stream cut short, `UnexpectedEof`) is a cut input, even when the
/// cut falls between two lines.
#[test]
fn a_stream_cut_short_between_two_lines_is_truncated() {
    struct CutShort<'a>(&'a [u8]);
    impl std::io::Read for CutShort<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            if self.0.is_empty() {
                return Err(std::io::ErrorKind::UnexpectedEof.into());
            }
            let n = buf.len().min(self.0.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }
    let text = real("mvt-project-mvt__dumpsys_appops_samsung_a10.txt");
    let whole_lines = &text[..text.iter().take(text.len() / 2).rposition(|&b| b == b'\n').expect("a line") + 1];
    let mut tally = opsight_core::parse::Tally::default();
    let cut = opsight_core::parse::parse_reader(CutShort(whole_lines), &mut tally).expect("read up to the cut");
    assert!(cut.truncated);
    let mut tally = opsight_core::parse::Tally::default();
    assert!(!opsight_core::parse::parse_reader(whole_lines, &mut tally).expect("read").truncated);
}

/// Written by hand from the grammar: DiscreteRegistry's text form (aosp-mirror @0014f5fa) prints `Uid: <uid>`,
/// `Package: <pkg>` and the op as a bare name above the accesses they own. OEM words after the uid, package or op are
/// left out; an OEM's numbered op (`10008`, `MIUIOP(10008)`) is kept as printed; a line of an op's capitals that names
/// no op we can be sure of, or a heading with no name, ends the one before it. Either way the accesses below it are
/// never charged to the uid, package or op before it.
#[test]
fn discrete_header_lines_with_oem_words_never_keep_the_previous_owner() {
    let head = "Discrete accesses: \n  Uid: 10123\n    Package: com.example\n      CAMERA\n        Attribution: null\n\
                \x20         Access [top-s] at 2021-06-01 12:00:00.000\n";
    let rows = |body: &str| {
        let snap = snapshot(format!("{head}{body}").as_bytes());
        let rows: Vec<_> = snap
            .discrete
            .iter()
            .map(|d| (d.uid.clone(), d.package.clone(), d.op.clone(), d.uid_state.clone()))
            .collect();
        (rows, snap.summary.unrecognised_lines)
    };
    let some = |s: &str| Some(s.to_owned());
    let first = (some("10123"), some("com.example"), "CAMERA".to_owned(), some("top"));
    let access = "        Attribution: null\n          Access [bg-s] at 2021-06-01 12:01:00.000\n";
    // The auditor's input, numbered ops with and without words, and a new uid and package with words.
    for (op, name) in [
        ("RECORD_AUDIO (oem)", "RECORD_AUDIO"),
        ("RECORD_AUDIO oem", "RECORD_AUDIO"),
        ("10008", "10008"),
        ("10008 (oem)", "10008"),
        ("MIUIOP(10008) oem", "MIUIOP(10008)"),
    ] {
        let second = (some("10123"), some("com.example"), name.to_owned(), some("bg"));
        assert_eq!(rows(&format!("      {op}\n{access}")), (vec![first.clone(), second], 0), "{op}");
    }
    let body = format!("  Uid: 10124 (x)\n    Package: com.other shared\n      RECORD_AUDIO (oem)\n{access}");
    let second = (some("10124"), some("com.other"), "RECORD_AUDIO".to_owned(), some("bg"));
    assert_eq!(rows(&body), (vec![first.clone(), second], 0));
    // A heading with no name: no uid or package (not the one before), the line counted.
    let body = format!("  Uid:\n    Package: com.other\n      RECORD_AUDIO\n{access}");
    let second = (None, some("com.other"), "RECORD_AUDIO".to_owned(), some("bg"));
    assert_eq!(rows(&body), (vec![first.clone(), second], 1));
    let body = format!("    Package:\n      RECORD_AUDIO\n{access}");
    let second = (some("10123"), None, "RECORD_AUDIO".to_owned(), some("bg"));
    assert_eq!(rows(&body), (vec![first.clone(), second], 1));
    // An op line whose name no catalog knows, with words after it, or a name that is no op name: no op, its access
    // dropped and counted with it.
    for op in ["OEM_OP (oem)", "camera_oem"] {
        assert_eq!(rows(&format!("      {op}\n{access}")), (vec![first.clone()], 2), "{op}");
    }
    // An OEM note ending with `:`, and a `Reject` line, are no op lines: the op stays.
    let body = "      OEM camera note:\n          Reject [bg-s] at 2021-06-01 12:00:30.000\n\
                \x20         Access [bg-s] at 2021-06-01 12:01:00.000\n";
    let second = (some("10123"), some("com.example"), "CAMERA".to_owned(), some("bg"));
    assert_eq!(rows(body), (vec![first.clone(), second], 2));
}

/// Written by hand from the grammar: HistoricalRegistry's dump (aosp-mirror @032a65fa) prints `Uid <uid>:`,
/// `Package <pkg>:`, `Attribution <tag>:` and `<OP>:` above the counts they own. OEM words after any of these names are
/// left out; a line there whose name cannot be read (a uid with `=`, an op name no catalog knows, with words after it)
/// ends the one before it. Either way the counts below it are never charged to the uid, package, op or tag before it.
#[test]
fn history_header_lines_with_oem_words_never_keep_the_previous_owner() {
    let head = "  History:  mode=ENABLED_ACTIVE\n    snapshot:\n      begin = 2021-06-01 12:00:00.000  (-1h0m0s0ms)\n\
                \x20     end = 2021-06-01 12:15:00.000  (-45m0s0ms)\n      Uid u0a123:\n        Package com.example:\n\
                \x20         Attribution sync:\n          CAMERA:\n            [top-s] = access=3\n";
    let rows = |body: &str| {
        let snap = snapshot(format!("{head}{body}").as_bytes());
        let rows: Vec<_> = snap.history[0]
            .entries
            .iter()
            .map(|e| (e.uid.clone(), e.package.clone(), e.op.clone(), e.attribution_tag.clone(), e.access_count))
            .collect();
        (rows, snap.summary.unrecognised_lines)
    };
    let some = |s: &str| Some(s.to_owned());
    let first = (some("u0a123"), some("com.example"), "CAMERA".to_owned(), some("sync"), 3);
    // The auditor's input, then each line with words alone; the counts are those of the new uid, package and op.
    for (uid, package, op) in [
        ("Uid u0a124: extra", "Package com.other: y", "RECORD_AUDIO: oem"),
        ("Uid u0a124: extra", "Package com.other:", "RECORD_AUDIO:"),
        ("Uid u0a124 (extra):", "Package com.other:", "RECORD_AUDIO:"),
        ("Uid u0a124:", "Package com.other: y", "RECORD_AUDIO:"),
        ("Uid u0a124:", "Package com.other:", "RECORD_AUDIO: oem"),
        ("Uid u0a124:", "Package com.other:", "RECORD_AUDIO (oem):"),
    ] {
        let body = format!("      {uid}\n        {package}\n          {op}\n            [bg-s] = access=5\n");
        let second = (some("u0a124"), some("com.other"), "RECORD_AUDIO".to_owned(), None, 5);
        assert_eq!(rows(&body), (vec![first.clone(), second], 0), "{body}");
    }
    // An OEM's numbered op is kept as printed, words or not.
    for op in ["10008:", "10008: oem", "MIUIOP(10008): oem"] {
        let name = op.split(':').next().unwrap_or_default().to_owned();
        let second = (some("u0a123"), some("com.example"), name, some("sync"), 5);
        assert_eq!(rows(&format!("          {op}\n            [bg-s] = access=5\n")), (vec![first.clone(), second], 0));
    }
    // An attribution with words after its colon; a tag that holds a blank, on a line ending with the colon, is whole.
    for (line, tag) in [("Attribution maps: oem", "maps"), ("Attribution my tag:", "my tag")] {
        let body = format!("          {line}\n          CAMERA:\n            [bg-s] = access=5\n");
        let second = (some("u0a123"), some("com.example"), "CAMERA".to_owned(), some(tag), 5);
        assert_eq!(rows(&body), (vec![first.clone(), second], 0), "{body}");
    }
    // No name to read: a uid or package left unknown, and no op (its counts are dropped, not moved), each line counted.
    let unknown_uid =
        "      Uid uid=10124:\n        Package com.other:\n          RECORD_AUDIO:\n            [bg-s] = access=5\n";
    let second = (None, some("com.other"), "RECORD_AUDIO".to_owned(), None, 5);
    assert_eq!(rows(unknown_uid), (vec![first.clone(), second], 1));
    let unknown_package = "      Package [com.other]:\n          RECORD_AUDIO:\n            [bg-s] = access=5\n";
    let second = (some("u0a123"), None, "RECORD_AUDIO".to_owned(), None, 5);
    assert_eq!(rows(unknown_package), (vec![first.clone(), second], 1));
    for op in ["camera_oem:", "OEM_OP: extra", "TOTAL: 3", "Attribution sync"] {
        let body = format!("          {op}\n            [bg-s] = access=5\n");
        assert_eq!(rows(&body), (vec![first.clone()], 2), "the line and the counts under it: {body}");
    }
}
