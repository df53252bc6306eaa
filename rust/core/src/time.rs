//! Times as AppOps prints them, and the rule that turns them into UTC.
//!
//! Absolute times in a dump are the device's local wall clock with no zone marker
//! (`SimpleDateFormat("yyyy-MM-dd HH:mm:ss.SSS")`). Relative times (`-1h5m27s679ms`) are exact
//! offsets from the dump's start. See `docs/time.md` for the UTC rule.

use jiff::tz::AmbiguousOffset;
use serde::{Serialize, Serializer};

/// A device-local wall-clock instant with millisecond precision and no zone: milliseconds since
/// 1970-01-01 00:00:00.000 *of the same wall clock*. Compact and `Copy` so the parser never allocates for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LocalTime(pub i64);

const MS_PER_DAY: i64 = 86_400_000;

impl LocalTime {
    /// Parses exactly `YYYY-MM-DD HH:MM:SS.mmm` (fraction 1–9 digits, truncated to ms; also accepts no fraction),
    /// also in another script's digits (`parse_native`). Returns `None` on anything else, including out-of-range
    /// fields; with the time, how many bytes of `s` it took.
    #[inline]
    pub fn parse(s: &[u8]) -> Option<(LocalTime, usize)> {
        if s.first().is_some_and(|&b| b >= 0x80) {
            return parse_native(s).map(|(t, used, _)| (t, used));
        }
        let day = day_start(s)?;
        let (tod, used) = time_of_day(s)?;
        Some((LocalTime(day + tod), used))
    }

    /// Civil fields (year, month, day, hour, minute, second, millisecond).
    pub fn fields(self) -> (i64, i64, i64, i64, i64, i64, i64) {
        let days = self.0.div_euclid(MS_PER_DAY);
        let rem = self.0.rem_euclid(MS_PER_DAY);
        let (y, m, d) = civil_from_days(days);
        (y, m, d, rem / 3_600_000, rem / 60_000 % 60, rem / 1000 % 60, rem % 1000)
    }

    /// The civil date-time, for zone conversion.
    pub fn to_civil(self) -> Option<jiff::civil::DateTime> {
        let (y, mo, d, h, mi, s, ms) = self.fields();
        jiff::civil::DateTime::new(
            i16::try_from(y).ok()?,
            i8::try_from(mo).ok()?,
            i8::try_from(d).ok()?,
            i8::try_from(h).ok()?,
            i8::try_from(mi).ok()?,
            i8::try_from(s).ok()?,
            i32::try_from(ms * 1_000_000).ok()?,
        )
        .ok()
    }

    /// Local wall-clock time to UTC epoch milliseconds with the zone's rules (DST included).
    /// Ambiguous times (a fall-back hour) take the earlier instant; times in a gap are shifted forward,
    /// as `java.util.Calendar` does when the device formats them.
    pub fn to_utc_ms(self, zone: &jiff::tz::TimeZone) -> Option<i64> {
        self.to_utc_ms_near(zone, || None)
    }

    /// [`LocalTime::to_utc_ms`], except that a time in the repeated hour of a fall-back, which names two instants,
    /// takes the one `hint` points to: where other evidence (the dump's "now" or the capture instant, plus the
    /// event's exact relative time) places the event. A hint nearer neither instant than half the distance between
    /// them (a capture instant that is days off) is ignored, and the earlier instant taken, as without one. The hint
    /// is asked for only in that hour.
    pub fn to_utc_ms_near(self, zone: &jiff::tz::TimeZone, hint_utc_ms: impl FnOnce() -> Option<i64>) -> Option<i64> {
        let ambiguous = zone.to_ambiguous_timestamp(self.to_civil()?);
        if let (AmbiguousOffset::Fold { .. }, Some(hint)) = (ambiguous.offset(), hint_utc_ms()) {
            let earlier = ambiguous.earlier().ok()?.as_millisecond();
            let later = ambiguous.later().ok()?.as_millisecond();
            let half = later.abs_diff(earlier) / 2;
            if hint.abs_diff(later) < half {
                return Some(later);
            }
            return Some(earlier);
        }
        Some(ambiguous.compatible().ok()?.as_millisecond())
    }

