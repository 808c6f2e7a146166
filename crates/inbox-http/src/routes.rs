//! The routes, and the answer to each outcome.

use std::path::PathBuf;
use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::{Deserialize, Serialize};

use crate::spool::{self, SpoolError};
use crate::token::ExpectedToken;
use crate::{Accepted, EndpointConfig, MessageSink, PostedMessage, SinkError};

/// The closed set of codes in error bodies, serialised in snake case (`"payload_too_large"`).
/// Clients act on the code; the message is for people.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// `401`: no `Authorization: Bearer` header, or not the endpoint's token.
    Unauthorized,
    /// `415`: a `Content-Type` the reader does not take, or none.
    UnsupportedMediaType,
    /// `413`: the body is larger than the endpoint's limit.
    PayloadTooLarge,
    /// `400`: the body is empty.
    EmptyBody,
    /// `400`: the body did not arrive whole (the connection closed, or broken chunked framing).
    IncompleteBody,
    /// `400`: the body arrived but is not a message the reader can read.
    UnreadableMessage,
    /// `404`: no such route.
    NotFound,
    /// `405`: the route does not take that method (`Allow` says which it does).
    MethodNotAllowed,
    /// `503`: the inbox cannot take messages now; try again later.
    Unavailable,
    /// `500`: something went wrong inside the inbox.
    Internal,
}

impl ErrorCode {
    /// The HTTP status code sent with this code.
    pub fn status(self) -> u16 {
        self.status_code().as_u16()
    }

    fn status_code(self) -> StatusCode {
        match self {
            ErrorCode::Unauthorized => StatusCode::UNAUTHORIZED,
            ErrorCode::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::EmptyBody | ErrorCode::IncompleteBody | ErrorCode::UnreadableMessage => {
                StatusCode::BAD_REQUEST
            }
            ErrorCode::NotFound => StatusCode::NOT_FOUND,
            ErrorCode::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ErrorCode::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

/// Every error response's body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub code: ErrorCode,
    pub message: String,
}

/// The `202` body.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AcceptedBody<'a> {
    id: i64,
    transfer_id: Option<i64>,
    outcome: &'a str,
    duplicate: bool,
}

#[derive(Serialize)]
struct HealthBody {
    status: &'static str,
    version: &'static str,
}

/// What the reader takes, as said in `415` answers.
const ACCEPTED_TYPES: &str = "application/xml, text/xml, application/*+xml, multipart/related, \
                              application/json, application/octet-stream, text/plain";

/// A body's container, as its `Content-Type` says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Container {
    Xml,
    Mime,
    Json,
    Text,
    Binary,
}

impl Container {
    fn of(content_type: &str) -> Option<Container> {
        let essence = content_type
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        match essence.as_str() {
            "application/xml" | "text/xml" => Some(Container::Xml),
            "multipart/related" => Some(Container::Mime),
            "application/json" => Some(Container::Json),
            "text/plain" => Some(Container::Text),
            "application/octet-stream" => Some(Container::Binary),
            other => other
                .strip_prefix("application/")
                .and_then(|subtype| subtype.strip_suffix("+xml"))
                .filter(|name| !name.is_empty() && !name.contains('/'))
                .map(|_| Container::Xml),
        }
    }

    fn extension(self) -> &'static str {
        match self {
            Container::Xml => "xml",
            Container::Mime => "mime",
            Container::Json => "json",
            Container::Text => "txt",
            Container::Binary => "bin",
        }
    }
}

/// A refused request.
struct Refusal {
    code: ErrorCode,
    message: String,
    allow: Option<&'static str>,
}

impl Refusal {
    fn new(code: ErrorCode, message: impl Into<String>) -> Refusal {
        Refusal {
            code,
            message: message.into(),
            allow: None,
        }
    }

    fn method_not_allowed(allow: &'static str) -> Refusal {
        Refusal {
            allow: Some(allow),
            ..Refusal::new(
                ErrorCode::MethodNotAllowed,
                format!("this address takes {allow} only"),
            )
        }
    }

