//! `gp2gp-inbox`: the GP2GP Inbox core without the desktop window, for scripts, servers and tests.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod ingest;
mod parse;

#[derive(Debug, Parser)]
#[command(
    name = "gp2gp-inbox",
    version,
    about = "GP2GP Inbox: receive GP2GP patient record transfers"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// File GP2GP messages into an inbox database, once each; prints what became of every file.
    /// The files are left where they are; unreadable ones are copied to the quarantine folder.
    Ingest {
        /// The inbox database (created if missing); the archive and quarantine folders sit beside it.
        #[arg(long)]
        db: PathBuf,
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
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
        Command::Ingest { db, files } => ingest::run(&db, &files),
    }
}
