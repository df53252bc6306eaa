//! The demo week as Android 13 would print it: `dumpsys appops --include-discrete` (the last access per key up to
//! the capture instant, then the discrete accesses of the last 24 hours) and `dumpsys appops --history` (15-minute
//! aggregate windows). The grammar is the one in `shared/briefs/appops-format.md` §2.4, §4 and §5.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use jiff::tz::TimeZone;

use super::week::{AppWeek, Event, DAY_MS};

/// Ops the platform keeps in its discrete history (Android 12+ defaults).
pub const DISCRETE_OPS: [&str; 6] =
    ["COARSE_LOCATION", "FINE_LOCATION", "CAMERA", "RECORD_AUDIO", "PHONE_CALL_MICROPHONE", "PHONE_CALL_CAMERA"];
const MINUTE_MS: i64 = 60_000;
/// Width of the aggregate windows in `--history`.
pub const WINDOW_MS: i64 = 15 * MINUTE_MS;

/// Android's `TimeUtils.formatDuration`: `0`, `+1s200ms`, `-1h5m27s679ms` (once a field is printed, every smaller one
/// is).
pub fn format_duration(ms: i64) -> String {
    if ms == 0 {
        return "0".to_owned();
    }
    let mut s = String::from(if ms > 0 { "+" } else { "-" });
    let a = ms.unsigned_abs();
    let (days, hours, minutes, seconds) = (a / 86_400_000, a / 3_600_000 % 24, a / 60_000 % 60, a / 1000 % 60);
    let mut printed = false;
    for (v, unit) in [(days, 'd'), (hours, 'h'), (minutes, 'm'), (seconds, 's')] {
        if printed || v > 0 {
            let _ = write!(s, "{v}{unit}");
            printed = true;
        }
    }
    let _ = write!(s, "{}ms", a % 1000);
    s
}

/// `SimpleDateFormat("yyyy-MM-dd HH:mm:ss.SSS")` in the device's zone.
pub fn local_text(t: i64, zone: &TimeZone) -> String {
    match jiff::Timestamp::from_millisecond(t) {
        Ok(ts) => {
            let z = ts.to_zoned(zone.clone());
            format!(
                "{:04}-{:02}-{:02} {:02}:{:02}:{:02}.{:03}",
                z.year(),
                z.month(),
                z.day(),
                z.hour(),
                z.minute(),
                z.second(),
                z.millisecond()
            )
        }
        Err(_) => "1970-01-01 00:00:00.000".to_owned(),
    }
}

fn state_rank(state: &str) -> u8 {
    match state {
        "pers" => 0,
        "top" => 1,
        "fgsvcl" => 2,
        "fgsvc" => 3,
        "fg" => 4,
        "bg" => 5,
        _ => 6,
    }
}

