//! The grammar of single lines. Pure functions over one trimmed line; no state, no allocation.
//!
//! Lines are recognised by their content, never by their indentation: real dumps arrive re-indented,
//! tab-indented and as excerpts.

use crate::model::{EventKind, OpRef, ProxyRef};
use crate::time::{day_start, time_of_day, LocalTime};

/// Position of an ASCII byte. A plain loop: the strings here are short, where SIMD searches cost more to set up
/// than they save (measured in benches/parse.rs).
#[inline]
pub fn pos(s: &str, b: u8) -> Option<usize> {
    s.bytes().position(|c| c == b)
}

#[inline]
fn rpos(s: &str, b: u8) -> Option<usize> {
    s.bytes().rposition(|c| c == b)
}

/// `s.split_once(b)` for an ASCII byte `b`: the same split, found with [`pos`] rather than a `char` searcher, whose
/// setup costs more than these short strings (≈ 150 instructions per call, measured with callgrind).
#[inline]
pub fn split_at_byte(s: &str, b: u8) -> Option<(&str, &str)> {
    let i = pos(s, b)?;
    Some((&s[..i], &s[i + 1..]))
}

/// The position of the first space or tab, or the length.
#[inline]
pub fn pos_ws(s: &str) -> usize {
    s.bytes().position(|c| c == b' ' || c == b'\t').unwrap_or(s.len())
}

/// Trims spaces, tabs and `\r` (CRLF input, trailing spaces after `): `). Byte-wise: every character it removes
/// is ASCII, so the result is always sliced at character boundaries.
#[inline]
pub fn trim(s: &str) -> &str {
    let b = s.as_bytes();
    let Some(i) = b.iter().position(|&c| !is_blank(c)) else { return "" };
    let j = b.iter().rposition(|&c| !is_blank(c)).map_or(i, |j| j + 1);
    &s[i..j]
}

/// The bytes [`trim`] removes: space, tab, `\r`.
#[inline(always)]
fn is_blank(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\r')
}

/// [`trim`] for a whole line: [`trim_range`] over all of it.
#[inline(always)]
pub fn trim_line(s: &str) -> &str {
    let (i, j) = trim_range(s.as_bytes(), 0, s.len());
    s.get(i..j).unwrap_or_default()
}

/// [`trim`] on `bytes[start..end]`, as positions: the indentation, mostly spaces, skipped eight bytes at a time first,
/// and no `str` slicing (each checks for a character boundary) until the caller cuts the trimmed line once. Both ends
/// stay next to ASCII bytes or at `start`/`end`.
#[inline(always)]
pub fn trim_range(bytes: &[u8], start: usize, end: usize) -> (usize, usize) {
    let mut i = start;
    while i + 8 <= end {
        let Some(word) = bytes.get(i..i + 8).and_then(|w| <[u8; 8]>::try_from(w).ok()) else { break };
        let other = u64::from_le_bytes(word) ^ 0x2020_2020_2020_2020;
        if other != 0 {
            i += (other.trailing_zeros() / 8) as usize;
            break;
        }
        i += 8;
    }
    while i < end && bytes.get(i).copied().is_some_and(is_blank) {
        i += 1;
    }
    let mut j = end;
    while j > i && bytes.get(j - 1).copied().is_some_and(is_blank) {
        j -= 1;
    }
    (i, j)
}

/// `s.trim_start_matches([' ', '\t'])` as a plain byte loop.
#[inline]
pub fn trim_blank_start(s: &str) -> &str {
    let n = s.bytes().take_while(|&c| c == b' ' || c == b'\t').count();
    &s[n..]
}

/// Op names as printed: `[A-Z0-9_]+`, OEM variants with lower case or dots, `Unknown(N)` (an op code AOSP has no
/// name for), and an OEM's numbered ops such as Xiaomi's `MIUIOP(10008)` (HyperOS/MIUI `appops get` and dumps).
pub fn is_op_name(s: &str) -> bool {
    if s.is_empty() || s.len() > 96 {
        return false;
    }
    let b = s.as_bytes();
    if !(b[0].is_ascii_uppercase() || b[0] == b'_') {
        return false;
    }
    // `split_at_byte` rather than `split_once('(')`, whose char searcher cost about 100 instructions per call on
    // these short names (callgrind): about 13,000 calls in the 20 MB bench input, one per uid-level mode.
    match split_at_byte(s, b'(') {
        Some((name, rest)) => {
            (name == "Unknown" || usual_name_end(name.as_bytes()).is_none())
                && rest.strip_suffix(')').is_some_and(|n| {
                    let digits = n.strip_prefix('-').unwrap_or(n);
                    !digits.is_empty() && digits.bytes().all(|c| c.is_ascii_digit())
                })
        }
        None => b.iter().all(|&c| NAME_CHAR[usize::from(c)]),
    }
}

/// Splits a `[state-flags]` key body (`fg-s`, `bg-tp|tpd`, `top`) into uid state and flags.
#[inline]
pub fn split_key(key: &str) -> (Option<&str>, &str) {
    let key = trim(key);
    match pos(key, b'-') {
        Some(dash) => (non_empty(trim(&key[..dash])), trim(&key[dash + 1..])),
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
#[inline]
pub fn parse_full_duration(s: &str) -> Option<i64> {
    let b = trim(s).as_bytes();
    match scan_duration(b) {
        Some((value, stop)) if stop == b.len() => value,
        _ => None,
    }
}

/// Reads a duration (sign, then `<digits><unit>` fields: `d`, `h`, `m`, `s`, `ms`) at the start of `b` up to the
/// first byte that cannot continue it, and returns that position with the value of the bytes before it: a value only
/// when they end with the `ms` field or are a bare `0`, as `formatDuration` prints them. `None` when `b` does not
/// start with digits (after the sign). [`parse_full_duration`] is this over a whole trimmed token; a caller scanning
/// inside a line must check that the stop is where the token ends (`)`, a blank, the end of the line).
#[inline(always)]
fn scan_duration(b: &[u8]) -> Option<(Option<i64>, usize)> {
    let (neg, mut i) = match b.first()? {
        b'-' => (true, 1),
        b'+' => (false, 1),
        _ => (false, 0),
    };
    let mut total: i64 = 0;
    let mut any = false;
    // The unit of the field before: each field's unit is smaller, as `formatDuration` prints them.
    let mut before = i64::MAX;
    loop {
        let start = i;
        let mut n: i64 = 0;
        while let Some(d) = b.get(i).map(|c| c.wrapping_sub(b'0')).filter(|d| *d <= 9) {
            n = n.saturating_mul(10).saturating_add(i64::from(d));
            i += 1;
        }
        if i == start {
            return None;
        }
        let unit = match b.get(i) {
            Some(b'd') => 86_400_000,
            Some(b'h') => 3_600_000,
            Some(b'm') if b.get(i + 1) == Some(&b's') => {
                i += 1;
                1
            }
            Some(b'm') => 60_000,
            Some(b's') => 1000,
            // A bare number is only valid as formatDuration's zero.
            _ => return Some(((!any && n == 0).then_some(0), i)),
        };
        if unit >= before {
            // `1s2h`, `1ms2ms`: not a duration past the field before this one.
            return Some((None, start));
        }
        before = unit;
        i += 1;
        any = true;
        total = total.saturating_add(n.saturating_mul(unit));
        if !b.get(i).is_some_and(u8::is_ascii_digit) {
            let value = (unit == 1 && total <= MAX_DURATION_MS).then_some(if neg { -total } else { total });
            return Some((value, i));
        }
    }
}

/// The longest duration `formatDuration` can print: it counts whole seconds in an `int`, so 2^31 − 1 seconds (about
/// 24,855 days) and 999 ms. Anything longer is a misprint, not a time.
pub const MAX_DURATION_MS: i64 = i32::MAX as i64 * 1000 + 999;

/// `proxy[uid=10070, pkg=com.android.providers.contacts, attributionTag=null]` body (inside the brackets).
/// The key of the tag varies (`attributionTag=`, the Android 11 preview's `feature=`); unknown keys are ignored.
pub fn parse_proxy_body(body: &str) -> ProxyRef<'_> {
    if let Some(proxy) = usual_proxy_body(body) {
        return proxy;
    }
    let mut proxy = ProxyRef { uid: None, package: None, attribution_tag: None };
    // `body.split(',')`, each part `split_once('=')`, with byte searches.
    let mut rest = Some(body);
    while let Some(r) = rest {
        let part = match split_at_byte(r, b',') {
            Some((part, next)) => {
                rest = Some(next);
                part
            }
            None => {
                rest = None;
                r
            }
        };
        let Some((k, v)) = split_at_byte(part, b'=') else { continue };
        match trim(k) {
            "uid" => proxy.uid = trim(v).parse().ok(),
            "pkg" | "package" | "packageName" => proxy.package = null_to_none(v),
            "attributionTag" | "feature" | "featureId" | "tag" => {
                // The tag is printed last and as it is: a `,` in it is the tag's (`attributionTag=x, y`).
                let value = match rest {
                    Some(after) => &body[body.len() - after.len() - 1 - v.len()..],
                    None => v,
                };
                proxy.attribution_tag = null_to_none(value);
                break;
            }
            _ => {}
        }
    }
    proxy
}

/// The body AOSP prints, `uid=N, pkg=P, attributionTag=T` (Android 11+) or `uid=N, pkg=P`, read in one pass. `None`
/// for anything else (blanks around a value, other keys, more parts), which [`parse_proxy_body`] reads the long way,
/// and the same way for this form.
#[inline]
fn usual_proxy_body(body: &str) -> Option<ProxyRef<'_>> {
    let rest = body.strip_prefix("uid=")?;
    let digits = rest.bytes().position(|c| !c.is_ascii_digit())?;
    if digits == 0 || digits > 18 {
        return None;
    }
    let (uid, rest) = rest.split_at(digits);
    let rest = rest.strip_prefix(", pkg=")?;
    // Android 10 prints no tag.
    let (package, tag) = match split_at_byte(rest, b',') {
        Some((package, tag)) => {
            let tag = tag.strip_prefix(" attributionTag=")?;
            if pos(tag, b',').is_some() {
                return None;
            }
            (package, untrimmed_value(tag)?)
        }
        None => (rest, None),
    };
    // At most 18 digits: no overflow.
    let uid = uid.bytes().fold(0i64, |n, c| n * 10 + i64::from(c - b'0'));
    Some(ProxyRef { uid: Some(uid), package: untrimmed_value(package)?, attribution_tag: tag })
}