    /// Whether the zone gives this local time one instant: not in a fall-back's repeated hour or a spring-forward gap.
    pub fn is_unambiguous_in(self, zone: &jiff::tz::TimeZone) -> bool {
        self.to_civil()
            .is_some_and(|c| matches!(zone.to_ambiguous_timestamp(c).offset(), AmbiguousOffset::Unambiguous { .. }))
    }

    /// From UTC epoch milliseconds to the wall clock of `zone`.
    pub fn from_utc_ms(utc_ms: i64, zone: &jiff::tz::TimeZone) -> Option<LocalTime> {
        let ts = jiff::Timestamp::from_millisecond(utc_ms).ok()?;
        let offset = zone.to_offset(ts);
        Some(LocalTime(utc_ms + i64::from(offset.seconds()) * 1000))
    }
}

/// The zero of each script's ten decimal digits (Unicode category Nd) that a locale may use for numbers: Arabic-Indic
/// (Arabic), extended Arabic-Indic (Persian, Urdu), N'Ko, Devanagari (Marathi, Nepali), Bengali, Gurmukhi, Gujarati,
/// Oriya, Tamil, Telugu, Kannada, Malayalam, Thai, Lao, Tibetan, Myanmar (Burmese), Khmer, Ol Chiki (Santali), Meetei
/// Mayek, fullwidth, Adlam.
const DIGIT_ZEROS: [u32; 21] = [
    0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0B66, 0x0BE6, 0x0C66, 0x0CE6, 0x0D66, 0x0E50, 0x0ED0,
    0x0F20, 0x1040, 0x17E0, 0x1C50, 0xABF0, 0xFF10, 0x1E950,
];

/// The value of a digit of another script, from [`DIGIT_ZEROS`].
fn native_digit(c: char) -> Option<u8> {
    let c = u32::from(c);
    DIGIT_ZEROS.iter().find(|&&zero| (zero..zero + 10).contains(&c)).and_then(|&zero| u8::try_from(c - zero).ok())
}

/// A time written with another script's digits. AppOps formats its times with `SimpleDateFormat` in the device's
/// locale, which writes numbers with the locale's digits: `٢٠٢١-٠١-١١ ١٦:٠١:٠٥.٠٨٦` on a phone set to Arabic,
/// `۲۰۲۱-…` in Persian, Bengali, Marathi or Burmese digits in those languages (the relative times and every other
/// number are ASCII: AOSP formats them itself). The time, the bytes of `s` it took, and the length of its ASCII form
/// (what [`LocalTime::parse`] would have taken had it been written in ASCII).
pub(crate) fn parse_native(s: &[u8]) -> Option<(LocalTime, usize, usize)> {
    // `s` is the rest of a line, cut at a character boundary at its start; a line read lossily may still end
    // inside a character.
    let text = match std::str::from_utf8(s) {
        Ok(text) => text,
        Err(e) => std::str::from_utf8(s.get(..e.valid_up_to())?).ok()?,
    };
    // `YYYY-MM-DD HH:MM:SS.` and at most nine fraction digits, with a character to spare.
    let mut ascii = [0u8; 32];
    let mut ends = [0usize; 32];
    let mut n = 0;
    for (at, c) in text.char_indices().take(ascii.len()) {
        let Some(b) = (if c.is_ascii() { u8::try_from(c).ok() } else { native_digit(c).map(|d| b'0' + d) }) else {
            break;
        };
        ascii[n] = b;
        ends[n] = at + c.len_utf8();
        n += 1;
    }
    let ascii = &ascii[..n];
    let day = day_start(ascii)?;
    let (tod, used) = time_of_day(ascii)?;
    Some((LocalTime(day + tod), *ends.get(used.checked_sub(1)?)?, used))
}

/// The first millisecond of the date `YYYY-MM-DD` that starts `s`, if it is a valid date: [`LocalTime::parse`]'s
/// date part, and on its own what the parser's date cache keeps (a date's validity depends on its ten bytes alone).
pub(crate) fn day_start(s: &[u8]) -> Option<i64> {
    let s = s.get(..10)?;
    if s[4] != b'-' || s[7] != b'-' {
        return None;
    }
    // Check every digit at once, then the ranges.
    const DIGITS: [usize; 8] = [0, 1, 2, 3, 5, 6, 8, 9];
    if DIGITS.iter().any(|&i| !s[i].is_ascii_digit()) {
        return None;
    }
    let n2 = |i: usize| i64::from(s[i] - b'0') * 10 + i64::from(s[i + 1] - b'0');
    let (year, month, day) = (n2(0) * 100 + n2(2), n2(5), n2(8));
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    Some(days_from_civil(year, month, day) * MS_PER_DAY)
}