    fn too_large(limit: u64) -> Refusal {
        const MB: u64 = 1024 * 1024;
        let limit = if limit >= MB {
            format!("{} MB", limit / MB)
        } else {
            format!("{limit} bytes")
        };
        Refusal::new(
            ErrorCode::PayloadTooLarge,
            format!("the message is larger than this endpoint's limit of {limit}"),
        )
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let mut response = json(
            self.code.status_code(),
            &ErrorBody {
                code: self.code,
                message: self.message,
            },
        );
        let headers = response.headers_mut();
        if self.code == ErrorCode::Unauthorized {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if let Some(allow) = self.allow {
            headers.insert(header::ALLOW, HeaderValue::from_static(allow));
        }
        response
    }
}

fn json(status: StatusCode, body: &impl Serialize) -> Response {
    let body = serde_json::to_vec(body).expect("response bodies are plain structs");
    (
        status,
        [(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))],
        body,
    )
        .into_response()
}

/// What the handlers share.
struct Endpoint {
    token: ExpectedToken,
    max_body_bytes: u64,
    spool_dir: PathBuf,
    sink: Arc<dyn MessageSink>,
}

pub(crate) fn router(config: &EndpointConfig, sink: Arc<dyn MessageSink>) -> Router {
    let endpoint = Arc::new(Endpoint {
        token: ExpectedToken::new(&config.token),
        max_body_bytes: config.max_body_bytes,
        spool_dir: config.spool_dir.clone(),
        sink,
    });
    Router::new()
        .route(
            "/v1/messages",
            post(post_message).fallback(|| async { Refusal::method_not_allowed("POST") }),
        )
        .route(
            "/v1/health",
            get(health).fallback(|| async { Refusal::method_not_allowed("GET, HEAD") }),
        )
        .fallback(|| async { Refusal::new(ErrorCode::NotFound, "there is nothing at this address") })
        // Bodies are streamed to disk and limited there, never buffered by an extractor.
        .layer(DefaultBodyLimit::disable())
        .with_state(endpoint)
}

async fn health() -> Response {
    json(
        StatusCode::OK,
        &HealthBody {
            status: "ok",
            version: env!("CARGO_PKG_VERSION"),
        },
    )
}

/// `POST /v1/messages`: token, content type and declared length from the headers alone, then the
/// body to disk, then the sink.
async fn post_message(State(endpoint): State<Arc<Endpoint>>, request: Request) -> Result<Response, Refusal> {
    let (parts, body) = request.into_parts();
    let headers = &parts.headers;

    let authorization = headers.get(header::AUTHORIZATION).map(HeaderValue::as_bytes);
    if !endpoint.token.admits(authorization) {
        return Err(Refusal::new(
            ErrorCode::Unauthorized,
            "this endpoint needs its token: send the header Authorization: Bearer <token>",
        ));
    }

    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok());
    let Some((content_type, container)) =
        content_type.and_then(|ct| Container::of(ct).map(|container| (ct, container)))
    else {
        let sent = match content_type {
            Some(ct) => format!("the Content-Type {ct:?} is not one the inbox reads"),
            None => "the request has no readable Content-Type".to_string(),
        };
        return Err(Refusal::new(
            ErrorCode::UnsupportedMediaType,
            format!("{sent}; send one of {ACCEPTED_TYPES}"),
        ));
    };

    match declared_length(headers) {
        Some(length) if length > endpoint.max_body_bytes => {
            return Err(Refusal::too_large(endpoint.max_body_bytes))
        }
        Some(0) => return Err(empty_body()),
        _ => {}
    }

    // The reader finds a MIME message's boundary from a `boundary=` in the bytes, which for a
    // posted body is in the HTTP header: so it goes in front, as HTTP-style headers.
    let prefix = match container {
        Container::Mime => format!("Content-Type: {content_type}\r\n\r\n"),
        _ => String::new(),
    };
    let spooled = spool::receive(
        &endpoint.spool_dir,
        prefix.as_bytes(),
        body,
        endpoint.max_body_bytes,
        container.extension(),
    )
    .await
    .map_err(|e| match e {
        SpoolError::TooLarge => Refusal::too_large(endpoint.max_body_bytes),
        SpoolError::Empty => empty_body(),
        SpoolError::Incomplete => Refusal::new(
            ErrorCode::IncompleteBody,
            "the message did not arrive whole: the connection closed or the body was malformed",
        ),
        SpoolError::Io(e) => Refusal::new(
            ErrorCode::Unavailable,
            format!("the message could not be written to disk ({e}); try again later"),
        ),
    })?;

    let message = PostedMessage {
        path: spooled.path,
        content_type: content_type.to_string(),
        size_bytes: spooled.size_bytes,
        suggested_name: spooled.name,
    };
    let sink = Arc::clone(&endpoint.sink);
    let accepted = match tokio::task::spawn_blocking(move || sink.accept(message)).await {
        Ok(Ok(accepted)) => accepted,
        Ok(Err(SinkError::Unreadable(message))) => {
            return Err(Refusal::new(ErrorCode::UnreadableMessage, message))
        }
        Ok(Err(SinkError::Unavailable(message))) => {
            return Err(Refusal::new(ErrorCode::Unavailable, message))
        }
        Ok(Err(SinkError::Internal(message))) => return Err(Refusal::new(ErrorCode::Internal, message)),
        Err(_) => {
            return Err(Refusal::new(
                ErrorCode::Internal,
                "the inbox failed while taking the message in",
            ))
        }
    };
    let Accepted {
        id,
        transfer_id,
        ref outcome,
        duplicate,
    } = accepted;
    Ok(json(
        StatusCode::ACCEPTED,
        &AcceptedBody {
            id,
            transfer_id,
            outcome,
            duplicate,
        },
    ))
}