/// [`null_to_none`] of a value with nothing to trim; `None` when it has.
#[inline]
fn untrimmed_value(v: &str) -> Option<Option<&str>> {
    let blank = |c: Option<&u8>| c.is_some_and(|&c| is_blank(c));
    if blank(v.as_bytes().first()) || blank(v.as_bytes().last()) {
        return None;
    }
    Some((!v.is_empty() && v != "null").then_some(v))
}

/// Recent valid `YYYY-MM-DD`s and their first millisecond, so that a time on one of them only decodes its time of
/// day (the events of a dump fall on a few dozen dates). The result is always the one [`LocalTime::parse`] gives:
/// both are [`day_start`] plus [`time_of_day`], and a date's validity depends on its ten bytes alone.
#[derive(Debug, Clone, Copy)]
pub struct DateCache {
    slots: [DateSlot; DATE_SLOTS],
}

impl Default for DateCache {
    fn default() -> Self {
        DateCache { slots: [DateSlot::default(); DATE_SLOTS] }
    }
}

#[derive(Debug, Default, Clone, Copy)]
struct DateSlot {
    /// The date's ten bytes as two integers (compared without a `memcmp` call).
    date: (u64, u16),
    day_ms: i64,
    valid: bool,
}

/// The first ten bytes of `s` (at least 19 long) as two integers.
#[inline]
fn date_key(s: &[u8]) -> (u64, u16) {
    let mut head = [0u8; 8];
    head.copy_from_slice(&s[..8]);
    (u64::from_le_bytes(head), u16::from_le_bytes([s[8], s[9]]))
}

const DATE_SLOTS: usize = 256;

impl DateCache {
    #[inline(always)]
    pub fn parse(&mut self, s: &[u8]) -> Option<(LocalTime, usize)> {
        if s.first().is_some_and(|&b| b >= 0x80) {
            // Another script's digits: rare, and their dates are not cached.
            return LocalTime::parse(s);
        }
        let day = self.day(s)?;
        let (tod, used) = time_of_day(s)?;
        Some((LocalTime(day + tod), used))
    }

    /// The first millisecond of the date `s[..10]` (`s` at least 19 bytes long).
    #[inline(always)]
    fn day(&mut self, s: &[u8]) -> Option<i64> {
        if s.len() < 19 {
            return None;
        }
        // Direct-mapped on the day and the month: on the day alone, the events of older months (a dump's history
        // reaches a year back) evicted the current month's date of the same day and back, and about one event in
        // seven missed (`day_start` ran for 21,315 of the bench input's 150,029 events; 7,800 now).
        let day = usize::from(s[9] & 15) + 10 * usize::from(s[8] & 3);
        let month = usize::from(s[6] & 15) + 10 * usize::from(s[5] & 1);
        let slot = &mut self.slots[(day + 32 * month) % DATE_SLOTS];
        let key = date_key(s);
        if !(slot.valid && key == slot.date) {
            *slot = DateSlot { date: key, day_ms: day_start(s)?, valid: true };
        }
        Some(slot.day_ms)
    }
}

/// `YYYY-MM-DD HH:MM:SS.mmm` followed by a byte that is not a digit, for [`usual_keyed`]: what
/// [`DateCache::parse`] returns with 23 bytes used, the time of day checked and decoded eight bytes at a time. `None`
/// for anything else (the caller then takes the general path).
#[inline(always)]
fn usual_time(s: &[u8], dates: &mut DateCache) -> Option<LocalTime> {
    const SEPARATORS: u64 = 0x0000_FF00_00FF_0000; // `HH:MM:SS`: bytes 2 and 5
    const COLONS: u64 = 0x0000_3A00_003A_0000;
    let hms = u64::from_le_bytes(s.get(11..19)?.try_into().ok()?);
    let ms = u32::from_le_bytes(s.get(19..23)?.try_into().ok()?);
    if !matches!(s.get(10), Some(b' ' | b'T')) || s.get(23).is_none_or(u8::is_ascii_digit) {
        return None;
    }
    let t = hms ^ 0x3030_3030_3030_3030;
    let not_digits = not_digit_bytes(t) & !SEPARATORS;
    let u = ms ^ 0x3030_3030;
    let ms_not_digits = ((u & 0x7F7F_7F7F).wrapping_add(0x7676_7676) | u) & 0x8080_8000;
    if hms & SEPARATORS != COLONS || not_digits != 0 || ms & 0xFF != u32::from(b'.') || ms_not_digits != 0 {
        return None;
    }
    let [h1, h2, _, m1, m2, _, s1, s2] = t.to_le_bytes().map(i64::from);
    let [_, a, b, c] = u.to_le_bytes().map(i64::from);
    let (hour, min, sec) = (h1 * 10 + h2, m1 * 10 + m2, s1 * 10 + s2);
    if hour > 23 || min > 59 || sec > 59 {
        return None;
    }
    let day = dates.day(s)?;
    Some(LocalTime(day + ((hour * 60 + min) * 60 + sec) * 1000 + a * 100 + b * 10 + c))
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
    /// Words other than the known fields were skipped (OEM additions; counted in the summary).
    pub unread_words: bool,
}

/// Parses `<abs> (<rel>)[ duration=<dur>][ proxy[...]]` and tolerates extra OEM words after it.
#[cfg(test)]
pub fn parse_times(s: &str) -> Option<Times<'_>> {
    parse_times_with(s, &mut DateCache::default())
}

/// [`parse_times`] with the parser's cache of the dates seen: most events of a dump share a few dates (and a fresh
/// cache per call would clear its 6 KB).
pub fn parse_times_with<'a>(s: &'a str, dates: &mut DateCache) -> Option<Times<'a>> {
    let s = trim_blank_start(s);
    let (time_local, used) = dates.parse(s.as_bytes())?;
    let mut rest = &s[used..];
    let mut times = Times {
        time_local: Some(time_local),
        relative_ms: None,
        duration_ms: None,
        proxy: None,
        complete: true,
        unread_words: false,
    };
    rest = trim_blank_start(rest);
    if let Some(r) = rest.strip_prefix('(') {
        // One pass when the duration runs right up to `)`; otherwise find `)` first.
        let scanned = scan_duration(r.as_bytes()).filter(|&(_, stop)| r.as_bytes().get(stop) == Some(&b')'));
        match scanned.map(|(_, stop)| stop).or_else(|| pos(r, b')')) {
            Some(close) => {
                times.relative_ms = match scanned {
                    Some((value, _)) => value,
                    None => parse_full_duration(&r[..close]),
                };
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
    parse_optional_fields(rest, &mut times);
    Some(times)
}

/// The fields after the relative time, in any order: `duration=`, `proxy[…]`; OEM words in between are skipped.
fn parse_optional_fields<'a>(mut rest: &'a str, times: &mut Times<'a>) {
    loop {
        rest = trim_blank_start(rest);
        if rest.is_empty() {
            break;
        }
        if let Some(r) = rest.strip_prefix("duration=") {
            let scanned = scan_duration(r.as_bytes())
                .filter(|&(_, stop)| matches!(r.as_bytes().get(stop), None | Some(b' ' | b'\t')));
            let end = scanned.map_or_else(|| pos_ws(r), |(_, stop)| stop);
            times.duration_ms = match scanned {
                Some((value, _)) => value,
                None => parse_full_duration(&r[..end]),
            };
            if times.duration_ms.is_none() {
                // Cut, on the input's last line; elsewhere a field not read (`+1m37s899msX`), said like OEM words.
                times.complete = false;
                times.unread_words = true;
            }
            rest = &r[end..];
        } else if let Some(r) = rest.strip_prefix("proxy[") {
            match rpos(r, b']') {
                Some(close) => {
                    times.proxy = Some(parse_proxy_body(&r[..close]));
                    rest = &r[close + 1..];
                }
                None => {
                    times.complete = false;
                    times.unread_words = true;
                    break;
                }
            }
        } else {
            let end = pos_ws(rest);
            rest = &rest[end..];
            times.unread_words = true;
        }
    }
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
#[inline]
pub fn event_kind(t: &str) -> Option<(EventKind, &str)> {
    if let Some(r) = t.strip_prefix("Access:") {
        Some((EventKind::Access, r))
    } else {
        t.strip_prefix("Reject:").map(|r| (EventKind::Reject, r))
    }
}

/// After `Access:`: `[state-flags]` and times (Android 10+).
#[cfg(test)]
pub fn parse_keyed(rest: &str) -> Option<KeyedEvent<'_>> {
    parse_keyed_with(rest, &mut DateCache::default())
}

/// [`parse_keyed`] with a [`DateCache`].
#[inline(always)]
pub fn parse_keyed_with<'a>(rest: &'a str, dates: &mut DateCache) -> Option<KeyedEvent<'a>> {
    let usual = usual_keyed(rest, dates);
    if usual.is_some() {
        return usual;
    }
    general_keyed(rest, dates)
}

