//! The endpoint over real HTTP: started with `start` on a free port, posted to with a hyper client
//! (or, where the test is about what the server does before reading a body, raw bytes on a socket).
//! The sink is a `Recorder` that hashes each file and, like the inbox pipeline, gives the same bytes
//! the same id.

use std::collections::{HashMap, HashSet};
use std::convert::Infallible;
use std::future::Future;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::pin::Pin;
use std::sync::{Arc, Condvar, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};
use http_body_util::{BodyExt, Empty, Full};
use hyper::header::{HeaderMap, ALLOW, AUTHORIZATION, CONTENT_TYPE, HOST, WWW_AUTHENTICATE};
use hyper::{Method, Request, StatusCode};
use hyper_util::rt::TokioIo;
use inbox_http::{
    start, Accepted, EndpointConfig, EndpointError, EndpointHandle, MessageSink, PostedMessage, SinkError,
};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

const TOKEN: &str = "test-token-0123456789abcdef";
const XML: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><RCMR_IN030000UK06/>";
const MB: u64 = 1024 * 1024;
/// A failsafe, not a wait: a test that gets no answer fails instead of hanging.
const FAILSAFE: Duration = Duration::from_secs(120);

// ---------------------------------------------------------------------------------------------
// Authentication

#[test]
fn requests_without_the_token_are_refused_and_never_reach_the_sink() {
    let server = Server::start(MB);
    for authorization in [
        None,
        Some("Bearer wrong-token-0123456789abcdef".to_string()),
        Some(format!("Bearer {TOKEN}x")),
        Some(format!("Basic {TOKEN}")),
        Some(format!("Token {TOKEN}")),
        Some(TOKEN.to_string()),
        Some("Bearer ".to_string()),
    ] {
        let answer = server.post(authorization.as_deref(), Some("application/xml"), full(XML));
        answer.assert_error(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            &format!("{authorization:?}"),
        );
        assert_eq!(answer.headers[WWW_AUTHENTICATE], "Bearer", "{authorization:?}");
    }
    assert!(server.sink.received().is_empty());
    assert_eq!(server.spool_files(), Vec::<String>::new());

    // The scheme is case-insensitive, as HTTP says.
    let answer = server.post(
        Some(&format!("bearer {TOKEN}")),
        Some("application/xml"),
        full(XML),
    );
    assert_eq!(answer.status, StatusCode::ACCEPTED, "{:?}", answer.body);
}

/// Refusals that need only the headers come before the body is read: the client sends headers
/// that announce a large body and then nothing, and still gets its answer (a server that read
/// first would wait for the body, and the failsafe would fail the test).
#[test]
fn refusals_from_the_headers_come_before_the_body_is_read() {
    let server = Server::start(MB);
    let auth = format!("Authorization: Bearer {TOKEN}\r\n");
    for (headers, status, code) in [
        (
            "Content-Type: application/xml\r\nContent-Length: 100000\r\n".to_string(),
            401,
            "unauthorized",
        ),
        (
            format!("{auth}Content-Type: image/png\r\nContent-Length: 100000\r\n"),
            415,
            "unsupported_media_type",
        ),
        (
            format!("{auth}Content-Length: 100000\r\n"),
            415,
            "unsupported_media_type",
        ),
        (
            format!("{auth}Content-Type: application/xml\r\nContent-Length: 10737418240\r\n"),
            413,
            "payload_too_large",
        ),
    ] {
        let mut raw = Raw::connect(server.addr());
        raw.send(format!("POST /v1/messages HTTP/1.1\r\nHost: inbox\r\n{headers}\r\n").as_bytes());
        let response = raw.response();
        assert_eq!(response.status, status, "{headers}");
        assert_eq!(response.json()["code"], code, "{headers}");
    }
    assert!(server.sink.received().is_empty());
    assert_eq!(server.spool_files(), Vec::<String>::new());
}

// ---------------------------------------------------------------------------------------------
// Content types

