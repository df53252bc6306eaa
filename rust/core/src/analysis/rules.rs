//! The rules. Each looks at one app's activity and says what is excessive, with evidence and a way to act.
//! Thresholds and category needs come from the policy pack; the rules themselves hold no numbers.

use std::collections::BTreeSet;
use std::str::FromStr;

use serde_json::json;

use super::category::CategorySource;
use super::finding::{Action, Evidence, ExampleEvent, Finding, Rule, Severity, SourceRef};
use super::pack::{Category, PolicyPack};
use super::text::{zh_numeral, Text};
use crate::by_key::ByKey;
use crate::ops::{self, InfoType};
use crate::store::{ActivityEvent, AppActivity, Visibility};

pub(crate) struct AppCtx<'a> {
    pub pack: &'a PolicyPack,
    pub app: &'a AppActivity,
    pub category: Option<&'a Category>,
    pub category_source: CategorySource,
    pub text: &'a Text,
    pub now_ms: i64,
    /// Android's record has been read up to here (the newest capture, at most now and the range's end); `None`
    /// when it never was. What an app did not do is known only up to then.
    pub observed_until_ms: Option<i64>,
}

/// Personal-information types the out-of-scope rule weighs, with the severity of an unneeded access.
fn scope_severity(t: InfoType) -> Option<Severity> {
    use InfoType::*;
    match t {
        Contacts | Sms | CallLog | Microphone | Location | Camera | PhoneIdentity | Calendar | BodySensors => {
            Some(Severity::High)
        }
        Clipboard | InstalledApps | AppUsage | Notifications | PhysicalActivity => Some(Severity::Medium),
        StorageMedia => Some(Severity::Low),
        NearbyDevices | BackgroundRun | Other => None,
    }
}

/// Ops that are not sensitive reads by the catalog but read what the 2021 rules judge: the user's photos, media and
/// files, which apps the user uses, and the user's notifications. They are judged against the category (the
/// `out_of_scope` rule) only: many apps note them often and legitimately, which the other rules would count.
/// Writes (`WRITE_EXTERNAL_STORAGE`) and storage modes (`LEGACY_STORAGE`) are no reads.
const SCOPE_READS: [&str; 8] = [
    "READ_EXTERNAL_STORAGE",
    "READ_MEDIA_AUDIO",
    "READ_MEDIA_VIDEO",
    "READ_MEDIA_IMAGES",
    "READ_MEDIA_VISUAL_USER_SELECTED",
    "MANAGE_EXTERNAL_STORAGE",
    "GET_USAGE_STATS",
    "ACCESS_NOTIFICATIONS",
];

/// The types whose background reads the background rule reports (clipboard has a rule of its own).
const BACKGROUND_TYPES: [InfoType; 7] = [
    InfoType::Location,
    InfoType::Microphone,
    InfoType::Camera,
    InfoType::Contacts,
    InfoType::Sms,
    InfoType::CallLog,
    InfoType::PhoneIdentity,
];

/// A record made by this app *as a proxy* for another (flag `tp`/`up` without `tpd`/`upd`) is the other app's
/// access; the proxied record (`tpd`/`upd`) is this app's.
fn charged_to_app(e: &ActivityEvent) -> bool {
    let flags: Vec<&str> = e.flags.split('|').collect();
    let proxy_side = flags.iter().any(|f| *f == "tp" || *f == "up");
    let proxied = flags.iter().any(|f| *f == "tpd" || *f == "upd");
    !proxy_side || proxied
}

/// Unicode's explicit directional formatting characters (UAX #9: embeddings, overrides, isolates and marks).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

fn info_of(e: &ActivityEvent) -> InfoType {
    InfoType::from_str(&e.info_type).unwrap_or(InfoType::Other)
}