/// The usual Android 10+ event after `Access:`, in one pass: at most one space, `[state-flags]` without blanks, at
/// most one space, `YYYY-MM-DD HH:MM:SS.mmm (REL)`, then the optional fields. `None` for anything else, which
/// [`general_keyed`] reads; it reads the lines taken here the same way (test:
/// `usual_events_read_as_the_general_path_reads_them`). Kept out of line: inlined into its caller it made the
/// compiler spill registers and no longer inline the time of day (more instructions, measured with callgrind).
#[inline(never)]
fn usual_keyed<'a>(rest: &'a str, dates: &mut DateCache) -> Option<KeyedEvent<'a>> {
    let b = rest.as_bytes();
    let open = usize::from(b.first() == Some(&b' '));
    if b.get(open) != Some(&b'[') {
        return None;
    }
    // The key is short (`fgsvc-s`): its `]`, first `-` and any blank found in the eight bytes after `[`, at once.
    let key = u64::from_le_bytes(b.get(open + 1..open + 9)?.try_into().ok()?);
    let ends = bytes_equal(key, b']');
    if ends == 0 {
        return None;
    }
    let close_bit = ends & ends.wrapping_neg();
    let before = close_bit - 1;
    let blanks = blank_bytes(key);
    if blanks & before != 0 {
        return None;
    }
    let close = open + 1 + (close_bit.trailing_zeros() / 8) as usize;
    let dashes = bytes_equal(key, b'-') & before;
    let dash = (dashes != 0).then(|| open + 1 + (dashes.trailing_zeros() / 8) as usize);
    let at = close + 1 + usize::from(b.get(close + 1) == Some(&b' '));
    let time = b.get(at..)?;
    if time.get(23..25) != Some(b" (") {
        return None;
    }
    let time_local = usual_time(time, dates)?;
    let rel = time.get(25..)?;
    let (relative_ms, stop) = usual_duration(rel)?;
    if rel.get(stop) != Some(&b')') {
        return None;
    }
    // Every cut below is next to an ASCII byte: on a character boundary.
    let key = rest.split_at(close).0.split_at(open + 1).1;
    let (uid_state, flags) = match dash {
        Some(dash) => {
            let (state, flags) = key.split_at(dash - open - 1);
            (non_empty(state), flags.split_at(1).1)
        }
        None => (non_empty(key), ""),
    };
    let mut times = Times {
        time_local: Some(time_local),
        relative_ms: Some(relative_ms),
        duration_ms: None,
        proxy: None,
        complete: true,
        unread_words: false,
    };
    let after = rest.split_at(at + 25 + stop + 1).1;
    if !after.is_empty() {
        // The usual field, ending the line: ` duration=+1s42ms`.
        match after.strip_prefix(" duration=").and_then(|d| usual_duration(d.as_bytes()).filter(|u| u.1 == d.len())) {
            Some((duration, _)) => times.duration_ms = Some(duration),
            None => parse_optional_fields(after, &mut times),
        }
    }
    Some(KeyedEvent { uid_state, flags, times })
}

/// A duration as `formatDuration` prints it, for [`usual_keyed`]: a sign, then at most five `<digits><unit>` fields
/// of at most 9 digits in falling units, the last `ms`, at most [`MAX_DURATION_MS`]. Returns the value and where the
/// `ms` ends, which is what [`scan_duration`] returns when the next byte is not a digit; `None` for anything else (the
/// caller then takes the general path).
/// Without `scan_duration`'s saturation, which such fields cannot need.
#[inline(always)]
fn usual_duration(b: &[u8]) -> Option<(i64, usize)> {
    let (neg, mut i) = match b.first()? {
        b'-' => (true, 1),
        b'+' => (false, 1),
        _ => (false, 0),
    };
    let mut total = 0i64;
    let mut before = i64::MAX;
    for _ in 0..5 {
        let (n, len) = field_digits(b, i)?;
        i += len;
        let unit = *b.get(i)?;
        if unit == b'm' && b.get(i + 1) == Some(&b's') {
            let total = total + n;
            if total > MAX_DURATION_MS {
                return None;
            }
            return Some((if neg { -total } else { total }, i + 2));
        }
        // A table rather than a `match`, whose jump table mispredicted about twice per event (cachegrind's branch
        // simulation; with the digits below, the one-thread parse went from 34.1 to 32.0 ms). At most 5 fields of at
        // most 999,999,999 units: far from overflowing.
        let ms = UNIT_MS[usize::from(unit)];
        if ms == 0 || ms >= before {
            return None;
        }
        before = ms;
        total += n * ms;
        i += 1;
    }
    None
}

/// Milliseconds per unit of a duration field other than `ms`: `d`, `h`, `m`, `s`; 0 for any other byte.
const UNIT_MS: [i64; 256] = {
    let mut t = [0; 256];
    t[b'd' as usize] = 86_400_000;
    t[b'h' as usize] = 3_600_000;
    t[b'm' as usize] = 60_000;
    t[b's' as usize] = 1000;
    t
};

/// The 1 to 9 digits at `b[i..]` of a [`usual_duration`] field: their value and how many. Up to seven are read
/// eight bytes at a time, so that no branch depends on how many there are (the loop's exit mispredicted about once
/// per field); eight or more one by one, and all of them when `b` is shorter than eight bytes.
#[inline(always)]
fn field_digits(b: &[u8], i: usize) -> Option<(i64, usize)> {
    // Fewer than eight bytes left (the line's last field, `+335ms` or `561ms)`): `b`'s last eight, shifted down to
    // `b[i]`; the zero bytes shifted in are no digits, so the field ends there at the latest.
    let word = match b.get(i..i + 8) {
        Some(w) => w.try_into().ok().map(u64::from_le_bytes),
        None => b
            .len()
            .checked_sub(8)
            .filter(|_| i < b.len())
            .and_then(|from| b.get(from..))
            .and_then(|w| <[u8; 8]>::try_from(w).ok())
            .map(|w| u64::from_le_bytes(w) >> (8 * (i + 8 - b.len()))),
    };
    if let Some(w) = word {
        let t = w ^ 0x3030_3030_3030_3030;
        let not_digits = not_digit_bytes(t);
        if not_digits != 0 {
            let n = (not_digits.trailing_zeros() / 8) as usize;
            if n == 0 {
                return None;
            }
            // The digits moved to the top bytes, zeros (leading zeros) below them: an eight-digit number.
            return Some((eight_digits(t << (64 - 8 * n)), n));
        }
    }
    let mut n = 0i64;
    let mut len = 0;
    while let Some(&c) = b.get(i + len) {
        let d = c.wrapping_sub(b'0');
        if d > 9 {
            break;
        }
        n = n.wrapping_mul(10).wrapping_add(i64::from(d));
        len += 1;
    }
    (1..=9).contains(&len).then_some((n, len))
}

/// The value of eight decimal digits, one per byte (0 to 9, the first in the lowest byte): pairs, then fours, then
/// all eight, each step one multiplication (the method of Lemire's fast_float).
#[inline(always)]
fn eight_digits(v: u64) -> i64 {
    let v = v.wrapping_mul(10).wrapping_add(v >> 8);
    let v = (v & 0x0000_00FF_0000_00FF)
        .wrapping_mul(100 + (1_000_000 << 32))
        .wrapping_add(((v >> 16) & 0x0000_00FF_0000_00FF).wrapping_mul(1 + (10_000 << 32)))
        >> 32;
    v as i64
}

/// [`parse_keyed_with`] for any line: blanks anywhere, other time forms, cut lines.
fn general_keyed<'a>(rest: &'a str, dates: &mut DateCache) -> Option<KeyedEvent<'a>> {
    let r = trim_blank_start(rest).strip_prefix('[')?;
    // One pass to `]` that also finds the first `-`; a key with blanks in it takes `split_key`'s trims.
    let b = r.as_bytes();
    let (mut close, mut dash, mut blank) = (0, None, false);
    loop {
        match *b.get(close)? {
            b']' => break,
            b'-' if dash.is_none() => dash = Some(close),
            b' ' | b'\t' | b'\r' => blank = true,
            _ => {}
        }
        close += 1;
    }
    let (uid_state, flags) = match dash {
        _ if blank => split_key(&r[..close]),
        Some(dash) => (non_empty(&r[..dash]), &r[dash + 1..close]),
        None => (non_empty(&r[..close]), ""),
    };
    let times = parse_times_with(&r[close + 1..], dates)?;
    Some(KeyedEvent { uid_state, flags, times })
}

/// `top   = <abs> (<rel>)` (Android 9; state names are padded to five characters).
pub fn parse_state_times<'a>(s: &'a str, dates: &mut DateCache) -> Option<StateEvent<'a>> {
    let (state, times) = s.split_once('=')?;
    let state = trim(state);
    if state.is_empty() || !state.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        return None;
    }
    let times = parse_times_with(times, dates)?;
    Some(StateEvent { uid_state: state, times })
}

/// The bytes of an op name as [`usual_op_header`] takes them: `[A-Z0-9_]`.
const USUAL_NAME_CHAR: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 256 {
        let c = i as u8;
        t[i] = c.is_ascii_uppercase() || c.is_ascii_digit() || c == b'_';
        i += 1;
    }
    t
};

/// The bytes of an op name as the one-pass scan accepts them: `[A-Za-z0-9_.]`.
const NAME_CHAR: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 256 {
        let c = i as u8;
        t[i] = c.is_ascii_alphanumeric() || c == b'_' || c == b'.';
        i += 1;
    }
    t
};

/// `s.split(" / ")` without a substring searcher: the parts between leftmost non-overlapping ` / `.
struct SlashParts<'a> {
    rest: &'a str,
    done: bool,
}

impl<'a> Iterator for SlashParts<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        if self.done {
            return None;
        }
        let s = self.rest;
        let b = s.as_bytes();
        let mut i = 1;
        while i + 1 < b.len() {
            if b[i] == b'/' && b[i - 1] == b' ' && b[i + 1] == b' ' {
                self.rest = &s[i + 2..];
                return Some(&s[..i - 1]);
            }
            i += 1;
        }
        self.done = true;
        Some(s)
    }
}

/// An op header: `READ_CONTACTS (allow):`, `FINE_LOCATION (allow / switch COARSE_LOCATION=allow): `,
/// `CAMERA (mode=5):`. OEM words after the switch part, after the `)` or after the colon are ignored, and a missing
/// colon is tolerated (`READ_SMS (allow): miui`, `READ_SMS (allow)`): a header read as something else would charge
/// the events under it to the op before it.
pub fn parse_op_header(t: &str) -> Option<OpRef<'_>> {
    let usual = usual_op_header(t);
    if usual.is_some() {
        return usual;
    }
    general_op_header(t)
}