/// The time of day of `YYYY-MM-DD HH:MM:SS[.fff]` in milliseconds (its date not looked at), and the bytes used:
/// [`LocalTime::parse`]'s time part, and all the parser's date cache decodes for a date it has seen.
#[inline(always)]
pub(crate) fn time_of_day(s: &[u8]) -> Option<(i64, usize)> {
    if s.len() < 19 || (s[10] != b' ' && s[10] != b'T') || s[13] != b':' || s[16] != b':' {
        return None;
    }
    let d = |i: usize| s[i].wrapping_sub(b'0');
    let digits = [d(11), d(12), d(14), d(15), d(17), d(18)];
    if digits.iter().any(|&x| x > 9) {
        return None;
    }
    let n2 = |a: u8, b: u8| i64::from(a) * 10 + i64::from(b);
    let (hour, min, sec) = (n2(digits[0], digits[1]), n2(digits[2], digits[3]), n2(digits[4], digits[5]));
    if hour > 23 || min > 59 || sec > 59 {
        return None;
    }
    let tod = ((hour * 60 + min) * 60 + sec) * 1000;
    // The usual three digits of milliseconds, then something else.
    if let [b'.', a, b, c, rest @ ..] = &s[19..] {
        let (a, b, c) = (a.wrapping_sub(b'0'), b.wrapping_sub(b'0'), c.wrapping_sub(b'0'));
        if a <= 9 && b <= 9 && c <= 9 && !rest.first().is_some_and(u8::is_ascii_digit) {
            return Some((tod + i64::from(a) * 100 + i64::from(b) * 10 + i64::from(c), 23));
        }
    }
    let mut used = 19;
    let mut ms = 0i64;
    if s.len() > 19 && s[19] == b'.' {
        let mut count = 0;
        let mut i = 20;
        while i < s.len() && s[i].is_ascii_digit() {
            if count < 3 {
                ms = ms * 10 + i64::from(s[i] - b'0');
            }
            count += 1;
            i += 1;
        }
        if count == 0 {
            return None;
        }
        for _ in count..3 {
            ms *= 10;
        }
        used = i;
    }
    Some((tod + ms, used))
}

impl std::fmt::Display for LocalTime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (y, mo, d, h, mi, s, ms) = self.fields();
        write!(f, "{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}.{ms:03}")
    }
}

impl Serialize for LocalTime {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
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

/// Howard Hinnant's days_from_civil: days since 1970-01-01 in the proleptic Gregorian calendar.
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
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// How an event's UTC instant was obtained. Recorded with every stored event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeBasis {
    /// The printed local time converted with the device zone's rules (exact to the millisecond).
    LocalWithZone,
    /// The capture instant plus the printed relative time (exact to the capture instant's precision).
    CaptureRelative,
    /// A local time with no relative part and no zone: shifted by the offset between the dump's inferred
    /// local "now" and the capture instant.
    LocalWithInferredOffset,
    /// The dump printed an epoch instant itself (the SQLite discrete table's integer times).
    Printed,
}

/// The zone named `id` in the time zone database (an IANA id as a dump states it), if the database knows it.
pub fn known_zone(id: &str) -> Option<jiff::tz::TimeZone> {
    jiff::tz::TimeZone::get(id).ok()
}

/// What is known about the moment and place a dump was taken.
#[derive(Debug, Clone, Default)]
pub struct CaptureContext {
    /// UTC epoch ms at which the dump was captured (device clock just before the dump), if known.
    pub captured_at_utc_ms: Option<i64>,
    /// The device's time zone, if known.
    pub zone: Option<jiff::tz::TimeZone>,
    /// The dump's own local "now", inferred by the parser.
    pub dump_time_local: Option<LocalTime>,
    /// The relative time of the pair that decided `dump_time_local` (`ParseSummary::dump_time_nearest_relative_ms`).
    pub dump_time_nearest_relative_ms: Option<i64>,
    /// The dump's other pairs (`ParseSummary::dump_time_other_pairs`).
    pub dump_time_other_pairs: Vec<(LocalTime, i64, u64)>,
}