impl AppCtx<'_> {
    /// The app's name inside a sentence. A label is the app developer's text: a right-to-left override in it
    /// would show the rest of the sentence backwards ("…gnp.exe" for "exe.png…") wherever the sentence is drawn, so
    /// the characters that set the direction of the text around them are left out here. The label itself, shown
    /// apart, keeps them.
    fn name(&self) -> String {
        let name = self.app.label.as_deref().unwrap_or(&self.app.package);
        name.chars().filter(|c| !is_bidi_control(*c)).collect()
    }

    /// Whether the app's category needs this kind of information for its basic function (2021 rules, Art. 5).
    fn needs(&self, info: InfoType) -> bool {
        self.category.is_some_and(|c| c.necessary_info_types.contains(&info))
    }

    /// Whether the app may read it in the background: location for navigation, ride-hailing and car sharing, which
    /// track a trip while another app is on screen.
    fn background_allowed(&self, info: InfoType) -> bool {
        info == InfoType::Location
            && self.category.is_some_and(|c| self.pack.play.background_location_allowed_categories.contains(&c.id))
    }

    /// What to do: the switch Android gives, and, for information the category needs, that the basic function
    /// needs it too (Art. 4 protects only the refusal of what a function does not need).
    fn advice(&self, info: InfoType) -> String {
        if self.needs(info) {
            self.text.needed_info_advice(info)
        } else {
            self.text.open_settings_advice(info)
        }
    }

    fn sources(&self, ids: &[&str]) -> Vec<SourceRef> {
        ids.iter()
            .filter_map(|id| self.pack.source(id))
            .map(|s| SourceRef {
                id: s.id.to_owned(),
                title: s.title(self.text.lang).to_owned(),
                url: s.url.to_owned(),
            })
            .collect()
    }

    fn evidence<'e>(&self, events: impl IntoIterator<Item = &'e ActivityEvent>) -> Evidence {
        let mut ev = Evidence::default();
        let mut ops = BTreeSet::new();
        // Counted once per instant, whatever the ops, since Android notes one location fix as several ops at once
        // (FINE_LOCATION, MONITOR_LOCATION, GPS, …): the instants of accesses, of those in the foreground and in the
        // background, and of refusals.
        let [mut accesses, mut foreground, mut background, mut rejects]: [Vec<i64>; 4] = Default::default();
        for e in events {
            if e.reject {
                rejects.push(e.t);
            } else {
                accesses.push(e.t);
                match e.visibility.is_foreground() {
                    Some(true) => foreground.push(e.t),
                    Some(false) => background.push(e.t),
                    None => {}
                }
            }
            ev.first_ms = Some(ev.first_ms.map_or(e.t, |f| f.min(e.t)));
            ev.last_ms = Some(ev.last_ms.map_or(e.t, |l| l.max(e.t)));
            ops.insert(e.op.clone());
            if ev.examples.len() < self.pack.thresholds.max_examples {
                ev.examples.push(ExampleEvent {
                    t_ms: e.t,
                    op: e.op.clone(),
                    kind: if e.reject { "reject" } else { "access" },
                    uid_state: (!e.uid_state.is_empty()).then(|| e.uid_state.clone()),
                    proxy_package: e.proxy_package.clone(),
                });
            }
        }
        [ev.accesses, ev.foreground, ev.background, ev.rejects] =
            [accesses, foreground, background, rejects].map(|mut t| {
                crate::sort::sort(&mut t);
                t.dedup();
                t.len() as u64
            });
        ev.ops = ops.into_iter().collect();
        ev
    }

    #[allow(clippy::too_many_arguments)]
    fn finding(
        &self,
        rule: Rule,
        severity: Severity,
        info: InfoType,
        title: String,
        mut explanation: String,
        advice: String,
        mut actions: Vec<Action>,
        sources: &[&str],
        evidence: Evidence,
    ) -> Finding {
        let package = self.app.package.clone();
        if self.category.is_none() {
            if self.text.lang == crate::ops::Lang::En {
                explanation.push(' ');
            }
            explanation.push_str(&self.text.unknown_category());
            actions.push(Action::SetCategory { package: package.clone() });
        }
        Finding {
            rule,
            package,
            label: self.app.label.clone(),
            severity,
            info_type: info,
            category: self.category.map(|c| c.id.to_owned()),
            category_name: self.category.map(|c| c.name(self.text.lang).to_owned()),
            category_source: self.category_source,
            title,
            explanation,
            advice,
            actions,
            sources: self.sources(sources),
            evidence,
        }
    }

    fn open_permissions(&self) -> Vec<Action> {
        vec![Action::OpenAppPermissions { package: self.app.package.clone() }]
    }
}

/// An app's events per information type, at the type's place in [`InfoType::ALL`] (its `as usize`); `None` for a
/// type with none. A `BTreeMap<InfoType, _>` did this at the cost of its own copy of the B-tree.
type ByType<'a> = [Option<Vec<&'a ActivityEvent>>; InfoType::ALL.len()];

/// The types present, in the order of `InfoType`'s `Ord` (what the `BTreeMap` iterated in), with their events.
fn types_in_order<'s, 'a>(by_type: &'s ByType<'a>) -> impl Iterator<Item = (InfoType, &'s [&'a ActivityEvent])> {
    InfoType::ALL.into_iter().zip(by_type).filter_map(|(info, events)| Some((info, events.as_deref()?)))
}

/// Runs every rule on one app.
pub(crate) fn evaluate(ctx: &AppCtx<'_>) -> Vec<Finding> {
    let charged: Vec<&ActivityEvent> = ctx.app.events.iter().filter(|e| charged_to_app(e)).collect();
    let mut by_type: ByType<'_> = Default::default();
    // Reads of photos and files, app usage and notifications: judged against the category only.
    let mut scope_only: ByType<'_> = Default::default();
    for e in &charged {
        if ops::is_sensitive(&e.op) || info_of(e) == InfoType::InstalledApps {
            by_type[info_of(e) as usize].get_or_insert_with(Vec::new).push(e);
        } else if SCOPE_READS.contains(&ops::canonical(&e.op)) {
            scope_only[info_of(e) as usize].get_or_insert_with(Vec::new).push(e);
        }
    }
    // Types seen only in aggregate history still get the frequency rule.
    for w in &ctx.app.windows {
        if ops::is_sensitive(&w.op) {
            by_type[InfoType::from_str(&w.info_type).unwrap_or(InfoType::Other) as usize].get_or_insert_with(Vec::new);
        }
    }
    let mut out = Vec::new();
    for (info, events) in types_in_order(&by_type) {
        let scope = out_of_scope(ctx, info, events);
        let found_out_of_scope = scope.is_some();
        out.extend(scope);
        out.extend(background_access(ctx, info, events));
        out.extend(frequency(ctx, info, events));
        out.extend(denied_retry(ctx, info, events));
        out.extend(night_access(ctx, info, events));
        out.extend(not_in_use(ctx, info, events));
        out.extend(clipboard_background(ctx, info, events));
        out.extend(proxy_access(ctx, info, events));
        if !found_out_of_scope {
            out.extend(play_sms_call_log(ctx, info, events));
            out.extend(play_installed_apps(ctx, info, events));
        }
    }
    out.extend(types_in_order(&scope_only).filter_map(|(info, events)| out_of_scope(ctx, info, events)));
    out.extend(unused_permissions(ctx));
    crate::sort::sort_by(&mut out, |a, b| {
        b.severity.cmp(&a.severity).then(a.rule.cmp(&b.rule)).then(a.info_type.cmp(&b.info_type))
    });
    out
}

