//! The generator: plans one uid block at a time, renders it, writes it out.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::io;

use crate::catalog::{
    self, AppDef, Category, Mode, OpDef, ProxyClass, LEGACY_STORAGE, LEGACY_STORAGE_CODE, NO_ISOLATED_STORAGE,
    NO_ISOLATED_STORAGE_CODE,
};
use crate::rng::Rng;
use crate::time::{parse_local, push_duration, push_local};
use crate::{DumpSpec, GenStats, Layout};

const FLAG_S: u8 = 1;
const FLAG_TP: u8 = 2;
const FLAG_TPD: u8 = 8;

/// Uid states as `AppOpsManager.getUidStateName` prints them (A10+).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum UidState {
    Pers = 100,
    Top = 200,
    Fgsvc = 400,
    Fg = 500,
    Bg = 600,
    Cch = 700,
}

impl UidState {
    fn name(self) -> &'static str {
        match self {
            UidState::Pers => "pers",
            UidState::Top => "top",
            UidState::Fgsvc => "fgsvc",
            UidState::Fg => "fg",
            UidState::Bg => "bg",
            UidState::Cch => "cch",
        }
    }

    /// `ActivityManager.printCapabilitiesFull` (location, camera, microphone, network).
    fn capability(self) -> &'static str {
        match self {
            UidState::Pers | UidState::Top => "LCMN",
            UidState::Fgsvc | UidState::Fg => "---N",
            UidState::Bg | UidState::Cch => "----",
        }
    }
}

fn flags_name(flags: u8) -> &'static str {
    match flags {
        FLAG_S => "s",
        FLAG_TP => "tp",
        _ => "tpd",
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Key {
    state: UidState,
    flags: u8,
}

impl Key {
    /// Position in the dump: `collectKeys()` returns an `ArraySet<Long>`, ordered by
    /// `Long.hashCode()` of `(uidState << 31) | flags`.
    fn java_hash(self) -> i32 {
        let k = ((self.state as i64) << 31) | i64::from(self.flags);
        (k ^ (k >> 32)) as i32
    }
}

/// `String.hashCode()`; `ArrayMap` orders attribution tags by it (`null` hashes to 0).
fn java_string_hash(s: Option<&str>) -> i32 {
    s.map_or(0, |s| s.encode_utf16().fold(0i32, |h, c| h.wrapping_mul(31).wrapping_add(i32::from(c))))
}

#[derive(Debug)]
struct Proxy {
    uid: u32,
    pkg: &'static str,
    tag: Option<&'static str>,
}

#[derive(Debug)]
struct KeyEvents {
    key: Key,
    /// (relative ms, duration ms)
    access: Option<(i64, i64)>,
    reject: Option<i64>,
    proxy: Option<Proxy>,
}

#[derive(Debug)]
struct AttrBlock {
    tag: Option<&'static str>,
    keys: Vec<KeyEvents>,
    /// (elapsed since start, nesting)
    running: Option<(i64, u32)>,
}

#[derive(Debug)]
struct OpPlan {
    def: &'static OpDef,
    mode: Mode,
    switch_mode: Option<Mode>,
    blocks: Vec<AttrBlock>,
}

#[derive(Debug)]
struct PkgPlan {
    name: String,
    ops: Vec<OpPlan>,
}

#[derive(Debug)]
struct UidPlan {
    uid: u32,
    state: UidState,
    uid_modes: Vec<(&'static str, Mode)>,
    /// (op, WATCHER?)
    fg_ops: Vec<(&'static str, bool)>,
    start_nesting: u32,
    pkgs: Vec<PkgPlan>,
}

/// One app to plan: package names, what it does, the tags it may use.
struct AppChoice<'a> {
    packages: Vec<String>,
    category: Category,
    tags: &'a [&'static str],
    system: bool,
}

struct Generator<'s> {
    spec: &'s DumpSpec,
    rng: Rng,
    now: i64,
    max_code: u16,
    names: HashSet<String>,
    real_apps: Vec<&'static AppDef>,
    next_real: usize,
    name_counter: u32,
    stats: GenStats,
    buf: String,
}

