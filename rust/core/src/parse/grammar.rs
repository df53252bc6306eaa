//! The grammar of single lines. Pure functions over one trimmed line; no state, no allocation.
//!
//! Lines are recognised by their content, never by their indentation: real dumps arrive re-indented,
//! tab-indented and as excerpts.

use crate::model::{EventKind, OpRef, ProxyRef};
use crate::time::{parse_duration, LocalTime};

/// Trims spaces, tabs and `\r` (CRLF input, trailing spaces after `): `).
pub fn trim(s: &str) -> &str {
    s.trim_matches(|c: char| c == ' ' || c == '\t' || c == '\r' || c == '\u{feff}')
}

/// Op names as printed: `[A-Z0-9_]+`, OEM variants with lower case or dots, and `Unknown(N)`.
pub fn is_op_name(s: &str) -> bool {
    if s.is_empty() || s.len() > 96 {
        return false;
    }
    if let Some(rest) = s.strip_prefix("Unknown(") {
        return rest
            .strip_suffix(')')
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit() || b == b'-'));
    }
    let b = s.as_bytes();
    (b[0].is_ascii_uppercase() || b[0] == b'_')
        && b.iter().all(|&c| c.is_ascii_alphanumeric() || c == b'_' || c == b'.')
}

/// Splits a `[state-flags]` key body (`fg-s`, `bg-tp|tpd`, `top`) into uid state and flags.
pub fn split_key(key: &str) -> (Option<&str>, &str) {
    let key = trim(key);
    match key.split_once('-') {
        Some((state, flags)) => (non_empty(trim(state)), trim(flags)),
        None => (non_empty(key), ""),
    }
}

fn non_empty(s: &str) -> Option<&str> {
    (!s.is_empty()).then_some(s)
}

/// `null` means "no value" in every AppOps field that prints an object.
pub fn null_to_none(s: &str) -> Option<&str> {
    let s = trim(s);
    (!s.is_empty() && s != "null").then_some(s)
}

/// Parses a duration that must be complete (the whole token). A cut token such as `+1m3` is refused because
/// `formatDuration` always ends with the `ms` field (or is `0`).
pub fn parse_full_duration(s: &str) -> Option<i64> {
    let s = trim(s);
    let (ms, used) = parse_duration(s.as_bytes())?;
    (used == s.len() && (s.ends_with("ms") || s.trim_start_matches(['+', '-']) == "0")).then_some(ms)
}

/// `proxy[uid=10070, pkg=com.android.providers.contacts, attributionTag=null]` body (inside the brackets).
/// The key of the tag varies (`attributionTag=`, the Android 11 preview's `feature=`); unknown keys are ignored.
pub fn parse_proxy_body(body: &str) -> ProxyRef<'_> {
    let mut proxy = ProxyRef { uid: None, package: None, attribution_tag: None };
    for part in body.split(',') {
        let Some((k, v)) = part.split_once('=') else { continue };
        match trim(k) {
            "uid" => proxy.uid = trim(v).parse().ok(),
            "pkg" | "package" | "packageName" => proxy.package = null_to_none(v),
            "attributionTag" | "feature" | "featureId" | "tag" => proxy.attribution_tag = null_to_none(v),
            _ => {}
        }
    }
    proxy
}

/// The fields an event line carries after its key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Times<'a> {
    pub time_local: Option<LocalTime>,
    pub relative_ms: Option<i64>,
    pub duration_ms: Option<i64>,
    pub proxy: Option<ProxyRef<'a>>,
    /// Every part that started was also finished (used to judge a cut last line).
    pub complete: bool,
}

/// Parses `<abs> (<rel>)[ duration=<dur>][ proxy[...]]` and tolerates extra OEM words after it.
pub fn parse_times(s: &str) -> Option<Times<'_>> {
    let s = s.trim_start_matches([' ', '\t']);
    let (time_local, used) = LocalTime::parse(s.as_bytes())?;
    let mut rest = &s[used..];
    let mut times =
        Times { time_local: Some(time_local), relative_ms: None, duration_ms: None, proxy: None, complete: true };
    rest = rest.trim_start_matches([' ', '\t']);
    if let Some(r) = rest.strip_prefix('(') {
        match r.find(')') {
            Some(close) => {
                times.relative_ms = parse_full_duration(&r[..close]);
                if times.relative_ms.is_none() {
                    times.complete = false;
                }
                rest = &r[close + 1..];
            }
            None => {
                times.complete = false;
                rest = "";
            }
        }
    }
    if let Some(pos) = rest.find("duration=") {
        let after = &rest[pos + "duration=".len()..];
        let token = after.split([' ', '\t']).next().unwrap_or("");
        times.duration_ms = parse_full_duration(token);
        if times.duration_ms.is_none() {
            times.complete = false;
        }
    }
    if let Some(pos) = rest.find("proxy[") {
        let after = &rest[pos + "proxy[".len()..];
        match after.rfind(']') {
            Some(close) => times.proxy = Some(parse_proxy_body(&after[..close])),
            None => times.complete = false,
        }
    }
    Some(times)
}

