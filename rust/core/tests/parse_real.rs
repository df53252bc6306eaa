//! Every real capture in tests/fixtures/appops, parsed with exact expected values.
//! Counts were checked independently with grep over the fixture text (see the comment on each test).

mod common;

use common::*;
use opsight_core::model::{EventKind, Proxy};
use opsight_core::time::LocalTime;
use opsight_core::Dialect;

fn local(s: &str) -> LocalTime {
    LocalTime::parse(s.as_bytes()).expect("valid local time").0
}

#[test]
fn mvt_samsung_android10() {
    // grep: 8 `  Uid `, 13 `    Package `, 37 op headers, 16 Access:, 7 Reject:, 9 uid-level modes.
    let input = real("mvt-project-mvt__dumpsys_appops_samsung_a10.txt");
    let (s, t) = tally(&input);
    assert_eq!(s.dialect, Dialect::DumpsysQ);
    assert!(!s.embedded && !s.truncated);
    assert_eq!((t.uids, t.packages, t.ops, t.access_events, t.reject_events, t.uid_modes), (8, 13, 37, 16, 7, 9));
    assert_eq!(s.unrecognised_lines, 0);
    // The dump's own "now": 18:37:30.315 + 4h50m23s772ms. Pairs from before the March DST change imply an hour
    // earlier; the appended org.fdroid.fdroid block (another capture) implies 2022-02-03.
    assert_eq!(s.dump_time_local, Some(local("2022-03-29 23:27:54.087")));
    assert_eq!(s.dump_time_votes, 11);

    let snap = snapshot(&input);
    let fb = &snap.uids[2];
    assert_eq!((fb.uid.as_deref(), fb.uid_number, fb.prop("state")), (Some("u0a103"), Some(10103), Some("cch")));
    assert_eq!(fb.modes.len(), 2);
    assert_eq!((fb.modes[0].op.as_str(), fb.modes[0].mode.as_str()), ("COARSE_LOCATION", "ignore"));
    let pkg = &fb.packages[0];
    assert_eq!(pkg.package.as_deref(), Some("com.facebook.katana"));
    let contacts = &pkg.ops[0];
    assert_eq!((contacts.op.as_str(), contacts.mode.as_deref()), ("READ_CONTACTS", Some("allow")));
    let e = &contacts.events[0];
    assert_eq!(e.kind, EventKind::Access);
    assert_eq!((e.uid_state.as_deref(), e.flags.as_slice()), (Some("bg"), &["tpd".to_owned()][..]));
    assert_eq!(e.time_local, Some(local("2022-03-07 18:05:34.325")));
    assert_eq!(e.relative_ms, Some(-(22 * 86_400_000 + 4 * 3_600_000 + 22 * 60_000 + 19_762)));
    assert_eq!((e.attribution_tag.as_deref(), e.duration_ms, e.proxy.as_ref()), (None, None, None));
    // `Reject: [fg-s]2021-05-19 22:02:52.054 (-314d1h25m2s33ms)`: no space after the key.
    let sms = &pkg.ops[1];
    assert_eq!((sms.op.as_str(), sms.mode.as_deref(), sms.events.len()), ("WRITE_SMS", Some("ignore"), 3));
    assert!(sms.events.iter().all(|e| e.kind == EventKind::Reject));
    assert_eq!(sms.events[0].time_local, Some(local("2021-05-19 22:02:52.054")));
    // `Access: [bg-s] 2022-03-29 23:03:03.763 (-24m50s324ms) duration=+33ms`
    let wake = &pkg.ops[2].events[1];
    assert_eq!((wake.relative_ms, wake.duration_ms), (Some(-1_490_324), Some(33)));
    // The F-Droid block: proxy[uid=0, pkg=null] on Reject and Access lines.
    let fdroid = snap.uids.iter().find(|u| u.uid.as_deref() == Some("u0a110")).expect("u0a110");
    let saw = &fdroid.packages[0].ops[0];
    assert_eq!((saw.op.as_str(), saw.mode.as_deref()), ("SYSTEM_ALERT_WINDOW", Some("default")));
    assert_eq!(saw.events[0].proxy, Some(Proxy { uid: Some(0), package: None, attribution_tag: None }));
    assert_eq!(saw.events[0].kind, EventKind::Reject);
    // Ops with no events are kept (MVT reports them too): Uid 0 has two packages, one op each, no events.
    assert_eq!(snap.uids[0].packages.len(), 2);
    assert!(snap.uids[0].packages.iter().all(|p| p.ops.len() == 1 && p.ops[0].events.is_empty()));
}

