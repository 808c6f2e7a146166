//! Harness for end-to-end tests of the real app: starts `tauri-driver` (which starts WebKitWebDriver,
//! which starts the app binary) on private ports with a fresh data folder, and hands back a WebDriver
//! client. Each test's final screen is saved under `target/e2e-screenshots/`.
//!
//! Needs a display (run under `xvfb-run`), `tauri-driver` on PATH (`cargo install tauri-driver
//! --locked`) and WebKitWebDriver (Debian `webkit2gtk-driver`), and the app built with its UI
//! embedded: `cargo build --workspace --features inbox-desktop/custom-protocol`. The tests are
//! `#[ignore]`d so a plain `cargo test` without a display passes; `scripts/test.sh` runs them.

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicU16, Ordering};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder};
use tokio::process::{Child, Command};

/// Where the workspace's `target/` is.
pub fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"),
    }
}

pub fn corpus(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/corpus/public")
        .join(name)
}

/// Each app gets its own pair of ports, so a leftover driver can never answer for the next test.
static NEXT_PORT: AtomicU16 = AtomicU16::new(4460);

/// A running app with its own data folder and incoming folder.
pub struct App {
    pub client: Client,
    pub data_dir: tempfile::TempDir,
    pub incoming: PathBuf,
    driver: Driver,
    name: &'static str,
}

/// The PIN of the profiles the tests make.
pub const PIN: &str = "2468";

/// The profile [`App::start`] makes: an administrator who is also a clinician, prescriber and trainer.
pub const ADMIN: &str = "Robin Admin";

/// The PIN of every synthetic profile of the training inbox.
pub const TRAINING_PIN: &str = "1234";

