//! Inline SVG: an app's timeline (days by hours, one row per kind of information), the legend, and the per-day
//! overview. Geometry is kept apart from drawing so it can be tested.
//!
//! Only days that have events get a column; a run of days without events between two columns becomes a narrow gap
//! (a dumps' history can span years with a few days of data). Within a day column, x is the local hour of the day
//! in the device's zone, so a day with a DST change still spans 00:00–24:00.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::str::FromStr;

use jiff::civil::Date;
use jiff::tz::TimeZone;
use opsight_core::ops::InfoType;
use opsight_core::store::TimelineEvent;

use super::html::esc;
use super::text::{MarkClass, Text};

/// Width of the row labels on the left.
pub const LABEL_W: f64 = 150.0;
/// Height of the headings on top: the year (where it changes), the day, the hours.
pub const HEAD_H: f64 = 48.0;
pub const ROW_H: f64 = 28.0;
/// Width of the gap that stands for days without events.
pub const GAP_W: f64 = 16.0;
/// The plot aims at this width; fewer days get wider columns, many days make the figure scroll.
pub const PLOT_TARGET_W: f64 = 980.0;
pub const MIN_DAY_W: f64 = 36.0;
pub const MAX_DAY_W: f64 = 144.0;
/// Vertical offset of the foreground lane (up) and background lane (down) from a row's centre line.
pub const LANE: f64 = 6.5;
const RIGHT_PAD: f64 = 8.0;

/// The local date and hour of the day (`14.5` is 14:30) of an instant in `zone`.
pub fn local_day_hour(t_ms: i64, zone: &TimeZone) -> Option<(Date, f64)> {
    let z = jiff::Timestamp::from_millisecond(t_ms).ok()?.to_zoned(zone.clone());
    let hour = f64::from(z.hour()) + f64::from(z.minute()) / 60.0 + f64::from(z.second()) / 3600.0;
    Some((z.date(), hour))
}

/// Day columns: their dates, where each starts, and the gaps between non-consecutive days.
#[derive(Debug, Clone, PartialEq)]
pub struct DayAxis {
    pub days: Vec<Date>,
    /// Left edge of each day's column, from the plot's left edge.
    pub starts: Vec<f64>,
    pub day_w: f64,
    /// (left edge of the gap, number of days left out).
    pub gaps: Vec<(f64, i64)>,
    pub width: f64,
}

impl DayAxis {
    pub fn new(mut days: Vec<Date>, target_w: f64, min_w: f64, max_w: f64) -> DayAxis {
        days.sort();
        days.dedup();
        let n = days.len().max(1) as f64;
        let day_w = (target_w / n).clamp(min_w, max_w);
        let mut starts = Vec::with_capacity(days.len());
        let mut gaps = Vec::new();
        let mut x = 0.0;
        for (i, d) in days.iter().enumerate() {
            if i > 0 {
                let missing = days[i - 1].until(*d).map_or(0, |span| i64::from(span.get_days())) - 1;
                if missing > 0 {
                    gaps.push((x, missing));
                    x += GAP_W;
                }
            }
            starts.push(x);
            x += day_w;
        }
        DayAxis { days, starts, day_w, gaps, width: x }
    }

    pub fn index(&self, date: Date) -> Option<usize> {
        self.days.binary_search(&date).ok()
    }

    /// Whether column `i` opens a year on the axis: the first column, and each whose year differs from the column
    /// before it. Day headings leave the year out, so these columns name it.
    pub fn opens_year(&self, i: usize) -> bool {
        match (i.checked_sub(1).and_then(|p| self.days.get(p)), self.days.get(i)) {
            (Some(before), Some(day)) => before.year() != day.year(),
            (None, Some(_)) => true,
            _ => false,
        }
    }

    /// x of an hour of the day (0–24) in a day column, from the plot's left edge.
    pub fn x(&self, day: usize, hour: f64) -> f64 {
        self.starts.get(day).copied().unwrap_or(0.0) + hour.clamp(0.0, 24.0) / 24.0 * self.day_w
    }
}

/// One drawn mark: every event of one kind of information, one class, in one hour of one day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mark {
    pub row: usize,
    pub day: usize,
    pub hour: u8,
    pub class: MarkClass,
    pub count: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TimelineLayout {
    /// Kinds of information present, in the catalog's order (location first, other last).
    pub rows: Vec<InfoType>,
    pub axis: DayAxis,
    pub marks: Vec<Mark>,
}

pub fn class_of(e: &TimelineEvent) -> MarkClass {
    if e.kind != "access" {
        return MarkClass::Reject;
    }
    match e.foreground {
        Some(true) => MarkClass::Foreground,
        Some(false) => MarkClass::Background,
        None => MarkClass::Unknown,
    }
}

