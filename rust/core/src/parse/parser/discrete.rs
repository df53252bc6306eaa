//! The discrete-access section (`Discrete accesses:`): its XML-registry text form and its `UID|PACKAGE_NAME|…`
//! table form, with their own uid, package, op and tag context.

use super::{Parser, Section, SectionCursor};
use crate::model::{DiscreteRef, Visitor};
use crate::parse::grammar::{self, trim};
use crate::time::LocalTime;

/// Column positions of the SQLite tables (`UID|PACKAGE_NAME|…`), read from their header line: discrete accesses, one
/// per row, or (with `ACCESS_COUNTS`) the newest history's counts per bucket.
#[derive(Default, Clone, Copy)]
pub(super) struct TableColumns {
    uid: Option<usize>,
    package: Option<usize>,
    device: Option<usize>,
    op: Option<usize>,
    tag: Option<usize>,
    state: Option<usize>,
    flags: Option<usize>,
    attr_flags: Option<usize>,
    chain: Option<usize>,
    time: Option<usize>,
    duration: Option<usize>,
    pub(super) access_count: Option<usize>,
    pub(super) reject_count: Option<usize>,
    /// How many columns the header names: a row with fewer was cut.
    columns: usize,
}

/// Sets the uid, package or device a heading names.
type SetName = fn(&mut SectionCursor, &str);

impl<V: Visitor> Parser<V> {
    pub(super) fn discrete_line(&mut self, t: &str) {
        // The headings that name one thing: a uid, a package, and from Android 15 the device of an op's accesses
        // (`default:0` for the phone itself). OEM words after the name (`Uid: 10123 (x)`) are left out, as in the op
        // state. A heading with no name at all still ends the one before it: the accesses below it are not that uid's,
        // package's or device's.
        let named: [(&str, SetName); 3] = [
            ("Uid:", SectionCursor::set_uid),
            ("Package:", SectionCursor::set_package),
            ("Device:", SectionCursor::set_device),
        ];
        for (heading, set) in named {
            if let Some(rest) = t.strip_prefix(heading) {
                let name = first_word(rest);
                set(&mut self.sec, name);
                if name.is_empty() {
                    self.unrecognised();
                }
                return;
            }
        }
        // The whole rest: a tag is the app's own text, may hold blanks, and nothing ends it, so OEM words after it
        // cannot be told from it.
        if let Some(rest) = t.strip_prefix("Attribution:") {
            self.sec.set_tag(trim(rest));
            return;
        }
        // Only accesses: the registry records no rejects, and a `Reject` line some build printed here must not be
        // counted as an access (it is counted as unrecognised instead).
        if let Some(rest) = t.strip_prefix("Access ") {
            self.discrete_access(rest);
            return;
        }
        if self.table_line(t) {
            return;
        }
        if t.starts_with("Largest chain id") {
            return;
        }
        if grammar::is_op_name(t) {
            self.sec.set_op(t);
            return;
        }
        if t.starts_with("Uid ") && t.ends_with(':') {
            // A per-uid op-state block after the discrete dump (newest layouts).
            self.section = Section::Main;
            self.main_line(t);
            return;
        }
        // AOSP prints the op as a bare name, so a line ending with `:` is some other heading (an OEM note). A single
        // word, or a line that starts with an op's capitals, is an op's line: with OEM words (`RECORD_AUDIO (oem)`),
        // or a name that is no op name (`camera_oem`): the op before the words when it is surely one, else none, so
        // that the accesses below are not charged to the op before it.
        let first = &t[..grammar::pos_ws(t)];
        if !t.ends_with(':') {
            if is_op_before_words(first) {
                self.sec.set_op(first);
                return;
            }
            if is_capitals(first) || first.len() == t.len() {
                self.sec.set_op("");
            }
        }
        self.unrecognised();
    }

