//! When each app was in the foreground, from the platform's usage events (`UsageStatsManager.queryEvents`): the
//! inventory's `usage_events` (docs/inventory.md). The shell hands the events over as the platform gives them; the
//! rules of what makes an app foreground are here, beside what is judged with them.

use serde::{Deserialize, Serialize};

use super::inventory::UsageInterval;
use crate::by_key::ByKey;

/// `UsageEvents.Event.ACTIVITY_RESUMED` (also the older `MOVE_TO_FOREGROUND`).
pub const ACTIVITY_RESUMED: i32 = 1;
/// `UsageEvents.Event.ACTIVITY_PAUSED` (also the older `MOVE_TO_BACKGROUND`).
pub const ACTIVITY_PAUSED: i32 = 2;

/// The usage events of one query window.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsageEvents {
    /// The window queried, `[begin_ms, end_ms]` (UTC epoch ms).
    pub begin_ms: i64,
    pub end_ms: i64,
    #[serde(default)]
    pub events: Vec<UsageEvent>,
}

/// One `UsageEvents.Event`: the app, the activity's class (several activities of one app can be resumed at once, in
/// multi-window), when, and the event type as the platform numbers it. Types other than resumed and paused are
/// ignored.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsageEvent {
    pub package: String,
    #[serde(default)]
    pub class: Option<String>,
    pub time_ms: i64,
    #[serde(rename = "type")]
    pub event_type: i32,
}

/// One app's state while its events are read in time order.
#[derive(Default)]
struct Foreground {
    package: String,
    /// The activities resumed and not yet paused.
    resumed: Vec<String>,
    /// When the first of them was resumed.
    since: Option<i64>,
    intervals: Vec<UsageInterval>,
}

impl Foreground {
    fn emit(&mut self, begin_ms: i64, end_ms: i64) {
        if end_ms > begin_ms {
            self.intervals.push(UsageInterval { begin_ms, end_ms });
        }
    }
}

/// The intervals each app spent in the foreground within the window, by package, each app's sorted and merged.
///
/// An app is in the foreground while at least one of its activities is resumed. An app whose first event in the
/// window is a pause was already in the foreground at the window's start; one still resumed at the end is in the
/// foreground until the window's end. A pause of an activity not resumed in the window, after the app's first
/// event, is ignored. Events are taken in time order (those of one instant in the order given: a pause and the next
/// activity's resume at the same ms join into one interval); times outside the window count as its edges.
pub fn foreground_intervals(window: &UsageEvents) -> Vec<(String, Vec<UsageInterval>)> {
    let (begin, end) = (window.begin_ms, window.end_ms);
    let mut events: Vec<&UsageEvent> =
        window.events.iter().filter(|e| matches!(e.event_type, ACTIVITY_RESUMED | ACTIVITY_PAUSED)).collect();
    crate::sort::sort_by(&mut events, |a, b| a.time_ms.cmp(&b.time_ms));
    let mut apps: ByKey<String, Foreground> = ByKey::new();
    for e in events {
        let t = e.time_ms.clamp(begin, end.max(begin));
        let activity = e.class.clone().unwrap_or_default();
        let mut first = false;
        let app = apps.entry(e.package.clone(), || {
            first = true;
            Foreground { package: e.package.clone(), ..Foreground::default() }
        });
        if e.event_type == ACTIVITY_RESUMED {
            if app.resumed.is_empty() {
                app.since = Some(t);
            }
            // A set: an activity resumed again (its pause lost to a killed process or a shutdown) is one activity,
            // which its next pause ends.
            if !app.resumed.contains(&activity) {
                app.resumed.push(activity);
            }
        } else if let Some(i) = app.resumed.iter().position(|a| *a == activity) {
            app.resumed.swap_remove(i);
            if app.resumed.is_empty() {
                let since = app.since.take().unwrap_or(t);
                app.emit(since, t);
            }
        } else if first {
            app.emit(begin, t);
        }
    }
    apps.into_values()
        .into_iter()
        .map(|mut app| {
            if let Some(since) = app.since.take() {
                app.emit(since, end);
            }
            (app.package, merged(app.intervals))
        })
        .filter(|(_, intervals)| !intervals.is_empty())
        .collect()
}