/// Places `events` on days and hours in `zone`. `None` when there is nothing to draw.
pub fn layout(events: &[TimelineEvent], zone: &TimeZone) -> Option<TimelineLayout> {
    let placed: Vec<(InfoType, Date, f64, MarkClass)> = events
        .iter()
        .filter_map(|e| {
            let (date, hour) = local_day_hour(e.start_utc_ms, zone)?;
            Some((InfoType::from_str(&e.info_type).unwrap_or(InfoType::Other), date, hour, class_of(e)))
        })
        .collect();
    if placed.is_empty() {
        return None;
    }
    let mut rows: Vec<InfoType> = placed.iter().map(|p| p.0).collect();
    rows.sort_by_key(|t| InfoType::ALL.iter().position(|a| a == t));
    rows.dedup();
    let axis = DayAxis::new(placed.iter().map(|p| p.1).collect(), PLOT_TARGET_W, MIN_DAY_W, MAX_DAY_W);
    let mut counts: BTreeMap<(usize, usize, u8, MarkClass), u64> = BTreeMap::new();
    for (info, date, hour, class) in placed {
        let row = rows.iter().position(|r| *r == info).unwrap_or(0);
        let day = axis.index(date).unwrap_or(0);
        *counts.entry((row, day, hour.floor().clamp(0.0, 23.0) as u8, class)).or_default() += 1;
    }
    let marks =
        counts.into_iter().map(|((row, day, hour, class), count)| Mark { row, day, hour, class, count }).collect();
    Some(TimelineLayout { rows, axis, marks })
}

/// Radius of a mark: grows with the number of events in its hour, slowly, and is capped to fit its lane.
pub fn mark_radius(count: u64) -> f64 {
    let extra = (count.max(1) as f64).log2() * 0.55;
    (2.6 + extra).min(4.6)
}

/// Centre of a mark inside the figure.
pub fn mark_center(l: &TimelineLayout, m: &Mark) -> (f64, f64) {
    let x = LABEL_W + l.axis.x(m.day, f64::from(m.hour) + 0.5);
    let mid = HEAD_H + ROW_H * m.row as f64 + ROW_H / 2.0;
    let y = match m.class {
        MarkClass::Foreground => mid - LANE,
        MarkClass::Background => mid + LANE,
        MarkClass::Unknown | MarkClass::Reject => mid,
    };
    (x, y)
}

pub fn figure_size(l: &TimelineLayout) -> (f64, f64) {
    (LABEL_W + l.axis.width + RIGHT_PAD, HEAD_H + ROW_H * l.rows.len() as f64 + 18.0)
}

fn n(v: f64) -> String {
    let s = format!("{v:.1}");
    s.strip_suffix(".0").map_or(s.clone(), str::to_owned)
}

/// One mark's SVG: filled circle (foreground), hollow circle (background), square (unknown), cross (refused).
pub fn mark_shape(class: MarkClass, x: f64, y: f64, r: f64, title: &str) -> String {
    let t = if title.is_empty() { String::new() } else { format!("<title>{title}</title>") };
    match class {
        MarkClass::Foreground => {
            format!("<circle class=\"m-fg\" cx=\"{}\" cy=\"{}\" r=\"{}\">{t}</circle>", n(x), n(y), n(r))
        }
        MarkClass::Background => {
            format!("<circle class=\"m-bg\" cx=\"{}\" cy=\"{}\" r=\"{}\">{t}</circle>", n(x), n(y), n(r - 0.6))
        }
        MarkClass::Unknown => {
            let side = r * 1.7;
            format!(
                "<rect class=\"m-unk\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\">{t}</rect>",
                n(x - side / 2.0),
                n(y - side / 2.0),
                n(side),
                n(side)
            )
        }
        MarkClass::Reject => {
            let d = r * 0.95;
            format!(
                "<path class=\"m-rej\" d=\"M{} {}L{} {}M{} {}L{} {}\">{t}</path>",
                n(x - d),
                n(y - d),
                n(x + d),
                n(y + d),
                n(x - d),
                n(y + d),
                n(x + d),
                n(y - d)
            )
        }
    }
}