fn accesses<'a>(events: &'a [&'a ActivityEvent]) -> impl Iterator<Item = &'a ActivityEvent> + 'a {
    events.iter().copied().filter(|e| !e.reject)
}

fn out_of_scope(ctx: &AppCtx<'_>, info: InfoType, events: &[&ActivityEvent]) -> Option<Finding> {
    let category = ctx.category?;
    let severity = scope_severity(info)?;
    if category.necessary_info_types.contains(&info) {
        return None;
    }
    // A type the basic function uses on the user's request is in scope while the user is using the app: on screen,
    // in a foreground service the user sees (a call, a meeting, a recording), or bound by the app on screen (a
    // keyboard while the user types).
    let user_action = category.user_action_info_types.contains(&info);
    let in_use = |e: &ActivityEvent| {
        matches!(e.visibility, Visibility::Visible | Visibility::ForegroundService | Visibility::Foreground)
    };
    let offending: Vec<&ActivityEvent> = accesses(events).filter(|e| !user_action || !in_use(e)).collect();
    if offending.is_empty() {
        return None;
    }
    let ev = ctx.evidence(offending.iter().copied());
    let t = ctx.text;
    let needs = if category.needs_no_pi {
        t.pick("need no personal information at all".into(), "无须任何个人信息".into())
    } else {
        t.pick(format!("need only: {}", category.necessary_pi_en), format!("只需要：{}", category.necessary_pi_zh))
    };
    let title = t.pick(
        format!("{} accessed your {}, which {} do not need", ctx.name(), t.info_lower(info), category.apps_en()),
        format!("{} 访问了您的{}，而{}应用并不需要", ctx.name(), t.info(info), category.name_zh),
    );
    let bg = match (ev.background, ev.accesses) {
        (0, _) => String::new(),
        (b, n) if b == n && n == 1 => t.pick(", in the background".into(), "，这次访问发生在后台".into()),
        (b, n) if b == n => t.pick(", all in the background".into(), "，全部发生在后台".into()),
        (b, _) => t.pick(format!(", {b} of them in the background"), format!("，其中 {b} 次发生在后台")),
    };
    let explanation = t.pick(
        format!(
            "{} accessed your {} {} {}{bg}. Under China's 2021 rules on necessary personal information (Art. 5, item {}), {} {}{}.",
            ctx.name(),
            t.info_lower(info),
            t.times(ev.accesses),
            t.span(ev.first_ms, ev.last_ms),
            category.number,
            category.apps_en(),
            needs,
            if user_action { ", and use it only while you are using the app" } else { "" }
        ),
        format!(
            "{} 访问了您的{}{}{}{bg}。根据 2021 年《常见类型移动互联网应用程序必要个人信息范围规定》第五条第（{}）项，{}应用{}。{}",
            ctx.name(),
            t.info(info),
            t.times(ev.accesses),
            t.span_note(ev.first_ms, ev.last_ms),
            zh_numeral(category.number),
            category.name_zh,
            needs,
            if user_action { format!("{}仅应在您使用应用时访问。", t.info(info)) } else { String::new() }
        ),
    );
    let mut ev = ev;
    ev.details.insert("category_number".into(), json!(category.number));
    ev.details.insert("necessary_info_types".into(), json!(category.necessary_info_types));
    Some(ctx.finding(
        Rule::OutOfScope,
        severity,
        info,
        title,
        explanation,
        ctx.advice(info),
        ctx.open_permissions(),
        &[category.source, "method-2019"],
        ev,
    ))
}