#[test]
fn content_types_the_reader_takes_are_accepted_and_named_for_their_container() {
    let server = Server::start(MB);
    for (content_type, extension) in [
        ("application/xml", "xml"),
        ("text/xml; charset=UTF-8", "xml"),
        ("application/soap+xml; charset=utf-8", "xml"),
        ("application/json", "json"),
        ("application/octet-stream", "bin"),
        ("text/plain", "txt"),
        (
            "multipart/related; boundary=\"--=_MIME-Boundary\"; type=\"text/xml\"",
            "mime",
        ),
    ] {
        // Distinct bodies, so that none is a repeat.
        let body = format!("{XML}<!-- {content_type} -->");
        let answer = server.post(Some(&bearer()), Some(content_type), full(body));
        assert_eq!(
            answer.status,
            StatusCode::ACCEPTED,
            "{content_type}: {:?}",
            answer.body
        );
        let received = server.sink.last();
        assert_eq!(received.content_type, content_type);
        assert!(
            received.suggested_name.starts_with("http-"),
            "{}",
            received.suggested_name
        );
        assert!(
            received.suggested_name.ends_with(&format!(".{extension}")),
            "{}",
            received.suggested_name
        );
        assert_eq!(received.file_name, received.suggested_name);
    }
}

#[test]
fn content_types_the_reader_does_not_take_are_refused() {
    let server = Server::start(MB);
    for content_type in [
        Some("image/png"),
        Some("text/html"),
        Some("multipart/form-data; boundary=x"),
        None,
    ] {
        let answer = server.post(Some(&bearer()), content_type, full(XML));
        answer.assert_error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            &format!("{content_type:?}"),
        );
        let message = answer.body["message"].as_str().unwrap();
        assert!(
            message.contains("application/xml") && message.contains("multipart/related"),
            "{message}"
        );
    }
    assert!(server.sink.received().is_empty());
}

#[test]
fn a_multipart_body_is_spooled_behind_its_content_type() {
    let server = Server::start(MB);
    let content_type = "multipart/related; boundary=\"--=_MIME-Boundary\"; type=\"text/xml\"; start=\"<ebXMLHeader@spine.nhs.uk>\"";
    let body =
        "----=_MIME-Boundary\r\nContent-Id: <ebXMLHeader@spine.nhs.uk>\r\nContent-Type: text/xml\r\n\r\n\
                <SOAP:Envelope xmlns:SOAP=\"http://schemas.xmlsoap.org/soap/envelope/\"/>\r\n\
                ----=_MIME-Boundary--\r\n";
    let answer = server.post(Some(&bearer()), Some(content_type), full(body));
    assert_eq!(answer.status, StatusCode::ACCEPTED, "{:?}", answer.body);

    let received = server.sink.last();
    let expected = format!("Content-Type: {content_type}\r\n\r\n{body}");
    assert_eq!(String::from_utf8(received.head).unwrap(), expected);
    assert_eq!(received.size_bytes, expected.len() as u64);
    assert_eq!(received.file_len, expected.len() as u64);
}

// ---------------------------------------------------------------------------------------------
// Bodies: limits, empty, incomplete

/// Limit 1024 bytes; bodies sent with a `Content-Length` or chunked (length unknown until the end).
#[test]
fn the_body_limit_holds_whether_or_not_the_length_is_declared() {
    let server = Server::start(1024);
    for (size, declared, status) in [
        (1024, true, StatusCode::ACCEPTED),
        (1023, false, StatusCode::ACCEPTED),
        (1025, true, StatusCode::PAYLOAD_TOO_LARGE),
        (1025, false, StatusCode::PAYLOAD_TOO_LARGE),
        (64 * 1024, false, StatusCode::PAYLOAD_TOO_LARGE),
    ] {
        let what = format!("{size} bytes, declared {declared}");
        let answer = server.post(
            Some(&bearer()),
            Some("application/xml"),
            Generated::new(size, declared),
        );
        if status == StatusCode::ACCEPTED {
            assert_eq!(answer.status, status, "{what}: {:?}", answer.body);
        } else {
            answer.assert_error(status, "payload_too_large", &what);
            let message = answer.body["message"].as_str().unwrap();
            assert!(message.contains("1024 bytes"), "{message}");
        }
        // Nothing partial is left behind, and accepted files are the sink's.
        assert_eq!(server.spool_files(), Vec::<String>::new(), "{what}");
    }
    assert_eq!(server.sink.received().len(), 2);
}

