//! Whole-output checks: a small independent reader of the generated text.

use std::collections::HashSet;

use crate::catalog;
use crate::time::parse_local;
use crate::{format_duration, generate, DumpSpec, GenStats, Layout};

const NOW: &str = "2026-03-29 23:27:53.087";

fn spec(layout: Layout, seed: u64, target_bytes: usize) -> DumpSpec {
    DumpSpec { seed, apps: 0, target_bytes, layout, now_local: NOW }
}

fn gen(spec: &DumpSpec) -> (String, GenStats) {
    let mut out = Vec::new();
    let stats = generate(spec, &mut out).expect("writing to a Vec cannot fail");
    (String::from_utf8(out).expect("output is UTF-8"), stats)
}

/// Inverse of `format_duration`.
fn parse_duration(s: &str) -> i64 {
    if s == "0" {
        return 0;
    }
    let (sign, rest) = match s.as_bytes()[0] {
        b'+' => (1, &s[1..]),
        b'-' => (-1, &s[1..]),
        _ => panic!("duration without sign: {s}"),
    };
    let mut total = 0i64;
    let mut num = 0i64;
    let mut chars = rest.chars().peekable();
    while let Some(c) = chars.next() {
        if let Some(d) = c.to_digit(10) {
            num = num * 10 + i64::from(d);
            continue;
        }
        let unit = match c {
            'd' => 86_400_000,
            'h' => 3_600_000,
            's' => 1000,
            'm' if chars.peek() == Some(&'s') => {
                chars.next();
                1
            }
            'm' => 60_000,
            _ => panic!("bad duration {s}"),
        };
        total += num * unit;
        num = 0;
    }
    assert_eq!(num, 0, "trailing digits in {s}");
    assert_eq!(format_duration(sign * total), s, "non-canonical duration");
    sign * total
}

