//! Device-local wall-clock times and Android's `TimeUtils.formatDuration`.
//!
//! Dump times carry no zone, so they are handled as naive civil times: milliseconds since
//! 1970-01-01 00:00:00.000 on the same (unknown) local clock. `now_local + relative` is then
//! plain integer arithmetic, exactly as the generator promises.

use std::fmt::Write as _;

const MS_PER_DAY: i64 = 86_400_000;

/// Parses `YYYY-MM-DD HH:MM:SS.mmm` (exactly 23 characters) into naive local milliseconds.
pub(crate) fn parse_local(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 23 || b[4] != b'-' || b[7] != b'-' || b[10] != b' ' || b[13] != b':' || b[16] != b':' || b[19] != b'.'
    {
        return None;
    }
    let num = |from: usize, to: usize| -> Option<i64> {
        let digits = s.get(from..to)?;
        if !digits.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        digits.parse().ok()
    };
    let (y, mo, d) = (num(0, 4)?, num(5, 7)?, num(8, 10)?);
    let (h, mi, sec, ms) = (num(11, 13)?, num(14, 16)?, num(17, 19)?, num(20, 23)?);
    if !(1..=12).contains(&mo) || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 || sec > 59 {
        return None;
    }
    Some(days_from_civil(y, mo, d) * MS_PER_DAY + ((h * 60 + mi) * 60 + sec) * 1000 + ms)
}

/// Appends `YYYY-MM-DD HH:MM:SS.mmm` (Java `SimpleDateFormat("yyyy-MM-dd HH:mm:ss.SSS")`).
pub(crate) fn push_local(buf: &mut String, ms: i64) {
    let days = ms.div_euclid(MS_PER_DAY);
    let in_day = ms.rem_euclid(MS_PER_DAY);
    let (y, mo, d) = civil_from_days(days);
    let secs = in_day / 1000;
    let _ = write!(
        buf,
        "{y:04}-{mo:02}-{d:02} {:02}:{:02}:{:02}.{:03}",
        secs / 3600,
        secs / 60 % 60,
        secs % 60,
        in_day % 1000
    );
}

/// Android's `TimeUtils.formatDuration(long)`: `0`, or a sign then `Nd Nh Nm Ns` (leading zero
/// fields omitted; once one is printed every smaller one is) and always `Nms`.
///
/// ```
/// use opsight_synth::format_duration;
/// assert_eq!(format_duration(0), "0");
/// assert_eq!(format_duration(-12), "-12ms");
/// assert_eq!(format_duration(30_000), "+30s0ms");
/// assert_eq!(format_duration(-(((314 * 24 + 1) * 60 + 25) * 60_000 + 2_033)), "-314d1h25m2s33ms");
/// ```
pub fn format_duration(ms: i64) -> String {
    let mut s = String::with_capacity(20);
    push_duration(&mut s, ms);
    s
}

pub(crate) fn push_duration(buf: &mut String, ms: i64) {
    if ms == 0 {
        buf.push('0');
        return;
    }
    buf.push(if ms > 0 { '+' } else { '-' });
    let a = ms.unsigned_abs();
    let millis = a % 1000;
    let mut secs = a / 1000;
    let days = secs / 86_400;
    secs %= 86_400;
    let hours = secs / 3600;
    secs %= 3600;
    let mins = secs / 60;
    secs %= 60;
    let mut printed = false;
    for (v, unit) in [(days, 'd'), (hours, 'h'), (mins, 'm'), (secs, 's')] {
        if printed || v > 0 {
            let _ = write!(buf, "{v}{unit}");
            printed = true;
        }
    }
    let _ = write!(buf, "{millis}ms");
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
mod test {
    use super::*;

    fn local(ms: i64) -> String {
        let mut s = String::new();
        push_local(&mut s, ms);
        s
    }

    #[test]
    fn durations_match_android_samples() {
        let ms = |d: i64, h: i64, m: i64, s: i64, x: i64| (((d * 24 + h) * 60 + m) * 60 + s) * 1000 + x;
        assert_eq!(format_duration(0), "0");
        assert_eq!(format_duration(33), "+33ms");
        assert_eq!(format_duration(-12), "-12ms");
        assert_eq!(format_duration(1000), "+1s0ms");
        assert_eq!(format_duration(5_000), "+5s0ms");
        assert_eq!(format_duration(60_000), "+1m0s0ms");
        assert_eq!(format_duration(ms(0, 0, 1, 37, 899)), "+1m37s899ms");
        assert_eq!(format_duration(-ms(0, 0, 24, 50, 324)), "-24m50s324ms");
        assert_eq!(format_duration(-ms(0, 2, 39, 40, 90)), "-2h39m40s90ms");
        assert_eq!(format_duration(-ms(0, 4, 50, 23, 772)), "-4h50m23s772ms");
        assert_eq!(format_duration(-ms(22, 4, 22, 19, 762)), "-22d4h22m19s762ms");
        assert_eq!(format_duration(-ms(314, 1, 25, 2, 33)), "-314d1h25m2s33ms");
        assert_eq!(format_duration(ms(1, 0, 0, 0, 0)), "+1d0h0m0s0ms");
        assert_eq!(format_duration(ms(3, 0, 0, 5, 0)), "+3d0h0m5s0ms");
        assert_eq!(format_duration(i64::MIN).chars().next(), Some('-'));
    }

    #[test]
    fn local_time_round_trips() {
        for s in [
            "2026-03-29 23:27:53.087",
            "2022-03-29 18:37:30.315",
            "2021-01-11 16:01:05.086",
            "2000-02-29 00:00:00.000",
            "1969-12-31 23:59:59.999",
            "2100-12-31 23:59:59.999",
        ] {
            let ms = parse_local(s).expect(s);
            assert_eq!(local(ms), s);
        }
        assert_eq!(parse_local("1970-01-01 00:00:00.000"), Some(0));
        assert_eq!(parse_local("2021-01-11 08:01:05.086"), Some(1_610_352_065_086));
    }

    #[test]
    fn arithmetic_matches_real_dump_lines() {
        // Samsung A10 sample: `Access: [pers-s] 2022-03-29 18:37:30.315 (-4h50m23s772ms)`
        // and `Access: [bg-s] 2022-03-29 23:03:03.763 (-24m50s324ms)` imply the same dump time.
        let now = parse_local("2022-03-29 23:27:54.087").expect("valid");
        assert_eq!(local(now - 17_423_772), "2022-03-29 18:37:30.315");
        assert_eq!(local(now - 1_490_324), "2022-03-29 23:03:03.763");
        // Crossing a year and a leap day.
        let now = parse_local("2024-03-01 00:00:00.001").expect("valid");
        assert_eq!(local(now - 2), "2024-02-29 23:59:59.999");
        assert_eq!(local(now - 61 * MS_PER_DAY), "2023-12-31 00:00:00.001");
    }

    #[test]
    fn rejects_malformed_times() {
        for s in [
            "",
            "2026-03-29 23:27:53",
            "2026-03-29T23:27:53.087",
            "2026-13-01 00:00:00.000",
            "2026-02-29 00:00:00.000",
            "2026-03-29 24:00:00.000",
            "2026-03-29 23:27:5x.087",
            "+026-03-29 23:27:53.087",
        ] {
            assert_eq!(parse_local(s), None, "{s}");
        }
    }
}
