//! The extractors that say who is asking and about which Space: `Caller`, from the
//! request's token (token mode) or nobody in particular (local mode; a request without a
//! token in token mode is a 401), and `InSpace`, the Space the path names, resolved for that
//! caller (404 when the caller has no such Space).

use super::AppState;
use super::error::ApiError;
use crate::spaces::caller::token_of;
use crate::spaces::{AuthMode, Caller, Space};
use axum::extract::{FromRef, FromRequestParts, Path};
use axum::http::StatusCode;
use axum::http::request::Parts;
use std::collections::HashMap;

/// The Space named by the `{space}` segment of the path, with a client that carries the
/// caller's credentials.
pub struct InSpace(pub Space);

impl FromRequestParts<AppState> for InSpace {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let caller = Caller::from_request_parts(parts, state).await?;
        let Path(params) = Path::<HashMap<String, String>>::from_request_parts(parts, state)
            .await
            .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "Bad path", e.body_text()))?;
        let name = params.get("space").map_or("", String::as_str);
        Ok(InSpace(state.catalog.get(name, &caller).await?))
    }
}

/// Needs only the [`AuthMode`] of whatever state the router has (`FromRef`), not the
/// whole application state.
impl<S: Send + Sync> FromRequestParts<S> for Caller
where
    AuthMode: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match AuthMode::from_ref(state) {
            AuthMode::Local => Ok(Caller::default()),
            AuthMode::Token => match token_of(parts) {
                Some(token) => Ok(Caller { token: Some(token) }),
                None => Err(ApiError::unauthorized(
                    "sign in with your Kubernetes token (Authorization: Bearer …), or at /sign-in",
                )),
            },
        }
    }
}