/// `dumpsys appops` at `capture` (with `Discrete accesses:` when `discrete`): per app, op and key, the latest access
/// and the latest refused attempt at or before `capture`.
pub fn appops_dump(week: &[AppWeek], capture: i64, zone: &TimeZone, discrete: bool) -> String {
    let mut out = String::with_capacity(64 * 1024);
    out.push_str(
        "Current AppOps Service state:\n  Settings:\n    top_state_settle_time=+30s0ms\n    \
         fg_service_state_settle_time=+10s0ms\n    bg_state_settle_time=+1s0ms\n\n",
    );
    let mut apps: Vec<&AppWeek> = week.iter().collect();
    apps.sort_by_key(|w| w.app.app_id);
    for w in &apps {
        let upto = w.events.partition_point(|e| e.t <= capture);
        if upto == 0 {
            continue;
        }
        // op → (state rank, state, reject) → latest event.
        let mut latest: BTreeMap<&str, BTreeMap<(u8, &str, bool), &Event>> = BTreeMap::new();
        for e in &w.events[..upto] {
            latest.entry(e.op).or_default().insert((state_rank(e.state), e.state, e.reject), e);
        }
        let visible = w.sessions.iter().any(|(b, e)| *b <= capture && capture < *e);
        let _ = write!(
            out,
            "  Uid u0a{}:\n    state={}\n    capability={}\n    appWidgetVisible=false\n    Package {}:\n",
            w.app.app_id,
            if visible { "top" } else { "cch" },
            if visible { "LCMN" } else { "----" },
            w.app.package
        );
        for (op, keys) in &latest {
            let only_rejects = keys.keys().all(|k| k.2);
            let _ = write!(out, "      {op} ({}): \n        null=[\n", if only_rejects { "ignore" } else { "allow" });
            for ((_, state, reject), e) in keys {
                let time = local_text(e.t, zone);
                let rel = format_duration(e.t - capture);
                if *reject {
                    let _ = writeln!(out, "          Reject: [{state}-s]{time} ({rel})");
                } else {
                    let _ = write!(out, "          Access: [{state}-s] {time} ({rel})");
                    if let Some(d) = e.duration_ms {
                        let _ = write!(out, " duration={}", format_duration(d));
                    }
                    out.push('\n');
                }
            }
            out.push_str("        ]\n");
        }
    }
    if discrete {
        discrete_section(&mut out, &apps, capture, zone);
    }
    out
}

/// `Discrete accesses: ` with the last 24 hours of discrete ops, quantised to the minute as DiscreteRegistry
/// stores them.
fn discrete_section(out: &mut String, apps: &[&AppWeek], capture: i64, zone: &TimeZone) {
    out.push_str("Discrete accesses: \n");
    for w in apps {
        let from = capture - DAY_MS;
        let lo = w.events.partition_point(|e| e.t <= from);
        let hi = w.events.partition_point(|e| e.t <= capture);
        // op → (minute, state) → duration.
        let mut by_op: BTreeMap<&str, BTreeMap<(i64, &str), Option<i64>>> = BTreeMap::new();
        for e in w.events[lo..hi].iter().filter(|e| !e.reject && DISCRETE_OPS.contains(&e.op)) {
            let minute = e.t.div_euclid(MINUTE_MS) * MINUTE_MS;
            let duration = e.duration_ms.map(|d| (d + MINUTE_MS - 1) / MINUTE_MS * MINUTE_MS);
            by_op.entry(e.op).or_default().entry((minute, e.state)).or_insert(duration);
        }
        if by_op.is_empty() {
            continue;
        }
        let _ = write!(out, "  Uid: {}\n    Package: {}\n", 10_000 + w.app.app_id, w.app.package);
        for (op, accesses) in by_op {
            let _ = write!(out, "      {op}\n        Attribution: null\n");
            for ((minute, state), duration) in accesses {
                let _ = write!(out, "          Access [{state}-s] at {}", local_text(minute, zone));
                if let Some(d) = duration {
                    let _ = write!(out, " for {d} milliseconds ");
                }
                out.push('\n');
            }
        }
    }
}

/// Accesses, rejects and total duration of one key in one window.
type Counts = (u64, u64, i64);