    /// `Access [top-s] at 2021-06-01 12:00:00.000 for 60000 milliseconds  attribution flags=N with chainId=M`
    fn discrete_access(&mut self, rest: &str) {
        if self.sec.op.is_empty() {
            self.unrecognised();
            return;
        }
        let Some(r) = rest.trim_start().strip_prefix('[') else {
            self.unrecognised();
            return;
        };
        let Some(close) = r.find(']') else {
            self.unrecognised();
            return;
        };
        let (uid_state, flags) = grammar::split_key(&r[..close]);
        let after = trim(&r[close + 1..]);
        let after = after.strip_prefix("at").map(trim).unwrap_or(after);
        let Some((time_local, used)) = LocalTime::parse(after.as_bytes()) else {
            self.unrecognised();
            return;
        };
        let tail = &after[used..];
        let duration_ms =
            tail.find("for ").and_then(|p| tail[p + 4..].split_whitespace().next()).and_then(|n| n.parse::<i64>().ok());
        let attribution_flags = number_after(tail, "attribution flags=");
        let chain_id = number_after(tail, "chainId=");
        let proxy = tail.find("proxy[").and_then(|p| {
            let body = &tail[p + 6..];
            body.rfind(']').map(|c| grammar::parse_proxy_body(&body[..c]))
        });
        let access = DiscreteRef {
            uid: self.sec.uid(),
            package: self.sec.package(),
            op: &self.sec.op,
            attribution_tag: self.sec.tag(),
            uid_state,
            flags,
            time_local: Some(time_local),
            time_utc_ms: None,
            duration_ms,
            proxy,
            device_id: self.sec.device(),
            attribution_flags,
            chain_id,
        };
        self.visitor.discrete(&access);
    }

    /// A `UID|…` table's header (its columns are kept) or one of its rows, in the discrete or the history section.
    /// Returns whether `t` was one.
    pub(super) fn table_line(&mut self, t: &str) -> bool {
        if t.starts_with("UID|") {
            self.columns = Some(table_columns(t));
            return true;
        }
        match self.columns {
            Some(cols) if t.contains('|') => {
                self.table_row(cols, t);
                true
            }
            _ => false,
        }
    }

    /// A row of a `UID|…` table: a discrete access, or with access counts a history entry.
    fn table_row(&mut self, cols: TableColumns, t: &str) {
        let mut fields: [&str; 32] = [""; 32];
        let count = t.split('|').count();
        // AOSP prints the attribution tag, the one column an app writes, as it is: a tag holding `|` (Android limits
        // only its length) splits into more fields than the header names. They are the tag's, joined back, so that
        // an app cannot move its own row's state, time or counts into other columns.
        let extra = count.saturating_sub(cols.columns);
        let tag = match (extra, cols.tag) {
            (0, _) => None,
            (_, Some(tag)) => Some(tag),
            (_, None) => {
                self.unrecognised();
                return;
            }
        };
        // Where each field ends: at a `|`, or at the end of the row; the tag's field ends `extra` bars later.
        let mut ends = t.match_indices('|').map(|(at, _)| at).chain(std::iter::once(t.len()));
        let mut start = 0;
        for (i, slot) in fields.iter_mut().enumerate() {
            let skip = if tag == Some(i) { extra } else { 0 };
            let Some(end) = ends.nth(skip) else { break };
            *slot = trim(&t[start..end]);
            start = end + 1;
        }
        // A row with fewer fields than its header, or a time that is neither a local time nor an instant, was cut.
        let key = (count >= cols.columns).then(|| row_key(&cols, &fields)).flatten();
        let Some(key) = key else {
            self.unrecognised();
            return;
        };
        if cols.access_count.is_some() {
            self.history_row(&cols, &fields, &key);
        } else {
            self.discrete_row(&cols, &fields, &key);
        }
    }

    fn discrete_row(&mut self, cols: &TableColumns, fields: &[&str], key: &RowKey<'_>) {
        let get = |i| field(fields, i);
        let access = DiscreteRef {
            uid: key.uid,
            package: key.package,
            op: key.op,
            attribution_tag: key.attribution_tag,
            uid_state: key.uid_state,
            flags: key.flags,
            time_local: key.time_local,
            time_utc_ms: key.time_utc_ms,
            duration_ms: key.duration_ms,
            proxy: None,
            device_id: get(cols.device),
            attribution_flags: get(cols.attr_flags).and_then(|v| v.parse().ok()),
            chain_id: get(cols.chain).and_then(|v| v.parse().ok()),
        };
        self.visitor.discrete(&access);
    }
}

/// What every row of a `UID|…` table says, discrete access or history counts: whose access, of which op, in which
/// uid state and flags, when, and for how long (`None` for -1).
pub(super) struct RowKey<'a> {
    pub(super) uid: Option<&'a str>,
    pub(super) package: Option<&'a str>,
    pub(super) op: &'a str,
    pub(super) attribution_tag: Option<&'a str>,
    pub(super) uid_state: Option<&'a str>,
    pub(super) flags: &'a str,
    pub(super) time_local: Option<LocalTime>,
    /// A bare integer time: an epoch-millisecond instant (UTC), not a wall-clock time.
    time_utc_ms: Option<i64>,
    pub(super) duration_ms: Option<i64>,
}