#[test]
fn the_limit_is_stated_in_megabytes() {
    let server = Server::start(EndpointConfig::DEFAULT_MAX_BODY_BYTES);
    let mut raw = Raw::connect(server.addr());
    raw.send(
        format!(
            "POST /v1/messages HTTP/1.1\r\nHost: inbox\r\nAuthorization: Bearer {TOKEN}\r\n\
             Content-Type: application/xml\r\nContent-Length: {}\r\n\r\n",
            EndpointConfig::DEFAULT_MAX_BODY_BYTES + 1
        )
        .as_bytes(),
    );
    let response = raw.response();
    assert_eq!(response.status, 413);
    let message = response.json()["message"].as_str().unwrap().to_string();
    assert!(message.contains("512 MB"), "{message}");
}

#[test]
fn an_empty_body_is_refused() {
    let server = Server::start(MB);
    let declared = server.post(Some(&bearer()), Some("application/xml"), Empty::<Bytes>::new());
    declared.assert_error(StatusCode::BAD_REQUEST, "empty_body", "Content-Length: 0");
    let chunked = server.post(Some(&bearer()), Some("application/xml"), Generated::new(0, false));
    chunked.assert_error(StatusCode::BAD_REQUEST, "empty_body", "chunked");
    assert!(server.sink.received().is_empty());
    assert_eq!(server.spool_files(), Vec::<String>::new());
}

/// The client announces 1000 bytes, waits for `100 Continue` (sent when the endpoint starts
/// reading, with the partial file created), sends 500 and goes away.
#[test]
fn a_client_going_away_mid_body_leaves_nothing_behind() {
    let server = Server::start(MB);
    let mut raw = Raw::connect(server.addr());
    raw.send(
        format!(
            "POST /v1/messages HTTP/1.1\r\nHost: inbox\r\nAuthorization: Bearer {TOKEN}\r\n\
             Content-Type: application/xml\r\nContent-Length: 1000\r\nExpect: 100-continue\r\n\r\n"
        )
        .as_bytes(),
    );
    assert_eq!(raw.response().status, 100);
    let spooling = server.spool_files();
    assert!(
        spooling.len() == 1 && spooling[0].starts_with(".incoming-") && spooling[0].ends_with(".part"),
        "{spooling:?}"
    );
    raw.send(&[b'<'; 500]);
    drop(raw);

    // Stopping waits for the request to end.
    let Server { handle, spool, sink } = server;
    handle.stop().unwrap();
    assert_eq!(files_in(spool.path()), Vec::<String>::new());
    assert!(sink.received().is_empty());
}

// ---------------------------------------------------------------------------------------------
// The sink's answers

#[test]
fn a_message_and_its_repeat_get_the_same_id() {
    let server = Server::start(MB);
    let first = server.post(Some(&bearer()), Some("application/xml"), full(XML));
    assert_eq!(first.status, StatusCode::ACCEPTED, "{:?}", first.body);
    assert_eq!(first.headers[CONTENT_TYPE], "application/json");
    assert_eq!(
        first.body,
        json!({"id": 1, "transferId": 1001, "outcome": "stored", "duplicate": false})
    );

    let repeat = server.post(Some(&bearer()), Some("text/xml"), full(XML));
    assert_eq!(repeat.status, StatusCode::ACCEPTED, "{:?}", repeat.body);
    assert_eq!(
        repeat.body,
        json!({"id": 1, "transferId": 1001, "outcome": "duplicate", "duplicate": true})
    );
    // Each post was its own file, and the sink took both.
    let received = server.sink.received();
    assert_eq!(received.len(), 2);
    assert_ne!(received[0].file_name, received[1].file_name);
    assert_eq!(server.spool_files(), Vec::<String>::new());
}

