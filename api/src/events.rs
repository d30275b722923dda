//! `GET /api/v1/spaces/{space}/events`, Server-Sent Events: a [`EventName::Snapshot`] of the
//! Space's EgressPoints on every (re)connect, then [`EventName::Change`]s; a
//! [`EventName::Resync`] asks the client to reconnect for a fresh snapshot.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The SSE `event:` names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventName {
    /// Data: [`Snapshot`].
    Snapshot,
    /// Data: [`ChangeMessage`]; the SSE `id` is the object's resourceVersion.
    Change,
    /// The client fell behind: reconnect for a fresh snapshot.
    Resync,
}

impl EventName {
    /// Every event a client listens for.
    pub const ALL: [EventName; 3] = [EventName::Snapshot, EventName::Change, EventName::Resync];

    /// The name on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            EventName::Snapshot => "snapshot",
            EventName::Change => "change",
            EventName::Resync => "resync",
        }
    }

    /// The event a wire name stands for.
    pub fn parse(name: &str) -> Option<EventName> {
        EventName::ALL.into_iter().find(|e| e.as_str() == name)
    }
}

/// What happened to an object, in Kubernetes' watch words.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum ChangeKind {
    /// Created (or first seen).
    Added,
    /// Changed.
    Modified,
    /// Deleted; the object is its last state.
    Deleted,
}

/// The data of a snapshot event.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Snapshot<O = Value> {
    /// The Space, on a stream that follows several (`GET /api/v1/events?spaces=`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub space: Option<String>,
    /// Every EgressPoint of the Space.
    pub items: Vec<O>,
}

/// The data of a change event.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChangeMessage<O = Value> {
    /// The Space, on a stream that follows several (`GET /api/v1/events?spaces=`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub space: Option<String>,
    /// What happened.
    #[serde(rename = "type")]
    pub kind: ChangeKind,
    /// The object (its last state for a deletion).
    pub object: O,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn changes_are_written_in_kubernetes_watch_words() {
        let change =
            ChangeMessage { space: None, kind: ChangeKind::Deleted, object: json!({"a": 1}) };
        assert_eq!(
            serde_json::to_value(&change).unwrap(),
            json!({"type": "DELETED", "object": {"a": 1}})
        );
        for name in EventName::ALL {
            assert_eq!(EventName::parse(name.as_str()), Some(name));
        }
    }
}