fn empty_body() -> Refusal {
    Refusal::new(
        ErrorCode::EmptyBody,
        "the request has no body: send the message as the body",
    )
}

fn declared_length(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(header::CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn containers_come_from_the_content_type() {
        for (content_type, container) in [
            ("application/xml", Some(Container::Xml)),
            ("text/xml; charset=UTF-8", Some(Container::Xml)),
            ("Application/SOAP+XML; charset=utf-8", Some(Container::Xml)),
            ("application/ebxml+xml", Some(Container::Xml)),
            (
                "multipart/related; boundary=\"--=_MIME-Boundary\"; type=\"text/xml\"",
                Some(Container::Mime),
            ),
            ("application/json", Some(Container::Json)),
            ("text/plain", Some(Container::Text)),
            ("application/octet-stream", Some(Container::Binary)),
            ("application/+xml", None),
            ("image/svg+xml", None),
            ("multipart/form-data; boundary=x", None),
            ("image/png", None),
            ("text/html", None),
            ("", None),
        ] {
            assert_eq!(Container::of(content_type), container, "{content_type}");
        }
    }

    #[test]
    fn every_code_has_its_status_and_snake_case_name() {
        for (code, status, name) in [
            (ErrorCode::Unauthorized, 401, "unauthorized"),
            (ErrorCode::UnsupportedMediaType, 415, "unsupported_media_type"),
            (ErrorCode::PayloadTooLarge, 413, "payload_too_large"),
            (ErrorCode::EmptyBody, 400, "empty_body"),
            (ErrorCode::IncompleteBody, 400, "incomplete_body"),
            (ErrorCode::UnreadableMessage, 400, "unreadable_message"),
            (ErrorCode::NotFound, 404, "not_found"),
            (ErrorCode::MethodNotAllowed, 405, "method_not_allowed"),
            (ErrorCode::Unavailable, 503, "unavailable"),
            (ErrorCode::Internal, 500, "internal"),
        ] {
            assert_eq!(code.status(), status, "{code:?}");
            assert_eq!(serde_json::to_value(code).unwrap(), name, "{code:?}");
        }
    }

    #[test]
    fn limits_are_stated_in_megabytes() {
        assert!(Refusal::too_large(512 * 1024 * 1024)
            .message
            .ends_with("limit of 512 MB"));
        assert!(Refusal::too_large(1000).message.ends_with("limit of 1000 bytes"));
    }
}
