//! The Tanzu Platform URL layout: each Space has its own API endpoint,
//! `/org/{org}/project/{project}/space/{space}`, where the Space's objects live in
//! namespace `default`. Here it is a view of the namespace named like the Space: paths,
//! request bodies and responses are mapped between `default` and that namespace.

use crate::request::ObjectPath;
use crate::resources::NAMESPACES;
use crate::status::{StatusError, StatusResult};
use axum::body::{Body, Bytes};
use axum::http::Method;
use axum::response::Response;
use futures_util::StreamExt;
use serde_json::Value;

/// The namespace every Space shows through its own endpoint.
pub const VIEW_NAMESPACE: &str = "default";

/// A request made through a Space's endpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpaceView {
    /// The Space (and the namespace that holds it here).
    pub space: String,
}

/// Splits `/org/{org}/project/{project}/space/{space}/rest` into the view and `/rest`.
pub fn split(path: &str) -> Option<(SpaceView, String)> {
    let rest = path.strip_prefix("/org/")?;
    let mut parts = rest.splitn(6, '/');
    let (_org, project_word, _project, space_word, space) =
        (parts.next()?, parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    if project_word != "project" || space_word != "space" || space.is_empty() {
        return None;
    }
    let rest = format!("/{}", parts.next().unwrap_or(""));
    Some((SpaceView { space: space.to_owned() }, rest))
}

impl SpaceView {
    /// Maps the path's namespace `default` to the Space's namespace; every other namespace
    /// does not exist at this endpoint. Lists across namespaces see only the Space.
    pub fn map_path(&self, path: &mut ObjectPath, method: &Method) -> StatusResult<()> {
        if path.resource == &NAMESPACES {
            if *method != Method::GET {
                return Err(StatusError::method_not_allowed(
                    "Spaces are created and deleted in Tanzu Platform, not through a Space's endpoint",
                ));
            }
            match path.name.as_deref() {
                Some(VIEW_NAMESPACE) => path.name = Some(self.space.clone()),
                Some(other) => return Err(StatusError::not_found(&NAMESPACES, other)),
                None => {}
            }
            return Ok(());
        }
        match path.namespace.as_deref() {
            None | Some(VIEW_NAMESPACE) => path.namespace = Some(self.space.clone()),
            Some(other) => return Err(StatusError::not_found(&NAMESPACES, other)),
        }
        Ok(())
    }

    /// `metadata.namespace: default` in a request body becomes the Space's namespace.
    pub fn map_request(&self, body: Bytes) -> Bytes {
        let Ok(text) = std::str::from_utf8(&body) else { return body };
        let Ok(mut value) = egress_rules::parse_text(text) else { return body };
        if value["metadata"]["namespace"] == VIEW_NAMESPACE {
            value["metadata"]["namespace"] = Value::String(self.space.clone());
        }
        serde_json::to_vec(&value).map(Bytes::from).unwrap_or(body)
    }

    /// Every `metadata.namespace` (and a Namespace's own name) in a response becomes
    /// `default`; watch streams are mapped line by line.
    pub async fn map_response(&self, response: Response, watch: bool) -> Response {
        let (parts, body) = response.into_parts();
        let view = self.clone();
        if watch {
            let lines =
                body.into_data_stream().map(move |chunk| chunk.map(|bytes| view.map_bytes(&bytes)));
            return Response::from_parts(parts, Body::from_stream(lines));
        }
        match axum::body::to_bytes(body, usize::MAX).await {
            Ok(bytes) => Response::from_parts(parts, Body::from(view.map_bytes(&bytes))),
            Err(_) => Response::from_parts(parts, Body::empty()),
        }
    }

    fn map_bytes(&self, bytes: &[u8]) -> Bytes {
        let trailing_newline = bytes.ends_with(b"\n");
        let Ok(mut value) = serde_json::from_slice::<Value>(bytes) else {
            return Bytes::copy_from_slice(bytes);
        };
        self.map_value(&mut value);
        let mut out = serde_json::to_vec(&value).unwrap_or_default();
        if trailing_newline {
            out.push(b'\n');
        }
        Bytes::from(out)
    }

    fn map_value(&self, value: &mut Value) {
        match value {
            Value::Object(map) => {
                let is_namespace = map.get("kind").and_then(Value::as_str) == Some("Namespace");
                if let Some(Value::Object(meta)) = map.get_mut("metadata") {
                    if meta.get("namespace").and_then(Value::as_str) == Some(self.space.as_str()) {
                        meta.insert("namespace".into(), Value::String(VIEW_NAMESPACE.into()));
                    }
                    if is_namespace
                        && meta.get("name").and_then(Value::as_str) == Some(self.space.as_str())
                    {
                        meta.insert("name".into(), Value::String(VIEW_NAMESPACE.into()));
                    }
                }
                for child in map.values_mut() {
                    self.map_value(child);
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|v| self.map_value(v)),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn space_endpoints_are_split_from_the_path() {
        let (view, rest) = split("/org/acme/project/shop/space/storefront/apis/x/v1").unwrap();
        assert_eq!((view.space.as_str(), rest.as_str()), ("storefront", "/apis/x/v1"));
        assert!(split("/org/acme/project/shop").is_none());
        assert!(split("/apis/x").is_none());
    }
}
