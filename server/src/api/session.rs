//! Token-mode sign-in: the token posted from `/sign-in` goes into an HttpOnly,
//! SameSite=Strict cookie, so page scripts never see it.

use crate::spaces::caller::TOKEN_COOKIE;
use axum::Form;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

/// The sign-in form.
#[derive(Deserialize)]
pub struct SignIn {
    /// A Kubernetes bearer token.
    pub token: String,
    /// The app page to return to (a path on this site).
    #[serde(default)]
    pub next: Option<String>,
}

/// Where to go after signing in: `next` when it is a path on this site (never another
/// site: `//host` and `/\\host` are refused), else the Spaces.
fn return_path(next: Option<&str>) -> &str {
    match next {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.starts_with("/\\")
                && !path.chars().any(char::is_control) =>
        {
            path
        }
        _ => "/",
    }
}

fn cookie(value: &str, max_age: u64) -> HeaderValue {
    let text = format!(
        "{TOKEN_COOKIE}={value}; HttpOnly; Secure; SameSite=Strict; Path=/; Max-Age={max_age}"
    );
    HeaderValue::from_str(&text)
        .unwrap_or_else(|_| HeaderValue::from_static("egress_token=; Max-Age=0; Path=/"))
}

/// POST /auth/session: keep the token, go to the Spaces.
pub async fn session_create(Form(form): Form<SignIn>) -> Response {
    let token = form.token.trim();
    if token.is_empty() || token.chars().any(|c| c.is_control() || c == ';' || c == ' ') {
        return (
            StatusCode::BAD_REQUEST,
            "the token is empty or has characters a token cannot have",
        )
            .into_response();
    }
    let mut response = Redirect::to(return_path(form.next.as_deref())).into_response();
    // Eight hours, a working day; the cluster decides whether the token is still valid.
    response.headers_mut().insert(header::SET_COOKIE, cookie(token, 8 * 3600));
    response
}

/// POST /auth/sign-out: forget the token.
pub async fn session_delete() -> Response {
    let mut response = Redirect::to("/sign-in").into_response();
    response.headers_mut().insert(header::SET_COOKIE, cookie("", 0));
    response
}

#[cfg(test)]
mod tests {
    use super::return_path;

    #[test]
    fn only_paths_of_this_site_are_returned_to() {
        assert_eq!(return_path(Some("/spaces/a")), "/spaces/a");
        assert_eq!(return_path(Some("//evil.example")), "/");
        assert_eq!(return_path(Some("/\\evil.example")), "/");
        assert_eq!(return_path(Some("https://evil.example")), "/");
        assert_eq!(return_path(None), "/");
    }
}
