//! Drafts: what is typed in a form is kept in the tab's session storage until it is saved
//! or cancelled, so leaving by the browser's Back button (which no page can stop) loses
//! nothing: opening the same form again offers to restore it. An edit's draft keeps the
//! version it was typed against, so a restored edit still meets a concurrent change as a
//! conflict to merge, never as a silent overwrite.

use serde_json::{Value, json};

const PREFIX: &str = "egress-console:draft:";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok().flatten()
}

fn key() -> String {
    let path = web_sys::window().and_then(|w| w.location().pathname().ok()).unwrap_or_default();
    format!("{PREFIX}{path}")
}

/// A kept draft: the form's object and the version an edit started from.
#[derive(Clone, Debug, PartialEq)]
pub struct Draft {
    /// What the form held.
    pub object: Value,
    /// The stored version it was typed against (edits only).
    pub loaded: Option<Value>,
}

/// Keeps the form's object for this page.
pub fn keep(object: &Value, loaded: Option<&Value>) {
    if let Some(storage) = storage() {
        let text = json!({"object": object, "loaded": loaded}).to_string();
        let _ = storage.set_item(&key(), &text);
    }
}

/// The draft kept for this page, if any.
pub fn kept() -> Option<Draft> {
    let text = storage()?.get_item(&key()).ok()??;
    let value: Value = serde_json::from_str(&text).ok()?;
    let loaded = value.get("loaded").filter(|l| !l.is_null()).cloned();
    Some(Draft { object: value.get("object")?.clone(), loaded })
}

/// Forgets this page's draft (saved, cancelled or discarded).
pub fn forget() {
    if let Some(storage) = storage() {
        let _ = storage.remove_item(&key());
    }
}