/// An `Access:`/`Reject:` line of Android 10 and later: `Access: [fg-s] 2021-… (-1h…)…`, `Reject: [fg-s]2021-…`.
pub struct KeyedEvent<'a> {
    pub uid_state: Option<&'a str>,
    pub flags: &'a str,
    pub times: Times<'a>,
}

/// An Android 9 line: `Access: top   = <abs> (<rel>)` or its continuation `bg    = <abs> (<rel>)`.
pub struct StateEvent<'a> {
    pub uid_state: &'a str,
    pub times: Times<'a>,
}

/// Recognises the start of an event line and returns its kind and the text after the colon.
pub fn event_kind(t: &str) -> Option<(EventKind, &str)> {
    if let Some(r) = t.strip_prefix("Access:") {
        Some((EventKind::Access, r))
    } else {
        t.strip_prefix("Reject:").map(|r| (EventKind::Reject, r))
    }
}

/// After `Access:`: `[state-flags]` and times (Android 10+).
pub fn parse_keyed(rest: &str) -> Option<KeyedEvent<'_>> {
    let r = rest.trim_start_matches([' ', '\t']).strip_prefix('[')?;
    let close = r.find(']')?;
    let (uid_state, flags) = split_key(&r[..close]);
    let times = parse_times(&r[close + 1..])?;
    Some(KeyedEvent { uid_state, flags, times })
}

/// `top   = <abs> (<rel>)` (Android 9; state names are padded to five characters).
pub fn parse_state_times(s: &str) -> Option<StateEvent<'_>> {
    let (state, times) = s.split_once('=')?;
    let state = trim(state);
    if state.is_empty() || !state.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        return None;
    }
    let times = parse_times(times)?;
    Some(StateEvent { uid_state: state, times })
}

/// An op header: `READ_CONTACTS (allow):`, `FINE_LOCATION (allow / switch COARSE_LOCATION=allow): `,
/// `CAMERA (mode=5):`. OEM words after the switch part are ignored.
pub fn parse_op_header(t: &str) -> Option<OpRef<'_>> {
    let t = t.strip_suffix(':')?;
    let (name, rest) = t.split_once(' ')?;
    if !is_op_name(name) {
        return None;
    }
    let rest = trim(rest);
    let open = rest.strip_prefix('(')?;
    let inner = &open[..open.rfind(')')?];
    let mut parts = inner.split(" / ");
    let mode = parts.next().map(trim).filter(|m| !m.is_empty());
    let mut header = OpRef { op: name, mode, switch_op: None, switch_mode: None };
    for part in parts {
        if let Some(sw) = trim(part).strip_prefix("switch ") {
            match sw.split_once('=') {
                Some((op, mode)) => {
                    header.switch_op = Some(trim(op));
                    header.switch_mode = Some(trim(mode));
                }
                None => header.switch_op = Some(trim(sw)),
            }
        }
    }
    Some(header)
}

/// The op line of Android 8.1 and older dumps and of `appops get`, which carries its own times:
/// `VIBRATE: mode=0; time=+39s500ms ago; duration=+59ms`, `WRITE_SMS: ignore; rejectTime=+10d5h57m14s652ms ago`,
/// `CAMERA: allow; time=+1m ago (running)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InlineOp<'a> {
    pub op: &'a str,
    pub mode: &'a str,
    /// `time=+X ago` as a negative relative time.
    pub access_relative_ms: Option<i64>,
    pub reject_relative_ms: Option<i64>,
    pub duration_ms: Option<i64>,
    pub running: bool,
    pub complete: bool,
}

pub fn parse_inline_op<'a>(name: &'a str, rest: &'a str) -> Option<InlineOp<'a>> {
    if !is_op_name(name) {
        return None;
    }
    let mut parts = rest.split(';');
    let mode_part = trim(parts.next()?);
    let mut running = false;
    let mode_part = match mode_part.strip_suffix("(running)") {
        Some(m) => {
            running = true;
            trim(m)
        }
        None => mode_part,
    };
    let mode = mode_part.strip_prefix("mode=").unwrap_or(mode_part);
    if mode.is_empty() || mode.contains(' ') {
        return None;
    }
    let mut op = InlineOp {
        op: name,
        mode,
        access_relative_ms: None,
        reject_relative_ms: None,
        duration_ms: None,
        running,
        complete: true,
    };
    for part in parts {
        let mut part = trim(part);
        if let Some(p) = part.strip_suffix("(running)") {
            op.running = true;
            part = trim(p);
        }
        let Some((key, value)) = part.split_once('=') else {
            if !part.is_empty() {
                op.complete = false;
            }
            continue;
        };
        let value = trim(value);
        let (value, ago) = match value.strip_suffix("ago") {
            Some(v) => (trim(v), true),
            None => (value, false),
        };
        let parsed = parse_full_duration(value);
        if parsed.is_none() {
            op.complete = false;
        }
        match trim(key) {
            "time" => {
                op.access_relative_ms = parsed.map(|d| -d.abs());
                op.complete &= ago;
            }
            "rejectTime" => {
                op.reject_relative_ms = parsed.map(|d| -d.abs());
                op.complete &= ago;
            }
            "duration" => op.duration_ms = parsed,
            _ => {}
        }
    }
    Some(op)
}

