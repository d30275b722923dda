//! get and list, with `limit`/`continue`, label and field selectors, and Table output.

use super::{json_response, raw_json_response, table};
use crate::SpaceApi;
use crate::request::{ObjectPath, Query};
use crate::selectors::{FieldSelector, LabelSelector};
use crate::status::{StatusError, StatusResult};
use crate::store::{Key, Stored};
use axum::response::Response;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use bytes::Bytes;
use serde_json::{Value, json};

/// GET one object.
pub fn get(api: &SpaceApi, path: &ObjectPath, as_table: bool) -> StatusResult<Response> {
    let name = path.name.as_deref().unwrap_or("");
    let key = Key::of(path.resource, path.namespace.as_deref().unwrap_or(""), name);
    let (stored, revision) = api.store.read(|m| (m.get_stored(&key).cloned(), m.revision));
    let stored = stored.ok_or_else(|| StatusError::not_found(path.resource, name))?;
    if as_table {
        let object = stored.value();
        let table = table::table(path.resource, &[&object], revision, None);
        return Ok(json_response(200, &table, &[]));
    }
    Ok(raw_json_response(stored.json))
}

/// The selectors of a list or watch.
pub struct Filter {
    labels: LabelSelector,
    fields: FieldSelector,
}

impl Filter {
    /// From `labelSelector` and `fieldSelector`.
    pub fn from_query(query: &Query) -> StatusResult<Filter> {
        Ok(Filter {
            labels: LabelSelector::parse(query.get("labelSelector").unwrap_or(""))?,
            fields: FieldSelector::parse(query.get("fieldSelector").unwrap_or(""))?,
        })
    }

    /// True when the object is selected.
    pub fn matches(&self, name: &str, namespace: &str, stored: &Stored) -> bool {
        self.labels.matches(stored.labels.as_deref()) && self.fields.matches(name, namespace)
    }
}

/// GET a collection. `continue` tokens carry the last key returned; a page starts after it.
pub fn list(
    api: &SpaceApi,
    path: &ObjectPath,
    query: &Query,
    as_table: bool,
) -> StatusResult<Response> {
    // A list in a namespace that does not exist is empty, not a 404, as in kube-apiserver
    // (`kubectl cluster-info` lists services of kube-system).
    let filter = Filter::from_query(query)?;
    let limit = match query.get("limit") {
        None => usize::MAX,
        Some(text) => match text.parse::<usize>() {
            Ok(0) => usize::MAX,
            Ok(n) => n,
            Err(_) => {
                return Err(StatusError::bad_request(format!("limit: invalid value \"{text}\"")));
            }
        },
    };
    let after = query.get("continue").map(decode_continue).transpose()?;
    // A later page shows the list as of the first page's resourceVersion, as kube-apiserver
    // does: the changes since are undone from the kept events (410 when they are gone).
    let then = match &after {
        Some((_, _, rv)) if *rv < api.store.read(|m| m.revision) => {
            Some((*rv, api.store.list_at(*rv, path.resource, path.namespace.as_deref()).ok_or_else(|| {
                StatusError::expired(
                    "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.",
                )
            })?))
        }
        _ => None,
    };
    let (items, revision, last_key) = api.store.read(|memory| {
        let mut items: Vec<Bytes> = Vec::new();
        let mut last_key = None;
        let mut more = false;
        let (objects, revision): (Vec<(&Key, &Stored)>, u64) = match &then {
            Some((rv, objects)) => (objects.iter().map(|(k, s)| (k, s)).collect(), *rv),
            None => (memory.list(path.resource, path.namespace.as_deref()), memory.revision),
        };
        for (key, stored) in objects {
            if let Some((ns, name, _)) = &after
                && (&key.namespace, &key.name) <= (ns, name)
            {
                continue;
            }
            if !filter.matches(&key.name, &key.namespace, stored) {
                continue;
            }
            if items.len() == limit {
                // Something is left after this page: hand out a continue token.
                more = true;
                break;
            }
            items.push(stored.json.clone());
            last_key = Some((key.namespace.clone(), key.name.clone()));
        }
        (items, revision, last_key.filter(|_| more))
    });
    let continue_token = last_key.map(|(ns, name)| encode_continue(&ns, &name, revision));
    if as_table {
        let objects: Vec<Value> =
            items.iter().map(|b| serde_json::from_slice(b).unwrap_or(Value::Null)).collect();
        let refs: Vec<&Value> = objects.iter().collect();
        let body = table::table(path.resource, &refs, revision, continue_token.as_deref());
        return Ok(json_response(200, &body, &[]));
    }
    let mut metadata = json!({"resourceVersion": revision.to_string()});
    if let Some(token) = continue_token {
        metadata["continue"] = json!(token);
    }
    // The items are already JSON: write the list around them instead of re-serializing.
    let head = json!({"kind": path.resource.list_kind(), "apiVersion": path.resource.api_version(), "metadata": metadata});
    let head = serde_json::to_vec(&head).map_err(|e| StatusError::internal(&e))?;
    let mut body =
        Vec::with_capacity(head.len() + items.iter().map(|i| i.len() + 1).sum::<usize>() + 16);
    body.extend_from_slice(&head[..head.len() - 1]);
    body.extend_from_slice(br#","items":["#);
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            body.push(b',');
        }
        body.extend_from_slice(item);
    }
    body.extend_from_slice(b"]}");
    Ok(raw_json_response(body))
}

fn encode_continue(namespace: &str, name: &str, revision: u64) -> String {
    let token = json!({"ns": namespace, "name": name, "rv": revision});
    URL_SAFE_NO_PAD.encode(token.to_string())
}

/// The last key a page returned and the resourceVersion of the first page.
fn decode_continue(token: &str) -> StatusResult<(String, String, u64)> {
    let invalid = || StatusError::bad_request("continue: the continue token is not valid");
    let bytes = URL_SAFE_NO_PAD.decode(token).map_err(|_| invalid())?;
    let value: Value = serde_json::from_slice(&bytes).map_err(|_| invalid())?;
    let ns = value["ns"].as_str().ok_or_else(invalid)?.to_owned();
    let name = value["name"].as_str().ok_or_else(invalid)?.to_owned();
    let rv = value["rv"].as_u64().ok_or_else(invalid)?;
    Ok((ns, name, rv))
}

/// The namespace list of a Space's endpoint: only its own namespace.
pub fn list_one_namespace(api: &SpaceApi, space: &str) -> StatusResult<Response> {
    let key = Key::of(&crate::resources::NAMESPACES, "", space);
    let (stored, revision) = api.store.read(|m| (m.get_stored(&key).cloned(), m.revision));
    let items: Vec<Value> = stored.iter().map(Stored::value).collect();
    let body = json!({"kind": "NamespaceList", "apiVersion": "v1", "metadata": {"resourceVersion": revision.to_string()}, "items": items});
    Ok(json_response(200, &body, &[]))
}