/// `dumpsys appops --history` at `capture`: 15-minute windows over the last 24 hours, newest first, each with the
/// access and reject counts and total duration per app, op and key.
pub fn history_dump(week: &[AppWeek], capture: i64, zone: &TimeZone) -> String {
    let mut out = String::from("\n  History:  mode=ENABLED_ACTIVE\n\n");
    let last_end = capture.div_euclid(WINDOW_MS) * WINDOW_MS;
    let mut apps: Vec<&AppWeek> = week.iter().collect();
    apps.sort_by_key(|w| w.app.app_id);
    let mut end = last_end;
    while end > last_end - DAY_MS {
        let begin = end - WINDOW_MS;
        let mut body = String::new();
        for w in &apps {
            let lo = w.events.partition_point(|e| e.t < begin);
            let hi = w.events.partition_point(|e| e.t < end);
            if lo == hi {
                continue;
            }
            // op → (rank, state) → (access, reject, duration).
            let mut counts: BTreeMap<&str, BTreeMap<(u8, &str), Counts>> = BTreeMap::new();
            for e in &w.events[lo..hi] {
                let c = counts.entry(e.op).or_default().entry((state_rank(e.state), e.state)).or_default();
                if e.reject {
                    c.1 += 1;
                } else {
                    c.0 += 1;
                    c.2 += e.duration_ms.unwrap_or(0);
                }
            }
            let _ = write!(body, "      Uid u0a{}:\n        Package {}:\n", w.app.app_id, w.app.package);
            for (op, keys) in counts {
                let _ = writeln!(body, "          {op}:");
                for ((_, state), (access, reject, duration)) in keys {
                    let mut parts = Vec::new();
                    if access > 0 {
                        parts.push(format!("access={access}"));
                    }
                    if reject > 0 {
                        parts.push(format!("reject={reject}"));
                    }
                    if duration > 0 {
                        parts.push(format!("duration={}", format_duration(duration)));
                    }
                    let _ = writeln!(body, "            [{state}-s] = {}", parts.join(", "));
                }
            }
        }
        if !body.is_empty() {
            let _ = write!(
                out,
                "    snapshot:\n      begin = {}  ({})\n      end = {}  ({})\n\n{body}",
                local_text(begin, zone),
                format_duration(begin - capture),
                local_text(end, zone),
                format_duration(end - capture)
            );
        }
        end = begin;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::scenario::APPS;
    use crate::demo::week;

    #[test]
    fn durations_are_printed_as_android_does() {
        assert_eq!(format_duration(0), "0");
        assert_eq!(format_duration(-12), "-12ms");
        assert_eq!(format_duration(30_000), "+30s0ms");
        assert_eq!(format_duration(-(3_600_000 + 5 * 60_000 + 27_679)), "-1h5m27s679ms");
        assert_eq!(format_duration(86_400_000), "+1d0h0m0s0ms");
    }

    #[test]
    fn local_times_are_printed_in_the_zone() {
        let zone = TimeZone::get("Asia/Shanghai").expect("zone");
        // The Sunmi sample: 2021-01-11 08:01:05.086Z is 16:01:05.086 in UTC+8.
        assert_eq!(local_text(1_610_352_065_086, &zone), "2021-01-11 16:01:05.086");
    }

    #[test]
    fn every_dump_parses_cleanly_with_every_event_dated_exactly() {
        let zone = TimeZone::get("Asia/Shanghai").expect("zone");
        let end = "2026-03-09T04:00:00Z".parse::<jiff::Timestamp>().expect("instant").as_millisecond();
        let weeks = week::generate(APPS, end, &zone);
        for capture in [end - 100 * 3_600_000, end] {
            let text = appops_dump(&weeks, capture, &zone, true);
            let snap = opsight_core::parse_snapshot(text.as_bytes()).expect("parse");
            assert_eq!(snap.summary.dialect, opsight_core::Dialect::DumpsysAttributed);
            assert_eq!(snap.summary.unrecognised_lines, 0, "{text}");
            assert!(!snap.summary.truncated);
            assert!(!snap.discrete.is_empty());
            // The dump's own "now" is the capture instant, in local time.
            assert_eq!(snap.summary.dump_time_local.map(|l| l.to_string()), Some(local_text(capture, &zone)));
        }
        let text = history_dump(&weeks, end, &zone);
        let snap = opsight_core::parse_snapshot(text.as_bytes()).expect("parse");
        assert_eq!(snap.summary.unrecognised_lines, 0, "{text}");
        assert!(snap.history.len() > 10);
        // Qutoutiao's clipboard polling: hundreds of reads in one window.
        let busiest = snap
            .history
            .iter()
            .flat_map(|w| w.entries.iter())
            .filter(|e| e.op == "READ_CLIPBOARD")
            .map(|e| e.access_count)
            .max()
            .unwrap_or(0);
        assert!(busiest >= 300, "{busiest}");
    }
}