impl CaptureContext {
    /// The rule (documented in docs/time.md):
    /// 1. a local time and a known zone → convert with the zone's rules;
    /// 2. otherwise a relative time and a capture instant → capture instant + relative;
    /// 3. otherwise a local time, the dump's inferred local now, and a capture instant → local + (capture − now);
    /// 4. otherwise unknown.
    ///
    /// Relative-only dialects reach rule 2 by construction: they print no local time.
    pub fn resolve(&self, time_local: Option<LocalTime>, relative_ms: Option<i64>) -> Option<(i64, TimeBasis)> {
        if let (Some(local), Some(zone)) = (time_local, self.zone.as_ref()) {
            if let Some(utc) = local.to_utc_ms_near(zone, || self.relative_hint(zone, relative_ms)) {
                return Some((utc, TimeBasis::LocalWithZone));
            }
        }
        if let (Some(rel), Some(cap)) = (relative_ms, self.captured_at_utc_ms) {
            return Some((cap.saturating_add(rel), TimeBasis::CaptureRelative));
        }
        if let (Some(local), Some(now), Some(cap)) = (time_local, self.dump_time_local, self.captured_at_utc_ms) {
            return Some((local.0.saturating_add(cap.saturating_sub(now.0)), TimeBasis::LocalWithInferredOffset));
        }
        None
    }

    /// Where an event with this relative time is, to tell apart the two instants of a repeated local hour: the
    /// dump's own "now" (converted with the zone; exact, as the relative times are counted from it) plus the
    /// relative time, or else the capture instant plus it.
    fn relative_hint(&self, zone: &jiff::tz::TimeZone, relative_ms: Option<i64>) -> Option<i64> {
        let rel = relative_ms?;
        let now = match self.dump_now_utc_ms(zone) {
            Some(now) => now,
            None => self.captured_at_utc_ms?,
        };
        Some(now.saturating_add(rel))
    }

    /// The dump's own "now" as an instant, with the zone's rules: the instant of the pair that decided it, minus
    /// that pair's relative time. The wall-clock "now" alone is an hour off when a DST change came between that
    /// pair and the dump; the pair's instant is not. A local time in the repeated hour of a fall-back is one of two
    /// instants: the dump's other pairs tell which, as every pair's instant minus its relative time is the same "now";
    /// failing them, the capture instant, taken just before the dump.
    pub fn dump_now_utc_ms(&self, zone: &jiff::tz::TimeZone) -> Option<i64> {
        let now = self.dump_time_local?;
        let rel = self.dump_time_nearest_relative_ms.unwrap_or(0);
        let pair = LocalTime(now.0.saturating_add(rel));
        let at = pair.to_utc_ms_near(zone, || {
            self.now_from_other_pairs(zone, pair, rel).or(self.captured_at_utc_ms).map(|n| n.saturating_add(rel))
        })?;
        Some(at.saturating_sub(rel))
    }

