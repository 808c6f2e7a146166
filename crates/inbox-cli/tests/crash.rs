//! Crash safety: `gp2gp-inbox watch` is killed with SIGKILL at pseudo-random moments (at least 50
//! times) while files keep arriving, and restarted each time. Afterwards every input file has been
//! filed exactly once (conservation), its bytes are kept where its outcome says, and the database
//! passes `PRAGMA integrity_check`.
//!
//! The moments come from a small xorshift generator with a fixed seed, printed with the test's
//! output (shown when it fails), so a failure can be replayed by changing `SEED`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

const SEED: u64 = 0x2026_0301_0930_5EED;
const KILLS: usize = 50;
/// Rounds of the input mix, each under its own names.
const ROUNDS: usize = 2;

/// xorshift64*: enough randomness for kill moments and junk, no crate needed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// In `lo..hi`.
    fn between(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo)
    }

    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }

    fn guid(&mut self) -> String {
        let (a, b) = (self.next(), self.next());
        format!(
            "{:08X}-{:04X}-{:04X}-{:04X}-{:012X}",
            a >> 32,
            (a >> 16) & 0xFFFF,
            a & 0xFFFF,
            b >> 48,
            b & 0xFFFF_FFFF_FFFF
        )
    }
}

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/public")
}

fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// The mix: every corpus file, the same again under another name (a duplicate, or a second
/// quarantine), junk, and a large message whose parts never all arrive.
fn inputs(rng: &mut Rng) -> Vec<(String, Vec<u8>)> {
    let mut corpus: Vec<(String, Vec<u8>)> = std::fs::read_dir(corpus_dir())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n != "README.md")
        .map(|n| {
            let bytes = std::fs::read(corpus_dir().join(&n)).unwrap();
            (n, bytes)
        })
        .collect();
    corpus.sort();
    assert!(corpus.len() >= 20, "the corpus is missing");
    let extract = corpus
        .iter()
        .find(|(n, _)| n == "tpp_systmone_uk06_payload.xml")
        .unwrap()
        .1
        .clone();
    let mut out = Vec::new();
    for round in 0..ROUNDS {
        for (name, bytes) in &corpus {
            out.push((format!("r{round}-corpus-{name}"), bytes.clone()));
            out.push((format!("r{round}-again-{name}"), bytes.clone()));
        }
        for i in 0..3 {
            let n = rng.between(1, 8192) as usize;
            out.push((format!("r{round}-random-{i}.bin"), rng.bytes(n)));
        }
        let mut xmlish = b"<?xml version=\"1.0\"?><RCMR_IN030000UK06>".to_vec();
        xmlish.extend(rng.bytes(500));
        out.push((format!("r{round}-junk-after-xml.xml"), xmlish));
        out.push((format!("r{round}-empty.xml"), Vec::new()));
        out.push((
            format!("r{round}-page.html"),
            format!("<html><body>Round {round}: not a record</body></html>").into_bytes(),
        ));
        let cut = rng.between(100, extract.len() as u64 - 100) as usize;
        out.push((format!("r{round}-truncated.xml"), extract[..cut].to_vec()));
        for (name, bytes) in partial_large_message(rng) {
            out.push((format!("r{round}-partial-{name}"), bytes));
        }
    }
    out
}

/// The Vision large message's core and fragment index, in a conversation of their own with an
/// extract id of their own, without the fragments they refer to: awaiting attachments.
fn partial_large_message(rng: &mut Rng) -> Vec<(String, Vec<u8>)> {
    let core = std::fs::read(corpus_dir().join("vision_large_attachment_uk06.json")).unwrap();
    let index = std::fs::read(corpus_dir().join("vision_large_attachment_copc_index.json")).unwrap();
    let extract_id = gp2gp::read(&core).unwrap().extract.unwrap().id.unwrap();
    let conversation = rng.guid();
    let core = String::from_utf8(core)
        .unwrap()
        .replace("{{conversationId}}", &conversation)
        .replace(&extract_id, &rng.guid());
    let index = String::from_utf8(index)
        .unwrap()
        .replace("{{conversationId}}", &conversation);
    vec![
        ("uk06.json".to_owned(), core.into_bytes()),
        ("copc-index.json".to_owned(), index.into_bytes()),
    ]
}

