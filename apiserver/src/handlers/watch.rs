//! watch: newline-delimited `{type, object}` events
//! (https://kubernetes.io/docs/reference/using-api/api-concepts/#efficient-detection-of-changes):
//! resume from a resourceVersion, 410 Expired in-band when it is too old, BOOKMARKs on
//! request, `sendInitialEvents` streaming lists, `timeoutSeconds`.

use super::read::Filter;
use super::table;
use crate::SpaceApi;
use crate::request::{ObjectPath, Query};
use crate::status::{StatusError, StatusResult};
use crate::store::{Event, Stored};
use axum::body::Body;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{broadcast, mpsc};
use tokio_stream::wrappers::ReceiverStream;

/// Longest a watch stays open when the client gives no `timeoutSeconds`.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(1800);

struct Watch {
    path: ObjectPath,
    filter: Filter,
    as_table: bool,
    bookmarks: bool,
}

impl Watch {
    fn selects(&self, event: &Event) -> bool {
        event.resource == self.path.resource
            && self.path.namespace.as_deref().is_none_or(|ns| ns == event.namespace)
            && self.filter.matches(&event.name, &event.namespace, &event.stored)
    }

    /// `{"type": …, "object": …}` around an object that is already JSON.
    fn stored_line(&self, kind: &str, stored: &Stored) -> Vec<u8> {
        if self.as_table {
            return self.line(kind, &stored.value());
        }
        let mut line = Vec::with_capacity(stored.json.len() + 32);
        line.extend_from_slice(br#"{"type":""#);
        line.extend_from_slice(kind.as_bytes());
        line.extend_from_slice(br#"","object":"#);
        line.extend_from_slice(&stored.json);
        line.extend_from_slice(b"}\n");
        line
    }

    fn line(&self, kind: &str, object: &Value) -> Vec<u8> {
        let object = if self.as_table && kind != "BOOKMARK" && kind != "ERROR" {
            table::table(self.path.resource, &[object], 0, None)
        } else {
            object.clone()
        };
        let mut line =
            serde_json::to_vec(&json!({"type": kind, "object": object})).unwrap_or_default();
        line.push(b'\n');
        line
    }

    fn bookmark(&self, revision: u64, initial_end: bool) -> Vec<u8> {
        let mut metadata = json!({"resourceVersion": revision.to_string()});
        if initial_end {
            metadata["annotations"] = json!({"k8s.io/initial-events-end": "true"});
        }
        let object = json!({
            "kind": self.path.resource.kind,
            "apiVersion": self.path.resource.api_version(),
            "metadata": metadata,
        });
        self.line("BOOKMARK", &object)
    }
}

/// GET a collection with `watch=true`.
pub fn watch(
    api: &SpaceApi,
    path: &ObjectPath,
    query: &Query,
    as_table: bool,
) -> StatusResult<Response> {
    // As lists: a watch in a namespace that does not exist (yet) is a watch of nothing.
    let watch = Watch {
        path: path.clone(),
        filter: Filter::from_query(query)?,
        as_table,
        bookmarks: query.flag("allowWatchBookmarks"),
    };
    let timeout = match query.get("timeoutSeconds") {
        None => DEFAULT_TIMEOUT,
        Some(text) => Duration::from_secs(text.parse().map_err(|_| {
            StatusError::bad_request(format!("timeoutSeconds: invalid value \"{text}\""))
        })?),
    };
    let send_initial = query.flag("sendInitialEvents");
    let since = match query.get("resourceVersion") {
        None | Some("0") => None,
        Some(text) => Some(text.parse::<u64>().map_err(|_| {
            StatusError::bad_request(format!("resourceVersion: invalid value \"{text}\""))
        })?),
    };
    // A version this store has not reached cannot be watched from (a client that read it
    // elsewhere, or made it up): kube-apiserver answers 504 "Too large resource version".
    // It waits up to 3 s for the cache first; here every write is already visible.
    if let Some(since) = since {
        let current = api.store.read(|m| m.revision);
        if since > current {
            return Err(StatusError {
                code: axum::http::StatusCode::GATEWAY_TIMEOUT,
                reason: "Timeout",
                message: format!(
                    "Timeout: Too large resource version: {since}, current: {current}"
                ),
                details: Some(json!({
                    "causes": [{"reason": "ResourceVersionTooLarge", "message": "Too large resource version"}],
                    "retryAfterSeconds": 1,
                })),
            });
        }
    }
    // Subscribe before reading state, so nothing committed in between is missed; events
    // already covered are skipped by revision.
    let live = api.store.subscribe();
    let mut opening = Vec::new();
    let mut last = 0;
    if send_initial || since.is_none() {
        let (objects, revision) = api.store.read(|m| {
            let objects: Vec<Stored> = m
                .list(path.resource, path.namespace.as_deref())
                .into_iter()
                .filter(|(k, s)| watch.filter.matches(&k.name, &k.namespace, s))
                .map(|(_, s)| s.clone())
                .collect();
            (objects, m.revision)
        });
        opening.extend(objects.iter().map(|s| watch.stored_line("ADDED", s)));
        if send_initial {
            opening.push(watch.bookmark(revision, true));
        }
        last = revision;
    } else if let Some(since) = since {
        match api.store.events_since(since) {
            Some(events) => {
                last = since;
                for event in events.iter().filter(|e| watch.selects(e)) {
                    opening.push(watch.stored_line(event.kind.as_str(), &event.stored));
                }
                last = events.last().map_or(last, |e| e.revision.max(last));
            }
            None => {
                let status = StatusError::expired(format!(
                    "too old resource version: {since} (kept from {})",
                    api.store
                        .read(|m| m.revision)
                        .saturating_sub(crate::store::EVENT_WINDOW as u64)
                ))
                .to_status();
                opening.push(watch.line("ERROR", &status));
                return Ok(stream_response(opening, None));
            }
        }
    }
    let interval = api.options.bookmark_interval;
    Ok(stream_response(
        opening,
        Some(Box::new(move |tx| Box::pin(follow(watch, live, last, tx, timeout, interval)))),
    ))
}

type Follow = Box<
    dyn FnOnce(mpsc::Sender<Vec<u8>>) -> std::pin::Pin<Box<dyn Future<Output = ()> + Send>> + Send,
>;

fn stream_response(opening: Vec<Vec<u8>>, follow: Option<Follow>) -> Response {
    let (tx, rx) = mpsc::channel::<Vec<u8>>(256);
    tokio::spawn(async move {
        for line in opening {
            if tx.send(line).await.is_err() {
                return;
            }
        }
        if let Some(follow) = follow {
            follow(tx).await;
        }
    });
    let stream =
        tokio_stream::StreamExt::map(ReceiverStream::new(rx), Ok::<_, std::convert::Infallible>);
    ([(header::CONTENT_TYPE, "application/json")], Body::from_stream(stream)).into_response()
}

async fn follow(
    watch: Watch,
    mut live: broadcast::Receiver<Arc<Event>>,
    mut last: u64,
    tx: mpsc::Sender<Vec<u8>>,
    timeout: Duration,
    interval: Duration,
) {
    let deadline = tokio::time::sleep(timeout);
    tokio::pin!(deadline);
    let mut ticks = tokio::time::interval(interval);
    ticks.tick().await;
    loop {
        let line = tokio::select! {
            () = &mut deadline => return,
            () = tx.closed() => return,
            _ = ticks.tick(), if watch.bookmarks => watch.bookmark(last, false),
            received = live.recv() => match received {
                Ok(event) if event.revision <= last => continue,
                Ok(event) => {
                    last = event.revision;
                    if !watch.selects(&event) {
                        continue;
                    }
                    watch.stored_line(event.kind.as_str(), &event.stored)
                }
                Err(broadcast::error::RecvError::Lagged(_)) => {
                    // Too slow a reader: tell it to relist rather than silently skip events.
                    let status = StatusError::expired("too old resource version: the watch fell behind").to_status();
                    let _ = tx.send(watch.line("ERROR", &status)).await;
                    return;
                }
                Err(broadcast::error::RecvError::Closed) => return,
            },
        };
        if tx.send(line).await.is_err() {
            return;
        }
    }
}
