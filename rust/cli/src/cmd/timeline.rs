//! `opsight timeline --db FILE PACKAGE`: one app's stored events, with per-op counts; with `--grid`, its accesses per
//! information type, local day and hour (the calendar the Android app draws).

use std::io::{self, BufWriter, Write};
use std::path::PathBuf;

use jiff::tz::TimeZone;
use opsight_core::store::{GridMark, Timeline, TimelineEvent, TimelineGrid};
use serde::Serialize;

use crate::db::{self, Need};
use crate::exit::Exit;
use crate::{out, time_args};

/// Show one app's stored accesses and rejected attempts, with counts per op.
///
/// Every event, oldest first, with the op, the kind of information, the app's state (foreground or background),
/// the duration and any proxy; then counts per op and the foreground/background split. All installations (uids)
/// of the package are included.
#[derive(clap::Args)]
#[command(after_help = "Examples:
  opsight timeline --db phone.db com.facebook.katana
  opsight timeline --db phone.db --since 2026-03-01 --until 2026-03-08 --zone Europe/Berlin com.example.app
  opsight timeline --db phone.db --since 2026-03-01T08:00:00Z --json com.example.app
  opsight timeline --db phone.db --grid --days 14 --last-day 2026-03-08 com.example.app

--since and --until take a date (midnight UTC, or midnight in --zone) or an RFC 3339 instant; --since is
included, --until is not, so --since 2026-03-01 --until 2026-03-02 is exactly that day.

--grid draws a line per day and a column per hour for each kind of information: B an access in the background
(shown first: the one to notice), F in the foreground, ? in an unknown state, x refused attempts only, . nothing.
An access of a kind counts once per instant, whatever the ops (one location fix is noted as several). Its days are
in --zone, else the phone's recorded zone, else UTC.")]
pub struct Args {
    /// The database file (must exist).
    #[arg(long, value_name = "FILE")]
    db: PathBuf,
    /// Only events at or after this: a date such as 2026-03-01 or an RFC 3339 instant.
    #[arg(long, value_name = "WHEN")]
    since: Option<String>,
    /// Only events before this (excluded): a date such as 2026-03-08 or an RFC 3339 instant.
    #[arg(long, value_name = "WHEN")]
    until: Option<String>,
    /// Time zone (IANA id) for dates given to --since/--until and for the times shown; default UTC.
    #[arg(long, value_name = "ZONE")]
    zone: Option<String>,
    /// Print one JSON document (schema: docs/json.md); times are UTC epoch milliseconds whatever --zone says.
    #[arg(long)]
    json: bool,
    /// Accesses per kind of information, local day and hour, instead of the list of events.
    #[arg(long, conflicts_with_all = ["since", "until"])]
    grid: bool,
    /// With --grid: how many days, ending with --last-day (1 to 366).
    #[arg(long, value_name = "N", default_value_t = 7, requires = "grid")]
    days: u32,
    /// With --grid: the last day shown (YYYY-MM-DD); default today.
    #[arg(long, value_name = "DATE", requires = "grid")]
    last_day: Option<String>,
    /// The app's package name, e.g. com.facebook.katana.
    #[arg(value_name = "PACKAGE")]
    package: String,
}

#[derive(Serialize)]
struct TimelineDocument<'a> {
    opsight_timeline: u32,
    #[serde(flatten)]
    timeline: &'a Timeline,
}

#[derive(Serialize)]
struct GridDocument<'a> {
    opsight_timeline_grid: u32,
    #[serde(flatten)]
    grid: &'a TimelineGrid,
}

pub fn run(args: Args) -> anyhow::Result<Exit> {
    if args.grid {
        return run_grid(&args);
    }
    let zone = args.zone.as_deref().map(time_args::parse_zone).transpose()?;
    let (from, to) = time_args::time_range(args.since.as_deref(), args.until.as_deref(), zone.as_ref())?;
    let store = db::open(&args.db, Need::Existing)?;
    let timeline = store.timeline(&args.package, from, to)?;
    if args.json {
        out::json(&TimelineDocument { opsight_timeline: 1, timeline: &timeline })?;
    } else {
        let stdout = io::stdout();
        let mut w = BufWriter::new(stdout.lock());
        write_human(&mut w, &args, &timeline, zone.as_ref())?;
        w.flush()?;
    }
    Ok(Exit::Success)
}

fn run_grid(args: &Args) -> anyhow::Result<Exit> {
    let store = db::open(&args.db, Need::Existing)?;
    let zone = match &args.zone {
        Some(z) => z.clone(),
        None => store.device_zone()?.unwrap_or_else(|| "UTC".to_owned()),
    };
    let tz = time_args::parse_zone(&zone)?;
    let last_day = match &args.last_day {
        Some(day) => day.clone(),
        None => jiff::Timestamp::now().to_zoned(tz).date().to_string(),
    };
    let grid = store.timeline_grid(&args.package, &last_day, args.days, &zone)?;
    if args.json {
        out::json(&GridDocument { opsight_timeline_grid: 1, grid: &grid })?;
    } else {
        let stdout = io::stdout();
        let mut w = BufWriter::new(stdout.lock());
        write_grid(&mut w, &grid)?;
        w.flush()?;
    }
    Ok(Exit::Success)
}

