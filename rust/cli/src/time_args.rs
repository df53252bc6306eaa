//! `--zone`, `--captured-at`, `--since` and `--until`, shared by the commands that date events.

use anyhow::Context as _;
use jiff::tz::TimeZone;
use opsight_core::time::CaptureContext;

/// What `--since`/`--until` accept, for messages and `--help`.
pub const BOUND_FORMS: &str = "a date such as 2026-03-01 or an RFC 3339 instant such as 2026-03-01T08:00:00Z";

/// Builds the capture context from the flags; absent flags leave their part unknown.
pub fn capture_context(zone: Option<&str>, captured_at: Option<&str>) -> anyhow::Result<CaptureContext> {
    let zone = zone.map(parse_zone).transpose()?;
    let captured_at_utc_ms = captured_at.map(parse_instant).transpose()?;
    Ok(CaptureContext { captured_at_utc_ms, zone, ..CaptureContext::default() })
}

pub fn parse_zone(name: &str) -> anyhow::Result<TimeZone> {
    TimeZone::get(name)
        .with_context(|| format!("unknown time zone {name:?} (expected an IANA id such as Asia/Shanghai)"))
}

pub fn parse_instant(text: &str) -> anyhow::Result<i64> {
    let ts: jiff::Timestamp = text
        .parse()
        .with_context(|| format!("invalid instant {text:?} (expected RFC 3339, e.g. 2026-03-01T08:00:00Z)"))?;
    Ok(ts.as_millisecond())
}

/// One end of a time range (`--since`/`--until`), as UTC epoch milliseconds.
///
/// - `YYYY-MM-DD` is the first instant of that day in `zone` (UTC when `None`). Days that do not start at
///   midnight because of a DST change start at the first instant that exists.
/// - Anything else must be an RFC 3339 instant with an offset (`2026-03-01T08:00:00Z`, `…+01:00`).
///
/// `flag` names the option in the error message (`--since`).
pub fn parse_bound(flag: &str, text: &str, zone: Option<&TimeZone>) -> anyhow::Result<i64> {
    // jiff's own message is left out: it describes the parser's state, not what the user should type.
    let invalid = || anyhow::anyhow!("invalid {flag} {text:?} (expected {BOUND_FORMS})");
    if looks_like_date(text) {
        let date: jiff::civil::Date = text.parse().map_err(|_| invalid())?;
        let zone = zone.cloned().unwrap_or(TimeZone::UTC);
        let start = date.to_zoned(zone).map_err(|_| invalid())?;
        return Ok(start.timestamp().as_millisecond());
    }
    let ts: jiff::Timestamp = text.parse().map_err(|_| invalid())?;
    Ok(ts.as_millisecond())
}

/// `[since, until)` from the flags: since defaults to the beginning of time, until to the far future.
pub fn time_range(since: Option<&str>, until: Option<&str>, zone: Option<&TimeZone>) -> anyhow::Result<(i64, i64)> {
    let from = since.map(|s| parse_bound("--since", s, zone)).transpose()?.unwrap_or(i64::MIN);
    let to = until.map(|u| parse_bound("--until", u, zone)).transpose()?.unwrap_or(i64::MAX);
    if from >= to {
        anyhow::bail!("--since must be before --until (the range includes --since and excludes --until)");
    }
    Ok((from, to))
}

/// Exactly `dddd-dd-dd`: jiff's date parser also accepts a datetime and drops its time, which would silently
/// turn `2026-03-01T08:00` (no offset) into midnight.
fn looks_like_date(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 10 && b.iter().enumerate().all(|(i, c)| if i == 4 || i == 7 { *c == b'-' } else { c.is_ascii_digit() })
}

