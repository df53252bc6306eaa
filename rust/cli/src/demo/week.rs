//! A week of the demo phone, event by event: when the user had each app on screen, and every access it made.
//! Deterministic for a given end instant (a small seeded generator, no randomness from outside).

use jiff::civil::{Date, Weekday};
use jiff::tz::TimeZone;

use super::scenario::{Behaviour, Days, DemoApp, Session};

pub const HOUR_MS: i64 = 3_600_000;
pub const DAY_MS: i64 = 24 * HOUR_MS;

/// One access or refused attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Event {
    pub t: i64,
    pub op: &'static str,
    /// `top`, `fgsvc`, `bg`, `cch`.
    pub state: &'static str,
    pub reject: bool,
    pub duration_ms: Option<i64>,
}

/// One app's week.
#[derive(Debug, Clone)]
pub struct AppWeek {
    pub app: &'static DemoApp,
    /// Usage intervals (begin, end), oldest first.
    pub sessions: Vec<(i64, i64)>,
    /// Sorted by time.
    pub events: Vec<Event>,
}

/// SplitMix64: small, fast, and the same everywhere.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    /// True with `percent` % probability.
    pub fn chance(&mut self, percent: u8) -> bool {
        self.below(100) < u64::from(percent)
    }

    /// Uniform in `-spread..=spread`.
    pub fn jitter(&mut self, spread: i64) -> i64 {
        self.below(2 * spread.unsigned_abs() + 1) as i64 - spread
    }
}

fn seed_of(package: &str, salt: u64) -> u64 {
    // FNV-1a: stable across builds and platforms (std's hasher is not).
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ salt;
    for b in package.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// The local days the week `[end − 7 days, end]` touches, oldest first (8 of them unless `end` is midnight).
pub fn local_days(end_ms: i64, zone: &TimeZone) -> Vec<Date> {
    let date = |ms: i64| jiff::Timestamp::from_millisecond(ms).map(|t| t.to_zoned(zone.clone()).date()).ok();
    let (Some(first), Some(last)) = (date(end_ms - 7 * DAY_MS), date(end_ms)) else { return Vec::new() };
    let mut days = vec![first];
    while let Some(next) = days.last().and_then(|d| d.tomorrow().ok()).filter(|d| *d <= last) {
        days.push(next);
    }
    days
}

/// A local time on a date, as UTC ms (a time in a DST gap moves forward).
pub fn local_ms(date: Date, hour: u8, minute: u8, second: u8, zone: &TimeZone) -> Option<i64> {
    let dt = date.at(hour as i8, minute as i8, second as i8, 0);
    Some(dt.to_zoned(zone.clone()).ok()?.timestamp().as_millisecond())
}

fn day_matches(days: Days, index: usize, date: Date) -> bool {
    let weekend = matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday);
    match days {
        Days::All => true,
        Days::Weekdays => !weekend,
        Days::Weekend => weekend,
        Days::Only(list) => list.iter().any(|d| usize::from(*d) == index),
        Days::From(first) => index >= usize::from(first),
    }
}

fn sessions(app: &DemoApp, days: &[Date], start: i64, end: i64, zone: &TimeZone) -> Vec<(i64, i64)> {
    let mut rng = Rng::new(seed_of(app.package, 1));
    let mut out = Vec::new();
    for (i, date) in days.iter().enumerate() {
        for Session { hour, minute, minutes, days: which, chance } in app.sessions.iter().copied() {
            // Draw every time so one day's outcome does not shift the next day's.
            let (happens, shift, stretch) = (rng.chance(chance), rng.jitter(15 * 60_000), rng.jitter(20));
            if !happens || !day_matches(which, i, *date) {
                continue;
            }
            let Some(begin) = local_ms(*date, hour, minute, 0, zone).map(|b| b + shift) else { continue };
            let length = i64::from(minutes) * 60_000 * (100 + stretch) / 100;
            let (b, e) = (begin.max(start), (begin + length).min(end));
            if b < e {
                out.push((b, e));
            }
        }
    }
    out.sort_unstable();
    // Overlapping sessions of one app are one visit.
    let mut merged: Vec<(i64, i64)> = Vec::with_capacity(out.len());
    for (b, e) in out {
        match merged.last_mut() {
            Some(last) if b <= last.1 => last.1 = last.1.max(e),
            _ => merged.push((b, e)),
        }
    }
    merged
}

fn on_screen(sessions: &[(i64, i64)], t: i64) -> bool {
    sessions.iter().any(|(b, e)| *b <= t && t < *e)
}

