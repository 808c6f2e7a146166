//! Running the endpoint: on the caller's runtime ([`serve`]) or on its own thread ([`start`]).

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::{routes, spool, token, EndpointConfig, EndpointError, MessageSink, Result};

/// How long requests still in flight when the endpoint is stopped may take to finish; after that
/// they are abandoned (their partial files removed; a sink call already running still completes).
const GRACE: Duration = Duration::from_secs(10);

/// Tokio worker threads for [`start`]: the work is IO; the sink runs on blocking threads.
const WORKER_THREADS: usize = 2;

/// Serves the endpoint on `listener` until `shutdown` completes, then finishes the requests in
/// flight (graceful shutdown) and returns.
///
/// Fails at once, with [`io::ErrorKind::InvalidInput`], if the token cannot be used, or if the spool
/// folder cannot be prepared.
pub async fn serve(
    listener: TcpListener,
    config: EndpointConfig,
    sink: Arc<dyn MessageSink>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    token::check(&config.token).map_err(|reason| io::Error::new(io::ErrorKind::InvalidInput, reason))?;
    spool::prepare(&config.spool_dir)?;
    let app = routes::router(&config, sink);
    axum::serve(listener, app).with_graceful_shutdown(shutdown).await
}

/// The endpoint running on its own thread. Dropping it stops the endpoint, as [`Self::stop`] does.
#[derive(Debug)]
pub struct EndpointHandle {
    local_addr: SocketAddr,
    stop: Option<watch::Sender<bool>>,
    thread: Option<JoinHandle<io::Result<()>>>,
}

/// Starts the endpoint on its own thread, with its own small tokio runtime.
///
/// Checks the token, prepares the spool folder and binds before returning, so that those errors are
/// returned here (port 0 binds any free port: see [`EndpointHandle::local_addr`]).
pub fn start(config: EndpointConfig, sink: Arc<dyn MessageSink>) -> Result<EndpointHandle> {
    token::check(&config.token)
        .map_err(|reason| EndpointError::Token(format!("the endpoint's token: {reason}")))?;
    spool::prepare(&config.spool_dir).map_err(|source| EndpointError::Spool {
        path: config.spool_dir.clone(),
        source,
    })?;
    let bind = |addr: SocketAddr| {
        let listener = std::net::TcpListener::bind(addr)?;
        listener.set_nonblocking(true)?;
        let local_addr = listener.local_addr()?;
        Ok::<_, io::Error>((listener, local_addr))
    };
    let (listener, local_addr) = bind(config.listen).map_err(|source| EndpointError::Bind {
        addr: config.listen,
        source,
    })?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(WORKER_THREADS)
        .thread_name("inbox-http")
        .enable_all()
        .build()
        .map_err(EndpointError::Runtime)?;

    let (stop, stopped) = watch::channel(false);
    let thread = std::thread::Builder::new()
        .name("inbox-http".to_string())
        .spawn(move || {
            runtime.block_on(async move {
                let listener = TcpListener::from_std(listener)?;
                let shutdown = until_stopped(stopped.clone());
                let server = tokio::spawn(serve(listener, config, sink, shutdown));
                let abort = server.abort_handle();
                tokio::spawn(async move {
                    until_stopped(stopped).await;
                    tokio::time::sleep(GRACE).await;
                    abort.abort();
                });
                match server.await {
                    Ok(served) => served,
                    Err(e) if e.is_cancelled() => Ok(()),
                    Err(e) => Err(io::Error::other(format!("the HTTP endpoint failed: {e}"))),
                }
            })
            // Dropping the runtime here drops requests still in flight and waits for sink calls
            // already running.
        })
        .map_err(EndpointError::Runtime)?;

    Ok(EndpointHandle {
        local_addr,
        stop: Some(stop),
        thread: Some(thread),
    })
}

/// Completes when the handle says stop, or is gone.
async fn until_stopped(mut stopped: watch::Receiver<bool>) {
    let _ = stopped.wait_for(|stop| *stop).await;
}

impl EndpointHandle {
    /// The address the endpoint listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Stops the endpoint: no new connections, requests in flight finish (for up to 10 seconds),
    /// then the thread ends. Returns how the endpoint ended, e.g. an error that stopped it early.
    pub fn stop(mut self) -> io::Result<()> {
        self.shut_down()
    }

    fn shut_down(&mut self) -> io::Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(true);
        }
        match self.thread.take().map(JoinHandle::join) {
            None => Ok(()),
            Some(Ok(ended)) => ended,
            Some(Err(_)) => Err(io::Error::other("the HTTP endpoint's thread panicked")),
        }
    }
}

impl Drop for EndpointHandle {
    fn drop(&mut self) {
        let _ = self.shut_down();
    }
}
