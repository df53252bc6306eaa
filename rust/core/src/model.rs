//! The typed snapshot a dump parses into, and the borrowed records the streaming parser emits.
//!
//! Two shapes of the same data:
//! - [`Visitor`] receives borrowed records one line at a time; nothing is kept unless the visitor keeps it.
//!   Ingest and summaries use it so memory does not grow with the input.
//! - [`Snapshot`] is the owned, nested tree (uid → package → op → events) built by a visitor.
//!
//! Every string is kept as printed (op names, uid states, flags, modes): unknown OEM values are data, not errors.

use serde::Serialize;

use crate::time::{CaptureContext, LocalTime, TimeBasis};

/// Which text layout the parser recognised. Detected from content, never from indentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Dialect {
    /// Nothing recognisable (empty input, garbage, or only headers).
    #[default]
    Unknown,
    /// `dumpsys appops` of Android 4.4–8.1: `OP: mode=0; time=+1m ago; duration=+5ms`.
    DumpsysLegacy,
    /// Android 9: per-uid-state lines `Access: top   = <abs> (<rel>)`.
    DumpsysPie,
    /// Android 10: `[state-flags]` keys, no attribution blocks.
    DumpsysQ,
    /// Android 11–16: attribution blocks `tag=[ … ]`.
    DumpsysAttributed,
    /// Newest sectioned layout (`AppOps Service state:`, `AppOps Uid Op State`).
    DumpsysSectioned,
    /// `appops get` / `cmd appops get` output.
    AppopsGet,
    /// Only a `Discrete accesses:` section (no per-uid op state).
    DiscreteOnly,
    /// Only an aggregated `--history` section.
    HistoryOnly,
}

impl Dialect {
    /// Whether events of this dialect carry only relative ("ago") times.
    pub fn relative_only(self) -> bool {
        matches!(self, Dialect::DumpsysLegacy | Dialect::AppopsGet)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Dialect::Unknown => "unknown",
            Dialect::DumpsysLegacy => "dumpsys_legacy",
            Dialect::DumpsysPie => "dumpsys_pie",
            Dialect::DumpsysQ => "dumpsys_q",
            Dialect::DumpsysAttributed => "dumpsys_attributed",
            Dialect::DumpsysSectioned => "dumpsys_sectioned",
            Dialect::AppopsGet => "appops_get",
            Dialect::DiscreteOnly => "discrete_only",
            Dialect::HistoryOnly => "history_only",
        }
    }
}

/// Access (the op was used) or reject (an attempt was denied).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    Access,
    Reject,
}

/// The app that performed an access on behalf of the one charged with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Proxy {
    /// Proxy uid as printed (`uid=10070`); `None` if absent or unparsable.
    pub uid: Option<i64>,
    /// Proxy package; `None` for `pkg=null`.
    pub package: Option<String>,
    /// Proxy attribution tag (`attributionTag=` or the Android 11 preview's `feature=`); `None` for `null`.
    pub attribution_tag: Option<String>,
}

/// Borrowed proxy info as it appears on one line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProxyRef<'a> {
    pub uid: Option<i64>,
    pub package: Option<&'a str>,
    pub attribution_tag: Option<&'a str>,
}

impl ProxyRef<'_> {
    pub fn to_owned(&self) -> Proxy {
        Proxy {
            uid: self.uid,
            package: self.package.map(str::to_owned),
            attribution_tag: self.attribution_tag.map(str::to_owned),
        }
    }
}

/// One `Access:`/`Reject:` observation (or `time=`/`rejectTime=` in the relative-only dialects).
/// Fields a dialect does not print are `None`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventRef<'a> {
    pub kind: EventKind,
    /// Uid state as printed (`top`, `fgsvc`, `bg`, `cch`, `pers`, OEM values…), trimmed.
    pub uid_state: Option<&'a str>,
    /// Op flags as printed, `|`-separated (`s`, `tp|tpd`…); empty when the dialect has none.
    pub flags: &'a str,
    /// Attribution tag; `None` for the default attribution (`null=[`) and dialects without tags.
    pub attribution_tag: Option<&'a str>,
    /// Absolute device-local wall-clock time, as printed.
    pub time_local: Option<LocalTime>,
    /// Milliseconds relative to the dump (negative: before it).
    pub relative_ms: Option<i64>,
    pub duration_ms: Option<i64>,
    pub proxy: Option<ProxyRef<'a>>,
}

