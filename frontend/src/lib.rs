//! The Egress Console browser app: Leptos, client-side only, compiled to wasm32. It reaches
//! Kubernetes only through the REST API and checks what people type with `egress-rules`, the
//! same functions the server enforces.

mod api;
mod components;
mod pages;

use leptos::prelude::*;
use leptos_router::components::{A, Route, Router, Routes};
use leptos_router::path;
use wasm_bindgen::prelude::wasm_bindgen;

/// Entry point: wasm-bindgen calls it when the module is instantiated.
#[wasm_bindgen(start)]
pub fn start() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        show_fatal(&info.to_string());
    }));
    // A page restored from the back/forward cache has closed its live connections: start
    // it afresh rather than show a Space that no longer updates.
    let _ = window_event_listener(leptos::ev::pageshow, |event| {
        if event.persisted() {
            let _ = window().location().reload();
        }
    });
    leptos::mount::mount_to_body(App);
}

/// A bug stops the app: say so on the page (not only in the console) so the user knows to
/// reload, and tests can report it.
fn show_fatal(message: &str) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else { return };
    let Ok(banner) = document.create_element("div") else { return };
    banner.set_id("fatal");
    banner.set_attribute("role", "alert").ok();
    banner.set_text_content(Some(&format!(
        "Egress Console stopped because of a bug: {message}. Reload the page; nothing saved is lost."
    )));
    // The wasm call stack, for a bug report.
    if let (Ok(details), Some(stack)) = (
        document.create_element("pre"),
        js_sys::Reflect::get(&js_sys::Error::new(""), &"stack".into())
            .ok()
            .and_then(|s| s.as_string()),
    ) {
        details.set_class_name("visually-hidden");
        details.set_text_content(Some(&stack));
        banner.append_with_node_1(&details).ok();
    }
    if let Some(body) = document.body() {
        body.prepend_with_node_1(&banner).ok();
    }
}

/// After a navigation inside the app, the new page's heading takes the focus (unless the
/// page gave it to a field), so keyboard and screen reader users start at the new page, not
/// at the top of the document.
#[component]
fn FocusOnNavigate() -> impl IntoView {
    let location = leptos_router::hooks::use_location();
    Effect::new(move |previous: Option<String>| {
        let path = location.pathname.get();
        if previous.is_some_and(|p| p != path) {
            request_animation_frame(|| {
                use wasm_bindgen::JsCast;
                let document = document();
                let idle = document.active_element().is_none_or(|e| e.tag_name() == "BODY");
                let heading = document
                    .query_selector("main h1")
                    .ok()
                    .flatten()
                    .and_then(|h| h.dyn_into::<web_sys::HtmlElement>().ok());
                if let (true, Some(heading)) = (idle, heading) {
                    heading.set_tab_index(-1);
                    let _ = heading.focus();
                }
            });
        }
        path
    });
}

/// Who the user is, as the cluster says (token mode and local mode alike).
#[component]
fn Whoami() -> impl IntoView {
    let who = LocalResource::new(api::whoami);
    move || {
        who.get().and_then(Result::ok).filter(|w| !w.username.is_empty()).map(|w| {
            let groups = w.groups.join(", ");
            view! {
                <span class="whoami" id="whoami" title=format!("Groups: {groups}")>
                    "You are " <strong>{w.username}</strong>
                </span>
            }
        })
    }
}

/// The whole app: header and the routes of DESIGN.md §Frontend.
#[component]
pub fn App() -> impl IntoView {
    components::provide_flashes();
    view! {
        <Router>
            <a class="skip" href="#main">"Skip to content"</a>
            <header class="top">
                <A href="/" attr:class="brand">"Egress Console"</A>
                <span class="muted">"EgressPoints of your Spaces"</span>
                <Whoami />
            </header>
            <FocusOnNavigate />
            <main id="main" tabindex="-1">
                <components::FlashBar />
                <Routes fallback=pages::NotFound>
                    <Route path=path!("/") view=pages::SpacesPage />
                    <Route path=path!("/spaces/:space") view=pages::SpaceRulesPage />
                    <Route path=path!("/spaces/:space/egresspoints") view=pages::SpaceEgressPointsPage />
                    <Route path=path!("/spaces/:space/expectations") view=pages::SpaceExpectationsPage />
                    <Route path=path!("/spaces/:space/egresspoints/new") view=pages::CreatePage />
                    <Route path=path!("/spaces/:space/egresspoints/:name") view=pages::EgressPointPage />
                    <Route path=path!("/spaces/:space/egresspoints/:name/edit") view=pages::EditPage />
                    <Route path=path!("/spaces/:space/workloads/:kind/:name") view=pages::WorkloadPage />
                </Routes>
            </main>
        </Router>
    }
}