/// For the last line of a cut input: whether it ends where a complete line of any known form could end.
pub fn looks_complete(t: &str) -> bool {
    const ENDINGS: [&str; 11] = [")", "]", ":", "ms", " ago", "=[", "allow", "ignore", "deny", "default", "foreground"];
    ENDINGS.iter().any(|e| t.ends_with(e)) || t == "0" || t.ends_with("=0")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyed_events() {
        let (kind, rest) = event_kind(
            "Access: [bg-s] 2022-01-24 05:16:25.882 (-10d8h47m39s979ms) duration=+1s942ms proxy[uid=0, pkg=null]",
        )
        .expect("event");
        assert_eq!(kind, EventKind::Access);
        let e = parse_keyed(rest).expect("keyed");
        assert_eq!((e.uid_state, e.flags), (Some("bg"), "s"));
        assert_eq!(e.times.time_local.map(|t| t.to_string()).as_deref(), Some("2022-01-24 05:16:25.882"));
        assert_eq!(e.times.relative_ms, Some(-(10 * 86_400_000 + 8 * 3_600_000 + 47 * 60_000 + 39_979)));
        assert_eq!(e.times.duration_ms, Some(1942));
        assert_eq!(e.times.proxy, Some(ProxyRef { uid: Some(0), package: None, attribution_tag: None }));
        assert!(e.times.complete);

        let (kind, rest) = event_kind("Reject: [fg-s]2021-05-19 22:02:52.054 (-314d1h25m2s33ms)").expect("event");
        assert_eq!(kind, EventKind::Reject);
        let e = parse_keyed(rest).expect("no space after the key");
        assert_eq!(e.times.relative_ms, Some(-(314 * 86_400_000 + 3_600_000 + 25 * 60_000 + 2_033)));
    }

    #[test]
    fn proxy_variants() {
        let p = parse_proxy_body("uid=10070, pkg=com.android.providers.contacts, feature=null");
        assert_eq!(p.uid, Some(10070));
        assert_eq!(p.package, Some("com.android.providers.contacts"));
        assert_eq!(p.attribution_tag, None);
        let p = parse_proxy_body("uid=10070, pkg=com.x, attributionTag=sync");
        assert_eq!(p.attribution_tag, Some("sync"));
    }

    #[test]
    fn op_headers() {
        let h = parse_op_header("FINE_LOCATION (allow / switch COARSE_LOCATION=allow):").expect("switch header");
        assert_eq!(
            (h.op, h.mode, h.switch_op, h.switch_mode),
            ("FINE_LOCATION", Some("allow"), Some("COARSE_LOCATION"), Some("allow"))
        );
        let h = parse_op_header("Unknown(120) (mode=5):").expect("unknown op");
        assert_eq!((h.op, h.mode), ("Unknown(120)", Some("mode=5")));
        assert!(parse_op_header("Package com.foo:").is_none());
        assert!(parse_op_header("Op COARSE_LOCATION:").is_none());
    }

    #[test]
    fn inline_ops() {
        let op = parse_inline_op("VIBRATE", " mode=0; time=+39s500ms ago; duration=+59ms").expect("legacy");
        assert_eq!((op.mode, op.access_relative_ms, op.duration_ms), ("0", Some(-39_500), Some(59)));
        let op =
            parse_inline_op("CHANGE_WIFI_STATE", " ignore; time=+10d2h57m2s982ms ago; rejectTime=+5d17h1m29s283ms ago")
                .expect("appops get");
        assert_eq!(op.mode, "ignore");
        assert!(op.access_relative_ms.is_some() && op.reject_relative_ms.is_some() && op.complete);
        let cut = parse_inline_op("WAKE_LOCK", " allow; time=+5m55s4").expect("parses");
        assert!(!cut.complete && cut.access_relative_ms.is_none());
        assert!(parse_inline_op("ModeCallback{x", " y").is_none());
    }

    #[test]
    fn pie_lines() {
        let e = parse_state_times("top   = 2019-01-01 12:00:00.000 (-1h2m3s4ms)").expect("pie");
        assert_eq!(e.uid_state, "top");
        assert_eq!(e.times.relative_ms, Some(-3_723_004));
    }
}
