//! Asks before unsaved work is thrown away: while a form has changes, a link that would
//! leave the page asks first (the router never sees the click when the user stays), and
//! closing or reloading the tab gets the browser's own question. A link marked
//! `data-discard` (the form's Cancel) is the user's explicit choice and does not ask.

use leptos::prelude::*;
use send_wrapper::SendWrapper;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

/// What the question says.
pub const LEAVE_QUESTION: &str =
    "Leave this page? What you typed in the form has not been saved and will be lost.";

/// Guards the current page for as long as the calling component lives.
pub fn guard_unsaved(dirty: Signal<bool>) {
    let click = Closure::<dyn FnMut(web_sys::MouseEvent)>::new(move |ev: web_sys::MouseEvent| {
        if !dirty.try_get_untracked().unwrap_or(false) || ev.default_prevented() {
            return;
        }
        let anchor = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|e| e.closest("a[href]").ok().flatten());
        let Some(anchor) = anchor else { return };
        // Cancel (the user's choice), new tabs and links within the page leave nothing.
        let in_page = anchor.get_attribute("href").is_some_and(|h| h.starts_with('#'));
        if in_page
            || anchor.has_attribute("data-discard")
            || anchor.get_attribute("target").is_some()
        {
            return;
        }
        if !window().confirm_with_message(LEAVE_QUESTION).unwrap_or(true) {
            ev.prevent_default();
            ev.stop_immediate_propagation();
        }
    });
    let unload = Closure::<dyn FnMut(web_sys::BeforeUnloadEvent)>::new(
        move |ev: web_sys::BeforeUnloadEvent| {
            if dirty.try_get_untracked().unwrap_or(false) {
                ev.prevent_default();
                ev.set_return_value(LEAVE_QUESTION);
            }
        },
    );
    // Capture phase on the document: before the router's own click handler on the window.
    let _ = document().add_event_listener_with_callback_and_bool(
        "click",
        click.as_ref().unchecked_ref(),
        true,
    );
    let _ =
        window().add_event_listener_with_callback("beforeunload", unload.as_ref().unchecked_ref());
    let listeners = SendWrapper::new((click, unload));
    on_cleanup(move || {
        let (click, unload) = listeners.take();
        let _ = document().remove_event_listener_with_callback_and_bool(
            "click",
            click.as_ref().unchecked_ref(),
            true,
        );
        let _ = window()
            .remove_event_listener_with_callback("beforeunload", unload.as_ref().unchecked_ref());
    });
}