/// The timeline of one app as an `<svg>` element. `aria` names it (already escaped by the caller).
pub fn timeline_svg(l: &TimelineLayout, t: Text, aria: &str) -> String {
    let (w, h) = figure_size(l);
    let plot_bottom = HEAD_H + ROW_H * l.rows.len() as f64;
    let mut s = String::with_capacity(4096 + l.marks.len() * 120);
    let _ = write!(
        s,
        "<svg class=\"timeline\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" viewBox=\"0 0 {} {}\" \
         role=\"img\" aria-label=\"{aria}\">",
        n(w),
        n(h),
        n(w),
        n(h)
    );
    // Day columns: night shading, hour ticks, heading.
    for (i, date) in l.axis.days.iter().enumerate() {
        let x0 = LABEL_W + l.axis.x(i, 0.0);
        let night_w = l.axis.day_w * 6.0 / 24.0;
        let _ = write!(
            s,
            "<rect class=\"night\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/>",
            n(x0),
            n(HEAD_H),
            n(night_w),
            n(plot_bottom - HEAD_H)
        );
        let _ = write!(
            s,
            "<line class=\"day\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>",
            n(x0),
            n(HEAD_H - 4.0),
            n(x0),
            n(plot_bottom)
        );
        if l.axis.opens_year(i) {
            let _ =
                write!(s, "<text class=\"year\" x=\"{}\" y=\"12\">{}</text>", n(x0 + 2.0), t.year_label(date.year()));
        }
        let _ = write!(
            s,
            "<text class=\"dayl\" x=\"{}\" y=\"27\" text-anchor=\"middle\">{}</text>",
            n(x0 + l.axis.day_w / 2.0),
            esc(&t.day_label(*date))
        );
        if l.axis.day_w >= 72.0 {
            for hour in [0.0, 6.0, 12.0, 18.0] {
                let x = LABEL_W + l.axis.x(i, hour);
                let _ = write!(
                    s,
                    "<text class=\"hour\" x=\"{}\" y=\"{}\">{}</text>",
                    n(x + 2.0),
                    n(HEAD_H - 6.0),
                    hour as u32
                );
            }
        }
    }
    let right = LABEL_W + l.axis.width;
    let _ = write!(
        s,
        "<line class=\"day\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>",
        n(right),
        n(HEAD_H - 4.0),
        n(right),
        n(plot_bottom)
    );
    for (x, days) in &l.axis.gaps {
        let gx = LABEL_W + x;
        let _ = write!(
            s,
            "<g class=\"gap\"><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/><text x=\"{}\" y=\"{}\" \
             text-anchor=\"middle\">⋯</text><title>{}</title></g>",
            n(gx),
            n(HEAD_H),
            n(GAP_W),
            n(plot_bottom - HEAD_H),
            n(gx + GAP_W / 2.0),
            n(HEAD_H + (plot_bottom - HEAD_H) / 2.0 + 4.0),
            esc(&t.gap(*days))
        );
    }
    // Rows: separators and labels.
    for (row, info) in l.rows.iter().enumerate() {
        let top = HEAD_H + ROW_H * row as f64;
        let _ = write!(
            s,
            "<line class=\"row\" x1=\"0\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>",
            n(top + ROW_H),
            n(right),
            n(top + ROW_H)
        );
        let _ = write!(
            s,
            "<text class=\"rowl\" x=\"4\" y=\"{}\">{}</text>",
            n(top + ROW_H / 2.0 + 4.0),
            esc(info.label(t.lang))
        );
    }
    // Marks.
    for m in &l.marks {
        let (x, y) = mark_center(l, m);
        let info = l.rows.get(m.row).copied().unwrap_or(InfoType::Other);
        let date = l.axis.days.get(m.day).map(|d| d.to_string()).unwrap_or_default();
        let title = format!(
            "{} · {date} {:02}:00–{:02}:00 · {}",
            info.label(t.lang),
            m.hour,
            m.hour + 1,
            t.mark(m.class, m.count)
        );
        s.push_str(&mark_shape(m.class, x, y, mark_radius(m.count), &esc(&title)));
    }
    s.push_str("</svg>");
    s
}

/// What a legend entry shows beside its text.
#[derive(Clone, Copy)]
enum Swatch {
    Mark(MarkClass),
    Night,
    Gap,
    Size,
    Bar,
    BarRefused,
}

/// The legend: what each mark of the timelines and each part of the per-day bars means, drawn with the same shapes.
pub fn legend_svg(t: Text) -> String {
    let items = [
        (Swatch::Mark(MarkClass::Foreground), t.legend_foreground()),
        (Swatch::Mark(MarkClass::Background), t.legend_background()),
        (Swatch::Mark(MarkClass::Unknown), t.legend_unknown()),
        (Swatch::Mark(MarkClass::Reject), t.legend_reject()),
        (Swatch::Night, t.legend_night()),
        (Swatch::Gap, t.legend_gap()),
        (Swatch::Size, t.legend_size()),
        (Swatch::Bar, t.legend_bar()),
        (Swatch::BarRefused, t.legend_bar_refused()),
    ];
    let h = 8.0 + 22.0 * items.len() as f64;
    let mut s = format!(
        "<svg class=\"legend\" xmlns=\"http://www.w3.org/2000/svg\" width=\"320\" height=\"{}\" \
         viewBox=\"0 0 320 {}\" role=\"img\" aria-hidden=\"true\">",
        n(h),
        n(h)
    );
    for (i, (swatch, label)) in items.iter().enumerate() {
        let y = 12.0 + 22.0 * i as f64;
        match swatch {
            Swatch::Mark(c) => s.push_str(&mark_shape(*c, 12.0, y, 4.0, "")),
            Swatch::Night => {
                let _ = write!(s, "<rect class=\"night\" x=\"4\" y=\"{}\" width=\"16\" height=\"14\"/>", n(y - 7.0));
            }
            Swatch::Gap => {
                let _ = write!(
                    s,
                    "<g class=\"gap\"><rect x=\"6\" y=\"{}\" width=\"12\" height=\"14\"/><text x=\"12\" y=\"{}\" \
                     text-anchor=\"middle\">⋯</text></g>",
                    n(y - 7.0),
                    n(y + 4.0)
                );
            }
            Swatch::Size => {
                s.push_str(&mark_shape(MarkClass::Foreground, 7.0, y, mark_radius(1), ""));
                s.push_str(&mark_shape(MarkClass::Foreground, 17.0, y, mark_radius(64), ""));
            }
            Swatch::Bar => {
                let _ = write!(s, "<rect class=\"bar\" x=\"7\" y=\"{}\" width=\"10\" height=\"14\"/>", n(y - 7.0));
            }
            Swatch::BarRefused => {
                let _ = write!(
                    s,
                    "<rect class=\"bar\" x=\"7\" y=\"{}\" width=\"10\" height=\"9\"/>\
                     <rect class=\"bar-rej\" x=\"7\" y=\"{}\" width=\"10\" height=\"5\"/>",
                    n(y - 2.0),
                    n(y - 7.0)
                );
            }
        }
        let _ = write!(s, "<text x=\"28\" y=\"{}\">{}</text>", n(y + 4.0), esc(label));
    }
    s.push_str("</svg>");
    s
}

