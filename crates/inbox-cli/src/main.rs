//! `gp2gp-inbox`: the GP2GP Inbox core without the desktop window, for scripts, servers and tests.
//!
//! Each subcommand is a file that calls `inbox` (or `gp2gp`); the pipeline, the watcher and the
//! database are the app's own. `bench` is the one exception with logic of its own: it makes
//! synthetic records to time the pipeline with.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};
use inbox::{DataPaths, Inbox, InboxError, PipelineOptions, SystemClock};

mod audit;
mod bench;
mod decide;
mod events;
mod ingest;
mod list;
mod parse;
mod serve;
mod synthetic;
mod training;
mod watch;

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
    ///
    /// A folder means every file directly inside it (not sub-folders; names a sender uses while
    /// still writing, such as `*.part` or dot-files, are skipped), in name order. The files are
    /// left where they are; unreadable ones are copied to the quarantine folder with a reason.
    /// Exit status: 0 when every file was filed (quarantine included), 1 if any could not be,
    /// 2 if the inbox could not be opened.
    Ingest {
        /// The inbox database (created if missing); archive, quarantine and the pipeline's folders
        /// sit beside it.
        #[arg(long)]
        db: PathBuf,
        /// One JSON object per file instead of tab-separated text.
        #[arg(long)]
        json: bool,
        /// Files, or folders of files.
        #[arg(required = true, value_name = "FILE|DIR")]
        paths: Vec<PathBuf>,
    },
    /// Watch a folder and file every message that arrives in it, as the app does, until
    /// interrupted. Prints one line per event.
    Watch {
        /// The inbox database (created if missing).
        #[arg(long)]
        db: PathBuf,
        /// How long a file's size must hold still before it counts as arrived.
        #[arg(long, value_name = "N", default_value_t = 1000)]
        settle_ms: u64,
        /// Hours a record waits for its large-message parts before it is incomplete (code 25).
        #[arg(long, value_name = "H", default_value_t = 24, value_parser = clap::value_parser!(u32).range(1..))]
        attachment_timeout_hours: u32,
        /// Print each event as JSON (the app's `InboxEvent`) instead of a readable line.
        #[arg(long)]
        json: bool,
        /// The folder to watch (created if missing).
        #[arg(value_name = "DIR")]
        dir: PathBuf,
    },
    /// List the transfers in an inbox database, newest arrival first, then how every input
    /// file ended.
    List {
        /// The inbox database.
        #[arg(long)]
        db: PathBuf,
        /// One JSON object per transfer (the app's `TransferRow`), and no totals line.
        #[arg(long)]
        json: bool,
    },
    /// Receive messages over HTTP (`POST /v1/messages` with a bearer token) and file each one as
    /// the app does, until interrupted. Prints one line per event.
    Serve {
        /// The inbox database (created if missing).
        #[arg(long)]
        db: PathBuf,
        /// Address and port to listen on; loopback unless you mean to accept other machines.
        #[arg(long, value_name = "ADDR", default_value = inbox::paths::DEFAULT_LISTEN)]
        listen: String,
        /// The file holding the bearer token senders must present, made (random, owner-only) if
        /// missing [default: endpoint-token beside the database].
        #[arg(long, value_name = "F")]
        token_file: Option<PathBuf>,
        /// Largest message accepted, in megabytes.
        #[arg(long, value_name = "N", default_value_t = inbox::paths::DEFAULT_MAX_BODY_MB, value_parser = clap::value_parser!(u32).range(1..))]
        max_body_mb: u32,
        /// Print each event as JSON (the app's `InboxEvent`) instead of a readable line.
        #[arg(long)]
        json: bool,
    },
    /// Time the pipeline against its speed targets on synthetic records (build with --release).
    Bench {
        /// How many typical extracts to file.
        #[arg(long, value_name = "N", default_value_t = 1000, value_parser = at_least_one())]
        extracts: usize,
        /// At least how many entries (statements) the one large record holds.
        #[arg(long, value_name = "N", default_value_t = 20_000, value_parser = at_least_one())]
        entries: usize,
        /// How many transfers the inbox list is timed with.
        #[arg(long, value_name = "N", default_value_t = 10_000, value_parser = at_least_one())]
        inbox_transfers: usize,
        /// Keep the generated files and inboxes in this folder (it must be empty or missing).
        #[arg(long, value_name = "DIR")]
        keep: Option<PathBuf>,
    },
    /// The practice's registrations (who is registered, by NHS number), matched to transfers.
    Registrations {
        #[command(subcommand)]
        command: RegistrationsCommand,
    },
    /// Local user profiles (who may sign in, with which roles).
    Users {
        #[command(subcommand)]
        command: UsersCommand,
    },
    /// Mark every item of a transfer's four review sections reviewed, as USER (audited).
    Review {
        #[arg(long)]
        db: PathBuf,
        /// The transfer, as `list --json` prints its `id`.
        #[arg(long)]
        transfer: i64,
        /// The reviewer: a profile's name.
        #[arg(long)]
        user: String,
        /// The reviewer's PIN (or set GP2GP_INBOX_PIN): checked as at the sign-in screen.
        #[arg(long, env = "GP2GP_INBOX_PIN", hide_env_values = true)]
        pin: String,
        /// Required: says what this does.
        #[arg(long, required = true)]
        mark_all_reviewed: bool,
    },
    /// The whole-record decision, as in the app and under the same rules: writes the
    /// acknowledgement to the outbox (`--outbox`, else `GP2GP_INBOX_OUTBOX`, else the settings
    /// beside the database, else `outbox/` beside it). Exit 0 decided, 1 refused, 2 error.
    Decide {
        #[arg(long)]
        db: PathBuf,
        /// The transfer, as `list --json` prints its `id`.
        #[arg(long)]
        transfer: i64,
        /// Who decides: a profile's name (an administrator or a clinician).
        #[arg(long)]
        user: String,
        /// Their PIN (or set GP2GP_INBOX_PIN): checked as at the sign-in screen, and audited.
        #[arg(long, env = "GP2GP_INBOX_PIN", hide_env_values = true)]
        pin: String,
        /// Integrate (AA).
        #[arg(long, group = "decision")]
        integrate: bool,
        /// Reject with a GP2GP response code: 28 wrong patient, 17 returning patient's wrong
        /// record, 11 failed to integrate, or the large-message code of an incomplete record.
        #[arg(long, value_name = "CODE", group = "decision")]
        reject: Option<String>,
        /// Returning patient: integrate and suppress the record held from before (AA).
        #[arg(long, group = "decision")]
        integrate_suppress_old: bool,
        /// Returning patient: store this record suppressed (AE 15).
        #[arg(long, group = "decision")]
        store_suppressed: bool,
        /// A note kept with the decision.
        #[arg(long)]
        note: Option<String>,
        /// Where to write the acknowledgement.
        #[arg(long, value_name = "DIR")]
        outbox: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// The audit trail: check its hash chain, or list its entries.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Synthetic records for training, tests and benchmarks (unmistakably not real patients).
    Training {
        #[command(subcommand)]
        command: TrainingCommand,
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

#[derive(Debug, Subcommand)]
enum UsersCommand {
    /// Add a profile. The first is made an administrator; later ones need `--by` an administrator.
    Add {
        #[arg(long)]
        db: PathBuf,
        #[arg(long)]
        name: String,
        /// Comma-separated: administrator, clinician, prescriber, trainer.
        #[arg(long)]
        roles: String,
        /// 4 to 12 digits (or set GP2GP_INBOX_PIN, which keeps it out of the process list).
        #[arg(long, env = "GP2GP_INBOX_PIN", hide_env_values = true)]
        pin: String,
        /// The administrator adding the profile.
        #[arg(long)]
        by: Option<String>,
        /// That administrator's PIN (or set GP2GP_INBOX_BY_PIN).
        #[arg(long, env = "GP2GP_INBOX_BY_PIN", hide_env_values = true)]
        by_pin: Option<String>,
    },
    /// List the profiles: id, name, roles.
    List {
        #[arg(long)]
        db: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
enum RegistrationsCommand {
    /// Import a CSV export of the clinical system (a header row naming at least NHS Number and
    /// Surname) or the generator's registrations.json. Rows that fail their checks are listed and
    /// skipped; exit status 1 if any was.
    Import {
        /// The inbox database.
        #[arg(long)]
        db: PathBuf,
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// Check that no entry was changed, removed or inserted. Exit status 1 if one was.
    Verify {
        /// The inbox database.
        #[arg(long)]
        db: PathBuf,
    },
    /// List entries, newest first.
    List {
        /// The inbox database.
        #[arg(long)]
        db: PathBuf,
        /// Only entries about this transfer.
        #[arg(long, value_name = "ID")]
        transfer: Option<i64>,
        /// At most this many entries.
        #[arg(long, value_name = "N", default_value_t = 100)]
        limit: u32,
        /// One JSON object per entry.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
enum TrainingCommand {
    /// Write synthetic GP2GP messages into `DIR/messages/`, ready to drop into an incoming folder,
    /// and `DIR/registrations.json`: what the practice's registration holds for each patient.
    Generate(training::Request),
    /// List the scenarios a trainer can pick, each in one sentence.
    Scenarios,
    /// Time generation (records/s, MB/s) and a reset of the training inbox.
    Bench {
        /// How many records to generate.
        #[arg(long, value_name = "N", default_value_t = 1000, value_parser = at_least_one())]
        count: usize,
    },
}

pub(crate) fn at_least_one() -> clap::builder::RangedU64ValueParser<usize> {
    clap::builder::RangedU64ValueParser::new().range(1..)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Parse { json: _, files } => parse::run(&files),
        Command::Ingest { db, json, paths } => ingest::run(&db, &paths, json),
        Command::Watch {
            db,
            settle_ms,
            attachment_timeout_hours,
            json,
            dir,
        } => watch::run(&db, &dir, settle_ms, attachment_timeout_hours, json),
        Command::List { db, json } => list::run(&db, json),
        Command::Serve {
            db,
            listen,
            token_file,
            max_body_mb,
            json,
        } => serve::run(&db, &listen, token_file.as_deref(), max_body_mb, json),
        Command::Bench {
            extracts,
            entries,
            inbox_transfers,
            keep,
        } => bench::run(extracts, entries, inbox_transfers, keep.as_deref()),
        Command::Registrations {
            command: RegistrationsCommand::Import { db, file },
        } => import_registrations(&db, &file),
        Command::Users { command } => match command {
            UsersCommand::Add {
                db,
                name,
                roles,
                pin,
                by,
                by_pin,
            } => decide::add_user(
                &db,
                &name,
                &roles,
                &pin,
                by.as_deref().map(|b| (b, by_pin.as_deref().unwrap_or(""))),
            ),
            UsersCommand::List { db } => decide::list_users(&db),
        },
        Command::Review {
            db,
            transfer,
            user,
            pin,
            ..
        } => decide::review_all(&db, transfer, (&user, &pin)),
        Command::Decide {
            db,
            transfer,
            user,
            pin,
            integrate,
            reject,
            integrate_suppress_old,
            store_suppressed,
            note,
            outbox,
            json,
        } => {
            use inbox::dto::DecisionKind;
            let (kind, reason) = match (integrate, reject, integrate_suppress_old, store_suppressed) {
                (true, _, _, _) => (DecisionKind::Integrate, None),
                (_, Some(code), _, _) => (DecisionKind::Reject, Some(code)),
                (_, _, true, _) => (DecisionKind::IntegrateSuppressOld, None),
                (_, _, _, true) => (DecisionKind::StoreSuppressed, None),
                _ => {
                    eprintln!(
                        "gp2gp-inbox: say what to decide: --integrate, --reject CODE, --integrate-suppress-old or --store-suppressed"
                    );
                    return ExitCode::FAILURE;
                }
            };
            decide::decide(
                &db,
                transfer,
                (&user, &pin),
                decide::Choice { kind, reason, note },
                outbox,
                json,
            )
        }
        Command::Audit { command } => match command {
            AuditCommand::Verify { db } => audit::verify(&db),
            AuditCommand::List {
                db,
                transfer,
                limit,
                json,
            } => audit::list(&db, transfer, limit, json),
        },
        Command::Training { command } => match command {
            TrainingCommand::Generate(request) => training::generate(&request),
            TrainingCommand::Scenarios => training::scenarios(),
            TrainingCommand::Bench { count } => training::bench(count),
        },
    }
}

fn import_registrations(db: &Path, file: &Path) -> ExitCode {
    let inbox = match open_beside(db) {
        Ok(i) => i,
        Err(code) => return code,
    };
    match inbox.import_registrations(file) {
        Ok(report) => {
            for (line, why) in &report.skipped {
                println!("skipped\t{}:{line}\t{why}", file.display());
            }
            println!(
                "imported {} registration(s), skipped {}",
                report.imported,
                report.skipped.len()
            );
            if report.skipped.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Err(e) => {
            eprintln!("gp2gp-inbox: {e}");
            ExitCode::from(2)
        }
    }
}

/// Opens the inbox whose database is `paths.database`, then tells of anything the start-up
/// recovery could not finish (on stderr: stdout is for results).
pub(crate) fn open_inbox(paths: DataPaths, options: PipelineOptions) -> Result<Inbox, InboxError> {
    let inbox = Inbox::open_with(paths, Arc::new(SystemClock), options)?;
    if let Ok(snapshot) = inbox.snapshot() {
        for notice in snapshot.notices.iter().rev() {
            eprintln!("gp2gp-inbox: {}", notice.message);
        }
    }
    Ok(inbox)
}

/// [`open_inbox`] for the database given with `--db`, with default options.
pub(crate) fn open_beside(db: &Path) -> Result<Inbox, ExitCode> {
    open_inbox(
        DataPaths::beside_database(db).with_outbox_override(None, inbox::session::env_outbox()),
        PipelineOptions::default(),
    )
    .map_err(|e| {
        eprintln!("gp2gp-inbox: {e}");
        ExitCode::from(2)
    })
}