/// Counts and checks everything the crate promises. Returns (access, reject) line counts.
fn check_dump(text: &str, layout: Layout) -> (u64, u64) {
    let now = parse_local(NOW).expect("valid");
    let a11 = layout == Layout::Android11;
    let mut access = 0;
    let mut reject = 0;
    let mut seen_uid = false;
    let mut in_block = false;
    let mut keys: HashSet<(bool, String)> = HashSet::new();
    let mut last_code: Option<u16> = None;
    let mut uids = 0;
    let mut packages = 0;
    let mut ops = 0;

    assert!(text.starts_with("Current AppOps Service state:\n  Settings:\n"));
    assert!(text.ends_with('\n'));
    for line in text.lines() {
        if !seen_uid {
            if line.starts_with("  Uid ") {
                assert_eq!(line, "  Uid 0:", "Uid 0 must be the first uid block");
                seen_uid = true;
                uids += 1;
            }
            continue;
        }
        assert!(!line.trim().is_empty(), "blank line inside the uid section");
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        if let Some(rest) = line.strip_prefix("  Uid ") {
            assert!(rest.ends_with(':') && !in_block, "{line}");
            uids += 1;
        } else if let Some(rest) = line.strip_prefix("    Package ") {
            assert!(rest.ends_with(':') && !in_block, "{line}");
            packages += 1;
            last_code = None;
            keys.clear();
        } else if indent == 4 {
            let ok = [
                "state=",
                "capability=",
                "appWidgetVisible=",
                "startNesting=",
                "foregroundOps:",
                "hasForegroundWatchers=",
            ]
            .iter()
            .any(|p| trimmed.starts_with(p));
            assert!(ok, "unexpected uid line {line:?}");
            if trimmed.starts_with("capability=") || trimmed.starts_with("appWidgetVisible=") {
                assert!(a11, "{line}");
            }
            if trimmed.starts_with("startNesting=") {
                assert!(!a11, "{line}");
            }
        } else if indent == 6 && trimmed.ends_with("): ") {
            // op header
            assert!(!in_block, "{line}");
            ops += 1;
            let name = trimmed.split(' ').next().expect("name");
            let code = catalog::op(name).code;
            assert!(last_code.is_none_or(|c| c < code), "ops out of code order at {line}");
            last_code = Some(code);
            if name != "COARSE_LOCATION" && catalog::op(name).switch.is_some() {
                assert!(trimmed.contains(" / switch COARSE_LOCATION="), "{line}");
            }
            keys.clear();
        } else if indent == 6 {
            // uid-level mode or foregroundOps entry
            assert!(
                trimmed.contains(": mode=") || trimmed.ends_with(": WATCHER") || trimmed.ends_with(": SILENT"),
                "{line}"
            );
        } else if indent == 8 && trimmed.ends_with("=[") {
            assert!(a11 && !in_block, "{line}");
            in_block = true;
            keys.clear();
        } else if indent == 8 && trimmed == "]" {
            assert!(a11 && in_block, "{line}");
            in_block = false;
        } else if indent == 10 {
            assert_eq!(in_block, a11, "event outside a block: {line}");
            let is_access = trimmed.starts_with("Access: [");
            let is_reject = trimmed.starts_with("Reject: [");
            if is_access || is_reject {
                let close = trimmed.find(']').expect("key");
                let key = &trimmed[9..close];
                let (state, flags) = key.split_once('-').expect("state-flags");
                assert!(["pers", "top", "fgsvc", "fg", "bg", "cch"].contains(&state), "{line}");
                assert!(["s", "tp", "tpd"].contains(&flags), "{line}");
                assert!(keys.insert((is_access, key.to_owned())), "duplicate key in block: {line}");
                let after = &trimmed[close + 1..];
                let after = if is_access {
                    access += 1;
                    after.strip_prefix(' ').expect("space after key on Access")
                } else {
                    reject += 1;
                    assert!(!after.starts_with(' '), "space after key on Reject: {line}");
                    after
                };
                let abs = parse_local(&after[..23]).expect("absolute time");
                let rest = after[23..].strip_prefix(" (").expect("relative");
                let close = rest.find(')').expect("relative close");
                let rel = parse_duration(&rest[..close]);
                assert!(rel < 0, "{line}");
                assert_eq!(abs, now + rel, "abs != now + rel: {line}");
                let mut tail = &rest[close + 1..];
                if let Some(t) = tail.strip_prefix(" duration=") {
                    assert!(is_access, "duration on Reject: {line}");
                    let end = t.find(' ').unwrap_or(t.len());
                    let dur = parse_duration(&t[..end]);
                    assert!(dur > 0 && dur < -rel, "an access cannot outlast the dump: {line}");
                    tail = &t[end..];
                }
                if let Some(p) = tail.strip_prefix(" proxy[uid=") {
                    assert!(p.ends_with(']'), "{line}");
                    assert_eq!(p.contains(", attributionTag="), a11, "{line}");
                    tail = "";
                }
                assert_eq!(tail, "", "trailing garbage: {line}");
            } else if let Some(d) = trimmed.strip_prefix("Running start at: ") {
                assert!(parse_duration(d) > 0);
            } else if let Some(n) = trimmed.strip_prefix("startNesting=") {
                let n: u32 = n.parse().expect("nesting");
                assert!(n >= if a11 { 2 } else { 1 });
            } else {
                panic!("unexpected event line {line:?}");
            }
        } else {
            panic!("unexpected line {line:?}");
        }
    }
    assert!(!in_block, "unterminated attribution block");
    assert!(seen_uid);
    let _ = (uids, packages, ops);
    (access, reject)
}

fn line_count(text: &str, kind: &str) -> u64 {
    text.lines().filter(|l| l.trim_start().starts_with(kind)).count() as u64
}

#[test]
fn same_seed_same_bytes() {
    for layout in [Layout::Android10, Layout::Android11] {
        let (a, sa) = gen(&spec(layout, 42, 300_000));
        let (b, sb) = gen(&spec(layout, 42, 300_000));
        assert_eq!(a, b);
        assert_eq!(sa, sb);
        let (c, _) = gen(&spec(layout, 43, 300_000));
        assert_ne!(a, c);
    }
}