#[test]
fn an_unreadable_message_is_refused_with_the_readers_reason() {
    let server = Server::start(MB);
    let answer = server.post(Some(&bearer()), Some("application/xml"), full("junk, not XML"));
    answer.assert_error(StatusCode::BAD_REQUEST, "unreadable_message", "junk");
    assert_eq!(answer.body["message"], "The file is not XML.");
}

#[test]
fn sink_failures_are_answered_with_their_status() {
    type Failure = fn(PostedMessage) -> Result<Accepted, SinkError>;
    let failures: [(Failure, StatusCode, &str, &str); 3] = [
        (
            |m| {
                std::fs::remove_file(m.path).unwrap();
                Err(SinkError::Unavailable(
                    "the inbox database is locked; try again later".into(),
                ))
            },
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "the inbox database is locked; try again later",
        ),
        (
            |m| {
                std::fs::remove_file(m.path).unwrap();
                Err(SinkError::Internal("the archive is not writable".into()))
            },
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "the archive is not writable",
        ),
        (
            |_| panic!("the sink panicked"),
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "the inbox failed while taking the message in",
        ),
    ];
    for (sink, status, code, message) in failures {
        let spool = tempfile::tempdir().unwrap();
        let handle = start(config(spool.path(), MB), Arc::new(sink)).unwrap();
        let answer = post_to(
            handle.local_addr(),
            Some(&bearer()),
            Some("application/xml"),
            full(XML),
        );
        answer.assert_error(status, code, message);
        assert_eq!(answer.body["message"], message);
    }
}

// ---------------------------------------------------------------------------------------------
// Size and concurrency

/// 200 MB streamed from a client that makes it chunk by chunk, to an endpoint in this process.
/// The memory measure is the process's peak resident set (`VmHWM`), reset to the current size
/// first through `/proc/self/clear_refs` (Linux 4.0+). Where the reset is refused the growth is
/// measured from the resident size before, an overestimate if an earlier test peaked higher: the
/// test can then fail wrongly but never pass wrongly. The other tests in this binary post a few
/// kilobytes each, so running alongside them does not matter.
#[cfg(target_os = "linux")]
#[test]
fn a_200_mb_body_streams_to_disk_without_being_held_in_memory() {
    const SIZE: u64 = 200 * MB;
    let server = Server::start(EndpointConfig::DEFAULT_MAX_BODY_BYTES);
    let baseline = PeakMemory::start();

    let body = Generated::new(SIZE, true);
    let sent = Arc::clone(&body.sha256);
    let answer = server.post(Some(&bearer()), Some("application/octet-stream"), body);
    let grown = baseline.growth();

    assert_eq!(answer.status, StatusCode::ACCEPTED, "{:?}", answer.body);
    let received = server.sink.last();
    assert_eq!(received.size_bytes, SIZE);
    assert_eq!(received.file_len, SIZE);
    let sent: [u8; 32] = sent.lock().unwrap().clone().finalize().into();
    assert_eq!(received.sha256, sent, "the file on disk is not what was sent");
    assert!(
        grown < 100 * MB,
        "peak memory grew by {} MB while 200 MB passed through",
        grown / MB
    );
}

/// Sixteen posts at once: the sink holds each until all sixteen are inside it, so they are truly
/// concurrent. Each gets its own id; then each, posted again, gets its id again.
#[test]
fn concurrent_posts_each_get_their_own_id_and_repeats_get_it_again() {
    const N: usize = 16;
    let server = Server::with_sink(MB, Recorder::gated(N));
    let bodies: Vec<String> = (0..N).map(|i| format!("{XML}<!-- message {i} -->")).collect();
    let addr = server.addr();

    let (first, again) = run(async move {
        let first = post_all(addr, &bodies).await;
        let again = post_all(addr, &bodies).await;
        (first, again)
    });

    let ids: Vec<i64> = first
        .iter()
        .map(|answer| {
            assert_eq!(answer.status, StatusCode::ACCEPTED, "{:?}", answer.body);
            assert_eq!(answer.body["duplicate"], false);
            answer.body["id"].as_i64().unwrap()
        })
        .collect();
    assert_eq!(ids.iter().collect::<HashSet<_>>().len(), N, "{ids:?}");
    for (id, answer) in ids.iter().zip(&again) {
        assert_eq!(answer.status, StatusCode::ACCEPTED, "{:?}", answer.body);
        assert_eq!(answer.body["id"], *id);
        assert_eq!(answer.body["duplicate"], true);
    }
    assert_eq!(server.spool_files(), Vec::<String>::new());
}