fn background_access(ctx: &AppCtx<'_>, info: InfoType, events: &[&ActivityEvent]) -> Option<Finding> {
    if !BACKGROUND_TYPES.contains(&info) {
        return None;
    }
    let background: Vec<&ActivityEvent> = accesses(events).filter(|e| e.visibility == Visibility::Background).collect();
    if background.is_empty() {
        return None;
    }
    if ctx.background_allowed(info) {
        // Navigation and ride-hailing may track location in the background while a trip is running.
        return None;
    }
    let severity = match info {
        InfoType::Location | InfoType::PhoneIdentity => Severity::Medium,
        _ => Severity::High,
    };
    let ev = ctx.evidence(background.iter().copied());
    let t = ctx.text;
    let title = t.pick(
        format!("{} accessed your {} in the background", ctx.name(), t.info_lower(info)),
        format!("{} 在后台访问了您的{}", ctx.name(), t.info(info)),
    );
    let explanation = t.pick(
        format!(
            "{} accessed your {} {} while it was not on screen and had no foreground service, {}. Regulators list collection in the background or silent state as exceeding what a function needs.",
            ctx.name(),
            t.info_lower(info),
            t.times(ev.accesses),
            t.span(ev.first_ms, ev.last_ms)
        ),
        format!(
            "{} 在未显示于屏幕、也没有前台服务时访问了您的{}{}{}。监管部门将在后台或静默状态下收集信息列为超出功能所需。",
            ctx.name(),
            t.info(info),
            t.times(ev.accesses),
            t.span_note(ev.first_ms, ev.last_ms)
        ),
    );
    let mut sources = vec!["miit-164-2020", "method-2019"];
    if info == InfoType::Location {
        sources.push(ctx.pack.play.background_location_source);
    }
    Some(ctx.finding(
        Rule::BackgroundAccess,
        severity,
        info,
        title,
        explanation,
        if Text::has_while_in_use(info) {
            t.pick(
                format!(
                    "On the app's permission page, set its {} permission to “Allow only while using the app”, or turn \
                     it off.",
                    t.permission(info)
                ),
                format!("在应用权限页面将其{}权限设为“仅在使用该应用时允许”，或直接关闭。", t.permission(info)),
            )
        } else {
            t.pick(
                format!(
                    "On the app's permission page, turn off its {} permission: Android has no “only while using the \
                     app” choice for it, so an app allowed it can read it in the background too.",
                    t.permission(info)
                ),
                format!(
                    "在应用权限页面关闭其{}权限：Android 对该权限没有“仅在使用该应用时允许”的选项，获得该权限的应用在后台也能读取。",
                    t.permission(info)
                ),
            )
        },
        ctx.open_permissions(),
        &sources,
        ev,
    ))
}

/// The run of at least `min` accesses, each at most `interval_ms` after the one before, with the shortest mean gap:
/// (that gap in seconds, the run's accesses). Pairs of close reads far apart from each other (two a day) are no
/// rate: only reads one after another, at that pace, are.
fn densest_run(times: &[i64], interval_ms: i64, min: usize) -> Option<(f64, u64)> {
    let mut best: Option<(f64, u64)> = None;
    let mut start = 0;
    for end in 1..=times.len() {
        if end < times.len() && times[end] - times[end - 1] <= interval_ms {
            continue;
        }
        let run = &times[start..end];
        if run.len() >= min.max(2) {
            let every = (run[run.len() - 1] - run[0]) as f64 / 1000.0 / (run.len() - 1) as f64;
            if best.is_none_or(|b| every < b.0) {
                best = Some((every, run.len() as u64));
            }
        }
        start = end;
    }
    best
}

fn frequency(ctx: &AppCtx<'_>, info: InfoType, events: &[&ActivityEvent]) -> Option<Finding> {
    let th = &ctx.pack.thresholds;
    if scope_severity(info).is_none() || ctx.category.is_some_and(|c| c.necessary_info_types.contains(&info)) {
        return None;
    }
    let interval_ms = i64::from(th.frequency_interval_s) * 1000;
    // From individual events: runs of accesses one after another, each within the interval of the one before.
    let mut times: Vec<i64> = accesses(events).map(|e| e.t).collect();
    crate::sort::sort(&mut times);
    // One access of the type per instant: Android notes one location fix as several ops at once (FINE_LOCATION,
    // MONITOR_LOCATION, GPS, …), which read as reads 0 s apart would make the rate look several times faster.
    times.dedup();
    // (seconds between accesses, accesses at that rate, the history window it was counted in)
    type Rate = (f64, u64, Option<(i64, i64)>);
    let mut best: Option<Rate> =
        densest_run(&times, interval_ms, th.frequency_min_accesses as usize).map(|(every, count)| (every, count, None));
    // From aggregate history: accesses per window.
    for w in ctx
        .app
        .windows
        .iter()
        .filter(|w| w.info_type == info.as_str() && w.access >= u64::from(th.frequency_min_accesses))
    {
        let every = (w.end_ms - w.begin_ms) as f64 / 1000.0 / w.access as f64;
        if every <= f64::from(th.frequency_interval_s) && best.as_ref().is_none_or(|b| every < b.0) {
            best = Some((every, w.access, Some((w.begin_ms, w.end_ms))));
        }
    }
    let (every_s, count, window) = best?;
    let basis = window.map_or_else(|| "events".to_owned(), |(b, e)| format!("history {b}–{e}"));
    let severity = if every_s <= f64::from(th.frequency_severe_interval_s) { Severity::High } else { Severity::Medium };
    let mut ev = ctx.evidence(accesses(events));
    ev.details.insert("every_s".into(), json!((every_s * 10.0).round() / 10.0));
    ev.details.insert("accesses_at_that_rate".into(), json!(count));
    ev.details.insert("measured_from".into(), json!(basis));
    ev.details.insert("threshold_s".into(), json!(th.frequency_interval_s));
    let t = ctx.text;
    let title = t.pick(
        format!("{} accessed your {} about every {:.0} s", ctx.name(), t.info_lower(info), every_s.max(1.0)),
        format!("{} 大约每 {:.0} 秒访问一次您的{}", ctx.name(), every_s.max(1.0), t.info(info)),
    );
    // A count from Android's aggregate history is not in the timeline, which keeps far fewer events: say where it is
    // from, or it reads as a contradiction of the other findings' counts.
    let measured = match window {
        None => t.pick(
            format!(
                "{} accessed your {} {} at a rate of about once every {every_s:.1} s.",
                ctx.name(),
                t.info_lower(info),
                t.times(count)
            ),
            format!("{} 以大约每 {every_s:.1} 秒一次的频率访问了您的{}{}。", ctx.name(), t.info(info), t.times(count)),
        ),
        Some((begin, end)) => t.pick(
            format!(
                "Android's access history counted {} accesses to your {} by {} {}, about once every {every_s:.1} s.",
                count,
                t.info_lower(info),
                ctx.name(),
                t.span(Some(begin), Some(end))
            ),
            format!(
                "Android 的访问历史统计到 {} {}访问了您的{}{}，大约每 {every_s:.1} 秒一次。",
                ctx.name(),
                t.span(Some(begin), Some(end)),
                t.info(info),
                t.times(count)
            ),
        ),
    };
    let explanation = t.pick(
        format!(
            "{measured} The detection scenes of MIIT's 2020 campaign (notice 164) list reads at a fixed frequency, such as every {} s, as exceeding what a function needs.",
            th.frequency_interval_s
        ),
        format!(
            "{measured}工信部 2020 年专项整治（164 号文）的检测场景将以固定频率（如每 {} 秒）读取信息列为超出业务功能实际需要的行为。",
            th.frequency_interval_s
        ),
    );
    Some(ctx.finding(
        Rule::Frequency,
        severity,
        info,
        title,
        explanation,
        ctx.advice(info),
        ctx.open_permissions(),
        &[th.frequency_source, "method-2019"],
        ev,
    ))
}

