//! The `gp2gp-inbox` binary, run as a user would: ingest, list, watch.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::Value;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_gp2gp-inbox"))
}

fn corpus(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/corpus/public")
        .join(name)
}

fn run(args: &[&dyn AsRef<std::ffi::OsStr>]) -> Output {
    let mut cmd = bin();
    for a in args {
        cmd.arg(a);
    }
    cmd.output().unwrap()
}

fn stdout_lines(out: &Output) -> Vec<String> {
    String::from_utf8(out.stdout.clone())
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

fn json_lines(out: &Output) -> Vec<Value> {
    stdout_lines(out)
        .iter()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}")))
        .collect()
}

/// Splits `outcome\tpath\tdetail`.
fn fields(line: &str) -> (&str, &str, &str) {
    let mut f = line.splitn(3, '\t');
    (
        f.next().unwrap(),
        f.next().unwrap_or_default(),
        f.next().unwrap_or_default(),
    )
}

#[test]
fn version_is_printed() {
    let out = run(&[&"--version"]);
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8(out.stdout).unwrap().trim(),
        format!("gp2gp-inbox {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn ingest_prints_one_line_per_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("inbox.sqlite3");
    let junk = dir.path().join("junk.xml");
    std::fs::write(&junk, "not xml at all").unwrap();
    let extract = corpus("tpp_systmone_uk06_payload.xml");
    let ack = corpus("ack_AA_positive.xml");
    let out = run(&[&"ingest", &"--db", &db, &extract, &extract, &ack, &junk]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines = stdout_lines(&out);
    assert_eq!(lines.len(), 4, "{lines:#?}");
    let (outcome, path, detail) = fields(&lines[0]);
    assert_eq!((outcome, path), ("stored", extract.to_str().unwrap()));
    assert!(detail.starts_with("transfer "), "{detail}");
    let transfer = detail.trim_start_matches("transfer ");
    let (outcome, _, detail) = fields(&lines[1]);
    assert_eq!(outcome, "duplicate");
    assert!(
        detail.starts_with(&format!("same as transfer {transfer}: ")),
        "{detail}"
    );
    let (outcome, _, detail) = fields(&lines[2]);
    assert_eq!(outcome, "stored", "an acknowledgement is kept");
    assert!(detail.starts_with("message "), "{detail}");
    let (outcome, _, detail) = fields(&lines[3]);
    assert_eq!(outcome, "quarantined");
    assert!(detail.contains("XML"), "{detail}");
    assert!(junk.exists(), "command-line ingest leaves the file in place");
    assert!(extract.exists());
    assert!(dir.path().join("quarantine/junk.xml.reason.txt").exists());

    // A file that cannot be read is an error, and the exit status says so.
    let missing = dir.path().join("nope.xml");
    let out = run(&[&"ingest", &"--db", &db, &missing, &extract]);
    assert_eq!(out.status.code(), Some(1));
    let lines = stdout_lines(&out);
    assert_eq!(fields(&lines[0]).0, "error", "{lines:?}");
    assert_eq!(
        fields(&lines[1]).0,
        "duplicate",
        "the other files are still filed"
    );

    // An inbox that cannot be opened: exit status 2, nothing filed.
    let not_a_dir = dir.path().join("plain-file");
    std::fs::write(&not_a_dir, "x").unwrap();
    let out = run(&[&"ingest", &"--db", &not_a_dir.join("inbox.sqlite3"), &extract]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert!(!out.stderr.is_empty());
}

#[test]
fn ingest_files_a_folder_in_name_order_with_json_lines() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("data/inbox.sqlite3");
    let drop = dir.path().join("drop");
    std::fs::create_dir_all(drop.join("sub")).unwrap();
    let copy = |from: &str, to: &str| std::fs::copy(corpus(from), drop.join(to)).unwrap();
    copy("tpp_allergy_ctv3_bare_extract.xml", "a-allergy.xml");
    copy("bare_extract_medication_discontinue.xml", "b-discontinue.xml");
    copy("ack_AE_code99.xml", "c-ack.xml");
    copy("tpp_allergy_ctv3_bare_extract.xml", "d-allergy-again.xml");
    std::fs::write(drop.join("e-junk.bin"), [0u8, 159, 146, 150]).unwrap();
    // Still arriving, hidden, or a folder: not filed.
    std::fs::write(drop.join("f-extract.xml.part"), "<half").unwrap();
    std::fs::write(drop.join(".hidden.xml"), "x").unwrap();
    copy("tpp_systmone_uk06_payload.xml", "sub/nested.xml");

    let out = run(&[&"ingest", &"--json", &"--db", &db, &drop]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines = json_lines(&out);
    let names: Vec<String> = lines
        .iter()
        .map(|l| {
            Path::new(l["file"].as_str().unwrap())
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    assert_eq!(
        names,
        [
            "a-allergy.xml",
            "b-discontinue.xml",
            "c-ack.xml",
            "d-allergy-again.xml",
            "e-junk.bin"
        ]
    );
    let outcomes: Vec<&str> = lines.iter().map(|l| l["outcome"].as_str().unwrap()).collect();
    assert_eq!(
        outcomes,
        ["stored", "stored", "stored", "duplicate", "quarantined"]
    );
    assert!(lines[0]["transferId"].is_i64() && lines[0]["messageId"].is_i64());
    assert_eq!(lines[3]["transferId"], lines[0]["transferId"]);
    assert!(lines[3]["reason"].as_str().unwrap().contains("a-allergy.xml"));
    assert!(lines[4]["quarantineId"].is_i64());
    assert!(!lines[4]["reason"].as_str().unwrap().is_empty());
    assert!(lines[4].get("transferId").is_none());
    // Everything is left where it was.
    assert_eq!(std::fs::read_dir(&drop).unwrap().count(), 8);
    assert!(dir.path().join("data/quarantine/e-junk.bin.reason.txt").exists());
}

#[test]
fn the_inbox_never_files_its_own_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("inbox.sqlite3");
    std::fs::copy(corpus("ack_AR_code18.xml"), dir.path().join("ack.xml")).unwrap();
    for _ in 0..2 {
        let out = run(&[&"ingest", &"--db", &db, &dir.path()]);
        assert_eq!(out.status.code(), Some(0));
        let lines = stdout_lines(&out);
        assert_eq!(lines.len(), 1, "only the message, not the database: {lines:#?}");
        assert!(lines[0].ends_with("ack.xml\tmessage 1, no transfer") || lines[0].starts_with("duplicate\t"));
    }
    // Watching the database's own folder would file the database: refused.
    let out = run(&[&"watch", &"--db", &db, &dir.path()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("database"));
}

#[test]
fn list_shows_transfers_and_how_every_file_ended() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("inbox.sqlite3");
    let junk = dir.path().join("junk.txt");
    std::fs::write(&junk, "junk").unwrap();
    let pwtp2 = corpus("emis_PWTP2_full_extract.xml");
    let sajal = corpus("adaptor_degraded_codes_full.xml");
    let out = run(&[&"ingest", &"--db", &db, &pwtp2, &sajal, &sajal, &junk]);
    assert!(out.status.success());

    let out = run(&[&"list", &"--db", &db]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let lines = stdout_lines(&out);
    assert_eq!(lines.len(), 3, "{lines:#?}");
    // Newest arrival first.
    let cols: Vec<&str> = lines[0].split('\t').collect();
    assert_eq!(cols.len(), 6, "{}", lines[0]);
    assert_eq!(cols[1], "ready");
    assert_eq!(cols[2], "123 456 7890", "NHS number grouped 3-3-4");
    assert!(chrono_like(cols[4]), "received as stored, RFC 3339: {}", cols[4]);
    assert!(
        cols[5].contains("courses (") && cols[5].contains("allergies") && cols[5].contains("degraded"),
        "{}",
        cols[5]
    );
    assert!(cols[5].contains("3 allergies, 65 degraded"), "{}", cols[5]);
    assert_eq!(
        lines[2], "arrivals: 1 duplicate, 1 quarantined, 2 stored (4 files)",
        "{lines:#?}"
    );

    let out = run(&[&"list", &"--json", &"--db", &db]);
    assert!(out.status.success());
    let rows = json_lines(&out);
    assert_eq!(rows.len(), 2, "no totals line in JSON");
    assert_eq!(rows[0]["nhsNumber"], "1234567890");
    assert_eq!(rows[0]["status"], "ready");
    assert_eq!(rows[0]["counts"]["degraded"], 65);
    assert_eq!(rows[1]["fileName"], "emis_PWTP2_full_extract.xml");
    assert!(rows[1]["counts"]["medicationCourses"].as_u64().unwrap() > 0);

    // No database there: nothing is created.
    let none = dir.path().join("none/inbox.sqlite3");
    let out = run(&[&"list", &"--db", &none]);
    assert_eq!(out.status.code(), Some(2));
    assert!(!none.exists());
}

/// `2026-03-01T09:30:00Z` and the like.
fn chrono_like(s: &str) -> bool {
    s.len() >= 20 && s.as_bytes()[4] == b'-' && s.as_bytes()[10] == b'T' && s.ends_with('Z')
}

/// Kills the watcher however the test ends.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn watch_files_what_arrives_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("data/inbox.sqlite3");
    let incoming = dir.path().join("incoming");
    let mut child = Running(
        bin()
            .args(["watch", "--settle-ms", "20", "--db"])
            .arg(&db)
            .arg(&incoming)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let (tx, rx) = mpsc::channel();
    let stdout = child.0.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            if tx.send(line.unwrap()).is_err() {
                break;
            }
        }
    });
    let deadline = Instant::now() + Duration::from_secs(30);
    // The next line that is not a notice (a duplicate also comes with one).
    let next = || loop {
        let line = rx
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .expect("the watcher said nothing in time");
        if !line.starts_with("notice\t") {
            return line;
        }
    };
    assert_eq!(next(), format!("watching {}", incoming.display()));

    let drop_in = |name: &str, bytes: &[u8]| {
        let part = incoming.join(format!(".{name}.part"));
        std::fs::write(&part, bytes).unwrap();
        std::fs::rename(&part, incoming.join(name)).unwrap();
    };
    let extract = std::fs::read(corpus("tpp_systmone_uk06_payload.xml")).unwrap();
    drop_in("record.xml", &extract);
    let line = next();
    let (what, file, detail) = fields(&line);
    assert_eq!((what, file), ("transfer", "record.xml"), "{line}");
    assert!(detail.contains("ready"), "{line}");
    drop_in("again.xml", &extract);
    let line = next();
    assert!(
        line.starts_with("duplicate\tagain.xml\tsame as transfer"),
        "{line}"
    );
    drop_in("junk.xml", b"<html>");
    let line = next();
    assert!(line.starts_with("quarantined\tjunk.xml\t"), "{line}");
    assert!(
        !incoming.join("record.xml").exists(),
        "the watcher moves files out"
    );
}

/// One HTTP/1.1 request on a fresh connection: (status, body).
fn http_post(addr: &str, token: &str, content_type: &str, body: &[u8]) -> (u16, Value) {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    write!(
        stream,
        "POST /v1/messages HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .unwrap();
    stream.write_all(body).unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).unwrap();
    let response = String::from_utf8(response).unwrap();
    let (head, body) = response.split_once("\r\n\r\n").unwrap();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    (status, serde_json::from_str(body).unwrap_or(Value::Null))
}

#[test]
fn serve_files_what_is_posted() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("data/inbox.sqlite3");
    let mut child = Running(
        bin()
            .args(["serve", "--listen", "127.0.0.1:0", "--db"])
            .arg(&db)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let (tx, rx) = mpsc::channel();
    let stdout = child.0.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            if tx.send(line.unwrap()).is_err() {
                break;
            }
        }
    });
    let deadline = Instant::now() + Duration::from_secs(30);
    let next = || {
        rx.recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .expect("serve said nothing in time")
    };
    let first = next();
    let token_file = dir.path().join("data/endpoint-token");
    let addr = first
        .strip_prefix("listening http://")
        .and_then(|rest| rest.strip_suffix(&format!("/v1/messages (token in {})", token_file.display())))
        .unwrap_or_else(|| panic!("{first}"))
        .to_owned();
    let token = std::fs::read_to_string(&token_file).unwrap().trim().to_owned();
    assert!(token.len() >= 32, "a random token is made");
    assert!(!first.contains(&token), "the token is never printed");

    let extract = std::fs::read(corpus("tpp_systmone_uk06_payload.xml")).unwrap();
    let (status, body) = http_post(&addr, &token, "application/xml", &extract);
    assert_eq!(status, 202, "{body}");
    assert_eq!(body["outcome"], "stored");
    let line = next();
    assert!(line.starts_with("transfer\t") && line.contains("ready"), "{line}");
    let (status, body) = http_post(&addr, &token, "application/xml", &extract);
    assert_eq!((status, &body["duplicate"]), (202, &Value::Bool(true)), "{body}");
    let (status, body) = http_post(&addr, &token, "text/plain", b"not a message");
    assert_eq!(
        (status, &body["code"]),
        (400, &Value::from("unreadable_message")),
        "{body}"
    );
    let (status, _) = http_post(&addr, "not-the-token", "application/xml", &extract);
    assert_eq!(status, 401);
    drop(child);

    let out = run(&[&"list", &"--db", &db]);
    let lines = stdout_lines(&out);
    assert_eq!(
        lines.last().unwrap(),
        "arrivals: 1 duplicate, 1 quarantined, 1 stored (3 files)"
    );
}