/// Every app's week ending at `end_ms` (the last instant included is `end_ms`).
pub fn generate(apps: &'static [DemoApp], end_ms: i64, zone: &TimeZone) -> Vec<AppWeek> {
    let start = end_ms - 7 * DAY_MS;
    let days = local_days(end_ms, zone);
    let in_week = |t: i64| t > start && t <= end_ms;
    apps.iter()
        .map(|app| {
            let sessions = sessions(app, &days, start, end_ms, zone);
            let mut rng = Rng::new(seed_of(app.package, 2));
            let mut events = Vec::new();
            let mut push = |t: i64, op, state, reject, duration_ms: Option<i64>| {
                if in_week(t) {
                    events.push(Event { t, op, state, reject, duration_ms: duration_ms.filter(|d| *d > 0) });
                }
            };
            for b in app.behaviours {
                match *b {
                    Behaviour::WhileUsed { op, every_s, duration_ms } => {
                        for &(s, e) in &sessions {
                            let mut t = s + 1_000 + rng.below(1_000) as i64;
                            while t < e {
                                push(t, op, "top", false, Some(i64::from(duration_ms)));
                                t += i64::from(every_s) * 1000 + rng.jitter(150);
                            }
                        }
                    }
                    Behaviour::OnOpen { op } => {
                        for &(s, _) in &sessions {
                            push(s + 1_500 + rng.below(2_000) as i64, op, "top", false, None);
                        }
                    }
                    Behaviour::Sometimes { op, chance, duration_ms } => {
                        for &(s, e) in &sessions {
                            let (hit, at) = (rng.chance(chance), rng.below(((e - s) / 2).max(1) as u64) as i64);
                            if hit {
                                let d = i64::from(duration_ms) * (70 + rng.below(60) as i64) / 100;
                                push(s + 5_000 + at, op, "top", false, Some(d.min(e - s)));
                            }
                        }
                    }
                    Behaviour::Service { op, every_s, after_min } => {
                        for &(s, e) in &sessions {
                            let stop = e + i64::from(after_min) * 60_000;
                            let mut t = s + 2_000 + rng.below(1_000) as i64;
                            while t < stop {
                                let state = if t < e { "top" } else { "fgsvc" };
                                push(t, op, state, false, None);
                                t += i64::from(every_s) * 1000 + rng.jitter(200);
                            }
                        }
                    }
                    Behaviour::Background { op, hours, state, days: which, chance }
                    | Behaviour::Refused { op, hours, state, days: which, chance } => {
                        let reject = matches!(b, Behaviour::Refused { .. });
                        for (i, date) in days.iter().enumerate() {
                            for &hour in hours {
                                let (hit, minute, second) =
                                    (rng.chance(chance), rng.below(60) as u8, rng.below(60) as u8);
                                if !hit || !day_matches(which, i, *date) {
                                    continue;
                                }
                                let Some(t) = local_ms(*date, hour, minute, second, zone) else { continue };
                                let t = t + rng.below(1000) as i64;
                                // An app on screen is not in the background.
                                if !on_screen(&sessions, t) {
                                    push(t, op, state, reject, None);
                                }
                            }
                        }
                    }
                }
            }
            events.sort_unstable();
            events.dedup_by_key(|e| (e.t, e.op, e.state, e.reject));
            AppWeek { app, sessions, events }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::scenario::APPS;

    fn ms(s: &str) -> i64 {
        s.parse::<jiff::Timestamp>().expect("instant").as_millisecond()
    }

    #[test]
    fn the_week_touches_eight_local_days() {
        let zone = TimeZone::get("Asia/Shanghai").expect("zone");
        let days = local_days(ms("2026-03-09T04:00:00Z"), &zone);
        assert_eq!(days.len(), 8);
        assert_eq!(days[0].to_string(), "2026-03-02");
        assert_eq!(days[7].to_string(), "2026-03-09");
    }

    #[test]
    fn the_same_end_gives_the_same_week_and_events_stay_inside_it() {
        let zone = TimeZone::get("Asia/Shanghai").expect("zone");
        let end = ms("2026-03-09T04:00:00Z");
        let a = generate(APPS, end, &zone);
        let b = generate(APPS, end, &zone);
        for (x, y) in a.iter().zip(&b) {
            assert_eq!(x.events, y.events, "{}", x.app.package);
            assert_eq!(x.sessions, y.sessions);
            assert!(x.events.iter().all(|e| e.t > end - 7 * DAY_MS && e.t <= end));
            assert!(x.events.windows(2).all(|w| w[0].t <= w[1].t));
            // On-screen accesses happen while the app is used.
            for e in x.events.iter().filter(|e| e.state == "top") {
                assert!(on_screen(&x.sessions, e.t), "{} {e:?}", x.app.package);
            }
        }
    }

    #[test]
    fn behaviours_show_up_as_described() {
        let zone = TimeZone::get("Asia/Shanghai").expect("zone");
        let week = generate(APPS, ms("2026-03-09T04:00:00Z"), &zone);
        let app = |p: &str| week.iter().find(|w| w.app.package == p).expect(p);
        let qq = app("com.tencent.qqmusic");
        assert!(qq.events.iter().any(|e| e.op == "READ_CONTACTS" && e.state == "cch"));
        let amap = app("com.autonavi.minimap");
        assert!(amap.events.iter().any(|e| e.op == "FINE_LOCATION" && e.state == "fgsvc"));
        assert!(amap.events.iter().all(|e| e.state == "top" || e.state == "fgsvc"));
        let loan = app("com.example.quickcash");
        assert!(loan.events.iter().any(|e| e.op == "READ_CALL_LOG" && e.reject));
        assert_eq!(loan.sessions.len(), 1);
        let qukan = app("com.jifen.qukan");
        let clip: Vec<i64> =
            qukan.events.iter().filter(|e| e.op == "READ_CLIPBOARD" && !e.reject).map(|e| e.t).collect();
        assert!(clip.len() > 1000);
        assert!(clip.windows(2).any(|w| w[1] - w[0] <= 2_500));
    }

    #[test]
    fn random_numbers_are_reproducible_and_bounded() {
        let mut a = Rng::new(7);
        let mut b = Rng::new(7);
        assert_eq!((0..10).map(|_| a.next()).collect::<Vec<_>>(), (0..10).map(|_| b.next()).collect::<Vec<_>>());
        for _ in 0..1000 {
            assert!(a.below(10) < 10);
            assert!(a.jitter(5).abs() <= 5);
        }
    }
}