fn denied_retry(ctx: &AppCtx<'_>, info: InfoType, events: &[&ActivityEvent]) -> Option<Finding> {
    let window = i64::from(ctx.pack.thresholds.reprompt_window_h) * 3_600_000;
    let rejects: Vec<&ActivityEvent> = events.iter().copied().filter(|e| e.reject).collect();
    if rejects.len() < 2 {
        return None;
    }
    let retries = rejects.windows(2).filter(|w| w[1].t - w[0].t <= window).count() as u64;
    if retries == 0 {
        return None;
    }
    let mut ev = ctx.evidence(rejects.iter().copied());
    ev.details.insert("retries_within_window".into(), json!(retries));
    ev.details.insert("window_h".into(), json!(ctx.pack.thresholds.reprompt_window_h));
    let severity =
        if retries >= u64::from(ctx.pack.thresholds.severe_retries) { Severity::High } else { Severity::Medium };
    let t = ctx.text;
    let title = t.pick(
        format!("{} kept trying to access your {} after being denied", ctx.name(), t.info_lower(info)),
        format!("{} 被拒绝后仍反复尝试访问您的{}", ctx.name(), t.info(info)),
    );
    let reprompt_h = ctx.pack.thresholds.reprompt_window_h;
    // The clipboard's refusals are Android's own: it refuses clipboard reads by an app that is neither on screen nor
    // the keyboard (Android 10 on). No user refused anything, and there is no permission to keep denied.
    let (explanation, advice, actions, sources) = if info == InfoType::Clipboard {
        let explanation = t.pick(
            format!(
                "Android refused {} reads of your clipboard {} {}: it lets only the app on screen and the keyboard read it. {} of those attempts came within {} hours of the previous one: the app kept trying to read it from the background.",
                ctx.name(),
                t.times(ev.rejects),
                t.span(ev.first_ms, ev.last_ms),
                retries,
                reprompt_h
            ),
            format!(
                "系统拒绝了 {} 读取您的剪贴板{}{}：Android 只允许屏幕上的应用和输入法读取剪贴板。其中 {} 次距上一次不到 {} 小时：该应用一直在尝试从后台读取剪贴板。",
                ctx.name(),
                t.times(ev.rejects),
                t.span_note(ev.first_ms, ev.last_ms),
                retries,
                reprompt_h
            ),
        );
        (explanation, ctx.advice(info), vec![], vec!["miit-164-2020"])
    } else {
        let explanation = t.pick(
            format!(
                "Android refused {} access to your {} {} {}, and {} of those attempts came within {} hours of the previous one. After a refusal, apps must not keep collecting or keep asking (2019 identification method, item 3.2; app stores allow no new request within 48 hours).",
                ctx.name(),
                t.info_lower(info),
                t.times(ev.rejects),
                t.span(ev.first_ms, ev.last_ms),
                retries,
                reprompt_h
            ),
            format!(
                "系统拒绝了 {} 访问您的{}{}{}，其中 {} 次距上一次不到 {} 小时。用户拒绝后，应用不得继续收集或频繁征求同意（2019 年《认定方法》三.2；应用商店要求拒绝后 48 小时内不得再次申请）。",
                ctx.name(),
                t.info(info),
                t.times(ev.rejects),
                t.span_note(ev.first_ms, ev.last_ms),
                retries,
                reprompt_h
            ),
        );
        let advice = if ctx.needs(info) {
            t.pick(
                format!(
                    "The app's basic function needs your {}: allow its {} permission if you want that function, or \
                     keep it denied and do without it.",
                    t.info_lower(info),
                    t.permission(info)
                ),
                format!(
                    "该类应用的基本功能需要您的{}：如果您需要该功能，请允许其{}权限；否则请保持拒绝。",
                    t.info(info),
                    t.permission(info)
                ),
            )
        } else {
            t.pick(
                "Keep the permission denied. If the app stops working without it, that itself breaks the 2021 rules (Art. 4).".into(),
                "请保持拒绝。如果应用因此不让您使用其基本功能，这本身就违反了 2021 年《常见类型移动互联网应用程序必要个人信息范围规定》第四条。".into(),
            )
        };
        (explanation, advice, ctx.open_permissions(), vec!["method-2019", ctx.pack.thresholds.reprompt_source])
    };
    Some(ctx.finding(Rule::DeniedRetry, severity, info, title, explanation, advice, actions, &sources, ev))
}