/// Sorted, with overlapping and touching intervals joined.
fn merged(mut intervals: Vec<UsageInterval>) -> Vec<UsageInterval> {
    crate::sort::sort_by(&mut intervals, |a, b| a.begin_ms.cmp(&b.begin_ms));
    let mut out: Vec<UsageInterval> = Vec::new();
    for i in intervals {
        match out.last_mut() {
            Some(last) if i.begin_ms <= last.end_ms => last.end_ms = last.end_ms.max(i.end_ms),
            _ => out.push(i),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(package: &str, class: Option<&str>, time_ms: i64, event_type: i32) -> UsageEvent {
        UsageEvent { package: package.into(), class: class.map(str::to_owned), time_ms, event_type }
    }
    fn fg(package: &str, t: i64, class: &str) -> UsageEvent {
        event(package, Some(class), t, ACTIVITY_RESUMED)
    }
    fn bg(package: &str, t: i64, class: &str) -> UsageEvent {
        event(package, Some(class), t, ACTIVITY_PAUSED)
    }
    fn run(begin_ms: i64, end_ms: i64, events: Vec<UsageEvent>) -> Vec<(String, Vec<(i64, i64)>)> {
        foreground_intervals(&UsageEvents { begin_ms, end_ms, events })
            .into_iter()
            .map(|(p, list)| (p, list.into_iter().map(|i| (i.begin_ms, i.end_ms)).collect()))
            .collect()
    }
    fn one(package: &str, list: &[(i64, i64)]) -> Vec<(String, Vec<(i64, i64)>)> {
        vec![(package.to_owned(), list.to_vec())]
    }

    #[test]
    fn resume_then_pause_is_one_interval_and_other_types_are_ignored() {
        let events = vec![fg("a", 100, "A"), event("a", None, 150, 5), event("a", None, 160, 23), bg("a", 200, "A")];
        assert_eq!(run(0, 1000, events), one("a", &[(100, 200)]));
    }

    #[test]
    fn activities_of_one_app_make_one_interval() {
        // Switching inside the app (B resumed before A paused), and the usual order (A paused, B resumed, same ms).
        let overlap = vec![fg("a", 100, "A"), fg("a", 150, "B"), bg("a", 151, "A"), bg("a", 300, "B")];
        assert_eq!(run(0, 1000, overlap), one("a", &[(100, 300)]));
        let handover = vec![fg("a", 100, "A"), bg("a", 150, "A"), fg("a", 150, "B"), bg("a", 300, "B")];
        assert_eq!(run(0, 1000, handover), one("a", &[(100, 300)]));
    }

    #[test]
    fn an_app_open_at_the_windows_edges_is_cut_there() {
        let r = run(50, 1000, vec![bg("a", 100, "A"), fg("b", 900, "A")]);
        assert_eq!(r, [("a".to_owned(), vec![(50, 100)]), ("b".to_owned(), vec![(900, 1000)])]);
        // Times outside the window count as its edges.
        assert_eq!(run(50, 1000, vec![fg("a", 10, "A"), bg("a", 2000, "A")]), one("a", &[(50, 1000)]));
    }

    #[test]
    fn an_activity_resumed_again_is_one_activity() {
        let twice = vec![fg("a", 100, "A"), fg("a", 150, "A"), bg("a", 200, "A"), fg("a", 500, "A"), bg("a", 600, "A")];
        assert_eq!(run(0, 10_000, twice), one("a", &[(100, 200), (500, 600)]));
        let lost_pause = vec![fg("a", 100, "A"), fg("a", 5000, "A"), bg("a", 6000, "A")];
        assert_eq!(run(0, 86_400_000, lost_pause), one("a", &[(100, 6000)]));
    }

    #[test]
    fn a_stray_pause_after_the_first_event_is_ignored() {
        let events = vec![fg("a", 100, "A"), bg("a", 200, "A"), bg("a", 300, "Z")];
        assert_eq!(run(0, 1000, events), one("a", &[(100, 200)]));
    }

    #[test]
    fn apps_are_kept_apart_and_events_need_not_come_sorted() {
        let events = vec![bg("b", 400, "A"), fg("a", 100, "A"), fg("b", 300, "A"), bg("a", 200, "A")];
        assert_eq!(run(0, 1000, events), [("a".to_owned(), vec![(100, 200)]), ("b".to_owned(), vec![(300, 400)])]);
    }

    #[test]
    fn empty_intervals_are_dropped_and_a_missing_class_is_one_activity() {
        let events = vec![
            event("a", None, 100, ACTIVITY_RESUMED),
            event("a", None, 100, ACTIVITY_PAUSED),
            event("a", None, 500, ACTIVITY_RESUMED),
            event("a", None, 600, ACTIVITY_PAUSED),
        ];
        assert_eq!(run(0, 1000, events), one("a", &[(500, 600)]));
    }

    #[test]
    fn merging_joins_overlapping_and_touching_intervals() {
        let list = [(50, 60), (0, 10), (10, 20), (15, 30)].map(|(b, e)| UsageInterval { begin_ms: b, end_ms: e });
        let got: Vec<(i64, i64)> = merged(list.to_vec()).into_iter().map(|i| (i.begin_ms, i.end_ms)).collect();
        assert_eq!(got, [(0, 30), (50, 60)]);
    }

    #[test]
    fn every_interval_is_well_formed() {
        let events: Vec<UsageEvent> = (0..200)
            .map(|i| {
                let class = format!("c{}", i % 5);
                let kind = if i % 2 == 0 { ACTIVITY_RESUMED } else { ACTIVITY_PAUSED };
                event(&format!("p{}", i % 3), Some(&class), (i * 7919) % 1000, kind)
            })
            .collect();
        for (_, list) in run(0, 1000, events) {
            assert!(list.iter().all(|&(b, e)| 0 <= b && b < e && e <= 1000), "{list:?}");
            assert!(list.windows(2).all(|w| w[0].1 < w[1].0), "{list:?}");
        }
    }
}