#[test]
fn two_processes_filing_the_same_files_at_once_file_each_once() {
    let dir = tempfile::tempdir().unwrap();
    let drop = dir.path().join("drop");
    std::fs::create_dir(&drop).unwrap();
    let record = std::fs::read(corpus("tpp_allergy_ctv3_bare_extract.xml")).unwrap();
    for i in 0..40 {
        let mut bytes = record.clone();
        bytes.extend_from_slice(format!("\n<!-- synthetic copy {i} -->\n").as_bytes());
        std::fs::write(drop.join(format!("r{i:02}.xml")), bytes).unwrap();
    }
    let db = dir.path().join("data/inbox.sqlite3");
    std::fs::create_dir_all(db.parent().unwrap()).unwrap();
    let spawn = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_gp2gp-inbox"))
            .args(["ingest", "--json", "--db"])
            .arg(&db)
            .arg(&drop)
            .output()
    };
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(spawn);
        let b = s.spawn(spawn);
        (a.join().unwrap().unwrap(), b.join().unwrap().unwrap())
    });
    for out in [&a, &b] {
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let outcomes: Vec<String> = [a, b]
        .iter()
        .flat_map(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(&l).unwrap()["outcome"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(outcomes.len(), 80);
    assert_eq!(
        outcomes.iter().filter(|o| *o == "stored").count(),
        40,
        "each file stored once"
    );
    assert_eq!(outcomes.iter().filter(|o| *o == "duplicate").count(), 40);
}

#[test]
fn training_generate_writes_the_same_synthetic_records_for_a_seed_and_an_inbox_files_them_all() {
    let dir = tempfile::tempdir().unwrap();
    let gen = |out: &str| {
        run(&[
            &"training",
            &"generate",
            &"--out",
            &dir.path().join(out),
            &"--count",
            &"13",
            &"--seed",
            &"7",
        ])
    };
    let (a, b) = (gen("a"), gen("b"));
    assert_eq!(a.status.code(), Some(0), "{}", String::from_utf8_lossy(&a.stderr));
    assert!(String::from_utf8_lossy(&a.stdout).contains("SYNTHETIC"));
    let names = |d: &str| {
        let mut v: Vec<String> = std::fs::read_dir(dir.path().join(d).join("messages"))
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    };
    assert_eq!(names("a"), names("b"));
    for n in names("a") {
        assert_eq!(
            std::fs::read(dir.path().join("a/messages").join(&n)).unwrap(),
            std::fs::read(dir.path().join("b/messages").join(&n)).unwrap(),
            "{n}: deterministic"
        );
    }
    let registrations: Vec<Value> =
        serde_json::from_slice(&std::fs::read(dir.path().join("a/registrations.json")).unwrap()).unwrap();
    assert_eq!(registrations.len(), 13);
    assert!(registrations
        .iter()
        .all(|r| r["nhsNumber"].as_str().unwrap().starts_with("999") && r["synthetic"] == true));
    assert!(b.status.success());

    // Every file an inbox can file: stored, awaiting, duplicate or quarantined, never an error.
    let db = dir.path().join("data/inbox.sqlite3");
    let out = run(&[&"ingest", &"--json", &"--db", &db, &dir.path().join("a/messages")]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let outcomes: Vec<String> = stdout_lines(&out)
        .iter()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["outcome"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    for want in ["stored", "awaiting_attachments", "duplicate", "quarantined"] {
        assert!(outcomes.iter().any(|o| o == want), "{want} in {outcomes:?}");
    }

    let bad = run(&[
        &"training",
        &"generate",
        &"--out",
        &dir.path().join("c"),
        &"--scenario",
        &"nope",
    ]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("degraded-drug-allergy"));
}

#[test]
fn audit_verify_finds_a_tampered_entry() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("inbox.sqlite3");
    {
        let inbox = inbox::Inbox::open(
            inbox::DataPaths::beside_database(&db),
            std::sync::Arc::new(inbox::SystemClock),
        )
        .unwrap();
        for action in ["sign_in", "view_record", "decision"] {
            inbox
                .record_audit(
                    "Synthetic Admin",
                    "administrator",
                    action,
                    Some(1),
                    "synthetic test",
                )
                .unwrap();
        }
    }
    let ok = run(&[&"audit", &"verify", &"--db", &db]);
    assert_eq!(ok.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&ok.stdout).contains("3 entries"));
    let listed = run(&[&"audit", &"list", &"--json", &"--db", &db]);
    let lines = stdout_lines(&listed);
    assert_eq!(lines.len(), 3);
    assert_eq!(
        serde_json::from_str::<Value>(&lines[0]).unwrap()["action"],
        "decision"
    );

    let raw = rusqlite::Connection::open(&db).unwrap();
    raw.execute_batch(
        "DROP TRIGGER audit_is_append_only_update; UPDATE audit SET user_name = 'Someone Else' WHERE id = 2;",
    )
    .unwrap();
    drop(raw);
    let broken = run(&[&"audit", &"verify", &"--db", &db]);
    assert_eq!(broken.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&broken.stdout).contains("BROKEN at entry 2"));
}

#[test]
fn registrations_import_reports_what_it_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("inbox.sqlite3");
    let csv = dir.path().join("export.csv");
    std::fs::write(
        &csv,
        "NHS Number,Surname,Forename\n9434765919,SMITH-SYNTHETIC,Ann\n1234567890,JONES-SYNTHETIC,Bob\n",
    )
    .unwrap();
    let out = run(&[&"registrations", &"import", &"--db", &db, &csv]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("export.csv:3"), "{text}");
    assert!(text.contains("imported 1 registration(s), skipped 1"), "{text}");
}