/// Least distance between the centres of two day labels under the per-day bars.
const DAY_LABEL_SPACING: f64 = 34.0;

/// Which bars of the per-day chart get a date under them. Each bar that opens a year does, with the year below
/// it, so that no stretch of bars is read as the wrong year. The others are labelled from left to right, each at
/// least `DAY_LABEL_SPACING` from the label before it and from the next year's label.
fn labelled_days(axis: &DayAxis, x: impl Fn(usize) -> f64) -> Vec<usize> {
    let opening: Vec<usize> = (0..axis.days.len()).filter(|&i| axis.opens_year(i)).collect();
    let mut labelled = Vec::new();
    let mut last_x = f64::NEG_INFINITY;
    for i in 0..axis.days.len() {
        let next_opening = opening.iter().find(|&&o| o > i).map_or(f64::INFINITY, |&o| x(o));
        let fits = x(i) - last_x >= DAY_LABEL_SPACING && next_opening - x(i) >= DAY_LABEL_SPACING;
        if axis.opens_year(i) || fits {
            labelled.push(i);
            last_x = x(i);
        }
    }
    labelled
}

/// Per-day totals for the overview chart: (date, accesses, rejects).
pub fn daily_svg(days: &[(Date, u64, u64)], t: Text) -> Option<String> {
    if days.is_empty() {
        return None;
    }
    // Narrower than a timeline, so the legend fits beside it.
    let axis = DayAxis::new(days.iter().map(|d| d.0).collect(), 700.0, 16.0, 48.0);
    let max = days.iter().map(|d| d.1 + d.2).max().unwrap_or(1).max(1) as f64;
    let (left, top, plot_h) = (40.0, 10.0, 110.0);
    let w = left + axis.width + RIGHT_PAD;
    let h = top + plot_h + 36.0;
    let mut s = format!(
        "<svg class=\"daily\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" viewBox=\"0 0 {} {}\" \
         role=\"img\" aria-label=\"{}\">",
        n(w),
        n(h),
        n(w),
        n(h),
        esc(&daily_summary(days, t))
    );
    let base = top + plot_h;
    let _ = write!(
        s,
        "<line class=\"row\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>",
        n(left),
        n(base),
        n(left + axis.width),
        n(base)
    );
    let _ = write!(
        s,
        "<text class=\"hour\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
        n(left - 4.0),
        n(top + 8.0),
        max as u64
    );
    let _ = write!(s, "<text class=\"hour\" x=\"{}\" y=\"{}\" text-anchor=\"end\">0</text>", n(left - 4.0), n(base));
    let bar_x = |i: usize| left + axis.x(i, 0.0) + axis.day_w * 0.15;
    let bw = axis.day_w * 0.7;
    for (date, access, reject) in days {
        let Some(idx) = axis.index(*date) else { continue };
        let x = bar_x(idx);
        let ha = *access as f64 / max * plot_h;
        let hr = *reject as f64 / max * plot_h;
        let title = esc(&t.daily_bar(&date.to_string(), *access, *reject));
        let _ = write!(
            s,
            "<g><title>{title}</title><rect class=\"bar\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/>",
            n(x),
            n(base - ha),
            n(bw),
            n(ha)
        );
        if hr > 0.0 {
            let _ = write!(
                s,
                "<rect class=\"bar-rej\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/>",
                n(x),
                n(base - ha - hr),
                n(bw),
                n(hr)
            );
        }
        s.push_str("</g>");
    }
    for i in labelled_days(&axis, |i| bar_x(i) + bw / 2.0) {
        let (date, centre) = (axis.days[i], bar_x(i) + bw / 2.0);
        let _ = write!(
            s,
            "<text class=\"hour\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{:02}-{:02}</text>",
            n(centre),
            n(base + 14.0),
            date.month(),
            date.day()
        );
        if axis.opens_year(i) {
            let _ = write!(
                s,
                "<text class=\"year\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
                n(centre),
                n(base + 27.0),
                t.year_label(date.year())
            );
        }
    }
    for (x, days) in &axis.gaps {
        let gx = left + x;
        let _ = write!(
            s,
            "<g class=\"gap\"><text x=\"{}\" y=\"{}\" text-anchor=\"middle\">⋯</text><title>{}</title></g>",
            n(gx + GAP_W / 2.0),
            n(base - 4.0),
            esc(&t.gap(*days))
        );
    }
    s.push_str("</svg>");
    Some(s)
}