pub(crate) fn generate(spec: &DumpSpec, out: &mut impl io::Write) -> io::Result<GenStats> {
    let now = parse_local(spec.now_local).ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("now_local {:?} is not `YYYY-MM-DD HH:MM:SS.mmm`", spec.now_local),
        )
    })?;
    let mut rng = Rng::new(spec.seed);
    let mut real_apps: Vec<&'static AppDef> = catalog::USER_APPS.iter().collect();
    rng.shuffle(&mut real_apps);
    let mut g = Generator {
        spec,
        rng,
        now,
        max_code: match spec.layout {
            Layout::Android10 => 90,
            Layout::Android11 => 99,
        },
        names: HashSet::new(),
        real_apps,
        next_real: 0,
        name_counter: 0,
        stats: GenStats::default(),
        buf: String::with_capacity(64 * 1024),
    };
    g.header();
    g.flush(out)?;

    let mut app_uids = 0usize;
    let done =
        |g: &Generator<'_>, app_uids: usize| g.stats.bytes >= g.spec.target_bytes as u64 && app_uids >= g.spec.apps;
    let mut finished = false;
    for (uid, def) in catalog::SYSTEM_UIDS.iter().chain(catalog::SYSTEM_APPS) {
        let choice = AppChoice {
            packages: def.packages.iter().map(|p| (*p).to_owned()).collect(),
            category: def.category,
            tags: def.tags,
            system: true,
        };
        for p in &choice.packages {
            g.names.insert(p.clone());
        }
        let plan = g.plan_uid(*uid, &choice);
        g.render_uid(&plan);
        g.flush(out)?;
        if *uid >= 10_000 {
            app_uids += 1;
        }
        if done(&g, app_uids) {
            finished = true;
            break;
        }
    }

    let mut user = 0u32;
    let mut app_id = catalog::FIRST_USER_APP_ID;
    while !finished {
        let choice = g.next_user_app();
        let plan = g.plan_uid(user * 100_000 + app_id, &choice);
        g.render_uid(&plan);
        g.flush(out)?;
        app_uids += 1;
        finished = done(&g, app_uids);
        app_id += g.rng.weighted(&[(1u32, 80), (2, 15), (3, 5)]);
        if app_id > 19_999 {
            // Out of app ids for user 0: continue in a secondary user (`u10a…`).
            user = if user == 0 { 10 } else { user + 1 };
            app_id = catalog::FIRST_USER_APP_ID;
        }
    }
    out.flush()?;
    Ok(g.stats)
}