/// Bit 7 of each byte of `t` set where that byte, `^ b'0'` already applied, is not a digit (0 to 9). A byte is a
/// digit when adding 0x76 to its low seven bits leaves the high bit clear (no carry crosses bytes) and the byte itself
/// has it clear.
#[inline(always)]
fn not_digit_bytes(t: u64) -> u64 {
    ((t & 0x7F7F_7F7F_7F7F_7F7F).wrapping_add(0x7676_7676_7676_7676) | t) & 0x8080_8080_8080_8080
}

/// Bit 7 of each byte of `x` set where that byte is `0`. Exact per byte: no carry crosses bytes.
#[inline(always)]
fn zero_bytes(x: u64) -> u64 {
    const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    !(((x & LOW7).wrapping_add(LOW7)) | x) & 0x8080_8080_8080_8080
}

/// Bit 7 of each byte of `x` set where that byte is `c`.
#[inline(always)]
pub(super) fn bytes_equal(x: u64, c: u8) -> u64 {
    zero_bytes(x ^ (u64::from(c) * 0x0101_0101_0101_0101))
}

/// Bit 7 of each byte of `x` set where that byte is blank ([`is_blank`]).
#[inline(always)]
fn blank_bytes(x: u64) -> u64 {
    bytes_equal(x, b' ') | bytes_equal(x, b'\t') | bytes_equal(x, b'\r')
}

