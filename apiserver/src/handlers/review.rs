//! The self reviews, answered from the same token file and ABAC policy that the server
//! enforces (`Auth::allows`), so `kubectl auth can-i`, `kubectl auth can-i --list` and
//! `kubectl auth whoami` say what the server will then do. With auth off everyone may do
//! everything, as `system:anonymous`.

use super::json_response;
use crate::SpaceApi;
use crate::auth::User;
use crate::request::Review;
use crate::status::{StatusError, StatusResult};
use axum::http::{HeaderMap, Method, header};
use axum::response::Response;
use serde_json::{Value, json};

/// Answers a POST of a self review with the review and its `status`.
pub fn answer(
    api: &SpaceApi,
    user: Option<&User>,
    review: Review,
    method: &Method,
    headers: &HeaderMap,
    body: &[u8],
) -> StatusResult<Response> {
    if method != Method::POST {
        return Err(StatusError::method_not_allowed(format!(
            "{method} is not allowed on a self review: POST one"
        )));
    }
    let content_type =
        headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let mut object: Value = if content_type.starts_with("application/vnd.kubernetes.protobuf") {
        crate::protobuf::review(review, body)?
    } else if body.iter().all(u8::is_ascii_whitespace) {
        json!({})
    } else {
        serde_json::from_slice(body).map_err(|e| {
            StatusError::bad_request(format!("the review could not be decoded: {e}"))
        })?
    };
    if !object.is_object() {
        return Err(StatusError::bad_request("a review is a JSON object"));
    }
    let (group, kind) = Review::ALL
        .iter()
        .find(|(r, ..)| *r == review)
        .map(|(_, group, _, kind)| (*group, *kind))
        .unwrap_or_default();
    object["apiVersion"] = json!(format!("{group}/v1"));
    object["kind"] = json!(kind);
    let anonymous = User::anonymous();
    let user = user.unwrap_or(&anonymous);
    let auth = &api.options.auth;
    object["status"] = match review {
        Review::Access => {
            let spec = &object["spec"];
            let resource = &spec["resourceAttributes"];
            if resource.is_object() {
                let text = |key: &str| resource[key].as_str().unwrap_or("").to_owned();
                let allowed = auth.allows(
                    user,
                    &text("verb"),
                    &text("namespace"),
                    &text("group"),
                    &text("resource"),
                );
                let reason = if allowed {
                    "allowed by the authorization policy".to_owned()
                } else {
                    format!(
                        "no policy lets user \"{}\" {} {}",
                        user.name,
                        text("verb"),
                        text("resource")
                    )
                };
                json!({"allowed": allowed, "reason": reason})
            } else {
                // Non-resource paths: discovery is open to every authenticated user.
                json!({"allowed": true, "reason": "discovery is open to every authenticated user"})
            }
        }
        Review::Rules => {
            let namespace = object["spec"]["namespace"].as_str().unwrap_or("").to_owned();
            let mut rules: Vec<Value> = vec![
                // Every user may create self reviews.
                json!({"verbs": ["create"], "apiGroups": ["authorization.k8s.io"], "resources": ["selfsubjectaccessreviews", "selfsubjectrulesreviews"]}),
                json!({"verbs": ["create"], "apiGroups": ["authentication.k8s.io"], "resources": ["selfsubjectreviews"]}),
            ];
            rules.extend(auth.rules_in(user, &namespace).into_iter().map(
                |r| json!({"verbs": r.verbs, "apiGroups": r.api_groups, "resources": r.resources}),
            ));
            json!({
                "resourceRules": rules,
                "nonResourceRules": [{"verbs": ["get"], "nonResourceURLs": ["/api", "/api/*", "/apis", "/apis/*", "/version", "/openapi", "/openapi/*"]}],
                "incomplete": false,
            })
        }
        Review::Subject => json!({"userInfo": {
            "username": user.name,
            "uid": user.uid,
            "groups": user.all_groups(),
        }}),
    };
    if object["metadata"].is_null() {
        object["metadata"] = json!({});
    }
    Ok(json_response(201, &object, &[]))
}
