//! `opsight apps --db FILE`: every app the database knows, most recent sensitive access first.

use std::io::{self, BufWriter, Write};
use std::path::PathBuf;

use opsight_core::store::AppSummary;
use serde::Serialize;

use crate::db::{self, Need};
use crate::exit::Exit;
use crate::{out, time_args};

/// List the apps in the database, most recent sensitive access first.
///
/// Apps come from ingested dumps and loaded inventories. Shown: package, label, the most recent access to sensitive
/// personal information (location, contacts, SMS, microphone…: the op catalog's judgement) with its op and
/// information type, and the uids the package had. Apps whose latest sensitive access is the most recent come
/// first; apps with none come last, then by package.
#[derive(clap::Args)]
#[command(after_help = "Examples:
  opsight apps --db phone.db
  opsight apps --db phone.db --json | jq -r '.apps[] | select(.last_sensitive_access != null) | .package'

Times are UTC (RFC 3339, to the second).")]
pub struct Args {
    /// The database file (must exist).
    #[arg(long, value_name = "FILE")]
    db: PathBuf,
    /// Print one JSON document, apps in the same order (schema: docs/json.md).
    #[arg(long)]
    json: bool,
}

#[derive(Serialize)]
struct AppsDocument<'a> {
    opsight_apps: u32,
    apps: &'a [AppSummary],
}

pub fn run(args: Args) -> anyhow::Result<Exit> {
    let store = db::open(&args.db, Need::Existing)?;
    // In the core's order: newest sensitive access first, then by label (else package).
    let apps = store.apps()?;
    if args.json {
        out::json(&AppsDocument { opsight_apps: 1, apps: &apps })?;
        return Ok(Exit::Success);
    }
    let stdout = io::stdout();
    let mut w = BufWriter::new(stdout.lock());
    if apps.is_empty() {
        writeln!(w, "No apps in this database yet (store a dump with `opsight ingest`).")?;
    } else {
        let rows: Vec<Vec<String>> = apps
            .iter()
            .map(|a| {
                let last = a.last_sensitive_access.as_ref().map_or_else(
                    || "-".to_owned(),
                    |l| format!("{} {} ({})", time_args::format_instant(l.t, None), l.op, l.info_type),
                );
                let uids = if a.uids.is_empty() {
                    "-".to_owned()
                } else {
                    a.uids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
                };
                vec![a.package.clone(), a.label.as_deref().map_or_else(|| "-".to_owned(), out::cell), last, uids]
            })
            .collect();
        out::table(&mut w, &["PACKAGE", "LABEL", "LAST SENSITIVE ACCESS (UTC)", "UIDS"], &rows)?;
    }
    w.flush()?;
    Ok(Exit::Success)
}