// ---------------------------------------------------------------------------------------------
// Health, routes, starting

#[test]
fn health_answers_without_a_token() {
    let server = Server::start(MB);
    let answer = server.request(Method::GET, "/v1/health", None, None, Empty::new());
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.headers[CONTENT_TYPE], "application/json");
    assert_eq!(
        answer.body,
        json!({"status": "ok", "version": env!("CARGO_PKG_VERSION")})
    );
}

#[test]
fn other_routes_and_methods_are_answered_in_json() {
    let server = Server::start(MB);
    for (method, path, status, code, allow) in [
        (Method::GET, "/", StatusCode::NOT_FOUND, "not_found", None),
        (
            Method::POST,
            "/v1/message",
            StatusCode::NOT_FOUND,
            "not_found",
            None,
        ),
        (
            Method::GET,
            "/v1/messages",
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            Some("POST"),
        ),
        (
            Method::PUT,
            "/v1/messages",
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            Some("POST"),
        ),
        (
            Method::POST,
            "/v1/health",
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            Some("GET, HEAD"),
        ),
    ] {
        let what = format!("{method} {path}");
        let answer = server.request(method, path, Some(&bearer()), Some("application/xml"), full(XML));
        answer.assert_error(status, code, &what);
        assert_eq!(
            answer.headers.get(ALLOW).map(|v| v.to_str().unwrap()),
            allow,
            "{what}"
        );
    }
    assert!(server.sink.received().is_empty());
}

#[test]
fn start_refuses_unusable_tokens_and_taken_addresses() {
    let spool = tempfile::tempdir().unwrap();
    let sink = || Arc::new(Recorder::default());
    for token in ["", "short", "a token with spaces in it"] {
        let config = EndpointConfig {
            token: token.to_string(),
            ..config(spool.path(), MB)
        };
        let err = start(config, sink()).unwrap_err();
        assert!(matches!(err, EndpointError::Token(_)), "{token:?}: {err}");
    }

    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let config = EndpointConfig {
        listen: taken.local_addr().unwrap(),
        ..config(spool.path(), MB)
    };
    let err = start(config, sink()).unwrap_err();
    assert!(matches!(err, EndpointError::Bind { .. }), "{err}");
    assert!(err.to_string().contains("could not listen"), "{err}");
}

#[test]
fn starting_clears_partial_bodies_left_by_a_crash_and_keeps_the_rest() {
    let spool = tempfile::tempdir().unwrap();
    std::fs::write(spool.path().join(".incoming-0123.part"), "<half").unwrap();
    std::fs::write(spool.path().join("http-0123.xml"), XML).unwrap();
    let handle = start(config(spool.path(), MB), Arc::new(Recorder::default())).unwrap();
    assert_eq!(files_in(spool.path()), ["http-0123.xml"]);
    handle.stop().unwrap();
}

#[test]
fn the_spool_folder_is_created_owner_only() {
    let parent = tempfile::tempdir().unwrap();
    let spool = parent.path().join("spool").join("http");
    let handle = start(config(&spool, MB), Arc::new(Recorder::default())).unwrap();
    assert!(spool.is_dir());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&spool).unwrap().permissions().mode() & 0o777,
            0o700
        );
    }
    handle.stop().unwrap();
}

// ---------------------------------------------------------------------------------------------
// The server under test