fn write_grid(w: &mut impl Write, g: &TimelineGrid) -> io::Result<()> {
    let (first, last) = (g.days.first().map_or("", String::as_str), g.days.last().map_or("", String::as_str));
    if g.rows.is_empty() {
        return writeln!(w, "No accesses found for {} from {first} to {last} ({}).", g.package, g.zone);
    }
    writeln!(w, "{}: accesses per hour from {first} to {last}, hours in {}", g.package, g.zone)?;
    writeln!(w, "B background  F foreground  ? state unknown  x refused only  . none")?;
    for row in &g.rows {
        writeln!(w)?;
        writeln!(
            w,
            "{}: {} ({} in the background), {}",
            row.info_type.as_str(),
            out::count(row.access, "access", "accesses"),
            row.background,
            out::count(row.reject, "refused attempt", "refused attempts")
        )?;
        writeln!(w, "{:10}  0     6     12    18", "")?;
        for (d, day) in g.days.iter().enumerate() {
            let mut hours = ['.'; 24];
            // Counts kept per day only: accesses, of them in the background, refused attempts.
            let (mut per_day, mut per_day_background, mut per_day_reject) = (0, 0, 0);
            for cell in row.cells.iter().filter(|c| c.day == d) {
                let mark = match cell.mark {
                    GridMark::Background => 'B',
                    GridMark::Foreground => 'F',
                    GridMark::Unknown => '?',
                    GridMark::RejectOnly => 'x',
                };
                match cell.hour {
                    Some(h) => hours[usize::from(h) % 24] = mark,
                    None => {
                        per_day += cell.foreground + cell.background + cell.unknown_state;
                        per_day_background += cell.background;
                        per_day_reject += cell.reject;
                    }
                }
            }
            let line: String = hours.iter().collect();
            if per_day + per_day_reject > 0 {
                let mut kept =
                    format!("+{} ({per_day_background} in the background)", out::count(per_day, "access", "accesses"));
                if per_day_reject > 0 {
                    kept.push_str(&format!(", {}", out::count(per_day_reject, "refused attempt", "refused attempts")));
                }
                writeln!(w, "{day}  {line}  {kept} kept per day only")?;
            } else {
                writeln!(w, "{day}  {line}")?;
            }
        }
    }
    Ok(())
}

fn write_human(w: &mut impl Write, args: &Args, tl: &Timeline, zone: Option<&TimeZone>) -> io::Result<()> {
    let mut range = String::new();
    if let (Some(_), Some(from)) = (&args.since, tl.from_ms) {
        range.push_str(&format!(" since {}", time_args::format_instant(from, zone)));
    }
    if let (Some(_), Some(to)) = (&args.until, tl.to_ms) {
        range.push_str(&format!(" until {}", time_args::format_instant(to, zone)));
    }
    if tl.events.is_empty() && tl.per_op.is_empty() {
        if tl.uids.is_empty() {
            writeln!(w, "No events found for {} (the database has no app by that name).", tl.package)?;
        } else {
            writeln!(w, "No events found for {}{range}.", tl.package)?;
        }
        return Ok(());
    }
    let uids = if tl.uids.iter().any(|u| *u >= 0) {
        let list: Vec<String> = tl.uids.iter().filter(|u| **u >= 0).map(i64::to_string).collect();
        format!(" (uid {})", list.join(","))
    } else {
        String::new()
    };
    let zone_name = zone.map_or("UTC", |z| z.iana_name().unwrap_or("the given zone"));
    writeln!(
        w,
        "{}{uids}: {}{range}; times in {zone_name}",
        tl.package,
        out::count(tl.events.len(), "event", "events")
    )?;
    writeln!(w)?;
    let rows: Vec<Vec<String>> = tl.events.iter().map(|e| event_row(e, zone)).collect();
    out::table(w, &["TIME", "OP", "INFO TYPE", "KIND", "STATE", "FG/BG", "DURATION", "PROXY"], &rows)?;

    writeln!(w)?;
    let rolled = tl.per_op.iter().any(|c| c.rolled_up > 0);
    let rows: Vec<Vec<String>> = tl
        .per_op
        .iter()
        .map(|c| {
            let mut row = vec![
                c.op.clone(),
                c.info_type.clone(),
                c.access.to_string(),
                c.reject.to_string(),
                c.foreground.to_string(),
                c.background.to_string(),
                c.unknown_state.to_string(),
            ];
            if rolled {
                row.push(c.rolled_up.to_string());
            }
            row
        })
        .collect();
    // The state columns split ACCESS only: a refused attempt has no place in them.
    let mut header = vec!["OP", "INFO TYPE", "ACCESS", "REJECT", "ACCESS FG", "ACCESS BG", "ACCESS STATE UNKNOWN"];
    if rolled {
        header.push("ROLLED UP");
    }
    out::table(w, &header, &rows)?;
    writeln!(w)?;
    writeln!(
        w,
        "Total: {}, {}; of the accesses {} in the foreground, {} in the background",
        out::count(tl.access, "access", "accesses"),
        out::count(tl.reject, "reject", "rejects"),
        tl.foreground,
        tl.background
    )?;
    if rolled {
        writeln!(w, "(ROLLED UP: older events kept only as hourly/daily counts; included in ACCESS/REJECT)")?;
    }
    Ok(())
}

fn event_row(e: &TimelineEvent, zone: Option<&TimeZone>) -> Vec<String> {
    let fg_bg = match e.foreground {
        Some(true) => "foreground",
        Some(false) => "background",
        None => "-",
    };
    let proxy = match (&e.proxy_package, e.proxy_uid) {
        (Some(p), Some(uid)) => format!("{p} (uid {uid})"),
        (Some(p), None) => p.to_string(),
        (None, Some(uid)) => format!("uid {uid}"),
        (None, None) => "-".to_owned(),
    };
    vec![
        time_args::format_instant(e.start_utc_ms, zone),
        e.op.to_string(),
        e.info_type.to_string(),
        e.kind.to_owned(),
        e.uid_state.as_deref().unwrap_or("-").to_owned(),
        fg_bg.to_owned(),
        e.duration_ms.map_or_else(|| "-".to_owned(), out::duration),
        proxy,
    ]
}