    /// Which of the two "now"s that `pair`, in a repeated hour, allows the dump's other pairs agree with (weighed by
    /// how many pairs each stands for), if they prefer one. A pair outside the repeated hour names one "now"; one in
    /// it names two, and agrees with a candidate when either of them is it.
    fn now_from_other_pairs(&self, zone: &jiff::tz::TimeZone, pair: LocalTime, rel: i64) -> Option<i64> {
        // Relative times are printed to the millisecond, from the same "now"; a second allows for a build that rounds.
        const SAME_MS: u64 = 1_000;
        let nows = |local: LocalTime, rel: i64| -> Option<[i64; 2]> {
            let ambiguous = zone.to_ambiguous_timestamp(local.to_civil()?);
            let earlier = ambiguous.earlier().ok()?.as_millisecond();
            let later = ambiguous.later().ok()?.as_millisecond();
            Some([earlier.saturating_sub(rel), later.saturating_sub(rel)])
        };
        let [earlier, later] = nows(pair, rel)?;
        let support = |candidate: i64| -> u64 {
            let agrees = |&&(local, rel, _): &&(LocalTime, i64, u64)| {
                nows(local, rel).is_some_and(|n| n.iter().any(|now| now.abs_diff(candidate) <= SAME_MS))
            };
            self.dump_time_other_pairs.iter().filter(agrees).map(|p| p.2).sum()
        };
        match support(earlier).cmp(&support(later)) {
            std::cmp::Ordering::Greater => Some(earlier),
            std::cmp::Ordering::Less => Some(later),
            std::cmp::Ordering::Equal => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_in_other_scripts_digits() {
        let ascii = "2021-01-11 16:01:05.086";
        let want = LocalTime::parse(ascii.as_bytes()).expect("ascii").0;
        for (text, rest) in [
            ("٢٠٢١-٠١-١١ ١٦:٠١:٠٥.٠٨٦", " (-1h5m27s679ms)"),
            ("۲۰۲۱-۰۱-۱۱ ۱۶:۰۱:۰۵.۰۸۶", ""),
            ("২০২১-০১-১১ ১৬:০১:০৫.০৮৬", "|1000"),
            ("၂၀၂၁-၀၁-၁၁ ၁၆:၀၁:၀၅.၀၈၆", " for 1 milliseconds"),
        ] {
            let line = format!("{text}{rest}");
            assert_eq!(LocalTime::parse(line.as_bytes()), Some((want, text.len())), "{line}");
            assert_eq!(parse_native(line.as_bytes()).map(|(_, _, ascii)| ascii), Some(23));
        }
        // A fraction of other lengths, as in ASCII; a letter of another script where a digit should be is no time.
        assert_eq!(LocalTime::parse("٢٠٢١-٠١-١١ ١٦:٠١:٠٥.٠٨".as_bytes()).map(|t| t.0 .0 % 1000), Some(80));
        assert_eq!(LocalTime::parse("٢٠٢١-٠١-١١ ١٦:٠١:٠٥".as_bytes()).map(|t| t.0 .0 % 1000), Some(0));
        assert_eq!(LocalTime::parse("٢٠٢١-٠١-١١ ١٦:٠١:ب٥.٠٨٦".as_bytes()), None);
        assert_eq!(LocalTime::parse("٢٠٢١-١٣-١١ ١٦:٠١:٠٥.٠٨٦".as_bytes()), None, "month 13");
        // Cut inside a character (a line read lossily ends anywhere): what is whole is read.
        let cut = "٢٠٢١-٠١-١١ ١٦:٠١:٠٥.٠٨٦".as_bytes();
        assert_eq!(LocalTime::parse(&cut[..cut.len() - 1]).map(|t| t.0 .0 % 1000), Some(80));
    }

    #[test]
    fn local_time_roundtrip() {
        let (t, used) = LocalTime::parse(b"2021-01-11 16:01:05.086 (-1h)").expect("parses");
        assert_eq!(used, 23);
        assert_eq!(t.to_string(), "2021-01-11 16:01:05.086");
        // Same wall clock read as UTC.
        assert_eq!(t.0, 1_610_380_865_086);
        assert!(LocalTime::parse(b"2021-13-11 16:01:05.086").is_none());
        assert!(LocalTime::parse(b"2021-02-29 16:01:05.086").is_none());
        assert!(LocalTime::parse(b"2020-02-29 16:01:05.086").is_some());
        assert!(LocalTime::parse(b"20x1-01-11 16:01:05.086").is_none());
    }

    /// The calendar beyond this century: the epoch itself, century years (leap only every 400 years), the ends of a
    /// 400-year era and the 30-day months, each against the instant Python's `datetime` gives for it, and printed
    /// back as read.
    #[test]
    fn calendar_dates_across_centuries() {
        for (text, ms) in [
            ("1970-01-01 00:00:00.000", 0),
            ("1900-03-01 00:00:00.000", -2_203_891_200_000),
            ("2000-02-29 00:00:00.000", 951_782_400_000),
            ("2100-03-01 00:00:00.000", 4_107_542_400_000),
            // The last day of a 400-year era, and the first of the next (the calendar's own cycle).
            ("2400-02-29 00:00:00.000", 13_574_563_200_000),
            ("2400-03-01 00:00:00.000", 13_574_649_600_000),
        ] {
            let (t, _) = LocalTime::parse(text.as_bytes()).expect(text);
            assert_eq!((t.0, t.to_string()), (ms, text.to_owned()));
        }
        for valid in ["2400-02-29", "2021-01-31", "2021-03-31", "2021-12-31", "2021-04-30"] {
            assert!(day_start(valid.as_bytes()).is_some(), "{valid}");
        }
        for invalid in ["1900-02-29", "2100-02-29", "2021-04-31", "2021-06-31", "2021-09-31", "2021-11-31"] {
            assert_eq!(day_start(invalid.as_bytes()), None, "{invalid}");
        }
    }

    #[test]
    fn local_time_fields_and_fractions() {
        let midnight = LocalTime::parse(b"2021-01-11 00:00:00.000").map_or(0, |(t, _)| t.0);
        let ms = |s: &str| LocalTime::parse(s.as_bytes()).map(|(t, used)| (t.0 - midnight, used));
        let at = |h: i64, m: i64, s: i64, ms: i64| ((h * 60 + m) * 60 + s) * 1000 + ms;
        assert_eq!(ms("2021-01-11 16:01:05.08"), Some((at(16, 1, 5, 80), 22)));
        assert_eq!(ms("2021-01-11 16:01:05.9 x"), Some((at(16, 1, 5, 900), 21)));
        assert_eq!(ms("2021-01-11 16:01:05.123456"), Some((at(16, 1, 5, 123), 26)));
        assert_eq!(ms("2021-01-11 16:01:05.0861"), Some((at(16, 1, 5, 86), 24)));
        assert_eq!(ms("2021-01-11T16:01:05"), Some((at(16, 1, 5, 0), 19)));
        assert_eq!(ms("2021-01-11 16:01:05 (-1h)"), Some((at(16, 1, 5, 0), 19)));
        // A fraction ends at its first byte that is no digit, in any of the usual three places.
        assert_eq!(ms("2021-01-11 16:01:05.0a9"), Some((at(16, 1, 5, 0), 21)));
        assert_eq!(ms("2021-01-11 16:01:05.09a"), Some((at(16, 1, 5, 90), 22)));
        // No second 60: Android's clock (java.util.Date) has no leap seconds, so `SimpleDateFormat` never prints one.
        assert_eq!(ms("2021-01-11 23:59:60.999"), None);
        for bad in [
            "2021-01-11 24:00:00.000",
            "2021-01-11 16:60:05.000",
            "2021-01-11 16:01:61.000",
            "2021-01-11 16:01:05.",
            "2021-01-11 16:01:05.a99",
            "2021-01-11 1a:01:05.000",
            "2021-01-11x16:01:05.086",
            "2021x01-11 16:01:05.086",
            "2021-01x11 16:01:05.086",
            "2021-01-11 16-01:05.086",
            "2021-01-11 16:01:0",
        ] {
            assert_eq!(ms(bad), None, "{bad}");
        }
    }

    #[test]
    fn zone_conversion_matches_appops_xml() {
        // lixiaogang03 A11 sample: dump `2021-01-11 16:01:05.086` ↔ appops.xml t="1610352065086" (UTC+8).
        let zone = jiff::tz::TimeZone::get("Asia/Shanghai").expect("tzdb has Asia/Shanghai");
        let (t, _) = LocalTime::parse(b"2021-01-11 16:01:05.086").expect("parses");
        assert_eq!(t.to_utc_ms(&zone), Some(1_610_352_065_086));
        assert_eq!(LocalTime::from_utc_ms(1_610_352_065_086, &zone), Some(t));
    }

    #[test]
    fn dst_rules_apply() {
        let zone = jiff::tz::TimeZone::get("Europe/Berlin").expect("tzdb has Europe/Berlin");
        let (winter, _) = LocalTime::parse(b"2024-01-15 12:00:00.000").expect("parses");
        let (summer, _) = LocalTime::parse(b"2024-07-15 12:00:00.000").expect("parses");
        assert_eq!(winter.to_utc_ms(&zone), Some(winter.0 - 3_600_000));
        assert_eq!(summer.to_utc_ms(&zone), Some(summer.0 - 7_200_000));
    }

    /// The hours at the ends of summer time in Berlin (2024-10-27: 02:00–02:59 twice; 2024-03-31: 02:00–02:59
    /// skipped). A repeated local time takes the instant its relative time points to.
    #[test]
    fn dst_transition_hours() {
        let zone = jiff::tz::TimeZone::get("Europe/Berlin").expect("tzdb has Europe/Berlin");
        let local = |s: &str| LocalTime::parse(s.as_bytes()).expect("parses").0;
        let utc = |s: &str| s.parse::<jiff::Timestamp>().expect("instant").as_millisecond();
        let repeated = local("2024-10-27 02:30:00.000");
        let (first, second) = (utc("2024-10-27T00:30:00Z"), utc("2024-10-27T01:30:00Z"));
        assert!(!repeated.is_unambiguous_in(&zone));
        assert!(local("2024-10-27 03:30:00.000").is_unambiguous_in(&zone));
        // No evidence: the earlier instant.
        assert_eq!(repeated.to_utc_ms(&zone), Some(first));
        assert_eq!(repeated.to_utc_ms_near(&zone, || None), Some(first));
        // A capture at 01:50Z with the event 20 minutes before it: the second 02:30 (01:30Z); 80 minutes: the first.
        let capture = |cap: &str| CaptureContext {
            captured_at_utc_ms: Some(utc(cap)),
            zone: Some(zone.clone()),
            ..CaptureContext::default()
        };
        let at_0150 = capture("2024-10-27T01:50:00Z");
        assert_eq!(at_0150.resolve(Some(repeated), Some(-20 * 60_000)), Some((second, TimeBasis::LocalWithZone)));
        assert_eq!(at_0150.resolve(Some(repeated), Some(-80 * 60_000)), Some((first, TimeBasis::LocalWithZone)));
        // The dump's own "now" (03:10 local, 02:10Z) is evidence too, and comes first: exact, unlike a capture instant.
        let with_now = CaptureContext {
            dump_time_local: Some(local("2024-10-27 03:10:00.000")),
            ..capture("2030-01-01T00:00:00Z")
        };
        assert_eq!(with_now.resolve(Some(repeated), Some(-40 * 60_000)), Some((second, TimeBasis::LocalWithZone)));
        assert_eq!(with_now.resolve(Some(repeated), Some(-100 * 60_000)), Some((first, TimeBasis::LocalWithZone)));
        // A "now" in the repeated hour itself (02:40, taken at 01:40Z) is told apart by the capture instant: events a
        // few minutes before it are in the second 02:xx, not an hour earlier.
        let now_in_fold = CaptureContext {
            dump_time_local: Some(local("2024-10-27 02:40:00.000")),
            ..capture("2024-10-27T01:40:00Z")
        };
        assert_eq!(now_in_fold.dump_now_utc_ms(&zone), Some(utc("2024-10-27T01:40:00Z")));
        assert_eq!(now_in_fold.resolve(Some(repeated), Some(-10 * 60_000)), Some((second, TimeBasis::LocalWithZone)));
        let first_pass = CaptureContext { captured_at_utc_ms: Some(utc("2024-10-27T00:40:00Z")), ..now_in_fold };
        assert_eq!(first_pass.dump_now_utc_ms(&zone), Some(utc("2024-10-27T00:40:00Z")));
        assert_eq!(first_pass.resolve(Some(repeated), Some(-10 * 60_000)), Some((first, TimeBasis::LocalWithZone)));
        // A capture instant days away (a file ingested later without --captured-at) points to neither: the earlier.
        let later = capture("2024-11-03T12:00:00Z");
        assert_eq!(later.resolve(Some(repeated), Some(-20 * 60_000)), Some((first, TimeBasis::LocalWithZone)));
        // The deciding pair in the repeated hour (02:55, 15 minutes before the dump) with no capture instant: another
        // pair of the dump outside it (01:50, 2h20 before, which implies a local "now" an hour later, 04:10) names
        // one "now", 02:10Z, and so which 02:55 it was: the second (01:55Z), and with it every event of the hour.
        let in_fold = CaptureContext {
            zone: Some(zone.clone()),
            dump_time_local: Some(local("2024-10-27 03:10:00.000")),
            dump_time_nearest_relative_ms: Some(-15 * 60_000),
            dump_time_other_pairs: vec![(local("2024-10-27 01:50:00.000"), -140 * 60_000, 1)],
            ..CaptureContext::default()
        };
        assert_eq!(in_fold.dump_now_utc_ms(&zone), Some(utc("2024-10-27T02:10:00Z")));
        assert_eq!(in_fold.resolve(Some(repeated), Some(-40 * 60_000)), Some((second, TimeBasis::LocalWithZone)));
        // They win over a capture instant, which is only near (a file's time). A pair in the repeated hour names two
        // "now"s and may still decide (02:30, 100 minutes before: 02:10Z or 03:10Z, of which only 02:10Z is one of the
        // deciding pair's); a pair that agrees with neither decides nothing, and the capture instant does, as before.
        let with_capture = CaptureContext { captured_at_utc_ms: Some(utc("2024-10-27T01:20:00Z")), ..in_fold.clone() };
        assert_eq!(with_capture.dump_now_utc_ms(&zone), Some(utc("2024-10-27T02:10:00Z")));
        let first_pass_pair = CaptureContext {
            dump_time_other_pairs: vec![(local("2024-10-27 02:30:00.000"), -100 * 60_000, 3)],
            ..with_capture.clone()
        };
        assert_eq!(first_pass_pair.dump_now_utc_ms(&zone), Some(utc("2024-10-27T02:10:00Z")));
        let misprint = CaptureContext {
            dump_time_other_pairs: vec![(local("2024-10-27 12:00:00.000"), -100 * 60_000, 3)],
            ..with_capture
        };
        assert_eq!(misprint.dump_now_utc_ms(&zone), Some(utc("2024-10-27T01:10:00Z")), "the capture instant's");
        let none = CaptureContext { captured_at_utc_ms: None, ..misprint };
        assert_eq!(none.dump_now_utc_ms(&zone), Some(utc("2024-10-27T01:10:00Z")), "the earlier, as without a hint");
        // Exactly halfway between the two (01:00Z, half an hour from each) is nearer neither: the earlier, as without
        // a hint; a millisecond nearer the second instant is the second.
        let halfway = utc("2024-10-27T01:00:00Z");
        assert_eq!(repeated.to_utc_ms_near(&zone, || Some(halfway)), Some(first));
        assert_eq!(repeated.to_utc_ms_near(&zone, || Some(halfway + 1)), Some(second));
        // The skipped hour cannot be printed by a device's clock; such a time is moved forward, as Calendar does.
        let skipped = local("2024-03-31 02:30:00.000");
        assert!(!skipped.is_unambiguous_in(&zone));
        assert_eq!(skipped.to_utc_ms(&zone), Some(utc("2024-03-31T01:30:00Z")));
    }

    /// The rules in order: the zone first, then the capture instant with a relative time, then a local time shifted by
    /// the offset between the capture instant and the dump's own "now", else nothing.
    #[test]
    fn resolve_takes_the_first_rule_that_applies() {
        let local = |s: &str| LocalTime::parse(s.as_bytes()).expect("parses").0;
        let t = local("2021-01-11 16:01:05.086");
        let cap = 1_610_352_065_086 + 60_000; // one minute after the event, in UTC
        let zone = jiff::tz::TimeZone::get("Asia/Shanghai").expect("tzdb has Asia/Shanghai");
        let full = CaptureContext {
            captured_at_utc_ms: Some(cap),
            zone: Some(zone),
            dump_time_local: Some(local("2021-01-11 16:02:05.086")),
            dump_time_nearest_relative_ms: Some(-60_000),
            dump_time_other_pairs: Vec::new(),
        };
        assert_eq!(full.resolve(Some(t), Some(-60_000)), Some((1_610_352_065_086, TimeBasis::LocalWithZone)));
        let no_zone = CaptureContext { zone: None, ..full.clone() };
        // The relative time says 61 s before the capture (the capture is read just before the dump starts).
        assert_eq!(no_zone.resolve(Some(t), Some(-61_000)), Some((cap - 61_000, TimeBasis::CaptureRelative)));
        assert_eq!(no_zone.resolve(None, Some(-61_000)), Some((cap - 61_000, TimeBasis::CaptureRelative)));
        // A discrete access (a local time only): shifted by capture − the dump's local now (UTC+8 here).
        assert_eq!(no_zone.resolve(Some(t), None), Some((1_610_352_065_086, TimeBasis::LocalWithInferredOffset)));
        let nothing = CaptureContext { captured_at_utc_ms: None, ..no_zone };
        assert_eq!(nothing.resolve(Some(t), Some(-61_000)), None);
        assert_eq!(nothing.resolve(Some(t), None), None);
    }
}