struct Server {
    handle: EndpointHandle,
    spool: tempfile::TempDir,
    sink: Arc<Recorder>,
}

impl Server {
    fn start(max_body_bytes: u64) -> Server {
        Server::with_sink(max_body_bytes, Recorder::default())
    }

    fn with_sink(max_body_bytes: u64, sink: Recorder) -> Server {
        let spool = tempfile::tempdir().unwrap();
        let sink = Arc::new(sink);
        let handle = start(
            config(spool.path(), max_body_bytes),
            Arc::clone(&sink) as Arc<dyn MessageSink>,
        )
        .unwrap();
        Server { handle, spool, sink }
    }

    fn addr(&self) -> SocketAddr {
        self.handle.local_addr()
    }

    fn post<B: SendBody>(&self, authorization: Option<&str>, content_type: Option<&str>, body: B) -> Answer {
        post_to(self.addr(), authorization, content_type, body)
    }

    fn request<B: SendBody>(
        &self,
        method: Method,
        path: &str,
        authorization: Option<&str>,
        content_type: Option<&str>,
        body: B,
    ) -> Answer {
        let request = request(self.addr(), method, path, authorization, content_type, body);
        run(send(self.addr(), request))
    }

    fn spool_files(&self) -> Vec<String> {
        files_in(self.spool.path())
    }
}

fn config(spool: &Path, max_body_bytes: u64) -> EndpointConfig {
    EndpointConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        max_body_bytes,
        ..EndpointConfig::new(TOKEN, spool)
    }
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// What the sink saw of one message.
#[derive(Debug, Clone)]
struct Received {
    content_type: String,
    suggested_name: String,
    file_name: String,
    size_bytes: u64,
    file_len: u64,
    /// The first 4 KiB.
    head: Vec<u8>,
    sha256: [u8; 32],
}

/// A sink like the inbox pipeline in what the endpoint can see: it takes the file (reads and
/// deletes it), gives the same bytes the same id, and refuses bodies starting with `junk`.
#[derive(Default)]
struct Recorder {
    ids: Mutex<HashMap<[u8; 32], i64>>,
    received: Mutex<Vec<Received>>,
    gate: Option<Gate>,
}

impl Recorder {
    fn gated(n: usize) -> Recorder {
        Recorder {
            gate: Some(Gate {
                inside: Mutex::new(0),
                changed: Condvar::new(),
                n,
            }),
            ..Recorder::default()
        }
    }

    fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    fn last(&self) -> Received {
        self.received().pop().expect("the sink received nothing")
    }
}

impl MessageSink for Recorder {
    fn accept(&self, message: PostedMessage) -> Result<Accepted, SinkError> {
        let (sha256, head, file_len) = hash_file(&message.path);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&message.path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "spooled files are owner-only");
        }
        std::fs::remove_file(&message.path).unwrap();
        self.received.lock().unwrap().push(Received {
            content_type: message.content_type,
            suggested_name: message.suggested_name,
            file_name: message.path.file_name().unwrap().to_string_lossy().into_owned(),
            size_bytes: message.size_bytes,
            file_len,
            head: head.clone(),
            sha256,
        });
        if let Some(gate) = &self.gate {
            gate.pass();
        }
        if head.starts_with(b"junk") {
            return Err(SinkError::Unreadable("The file is not XML.".to_string()));
        }
        let mut ids = self.ids.lock().unwrap();
        let next = ids.len() as i64 + 1;
        let id = *ids.entry(sha256).or_insert(next);
        let duplicate = id != next;
        Ok(Accepted {
            id,
            transfer_id: Some(1000 + id),
            outcome: if duplicate { "duplicate" } else { "stored" }.to_string(),
            duplicate,
        })
    }
}