fn night_access(ctx: &AppCtx<'_>, info: InfoType, events: &[&ActivityEvent]) -> Option<Finding> {
    // A navigation app tracking a night drive reads location in the background as its function asks.
    if scope_severity(info)? < Severity::Medium || ctx.background_allowed(info) {
        return None;
    }
    let th = &ctx.pack.thresholds;
    let night: Vec<&ActivityEvent> = accesses(events)
        .filter(|e| e.visibility == Visibility::Background)
        .filter(|e| {
            let hour = crate::time::LocalTime::from_utc_ms(e.t, &ctx.text.zone).map_or(12, |l| l.fields().3) as u32;
            hour >= th.night_start_hour && hour < th.night_end_hour
        })
        .collect();
    if night.is_empty() {
        return None;
    }
    let ev = ctx.evidence(night.iter().copied());
    let severity = if ev.accesses >= u64::from(th.many_night_accesses) { Severity::Medium } else { Severity::Low };
    let t = ctx.text;
    Some(ctx.finding(
        Rule::NightAccess,
        severity,
        info,
        t.pick(
            format!("{} accessed your {} at night", ctx.name(), t.info_lower(info)),
            format!("{} 在夜间访问了您的{}", ctx.name(), t.info(info)),
        ),
        t.pick(
            format!(
                "Between {:02}:00 and {:02}:00, while you were most likely asleep and the app was in the background, {} accessed your {} {} ({}).",
                th.night_start_hour,
                th.night_end_hour,
                ctx.name(),
                t.info_lower(info),
                t.times(ev.accesses),
                t.span(ev.first_ms, ev.last_ms)
            ),
            format!(
                "在 {:02}:00 至 {:02}:00 之间（您很可能在睡觉，应用也在后台），{} 访问了您的{}{}{}。",
                th.night_start_hour,
                th.night_end_hour,
                ctx.name(),
                t.info(info),
                t.times(ev.accesses),
                t.span_note(ev.first_ms, ev.last_ms)
            ),
        ),
        ctx.advice(info),
        ctx.open_permissions(),
        &["miit-164-2020"],
        ev,
    ))
}

fn not_in_use(ctx: &AppCtx<'_>, info: InfoType, events: &[&ActivityEvent]) -> Option<Finding> {
    scope_severity(info)?;
    let app = ctx.app;
    if !app.has_usage_data {
        return None;
    }
    // Usage is known from the first interval to when the inventory that reported it was taken.
    let (Some(covered_from), Some(covered_to)) = (app.usage.iter().map(|u| u.0).min(), app.usage_known_until) else {
        return None;
    };
    let window = i64::from(ctx.pack.thresholds.not_used_window_h) * 3_600_000;
    let idle: Vec<&ActivityEvent> = accesses(events)
        .filter(|e| e.visibility != Visibility::Visible)
        .filter(|e| e.t >= covered_from && e.t <= covered_to)
        .filter(|e| !app.usage.iter().any(|&(b, end)| b <= e.t && end >= e.t - window))
        .collect();
    if idle.is_empty() {
        return None;
    }
    let mut ev = ctx.evidence(idle.iter().copied());
    ev.details.insert("not_used_window_h".into(), json!(ctx.pack.thresholds.not_used_window_h));
    let t = ctx.text;
    Some(ctx.finding(
        Rule::NotInUse,
        Severity::Medium,
        info,
        t.pick(
            format!("{} accessed your {} while you were not using it", ctx.name(), t.info_lower(info)),
            format!("{} 在您未使用它时访问了您的{}", ctx.name(), t.info(info)),
        ),
        t.pick(
            format!(
                "You had not opened {} in the {} hours before, yet it accessed your {} {} ({}).",
                ctx.name(),
                ctx.pack.thresholds.not_used_window_h,
                t.info_lower(info),
                t.times(ev.accesses),
                t.span(ev.first_ms, ev.last_ms)
            ),
            format!(
                "在此之前的 {} 小时内您没有打开过 {}，它却访问了您的{}{}{}。",
                ctx.pack.thresholds.not_used_window_h,
                ctx.name(),
                t.info(info),
                t.times(ev.accesses),
                t.span_note(ev.first_ms, ev.last_ms)
            ),
        ),
        ctx.advice(info),
        ctx.open_permissions(),
        &["miit-164-2020", "method-2019"],
        ev,
    ))
}