/// Makes profiles in the live database of `data_dir` with the command line (`gp2gp-inbox users add`).
fn add_users(data_dir: &Path, users: &[(&str, &str)]) {
    let cli = target_dir().join("debug/gp2gp-inbox");
    let db = data_dir.join("inbox.sqlite3");
    for (i, (name, roles)) in users.iter().enumerate() {
        let mut cmd = std::process::Command::new(&cli);
        cmd.args(["users", "add", "--db"])
            .arg(&db)
            .args(["--name", name, "--roles", roles])
            .env("GP2GP_INBOX_PIN", PIN)
            .env("GP2GP_INBOX_BY_PIN", PIN);
        if i > 0 {
            cmd.args(["--by", users[0].0]);
        }
        let out = cmd.output().unwrap_or_else(|e| panic!("{}: {e}", cli.display()));
        assert!(
            out.status.success(),
            "users add {name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// tauri-driver and its children; the whole process group is ended when dropped, even when a test fails.
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        if let Some(pid) = self.0.id() {
            let _ = std::process::Command::new("kill")
                .args(["-TERM", "--", &format!("-{pid}")])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
    }
}

impl App {
    /// Starts the app on an empty data folder, watching `<data>/drop` (via `GP2GP_INBOX_DIR`), with
    /// one profile, [`ADMIN`] (every role), made beforehand. Sign in with [`App::signed_in`].
    pub async fn start(name: &'static str) -> App {
        App::launch_with(
            name,
            true,
            &[(ADMIN, "administrator,clinician,prescriber,trainer")],
        )
        .await
    }

    /// Starts the app as a newcomer would: empty data folder, nothing configured.
    pub async fn first_run(name: &'static str) -> App {
        App::launch_with(name, false, &[]).await
    }

    /// Starts the app on an empty data folder (watching `<data>/drop`) with these profiles already
    /// made (name, comma-separated roles; PIN [`PIN`]), as the command line makes them; the first is
    /// an administrator.
    pub async fn start_with_users(name: &'static str, users: &[(&str, &str)]) -> App {
        App::launch_with(name, true, users).await
    }

    async fn launch_with(name: &'static str, configure_incoming: bool, users: &[(&str, &str)]) -> App {
        let app = target_dir().join("debug/gp2gp-inbox-desktop");
        assert!(
            app.exists(),
            "{} is missing: build it with `cargo build --workspace --features inbox-desktop/custom-protocol`",
            app.display()
        );
        let data_dir = tempfile::tempdir().expect("temp dir");
        let incoming = data_dir.path().join("drop");
        add_users(data_dir.path(), users);
        let port = NEXT_PORT.fetch_add(2, Ordering::SeqCst);
        let mut driver = Command::new("tauri-driver");
        driver
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &(port + 1).to_string(),
            ])
            .env("GP2GP_INBOX_DATA_DIR", data_dir.path())
            .env_remove("GP2GP_INBOX_DIR")
            .stdin(Stdio::null())
            // tauri-driver starts WebKitWebDriver, which starts the app: give them a process group of
            // their own so that closing the test ends all three, not just tauri-driver.
            .process_group(0)
            .kill_on_drop(true);
        let incoming = if configure_incoming {
            driver.env("GP2GP_INBOX_DIR", &incoming);
            incoming
        } else {
            data_dir.path().join("incoming")
        };
        let driver = driver
            .spawn()
            .expect("tauri-driver on PATH (cargo install tauri-driver --locked)");
        wait_for_port(port, Duration::from_secs(30));

        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), "wry".into());
        caps.insert("tauri:options".into(), serde_json::json!({ "application": app }));
        let client = ClientBuilder::native()
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .expect("WebDriver session with the app");
        App {
            client,
            data_dir,
            incoming,
            driver: Driver(driver),
            name,
        }
    }

    /// Signs in on the sign-in screen: chooses the profile, types the PIN.
    pub async fn sign_in(&self, profile: &str, pin: &str) {
        let c = &self.client;
        let limit = Duration::from_secs(10);
        c.wait()
            .at_most(limit)
            .for_element(fantoccini::Locator::Css("[data-testid='sign-in']"))
            .await
            .expect("the sign-in screen");
        c.wait()
            .at_most(limit)
            .for_element(fantoccini::Locator::XPath(&format!(
                "//*[@data-testid='sign-in']//button[starts-with(normalize-space(), '{profile}')]"
            )))
            .await
            .unwrap_or_else(|e| panic!("profile {profile}: {e}"))
            .click()
            .await
            .unwrap();
        let field = c
            .wait()
            .at_most(limit)
            .for_element(fantoccini::Locator::XPath(
                "//label[normalize-space()='PIN']/following::input[1] | //input[@aria-label='PIN'] | //input[@id=//label[normalize-space()='PIN']/@for]",
            ))
            .await
            .expect("the PIN field");
        field.send_keys(pin).await.unwrap();
        c.find(fantoccini::Locator::XPath(
            "//button[normalize-space()='Sign in']",
        ))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    }

    /// Signs in and waits until the app shows who is signed in.
    pub async fn signed_in(&self, profile: &str, pin: &str) {
        self.sign_in(profile, pin).await;
        self.client
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(fantoccini::Locator::Css("[data-testid='signed-in-user']"))
            .await
            .expect("signed in");
    }

    /// Saves the current screen as `target/e2e-screenshots/<name>.png` (in the workspace, whatever
    /// `CARGO_TARGET_DIR` says).
    pub async fn screenshot(&self, name: &str) {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/e2e-screenshots");
        std::fs::create_dir_all(&dir).expect("screenshot folder");
        let png = self.client.screenshot().await.expect("screenshot");
        std::fs::write(dir.join(format!("{name}.png")), png).expect("write screenshot");
    }

    /// Saves the current screen under the test's name and closes the app.
    pub async fn finish(self) {
        self.screenshot(self.name).await;
        let _ = self.client.close().await;
        drop(self.driver);
    }
}

/// Delivers a file the way a sender does: written under a temporary name, then renamed in.
pub fn deliver(src: &Path, dir: &Path, name: &str) {
    std::fs::create_dir_all(dir).expect("incoming folder");
    let part = dir.join(format!("{name}.part"));
    std::fs::copy(src, &part).expect("copy");
    std::fs::rename(&part, dir.join(name)).expect("rename");
}

fn wait_for_port(port: u16, limit: Duration) {
    let start = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            start.elapsed() < limit,
            "tauri-driver did not listen on port {port}"
        );
        std::thread::yield_now();
    }
}

/// Posts `body` to `url` the way an integration engine does (HTTP/1.1, bearer token); the status.
pub fn post(url: &str, token: &str, content_type: &str, body: &[u8]) -> u16 {
    use std::io::{Read, Write};
    let rest = url.strip_prefix("http://").expect("an http:// address");
    let (host, path) = rest.split_once('/').expect("a path");
    let mut stream = std::net::TcpStream::connect(host).expect("the endpoint answers");
    write!(
        stream,
        "POST /{path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .expect("request");
    stream.write_all(body).expect("body");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("response");
    response
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("not an HTTP response: {response}"))
}
