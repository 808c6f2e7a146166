//! The HTTP endpoint as the app runs it: enabled in settings, posts filed by the pipeline exactly
//! like files from the watched folder.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::mpsc;
use std::sync::Arc;

use inbox::dto::{InboxEvent, SettingsUpdate};
use inbox::session::{Session, SessionConfig};
use inbox::watch::WatchOptions;
use inbox::SystemClock;

use crate::corpus;

/// One HTTP/1.1 request on a fresh connection: (status, body). It asks `Expect: 100-continue`, as
/// integration engines do for large bodies, so a refusal arrives before the body is sent.
fn post(url: &str, token: &str, content_type: &str, body: &[u8]) -> (u16, serde_json::Value) {
    let rest = url.strip_prefix("http://").unwrap();
    let (host, path) = rest.split_once('/').unwrap();
    let mut stream = TcpStream::connect(host).unwrap();
    write!(
        stream,
        "POST /{path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .unwrap();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut status_line = String::new();
    reader.read_line(&mut status_line).unwrap();
    if status_line.contains(" 100 ") {
        let mut blank = String::new();
        reader.read_line(&mut blank).unwrap();
        stream.write_all(body).unwrap();
        status_line.clear();
        reader.read_line(&mut status_line).unwrap();
    }
    let status: u16 = status_line.split(' ').nth(1).unwrap().parse().unwrap();
    let mut rest = String::new();
    let _ = reader.read_to_string(&mut rest);
    let json = rest.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or("");
    (
        status,
        serde_json::from_str(json).unwrap_or(serde_json::Value::Null),
    )
}

/// A session in `data_dir`, watching `in/` beside it.
fn config(data_dir: &std::path::Path) -> SessionConfig {
    SessionConfig {
        data_dir: data_dir.to_owned(),
        env_incoming: Some(data_dir.join("in")),
        clock: Arc::new(SystemClock),
        watch: WatchOptions::default(),
        training_on_first_run: false,
        force_training: false,
    }
}

#[test]
fn messages_posted_to_the_endpoint_are_filed_once_and_announced() {
    let data = tempfile::tempdir().unwrap();
    let (tx, rx) = mpsc::channel();
    let session = Session::start(config(data.path()), move |e| {
        let _ = tx.send(e);
    })
    .unwrap();
    let off = session.settings().unwrap();
    assert!(!off.endpoint.running, "off unless turned on");
    let view = session
        .update_settings(SettingsUpdate {
            incoming_dir: None,
            endpoint_enabled: true,
            endpoint_listen: "127.0.0.1:0".into(),
            endpoint_max_body_mb: 1,
            attachment_timeout_hours: 24,
            storage_dir: None,
            outbox_dir: None,
            idle_lock_minutes: 10,
            relax_review_for_administrators: false,
        })
        .unwrap();
    assert!(view.endpoint.running, "{:?}", view.endpoint.problem);
    let url = view.endpoint.url.clone().unwrap();
    let token = std::fs::read_to_string(&view.endpoint.token_file).unwrap();
    let token = token.trim();
    assert_eq!(token.len(), 64);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&view.endpoint.token_file)
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "the token file is owner-only");
    }

    let record = std::fs::read(corpus("emis_PWTP7_documents_referrals.xml")).unwrap();
    let (status, body) = post(&url, token, "application/xml", &record);
    assert_eq!(status, 202, "{body}");
    assert_eq!(body["outcome"], "stored");
    let transfer_id = body["transferId"].as_i64().unwrap();
    let event = rx
        .recv_timeout(std::time::Duration::from_secs(20))
        .into_iter()
        .chain(rx.try_iter())
        .find_map(|e| match e {
            InboxEvent::TransferStored { transfer } => Some(transfer),
            _ => None,
        })
        .expect("the screen hears of it");
    assert_eq!(event.id, transfer_id);

    // The same message again: the same id, marked duplicate, not filed twice.
    let (status, again) = post(&url, token, "application/xml", &record);
    assert_eq!(status, 202);
    assert_eq!(again["id"], body["id"]);
    assert_eq!(again["duplicate"], true);
    assert_eq!(session.inbox().count_transfers().unwrap(), 1);

    // Not GP2GP: 400 with the reader's reason, and the body kept in quarantine.
    let (status, bad) = post(&url, token, "application/xml", b"<html><body/></html>");
    assert_eq!(status, 400);
    assert_eq!(bad["code"], "unreadable_message");
    assert!(bad["message"].as_str().unwrap().contains("quarantine"));
    assert_eq!(session.inbox().quarantine().unwrap().len(), 1);

    // The wrong token, and a body over the 1 MB limit, are refused.
    assert_eq!(
        post(&url, "not-the-token-at-all", "application/xml", &record).0,
        401
    );
    assert_eq!(
        post(&url, token, "application/xml", &vec![b' '; 2 * 1024 * 1024]).0,
        413
    );
    assert!(std::fs::read_dir(&session.inbox().paths().spool)
        .unwrap()
        .next()
        .is_none());
}

#[test]
fn a_port_in_use_is_shown_as_a_problem_not_a_failure() {
    let data = tempfile::tempdir().unwrap();
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let session = Session::start(config(data.path()), |_| {}).unwrap();
    let view = session
        .update_settings(SettingsUpdate {
            incoming_dir: None,
            endpoint_enabled: true,
            endpoint_listen: busy.local_addr().unwrap().to_string(),
            endpoint_max_body_mb: 512,
            attachment_timeout_hours: 24,
            storage_dir: None,
            outbox_dir: None,
            idle_lock_minutes: 10,
            relax_review_for_administrators: false,
        })
        .unwrap();
    assert!(!view.endpoint.running);
    assert!(view.endpoint.problem.unwrap().contains("could not start"));
}
