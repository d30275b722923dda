//! get and list, with `limit`/`continue`, label and field selectors, and Table output.

use super::{json_response, table};
use crate::SpaceApi;
use crate::request::{ObjectPath, Query};
use crate::selectors::{FieldSelector, LabelSelector};
use crate::status::{ApiError, ApiResult};
use crate::store::Key;
use axum::response::Response;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

/// GET one object.
pub fn get(api: &SpaceApi, path: &ObjectPath, as_table: bool) -> ApiResult<Response> {
    let name = path.name.as_deref().unwrap_or("");
    let key = Key::of(path.resource, path.namespace.as_deref().unwrap_or(""), name);
    let object =
        api.store.read(|m| m.get(&key)).ok_or_else(|| ApiError::not_found(path.resource, name))?;
    if as_table {
        let revision = api.store.read(|m| m.revision);
        return Ok(json_response(
            200,
            &table::table(path.resource, &[&*object], revision, None),
            &[],
        ));
    }
    Ok(json_response(200, &object, &[]))
}

/// The selectors of a list or watch.
pub struct Filter {
    labels: LabelSelector,
    fields: FieldSelector,
}

impl Filter {
    /// From `labelSelector` and `fieldSelector`.
    pub fn from_query(query: &Query) -> ApiResult<Filter> {
        Ok(Filter {
            labels: LabelSelector::parse(query.get("labelSelector").unwrap_or(""))?,
            fields: FieldSelector::parse(query.get("fieldSelector").unwrap_or(""))?,
        })
    }

    /// True when the object is selected.
    pub fn matches(&self, object: &Value) -> bool {
        self.labels.matches(object) && self.fields.matches(object)
    }
}

/// GET a collection. `continue` tokens carry the last key returned; a page starts after it.
pub fn list(
    api: &SpaceApi,
    path: &ObjectPath,
    query: &Query,
    as_table: bool,
) -> ApiResult<Response> {
    super::require_namespace(&api.store, path)?;
    let filter = Filter::from_query(query)?;
    let limit = match query.get("limit") {
        None => usize::MAX,
        Some(text) => match text.parse::<usize>() {
            Ok(0) => usize::MAX,
            Ok(n) => n,
            Err(_) => {
                return Err(ApiError::bad_request(format!("limit: invalid value \"{text}\"")));
            }
        },
    };
    let after = query.get("continue").map(decode_continue).transpose()?;
    let (items, revision, more) = api.store.read(|memory| {
        let mut items: Vec<Value> = Vec::new();
        let mut more = None;
        let all = memory.list(path.resource, path.namespace.as_deref());
        for (key, object) in all {
            if let Some((ns, name)) = &after
                && (&key.namespace, &key.name) <= (ns, name)
            {
                continue;
            }
            if !filter.matches(object) {
                continue;
            }
            if items.len() == limit {
                more = Some(1usize);
                break;
            }
            items.push((**object).clone());
        }
        (items, memory.revision, more)
    });
    let continue_token = more.and_then(|_| items.last()).map(|last| {
        let ns = last["metadata"]["namespace"].as_str().unwrap_or("");
        let name = last["metadata"]["name"].as_str().unwrap_or("");
        encode_continue(ns, name, revision)
    });
    if as_table {
        let refs: Vec<&Value> = items.iter().collect();
        let mut body = table::table(path.resource, &refs, revision, continue_token.as_deref());
        body["metadata"]["resourceVersion"] = json!(revision.to_string());
        return Ok(json_response(200, &body, &[]));
    }
    let mut metadata = json!({"resourceVersion": revision.to_string()});
    if let Some(token) = continue_token {
        metadata["continue"] = json!(token);
    }
    let body = json!({
        "kind": path.resource.list_kind(),
        "apiVersion": path.resource.api_version(),
        "metadata": metadata,
        "items": items,
    });
    Ok(json_response(200, &body, &[]))
}

fn encode_continue(namespace: &str, name: &str, revision: u64) -> String {
    let token = json!({"ns": namespace, "name": name, "rv": revision});
    URL_SAFE_NO_PAD.encode(token.to_string())
}

fn decode_continue(token: &str) -> ApiResult<(String, String)> {
    let invalid = || ApiError::bad_request("continue: the continue token is not valid");
    let bytes = URL_SAFE_NO_PAD.decode(token).map_err(|_| invalid())?;
    let value: Value = serde_json::from_slice(&bytes).map_err(|_| invalid())?;
    let ns = value["ns"].as_str().ok_or_else(invalid)?.to_owned();
    let name = value["name"].as_str().ok_or_else(invalid)?.to_owned();
    Ok((ns, name))
}