fn clipboard_background(ctx: &AppCtx<'_>, info: InfoType, events: &[&ActivityEvent]) -> Option<Finding> {
    if info != InfoType::Clipboard || ctx.category.is_some_and(|c| c.id == "input_method") {
        return None;
    }
    let hidden: Vec<&ActivityEvent> = accesses(events)
        .filter(|e| ops::is_sensitive(&e.op))
        .filter(|e| !matches!(e.visibility, Visibility::Visible | Visibility::Unknown))
        .collect();
    if hidden.is_empty() {
        return None;
    }
    let ev = ctx.evidence(hidden.iter().copied());
    let t = ctx.text;
    Some(ctx.finding(
        Rule::ClipboardBackground,
        Severity::High,
        info,
        t.pick(
            format!("{} read your clipboard from the background", ctx.name()),
            format!("{} 在后台读取了您的剪贴板", ctx.name()),
        ),
        t.pick(
            format!(
                "{} read what you had copied {} while it was not on screen ({}). Copied text often holds passwords, codes and addresses; Android only lets the app you are using, or your keyboard, read it.",
                ctx.name(),
                t.times(ev.accesses),
                t.span(ev.first_ms, ev.last_ms)
            ),
            format!(
                "{} 在未显示于屏幕时读取了您复制的内容{}{}。复制的内容常包含密码、验证码和地址；Android 只允许您正在使用的应用或输入法读取。",
                ctx.name(),
                t.times(ev.accesses),
                t.span_note(ev.first_ms, ev.last_ms)
            ),
        ),
        t.pick(
            "Clear the clipboard after copying secrets, and consider uninstalling the app.".into(),
            "复制敏感内容后请清空剪贴板，并考虑卸载该应用。".into(),
        ),
        ctx.open_permissions(),
        &["miit-164-2020"],
        ev,
    ))
}

fn proxy_access(ctx: &AppCtx<'_>, info: InfoType, events: &[&ActivityEvent]) -> Vec<Finding> {
    // Per proxy, in the order of its name.
    let mut by_proxy: ByKey<String, (&str, Vec<&ActivityEvent>)> = ByKey::new();
    for e in accesses(events) {
        if let Some(p) = &e.proxy_package {
            if e.flags.split('|').any(|f| f == "tpd" || f == "upd") {
                by_proxy.entry(p.clone(), || (p.as_str(), Vec::new())).1.push(e);
            }
        }
    }
    let t = ctx.text;
    by_proxy
        .into_values()
        .into_iter()
        .map(|(proxy, events)| {
            let mut ev = ctx.evidence(events.iter().copied());
            ev.details.insert("proxy_package".into(), json!(proxy));
            ctx.finding(
                Rule::ProxyAccess,
                Severity::Info,
                info,
                t.pick(
                    format!("{} accessed your {} through {}", ctx.name(), t.info_lower(info), proxy),
                    format!("{} 通过 {} 访问了您的{}", ctx.name(), proxy, t.info(info)),
                ),
                t.pick(
                    format!(
                        "{} accessed your {} {} by asking {} to do it ({}). Android records who asked, and Opsight charges these accesses to {}, not to {}.",
                        ctx.name(),
                        t.info_lower(info),
                        t.times(ev.accesses),
                        proxy,
                        t.span(ev.first_ms, ev.last_ms),
                        ctx.name(),
                        proxy
                    ),
                    format!(
                        "{} 请 {} 代为访问了您的{}{}{}。Android 记录了是谁发起的访问，Opsight 将这些访问计入 {}，而不是 {}。",
                        ctx.name(),
                        proxy,
                        t.info(info),
                        t.times(ev.accesses),
                        t.span_note(ev.first_ms, ev.last_ms),
                        ctx.name(),
                        proxy
                    ),
                ),
                ctx.advice(info),
                ctx.open_permissions(),
                &[],
                ev,
            )
        })
        .collect()
}

fn play_sms_call_log(ctx: &AppCtx<'_>, info: InfoType, events: &[&ActivityEvent]) -> Option<Finding> {
    let play = &ctx.pack.play;
    if !play.sms_call_log_info_types.contains(&info) || ctx.app.system {
        return None;
    }
    if ctx.category.is_some_and(|c| play.sms_call_log_allowed_categories.contains(&c.id)) {
        return None;
    }
    let used: Vec<&ActivityEvent> = accesses(events).collect();
    if used.is_empty() {
        return None;
    }
    let ev = ctx.evidence(used.iter().copied());
    let t = ctx.text;
    Some(ctx.finding(
        Rule::PlaySmsCallLog,
        Severity::Medium,
        info,
        t.pick(
            format!("{}, a non-system app, accessed your {}", ctx.name(), t.info_lower(info)),
            format!("非系统应用 {} 访问了您的{}", ctx.name(), t.info(info)),
        ),
        t.pick(
            format!(
                "{} accessed your {} {} ({}). Google Play allows SMS and call-log access only to the default SMS, phone or assistant app; unless you made {} one of those, it should not read them.",
                ctx.name(),
                t.info_lower(info),
                t.times(ev.accesses),
                t.span(ev.first_ms, ev.last_ms),
                ctx.name()
            ),
            format!(
                "{} 访问了您的{}{}{}。Google Play 只允许默认短信、电话或助理应用访问短信和通话记录；除非您将 {} 设为了其中之一，它不应读取这些信息。",
                ctx.name(),
                t.info(info),
                t.times(ev.accesses),
                t.span_note(ev.first_ms, ev.last_ms),
                ctx.name()
            ),
        ),
        ctx.advice(info),
        ctx.open_permissions(),
        &[play.sms_call_log_source],
        ev,
    ))
}

