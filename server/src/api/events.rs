//! `GET /api/v1/spaces/{space}/events`: Server-Sent Events fed by one kube-runtime watcher
//! per Space, shared by every browser tab, started on demand and stopped when the last
//! listener leaves. Each connection (and reconnection) starts with a `snapshot` of the
//! Space's EgressPoints taken after it subscribed, then `change` events; a client that
//! replaces its state with the snapshot and applies changes by resourceVersion neither
//! loses nor duplicates anything across reconnects.

use super::AppState;
use super::caller::InSpace;
use super::error::{ApiError, ApiResult};
use crate::spaces::{Caller, Space};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use egress_api::events::{ChangeMessage, EventName};
use futures_util::stream::BoxStream;
use futures_util::{Stream, StreamExt};
use serde::Deserialize;
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
    let events = space_events(&state, space, false).await?;
    Ok(Sse::new(events).keep_alive(KeepAlive::default()))
}

/// `?spaces=a,b`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SpacesQuery {
    /// The Spaces to follow, comma-separated.
    pub spaces: String,
}

/// Most Spaces one stream follows.
pub const MAX_SPACES_PER_STREAM: usize = 32;

/// GET the events of several Spaces as one SSE stream: what a browser tab follows, over one
/// connection whatever pages it shows.
#[utoipa::path(get, path = "/api/v1/events", tag = "egresspoints", params(SpacesQuery),
    responses((status = 200, description = "text/event-stream: for each Space a `snapshot` event ({space, items}), then `change` events ({space, type, object})", content_type = "text/event-stream", body = String),
        (status = 400, description = "No Space, or more than 32", body = ApiError, content_type = "application/problem+json"),
        super::error::SpaceErrors))]
pub async fn events_multiplexed(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<SpacesQuery>,
) -> ApiResult<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    let mut names: Vec<&str> =
        query.spaces.split(',').map(str::trim).filter(|s| !s.is_empty()).collect();
    names.sort_unstable();
    names.dedup();
    if names.is_empty() || names.len() > MAX_SPACES_PER_STREAM {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "Bad query",
            format!("?spaces= names 1 to {MAX_SPACES_PER_STREAM} Spaces, comma-separated"),
        ));
    }
    // The Spaces are resolved and checked together, not one after another.
    let streams = futures_util::future::try_join_all(names.into_iter().map(|name| {
        let (state, caller) = (&state, &caller);
        async move {
            let space = state.catalog.get(name, caller).await?;
            space_events(state, space, true).await
        }
    }))
    .await?;
    let events = futures_util::stream::select_all(streams);
    Ok(Sse::new(events).keep_alive(KeepAlive::default()))
}

/// One Space's events: its snapshot, then its changes; each names the Space when `named`.
async fn space_events(
    state: &AppState,
    space: Space,
    named: bool,
) -> ApiResult<BoxStream<'static, Result<Event, Infallible>>> {
    // Fail now, in words, rather than open a stream whose watch cannot start (403, 502).
    space
        .egresspoints()
        .list(&kube::api::ListParams::default().limit(1))
        .await
        .map_err(|e| ApiError::from_kube(e, &space.name))?;
    // The Space's watch cache, shared with every other tab and request of this caller.
    let watch = state.caches.get(&space);
    // A new cache has not listed the Space yet: wait for it (bounded, so a stuck API server
    // still gives a stream), or the snapshot would be empty and every object would follow
    // as a "change".
    watch.wait_until(crate::cache::SYNC_WAIT, |s| s.ready() || s.failed()).await;
    // Subscribe before the snapshot so nothing between the two is missed.
    let receiver = watch.subscribe();
    let name = named.then(|| space.name.clone());
    let snapshot = watch.read().snapshot_json(name.as_deref());
    let first = Event::default().event(EventName::Snapshot.as_str()).data(snapshot);
    let changes =
        tokio_stream::wrappers::BroadcastStream::new(receiver).filter_map(move |change| {
            // Holding the watch here keeps it running while this client listens.
            let _keep = &watch;
            let event = match change {
                Ok(change) => Event::default()
                    .event(EventName::Change.as_str())
                    .id(change.object.version.clone())
                    .json_data(ChangeMessage {
                        space: name.clone(),
                        kind: change.kind,
                        object: &*change.object.json,
                    })
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
    Ok(futures_util::stream::once(std::future::ready(Ok(first))).chain(changes).boxed())
}