/// What the per-day chart shows, for a screen reader: how many days, from when to when, and the busiest day.
fn daily_summary(days: &[(Date, u64, u64)], t: Text) -> String {
    let first = days.iter().map(|d| d.0).min();
    let last = days.iter().map(|d| d.0).max();
    // The earliest of the busiest days, so that the text does not depend on the order of `days`.
    let busiest = days.iter().max_by(|a, b| (a.1 + a.2).cmp(&(b.1 + b.2)).then(b.0.cmp(&a.0)));
    match (first, last, busiest) {
        (Some(first), Some(last), Some(&(day, access, reject))) => t.daily_summary(
            days.len(),
            &first.to_string(),
            &last.to_string(),
            &t.daily_bar(&day.to_string(), access, reject),
        ),
        _ => t.daily_heading().to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use opsight_core::ops::Lang;
    use opsight_core::store::Visibility;

    fn date(s: &str) -> Date {
        s.parse().expect("date")
    }

    fn ms(s: &str) -> i64 {
        s.parse::<jiff::Timestamp>().expect("instant").as_millisecond()
    }

    fn event(t: &str, info: &str, kind: &'static str, foreground: Option<bool>) -> TimelineEvent {
        TimelineEvent {
            op: "OP".into(),
            info_type: info.into(),
            kind,
            start_utc_ms: ms(t),
            duration_ms: None,
            uid_state: None,
            visibility: Visibility::Unknown,
            foreground,
            flags: vec![].into(),
            attribution_tag: None,
            proxy_package: None,
            proxy_uid: None,
            uid: None,
            source: "last_access",
            time_basis: opsight_core::time::TimeBasis::LocalWithZone,
            precision_ms: None,
        }
    }

    #[test]
    fn consecutive_days_sit_side_by_side_and_gaps_are_narrow() {
        let axis = DayAxis::new(
            vec![date("2026-03-03"), date("2026-03-02"), date("2026-03-03"), date("2026-03-07")],
            300.0,
            36.0,
            144.0,
        );
        assert_eq!(axis.days, vec![date("2026-03-02"), date("2026-03-03"), date("2026-03-07")]);
        assert_eq!(axis.day_w, 100.0);
        assert_eq!(axis.starts, vec![0.0, 100.0, 200.0 + GAP_W]);
        assert_eq!(axis.gaps, vec![(200.0, 3)], "the 4th, 5th and 6th are left out");
        assert_eq!(axis.width, 300.0 + GAP_W);
        assert_eq!(axis.x(1, 12.0), 150.0);
        assert_eq!(axis.x(2, 6.0), 200.0 + GAP_W + 25.0);
        assert_eq!(axis.x(0, 30.0), 100.0, "hours are clamped to the day");
    }

    #[test]
    fn day_width_is_clamped() {
        assert_eq!(DayAxis::new(vec![date("2026-03-02")], 980.0, 36.0, 144.0).day_w, 144.0);
        let many: Vec<Date> =
            (0..100).map(|i| date("2026-01-01").checked_add(jiff::Span::new().days(i)).expect("d")).collect();
        let axis = DayAxis::new(many, 980.0, 36.0, 144.0);
        assert_eq!(axis.day_w, 36.0);
        assert_eq!(axis.width, 3600.0, "the figure scrolls instead of squeezing");
        assert!(axis.gaps.is_empty());
    }

    #[test]
    fn instants_land_on_the_local_day_and_hour() {
        let shanghai = TimeZone::get("Asia/Shanghai").expect("zone");
        // 2026-03-02T18:30Z is 02:30 on the 3rd in Shanghai.
        assert_eq!(local_day_hour(ms("2026-03-02T18:30:00Z"), &shanghai), Some((date("2026-03-03"), 2.5)));
        // Berlin's spring-forward day: 03:15 local is 01:15Z.
        let berlin = TimeZone::get("Europe/Berlin").expect("zone");
        assert_eq!(local_day_hour(ms("2026-03-29T01:15:00Z"), &berlin), Some((date("2026-03-29"), 3.25)));
    }

    #[test]
    fn events_become_one_mark_per_type_hour_and_class() {
        let events = vec![
            event("2026-03-02T10:05:00Z", "contacts", "access", Some(false)),
            event("2026-03-02T10:55:00Z", "contacts", "access", Some(false)),
            event("2026-03-02T10:56:00Z", "contacts", "access", Some(true)),
            event("2026-03-02T10:57:00Z", "contacts", "reject", Some(false)),
            event("2026-03-04T23:59:59Z", "location", "access", None),
            event("2026-03-04T23:00:00Z", "not_a_type", "access", Some(true)),
        ];
        let l = layout(&events, &TimeZone::UTC).expect("layout");
        assert_eq!(l.rows, vec![InfoType::Location, InfoType::Contacts, InfoType::Other]);
        assert_eq!(l.axis.days, vec![date("2026-03-02"), date("2026-03-04")]);
        let mark = |row, class| l.marks.iter().find(|m| m.row == row && m.class == class).cloned().expect("mark");
        assert_eq!(
            mark(1, MarkClass::Background),
            Mark { row: 1, day: 0, hour: 10, class: MarkClass::Background, count: 2 }
        );
        assert_eq!(mark(1, MarkClass::Foreground).count, 1);
        assert_eq!(mark(1, MarkClass::Reject).count, 1);
        assert_eq!(mark(0, MarkClass::Unknown).hour, 23);
        assert_eq!(l.marks.len(), 5);
        assert!(layout(&[], &TimeZone::UTC).is_none());
    }

    #[test]
    fn marks_sit_in_their_hour_and_lane() {
        let events = vec![
            event("2026-03-02T06:00:00Z", "sms", "access", Some(true)),
            event("2026-03-02T06:10:00Z", "sms", "access", Some(false)),
            event("2026-03-02T06:20:00Z", "sms", "reject", Some(false)),
        ];
        let l = layout(&events, &TimeZone::UTC).expect("layout");
        let day_w = l.axis.day_w;
        let centre_x = LABEL_W + 6.5 / 24.0 * day_w;
        let mid = HEAD_H + ROW_H / 2.0;
        for m in &l.marks {
            let (x, y) = mark_center(&l, m);
            assert!((x - centre_x).abs() < 1e-9);
            let expected = match m.class {
                MarkClass::Foreground => mid - LANE,
                MarkClass::Background => mid + LANE,
                _ => mid,
            };
            assert!((y - expected).abs() < 1e-9, "{:?}", m.class);
            // Marks stay inside their row and their hour's neighbourhood.
            let r = mark_radius(m.count);
            assert!(y - r >= HEAD_H && y + r <= HEAD_H + ROW_H);
        }
        assert_eq!(figure_size(&l), (LABEL_W + day_w + 8.0, HEAD_H + ROW_H + 18.0));
    }

    #[test]
    fn mark_sizes_grow_slowly_and_stay_in_the_lane() {
        assert_eq!(mark_radius(0), mark_radius(1));
        assert!(mark_radius(2) > mark_radius(1));
        assert!(mark_radius(10_000) <= 4.6);
        const { assert!(LANE + 4.6 <= ROW_H / 2.0) };
    }

    #[test]
    fn shapes_differ_by_class_not_only_by_colour() {
        let t = |c| mark_shape(c, 10.0, 10.0, 4.0, "x");
        assert!(t(MarkClass::Foreground).starts_with("<circle class=\"m-fg\""));
        assert!(t(MarkClass::Background).starts_with("<circle class=\"m-bg\""));
        assert!(t(MarkClass::Unknown).starts_with("<rect class=\"m-unk\""));
        assert!(t(MarkClass::Reject).starts_with("<path class=\"m-rej\" d=\"M6.2 6.2L13.8 13.8M6.2 13.8L13.8 6.2\""));
        assert!(t(MarkClass::Foreground).contains("<title>x</title>"));
    }

    #[test]
    fn the_timeline_names_days_rows_and_counts() {
        let events = vec![
            event("2026-03-02T10:05:00Z", "contacts", "access", Some(false)),
            event("2026-03-05T10:05:00Z", "contacts", "access", Some(false)),
        ];
        let l = layout(&events, &TimeZone::UTC).expect("layout");
        let svg = timeline_svg(&l, Text { lang: Lang::En }, "Access timeline of X");
        assert!(svg.starts_with("<svg class=\"timeline\""));
        assert!(svg.ends_with("</svg>"));
        assert!(svg.contains(">Mon 03-02</text>") && svg.contains(">Thu 03-05</text>"));
        assert!(svg.contains(">Contacts</text>"));
        assert!(svg.contains("<title>2 days without events</title>"));
        assert!(svg.contains("<title>Contacts · 2026-03-02 10:00–11:00 · 1 access in the background</title>"));
        let zh = timeline_svg(&l, Text { lang: Lang::ZhCn }, "X");
        assert!(zh.contains(">3月2日 周一</text>") && zh.contains(">通讯录</text>"));
        assert!(zh.contains("后台访问 1 次"));
    }

    /// Two rows, two days and a gap between them: every position follows from the constants, so that a row, day or
    /// gap drawn in the wrong place shows (with one row and one day, most offsets are zero).
    #[test]
    fn the_timeline_places_rows_days_gaps_and_marks() {
        let events = vec![
            event("2026-03-02T10:05:00Z", "contacts", "access", Some(false)),
            event("2026-03-05T14:30:36Z", "location", "access", Some(true)),
        ];
        let l = layout(&events, &TimeZone::UTC).expect("layout");
        assert_eq!(l.rows, vec![InfoType::Location, InfoType::Contacts]);
        // Two days of 144 (the widest), 3rd and 4th left out: a 16-wide gap at 144, the second day at 160.
        assert_eq!(
            (l.axis.day_w, l.axis.starts.clone(), l.axis.gaps.clone()),
            (144.0, vec![0.0, 160.0], vec![(144.0, 2)])
        );
        assert_eq!(figure_size(&l), (LABEL_W + 304.0 + 8.0, HEAD_H + 2.0 * ROW_H + 18.0));
        let centre = |info| {
            let m = l.marks.iter().find(|m| l.rows[m.row] == info).expect("mark");
            mark_center(&l, m)
        };
        // Contacts (row 1) at 10:00–11:00 on day 0, in the background lane; location (row 0) at 14:00–15:00 on day
        // 1, in the foreground lane.
        assert_eq!(centre(InfoType::Contacts), (LABEL_W + 10.5 / 24.0 * 144.0, HEAD_H + ROW_H + ROW_H / 2.0 + LANE));
        assert_eq!(centre(InfoType::Location), (LABEL_W + 160.0 + 14.5 / 24.0 * 144.0, HEAD_H + ROW_H / 2.0 - LANE));

        let svg = timeline_svg(&l, Text { lang: Lang::En }, "X");
        assert!(svg.contains("width=\"462\" height=\"122\" viewBox=\"0 0 462 122\""), "{svg}");
        // Day 1's night shading and left edge: 150 + 160; the plot spans rows 48 to 104.
        assert!(svg.contains("<rect class=\"night\" x=\"310\" y=\"48\" width=\"36\" height=\"56\"/>"), "{svg}");
        assert!(svg.contains("<line class=\"day\" x1=\"310\" y1=\"44\" x2=\"310\" y2=\"104\"/>"), "{svg}");
        assert!(svg.contains("<text class=\"dayl\" x=\"382\" y=\"27\" text-anchor=\"middle\">Thu 03-05</text>"));
        assert!(svg.contains(
            "<g class=\"gap\"><rect x=\"294\" y=\"48\" width=\"16\" height=\"56\"/><text x=\"302\" y=\"80\" \
             text-anchor=\"middle\">⋯</text><title>2 days without events</title></g>"
        ));
        assert!(svg.contains("<line class=\"row\" x1=\"0\" y1=\"104\" x2=\"454\" y2=\"104\"/>"), "{svg}");
        assert!(svg.contains("<text class=\"rowl\" x=\"4\" y=\"94\">Contacts</text>"), "{svg}");
        // Both days are in 2026: the year is named once, over the first column.
        assert_eq!(svg.matches("class=\"year\"").count(), 1, "{svg}");
        assert!(svg.contains("<text class=\"year\" x=\"152\" y=\"12\">2026</text>"), "{svg}");
    }

    #[test]
    fn a_mark_grows_with_the_log_of_its_count() {
        assert_eq!(mark_radius(1), 2.6);
        assert_eq!(mark_radius(4), 2.6 + 2.0 * 0.55);
        assert_eq!(mark_radius(1 << 20), 4.6, "capped");
        // Minutes and seconds place an instant within its hour.
        let (_, hour) = local_day_hour(ms("2026-03-02T14:30:36Z"), &TimeZone::UTC).expect("hour");
        assert!((hour - 14.51).abs() < 1e-9, "{hour}");
    }

    #[test]
    fn the_daily_chart_places_bars_labels_and_gaps() {
        let svg = daily_svg(&[(date("2026-03-02"), 10, 0), (date("2026-03-05"), 5, 5)], Text { lang: Lang::En })
            .expect("chart");
        // Days 48 wide, the second after a 16-wide gap: its bar starts at 40 + 64 + 15 % of 48. The busiest day (10)
        // fills the 110 high plot, whose base is at 120.
        assert!(svg.contains("<rect class=\"bar\" x=\"111.2\" y=\"65\" width=\"33.6\" height=\"55\"/>"), "{svg}");
        assert!(svg.contains("<rect class=\"bar-rej\" x=\"111.2\" y=\"10\" width=\"33.6\" height=\"55\"/>"), "{svg}");
        assert_eq!(svg.matches("class=\"bar-rej\"").count(), 1, "no refusal bar for a day without refusals");
        // Every day is labelled when the days are wide enough (34 per label).
        assert!(svg.contains(">03-02</text>") && svg.contains(">03-05</text>"), "{svg}");
        assert!(svg.contains(
            "<g class=\"gap\"><text x=\"96\" y=\"116\" text-anchor=\"middle\">⋯</text><title>2 days without events</title></g>"
        ), "{svg}");
        // Narrow days are labelled every few: 40 days of 17.5 get one label every 2.
        let many: Vec<(Date, u64, u64)> =
            (0..40).map(|i| (date("2026-01-01").checked_add(jiff::Span::new().days(i)).expect("d"), 1, 0)).collect();
        let svg = daily_svg(&many, Text { lang: Lang::En }).expect("chart");
        assert_eq!(
            svg.matches("text-anchor=\"middle\">01-").count() + svg.matches("text-anchor=\"middle\">02-").count(),
            20
        );
        assert!(svg.contains(">01-01</text>") && svg.contains(">01-03</text>") && !svg.contains(">01-02</text>"));
    }

    #[test]
    fn the_daily_chart_scales_to_the_busiest_day() {
        let svg = daily_svg(&[(date("2026-03-02"), 10, 0), (date("2026-03-03"), 5, 5)], Text { lang: Lang::En })
            .expect("chart");
        assert!(svg.contains("<title>2026-03-02: 10 accesses, 0 refused attempts</title>"));
        assert!(svg.contains("class=\"bar-rej\""));
        assert!(daily_svg(&[], Text { lang: Lang::En }).is_none());
    }

    #[test]
    fn the_year_is_named_where_it_begins() {
        let axis = DayAxis::new(
            ["2021-01-11", "2021-05-20", "2022-03-08", "2026-11-22", "2026-11-23"].map(date).to_vec(),
            980.0,
            36.0,
            144.0,
        );
        let opening: Vec<bool> = (0..6).map(|i| axis.opens_year(i)).collect();
        assert_eq!(opening, [true, false, true, true, false, false], "the sixth column does not exist");

        let events: Vec<TimelineEvent> = ["2021-01-11T10:00:00Z", "2021-05-20T10:00:00Z", "2022-03-08T10:00:00Z"]
            .iter()
            .map(|t| event(t, "sms", "access", Some(true)))
            .collect();
        let l = layout(&events, &TimeZone::UTC).expect("layout");
        let svg = timeline_svg(&l, Text { lang: Lang::En }, "X");
        // Columns of 144 with a gap of 16 after each: 2021 over the first, 2022 over the third.
        assert_eq!(svg.matches("class=\"year\"").count(), 2, "{svg}");
        assert!(svg.contains("<text class=\"year\" x=\"152\" y=\"12\">2021</text>"), "{svg}");
        assert!(svg.contains("<text class=\"year\" x=\"472\" y=\"12\">2022</text>"), "{svg}");
        let zh = timeline_svg(&l, Text { lang: Lang::ZhCn }, "X");
        assert!(zh.contains(">2021年</text>") && zh.contains(">2022年</text>"), "{zh}");
    }

    #[test]
    fn the_daily_chart_names_each_year_under_its_first_bar() {
        // 40 narrow days across New Year: one label every 2 days from the 21st, but the 1st of January is labelled
        // with its year, and the label that would crowd it (the 31st) is left out.
        let many: Vec<(Date, u64, u64)> =
            (0..40).map(|i| (date("2025-12-21").checked_add(jiff::Span::new().days(i)).expect("d"), 1, 0)).collect();
        let svg = daily_svg(&many, Text { lang: Lang::En }).expect("chart");
        let label_x = |label: &str| -> f64 {
            let end = svg.find(&format!("\">{label}</text>")).expect(label);
            let x = &svg[..end];
            let x = &x[x.rfind("x=\"").expect("x") + 3..];
            x[..x.find('"').expect("quote")].parse().expect("number")
        };
        assert!(svg.contains(">12-21</text>") && svg.contains(">12-29</text>"), "{svg}");
        assert!(!svg.contains(">12-30</text>") && !svg.contains(">12-31</text>"), "{svg}");
        assert!(svg.contains(">01-01</text>") && svg.contains(">01-03</text>"), "{svg}");
        assert_eq!(label_x("2025"), label_x("12-21"), "2025 under the first bar");
        assert_eq!(label_x("2026"), label_x("01-01"), "2026 under New Year's bar");
        assert_eq!(svg.matches("class=\"year\"").count(), 2);
        // No two day labels crowd each other.
        let xs: Vec<f64> = svg
            .match_indices("text-anchor=\"middle\">")
            .filter(|(i, _)| svg.as_bytes().get(i + 23) == Some(&b'-'))
            .map(|(i, _)| {
                let x = &svg[..i];
                let x = &x[x.rfind("x=\"").expect("x") + 3..];
                x[..x.find('"').expect("quote")].parse::<f64>().expect("number")
            })
            .collect();
        assert_eq!(xs.len(), 20, "{xs:?}");
        assert!(xs.windows(2).all(|w| w[1] - w[0] >= DAY_LABEL_SPACING), "{xs:?}");
    }

    #[test]
    fn the_charts_describe_themselves_to_screen_readers() {
        let days = [(date("2021-01-11"), 3, 1), (date("2026-11-27"), 190, 13), (date("2026-11-28"), 190, 13)];
        let svg = daily_svg(&days, Text { lang: Lang::En }).expect("chart");
        assert!(
            svg.contains(
                "aria-label=\"Sensitive accesses per day, all apps: 3 days with events, 2021-01-11 to 2026-11-28; the \
                 busiest, 2026-11-27: 190 accesses, 13 refused attempts\""
            ),
            "{svg}"
        );
        let zh = daily_svg(&days, Text { lang: Lang::ZhCn }).expect("chart");
        assert!(
            zh.contains("aria-label=\"每天的敏感信息访问次数（所有应用）：2021-01-11 至 2026-11-28 之间有 3 天有记录；最多的一天为 2026-11-27：访问 190 次，被拒绝 13 次\""),
            "{zh}"
        );
        let one = daily_svg(&days[..1], Text { lang: Lang::En }).expect("chart");
        assert!(
            one.contains("aria-label=\"Sensitive accesses per day, all apps: one day with events, 2021-01-11: 3 accesses, 1 refused attempt\""),
            "{one}"
        );
        let one = daily_svg(&days[..1], Text { lang: Lang::ZhCn }).expect("chart");
        assert!(one.contains("：只有一天有记录，2021-01-11：访问 3 次，被拒绝 1 次\""), "{one}");
        // The legend says what the bars and their red tops are.
        let legend = legend_svg(Text { lang: Lang::En });
        assert!(legend.contains(">bar: accesses that day, all apps</text>"), "{legend}");
        assert!(legend.contains("<rect class=\"bar-rej\" x=\"7\" y=\"181\" width=\"10\" height=\"5\"/>"), "{legend}");
        assert!(legend.contains(">red top of a bar: refused attempts</text>"), "{legend}");
        assert!(legend.contains("height=\"206\""), "nine entries of 22: {legend}");
    }
}
