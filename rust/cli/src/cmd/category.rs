//! `opsight category`: tell Opsight what kind of app a package is, or list the 39 kinds.

use std::io::{self, BufWriter, Write};
use std::path::PathBuf;

use opsight_core::analysis::PolicyPack;
use serde::Serialize;

use crate::db::{self, Need};
use crate::exit::Exit;
use crate::out;

/// Set the category of an app (one of the 39 kinds in China's 2021 rules on necessary personal information), which
/// decides what information it needs. Your choice wins over Opsight's curated list and over what the app declares.
#[derive(clap::Args)]
#[command(after_help = "Examples:
  opsight category --list
  opsight category --db phone.db com.example.reader ebooks
  opsight category --db phone.db com.example.reader 35        # the item number works too
  opsight category --db phone.db com.example.reader none      # forget the choice
  opsight category --list --json | jq -r '.categories[] | select(.needs_no_pi) | .id'")]
pub struct Args {
    /// List the 39 categories and what each needs, then exit.
    #[arg(long, conflicts_with_all = ["db", "package", "category"])]
    list: bool,
    /// Print one JSON document (schema: docs/json.md, "opsight category --json").
    #[arg(long)]
    json: bool,
    /// The database file.
    #[arg(long, value_name = "FILE", required_unless_present = "list")]
    db: Option<PathBuf>,
    /// The package, e.g. com.tencent.qqmusic.
    #[arg(required_unless_present = "list")]
    package: Option<String>,
    /// A category id (online_video_music), its item number (28), its Chinese name (在线影音类), or `none`.
    #[arg(required_unless_present = "list")]
    category: Option<String>,
}

#[derive(Serialize)]
struct ListDocument<'a> {
    opsight_categories: u32,
    pack_version: &'a str,
    categories: Vec<CategoryEntry<'a>>,
}

#[derive(Serialize)]
struct CategoryEntry<'a> {
    number: u32,
    id: &'a str,
    name_en: &'a str,
    name_zh: &'a str,
    needs_no_pi: bool,
    necessary_info_types: Vec<&'static str>,
}

#[derive(Serialize)]
struct SetDocument<'a> {
    opsight_category: u32,
    package: &'a str,
    category: Option<&'a str>,
}

pub fn run(args: Args) -> anyhow::Result<Exit> {
    let pack = PolicyPack::embedded();
    if args.list && args.json {
        let categories = pack
            .categories
            .iter()
            .map(|c| CategoryEntry {
                number: c.number,
                id: c.id,
                name_en: c.name_en,
                name_zh: c.name_zh,
                needs_no_pi: c.needs_no_pi,
                necessary_info_types: c.necessary_info_types.iter().map(|t| t.as_str()).collect(),
            })
            .collect();
        out::json(&ListDocument { opsight_categories: 1, pack_version: pack.version, categories })?;
        return Ok(Exit::Success);
    }
    if args.list {
        let rows: Vec<Vec<String>> = pack
            .categories
            .iter()
            .map(|c| {
                let needs: Vec<&str> = c.necessary_info_types.iter().map(|t| t.as_str()).collect();
                vec![
                    c.number.to_string(),
                    c.id.to_owned(),
                    format!("{} / {}", c.name_en, c.name_zh),
                    if c.needs_no_pi {
                        "nothing".to_owned()
                    } else if needs.is_empty() {
                        "nothing on the phone".to_owned()
                    } else {
                        needs.join(", ")
                    },
                ]
            })
            .collect();
        let stdout = io::stdout();
        let mut w = BufWriter::new(stdout.lock());
        out::table(&mut w, &["#", "ID", "NAME", "NEEDS FROM THE PHONE"], &rows)?;
        w.flush()?;
        return Ok(Exit::Success);
    }
    let (Some(path), Some(package), Some(wanted)) = (args.db, args.package, args.category) else {
        anyhow::bail!("give --db FILE PACKAGE CATEGORY, or --list");
    };
    let id = if wanted == "none" {
        None
    } else {
        let found =
            pack.categories.iter().find(|c| c.id == wanted || c.name_zh == wanted || c.number.to_string() == wanted);
        match found {
            Some(c) => Some(c.id),
            None => anyhow::bail!("unknown category {wanted:?}; `opsight category --list` shows the 39 categories"),
        }
    };
    let store = db::open(&path, Need::CreateIfMissing)?;
    store.set_category(&package, id, jiff::Timestamp::now().as_millisecond())?;
    // Set all the same (the app may come with the next collection), but a typo should not pass unseen.
    if !store.apps()?.iter().any(|a| a.package == package) {
        eprintln!(
            "opsight: note: no dump or inventory in {} names {}; the category applies once one does (check the \
             spelling)",
            out::path(&path),
            out::printable(&package)
        );
    }
    if args.json {
        out::json(&SetDocument { opsight_category: 1, package: &package, category: id })?;
        return Ok(Exit::Success);
    }
    match &id {
        Some(id) => println!("{package} is now in category {id}"),
        None => println!("{package} has no category set by you any more"),
    }
    Ok(Exit::Success)
}