fn start_watcher(db: &Path, incoming: &Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_gp2gp-inbox"))
        .args(["watch", "--settle-ms", "20", "--db"])
        .arg(db)
        .arg(incoming)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// Kills the watcher however the test ends.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Names of the files in `dir` that are not temporary (`.name.part` and other dot-files).
fn visible_files(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| !n.starts_with('.'))
                .collect()
        })
        .unwrap_or_default()
}

fn count_arrivals(db: &Path) -> Option<usize> {
    let conn = rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).ok()?;
    conn.busy_timeout(Duration::from_secs(2)).ok()?;
    conn.query_row("SELECT count(*) FROM arrivals", [], |r| r.get::<_, i64>(0))
        .ok()
        .map(|n| n as usize)
}

#[test]
fn killing_the_watcher_at_random_moments_loses_and_repeats_nothing() {
    println!("crash test seed: {SEED:#x} (change SEED in tests/crash.rs to replay another run)");
    let started = Instant::now();
    let mut rng = Rng(SEED);
    let inputs = inputs(&mut rng);
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let db = data.join("inbox.sqlite3");
    let incoming = dir.path().join("incoming");
    std::fs::create_dir_all(&incoming).unwrap();

    // The feeder drops every input atomically (written under a temporary name, then renamed),
    // in a shuffled order, at a pace that spreads them over the kill loop.
    let mut order: Vec<usize> = (0..inputs.len()).collect();
    for i in (1..order.len()).rev() {
        order.swap(i, rng.between(0, i as u64 + 1) as usize);
    }
    let feeding_done = Arc::new(AtomicBool::new(false));
    let feeder = {
        let inputs = inputs.clone();
        let incoming = incoming.clone();
        let done = feeding_done.clone();
        let mut rng = Rng(SEED ^ 0xFEED);
        std::thread::spawn(move || {
            for i in order {
                let (name, bytes) = &inputs[i];
                let part = incoming.join(format!(".{name}.part"));
                std::fs::write(&part, bytes).unwrap();
                std::fs::rename(&part, incoming.join(name)).unwrap();
                // Pacing, not waiting for anything.
                std::thread::sleep(Duration::from_millis(rng.between(0, 70)));
            }
            done.store(true, Ordering::SeqCst);
        })
    };

    let processing = data.join("processing");
    let mut kills = 0;
    let mut lives = Vec::new();
    // Kills that left a file claimed but not finished: what start-up recovery is there for.
    let mut interrupted = 0;
    while kills < KILLS || !feeding_done.load(Ordering::SeqCst) {
        let mut child = start_watcher(&db, &incoming);
        // Mostly a few to tens of milliseconds; now and then long enough to get some work done.
        let life = if rng.between(0, 8) == 0 {
            rng.between(100, 400)
        } else {
            rng.between(2, 60)
        };
        std::thread::sleep(Duration::from_millis(life));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        lives.push(life);
        kills += 1;
        if std::fs::read_dir(&processing).is_ok_and(|mut d| d.next().is_some()) {
            interrupted += 1;
        }
    }
    feeder.join().unwrap();
    println!(
        "{kills} kills (lives of {lives:?} ms) while {} files arrived, in {:.1} s; \
         {interrupted} of them left a file half-filed in processing/",
        inputs.len(),
        started.elapsed().as_secs_f64()
    );

    // One last life, left to finish: wait (with a deadline) until every file has been filed.
    let watcher = Running(start_watcher(&db, &incoming));
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let left = visible_files(&incoming);
        let claimed = std::fs::read_dir(&processing).map(|d| d.count()).unwrap_or(0);
        let arrivals = count_arrivals(&db);
        if left.is_empty() && claimed == 0 && arrivals == Some(inputs.len()) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "seed {SEED:#x}: not everything was filed within 60 s: {} file(s) still incoming {left:?}, \
             {claimed} in processing/, {arrivals:?} of {} arrivals",
            left.len(),
            inputs.len()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    drop(watcher);
    println!("drained in {:.1} s", started.elapsed().as_secs_f64());

    check_conservation(&data, &inputs);
}