/// The field of column `i`, when the header names it and the row fills it.
pub(super) fn field<'a>(fields: &[&'a str], i: Option<usize>) -> Option<&'a str> {
    i.and_then(|i| fields.get(i).copied()).filter(|s| !s.is_empty())
}

/// The [`RowKey`] of a row; `None` when its op is no op name or its time (when the header names one) is unreadable.
fn row_key<'a>(cols: &TableColumns, fields: &[&'a str]) -> Option<RowKey<'a>> {
    let get = |i| field(fields, i);
    let op = get(cols.op).filter(|op| grammar::is_op_name(op))?;
    let (time_local, time_utc_ms) = match cols.time {
        None => (None, None),
        Some(_) => {
            let time = get(cols.time)?;
            match LocalTime::parse(time.as_bytes()) {
                Some((t, used)) if used == time.len() => (Some(t), None),
                _ => (None, Some(time.parse::<i64>().ok()?)),
            }
        }
    };
    Some(RowKey {
        uid: get(cols.uid),
        package: get(cols.package).and_then(grammar::null_to_none),
        op,
        attribution_tag: get(cols.tag).and_then(grammar::null_to_none),
        uid_state: get(cols.state),
        flags: get(cols.flags).unwrap_or(""),
        time_local,
        time_utc_ms,
        duration_ms: get(cols.duration).and_then(|d| d.parse().ok()).filter(|d: &i64| *d >= 0),
    })
}

fn table_columns(header: &str) -> TableColumns {
    let mut cols = TableColumns { columns: header.split('|').count(), ..TableColumns::default() };
    for (i, name) in header.split('|').enumerate() {
        let slot = match trim(name) {
            "UID" => &mut cols.uid,
            "PACKAGE_NAME" => &mut cols.package,
            "DEVICE_ID" => &mut cols.device,
            "OP_NAME" | "OP_CODE" => &mut cols.op,
            "ATTRIBUTION_TAG" => &mut cols.tag,
            "UID_STATE" => &mut cols.state,
            "OP_FLAGS" => &mut cols.flags,
            "ATTR_FLAGS" | "ATTRIBUTION_FLAGS" => &mut cols.attr_flags,
            "CHAIN_ID" | "ATTRIBUTION_CHAIN_ID" => &mut cols.chain,
            "ACCESS_TIME" => &mut cols.time,
            "DURATION" | "ACCESS_DURATION" => &mut cols.duration,
            "ACCESS_COUNTS" => &mut cols.access_count,
            "REJECT_COUNTS" => &mut cols.reject_count,
            _ => continue,
        };
        *slot = Some(i);
    }
    cols
}

fn number_after(s: &str, key: &str) -> Option<i64> {
    let p = s.find(key)?;
    let digits: &str = s[p + key.len()..].split(|c: char| !(c.is_ascii_digit() || c == '-')).next()?;
    digits.parse().ok()
}

/// The first blank-separated word of `s`.
fn first_word(s: &str) -> &str {
    let s = trim(s);
    &s[..grammar::pos_ws(s)]
}

/// Whether `word`, with OEM words after it, surely names an op: one the catalog knows, or an OEM's numbered op (`10008`,
/// `MIUIOP(10008)`, `Unknown(120)`), which no catalog lists. Another word is not taken for one: an OEM's own line
/// (`TOTAL: 3`, `OEM note`) would become an op that never was.
pub(super) fn is_op_before_words(word: &str) -> bool {
    let numbered = word.len() <= 96
        && (word.bytes().all(|c| c.is_ascii_digit()) || grammar::is_op_name(word) && word.ends_with(')'));
    !word.is_empty() && (numbered || crate::ops::lookup(word).is_some())
}

/// `[A-Z_][A-Z0-9_]*`: how AOSP prints an op name, and not a word of an English sentence (`Reject`, `Largest`).
fn is_capitals(word: &str) -> bool {
    word.bytes().next().is_some_and(|c| c.is_ascii_uppercase() || c == b'_')
        && grammar::usual_name_end(word.as_bytes()).is_none()
}
