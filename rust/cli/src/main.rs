//! `opsight`: audit Android AppOps from a computer. Every command is a thin consumer of opsight-core.

mod cmd;
mod db;
mod exit;
mod out;
mod time_args;

use clap::{Parser, Subcommand};

/// Opsight: see which Android apps read your location, contacts, SMS, microphone and more, and whether
/// they needed to.
#[derive(Parser)]
#[command(name = "opsight", version, about, long_about = None, after_help = exit::EXIT_CODES_HELP)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    Parse(cmd::parse::Args),
    Ingest(cmd::ingest::Args),
    Packages(cmd::packages::Args),
    Apps(cmd::apps::Args),
    Timeline(cmd::timeline::Args),
    Findings(cmd::findings::Args),
    Category(cmd::category::Args),
}

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
    };
    exit::finish(result)
}