/// An op header line in a package: `READ_CONTACTS (allow):`, `FINE_LOCATION (allow / switch COARSE_LOCATION=allow):`,
/// or the legacy/`appops get` line that carries its own times.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpRef<'a> {
    pub op: &'a str,
    /// Mode as printed (`allow`, `ignore`, `deny`, `default`, `foreground`, `0`, `mode=5`…).
    pub mode: Option<&'a str>,
    pub switch_op: Option<&'a str>,
    pub switch_mode: Option<&'a str>,
}

/// Where the parser is when it emits a record: the enclosing uid, package and op.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Context<'a> {
    /// Uid as printed (`u0a103`, `1000`); `None` before any `Uid` line (excerpts, `appops get`).
    pub uid: Option<&'a str>,
    pub package: Option<&'a str>,
    pub op: Option<&'a str>,
}

/// `Running start at: +5s` (an op in progress) inside an op or attribution block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunningRef<'a> {
    pub attribution_tag: Option<&'a str>,
    /// The printed duration: how long ago, on the elapsed-realtime clock, the op started (positive).
    pub started_ago_ms: Option<i64>,
    /// `duration=` printed with the running marker (`appops get`'s `(running); duration=`).
    pub duration_ms: Option<i64>,
}

/// One individual access from `Discrete accesses:` (XML registry text or the SQLite table form).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DiscreteRef<'a> {
    /// Uid as printed (the discrete dump prints a raw integer).
    pub uid: Option<&'a str>,
    pub package: Option<&'a str>,
    pub op: &'a str,
    pub attribution_tag: Option<&'a str>,
    pub uid_state: Option<&'a str>,
    pub flags: &'a str,
    pub time_local: Option<LocalTime>,
    /// Epoch milliseconds, when the table form prints an instant instead of a wall-clock time.
    pub time_utc_ms: Option<i64>,
    pub duration_ms: Option<i64>,
    pub proxy: Option<ProxyRef<'a>>,
    /// Device id (`default`) in the SQLite table form.
    pub device_id: Option<&'a str>,
    pub attribution_flags: Option<i64>,
    pub chain_id: Option<i64>,
}

/// The time window a `--history` snapshot covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct HistoryWindowRef {
    pub begin_local: Option<LocalTime>,
    pub begin_relative_ms: Option<i64>,
    pub end_local: Option<LocalTime>,
    pub end_relative_ms: Option<i64>,
}

/// One `[state-flags] = access=N, reject=N, duration=+5s` aggregate line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HistoryEntryRef<'a> {
    pub window: HistoryWindowRef,
    pub uid: Option<&'a str>,
    pub package: Option<&'a str>,
    pub op: &'a str,
    pub attribution_tag: Option<&'a str>,
    pub uid_state: Option<&'a str>,
    pub flags: &'a str,
    pub access_count: u64,
    pub reject_count: u64,
    pub duration_ms: i64,
}

