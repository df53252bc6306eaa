//! `opsight`: audit Android AppOps from a computer. Every command is a thin consumer of opsight-core.

mod cmd;
mod collect;
mod db;
mod demo;
mod exit;
mod input;
mod out;
mod report;
mod research;
mod time_args;

use clap::{Parser, Subcommand};

/// Opsight: see which Android apps read your location, contacts, SMS, microphone and more, and whether
/// they needed to.
#[derive(Parser)]
#[command(name = "opsight", version, about, long_about = None, after_help = AFTER_HELP)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    Demo(cmd::demo::Args),
    Collect(cmd::collect::Args),
    Parse(cmd::parse::Args),
    Ingest(cmd::ingest::Args),
    Packages(cmd::packages::Args),
    Apps(cmd::apps::Args),
    Timeline(cmd::timeline::Args),
    Findings(cmd::findings::Args),
    Category(cmd::category::Args),
    Report(cmd::report::Args),
    Donate(cmd::donate::Args),
    Research(cmd::research::Args),
}

const AFTER_HELP: &str = "Examples:
  opsight demo                                   # no phone: a demo database, its findings and an HTML report
  opsight collect --adb --db phone.db            # everything from a phone on USB (adb)
  opsight findings --db phone.db --lang zh-CN
  opsight report --db phone.db --html report.html
  opsight parse dumpsys_appops.txt
  opsight donate --db phone.db --manifest study.json --preview
  opsight research aggregate donations/ --out dataset/

Every command has --help with examples; most have --json (schemas: docs/json.md). Output has no colour, and progress
appears on stderr only when it is a terminal.
Exit codes: 0 success; 1 error (unreadable input, database or device problem); 2 usage error (bad arguments).";

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Parse(args) => cmd::parse::run(args),
        Command::Ingest(args) => cmd::ingest::run(args),
        Command::Packages(args) => cmd::packages::run(args),
        Command::Apps(args) => cmd::apps::run(args),
        Command::Timeline(args) => cmd::timeline::run(args),
        Command::Findings(args) => cmd::findings::run(args),
        Command::Category(args) => cmd::category::run(args),
        Command::Collect(args) => cmd::collect::run(args),
        Command::Report(args) => cmd::report::run(args),
        Command::Demo(args) => cmd::demo::run(args),
        Command::Donate(args) => cmd::donate::run(args),
        Command::Research(args) => cmd::research::run(args),
    };
    exit::finish(result)
}