#[test]
fn stats_match_a_line_count() {
    for layout in [Layout::Android10, Layout::Android11] {
        let (text, stats) = gen(&spec(layout, 1, 500_000));
        assert_eq!(stats.bytes, text.len() as u64);
        assert_eq!(stats.lines, text.lines().count() as u64);
        assert_eq!(stats.access_events, line_count(&text, "Access:"));
        assert_eq!(stats.reject_events, line_count(&text, "Reject:"));
        assert_eq!(stats.uids, text.lines().filter(|l| l.starts_with("  Uid ")).count() as u64);
        assert_eq!(stats.packages, text.lines().filter(|l| l.starts_with("    Package ")).count() as u64);
        assert_eq!(stats.ops, text.lines().filter(|l| l.starts_with("      ") && l.ends_with("): ")).count() as u64);
        assert!(stats.access_events > 1000 && stats.reject_events > 100, "{stats:?}");
    }
}

#[test]
fn output_follows_the_grammar() {
    for layout in [Layout::Android10, Layout::Android11] {
        for seed in [1, 2, 3] {
            let (text, stats) = gen(&spec(layout, seed, 400_000));
            let (access, reject) = check_dump(&text, layout);
            assert_eq!((access, reject), (stats.access_events, stats.reject_events));
        }
    }
}

#[test]
fn layouts_differ_as_documented() {
    let (a10, _) = gen(&spec(Layout::Android10, 5, 400_000));
    let (a11, _) = gen(&spec(Layout::Android11, 5, 400_000));
    assert!(!a10.contains("=[\n") && !a10.contains("capability=") && !a10.contains("attributionTag="));
    assert!(a10.contains(" proxy[uid="));
    assert!(
        a11.contains("        null=[\n")
            && a11.contains("    capability=")
            && a11.contains("    appWidgetVisible=false\n")
    );
    assert!(a11.contains(", attributionTag="));
    for text in [&a10, &a11] {
        assert!(text.contains(" / switch COARSE_LOCATION="));
        assert!(text.contains(" duration=+"));
        assert!(text.contains("Running start at: +"));
        assert!(text.contains("startNesting="));
        assert!(text.contains("      LEGACY_STORAGE: mode="));
        assert!(text.contains("    Package com.google.android.gms:\n"));
        assert!(text.contains("  Uid 1000:\n") && text.contains("  Uid 1001:\n"));
        assert!(text.contains(" [bg-tpd] ") || text.contains("[bg-tpd]2"));
    }
    // Non-null attribution tags appear in A11 dumps.
    assert!(a11.contains("        com.google.android.gms.") && a11.contains("=[\n"));
}

#[test]
fn target_size_is_reached_and_ends_cleanly() {
    let (text, stats) = gen(&spec(Layout::Android11, 9, 2_000_000));
    assert!(stats.bytes >= 2_000_000);
    assert!(stats.bytes < 2_000_000 + 200_000, "overshoot too large: {}", stats.bytes);
    assert!(text.ends_with("\n"));
    assert!(!text.ends_with("=[\n"));
    // Real package names are used, then templates with numeric suffixes.
    assert!(text.contains("    Package com.tencent.mm:\n"));
    let names: Vec<&str> = text.lines().filter_map(|l| l.strip_prefix("    Package ")).collect();
    let user_names: HashSet<&str> = names.iter().copied().filter(|n| !n.starts_with("com.android.")).collect();
    assert!(user_names.len() > 200, "{}", user_names.len());
}

#[test]
fn apps_minimum_and_tiny_targets() {
    let (text, stats) = gen(&DumpSpec { seed: 3, apps: 0, target_bytes: 0, layout: Layout::Android10, now_local: NOW });
    assert_eq!(stats.uids, 1, "only Uid 0 for a zero target");
    assert!(text.contains("  Uid 0:\n"));
    let (_, stats) = gen(&DumpSpec { seed: 3, apps: 40, target_bytes: 0, layout: Layout::Android11, now_local: NOW });
    let system_uids = catalog::SYSTEM_UIDS.len() as u64;
    assert_eq!(stats.uids, system_uids + 40);
}

#[test]
fn bad_now_is_invalid_input() {
    let mut out = Vec::new();
    let err = generate(&DumpSpec { now_local: "yesterday", ..DumpSpec::default() }, &mut out).expect_err("must fail");
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    assert!(out.is_empty());
}

#[test]
fn layout_parses() {
    assert_eq!("android11".parse::<Layout>(), Ok(Layout::Android11));
    assert_eq!("Android10".parse::<Layout>(), Ok(Layout::Android10));
    assert!("android12".parse::<Layout>().is_err());
}
