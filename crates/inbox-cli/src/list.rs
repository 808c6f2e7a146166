//! `gp2gp-inbox list --db PATH [--json]`: the transfers, newest arrival first.
//!
//! Text: `<id>\t<status>\t<NHS number>\t<sending ODS>\t<received>\t<counts>` per transfer, then
//! `arrivals: <n> <outcome>, ...` with how every input file ended. JSON: one `TransferRow` per line.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use inbox::dto::{TransferRow, TransferStatus};

pub fn run(db: &Path, as_json: bool) -> ExitCode {
    if !db.is_file() {
        eprintln!("gp2gp-inbox: there is no inbox database at {}", db.display());
        return ExitCode::from(2);
    }
    let inbox = match crate::open_beside(db) {
        Ok(i) => i,
        Err(code) => return code,
    };
    let listed = inbox.transfers().and_then(|rows| {
        let totals = if as_json {
            Vec::new()
        } else {
            inbox.arrival_outcomes()?
        };
        Ok((rows, totals))
    });
    let (rows, totals) = match listed {
        Ok(r) => r,
        Err(e) => {
            eprintln!("gp2gp-inbox: {e}");
            return ExitCode::FAILURE;
        }
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut write = |line: String| writeln!(out, "{line}");
    for row in &rows {
        let line = if as_json {
            serde_json::to_string(row).unwrap_or_default()
        } else {
            text(row)
        };
        if write(line).is_err() {
            return ExitCode::FAILURE;
        }
    }
    if !as_json && write(totals_line(&totals)).is_err() {
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

fn text(t: &TransferRow) -> String {
    format!(
        "{}\t{}\t{}\t{}\t{}\t{}",
        t.id,
        status(t),
        t.nhs_number
            .as_deref()
            .map_or_else(|| "-".to_owned(), inbox::nhs_number::display),
        t.sending_ods.as_deref().unwrap_or("-"),
        t.received_at,
        counts(t),
    )
}

fn status(t: &TransferRow) -> String {
    match t.status {
        TransferStatus::Ready => "ready".to_owned(),
        TransferStatus::AwaitingAttachments => "awaiting attachments".to_owned(),
        TransferStatus::Incomplete => match &t.failure_code {
            Some(code) => format!("incomplete (code {code})"),
            None => "incomplete".to_owned(),
        },
        TransferStatus::Integrated => "integrated".to_owned(),
        TransferStatus::Rejected => "rejected".to_owned(),
        TransferStatus::Suppressed => "suppressed".to_owned(),
    }
}

/// `12 courses (5 repeat), 3 allergies, 4 degraded, 2 missing attachments`, plus the
/// large-message parts still awaited when there are any. *Missing attachments* are the absent-
/// attachment placeholders: files the sending practice could not include.
fn counts(t: &TransferRow) -> String {
    let c = &t.counts;
    let mut s = format!(
        "{} ({} repeat), {}, {} degraded, {}",
        plural(c.medication_courses, "course", "courses"),
        c.repeat_courses,
        plural(c.allergies, "allergy", "allergies"),
        c.degraded,
        plural(c.absent_attachments, "missing attachment", "missing attachments"),
    );
    if t.parts_missing > 0 {
        s.push_str(&format!(
            ", {} of {} part(s) not yet arrived",
            t.parts_missing, t.parts_expected
        ));
    }
    s
}

fn plural(n: u32, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// `arrivals: 5 stored, 1 duplicate, 1 quarantined (7 files)`.
fn totals_line(totals: &[(String, u64)]) -> String {
    let all: u64 = totals.iter().map(|(_, n)| n).sum();
    if all == 0 {
        return "arrivals: none".to_owned();
    }
    let parts: Vec<String> = totals
        .iter()
        .map(|(outcome, n)| format!("{n} {outcome}"))
        .collect();
    format!(
        "arrivals: {} ({all} file{})",
        parts.join(", "),
        if all == 1 { "" } else { "s" }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn totals_name_every_outcome() {
        assert_eq!(totals_line(&[]), "arrivals: none");
        assert_eq!(
            totals_line(&[("duplicate".into(), 1), ("stored".into(), 5)]),
            "arrivals: 1 duplicate, 5 stored (6 files)"
        );
    }
}