/// Receives what the streaming parser recognises, in input order. Every method has an empty default.
///
/// Borrowed values live only for the call; copy what must outlive it.
pub trait Visitor {
    /// A `Uid X:` header. `uid` is as printed.
    fn uid(&mut self, _uid: &str) {}
    /// A uid property line (`state=bg`, `capability=LCMN`, `startNesting=2`…), trimmed.
    fn uid_prop(&mut self, _ctx: &Context<'_>, _key: &str, _value: &str) {}
    /// A uid-level mode (`COARSE_LOCATION: mode=ignore`, or `Uid mode: X: foreground` in `appops get`).
    fn uid_mode(&mut self, _ctx: &Context<'_>, _op: &str, _mode: &str) {}
    /// A `Package P:` header.
    fn package(&mut self, _ctx: &Context<'_>, _package: &str) {}
    /// An op header.
    fn op(&mut self, _ctx: &Context<'_>, _op: &OpRef<'_>) {}
    /// An access or reject observation of the current op.
    fn event(&mut self, _ctx: &Context<'_>, _event: &EventRef<'_>) {}
    /// `Running start at:` of the current op.
    fn running(&mut self, _ctx: &Context<'_>, _running: &RunningRef<'_>) {}
    /// Android 9's `duration=` line: the duration of the op's most recent access (one value per op, not per state).
    fn op_duration(&mut self, _ctx: &Context<'_>, _attribution_tag: Option<&str>, _duration_ms: i64) {}
    /// `startNesting=N` of the current op.
    fn start_nesting(&mut self, _ctx: &Context<'_>, _attribution_tag: Option<&str>, _nesting: u32) {}
    /// A discrete access.
    fn discrete(&mut self, _access: &DiscreteRef<'_>) {}
    /// A history window begins (`begin = … / end = …` seen).
    fn history_window(&mut self, _window: &HistoryWindowRef) {}
    /// One aggregate history entry.
    fn history(&mut self, _entry: &HistoryEntryRef<'_>) {}
    /// The device's time zone, as a whole bugreport states it before its appops section ([`ParseSummary::device_zone`]).
    fn device_zone(&mut self, _zone: &str) {}
}

/// A visitor lent out: the parser owns its visitor, and callers that keep theirs pass `&mut` it.
impl<V: Visitor + ?Sized> Visitor for &mut V {
    fn uid(&mut self, uid: &str) {
        (**self).uid(uid);
    }
    fn uid_prop(&mut self, ctx: &Context<'_>, key: &str, value: &str) {
        (**self).uid_prop(ctx, key, value);
    }
    fn uid_mode(&mut self, ctx: &Context<'_>, op: &str, mode: &str) {
        (**self).uid_mode(ctx, op, mode);
    }
    fn package(&mut self, ctx: &Context<'_>, package: &str) {
        (**self).package(ctx, package);
    }
    fn op(&mut self, ctx: &Context<'_>, op: &OpRef<'_>) {
        (**self).op(ctx, op);
    }
    fn event(&mut self, ctx: &Context<'_>, event: &EventRef<'_>) {
        (**self).event(ctx, event);
    }
    fn running(&mut self, ctx: &Context<'_>, running: &RunningRef<'_>) {
        (**self).running(ctx, running);
    }
    fn op_duration(&mut self, ctx: &Context<'_>, attribution_tag: Option<&str>, duration_ms: i64) {
        (**self).op_duration(ctx, attribution_tag, duration_ms);
    }
    fn start_nesting(&mut self, ctx: &Context<'_>, attribution_tag: Option<&str>, nesting: u32) {
        (**self).start_nesting(ctx, attribution_tag, nesting);
    }
    fn discrete(&mut self, access: &DiscreteRef<'_>) {
        (**self).discrete(access);
    }
    fn history_window(&mut self, window: &HistoryWindowRef) {
        (**self).history_window(window);
    }
    fn history(&mut self, entry: &HistoryEntryRef<'_>) {
        (**self).history(entry);
    }
    fn device_zone(&mut self, zone: &str) {
        (**self).device_zone(zone);
    }
}

/// An owned access/reject event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Event {
    pub kind: EventKind,
    pub uid_state: Option<String>,
    pub flags: Vec<String>,
    pub attribution_tag: Option<String>,
    pub time_local: Option<LocalTime>,
    pub relative_ms: Option<i64>,
    pub duration_ms: Option<i64>,
    pub proxy: Option<Proxy>,
    /// UTC epoch milliseconds, once [`Snapshot::resolve_times`] has been given what is known of the capture.
    pub utc_ms: Option<i64>,
    /// Which rule gave `utc_ms` (docs/time.md).
    pub time_basis: Option<TimeBasis>,
}

impl Event {
    pub fn from_ref(e: &EventRef<'_>) -> Self {
        Event {
            kind: e.kind,
            uid_state: e.uid_state.map(str::to_owned),
            flags: split_flags(e.flags),
            attribution_tag: e.attribution_tag.map(str::to_owned),
            time_local: e.time_local,
            relative_ms: e.relative_ms,
            duration_ms: e.duration_ms,
            proxy: e.proxy.map(|p| p.to_owned()),
            utc_ms: None,
            time_basis: None,
        }
    }
}

/// Splits a printed flags field (`tp|tpd`) into its parts.
pub fn split_flags(flags: &str) -> Vec<String> {
    flags.split('|').map(str::trim).filter(|f| !f.is_empty()).map(str::to_owned).collect()
}

/// An op in progress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Running {
    pub attribution_tag: Option<String>,
    pub started_ago_ms: Option<i64>,
    pub duration_ms: Option<i64>,
}

/// One op of one package, with everything observed for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpEntry {
    pub op: String,
    pub mode: Option<String>,
    pub switch_op: Option<String>,
    pub switch_mode: Option<String>,
    pub events: Vec<Event>,
    pub running: Vec<Running>,
    /// Android 9's per-op `duration=` line (the most recent access's duration).
    pub last_duration_ms: Option<i64>,
    /// `startNesting=` values, per attribution tag.
    pub start_nesting: Vec<(Option<String>, u32)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Package {
    /// `None` for `appops get` output, which never names the package it was asked about.
    pub package: Option<String>,
    pub ops: Vec<OpEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UidMode {
    pub op: String,
    pub mode: String,
}

/// A `Uid X:` block, or the implicit block of an excerpt or `appops get` output (`uid: None`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UidBlock {
    /// As printed (`u0a103`, `1000`), `None` when the input never named it.
    pub uid: Option<String>,
    /// Decoded numeric uid (`u0a103` → 10103, `u10a5` → 1010005), when the printed form allows.
    pub uid_number: Option<u32>,
    /// Every `key=value` property line of the uid (state, capability, appWidgetVisible, pending…).
    pub props: Vec<(String, String)>,
    pub modes: Vec<UidMode>,
    pub packages: Vec<Package>,
}

/// Decodes `UserHandle.formatUid` output: `1000`, `u0a103` (→ 10103), `u10a5`, `u0i7` (isolated),
/// `u0ai7` (app-zygote isolated), `u0s1000` (system uid of a user).
pub fn decode_uid(printed: &str) -> Option<u32> {
    const PER_USER: u32 = 100_000;
    if let Ok(n) = printed.parse::<u32>() {
        return Some(n);
    }
    let rest = printed.strip_prefix('u')?;
    let split = rest.find(|c: char| !c.is_ascii_digit())?;
    let user: u32 = rest[..split].parse().ok()?;
    let tail = &rest[split..];
    let (base, num) = if let Some(n) = tail.strip_prefix("ai") {
        (90_000, n)
    } else if let Some(n) = tail.strip_prefix('a') {
        (10_000, n)
    } else if let Some(n) = tail.strip_prefix('i') {
        (99_000, n)
    } else if let Some(n) = tail.strip_prefix('s') {
        (0, n)
    } else {
        return None;
    };
    let app: u32 = num.parse().ok()?;
    user.checked_mul(PER_USER)?.checked_add(base)?.checked_add(app)
}

impl UidBlock {
    pub fn prop(&self, key: &str) -> Option<&str> {
        self.props.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }
}

/// One `Discrete accesses:` entry: an access event, with the keys of [`Event`] so that JSON readers treat both alike.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DiscreteAccess {
    pub uid: Option<String>,
    pub package: Option<String>,
    pub op: String,
    /// Always [`EventKind::Access`]: the discrete history records accesses only.
    pub kind: EventKind,
    pub attribution_tag: Option<String>,
    pub uid_state: Option<String>,
    pub flags: Vec<String>,
    pub time_local: Option<LocalTime>,
    /// Always `None`: neither discrete form prints a time relative to the dump.
    pub relative_ms: Option<i64>,
    pub time_utc_ms: Option<i64>,
    pub duration_ms: Option<i64>,
    pub proxy: Option<Proxy>,
    pub device_id: Option<String>,
    pub attribution_flags: Option<i64>,
    pub chain_id: Option<i64>,
    pub utc_ms: Option<i64>,
    pub time_basis: Option<TimeBasis>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HistoryEntry {
    pub uid: Option<String>,
    pub package: Option<String>,
    pub op: String,
    pub attribution_tag: Option<String>,
    pub uid_state: Option<String>,
    pub flags: Vec<String>,
    pub access_count: u64,
    pub reject_count: u64,
    pub duration_ms: i64,
}

/// One aggregated `--history` window with its entries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HistoryWindow {
    #[serde(flatten)]
    pub window: HistoryWindowRef,
    /// The window's ends in UTC epoch milliseconds, by the same rule as events' ([`Snapshot::resolve_times`]).
    pub begin_utc_ms: Option<i64>,
    pub end_utc_ms: Option<i64>,
    /// The rule that gave `begin_utc_ms` (or `end_utc_ms` when only that end is known).
    pub time_basis: Option<TimeBasis>,
    pub entries: Vec<HistoryEntry>,
}

impl HistoryWindow {
    /// A window with no entries yet and its UTC ends not yet resolved ([`Snapshot::resolve_times`]).
    pub fn new(window: HistoryWindowRef) -> Self {
        HistoryWindow { window, begin_utc_ms: None, end_utc_ms: None, time_basis: None, entries: Vec::new() }
    }
}

/// What the parser noticed about the input as a whole.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ParseSummary {
    pub dialect: Dialect,
    /// The appops section was cut out of a bugreport / androidqf `dumpsys.txt`.
    pub embedded: bool,
    /// The input ended mid-line or inside an open block.
    pub truncated: bool,
    /// The dump's own "now" (device-local), inferred from absolute+relative pairs.
    pub dump_time_local: Option<LocalTime>,
    /// How many absolute+relative pairs agreed on `dump_time_local`.
    pub dump_time_votes: u64,
    /// The relative time of the pair that decided `dump_time_local`: with the device's zone, the dump's "now" is
    /// that pair's instant minus it, exactly, even across a DST change between the two.
    pub dump_time_nearest_relative_ms: Option<i64>,
    /// The nearest pair of each other "now" the dump's pairs imply (local time, relative time, pairs implying that
    /// "now"): with the zone they tell which of its two instants the deciding pair is, when its local time lies in a
    /// fall-back's repeated hour (docs/time.md). Not part of the JSON.
    #[serde(skip)]
    pub dump_time_other_pairs: Vec<(LocalTime, i64, u64)>,
    pub lines: u64,
    pub bytes: u64,
    /// Non-UTF-8 lines read lossily.
    pub lossy_lines: u64,
    /// Lines inside the appops section that matched no rule (kept out of the snapshot, counted).
    pub unrecognised_lines: u64,
    /// Event lines read with words skipped that are none of their known fields (OEM additions, such as a vendor's
    /// `extra=1` after the relative time): the event is kept, those words are not.
    pub event_lines_with_unread_words: u64,
    pub has_discrete: bool,
    pub has_history: bool,
    /// The device's time zone as a whole bugreport states it before its appops section (`[persist.sys.timezone]`
    /// in its system properties), as printed: the zone its times are read in when none is given
    /// ([`Snapshot::resolve_times`], and ingest).
    pub device_zone: Option<String>,
    /// When dumpstate started a whole bugreport (its `== dumpstate: 2022-03-29 23:27:55` header), device local, to
    /// the second. Shown, not used to date anything: its appops section is printed seconds to minutes later.
    pub report_start_local: Option<LocalTime>,
}

impl ParseSummary {
    /// Gives `ctx` the dump's own "now" and the pairs it was inferred from.
    pub fn give_dump_time(&self, ctx: &mut CaptureContext) {
        ctx.dump_time_local = self.dump_time_local;
        ctx.dump_time_nearest_relative_ms = self.dump_time_nearest_relative_ms;
        ctx.dump_time_other_pairs.clone_from(&self.dump_time_other_pairs);
    }
}

impl Snapshot {
    /// Fills `utc_ms` and `time_basis` of every event, discrete access and history window from what is known of the capture
    /// (the rule is [`CaptureContext::resolve`]; the dump's inferred local "now" is taken from this snapshot; the
    /// device's zone too when `capture` has none and the dump states one that the time zone database knows). Returns
    /// the zone that dated them, if any.
    pub fn resolve_times(&mut self, capture: &CaptureContext) -> Option<jiff::tz::TimeZone> {
        let mut ctx = capture.clone();
        if ctx.zone.is_none() {
            ctx.zone = self.summary.device_zone.as_deref().and_then(crate::time::known_zone);
        }
        if ctx.dump_time_local.is_none() {
            self.summary.give_dump_time(&mut ctx);
        }
        for event in
            self.uids.iter_mut().flat_map(|u| &mut u.packages).flat_map(|p| &mut p.ops).flat_map(|o| &mut o.events)
        {
            if let Some((utc, basis)) = ctx.resolve(event.time_local, event.relative_ms) {
                event.utc_ms = Some(utc);
                event.time_basis = Some(basis);
            }
        }
        for h in &mut self.history {
            let begin = ctx.resolve(h.window.begin_local, h.window.begin_relative_ms);
            let end = ctx.resolve(h.window.end_local, h.window.end_relative_ms);
            h.begin_utc_ms = begin.map(|r| r.0);
            h.end_utc_ms = end.map(|r| r.0);
            h.time_basis = begin.or(end).map(|r| r.1);
        }
        for d in &mut self.discrete {
            let resolved = match d.time_utc_ms {
                Some(utc) => Some((utc, TimeBasis::Printed)),
                None => ctx.resolve(d.time_local, None),
            };
            if let Some((utc, basis)) = resolved {
                d.utc_ms = Some(utc);
                d.time_basis = Some(basis);
            }
        }
        ctx.zone
    }
}

/// A parsed dump: everything recognised, owned.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Snapshot {
    #[serde(flatten)]
    pub summary: ParseSummary,
    pub uids: Vec<UidBlock>,
    pub discrete: Vec<DiscreteAccess>,
    pub history: Vec<HistoryWindow>,
}

impl Serialize for OpEntry {
    /// Each event repeats its op name, so an event object read on its own is complete (docs/json.md).
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;

        #[derive(Serialize)]
        struct WithOp<'a> {
            op: &'a str,
            #[serde(flatten)]
            event: &'a Event,
        }

        #[derive(Serialize)]
        struct Nesting<'a> {
            attribution_tag: &'a Option<String>,
            start_nesting: u32,
        }

