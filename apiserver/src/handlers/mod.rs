//! Request dispatch: one entry point that resolves the path like kube-apiserver's
//! RequestInfo resolver and calls the handler of the verb.

mod admission;
mod discovery;
mod lifecycle;
mod read;
mod review;
mod scale;
mod table;
mod watch;
mod write;

use crate::SpaceApi;
use crate::request::{self, ObjectPath, Query, Target};
use crate::resources::NAMESPACES;
use crate::status::{StatusError, StatusResult};
use crate::store::{Change, EventType, Key, Store};
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// Every request comes here.
pub async fn dispatch(
    State(api): State<SpaceApi>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let (view, path) = match crate::tanzu::split(uri.path()) {
        Some((view, rest)) => (Some(view), rest),
        None => (None, uri.path().to_owned()),
    };
    let watch = Query::parse(uri.query()).flag("watch");
    match handle(&api, &method, &path, &uri, &headers, body, view.as_ref()).await {
        Ok(response) => match view {
            Some(view) => view.map_response(response, watch).await,
            None => response,
        },
        Err(error) => error.into_response(),
    }
}

async fn handle(
    api: &SpaceApi,
    method: &Method,
    path: &str,
    uri: &Uri,
    headers: &HeaderMap,
    body: Body,
    view: Option<&crate::tanzu::SpaceView>,
) -> StatusResult<Response> {
    let query = Query::parse(uri.query());
    let mut target = request::parse(path)?;
    if let (Some(view), Target::Object(object)) = (view, &mut target) {
        view.map_path(object, method)?;
    }
    let auth = &api.options.auth;
    let mut caller = None;
    if auth.is_enabled() {
        let authorization = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
        let user = auth.authenticate(authorization)?;
        caller.clone_from(&user);
        let object = match &target {
            Target::Object(o) => Some(o),
            _ => None,
        };
        let verb = crate::auth::verb(method, &target, query.flag("watch"));
        auth.authorize(user.as_ref(), &crate::auth::Attributes { verb, object, path: uri.path() })?;
    }
    if let Target::Review(review) = target {
        // Every authenticated user may ask about itself (RBAC's system:basic-user).
        let body = axum::body::to_bytes(body, crate::BODY_LIMIT)
            .await
            .map_err(|_| StatusError::too_large(crate::BODY_LIMIT))?;
        return review::answer(api, caller.as_ref(), review, method, headers, &body);
    }
    let Target::Object(object_path) = target else {
        if method != Method::GET {
            return Err(StatusError::method_not_allowed(format!(
                "{method} is not allowed on {}",
                uri.path()
            )));
        }
        return discovery::serve(&target, path);
    };
    let path = object_path;
    let mut body = axum::body::to_bytes(body, crate::BODY_LIMIT)
        .await
        .map_err(|_| StatusError::too_large(crate::BODY_LIMIT))?;
    if let Some(view) = view {
        if path.resource == &NAMESPACES && path.name.is_none() {
            return read::list_one_namespace(api, &view.space);
        }
        // Reading the body is CPU work in proportion to it: in the bounded pool.
        let view = view.clone();
        body = crate::http::cpu::run(move || view.map_request(body)).await;
    }
    let protobuf = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("application/vnd.kubernetes.protobuf"));
    if protobuf && matches!(*method, Method::POST | Method::PUT) {
        // kubectl sends built-in kinds as protobuf: read into the JSON a JSON client sends.
        let kind = path.resource.kind;
        let json = crate::http::cpu::run(move || crate::protobuf::object(kind, &body)).await?;
        body = axum::body::Bytes::from(json.to_string());
    }
    let table = wants_table(headers);
    let manager = field_manager(&query, headers);
    let request =
        write::WriteRequest { api, path: &path, query: &query, body: &body, manager: &manager };
    if path.subresource.is_some() {
        let content_type =
            headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
        return scale::serve(request, method, content_type).await;
    }
    match (method.clone(), path.name.is_some()) {
        (Method::GET, false) if query.flag("watch") => watch::watch(api, &path, &query, table),
        (Method::GET, false) => read::list(api, &path, &query, table),
        (Method::GET, true) => read::get(api, &path, table),
        (Method::POST, false) => write::create(request).await,
        (Method::PUT, true) => write::update(request).await,
        (Method::PATCH, true) => {
            let content_type = headers
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_owned();
            write::patch(request, &content_type).await
        }
        (Method::DELETE, true) => lifecycle::delete(request).await,
        (Method::DELETE, false) => lifecycle::delete_collection(request).await,
        _ => Err(StatusError::method_not_allowed(format!(
            "{method} is not supported on {}",
            uri.path()
        ))),
    }
}

/// Who writes: `?fieldManager`, else the program name of the User-Agent (`kubectl` of
/// `kubectl/v1.32.0 (linux/amd64)`), as kube-apiserver names managers.
fn field_manager(query: &Query, headers: &HeaderMap) -> String {
    if let Some(manager) = query.get("fieldManager").filter(|m| !m.is_empty()) {
        return manager.to_owned();
    }
    let agent = headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or("");
    match agent.split('/').next().map(str::trim).filter(|p| !p.is_empty()) {
        Some(program) => program.chars().take(128).collect(),
        None => "unknown".to_owned(),
    }
}

/// kubectl asks `application/json;as=Table;v=v1;g=meta.k8s.io` for `get`.
fn wants_table(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.contains("as=Table"))
}

/// A response of JSON that is already serialized.
pub(crate) fn raw_json_response(body: impl Into<Body>) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], body.into()).into_response()
}

/// A JSON response with a status code and `Warning` headers.
pub(crate) fn json_response(code: u16, body: &Value, warnings: &[String]) -> Response {
    let mut response = (
        axum::http::StatusCode::from_u16(code).unwrap_or(axum::http::StatusCode::OK),
        axum::Json(body),
    )
        .into_response();
    for warning in warnings {
        // RFC 7234 warn-code 299, agent "-", as kube-apiserver sends admission warnings.
        let text = format!("299 - \"{}\"", warning.replace('\\', "\\\\").replace('"', "\\\""));
        if let Ok(value) = HeaderValue::from_str(&text) {
            response.headers_mut().append(header::WARNING, value);
        }
    }
    response
}

/// The namespace an object path works in, checked to exist.
pub(crate) fn require_namespace(store: &Store, path: &ObjectPath) -> StatusResult<String> {
    let Some(namespace) = path.namespace.clone() else { return Ok(String::new()) };
    if !store.read(|m| m.contains(&Key::of(&NAMESPACES, "", &namespace))) {
        return Err(StatusError::not_found(&NAMESPACES, &namespace));
    }
    Ok(namespace)
}

/// Creates a namespace unless it exists (startup, seeding).
pub(crate) fn ensure_namespace(store: &Store, name: &str) -> StatusResult<()> {
    store
        .write(false, |memory| {
            let key = Key::of(&NAMESPACES, "", name);
            if memory.contains(&key) {
                return Ok((Vec::new(), ()));
            }
            let mut object =
                json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}});
            write::fill_new_metadata(&NAMESPACES, &mut object, "");
            Ok((vec![Change::Put { key, object, kind: EventType::Added }], ()))
        })
        .map(|_| ())
}
