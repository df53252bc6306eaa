//! `opsight`: audit Android AppOps from a computer. Every command is a thin consumer of opsight-core.

mod cmd;
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
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Parse(args) => cmd::parse::run(args),
    };
    exit::finish(result)
}