fn hash_file(path: &Path) -> ([u8; 32], Vec<u8>, u64) {
    let mut file = std::fs::File::open(path).unwrap();
    let mut hasher = Sha256::new();
    let mut head = Vec::new();
    let mut buffer = vec![0u8; 64 * 1024];
    let mut len = 0u64;
    loop {
        let n = file.read(&mut buffer).unwrap();
        if n == 0 {
            break;
        }
        if head.len() < 4096 {
            head.extend_from_slice(&buffer[..n.min(4096 - head.len())]);
        }
        hasher.update(&buffer[..n]);
        len += n as u64;
    }
    (hasher.finalize().into(), head, len)
}

/// Lets sink calls through once `n` are inside at the same time.
struct Gate {
    inside: Mutex<usize>,
    changed: Condvar,
    n: usize,
}

impl Gate {
    fn pass(&self) {
        let mut inside = self.inside.lock().unwrap();
        *inside += 1;
        self.changed.notify_all();
        let (inside, timeout) = self
            .changed
            .wait_timeout_while(inside, FAILSAFE, |inside| *inside < self.n)
            .unwrap();
        assert!(
            !timeout.timed_out(),
            "only {} of {} posts reached the sink at once",
            *inside,
            self.n
        );
    }
}

// ---------------------------------------------------------------------------------------------
// The client

trait SendBody: Body<Data = Bytes, Error = Infallible> + Send + 'static {}
impl<B: Body<Data = Bytes, Error = Infallible> + Send + 'static> SendBody for B {}

fn bearer() -> String {
    format!("Bearer {TOKEN}")
}

fn full(body: impl Into<String>) -> Full<Bytes> {
    Full::new(Bytes::from(body.into()))
}

fn run<F: Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(future)
}

fn request<B>(
    addr: SocketAddr,
    method: Method,
    path: &str,
    authorization: Option<&str>,
    content_type: Option<&str>,
    body: B,
) -> Request<B> {
    let mut request = Request::builder()
        .method(method)
        .uri(path)
        .header(HOST, addr.to_string());
    if let Some(authorization) = authorization {
        request = request.header(AUTHORIZATION, authorization);
    }
    if let Some(content_type) = content_type {
        request = request.header(CONTENT_TYPE, content_type);
    }
    request.body(body).unwrap()
}

fn post_to<B: SendBody>(
    addr: SocketAddr,
    authorization: Option<&str>,
    content_type: Option<&str>,
    body: B,
) -> Answer {
    let request = request(
        addr,
        Method::POST,
        "/v1/messages",
        authorization,
        content_type,
        body,
    );
    run(send(addr, request))
}

async fn post_all(addr: SocketAddr, bodies: &[String]) -> Vec<Answer> {
    let posts: Vec<_> = bodies
        .iter()
        .map(|body| {
            let request = request(
                addr,
                Method::POST,
                "/v1/messages",
                Some(&bearer()),
                Some("text/xml"),
                full(body.clone()),
            );
            tokio::spawn(send(addr, request))
        })
        .collect();
    let mut answers = Vec::new();
    for post in posts {
        answers.push(post.await.unwrap());
    }
    answers
}

/// One request on its own connection.
async fn send<B: SendBody>(addr: SocketAddr, request: Request<B>) -> Answer {
    let exchange = async {
        let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .unwrap();
        tokio::spawn(connection);
        let response = sender.send_request(request).await.unwrap();
        let (parts, body) = response.into_parts();
        let body = body.collect().await.unwrap().to_bytes();
        Answer {
            status: parts.status,
            headers: parts.headers,
            body: serde_json::from_slice(&body).unwrap_or(Value::Null),
        }
    };
    tokio::time::timeout(FAILSAFE, exchange)
        .await
        .expect("no answer from the endpoint")
}

struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: Value,
}

impl Answer {
    /// An error answer: `status`, JSON `{code, message}` with this code and a message.
    fn assert_error(&self, status: StatusCode, code: &str, what: &str) {
        assert_eq!(self.status, status, "{what}: {:?}", self.body);
        assert_eq!(self.headers[CONTENT_TYPE], "application/json", "{what}");
        assert_eq!(self.body["code"], code, "{what}: {:?}", self.body);
        let fields: Vec<&String> = self.body.as_object().unwrap().keys().collect();
        assert_eq!(fields, ["code", "message"], "{what}");
        assert!(!self.body["message"].as_str().unwrap().is_empty(), "{what}");
    }
}

