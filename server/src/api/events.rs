//! `GET /api/v1/spaces/{space}/events`: Server-Sent Events fed by one kube-runtime watcher
//! per Space, shared by every browser tab, started on demand and stopped when the last
//! listener leaves. Each connection (and reconnection) starts with a `snapshot` of the
//! Space's EgressPoints taken after it subscribed, then `change` events; a client that
//! replaces its state with the snapshot and applies changes by resourceVersion neither
//! loses nor duplicates anything across reconnects.

use super::AppState;
use super::caller::InSpace;
use super::error::ApiResult;
use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use egress_api::events::{ChangeMessage, EventName};
use futures_util::{Stream, StreamExt};
use std::convert::Infallible;

/// GET the Space's events as an SSE stream.
#[utoipa::path(get, path = "/api/v1/spaces/{space}/events", tag = "egresspoints",
    params(("space" = String, Path, description = "Space name")),
    responses((status = 200, description = "text/event-stream: a `snapshot` event ({items}), then `change` events ({type, object})", content_type = "text/event-stream", body = String),
        super::error::SpaceErrors))]
pub async fn events_stream(
    State(state): State<AppState>,
    InSpace(space): InSpace,
) -> ApiResult<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    // Fail now, in words, rather than open a stream whose watch cannot start (403, 502).
    space
        .egresspoints()
        .list(&kube::api::ListParams::default().limit(1))
        .await
        .map_err(|e| super::error::ApiError::from_kube(e, &space.name))?;
    // The Space's watch cache, shared with every other tab and request of this caller.
    let watch = state.caches.get(&space);
    // A new cache has not listed the Space yet: wait for it (bounded, so a stuck API server
    // still gives a stream), or the snapshot would be empty and every object would follow
    // as a "change".
    watch.wait_until(crate::cache::SYNC_WAIT, |s| s.ready() || s.failed()).await;
    // Subscribe before the snapshot so nothing between the two is missed.
    let receiver = watch.subscribe();
    let snapshot = watch.read().snapshot_json();
    let first = Event::default().event(EventName::Snapshot.as_str()).data(snapshot);
    let changes =
        tokio_stream::wrappers::BroadcastStream::new(receiver).filter_map(move |change| {
            // Holding the watch here keeps it running while this client listens.
            let _keep = &watch;
            let event = match change {
                Ok(change) => Event::default()
                    .event(EventName::Change.as_str())
                    .id(change.object.version.clone())
                    .json_data(ChangeMessage { kind: change.kind, object: &*change.object.json })
                    .ok(),
                // Fell behind: tell the client to take a fresh snapshot by reconnecting.
                Err(_) => Some(
                    Event::default()
                        .event(EventName::Resync.as_str())
                        .data("reconnect for a fresh snapshot"),
                ),
            };
            std::future::ready(event.map(Ok))
        });
    let stream = futures_util::stream::once(std::future::ready(Ok(first))).chain(changes);
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()))
}