impl Generator<'_> {
    fn flush(&mut self, out: &mut impl io::Write) -> io::Result<()> {
        out.write_all(self.buf.as_bytes())?;
        self.stats.bytes += self.buf.len() as u64;
        self.stats.lines += self.buf.bytes().filter(|&b| b == b'\n').count() as u64;
        self.buf.clear();
        Ok(())
    }

    fn a11(&self) -> bool {
        self.spec.layout == Layout::Android11
    }

    fn hex_id(&mut self) -> String {
        format!("{:x}", self.rng.range(0x100_0000, 0xfff_ffff))
    }

    // ---------------------------------------------------------------- header

    fn header(&mut self) {
        let b = &mut self.buf;
        b.push_str("Current AppOps Service state:\n  Settings:\n");
        let (top, fgs) = if self.spec.layout == Layout::Android11 && self.rng.chance(500) {
            (5_000, 5_000)
        } else {
            (30_000, 10_000)
        };
        for (name, v) in
            [("top_state_settle_time", top), ("fg_service_state_settle_time", fgs), ("bg_state_settle_time", 1_000)]
        {
            let _ = write!(b, "    {name}=");
            push_duration(b, v);
            b.push('\n');
        }
        self.buf.push('\n');
        self.watchers();
        self.buf.push('\n');
    }

    fn callback(&mut self, kind: &str, op: Option<&str>, flags: u32) -> String {
        let id = self.hex_id();
        let (uid, pid) =
            *self.rng.pick(&[("1000", 1738), ("1000", 1738), ("1041", 1381), ("u0a30", 2375), ("u0a41", 3444)]);
        let flags = if kind == "ModeCallback" { format!(" flags=0x{flags:x}") } else { String::new() };
        let op = match op {
            Some(op) if self.a11() && kind == "ModeCallback" => format!(" op={op}"),
            _ => String::new(),
        };
        format!("{kind}{{{id} watchinguid=-1{flags}{op} from uid={uid} pid={pid}}}")
    }

    fn watchers(&mut self) {
        const WATCHED: &[&str] = &[
            "COARSE_LOCATION",
            "READ_CALL_LOG",
            "WRITE_CALL_LOG",
            "READ_SMS",
            "RECEIVE_SMS",
            "RECEIVE_MMS",
            "SYSTEM_ALERT_WINDOW",
            "READ_EXTERNAL_STORAGE",
            "RUN_ANY_IN_BACKGROUND",
            "PLAY_AUDIO",
        ];
        self.buf.push_str("  Op mode watchers:\n");
        for op in WATCHED.iter().take(4 + self.rng.below(5) as usize) {
            let _ = writeln!(self.buf, "    Op {op}:");
            for i in 0..1 + self.rng.below(3) {
                let flags = u32::from(*op == "COARSE_LOCATION");
                let cb = self.callback("ModeCallback", Some(op), flags);
                let _ = writeln!(self.buf, "      #{i}: {cb}");
            }
        }
        self.buf.push_str("  Package mode watchers:\n");
        for pkg in ["com.android.mms.service", "com.android.location.fused"] {
            let _ = writeln!(self.buf, "    Pkg {pkg}:");
            let cb = self.callback("ModeCallback", Some("PLAY_AUDIO"), 0);
            let _ = writeln!(self.buf, "      #0: {cb}");
        }
        if self.a11() {
            self.buf.push_str("  All op mode watchers:\n");
            for op in WATCHED.iter().take(6) {
                let id = self.hex_id();
                let cb = self.callback("ModeCallback", Some(op), 0);
                let _ = writeln!(self.buf, "    {id}: {cb}");
            }
            for (section, kind, ops) in [
                (
                    "All op active watchers",
                    "ActiveCallback",
                    "[COARSE_LOCATION, FINE_LOCATION, SYSTEM_ALERT_WINDOW, CAMERA, RECORD_AUDIO]",
                ),
                (
                    "All op noted watchers",
                    "NotedCallback",
                    "[COARSE_LOCATION, FINE_LOCATION, SYSTEM_ALERT_WINDOW, CAMERA, RECORD_AUDIO]",
                ),
            ] {
                let _ = writeln!(self.buf, "  {section}:");
                let id = self.hex_id();
                let cb = self.callback(kind, None, 0);
                let _ = writeln!(self.buf, "    {id} ->\n        {ops}\n        {cb}");
            }
        }
    }

    // ---------------------------------------------------------------- names

    fn unique(&mut self, name: String) -> Option<String> {
        if self.names.insert(name.clone()) {
            Some(name)
        } else {
            None
        }
    }

    fn next_user_app(&mut self) -> AppChoice<'static> {
        if self.next_real < self.real_apps.len() && self.rng.chance(550) {
            let def = self.real_apps[self.next_real];
            self.next_real += 1;
            let packages = def.packages.iter().filter_map(|p| self.unique((*p).to_owned())).collect::<Vec<_>>();
            if !packages.is_empty() {
                return AppChoice { packages, category: def.category, tags: def.tags, system: false };
            }
        }
        let category = self.rng.weighted(Category::SYNTHETIC);
        let tags: &'static [&'static str] = if self.rng.chance(60) {
            let start = self.rng.below(catalog::GENERIC_TAGS.len() as u64 - 1) as usize;
            &catalog::GENERIC_TAGS[start..start + 1 + self.rng.below(2) as usize]
        } else {
            &[]
        };
        for _ in 0..3 {
            let vendor = *self.rng.pick(catalog::VENDORS);
            let word = *self.rng.pick(catalog::WORDS);
            if let Some(name) = self.unique(format!("com.{vendor}.{word}")) {
                return AppChoice { packages: vec![name], category, tags, system: false };
            }
        }
        // Cycling: reuse templates with a numeric suffix.
        loop {
            self.name_counter += 1;
            let n = self.name_counter;
            let candidate = if n.is_multiple_of(2) {
                format!("com.vendor.app{n}")
            } else {
                let def = self.rng.pick(catalog::USER_APPS);
                let name = format!("{}{n}", def.packages[0]);
                if let Some(name) = self.unique(name) {
                    return AppChoice { packages: vec![name], category: def.category, tags: def.tags, system: false };
                }
                continue;
            };
            if let Some(name) = self.unique(candidate) {
                return AppChoice { packages: vec![name], category, tags, system: false };
            }
        }
    }

    // ---------------------------------------------------------------- planning

    fn plan_uid(&mut self, uid: u32, app: &AppChoice<'_>) -> UidPlan {
        let state = if uid < 10_000 {
            UidState::Pers
        } else {
            self.rng.weighted(&[
                (UidState::Top, 3),
                (UidState::Fgsvc, 6),
                (UidState::Fg, 5),
                (UidState::Bg, 14),
                (UidState::Cch, 72),
            ])
        };
        let pkgs: Vec<PkgPlan> = app.packages.iter().map(|name| self.plan_package(name.clone(), uid, app)).collect();

        // Uid-level modes, in op-code order.
        let mut uid_modes: Vec<(u16, &'static str, Mode)> = Vec::new();
        let mut seen: Vec<u16> = Vec::new();
        for op in pkgs.iter().flat_map(|p| &p.ops) {
            if uid >= 10_000 && op.def.runtime && !seen.contains(&op.def.code) {
                seen.push(op.def.code);
                if self.rng.chance(90) {
                    let fg_capable = matches!(op.def.name, "COARSE_LOCATION" | "CAMERA" | "RECORD_AUDIO");
                    let mode = if fg_capable && self.rng.chance(600) { Mode::Foreground } else { Mode::Ignore };
                    uid_modes.push((op.def.code, op.def.name, mode));
                }
            }
        }
        if uid >= 10_000 && self.rng.chance(600) {
            let mode = if self.rng.chance(700) { Mode::Allow } else { Mode::Ignore };
            uid_modes.push((LEGACY_STORAGE_CODE, LEGACY_STORAGE, mode));
        }
        if uid >= 10_000 && self.a11() && self.rng.chance(40) {
            uid_modes.push((NO_ISOLATED_STORAGE_CODE, NO_ISOLATED_STORAGE, Mode::Allow));
        }
        uid_modes.sort_by_key(|m| m.0);
        let fg_ops: Vec<(&'static str, bool)> =
            uid_modes.iter().filter(|m| m.2 == Mode::Foreground).map(|m| (m.1, self.rng.chance(500))).collect();
        let start_nesting =
            pkgs.iter().flat_map(|p| &p.ops).flat_map(|o| &o.blocks).filter_map(|b| b.running.map(|r| r.1)).sum();
        UidPlan {
            uid,
            state,
            uid_modes: uid_modes.into_iter().map(|m| (m.1, m.2)).collect(),
            fg_ops,
            start_nesting,
            pkgs,
        }
    }

    fn plan_package(&mut self, name: String, uid: u32, app: &AppChoice<'_>) -> PkgPlan {
        let mut defs: Vec<&'static OpDef> = Vec::new();
        for &(op_name, permille) in app.category.ops() {
            let def = catalog::op(op_name);
            if def.code <= self.max_code && self.rng.chance(permille) {
                defs.push(def);
            }
        }
        // A package with location sub-ops nearly always has the switch op entry too.
        if defs.iter().any(|d| d.switch.is_some()) && !defs.iter().any(|d| d.code == 0) && self.rng.chance(900) {
            defs.push(catalog::op("COARSE_LOCATION"));
        }
        defs.sort_by_key(|d| d.code);
        defs.dedup_by_key(|d| d.code);

        // Core system uids hold their runtime permissions.
        let modes: Vec<Mode> = defs
            .iter()
            .map(|d| if uid < 10_000 && d.runtime { Mode::Allow } else { self.rng.weighted(d.modes) })
            .collect();
        let mode_of = |name: &str| defs.iter().position(|d| d.name == name).map(|i| modes[i]);
        let switch_modes: Vec<Option<Mode>> =
            defs.iter().map(|d| d.switch.map(|s| mode_of(s).unwrap_or(Mode::Allow))).collect();

        let mut ops = Vec::with_capacity(defs.len());
        for (i, def) in defs.iter().enumerate() {
            let mode = modes[i];
            let blocks = if self.rng.chance(def.rate) { self.plan_blocks(def, mode, uid, app) } else { Vec::new() };
            ops.push(OpPlan { def, mode, switch_mode: switch_modes[i], blocks });
        }
        PkgPlan { name, ops }
    }

    fn plan_blocks(&mut self, def: &'static OpDef, mode: Mode, uid: u32, app: &AppChoice<'_>) -> Vec<AttrBlock> {
        let mut tags: Vec<Option<&'static str>> = Vec::new();
        if self.a11() {
            if app.tags.is_empty() || self.rng.chance(700) {
                tags.push(None);
            }
            for &t in app.tags {
                if self.rng.chance(350) {
                    tags.push(Some(t));
                }
            }
            if tags.is_empty() {
                tags.push(Some(app.tags[0]));
            }
            tags.sort_by_key(|t| java_string_hash(*t));
        } else {
            tags.push(None);
        }
        let states: &[(UidState, u32)] = if uid < 10_000 {
            &[(UidState::Pers, 1)]
        } else if app.system {
            &[(UidState::Pers, 15), (UidState::Top, 20), (UidState::Fg, 15), (UidState::Bg, 25), (UidState::Cch, 25)]
        } else {
            &[(UidState::Top, 24), (UidState::Fgsvc, 10), (UidState::Fg, 18), (UidState::Bg, 24), (UidState::Cch, 24)]
        };
        tags.into_iter().map(|tag| self.plan_block(def, mode, tag, states)).collect()
    }

    fn plan_block(
        &mut self,
        def: &'static OpDef,
        mode: Mode,
        tag: Option<&'static str>,
        states: &[(UidState, u32)],
    ) -> AttrBlock {
        let n = self.rng.weighted(&[(1usize, 40), (2, 28), (3, 18), (4, 9), (5, 5)]);
        let mut keys: Vec<Key> = Vec::with_capacity(n);
        for _ in 0..n * 4 {
            if keys.len() == n {
                break;
            }
            let state = self.rng.weighted(states);
            let flags = if def.proxy == ProxyClass::None {
                self.rng.weighted(&[(FLAG_S, 97), (FLAG_TP, 3)])
            } else {
                self.rng.weighted(&[(FLAG_S, 80), (FLAG_TPD, 12), (FLAG_TP, 8)])
            };
            let key = Key { state, flags };
            if !keys.contains(&key) {
                keys.push(key);
            }
        }
        keys.sort_by_key(|k| k.java_hash());

        let (access_w, both_w, reject_w) = match mode {
            Mode::Allow | Mode::Foreground => (90, 6, 4),
            Mode::Ignore | Mode::Deny => (8, 6, 86),
            Mode::Default => (60, 10, 30),
        };
        let mut events = Vec::with_capacity(keys.len());
        for key in keys {
            let kind = self.rng.weighted(&[(0u8, access_w), (1, both_w), (2, reject_w)]);
            let access = (kind <= 1).then(|| {
                let rel = self.relative();
                // The access started `|rel|` ago and has finished, so it lasted less than that.
                let dur = if def.long && self.rng.chance(650) { self.duration().min(-rel - 1) } else { 0 };
                (rel, dur)
            });
            let reject = (kind >= 1).then(|| self.relative());
            let proxy = if key.flags == FLAG_TPD {
                let (uid, pkg, tag) = catalog::proxy_for(def.proxy);
                Some(Proxy { uid, pkg, tag })
            } else if key.flags == FLAG_S && self.rng.chance(20) {
                // Seen in real A10 dumps: `proxy[uid=0, pkg=null]` on self accesses.
                Some(Proxy { uid: 0, pkg: "null", tag: None })
            } else {
                None
            };
            events.push(KeyEvents { key, access, reject, proxy });
        }
        let latest = events.iter_mut().filter_map(|e| e.access.as_mut()).max_by_key(|a| a.0);
        let running = match latest {
            Some(latest) if def.long && matches!(mode, Mode::Allow | Mode::Foreground) && self.rng.chance(50) => {
                // Still running: the latest access is its start, and it has no duration yet.
                let elapsed = self.rng.range(1, 3 * 3_600_000) as i64;
                *latest = (-elapsed, 0);
                Some((elapsed, self.rng.weighted(&[(1u32, 70), (2, 22), (3, 8)])))
            }
            _ => None,
        };
        AttrBlock { tag, keys: events, running }
    }

    /// A negative offset from the dump time: from sub-second to over a year, weighted toward hours/days.
    fn relative(&mut self) -> i64 {
        let max: u64 = self.rng.weighted(&[
            (60_000u64, 8),
            (3_600_000, 17),
            (86_400_000, 35),
            (30 * 86_400_000, 32),
            (400 * 86_400_000, 8),
        ]);
        -(self.rng.range(1, max) as i64)
    }

    fn duration(&mut self) -> i64 {
        let max: u64 = self.rng.weighted(&[(999u64, 40), (60_000, 38), (3_600_000, 19), (10 * 3_600_000, 3)]);
        self.rng.range(1, max) as i64
    }

    // ---------------------------------------------------------------- rendering

    fn render_uid(&mut self, u: &UidPlan) {
        self.stats.uids += 1;
        let b = &mut self.buf;
        b.push_str("  Uid ");
        push_uid(b, u.uid);
        b.push_str(":\n    state=");
        b.push_str(u.state.name());
        b.push('\n');
        if self.spec.layout == Layout::Android11 {
            let _ = write!(b, "    capability={}\n    appWidgetVisible=false\n", u.state.capability());
        } else if u.start_nesting > 0 {
            let _ = writeln!(b, "    startNesting={}", u.start_nesting);
        }
        if !u.fg_ops.is_empty() {
            b.push_str("    foregroundOps:\n");
            for (op, watcher) in &u.fg_ops {
                let _ = writeln!(b, "      {op}: {}", if *watcher { "WATCHER" } else { "SILENT" });
            }
            let _ = writeln!(b, "    hasForegroundWatchers={}", u.fg_ops.iter().any(|f| f.1));
        }
        for (op, mode) in &u.uid_modes {
            let _ = writeln!(b, "      {op}: mode={}", mode.name());
        }
        for pkg in &u.pkgs {
            self.render_package(pkg);
        }
    }

    fn render_package(&mut self, pkg: &PkgPlan) {
        self.stats.packages += 1;
        let _ = writeln!(self.buf, "    Package {}:", pkg.name);
        for op in &pkg.ops {
            self.stats.ops += 1;
            let b = &mut self.buf;
            let _ = write!(b, "      {} ({}", op.def.name, op.mode.name());
            if let (Some(sw), Some(sw_mode)) = (op.def.switch, op.switch_mode) {
                let _ = write!(b, " / switch {sw}={}", sw_mode.name());
            }
            b.push_str("): \n");
            for block in &op.blocks {
                self.render_block(block);
            }
        }
    }

    fn render_block(&mut self, block: &AttrBlock) {
        let a11 = self.a11();
        let now = self.now;
        let b = &mut self.buf;
        if a11 {
            let _ = writeln!(b, "        {}=[", block.tag.unwrap_or("null"));
        }
        for e in &block.keys {
            let key_flags = flags_name(e.key.flags);
            if let Some((rel, dur)) = e.access {
                self.stats.access_events += 1;
                let _ = write!(b, "          Access: [{}-{key_flags}] ", e.key.state.name());
                push_local(b, now + rel);
                b.push_str(" (");
                push_duration(b, rel);
                b.push(')');
                if dur > 0 {
                    b.push_str(" duration=");
                    push_duration(b, dur);
                }
                push_proxy(b, e.proxy.as_ref(), a11);
                b.push('\n');
            }
            if let Some(rel) = e.reject {
                self.stats.reject_events += 1;
                let _ = write!(b, "          Reject: [{}-{key_flags}]", e.key.state.name());
                push_local(b, now + rel);
                b.push_str(" (");
                push_duration(b, rel);
                b.push(')');
                push_proxy(b, e.proxy.as_ref(), a11);
                b.push('\n');
            }
        }
        if let Some((elapsed, nesting)) = block.running {
            b.push_str("          Running start at: ");
            push_duration(b, elapsed);
            b.push('\n');
            // A10 prints `startNesting` whenever non-zero, A11 only when > 1.
            if nesting > 1 || !a11 {
                let _ = writeln!(b, "          startNesting={nesting}");
            }
        }
        if a11 {
            b.push_str("        ]\n");
        }
    }
}

/// `UserHandle.formatUid`.
fn push_uid(b: &mut String, uid: u32) {
    let (user, app_id) = (uid / 100_000, uid % 100_000);
    if app_id < 10_000 {
        if user == 0 {
            let _ = write!(b, "{app_id}");
        } else {
            let _ = write!(b, "u{user}s{app_id}");
        }
    } else {
        let _ = write!(b, "u{user}a{}", app_id - 10_000);
    }
}

fn push_proxy(b: &mut String, proxy: Option<&Proxy>, a11: bool) {
    if let Some(p) = proxy {
        let _ = write!(b, " proxy[uid={}, pkg={}", p.uid, p.pkg);
        if a11 {
            let _ = write!(b, ", attributionTag={}", p.tag.unwrap_or("null"));
        }
        b.push(']');
    }
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn uid_formatting() {
        let f = |uid| {
            let mut s = String::new();
            push_uid(&mut s, uid);
            s
        };
        assert_eq!(f(0), "0");
        assert_eq!(f(1000), "1000");
        assert_eq!(f(10_103), "u0a103");
        assert_eq!(f(1_010_005), "u10a5");
        assert_eq!(f(1_001_000), "u10s1000");
    }

    #[test]
    fn java_hashes() {
        assert_eq!(java_string_hash(None), 0);
        assert_eq!(java_string_hash(Some("a")), 97);
        assert_eq!(java_string_hash(Some("hello")), 99_162_322);
        // Keys order by state first, as in real dumps (fg-s < bg-s < cch-s).
        let k = |state, flags| Key { state, flags }.java_hash();
        assert!(k(UidState::Fg, FLAG_S) < k(UidState::Bg, FLAG_S));
        assert!(k(UidState::Bg, FLAG_TPD) < k(UidState::Cch, FLAG_S));
        assert_eq!(k(UidState::Fg, FLAG_S), 251);
    }
}