/// A body made chunk by chunk as it is sent, never whole in memory, hashing what it sends. With
/// `declared` its length goes in a `Content-Length`; without, it is sent chunked.
struct Generated {
    remaining: u64,
    declared: bool,
    block: Vec<u8>,
    counter: u64,
    sha256: Arc<Mutex<Sha256>>,
}

impl Generated {
    fn new(size: u64, declared: bool) -> Generated {
        // 64 KiB of varied bytes; each chunk also carries its number, so no two chunks are alike.
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let block = (0..64 * 1024)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                state as u8
            })
            .collect();
        Generated {
            remaining: size,
            declared,
            block,
            counter: 0,
            sha256: Arc::new(Mutex::new(Sha256::new())),
        }
    }
}

impl Body for Generated {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        if self.remaining == 0 {
            return Poll::Ready(None);
        }
        let len = self.remaining.min(self.block.len() as u64) as usize;
        let mut chunk = self.block[..len].to_vec();
        let counter = self.counter.to_le_bytes();
        let stamp = len.min(counter.len());
        chunk[..stamp].copy_from_slice(&counter[..stamp]);
        self.counter += 1;
        self.remaining -= len as u64;
        self.sha256.lock().unwrap().update(&chunk);
        Poll::Ready(Some(Ok(Frame::data(Bytes::from(chunk)))))
    }

    fn size_hint(&self) -> SizeHint {
        if self.declared {
            SizeHint::with_exact(self.remaining)
        } else {
            SizeHint::default()
        }
    }
}

/// HTTP/1.1 by hand, for what a client library would not do: stop after the headers.
struct Raw {
    stream: TcpStream,
    buffer: Vec<u8>,
}

struct RawResponse {
    status: u16,
    body: Vec<u8>,
}

impl RawResponse {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }
}

impl Raw {
    fn connect(addr: SocketAddr) -> Raw {
        let stream = TcpStream::connect(addr).unwrap();
        stream.set_read_timeout(Some(FAILSAFE)).unwrap();
        Raw {
            stream,
            buffer: Vec::new(),
        }
    }

    fn send(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).unwrap();
    }

    /// The next response: status line, headers, and a `Content-Length` body.
    fn response(&mut self) -> RawResponse {
        let head_end = loop {
            if let Some(i) = self.buffer.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
            self.fill();
        };
        let head = String::from_utf8(self.buffer.drain(..head_end).collect()).unwrap();
        let status = head.split(' ').nth(1).unwrap().parse().unwrap();
        let length: usize = head
            .lines()
            .filter_map(|line| line.split_once(':'))
            .find(|(name, _)| name.eq_ignore_ascii_case("content-length"))
            .map_or(0, |(_, value)| value.trim().parse().unwrap());
        while self.buffer.len() < length {
            self.fill();
        }
        let body = self.buffer.drain(..length).collect();
        RawResponse { status, body }
    }

    fn fill(&mut self) {
        let mut chunk = [0u8; 4096];
        let n = self.stream.read(&mut chunk).expect("no answer from the endpoint");
        assert!(n > 0, "the endpoint closed the connection without answering");
        self.buffer.extend_from_slice(&chunk[..n]);
    }
}

/// The growth of this process's peak resident memory since `start`.
#[cfg(target_os = "linux")]
struct PeakMemory {
    from: u64,
}

#[cfg(target_os = "linux")]
impl PeakMemory {
    fn start() -> PeakMemory {
        let reset = std::fs::write("/proc/self/clear_refs", "5").is_ok();
        let from = if reset {
            status_kb("VmHWM")
        } else {
            status_kb("VmRSS")
        };
        PeakMemory { from: from * 1024 }
    }

    fn growth(&self) -> u64 {
        (status_kb("VmHWM") * 1024).saturating_sub(self.from)
    }
}

#[cfg(target_os = "linux")]
fn status_kb(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with(field)).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}
