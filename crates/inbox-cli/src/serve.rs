//! `gp2gp-inbox serve --db PATH`: the HTTP push endpoint without the window, until interrupted.
//!
//! Integration engines `POST /v1/messages` with `Authorization: Bearer <token>`; each message is
//! filed by the same pipeline as the watched folder. The token is read from `--token-file`
//! (default: `endpoint-token` in the data folder), which is made, random and owner-only, if it
//! does not exist yet. The token itself is never printed.

use std::net::SocketAddr;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use inbox::paths::TOKEN_FILE;
use inbox::DataPaths;

use crate::events::{self, print_line};

pub fn run(db: &Path, listen: &str, token_file: Option<&Path>, max_body_mb: u32, as_json: bool) -> ExitCode {
    let fail = |message: String| {
        eprintln!("gp2gp-inbox: {message}");
        ExitCode::from(2)
    };
    let Ok(listen) = listen.trim().parse::<SocketAddr>() else {
        return fail(format!(
            "\"{listen}\" is not an address and port (such as 127.0.0.1:8787)"
        ));
    };
    let inbox = match crate::open_inbox(
        DataPaths::beside_database(db).with_outbox_override(None, inbox::session::env_outbox()),
        Default::default(),
    ) {
        Ok(i) => Arc::new(i),
        Err(e) => return fail(e.to_string()),
    };
    let token_file = token_file.map_or_else(|| inbox.paths().data_dir.join(TOKEN_FILE), Path::to_owned);
    let token = match inbox::endpoint::token(&token_file) {
        Ok(t) => t,
        Err(e) => return fail(e.to_string()),
    };
    let max_body_bytes = u64::from(max_body_mb) * 1024 * 1024;
    let on_event: Arc<dyn Fn(inbox::dto::InboxEvent) + Send + Sync> = Arc::new(events::printer(as_json));
    let handle = match inbox::endpoint::start(&inbox, listen, token, max_body_bytes, on_event) {
        Ok(h) => h,
        Err(e) => return fail(format!("the endpoint could not start on {listen}: {e}")),
    };
    let started = format!(
        "listening http://{}/v1/messages (token in {})",
        handle.local_addr(),
        token_file.display()
    );
    if as_json {
        eprintln!("{started}");
    } else {
        print_line(&started);
    }
    // The endpoint works on its own threads until the process is stopped; a message cut off
    // by that is answered by no one, and the sender sends it again. Meanwhile records whose
    // large-message parts are overdue are marked incomplete, as the app's watcher does.
    let printer = events::printer(as_json);
    loop {
        std::thread::sleep(std::time::Duration::from_secs(60));
        for id in inbox.expire_awaiting().unwrap_or_default() {
            if let Ok(transfer) = inbox.transfer(id) {
                printer(inbox::dto::InboxEvent::TransferStored {
                    transfer: Box::new(transfer),
                });
            }
        }
    }
}