/// The position of the first byte of `b` that is not `[A-Z0-9_]` ([`USUAL_NAME_CHAR`]), `None` when every byte is.
/// Many bytes at a time while enough are left, then the table: the table lookup per byte took about 40 % of the op
/// headers' time (`perf annotate`); eight at a time, `opsight parse` of the 20 MB bench input ran 1.7 % fewer
/// instructions and 4.5 % faster (2026-12-02). On x86_64 sixteen at a time first ([`not_usual_name_bits`]): op names
/// are mostly longer than eight bytes, and one SSE2 pass costs less than two words' arithmetic.
#[inline(always)]
pub(super) fn usual_name_end(b: &[u8]) -> Option<usize> {
    let mut i = 0;
    #[cfg(target_arch = "x86_64")]
    while let Some(chunk) = b.get(i..i + 16).and_then(|w| <&[u8; 16]>::try_from(w).ok()) {
        let odd = not_usual_name_bits(chunk);
        if odd != 0 {
            return Some(i + odd.trailing_zeros() as usize);
        }
        i += 16;
    }
    while let Some(word) = b.get(i..i + 8).and_then(|w| <[u8; 8]>::try_from(w).ok()) {
        let odd = not_usual_name_bytes(u64::from_le_bytes(word));
        if odd != 0 {
            return Some(i + (odd.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    b.get(i..)?.iter().position(|&c| !USUAL_NAME_CHAR[usize::from(c)]).map(|p| i + p)
}

/// Bit 7 of each byte of `x` set where that byte is not `[A-Z0-9_]`. Exact per byte: the classes are computed on the
/// low seven bits with the high bit set (or clear) first, so no subtraction borrows across bytes.
#[inline(always)]
fn not_usual_name_bytes(x: u64) -> u64 {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    const ONES: u64 = 0x0101_0101_0101_0101;
    let low = x & !HIGH;
    let at_least = |c: u64| (low | HIGH).wrapping_sub(c * ONES);
    let at_most = |c: u64| ((c | 0x80) * ONES).wrapping_sub(low);
    let upper = at_least(0x41) & at_most(0x5A);
    let digit = at_least(0x30) & at_most(0x39);
    let underscore = bytes_equal(low, b'_');
    (!(upper | digit | underscore) & HIGH) | (x & HIGH)
}

/// Bit `i` set where `chunk[i]` is not `[A-Z0-9_]`. Signed byte compares: bytes from 0x80 are negative, below every
/// range, so they are not name bytes either.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn not_usual_name_bits(chunk: &[u8; 16]) -> u32 {
    use safe_arch::{
        bitand_m128i, bitor_m128i, cmp_eq_mask_i8_m128i, cmp_gt_mask_i8_m128i, cmp_lt_mask_i8_m128i,
        load_unaligned_m128i, move_mask_i8_m128i, set_splat_i8_m128i,
    };
    let x = load_unaligned_m128i(chunk);
    let between = |low: u8, high: u8| {
        bitand_m128i(
            cmp_gt_mask_i8_m128i(x, set_splat_i8_m128i((low - 1) as i8)),
            cmp_lt_mask_i8_m128i(x, set_splat_i8_m128i((high + 1) as i8)),
        )
    };
    let usual = bitor_m128i(
        bitor_m128i(between(b'A', b'Z'), between(b'0', b'9')),
        cmp_eq_mask_i8_m128i(x, set_splat_i8_m128i(b'_' as i8)),
    );
    !(move_mask_i8_m128i(usual) as u32) & 0xFFFF
}

/// The usual op header, `NAME (mode):` with a name of `[A-Z0-9_]` and a mode with
/// no blank or `/`. `None` for anything else, which [`general_op_header`] reads; it reads the headers taken here the
/// same way (test: `usual_op_headers_read_as_the_general_path_reads_them`).
#[inline(always)]
pub fn usual_op_header(t: &str) -> Option<OpRef<'_>> {
    let b = t.as_bytes();
    // The name ends at its first byte that is not `[A-Z0-9_]`, which must be a space.
    let space = usual_name_end(b)?;
    if b[space] != b' ' {
        return None;
    }
    if space == 0 || space > 96 || b[0].is_ascii_digit() || b.get(space + 1) != Some(&b'(') || !b.ends_with(b"):") {
        return None;
    }
    let inner = b.get(space + 2..b.len() - 2)?;
    let odd = |c: &u8| matches!(c, b'/' | b' ' | b'\t' | b'\r');
    // Every cut is next to an ASCII byte: on a character boundary.
    let (name, rest) = t.split_at(space);
    let inner_text = rest.split_at(2).1.split_at(inner.len()).0;
    // A mode of at most six bytes (`allow`, `ignore`, `deny`) is checked in the line's last eight, at once.
    let end = match b.len().checked_sub(8).and_then(|from| b.get(from..)).and_then(|w| <[u8; 8]>::try_from(w).ok()) {
        Some(last) if inner.len() <= 6 => {
            let w = u64::from_le_bytes(last);
            // The mode's bytes are bytes 6 − len to 5 of the eight, before `):`.
            let below = 8 * (6 - inner.len());
            let mode = (0x0000_8080_8080_8080u64 >> below) << below;
            let odd_bytes = blank_bytes(w) | bytes_equal(w, b'/');
            (odd_bytes & mode != 0).then(|| inner.iter().position(odd)).flatten()
        }
        _ => inner.iter().position(odd),
    };
    let Some(end) = end else {
        return (!inner.is_empty()).then_some(OpRef {
            op: name,
            mode: Some(inner_text),
            switch_op: None,
            switch_mode: None,
        });
    };
    // `mode / switch SWOP=swmode`, with nothing else.
    let switch = inner.get(end..)?.strip_prefix(b" / switch ")?;
    let eq = switch.iter().position(|&c| c == b'=')?;
    if end == 0 || eq == 0 || eq + 1 == switch.len() || switch.iter().any(odd) {
        return None;
    }
    let (mode, switch_text) = inner_text.split_at(end);
    let (switch_op, switch_mode) = switch_text.split_at(" / switch ".len()).1.split_at(eq);
    Some(OpRef { op: name, mode: Some(mode), switch_op: Some(switch_op), switch_mode: Some(switch_mode.split_at(1).1) })
}

/// [`parse_op_header`] for any header.
pub fn general_op_header(t: &str) -> Option<OpRef<'_>> {
    // One pass finds the end of the name and checks its characters (`Unknown(N)` takes the slow path).
    let bytes = t.as_bytes();
    let mut space = 0;
    while space < bytes.len() && bytes[space] != b' ' {
        if !NAME_CHAR[usize::from(bytes[space])] {
            space = pos(t, b' ')?;
            if !is_op_name(&t[..space]) {
                return None;
            }
            break;
        }
        space += 1;
    }
    // AOSP's names start with a capital or `_`; an OEM's may not (`10008 (allow):`, `auto_start (allow):`), which
    // the header's own `(mode):` ending tells apart from other lines.
    let oem = || bytes[0].is_ascii_alphanumeric() && t.ends_with("):");
    if space == 0 || space == bytes.len() || !(bytes[0].is_ascii_uppercase() || bytes[0] == b'_' || oem()) || space > 96
    {
        return None;
    }
    let (name, rest) = (&t[..space], &t[space + 1..]);
    let rest = trim(rest);
    let open = rest.strip_prefix('(')?;
    // The mode ends at the `)` of the header's `):`, the line's end in every AOSP dump; failing that, at the last `)`.
    let b = open.as_bytes();
    let close = if b.ends_with(b"):") {
        b.len() - 2
    } else {
        b.windows(2).rposition(|w| w == b"):").or_else(|| rpos(open, b')'))?
    };
    let inner = &open[..close];
    let mut header = OpRef { op: name, mode: None, switch_op: None, switch_mode: None };
    if pos(inner, b'/').is_none() {
        header.mode = Some(trim(inner)).filter(|m| !m.is_empty());
        return Some(header);
    }
    let mut parts = SlashParts { rest: inner, done: false };
    header.mode = parts.next().map(trim).filter(|m| !m.is_empty());
    for part in parts {
        if let Some(sw) = trim(part).strip_prefix("switch ") {
            match split_at_byte(sw, b'=') {
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
    /// Words that are none of its fields (an OEM's `; oem=1`, `mode=1 vendor`): skipped, the rest kept.
    pub unread_words: bool,
}

/// `OP: mode; time=+X ago; rejectTime=+Y ago; duration=+Z` (Android 8.1 and older, `appops get`). Parts an OEM adds
/// (`; oem=1`, words after a mode or a time) are skipped and said in `unread_words`; a known field that cannot be
/// read (`time=+3s`, no `ago`) makes the op incomplete.
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
    let mode_part = mode_part.strip_prefix("mode=").unwrap_or(mode_part);
    let mode = &mode_part[..pos_ws(mode_part)];
    if mode.is_empty() {
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
        unread_words: mode.len() < mode_part.len(),
    };
    for part in parts {
        let mut part = trim(part);
        if let Some(p) = part.strip_suffix("(running)") {
            op.running = true;
            part = trim(p);
        }
        let known = part.split_once('=').filter(|(key, _)| matches!(trim(key), "time" | "rejectTime" | "duration"));
        let Some((key, value)) = known else {
            op.unread_words |= !part.is_empty();
            continue;
        };
        // The duration, then `ago` for the times, then whatever an OEM put after them.
        let value = trim(value);
        let (value, after) = value.split_at(pos_ws(value));
        let after = trim(after);
        let (ago, after) = match after.strip_prefix("ago") {
            Some(rest) if rest.is_empty() || rest.starts_with([' ', '\t']) => (true, trim(rest)),
            _ => (false, after),
        };
        op.unread_words |= !after.is_empty();
        let parsed = parse_full_duration(value);
        if parsed.is_none() {
            op.complete = false;
        }
        // `time=<now - t> ago`, signed as `formatDuration` prints it: `-5m0s0ms ago` is after the dump's "now" (the
        // clock was set back since), so the relative time is +5 min.
        match trim(key) {
            "time" => {
                op.access_relative_ms = parsed.map(|d| -d);
                op.complete &= ago;
            }
            "rejectTime" => {
                op.reject_relative_ms = parsed.map(|d| -d);
                op.complete &= ago;
            }
            _ => op.duration_ms = parsed,
        }
    }
    Some(op)
}

/// A mode as AOSP prints it: a `modeToName` word, or a number (`mode=5`, or bare).
pub fn is_mode(m: &str) -> bool {
    let number = m.strip_prefix("mode=").unwrap_or(m);
    MODE_NAMES.contains(&m) || (!number.is_empty() && number.bytes().all(|c| c.is_ascii_digit()))
}

/// `AppOpsManager.modeToName`'s words.
const MODE_NAMES: [&str; 5] = ["allow", "ignore", "deny", "default", "foreground"];

/// The zone in `[persist.sys.timezone]: [Europe/Berlin]`, a line of a bugreport's system properties (`getprop`
/// prints every property so): an IANA id's characters, checked against the time zone database by whoever uses it.
pub fn device_zone(t: &str) -> Option<&str> {
    let zone = t.strip_prefix("[persist.sys.timezone]: [")?.strip_suffix(']')?;
    let id_char = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'_' | b'+' | b'-');
    (!zone.is_empty() && zone.len() <= 64 && zone.bytes().all(id_char)).then_some(zone)
}

/// For the last line of a cut input: whether it ends where a complete line of any known form could end. A number at
/// the end could have been cut (`uid=1` of `uid=10070`, `+1m3` of `+1m37s899ms`), except where its width is fixed: the
/// time of a discrete access without a duration (`Access [top-s] at 2022-06-01 09:00:00.000`), a mode printed as a
/// number (AOSP's are one digit), and `0`, with which no longer number starts.
pub fn looks_complete(t: &str) -> bool {
    // `}` closes a watcher's `ModeCallback{…}`, the last thing on its line (an unclosed one is ruled out below).
    const ENDINGS: [&str; 7] = [")", "]", "}", ":", "ms", " ago", "=["];
    let b = t.as_bytes();
    let mode_digit = matches!(b, [.., b'm', b'o', b'd', b'e', b'=', d] if d.is_ascii_digit());
    // ` at YYYY-MM-DD HH:MM:SS.mmm`: a discrete access with no duration. (A keyed event's time is always followed by
    // its relative time, so it may not end the line.)
    let time = b.len() >= 27
        && b[b.len() - 27..].starts_with(b" at ")
        && LocalTime::parse(&b[b.len() - 23..]).is_some_and(|(_, used)| used == 23);
    // The same in another script's digits: its ASCII form is 23 characters and takes the rest of the line.
    let native_time = b.last().is_some_and(|&c| c >= 0x80)
        && t.rfind(" at ").is_some_and(|at| {
            let after = &b[at + 4..];
            crate::time::parse_native(after).is_some_and(|(_, used, ascii)| used == after.len() && ascii == 23)
        });
    // A watcher's `ModeCallback{… flags=0}` cut before its brace closes ends as a whole line could (`=0`).
    let open_brace = t.bytes().filter(|&c| c == b'{').count() > t.bytes().filter(|&c| c == b'}').count();
    // So does a relative time cut before its `)` (a history window's `begin = … (-1h0m0s0ms`).
    let open_paren = t.bytes().filter(|&c| c == b'(').count() > t.bytes().filter(|&c| c == b')').count();
    // In the watcher sections `Op X:` and `Pkg x:` end with their colon; cut before it, `Pkg com.android.mms` ends
    // as a duration would.
    let cut_heading = (t.starts_with("Op ") || t.starts_with("Pkg ")) && !t.ends_with(':');
    // A watcher's number or key with nothing after it (`#0:`, `1d64736:`; `User #0:` of the profile owners): AOSP
    // prints the callback or uid on the same line, so the line was cut after its colon.
    let cut_numbered = t.strip_suffix(':').is_some_and(|head| {
        let index = head.rsplit_once('#').map_or("", |(_, n)| n);
        let all = |s: &str, f: fn(&u8) -> bool| !s.is_empty() && s.as_bytes().iter().all(f);
        all(index, u8::is_ascii_digit) || (head.len() >= 5 && all(head, u8::is_ascii_hexdigit))
    });
    if open_brace || open_paren || cut_heading || cut_numbered {
        return false;
    }
    ENDINGS.iter().chain(&MODE_NAMES).any(|e| t.ends_with(e))
        || t == "0"
        || t.ends_with("=0")
        || mode_digit
        || time
        || native_time
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
        assert!(e.times.complete && !e.times.unread_words, "every word read, the proxy's `]` too");
        // Fields after the proxy are read from right after its `]`.
        let e = parse_keyed("[top-s] 2022-01-24 05:16:25.882 (-1s0ms) proxy[uid=1, pkg=a.b] duration=+2s0ms")
            .expect("keyed");
        assert_eq!((e.times.duration_ms, e.times.unread_words), (Some(2000), false));
        assert_eq!(e.times.proxy.and_then(|p| p.package), Some("a.b"));

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
        // AOSP prints the tag as it is, last: a comma in it is the tag's.
        let p = parse_proxy_body("uid=10070, pkg=com.proxy, attributionTag=x, y");
        assert_eq!((p.package, p.attribution_tag), (Some("com.proxy"), Some("x, y")));
        // The byte splits read every body as `split(',')` and `split_once('=')` would; the tag, printed last, runs to
        // the end of the body, commas and all.
        fn reference(body: &str) -> ProxyRef<'_> {
            let mut proxy = ProxyRef { uid: None, package: None, attribution_tag: None };
            let mut start = 0;
            for part in body.split(',') {
                let part_start = start;
                start += part.len() + 1;
                let Some((k, v)) = part.split_once('=') else { continue };
                match trim(k) {
                    "uid" => proxy.uid = trim(v).parse().ok(),
                    "pkg" | "package" | "packageName" => proxy.package = null_to_none(v),
                    "attributionTag" | "feature" | "featureId" | "tag" => {
                        proxy.attribution_tag = null_to_none(&body[part_start + k.len() + 1..]);
                        break;
                    }
                    _ => {}
                }
            }
            proxy
        }
        for body in [
            "",
            ",",
            "=",
            "uid=1",
            "uid=1,",
            ",uid=2",
            "uid=1, uid=2",
            "pkg=a=b, tag=c",
            "uid=10070, pkg=com.android.providers.contacts, attributionTag=null",
            " uid = 7 ,pkg= x ,feature=f,, junk, =v, k=",
            "uid=中, pkg=包, tag=标",
            // Near the usual form, which is read in one pass.
            "uid=1001, pkg=com.android.providers.telephony, attributionTag=null",
            "uid=007, pkg=a=b, attributionTag=x=y",
            "uid=1, pkg= a, attributionTag=b",
            "uid=1, pkg=a , attributionTag=b",
            "uid=1, pkg=a, attributionTag= b",
            "uid=1, pkg=a, attributionTag=b\t",
            "uid=1, pkg=a, attributionTag=\r",
            "uid=, pkg=a, attributionTag=b",
            "uid=123456789012345678, pkg=a, attributionTag=b",
            "uid=1234567890123456789, pkg=a, attributionTag=b",
            "uid=99999999999999999999, pkg=a, attributionTag=b",
            "uid=1, pkg=, attributionTag=",
            "uid=1, pkg=null, attributionTag=null",
            "uid=1, pkg=nul, attributionTag=nulll",
            "uid=1, pkg=a, attributionTag=b, c",
            "uid=10070, pkg=com.proxy, attributionTag=x, y",
            "uid=1, attributionTag=t, pkg=after",
            "uid=1, pkg=a, attributionTag=b, c=d",
            "uid=1,pkg=a, attributionTag=b",
            "uid=1, pkg=a,, attributionTag=b",
            "uid=1, pkg=a,attributionTag=b",
            "uid=-1, pkg=a, attributionTag=b",
            "uid=+1, pkg=a, attributionTag=b",
            "uid=1 , pkg=a, attributionTag=b",
            "uid=1, pkg=中, attributionTag=标",
            "uid=1, package=a, attributionTag=b",
            "uid=1, pkg=a, feature=b",
            "uid=1, pkg=a, attributionTag=b]x",
            "uid=1000, pkg=android",
            "uid=1000, pkg=",
            "uid=1000, pkg=null",
            "uid=1000, pkg=a ",
            "uid=1000, pkg=a,",
            "uid=1000, pkg",
        ] {
            assert_eq!(parse_proxy_body(body), reference(body), "{body:?}");
        }
    }

    /// The digits of a duration field, eight bytes at a time, read as one by one: every count of digits from 0 to
    /// 12, at every place in the slice (up to 11 bytes in, so that fewer than eight bytes are left of slices of eight
    /// and more), followed by every byte value or by the slice's end.
    #[test]
    fn field_digits_reads_as_a_byte_loop_does() {
        fn reference(b: &[u8], i: usize) -> Option<(i64, usize)> {
            let len = b.get(i..).unwrap_or_default().iter().take_while(|c| c.is_ascii_digit()).count();
            let n = b.get(i..i + len)?.iter().fold(0i64, |n, &c| n * 10 + i64::from(c - b'0'));
            (1..=9).contains(&len).then_some((n, len))
        }
        let mut rng = crate::parse::tests::xorshift(0x2545_f491_4f6c_dd1d);
        for digits in 0..=12usize {
            for after in 0..=256u16 {
                for at in 0..12 {
                    let mut b: Vec<u8> = vec![b'-'; at];
                    b.extend((0..digits).map(|_| b'0' + (rng() % 10) as u8));
                    if let Ok(c) = u8::try_from(after) {
                        b.push(c);
                        b.extend_from_slice(b"ms)");
                    }
                    for end in at..=b.len() {
                        let cut = &b[..end];
                        assert_eq!(field_digits(cut, at), reference(cut, at), "{cut:?} at {at}");
                    }
                }
            }
        }
    }

    /// The one-pass reading of the usual event line gives what the general path gives, on the usual form and on
    /// every variation near it (blanks, other time forms, cut or odd relative times, optional fields, mutated bytes).
    #[test]
    fn usual_events_read_as_the_general_path_reads_them() {
        const KEYS: [&str; 15] = [
            "bg-s",
            "top-s",
            "fg-tpd",
            "pers",
            "cch-s",
            "",
            "-",
            "a-b-c",
            "fg -s",
            "fg\t-s",
            "中-s",
            "fgsvc-s",
            "fgsvc-tp",
            "fgsvcl-tpd",
            "fg-s\r",
        ];
        const OPENS: [&str; 3] = ["[", " [", "  ["];
        const AFTER_KEY: [&str; 4] = ["", " ", "  ", "\t"];
        const TIMES: [&str; 16] = [
            "2026-03-20 03:33:14.435",
            "2026-03-20 03:33:14.43",
            "2026-03-20 03:33:14",
            "2026-02-30 03:33:14.435",
            "2026-03-20T03:33:14.435",
            "2026-03-20 24:00:00.000",
            "2026-03-20 03:33:14.4355",
            "2026-12-31 23:59:60.999",
            "2026-03-20 03:33:1x.435",
            "2026-03-20 03:3a:14.435",
            "2026-03-20 03:33:14,435",
            "2026-03-20 3:33:14.435",
            "2026-03-20 03:33:14.4\u{e9}",
            "2026-13-20 03:33:14.435",
            "2026-03-20 00:00:00.000",
            "2026-03-20 23:60:00.000",
        ];
        const MIDS: [&str; 4] = [" (", "(", "  (", " ( "];
        const RELS: [&str; 25] = [
            "-9d19h54m38s652ms",
            "-36s754ms",
            "+0ms",
            "0",
            "-1m",
            "-1h5m27s67",
            "-99999999999999999999d0ms",
            "",
            "-1d1d5ms",
            "-12ms ",
            "-5ms3s",
            "-1d2h3m4s5ms",
            "-1m5ms",
            "-00ms",
            "-1234567890d0ms",
            "-123456789d0ms",
            "-1d1d1d1d1d1d1d5ms",
            "-1d1d1d1d5ms",
            "--5ms",
            "-5mss",
            "-1234567ms",
            "-12345678ms",
            "-24855d3h14m7s999ms",
            "-24855d3h14m8s0ms",
            "-0000000001ms",
        ];
        const CLOSES: [&str; 4] = [")", "", " )", "))"];
        const TAILS: [&str; 8] = [
            "",
            " duration=+1s2ms",
            " duration=+1s2",
            " proxy[uid=1, pkg=x, attributionTag=t]",
            " proxy[uid=1",
            " oem words",
            "  duration=+5ms proxy[uid=2]",
            "\t",
        ];
        let mut rng = crate::parse::tests::xorshift(0x853c_49e6_748f_ea9bu64);
        let mut next = |n: usize| (rng() % n as u64) as usize;
        let mut usual = 0;
        for round in 0..90_000 {
            let mut line = String::new();
            line.push_str(OPENS[next(OPENS.len())]);
            line.push_str(KEYS[next(KEYS.len())]);
            line.push(']');
            line.push_str(AFTER_KEY[next(AFTER_KEY.len())]);
            // Mostly the usual form, so that the one-pass reading is taken often.
            let usual_form = round % 3 == 0;
            line.push_str(if usual_form { TIMES[0] } else { TIMES[next(TIMES.len())] });
            line.push_str(if usual_form { MIDS[0] } else { MIDS[next(MIDS.len())] });
            line.push_str(RELS[next(RELS.len())]);
            line.push_str(if usual_form { CLOSES[0] } else { CLOSES[next(CLOSES.len())] });
            line.push_str(TAILS[next(TAILS.len())]);
            let mut bytes = line.into_bytes();
            if round % 7 == 0 && !bytes.is_empty() {
                let at = next(bytes.len());
                bytes[at] = b"0 -]()[:.9ms"[next(12)];
            }
            let Ok(line) = String::from_utf8(bytes) else { continue };
            let (mut a, mut b) = (DateCache::default(), DateCache::default());
            if let Some(fast) = usual_keyed(&line, &mut a) {
                usual += 1;
                let general = general_keyed(&line, &mut b).unwrap_or_else(|| panic!("general path refused {line:?}"));
                assert_eq!(
                    (fast.uid_state, fast.flags, fast.times),
                    (general.uid_state, general.flags, general.times),
                    "{line:?}"
                );
            }
        }
        assert!(usual > 2_000, "the one-pass reading was taken {usual} times");
    }

    /// The usual op header (a table lookup per name byte) gives what the general path gives, on headers of every
    /// kind near the usual one (names with other characters, long names, other spacing, switches, OEM words).
    #[test]
    fn usual_op_headers_read_as_the_general_path_reads_them() {
        const NAMES: [&str; 13] = [
            "COARSE_LOCATION",
            "X",
            "_X",
            "READ_SMS2",
            "9X",
            "read_sms",
            "OP.NAME",
            "Unknown(12)",
            "VERY_LONG_NAME_THAT_GOES_ON_AND_ON_AND_ON_AND_ON_AND_ON_AND_ON_AND_ON_AND_ON_AND_ON_AND_ON_AND_ON_PAST_96",
            "NAME_OF_99_BYTES_NAME_OF_99_BYTES_NAME_OF_99_BYTES_NAME_OF_99_BYTES_NAME_OF_99_BYTES_NAME_OF_99_BYT",
            "",
            "CAMÉRA",
            "A B",
        ];
        const SEPARATORS: [&str; 4] = [" (", "  (", "(", " \t("];
        const MODES: [&str; 22] = [
            "allow",
            "mode=5",
            "allow / switch COARSE_LOCATION=allow",
            "",
            " allow",
            "al(l)ow",
            "a/b",
            "ignore ",
            "é",
            "allow / switch X=",
            "allow / switch =y",
            "allow / switch X",
            "allow /switch X=y",
            "allow / switch X=y / oem",
            "a / b",
            "allow / switch X=y=z",
            " / switch X=y",
            "allow / switch X=y ",
            "a\tb",
            "ign\re",
            "deny",
            "x /y",
        ];
        const ENDS: [&str; 6] = ["):", "): miui", ")", ") oem:", "):)", "):  "];
        // Names at the 96-byte limit and one past it.
        let (at_limit, past_limit) = ("N_96".repeat(24), format!("{}7", "N_96".repeat(24)));
        let names: Vec<&str> = NAMES.iter().copied().chain([at_limit.as_str(), past_limit.as_str()]).collect();
        let mut rng = crate::parse::tests::xorshift(0x9e37_79b9_7f4a_7c15u64);
        let mut next = |n: usize| (rng() % n as u64) as usize;
        let mut usual = 0;
        for round in 0..40_000 {
            let usual_form = round % 2 == 0;
            let mut line = String::new();
            line.push_str(names[if usual_form { next(4) } else { next(names.len()) }]);
            line.push_str(if usual_form { SEPARATORS[0] } else { SEPARATORS[next(SEPARATORS.len())] });
            line.push_str(MODES[if usual_form { next(3) } else { next(MODES.len()) }]);
            line.push_str(if usual_form { ENDS[0] } else { ENDS[next(ENDS.len())] });
            let mut bytes = line.into_bytes();
            let mutated = round % 5 == 0 && !bytes.is_empty();
            if mutated {
                let at = next(bytes.len());
                bytes[at] = b" (/):_aZ0\x7f\xc3\t\r"[next(13)];
            }
            let Ok(line) = String::from_utf8(bytes) else { continue };
            match usual_op_header(&line) {
                Some(fast) => {
                    usual += 1;
                    assert_eq!(Some(fast), general_op_header(&line), "{line:?}");
                }
                // The usual form itself is always taken: leaving it to the general path gives the same result,
                // more slowly, which no other test would notice.
                None => assert!(!usual_form || mutated, "the usual path left {line:?}"),
            }
        }
        assert!(usual > 10_000, "the usual reading was taken {usual} times");
        // A name of 96 bytes is the usual path's; one of 97 is left to the general one, which refuses it too.
        assert!(usual_op_header(&format!("{at_limit} (allow):")).is_some());
        assert_eq!(usual_op_header(&format!("{past_limit} (allow):")), None);
        assert_eq!(general_op_header(&format!("{past_limit} (allow):")), None);
        // The table and the bit trick of the key on every byte value.
        for c in 0..=255u8 {
            let name = c.is_ascii_uppercase() || c.is_ascii_digit() || c == b'_';
            assert_eq!(USUAL_NAME_CHAR[usize::from(c)], name, "{c:#x}");
            let w = u64::from_le_bytes([c; 8]);
            assert_eq!(zero_bytes(w ^ 0x2020_2020_2020_2020) != 0, c == b' ', "{c:#x}");
            assert_eq!(blank_bytes(w) != 0, is_blank(c), "{c:#x}");
        }
    }

    /// The word-at-a-time (on x86_64, first 16-byte) name scan finds what a byte-wise scan with the table finds:
    /// every byte value at every position of a word or 16 bytes, beside neighbours of every class, and names of
    /// every length around both sizes.
    #[test]
    fn usual_name_end_is_the_tables_first_other_byte() {
        let bytewise = |b: &[u8]| b.iter().position(|&c| !USUAL_NAME_CHAR[usize::from(c)]);
        for c in 0..=255u8 {
            for fill in [b'A', b'Z', b'0', b'9', b'_', b'@', b'[', b'/', b':', b'^', b'`', 0x7F, 0x80, 0xC3, 0xFF] {
                for at in 0..8 {
                    let mut word = [fill; 8];
                    word[at] = c;
                    let bits = not_usual_name_bytes(u64::from_le_bytes(word));
                    for (k, &byte) in word.iter().enumerate() {
                        let odd = bits >> (8 * k + 7) & 1 == 1;
                        assert_eq!(odd, !USUAL_NAME_CHAR[usize::from(byte)], "{word:?} byte {k}");
                        assert_eq!(bits >> (8 * k) & 0x7F, 0, "{word:?}");
                    }
                }
            }
        }
        #[cfg(target_arch = "x86_64")]
        for c in 0..=255u8 {
            for fill in [b'A', b'Z', b'0', b'9', b'_', b'@', b'[', b'/', b':', b'^', b'`', 0x7F, 0x80, 0xC3, 0xFF] {
                for at in 0..16 {
                    let mut chunk = [fill; 16];
                    chunk[at] = c;
                    let bits = not_usual_name_bits(&chunk);
                    for (k, &byte) in chunk.iter().enumerate() {
                        assert_eq!(bits >> k & 1 == 1, !USUAL_NAME_CHAR[usize::from(byte)], "{chunk:?} byte {k}");
                    }
                    assert_eq!(bits >> 16, 0);
                }
            }
        }
        let mut rng = crate::parse::tests::xorshift(0x2545_f491_4f6c_dd1d);
        for _ in 0..20_000 {
            let len = (rng() % 40) as usize;
            let b: Vec<u8> = (0..len)
                .map(|_| {
                    let r = rng();
                    if r.is_multiple_of(6) {
                        (r >> 8) as u8
                    } else {
                        b"AZ09_QX7"[(r >> 8) as usize % 8]
                    }
                })
                .collect();
            assert_eq!(usual_name_end(&b), bytewise(&b), "{b:?}");
        }
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
        // OEM text after the mode, before or after the colon, and a missing colon.
        for (line, mode, switch) in [
            ("READ_SMS (allow): extra", "allow", None),
            ("READ_SMS (allow):  [oem]", "allow", None),
            ("READ_SMS (allow / switch COARSE_LOCATION=allow): miui", "allow", Some("COARSE_LOCATION")),
            ("READ_SMS (allow)", "allow", None),
            ("READ_SMS (allow) oem:", "allow", None),
            ("READ_SMS (ignore): (vendor)", "ignore", None),
        ] {
            let h = parse_op_header(line).unwrap_or_else(|| panic!("{line:?}"));
            assert_eq!((h.op, h.mode, h.switch_op), ("READ_SMS", Some(mode), switch), "{line:?}");
        }
        // Op names are short (the longest AOSP ones have 48 bytes); a longer run of capitals is not taken for one.
        let (at_limit, past_limit) = ("N_96".repeat(24), format!("{}7", "N_96".repeat(24)));
        assert!(parse_op_header(&format!("{at_limit} (allow):")).is_some_and(|h| h.op == at_limit));
        assert!(parse_op_header(&format!("{past_limit} (allow):")).is_none());
        assert!(is_op_name(&at_limit) && !is_op_name(&past_limit));
        // Modes: `modeToName`'s words, or a number (`mode=5`, as it prints one it has no word for; bare in some OEM
        // builds).
        for mode in ["allow", "ignore", "deny", "default", "foreground", "5", "mode=5"] {
            assert!(is_mode(mode), "{mode:?}");
        }
        for not_mode in ["", "mode=", "vendor", "5a", "allowed"] {
            assert!(!is_mode(not_mode), "{not_mode:?}");
        }
        // `Unknown(N)`: an op code AOSP has no name for, a number (negative in some builds) and nothing else.
        assert!(is_op_name("Unknown(120)") && is_op_name("Unknown(-1)"));
        assert!(!is_op_name("Unknown()") && !is_op_name("Unknown(12a)") && !is_op_name("Unknown(12"));
        // Xiaomi's numbered ops (HyperOS/MIUI): a capitalised name and a number, nothing else.
        assert!(is_op_name("MIUIOP(10008)") && is_op_name("MIUI_OP2(10021)"));
        for not_name in ["MIUIOP()", "MIUIOP(1x)", "MIUIOP(10", "MiuiOp(1)", "MIUIOP(1))", "MIUIOP(1)(2)", "MIUI OP(1)"]
        {
            assert!(!is_op_name(not_name), "{not_name:?}");
        }
        // Names start with a capital or `_` (OEM ops such as `_MIUI_OP`), then letters, digits, `_` or `.`.
        for name in ["READ_SMS", "_MIUI_OP", "AUTO_START", "X", "OEM.OP_2", "Camera2"] {
            assert!(is_op_name(name), "{name:?}");
        }
        for not_name in ["", "read_sms", "9X", ".OP", "-OP", "OP-2", "OP NAME", "OP:", "ÉCRAN"] {
            assert!(!is_op_name(not_name), "{not_name:?}");
        }
        for not_header in
            ["READ_SMS: mode=allow; time=+1s ago (running)", "state=cch (x)", "READ_SMS allow)", "READ_SMS"]
        {
            assert!(parse_op_header(not_header).is_none(), "{not_header:?}");
        }
    }

    #[test]
    fn keys_split_as_split_key_splits_them() {
        for key in ["fg-s", "top", "", "-", "bg-tp|tpd", " fg - s ", "-s", "fg-", "a-b-c", "\tcch-s\r", "fg -s"] {
            let line = format!("[{key}] 2021-01-11 16:01:05.086 (-1h5m27s679ms)");
            let e = parse_keyed(&line).expect("keyed");
            assert_eq!((e.uid_state, e.flags), split_key(key), "{key:?}");
        }
        assert!(parse_keyed("[fg-s 2021-01-11 16:01:05.086").is_none());
    }

    #[test]
    fn trim_line_is_trim() {
        for s in [
            "",
            " ",
            "        ",
            "         x ",
            "\t\tAccess: x\r",
            "  \u{4e2d} ",
            "          Access: [fg-s] y  \r",
            "\r",
            "x",
            "        \t",
            "\u{4e2d}",
            " \u{4e2d}\u{6587} \t ",
            "a b",
            "   \r\n",
        ] {
            assert_eq!(trim_line(s), trim(s), "{s:?}");
            // The same cut as positions, inside a longer text.
            let text = format!("ab\n{s}\ncd");
            let (i, j) = trim_range(text.as_bytes(), 3, 3 + s.len());
            assert_eq!(&text[i..j], trim(s), "{s:?}");
        }
        // Every mix of blanks and text up to 20 bytes long, at every offset.
        for n in 0..20u32 {
            for seed in 0..200u32 {
                let s: String = (0..n)
                    .map(|k| [' ', '\t', '\r', 'x', '中'][((seed * 7 + k * 13) ^ (seed >> 2)) as usize % 5])
                    .collect();
                let text = format!("  {s}  ");
                let (i, j) = trim_range(text.as_bytes(), 2, 2 + s.len());
                assert_eq!(&text[i..j], trim(&s), "{s:?}");
            }
        }
        // Lines of up to 40 bytes (indentations past 16, ends past 8 blanks) with any text before and after them,
        // which the counts at once read and must not take.
        let mut rng = crate::parse::tests::xorshift(0x6a09_e667_f3bc_c909);
        const BEFORE: [&str; 4] = ["", "  ", "ab\n", " \t"];
        const AFTER: [&str; 6] = ["", "  ", "\n", "                x", " \t\r", "\n          Access"];
        for _ in 0..60_000 {
            let n = (rng() % 41) as usize;
            let spaces_first = rng().is_multiple_of(2);
            let s: String = (0..n)
                .map(|k| match rng() % 12 {
                    _ if spaces_first && k < n / 2 => ' ',
                    0..=5 => ' ',
                    6 => '\t',
                    7 => '\r',
                    8 => '中',
                    _ => 'x',
                })
                .collect();
            let before = BEFORE[(rng() % 4) as usize];
            let text = format!("{before}{s}{}", AFTER[(rng() % 6) as usize]);
            let (i, j) = trim_range(text.as_bytes(), before.len(), before.len() + s.len());
            assert_eq!(&text[i..j], trim(&s), "{text:?}");
        }
    }

    #[test]
    fn slash_parts_split_like_str_split() {
        for s in [
            "a / b",
            "a / / b",
            " / ",
            "",
            "a/b / c",
            "x /  / y / ",
            "/ a / ",
            "a  /  b",
            "\u{4e2d} / \u{6587}",
            "allow /",
            "a / b /",
        ] {
            let want: Vec<&str> = s.split(" / ").collect();
            let got: Vec<&str> = SlashParts { rest: s, done: false }.collect();
            assert_eq!(got, want, "{s:?}");
        }
    }

    /// The cache's slots (the day and the month) give every date's own start, valid or not, whatever dates came
    /// before in the same slot: random dates over four years and every day number, times of day mixed in.
    #[test]
    fn date_cache_slots_keep_dates_apart() {
        let mut cache = DateCache::default();
        let mut rng = crate::parse::tests::xorshift(0x6a09_e667_f3bc_c909);
        for _ in 0..200_000 {
            let r = rng();
            let (year, month, day) = (2024 + r % 4, 1 + (r >> 8) % 13, (r >> 16) % 33);
            let s = format!(
                "{year}-{month:02}-{day:02} {:02}:{:02}:{:02}.{:03} (",
                (r >> 24) % 25,
                (r >> 32) % 60,
                (r >> 40) % 61,
                (r >> 48) % 1000
            );
            assert_eq!(cache.parse(s.as_bytes()), LocalTime::parse(s.as_bytes()), "{s}");
        }
    }

    #[test]
    fn date_cache_agrees_with_local_time() {
        let mut cache = DateCache::default();
        for s in [
            "2021-01-11 16:01:05.086 x",
            "2021-01-11 16:01:05.08",
            "2021-01-11 23:59:60.999",
            "2021-01-11 24:00:00.000",
            "2021-01-11 16:01:05.",
            "2021-01-11T16:01:05",
            "2021-01-11 16:01:05.123456",
            "2021-01-11 1a:01:05.000",
            "2021-01-11",
            "2021-02-30 00:00:00.000",
            "2020-02-29 00:00:00.000",
            "2021-01-11x16:01:05.086",
            "2021-01-12 00:00:00.001",
            "2021-02-11 16:01:05.086",
            "2021-01-11 16:01:05.087",
            "2021-11-01 00:00:00.000",
            "2021-1a-01 00:00:00.000",
            "2021-01-31 23:59:59.999",
            "2021-01-31 23:59:59.9991",
            "2021-01-31 23:59:59.99",
            "2021-01-31 23:59:59.99x",
            "2021-01-31 23:59:59.999 (",
            "2021-01-31 23:59:59.9",
            "2021-01-31 23:59:59.a99",
        ] {
            assert_eq!(cache.parse(s.as_bytes()), LocalTime::parse(s.as_bytes()), "{s}");
            assert_eq!(cache.parse(s.as_bytes()), LocalTime::parse(s.as_bytes()), "{s} (cached)");
        }
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
        // `time=` and `rejectTime=` are always printed with ` ago`: without it the line was cut, or is not AOSP's.
        for no_ago in [" allow; time=+1s0ms", " allow; rejectTime=+1s0ms", " allow; time=+1s0ms ago; rejectTime=+2s0ms"]
        {
            let op = parse_inline_op("CAMERA", no_ago).expect("parses");
            assert!(!op.complete, "{no_ago:?}");
        }
        // Parts an OEM adds (a word, an unknown `key=value`, words after a mode or a time) are skipped and said: the
        // fields AOSP prints are read as they are. An empty part (`;;`, a trailing `;`) holds nothing to read.
        for oem in [
            " allow; time=+1s0ms ago; vendor",
            " allow; time=+1s0ms ago; oem=1",
            " allow; oem=x; time=+1s0ms ago",
            " allow; time=+1s0ms ago oem",
            " allow oem; time=+1s0ms ago",
            " mode=0 oem; time=+1s0ms ago",
        ] {
            let op = parse_inline_op("CAMERA", oem).expect("parses");
            assert!(op.complete && op.unread_words && op.access_relative_ms == Some(-1000), "{oem:?}");
            assert!(op.mode == "allow" || op.mode == "0", "{oem:?}");
        }
        for empty in [" allow; time=+1s0ms ago;", " allow;; time=+1s0ms ago", " allow; time=+1s0ms ago; "] {
            let op = parse_inline_op("CAMERA", empty).expect("parses");
            assert!(op.complete && !op.unread_words && op.access_relative_ms == Some(-1000), "{empty:?}");
        }
        // `ago` glued to more is no `ago`: the time was not read as AOSP prints it.
        let glued = parse_inline_op("CAMERA", " allow; time=+1s0ms agox").expect("parses");
        assert!(!glued.complete);
    }

    #[test]
    fn a_cut_last_line_is_told_from_a_whole_one() {
        let whole = [
            "]",
            "null=[",
            "CAMERA (allow):",
            "Access: [top-s] 2022-01-01 00:00:00.000 (-1s0ms)",
            "Access: [top-s] 2022-01-01 00:00:00.000 (-1s0ms) duration=+1s0ms",
            "VIBRATE: mode=0; time=+39s500ms ago",
            "COARSE_LOCATION: mode=0",
            "WAKE_LOCK: mode=0; duration=0",
            "startNesting=0",
            "0",
            "READ_SMS: deny",
            "COARSE_LOCATION: mode=foreground",
            "Access [top-s] at 2022-06-01 09:00:00.000",
            "Pkg com.android.mms:",
            "#0: ModeCallback{b8f1a14 watchinguid=-1 flags=0x0 op=READ_SMS from uid=1000 pid=1738}",
            "Op mode watchers:",
            "Uid 1000:",
            "Uid u0a117:",
            "abc:",
        ];
        for t in whole {
            assert!(looks_complete(t), "{t:?}");
        }
        // Each could be the start of a longer line: a number or a word cut short.
        let cut = [
            "Access: [top-s] 2022-01-01 00:00:00.000 (-1s0",
            "Access: [top-s] 2022-01-01 00:00:00.000",
            "duration=+1m3",
            "startNesting=1",
            "proxy[uid=1",
            "VIBRATE: mode=12",
            "READ_SMS: foregr",
            "Access [top-s] at 2022-06-01 09:00:00.00",
            // A watcher cut before its brace or colon, though it ends as a whole line could (`=0`, `ms`).
            "#0: ModeCallback{b8f1a14 watchinguid=-1 flags=0",
            "Pkg com.android.mms",
            "Op COARSE_LOCATION",
            // A watcher's number or key, or a profile owner's user, cut right after its colon.
            "#0:",
            "#12:",
            "1d64736:",
            "User #0:",
            // A relative time cut before its `)`, though it ends in `ms`.
            "begin = 2021-06-01 12:00:00.000  (-1h0m0s0ms",
        ];
        for t in cut {
            assert!(!looks_complete(t), "{t:?}");
        }
    }

    #[test]
    fn full_durations() {
        for (text, want) in [
            ("+30s0ms", Some(30_000)),
            ("-314d1h25m2s33ms", Some(-(314 * 86_400_000 + 3_600_000 + 25 * 60_000 + 2_033))),
            ("0", Some(0)),
            ("+0", Some(0)),
            ("-12ms", Some(-12)),
            ("+1m3", None),
            ("+1m", None),
            ("5", None),
            ("+", None),
            ("", None),
            ("+5x", None),
            // Longer than formatDuration can print (it counts seconds in an int), or units out of order: misprints.
            ("+99999999999999999999d0ms", None),
            ("+24855d3h14m7s999ms", Some(MAX_DURATION_MS)),
            ("-24855d3h14m7s999ms", Some(-MAX_DURATION_MS)),
            ("+24855d3h14m8s0ms", None),
            ("-1d1d5ms", None),
            ("-5s3h0ms", None),
            ("-1ms2ms", None),
            ("-1s1s0ms", None),
            ("1s5x", None),
            ("1sx", None),
            ("1msx", None),
            ("1mss", None),
            ("1ms2", None),
            ("-", None),
            ("  +2s1ms ", Some(2_001)),
            // Carries as old builds print them are taken as they are.
            ("+24h0m0s0ms", Some(86_400_000)),
        ] {
            assert_eq!(parse_full_duration(text), want, "{text}");
        }
    }

    #[test]
    fn scanned_durations_agree_with_full_durations() {
        let texts = [
            "+30s0ms",
            "-314d1h25m2s33ms",
            "0",
            "+0",
            "-12ms",
            "+1m3",
            "+1m",
            "5",
            "+",
            "",
            "+5x",
            "+1s2",
            "00",
            "-0",
            "+99999999999999999999d0ms",
            "+1h",
            "+1msms",
            "1ms2",
            "+2d3",
            "+0ms",
            "+1d0h0m0s0ms",
            "+1m5ms",
        ];
        for text in texts {
            for stop in [")", " ", "\t", "", ") x", "  duration=+5ms"] {
                let line = format!("{text}{stop}");
                if let Some((value, at)) = scan_duration(line.as_bytes()) {
                    if at == text.len() {
                        assert_eq!(value, parse_full_duration(text), "{line:?}");
                    }
                }
            }
        }
        assert_eq!(
            scan_duration(b"-2d18h33m22s561ms)"),
            Some((Some(-(2 * 86_400_000 + 18 * 3_600_000 + 33 * 60_000 + 22_561)), 17))
        );
        assert_eq!(scan_duration(b"+38s335ms"), Some((Some(38_335), 9)));
        let e = parse_times("2021-01-11 16:01:05.086 (-1h5m27s679ms) duration=+1s2ms x").expect("times");
        assert_eq!((e.relative_ms, e.duration_ms, e.complete), (Some(-3_927_679), Some(1_002), true));
        let e = parse_times("2021-01-11 16:01:05.086 ( -1h5m27s679ms ) duration=+1s2ms\r y").expect("times");
        assert_eq!((e.relative_ms, e.duration_ms, e.complete), (Some(-3_927_679), Some(1_002), true));
        let e = parse_times("2021-01-11 16:01:05.086 (-1h5m27s67) duration=+1s").expect("times");
        assert_eq!((e.relative_ms, e.duration_ms, e.complete), (None, None, false));
    }

    #[test]
    fn pie_lines() {
        let e =
            parse_state_times("top   = 2019-01-01 12:00:00.000 (-1h2m3s4ms)", &mut DateCache::default()).expect("pie");
        assert_eq!(e.uid_state, "top");
        assert_eq!(e.times.relative_ms, Some(-3_723_004));
        // The state is one word of letters, digits or `_`: anything else before the `=` is no Android 9 line.
        for other in ["= 2019-01-01 12:00:00.000 (-1h2m3s4ms)", "   = 2019-01-01 12:00:00.000 (-1h2m3s4ms)"] {
            assert!(parse_state_times(other, &mut DateCache::default()).is_none(), "{other:?}");
        }
        for other in ["to p = 2019-01-01 12:00:00.000 (-1h2m3s4ms)", "top-s = 2019-01-01 12:00:00.000 (-1h2m3s4ms)"] {
            assert!(parse_state_times(other, &mut DateCache::default()).is_none(), "{other:?}");
        }
        assert_eq!(
            parse_state_times("fg_svc2 = 2019-01-01 12:00:00.000 (-1h2m3s4ms)", &mut DateCache::default())
                .map(|e| e.uid_state),
            Some("fg_svc2")
        );
    }
}