#[test]
fn sunmi_android11_matches_appops_xml_of_the_same_device() {
    // grep: 12 Access:, 3 Reject:; uid u0a119 with state=bg, capability=---, appWidgetVisible=false.
    let input = real("lixiaogang03-blog__dumpsys_appops_android11_sunmi_qssi_2021.txt");
    let snap = snapshot(&input);
    assert_eq!(snap.summary.dialect, Dialect::DumpsysAttributed);
    // The `dumpsys appops -h` help text and shell prompts before the dump are not op state.
    assert_eq!(snap.summary.unrecognised_lines, 15);
    assert_eq!(snap.summary.dump_time_local, Some(local("2021-01-11 17:06:32.765")));
    assert_eq!(snap.uids.len(), 1);
    let uid = &snap.uids[0];
    assert_eq!(
        uid.props,
        vec![
            ("state".to_owned(), "bg".to_owned()),
            ("capability".to_owned(), "---".to_owned()),
            ("appWidgetVisible".to_owned(), "false".to_owned())
        ]
    );
    let ops = &uid.packages[0].ops;
    assert_eq!(ops.len(), 7);
    assert_eq!(ops[1].switch_op.as_deref(), Some("COARSE_LOCATION"));
    assert_eq!(ops[1].switch_mode.as_deref(), Some("allow"));
    assert_eq!(ops[0].events.len(), 0, "COARSE_LOCATION has a bare header and no block");

    // appops.xml of the same app: op number -> (key, access t, reject r, duration d), epoch ms UTC.
    let xml =
        String::from_utf8(real("lixiaogang03-blog__appops_xml_same_device_android11_2021.xml.txt")).expect("utf-8");
    let names = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/data/appops-op-names-android16.tsv"))
        .expect("tsv");
    let op_name = |n: &str| -> String {
        names
            .lines()
            .find_map(|l| l.split_once('\t').filter(|(i, _)| *i == n).map(|(_, name)| name.to_owned()))
            .expect("op index")
    };
    let attr = |line: &str, key: &str| -> Option<i64> {
        let pat = format!(" {key}=\"");
        let start = line.find(&pat)? + pat.len();
        line[start..].split('"').next()?.parse().ok()
    };
    let zone = jiff::tz::TimeZone::get("Asia/Shanghai").expect("tzdb");
    let mut op = String::new();
    let mut checked = 0;
    for line in xml.lines() {
        let line = line.trim();
        if line.starts_with("<op n=\"") {
            op = op_name(line.split('"').nth(1).expect("n"));
        } else if line.starts_with("<st ") {
            let key = attr(line, "n").expect("st n");
            let state = match key >> 31 {
                100 => "pers",
                200 => "top",
                400 => "fgsvc",
                500 => "fg",
                600 => "bg",
                700 => "cch",
                other => panic!("uid state {other}"),
            };
            assert_eq!(key & 0x7fff_ffff, 1, "flag s");
            let entry = ops.iter().find(|o| o.op == op).unwrap_or_else(|| panic!("op {op} in dump"));
            for (kind, field) in [(EventKind::Access, "t"), (EventKind::Reject, "r")] {
                let Some(expected) = attr(line, field) else { continue };
                let e = entry
                    .events
                    .iter()
                    .find(|e| e.kind == kind && e.uid_state.as_deref() == Some(state))
                    .unwrap_or_else(|| panic!("{op} {kind:?} {state} in dump"));
                assert_eq!(e.time_local.and_then(|t| t.to_utc_ms(&zone)), Some(expected), "{op} {state} {kind:?}");
                if kind == EventKind::Access {
                    assert_eq!(e.duration_ms, attr(line, "d"), "{op} {state} duration");
                }
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 15, "every event of the dump has its twin in appops.xml");
}

#[test]
fn aosp_doc_android11_preview_attribution_and_feature_proxy() {
    let input = real("aosp-platform_frameworks_base__AppOps.md_examples_android11_featureId.txt");
    let snap = snapshot(&input);
    assert_eq!(snap.summary.dialect, Dialect::DumpsysAttributed);
    assert_eq!(snap.summary.unrecognised_lines, 3, "the three `[...]` elisions");
    assert_eq!(snap.uids.len(), 2);
    assert_eq!(snap.uids[0].modes.len(), 3);
    assert_eq!(
        (snap.uids[0].modes[1].op.as_str(), snap.uids[0].modes[1].mode.as_str()),
        ("START_FOREGROUND", "foreground")
    );
    let u = &snap.uids[1];
    assert_eq!((u.uid.as_deref(), u.prop("capability")), (Some("u0a118"), Some("6")));
    let contacts = &u.packages[0].ops[0];
    let tags: Vec<_> = contacts.events.iter().map(|e| e.attribution_tag.as_deref()).collect();
    assert_eq!(
        tags,
        vec![
            None,
            None,
            Some("apkappcontext"),
            Some("com.google.android.gms.icing"),
            Some("com.google.android.gms.icing"),
            Some("com.google.android.gms.icing")
        ]
    );
    let icing = &contacts.events[3];
    assert_eq!((icing.uid_state.as_deref(), icing.flags.as_slice()), (Some("fgsvc"), &["tpd".to_owned()][..]));
    assert_eq!(
        icing.proxy,
        Some(Proxy { uid: Some(10070), package: Some("com.android.providers.contacts".into()), attribution_tag: None })
    );
    let mes = &u.packages[0].ops[1];
    assert_eq!((mes.op.as_str(), mes.events.len()), ("MANAGE_EXTERNAL_STORAGE", 2));
    assert!(mes.events.iter().all(|e| e.kind == EventKind::Reject));
    assert_eq!(snap.summary.dump_time_local, Some(local("2020-02-18 13:39:54.201")));
    assert_eq!(snap.summary.dump_time_votes, 8);
}

#[test]
fn lg_android6_bugreport_excerpt() {
    // grep: 107 `  Uid `, 148 `    Package `, 681 `OP: mode=` lines, 649 `time=`, 20 `rejectTime=`, 11 `(running)`.
    let input = real(LG_ANDROID6);
    let (s, t) = tally(&input);
    assert_eq!(s.dialect, Dialect::DumpsysLegacy);
    assert!(s.embedded, "starts at `DUMP OF SERVICE appops`");
    assert!(!s.truncated);
    assert_eq!((t.uids, t.packages, t.ops, t.access_events, t.reject_events, t.running), (107, 148, 681, 649, 20, 11));
    assert_eq!(s.unrecognised_lines, 0);
    assert_eq!(s.dump_time_local, None, "relative times only");
    let snap = snapshot(&input);
    // `      OP_READ_PHONE_STATE: mode=0; time=+1d2h7m36s618ms ago` under com.studio.sp2 (legacy op spelling kept).
    let sp2 = snap
        .uids
        .iter()
        .flat_map(|u| &u.packages)
        .find(|p| p.package.as_deref() == Some("com.studio.sp2"))
        .expect("sp2");
    let phone = &sp2.ops[0];
    assert_eq!((phone.op.as_str(), phone.mode.as_deref()), ("OP_READ_PHONE_STATE", Some("0")));
    assert_eq!(phone.events[0].relative_ms, Some(-(86_400_000 + 2 * 3_600_000 + 7 * 60_000 + 36_618)));
    assert_eq!((phone.events[0].time_local, phone.events[0].uid_state.as_deref()), (None, None));
    // The stalkerware entry in `Started ops:` is a client record, not an access event.
    assert!(!snap
        .uids
        .iter()
        .flat_map(|u| &u.packages)
        .any(|p| p.package.as_deref() == Some("com.mxspy") && p.ops.is_empty()));
}

#[test]
fn battery_historian_lollipop_lines() {
    let input = real("google-battery-historian__packageutils_test_appops_lollipop.txt");
    let snap = snapshot(&input);
    assert_eq!(snap.summary.dialect, Dialect::DumpsysLegacy);
    assert!(snap.summary.embedded && !snap.summary.truncated);
    let names: Vec<_> = snap.uids.iter().map(|u| u.uid.clone().unwrap_or_default()).collect();
    assert_eq!(names, ["1000", "1013", "u0a2", "u0a12"]);
    assert_eq!(snap.uids.iter().map(|u| u.packages.len()).sum::<usize>(), 7);
    let vibrate = &snap.uids[0].packages[1].ops[0];
    assert_eq!((vibrate.op.as_str(), vibrate.mode.as_deref()), ("VIBRATE", Some("0")));
    assert_eq!((vibrate.events[0].relative_ms, vibrate.events[0].duration_ms), (Some(-39_500), Some(59)));
    // `COARSE_LOCATION: mode=0; duration=0`: an op with no access time is no event.
    assert!(snap.uids[0].packages[0].ops[0].events.is_empty());
}

#[test]
fn oplus_watchers_only_excerpt_is_truncated() {
    let input = real("bedoyadaniel-forensics__androidqf_dumpsys_appops_watchers_oplus_2025.txt");
    let (s, t) = tally(&input);
    assert!(s.embedded);
    assert!(s.truncated, "the section stops in the watchers, before any op state");
    assert_eq!(s.dialect, Dialect::DumpsysAttributed, "watchers print op= only from Android 11");
    assert_eq!((t.uids, t.access_events), (0, 0));
}

#[test]
fn appops_get_outputs() {
    // AppManager #29: 18 op lines, 12 `time=`, 4 `rejectTime=` (CHANGE_WIFI_STATE carries both).
    let (s, t) = tally(&real("MuntashirAkon-AppManager-issue29__appops_get_2020.txt"));
    assert_eq!(s.dialect, Dialect::AppopsGet);
    assert_eq!((t.ops, t.access_events, t.reject_events, t.uid_modes), (18, 12, 4, 0));
    let snap = snapshot(&real("MuntashirAkon-AppManager-issue29__appops_get_2020.txt"));
    let pkg = &snap.uids[0].packages[0];
    assert_eq!(pkg.package, None, "appops get never names its package");
    let wifi = pkg.ops.iter().find(|o| o.op == "CHANGE_WIFI_STATE").expect("op");
    assert_eq!(wifi.events.len(), 2);
    assert_eq!(wifi.events[1].relative_ms, Some(-(5 * 86_400_000 + 17 * 3_600_000 + 60_000 + 29_283)));
    let wake = pkg.ops.iter().find(|o| o.op == "WAKE_LOCK").expect("op");
    assert_eq!(wake.events[0].duration_ms, Some(61_568));

    // device-infra: `Uid mode:` once, then 8 package ops; no trailing newline (complete last line).
    let (s, t) = tally(&real("google-device-infra__appops_get_test_output_android11.txt"));
    assert_eq!((t.uid_modes, t.ops, t.access_events, t.reject_events), (1, 8, 3, 5));
    assert!(!s.truncated);

    // Hytera: the command line is not output; accesses recorded at epoch 0 show as 20166 days ago.
    let snap = snapshot(&real("hfreeman2008-android_core_framework__appops_get_systemui_hytera_android11_2025.txt"));
    assert_eq!(snap.summary.unrecognised_lines, 1);
    assert_eq!(snap.uids[0].modes.len(), 1);
    let images = snap.uids[0].packages[0].ops.iter().find(|o| o.op == "READ_MEDIA_IMAGES").expect("op");
    assert_eq!(images.events[0].relative_ms, Some(-(20166 * 86_400_000 + 8 * 3_600_000 + 20 * 60_000 + 24_861)));

    // MIUI: a uid mode and a package op for the same op with different modes.
    let snap =
        snapshot(&real("Hamza417-Inure-issue456__appops_get_op_READ_CLIPBOARD_poco_f3_miui13_android12_2025.txt"));
    assert_eq!(snap.uids[0].modes[0].mode, "foreground");
    let clip = &snap.uids[0].packages[0].ops[0];
    assert_eq!(
        (clip.op.as_str(), clip.mode.as_deref(), clip.events[0].relative_ms),
        ("READ_CLIPBOARD", Some("deny"), Some(-4_979))
    );

    // isdi research device: 8 lines, 8 accesses with multi-day times.
    let (_, t) = tally(&real("stopipv-isdi__appops_get_string_android_research_device.txt"));
    assert_eq!((t.ops, t.access_events), (8, 8));
}

#[test]
fn cross_check_files_hold_no_op_state() {
    // Help text, query-op output, appops.xml and MVT's derived JSON are not dumps: nothing is invented from them.
    for name in [
        "lixiaogang03-blog__appops_shell_help_android11_2021.txt",
        "hfreeman2008-android_core_framework__appops_query-op_FINE_LOCATION_hytera_android11_2025.txt",
        "lixiaogang03-blog__appops_xml_same_device_android11_2021.xml.txt",
        "bedoyadaniel-forensics__mvt_appops_json_output_samsung_DERIVED.txt",
    ] {
        let (s, t) = tally(&real(name));
        assert_eq!((t.access_events, t.reject_events, t.ops), (0, 0, 0), "{name}");
        assert_eq!(s.dialect, Dialect::Unknown, "{name}");
    }
}

#[test]
fn mvt_derived_output_agrees_with_our_reading_of_the_same_kind_of_line() {
    // MVT flattens `[pers-s]` into "type": "pers-s"; we split it into uid state and flags.
    let line = b"Current AppOps Service state:\n  Uid 1000:\n    Package com.samsung.android.provider.filterprovider:\n      MANAGE_EXTERNAL_STORAGE (default):\n          Reject: [pers-s]2024-12-01 19:47:10.776 (-1s0ms)\n";
    let snap = snapshot(line);
    let e = &snap.uids[0].packages[0].ops[0].events[0];
    assert_eq!(
        (e.kind, e.uid_state.as_deref(), e.flags.as_slice()),
        (EventKind::Reject, Some("pers"), &["s".to_owned()][..])
    );
    assert_eq!(e.time_local, Some(local("2024-12-01 19:47:10.776")));
}

#[test]
fn all_real_captures_parse_without_loss_of_structure() {
    for name in REAL_DUMPS.iter().chain([&LG_ANDROID6]) {
        let input = real(name);
        let snap = snapshot(&input);
        let (_, t) = tally(&input);
        let events: usize =
            snap.uids.iter().flat_map(|u| &u.packages).flat_map(|p| &p.ops).map(|o| o.events.len()).sum();
        assert_eq!(events as u64, t.access_events + t.reject_events, "{name}: snapshot and tally agree");
    }
}

#[test]
fn real_captures_with_bare_cr_line_ends_read_as_with_newlines() {
    // Classic Mac line ends (or a console log's): no `\n` at all. Before, such a file was one unrecognised line, an
    // empty dump. Every event, summary count and time the same; only what the lines end with differs.
    for name in REAL_DUMPS.iter().chain([&LG_ANDROID6]) {
        // The LG capture's lines end with `\r\n` (its only `\r`s): compared with `\n` alone.
        let input: Vec<u8> = real(name).into_iter().filter(|&b| b != b'\r').collect();
        let cr: Vec<u8> = input.iter().map(|&b| if b == b'\n' { b'\r' } else { b }).collect();
        assert_eq!(record(&cr), record(&input), "{name}: events");
        let (summary, t) = tally(&cr);
        let (want_summary, want) = tally(&input);
        assert_eq!((counts(&t), t.running), (counts(&want), want.running), "{name}: counts");
        assert_eq!(summary, want_summary, "{name}: summary");
    }
}

// Exact counts for the captures whose tests above check only some values: extra or lost events would pass those.
// Each tuple is (uids, packages, ops, uid modes, access, reject), each number counted by hand in the fixture text.

#[test]
fn sunmi_android11_exact_counts() {
    // Lines 61–100: one `  Uid u0a119:`, one `    Package`, 7 op headers (COARSE_LOCATION bare, then FINE_LOCATION,
    // GPS, WIFI_SCAN, MONITOR_LOCATION, MONITOR_HIGH_POWER_LOCATION, CHANGE_WIFI_STATE), `LEGACY_STORAGE: mode=ignore`,
    // 12 `Access:` (1+3+1+3+3+1), 3 `Reject:` (2 under FINE_LOCATION, 1 under MONITOR_LOCATION), no `Running start at:`.
    // The watcher lines (`op=READ_SMS` …) and the `-h` help text are none of these.
    let (s, t) = tally(&real("lixiaogang03-blog__dumpsys_appops_android11_sunmi_qssi_2021.txt"));
    assert_eq!(s.dialect, Dialect::DumpsysAttributed);
    assert_eq!(counts(&t), (1, 1, 7, 1, 12, 3));
    assert_eq!(t.running, 0);
}

#[test]
fn battery_historian_lollipop_exact_counts() {
    // 4 `  Uid `, 7 `    Package ` (4 of them without ops), 3 op lines (COARSE_LOCATION with `duration=0` and no
    // `time=`, VIBRATE, WAKE_LOCK), 2 `time=`, no `rejectTime=`; no uid-level mode lines in this Android 5 text.
    let (_, t) = tally(&real("google-battery-historian__packageutils_test_appops_lollipop.txt"));
    assert_eq!(counts(&t), (4, 7, 3, 0, 2, 0));
}

#[test]
fn hytera_appops_get_exact_counts() {
    // Line 1 is the command, line 2 blank. `Uid mode: COARSE_LOCATION: foreground` is the one uid mode; the 5 lines
    // after it are ops (the un-prefixed LEGACY_STORAGE included: the text cannot tell it from a package op).
    // `time=` on FINE_LOCATION, READ_PHONE_STATE, READ_MEDIA_IMAGES; `rejectTime=` on MANAGE_EXTERNAL_STORAGE.
    // `appops get` prints no `Uid`/`Package` header lines.
    let (s, t) = tally(&real("hfreeman2008-android_core_framework__appops_get_systemui_hytera_android11_2025.txt"));
    assert_eq!(s.dialect, Dialect::AppopsGet);
    assert_eq!(counts(&t), (0, 0, 5, 1, 3, 1));
}

#[test]
fn miui_appops_get_exact_counts() {
    // Two lines: `Uid mode: READ_CLIPBOARD: foreground` (uid mode) and `READ_CLIPBOARD: deny; time=+4s979ms ago`
    // (one op, one access); no `rejectTime=`.
    let (s, t) =
        tally(&real("Hamza417-Inure-issue456__appops_get_op_READ_CLIPBOARD_poco_f3_miui13_android12_2025.txt"));
    assert_eq!(s.dialect, Dialect::AppopsGet);
    assert_eq!(counts(&t), (0, 0, 1, 1, 1, 0));
}

#[test]
fn isdi_appops_get_exact_counts() {
    // 8 op lines, each with `time=`, none with `rejectTime=`, no `Uid mode:`.
    let (s, t) = tally(&real("stopipv-isdi__appops_get_string_android_research_device.txt"));
    assert_eq!(s.dialect, Dialect::AppopsGet);
    assert_eq!(counts(&t), (0, 0, 8, 0, 8, 0));
}

#[test]
fn aosp_doc_android11_preview_exact_counts() {
    // `Uid 2000:` and `Uid u0a118:`; one `Package com.google.android.gms:` (Uid 2000's packages are elided as `[...]`);
    // op headers READ_CONTACTS and MANAGE_EXTERNAL_STORAGE; 3 `OP: mode=` lines under Uid 2000;
    // 6 `Access:` (2 null, 1 apkappcontext, 3 icing), 2 `Reject:`.
    let (_, t) = tally(&real("aosp-platform_frameworks_base__AppOps.md_examples_android11_featureId.txt"));
    assert_eq!(counts(&t), (2, 1, 2, 3, 6, 2));
}

#[test]
fn a_watcher_line_cut_after_its_number_is_truncated_and_a_whole_one_is_not() {
    // The Samsung A10 dump's first watcher: `      #0: ModeCallback{b8f1a14 … pid=4098}` (line 9).
    let input = real("mvt-project-mvt__dumpsys_appops_samsung_a10.txt");
    let line_ends: Vec<usize> = input.iter().enumerate().filter(|(_, &b)| b == b'\n').map(|(i, _)| i).collect();
    let (start, end) = (line_ends[7] + 1, line_ends[8]);
    let line = std::str::from_utf8(&input[start..end]).expect("ASCII");
    assert!(line.trim_start().starts_with("#0: ModeCallback{"), "{line}");
    let colon = start + line.find(':').expect("colon") + 1;
    // Cut right after `#0:`: AOSP prints the callback on the same line, so the line is cut.
    let (s, _) = tally(&input[..colon]);
    assert!(s.truncated, "cut after the watcher's number");
    // The whole line, only its newline missing: it ends with the callback's `}`.
    let (s, _) = tally(&input[..end]);
    assert!(!s.truncated, "a whole watcher line");
    // A brace not yet closed stays cut.
    let (s, _) = tally(&input[..end - 1]);
    assert!(s.truncated, "a callback cut before its brace");
}