/// Every input is one arrival with one of the four outcomes, its bytes kept where the outcome
/// says, and the database is sound.
fn check_conservation(data: &Path, inputs: &[(String, Vec<u8>)]) {
    let conn = rusqlite::Connection::open(data.join("inbox.sqlite3")).unwrap();
    let integrity: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(integrity, "ok", "seed {SEED:#x}");

    struct Arrival {
        outcome: String,
        sha256: String,
        size: i64,
        message_id: Option<i64>,
        quarantine_id: Option<i64>,
    }
    let mut stmt = conn
        .prepare("SELECT file_name, outcome, sha256, size_bytes, message_id, quarantine_id FROM arrivals")
        .unwrap();
    let rows: Vec<(String, Arrival)> = stmt
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                Arrival {
                    outcome: r.get(1)?,
                    sha256: r.get(2)?,
                    size: r.get(3)?,
                    message_id: r.get(4)?,
                    quarantine_id: r.get(5)?,
                },
            ))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(rows.len(), inputs.len(), "seed {SEED:#x}: one arrival per input");
    let mut by_name: HashMap<&str, Vec<&Arrival>> = HashMap::new();
    for (name, a) in &rows {
        by_name.entry(name.as_str()).or_default().push(a);
    }
    let archive_of = |sql: &str, key: &dyn rusqlite::ToSql| -> Option<(String, String)> {
        conn.query_row(sql, [key], |r| Ok((r.get(0)?, r.get(1)?))).ok()
    };
    let mut outcomes: HashMap<&str, usize> = HashMap::new();
    for (name, bytes) in inputs {
        let mine = by_name.get(name.as_str()).map_or(&[][..], Vec::as_slice);
        assert_eq!(
            mine.len(),
            1,
            "seed {SEED:#x}: {name} recorded {} times",
            mine.len()
        );
        let a = mine[0];
        assert_eq!(a.sha256, sha256(bytes), "seed {SEED:#x}: {name}");
        assert_eq!(a.size, bytes.len() as i64, "seed {SEED:#x}: {name}");
        *outcomes.entry(a.outcome.as_str()).or_default() += 1;
        match a.outcome.as_str() {
            "stored" | "duplicate" | "awaiting" => {
                // The arrival's own bytes are archived...
                let (archive_name, sha) = archive_of(
                    "SELECT archive_name, sha256 FROM messages WHERE sha256 = ?1",
                    &a.sha256,
                )
                .unwrap_or_else(|| panic!("seed {SEED:#x}: {name}: no message with its bytes"));
                let archived = std::fs::read(data.join("archive").join(&archive_name)).unwrap();
                assert_eq!(sha256(&archived), sha, "seed {SEED:#x}: {name} archived intact");
                // ...and so are those of the message it names (the first one, for a duplicate).
                let id = a.message_id.unwrap_or_else(|| panic!("{name}: no message"));
                let (archive_name, sha) =
                    archive_of("SELECT archive_name, sha256 FROM messages WHERE id = ?1", &id).unwrap();
                let archived = std::fs::read(data.join("archive").join(&archive_name)).unwrap();
                assert_eq!(sha256(&archived), sha, "seed {SEED:#x}: {name}");
            }
            "quarantined" => {
                let id = a
                    .quarantine_id
                    .unwrap_or_else(|| panic!("{name}: no quarantine entry"));
                let q: String = conn
                    .query_row(
                        "SELECT quarantine_name FROM quarantine WHERE id = ?1",
                        [id],
                        |r| r.get(0),
                    )
                    .unwrap();
                let kept = data.join("quarantine").join(&q);
                let kept_bytes = std::fs::read(&kept)
                    .unwrap_or_else(|e| panic!("seed {SEED:#x}: {name}: {}: {e}", kept.display()));
                assert_eq!(
                    sha256(&kept_bytes),
                    a.sha256,
                    "seed {SEED:#x}: {name} kept intact"
                );
                assert!(
                    data.join("quarantine").join(format!("{q}.reason.txt")).is_file(),
                    "seed {SEED:#x}: {name} has its reason"
                );
            }
            other => panic!("seed {SEED:#x}: {name}: outcome {other}"),
        }
    }
    println!("outcomes: {outcomes:?}");
    // The mix holds every kind of ending.
    for outcome in ["stored", "duplicate", "awaiting", "quarantined"] {
        assert!(
            outcomes.contains_key(outcome),
            "seed {SEED:#x}: no {outcome} file in {outcomes:?}"
        );
    }
}