        let events: Vec<WithOp<'_>> = self.events.iter().map(|event| WithOp { op: &self.op, event }).collect();
        let nesting: Vec<Nesting<'_>> =
            self.start_nesting.iter().map(|(tag, n)| Nesting { attribution_tag: tag, start_nesting: *n }).collect();
        let mut st = s.serialize_struct("OpEntry", 10)?;
        st.serialize_field("op", &self.op)?;
        // From the op catalog (docs/op-catalog.md): what the op exposes, with the identifiers used everywhere.
        st.serialize_field("info_type", crate::ops::info_type(&self.op).as_str())?;
        st.serialize_field("permission_group", &crate::ops::lookup(&self.op).and_then(|info| info.permission_group))?;
        st.serialize_field("mode", &self.mode)?;
        st.serialize_field("switch_op", &self.switch_op)?;
        st.serialize_field("switch_mode", &self.switch_mode)?;
        st.serialize_field("events", &events)?;
        st.serialize_field("running", &self.running)?;
        st.serialize_field("last_duration_ms", &self.last_duration_ms)?;
        st.serialize_field("start_nesting", &nesting)?;
        st.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DIALECTS: [Dialect; 9] = [
        Dialect::Unknown,
        Dialect::DumpsysLegacy,
        Dialect::DumpsysPie,
        Dialect::DumpsysQ,
        Dialect::DumpsysAttributed,
        Dialect::DumpsysSectioned,
        Dialect::AppopsGet,
        Dialect::DiscreteOnly,
        Dialect::HistoryOnly,
    ];

    /// The name the summary and the store print is the one the JSON carries.
    #[test]
    fn dialect_names_are_their_json_names() {
        for d in DIALECTS {
            assert_eq!(serde_json::to_value(d).ok(), Some(serde_json::Value::from(d.as_str())), "{d:?}");
        }
    }

    /// Only Android 8.1 and older and `appops get` print relative times alone (docs/time.md): their events can be
    /// dated only from a capture instant.
    #[test]
    fn relative_only_dialects() {
        let relative: Vec<Dialect> = DIALECTS.into_iter().filter(|d| d.relative_only()).collect();
        assert_eq!(relative, vec![Dialect::DumpsysLegacy, Dialect::AppopsGet]);
    }
}
