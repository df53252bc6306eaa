//! `--zone` and `--captured-at`, shared by the commands that date events.

use anyhow::Context as _;
use opsight_core::time::CaptureContext;

/// Builds the capture context from the flags; absent flags leave their part unknown.
pub fn capture_context(zone: Option<&str>, captured_at: Option<&str>) -> anyhow::Result<CaptureContext> {
    let zone = zone.map(parse_zone).transpose()?;
    let captured_at_utc_ms = captured_at.map(parse_instant).transpose()?;
    Ok(CaptureContext { captured_at_utc_ms, zone, dump_time_local: None })
}

pub fn parse_zone(name: &str) -> anyhow::Result<jiff::tz::TimeZone> {
    jiff::tz::TimeZone::get(name)
        .with_context(|| format!("unknown time zone {name:?} (expected an IANA id such as Asia/Shanghai)"))
}

pub fn parse_instant(text: &str) -> anyhow::Result<i64> {
    let ts: jiff::Timestamp = text
        .parse()
        .with_context(|| format!("invalid instant {text:?} (expected RFC 3339, e.g. 2026-03-01T08:00:00Z)"))?;
    Ok(ts.as_millisecond())
}