fn play_installed_apps(ctx: &AppCtx<'_>, info: InfoType, events: &[&ActivityEvent]) -> Option<Finding> {
    let play = &ctx.pack.play;
    if info != InfoType::InstalledApps
        || ctx.app.system
        || ctx.category.is_some_and(|c| play.installed_apps_allowed_categories.contains(&c.id))
    {
        return None;
    }
    let used: Vec<&ActivityEvent> = accesses(events).collect();
    if used.is_empty() {
        return None;
    }
    let ev = ctx.evidence(used.iter().copied());
    let t = ctx.text;
    Some(ctx.finding(
        Rule::PlayInstalledApps,
        Severity::Medium,
        info,
        t.pick(
            format!("{} listed the apps installed on your phone", ctx.name()),
            format!("{} 读取了您手机上已安装的应用列表", ctx.name()),
        ),
        t.pick(
            format!(
                "{} read your list of installed apps {} ({}). Which apps you use reveals a lot about you; Google Play allows it only for device search, antivirus, file managers and browsers.",
                ctx.name(),
                t.times(ev.accesses),
                t.span(ev.first_ms, ev.last_ms)
            ),
            format!(
                "{} 读取了您的已安装应用列表{}{}。您使用哪些应用会透露大量个人信息；Google Play 只允许设备搜索、杀毒、文件管理和浏览器类应用这样做。",
                ctx.name(),
                t.times(ev.accesses),
                t.span_note(ev.first_ms, ev.last_ms)
            ),
        ),
        ctx.advice(info),
        ctx.open_permissions(),
        &[play.installed_apps_source],
        ev,
    ))
}

fn unused_permissions(ctx: &AppCtx<'_>) -> Vec<Finding> {
    let days = i64::from(ctx.pack.thresholds.unused_permission_days);
    // "Not used for 90 days" needs 90 days of record: counted back from its last reading, not from now.
    let Some(until) = ctx.observed_until_ms else {
        return Vec::new();
    };
    let horizon = until - days * 86_400_000;
    let known_since = ctx.app.first_install_ms.or(ctx.app.first_seen_ms);
    if known_since.is_none_or(|k| k > horizon) {
        return Vec::new();
    }
    let mut seen = BTreeSet::new();
    let t = ctx.text;
    let mut out = Vec::new();
    for permission in &ctx.app.granted_permissions {
        let Some(op) = ops::all().iter().find(|o| o.sensitive && o.permission == Some(permission.as_str())) else {
            continue;
        };
        let info = op.info_type;
        if scope_severity(info).is_none_or(|s| s < Severity::Medium) || !seen.insert(permission.clone()) {
            continue;
        }
        let last = ctx.app.last_access_by_info_type.get(info.as_str()).copied();
        if last.is_some_and(|l| l >= horizon) {
            continue;
        }
        let mut ev = Evidence::default();
        ev.details.insert("permission".into(), json!(permission));
        ev.details.insert("unused_days".into(), json!(days));
        ev.details.insert("last_access_ms".into(), json!(last));
        ev.details.insert("observed_until_ms".into(), json!(until));
        // Said as "the last N days" only when the record was read within the last day.
        let (window_en, window_zh) = if ctx.now_ms - until > 86_400_000 {
            let when = t.when(until);
            (
                format!("in the {days} days before {when}, when it last read Android's record"),
                format!("在 {when}（它最后一次读取 Android 的记录）之前的 {days} 天内"),
            )
        } else {
            (format!("in the last {days} days"), format!("在过去 {days} 天内"))
        };
        out.push(ctx.finding(
            Rule::UnusedPermission,
            Severity::Low,
            info,
            t.pick(
                format!("{} has not used its access to your {} for {} days", ctx.name(), t.info_lower(info), days),
                format!("{} 已有 {} 天未使用其{}权限", ctx.name(), days, t.permission(info)),
            ),
            t.pick(
                format!(
                    "{} holds {} but Opsight saw no access to your {} {window_en}. A permission an app does not use is one it may not need.",
                    ctx.name(),
                    permission,
                    t.info_lower(info),
                ),
                format!(
                    "{} 持有{}权限（{}），但 Opsight {window_zh}没有看到它访问您的{}。长期不使用的权限，应用很可能并不需要。",
                    ctx.name(),
                    t.info(info),
                    permission,
                    t.info(info)
                ),
            ),
            t.pick("Revoke it; the app will ask again if a feature you use needs it.".into(), "建议撤销该权限；如果您使用的功能需要，应用会再次请求。".into()),
            vec![
                Action::RevokePermission { package: ctx.app.package.clone(), permission: permission.clone() },
                Action::OpenAppPermissions { package: ctx.app.package.clone() },
            ],
            &[],
            ev,
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `ByType` puts a type at its `as usize`, and `types_in_order` walks `InfoType::ALL`: both must be the order
    /// `InfoType`'s `Ord` sorts in, for the rules to run in the order the `BTreeMap` ran them.
    #[test]
    fn the_types_places_are_their_order() {
        for (i, t) in InfoType::ALL.into_iter().enumerate() {
            assert_eq!(t as usize, i, "{t}");
        }
        assert!(InfoType::ALL.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn a_record_is_the_apps_own_unless_it_made_it_for_another() {
        let with = |flags: &str| ActivityEvent {
            t: 0,
            device: 1,
            op: "READ_CONTACTS".into(),
            info_type: "contacts".into(),
            reject: false,
            uid_state: "bg".into(),
            visibility: Visibility::Background,
            flags: flags.into(),
            proxy_package: None,
            duration_ms: None,
        };
        for (flags, charged) in [
            ("s", true),
            ("tp", false),
            ("up", false),
            ("tpd", true),
            ("upd", true),
            ("up|upd", true),
            ("tp|tpd", true),
        ] {
            assert_eq!(charged_to_app(&with(flags)), charged, "{flags}");
        }
    }
}