#[test]
fn decide_writes_the_acknowledgement_under_the_same_rules_as_the_app() {
    let tmp = tempfile::tempdir().unwrap();
    let gen = tmp.path().join("gen");
    let out = run(&[
        &"training",
        &"generate",
        &"--out",
        &gen,
        &"--count",
        &"2",
        &"--seed",
        &"31",
        &"--scenario",
        &"ordinary",
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let db = tmp.path().join("inbox.sqlite3");
    assert!(run(&[&"ingest", &"--db", &db, &gen.join("messages")])
        .status
        .success());
    let ids: Vec<i64> = json_lines(&run(&[&"list", &"--db", &db, &"--json"]))
        .iter()
        .filter_map(|v| v["id"].as_i64())
        .collect();
    assert_eq!(ids.len(), 2, "{ids:?}");

    // Profiles: the first is an administrator; later ones need an administrator to add them.
    let add = |name: &str, roles: &str, by: Option<&str>| {
        let mut cmd = bin();
        cmd.args(["users", "add", "--db"])
            .arg(&db)
            .args(["--name", name, "--roles", roles]);
        if let Some(by) = by {
            cmd.args(["--by", by]);
        }
        cmd.env("GP2GP_INBOX_PIN", "4826")
            .env("GP2GP_INBOX_BY_PIN", "4826")
            .output()
            .unwrap()
    };
    assert!(add("Ada Admin", "administrator", None).status.success());
    assert_eq!(
        add("Pat Pharmacist", "prescriber", None).status.code(),
        Some(1),
        "--by is needed now"
    );
    assert!(add("Pat Pharmacist", "prescriber", Some("Ada Admin"))
        .status
        .success());
    let users = stdout_lines(&run(&[&"users", &"list", &"--db", &db]));
    assert_eq!(users.len(), 2, "{users:?}");

    let outbox = tmp.path().join("outbox");
    let decide = |args: &[&str], env_outbox: Option<&Path>| {
        let mut cmd = bin();
        cmd.args(["decide", "--db"])
            .arg(&db)
            .args(args)
            .arg("--json")
            .env("GP2GP_INBOX_PIN", "4826");
        match env_outbox {
            Some(dir) => cmd.env("GP2GP_INBOX_OUTBOX", dir),
            None => cmd.arg("--outbox").arg(&outbox).env_remove("GP2GP_INBOX_OUTBOX"),
        };
        cmd.output().unwrap()
    };
    let first = ids[0].to_string();
    // A prescriber may not decide; nobody integrates an unreviewed record.
    let refused = decide(
        &["--transfer", &first, "--user", "Pat Pharmacist", "--integrate"],
        None,
    );
    assert_eq!(refused.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("Only an administrator or a clinician"));
    let refused = decide(
        &["--transfer", &first, "--user", "Ada Admin", "--integrate"],
        None,
    );
    assert_eq!(refused.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("Review every section first"));
    // The PIN is checked as at the sign-in screen: a wrong one is refused (and counted).
    let wrong = bin()
        .args(["review", "--db"])
        .arg(&db)
        .args([
            "--transfer",
            &first,
            "--user",
            "Ada Admin",
            "--mark-all-reviewed",
            "--pin",
            "0000",
        ])
        .output()
        .unwrap();
    assert_eq!(wrong.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&wrong.stderr).contains("Wrong PIN"));
    let reviewed = bin()
        .args(["review", "--db"])
        .arg(&db)
        .args(["--transfer", &first, "--user", "Ada Admin", "--mark-all-reviewed"])
        .env("GP2GP_INBOX_PIN", "4826")
        .output()
        .unwrap();
    assert!(
        reviewed.status.success(),
        "{}",
        String::from_utf8_lossy(&reviewed.stderr)
    );
    let done = decide(
        &["--transfer", &first, "--user", "Ada Admin", "--integrate"],
        None,
    );
    assert!(done.status.success(), "{}", String::from_utf8_lossy(&done.stderr));
    let v = &json_lines(&done)[0];
    assert_eq!(v["status"], "integrated");
    assert_eq!(v["ackType"], "AA");
    let ack = PathBuf::from(v["ackFile"].as_str().unwrap());
    assert_eq!(ack.parent().unwrap(), outbox);
    let msg = gp2gp::read(&std::fs::read(&ack).unwrap()).unwrap();
    assert_eq!(
        msg.acknowledgement.unwrap().message_ref.as_deref(),
        v["messageRef"].as_str()
    );

    // A rejection needs a fitting code; the environment variable chooses the outbox too.
    let env_outbox = tmp.path().join("env-outbox");
    let second = ids[1].to_string();
    let bad = decide(
        &["--transfer", &second, "--user", "Ada Admin", "--reject", "17"],
        Some(&env_outbox),
    );
    assert_eq!(bad.status.code(), Some(1));
    let rejected = decide(
        &["--transfer", &second, "--user", "Ada Admin", "--reject", "28"],
        Some(&env_outbox),
    );
    assert!(
        rejected.status.success(),
        "{}",
        String::from_utf8_lossy(&rejected.stderr)
    );
    let v = &json_lines(&rejected)[0];
    assert_eq!(
        (v["ackType"].as_str(), v["reasonCode"].as_str()),
        (Some("AE"), Some("28"))
    );
    assert!(PathBuf::from(v["ackFile"].as_str().unwrap()).starts_with(&env_outbox));
    assert_eq!(
        decide(
            &["--transfer", &second, "--user", "Ada Admin", "--integrate"],
            None
        )
        .status
        .code(),
        Some(1),
        "decided once"
    );
    let audit = run(&[&"audit", &"verify", &"--db", &db]);
    assert!(audit.status.success());
}
