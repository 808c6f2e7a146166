//! `gp2gp-inbox`: the GP2GP Inbox core without the desktop window, for scripts, servers and tests.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod parse;

#[derive(Debug, Parser)]
#[command(name = "gp2gp-inbox", version, about = "GP2GP Inbox: receive GP2GP patient record transfers")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Read GP2GP messages and print what they hold, one JSON object per file.
    Parse {
        /// Print JSON lines (the only output format; the flag is accepted for clarity in scripts).
        #[arg(long)]
        json: bool,
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Parse { json: _, files } => parse::run(&files),
    }
}
