//! `opsight packages --db FILE INVENTORY.json`: load what is known about installed apps.

use std::io::{self, BufWriter, Read as _, Write};
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use opsight_core::store::InventoryReport;
use serde::Serialize;

use crate::db::{self, Need};
use crate::exit::Exit;
use crate::out;

/// Load a package inventory (labels, permissions, usage) into the database.
///
/// The inventory holds labels, categories, install dates, requested and granted permissions, and the intervals
/// when each app was in the foreground. It is the JSON document described in docs/inventory.md
/// (`{"opsight_inventory": 1, "packages": [...]}`). The database is created if needed; loading a newer inventory
/// replaces each package's details and permissions and merges its usage intervals.
#[derive(clap::Args)]
#[command(after_help = "Examples:
  opsight packages --db phone.db inventory.json
  opsight packages --db phone.db --json inventory.json
  cat inventory.json | opsight packages --db phone.db -")]
pub struct Args {
    /// The database file (created if missing).
    #[arg(long, value_name = "FILE")]
    db: PathBuf,
    /// Print one JSON document with the report (schema: docs/json.md).
    #[arg(long)]
    json: bool,
    /// The inventory JSON file (format: docs/inventory.md); `-` reads standard input.
    #[arg(value_name = "INVENTORY.json")]
    inventory: PathBuf,
}

#[derive(Serialize)]
struct PackagesDocument<'a> {
    opsight_packages: u32,
    file: String,
    report: &'a InventoryReport,
}

pub fn run(args: Args) -> anyhow::Result<Exit> {
    let text = read_text(&args.inventory)?;
    let store = db::open(&args.db, Need::CreateIfMissing)?;
    let report =
        store.ingest_packages(&text).with_context(|| format!("cannot load inventory {}", args.inventory.display()))?;
    if args.json {
        out::json(&PackagesDocument {
            opsight_packages: 1,
            file: args.inventory.display().to_string(),
            report: &report,
        })?;
    } else {
        let stdout = io::stdout();
        let mut w = BufWriter::new(stdout.lock());
        writeln!(w, "{}", out::path(&args.inventory))?;
        writeln!(w, "  packages:        {}", report.packages)?;
        writeln!(w, "  new packages:    {}", report.new_packages)?;
        writeln!(w, "  permissions:     {}", report.permissions)?;
        writeln!(w, "  usage intervals: {}", report.usage_intervals)?;
        w.flush()?;
    }
    Ok(Exit::Success)
}

fn read_text(path: &Path) -> anyhow::Result<String> {
    let mut bytes = Vec::new();
    if path.as_os_str() == "-" {
        io::stdin().lock().read_to_end(&mut bytes).context("cannot read standard input")?;
    } else {
        bytes = std::fs::read(path).with_context(|| format!("cannot open {}", path.display()))?;
    }
    String::from_utf8(bytes).map_err(|_| anyhow::anyhow!("{} is not UTF-8 text (an inventory is JSON)", path.display()))
}