/// An instant for people: RFC 3339 to the second, `…Z` without a zone, with the zone's offset otherwise.
/// Instants outside jiff's range (the open ends of a range) are shown as `-` .
pub fn format_instant(ms: i64, zone: Option<&TimeZone>) -> String {
    let Ok(ts) = jiff::Timestamp::from_millisecond(ms) else {
        return "-".to_owned();
    };
    match zone {
        None => ts.strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
        Some(z) => ts.to_zoned(z.clone()).strftime("%Y-%m-%dT%H:%M:%S%:z").to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(rfc3339: &str) -> i64 {
        rfc3339.parse::<jiff::Timestamp>().expect("valid test instant").as_millisecond()
    }

    #[test]
    fn a_date_is_midnight_utc_without_a_zone() {
        assert_eq!(parse_bound("--since", "2026-03-01", None).expect("date"), ms("2026-03-01T00:00:00Z"));
    }

    #[test]
    fn a_date_is_midnight_in_the_zone_across_dst() {
        let berlin = parse_zone("Europe/Berlin").expect("zone");
        // Winter (+01:00), the DST change day itself (starts at +01:00, switches at 02:00), and summer (+02:00).
        assert_eq!(parse_bound("--since", "2026-03-28", Some(&berlin)).expect("date"), ms("2026-03-27T23:00:00Z"));
        assert_eq!(parse_bound("--since", "2026-03-29", Some(&berlin)).expect("date"), ms("2026-03-28T23:00:00Z"));
        assert_eq!(parse_bound("--since", "2026-03-30", Some(&berlin)).expect("date"), ms("2026-03-29T22:00:00Z"));
        // The day of 2026-03-29 in Berlin lasts 23 hours.
        let day = parse_bound("--until", "2026-03-30", Some(&berlin)).expect("date")
            - parse_bound("--since", "2026-03-29", Some(&berlin)).expect("date");
        assert_eq!(day, 23 * 3_600_000);
    }

    #[test]
    fn a_day_without_a_midnight_starts_when_the_clock_resumes() {
        // São Paulo moved its clocks from 00:00 to 01:00 (-02:00) on 2018-11-04.
        let sp = parse_zone("America/Sao_Paulo").expect("zone");
        assert_eq!(parse_bound("--since", "2018-11-04", Some(&sp)).expect("date"), ms("2018-11-04T03:00:00Z"));
    }

    #[test]
    fn rfc3339_instants_ignore_the_zone() {
        let berlin = parse_zone("Europe/Berlin").expect("zone");
        let expected = ms("2026-03-01T07:00:00Z");
        assert_eq!(parse_bound("--since", "2026-03-01T08:00:00+01:00", None).expect("instant"), expected);
        assert_eq!(parse_bound("--since", "2026-03-01T07:00:00Z", Some(&berlin)).expect("instant"), expected);
        assert_eq!(parse_bound("--until", "2026-03-01T07:00:00.250Z", None).expect("instant"), expected + 250);
    }

    #[test]
    fn garbage_is_refused_with_the_flag_and_the_accepted_forms() {
        for text in ["garbage", "", "2026-13-01", "2026-02-30", "2026-03-01T08:00:00", "2026-3-1", "yesterday"] {
            let err = parse_bound("--since", text, None).expect_err(text).to_string();
            assert!(err.starts_with("invalid --since "), "{err}");
            assert!(err.contains("2026-03-01T08:00:00Z"), "{err}");
        }
    }

    #[test]
    fn ranges_default_to_everything_and_must_not_be_empty() {
        assert_eq!(time_range(None, None, None).expect("open range"), (i64::MIN, i64::MAX));
        let (from, to) = time_range(Some("2026-03-01"), Some("2026-03-02"), None).expect("one day");
        assert_eq!(to - from, 86_400_000);
        let err = time_range(Some("2026-03-02"), Some("2026-03-01"), None).expect_err("reversed");
        assert!(err.to_string().contains("--since must be before --until"), "{err}");
        assert!(time_range(Some("2026-03-01"), Some("2026-03-01"), None).is_err(), "empty range");
    }

    #[test]
    fn instants_are_shown_in_utc_or_the_zone() {
        let t = ms("2022-03-29T16:48:02.923Z");
        assert_eq!(format_instant(t, None), "2022-03-29T16:48:02Z");
        let berlin = parse_zone("Europe/Berlin").expect("zone");
        assert_eq!(format_instant(t, Some(&berlin)), "2022-03-29T18:48:02+02:00");
        assert_eq!(format_instant(i64::MIN, None), "-");
    }
}
