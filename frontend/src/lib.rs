//! The Egress Console browser app: Leptos, client-side only, compiled to wasm32. It reaches
//! Kubernetes only through the REST API and checks what people type with `egress-rules`, the
//! same functions the server enforces.

mod api;
mod components;
mod pages;

use leptos::prelude::*;
use leptos_router::components::{A, Route, Router, Routes};
use leptos_router::{Lazy, path};
use pages::lazy;
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
/// at the top of the document. A lazily loaded page appears only once its code has arrived,
/// so this waits, frame by frame, for a heading other than the one shown when the path
/// changed (or, for a page that stays and only re-renders, for the router to have finished).
#[component]
fn FocusOnNavigate() -> impl IntoView {
    let location = leptos_router::hooks::use_location();
    // Which navigation is current: a newer one stops the wait for an older one.
    let navigation = StoredValue::new(0u64);
    Effect::new(move |previous: Option<String>| {
        let path = location.pathname.get();
        if previous.is_some_and(|p| p != path) {
            navigation.update_value(|n| *n += 1);
            let this = navigation.get_value();
            let old = main_heading();
            focus_heading_when_shown(move || navigation.get_value() == this, old, path.clone(), 0);
        }
        path
    });
}

/// The page's `<h1>`, if one is shown.
fn main_heading() -> Option<web_sys::HtmlElement> {
    use wasm_bindgen::JsCast;
    document()
        .query_selector("main h1")
        .ok()
        .flatten()
        .and_then(|h| h.dyn_into::<web_sys::HtmlElement>().ok())
}

/// Focuses the heading of the page at `path` on a later frame: a heading other than `old`,
/// or `old` itself once the browser's address is `path` (the router finished) for a few
/// frames. Gives up after about ten seconds, when `current` turns false (another navigation)
/// or when something else took the focus.
fn focus_heading_when_shown(
    current: impl Fn() -> bool + 'static,
    old: Option<web_sys::HtmlElement>,
    path: String,
    frame: u32,
) {
    const SETTLED: u32 = 10;
    const GIVE_UP: u32 = 600;
    request_animation_frame(move || {
        if !current() || frame > GIVE_UP {
            return;
        }
        let heading = main_heading();
        let routed = window().location().pathname().ok().as_deref() == Some(path.as_str());
        let shown = match (&heading, &old) {
            (Some(new), Some(old)) => new != old || (routed && frame >= SETTLED),
            (Some(_), None) => true,
            (None, _) => false,
        };
        let Some(heading) = heading.filter(|_| shown) else {
            return focus_heading_when_shown(current, old, path, frame + 1);
        };
        let idle = document().active_element().is_none_or(|e| e.tag_name() == "BODY");
        if idle {
            heading.set_tab_index(-1);
            let _ = heading.focus();
        }
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

/// The whole app: header and the routes of DESIGN.md §Frontend. The Spaces and a Space's rules
/// are in the main module; the other pages load their code the first time they are opened.
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
                    // The other pages load their code on demand (`pages/lazy.rs`).
                    <Route path=path!("/spaces/:space/egresspoints") view={Lazy::<lazy::EgressPointsRoute>::new()} />
                    <Route path=path!("/spaces/:space/expectations") view={Lazy::<lazy::ExpectationsRoute>::new()} />
                    <Route path=path!("/spaces/:space/egresspoints/new") view={Lazy::<lazy::CreateRoute>::new()} />
                    <Route path=path!("/spaces/:space/egresspoints/:name") view={Lazy::<lazy::EgressPointRoute>::new()} />
                    <Route path=path!("/spaces/:space/egresspoints/:name/edit") view={Lazy::<lazy::EditRoute>::new()} />
                    <Route path=path!("/spaces/:space/workloads/:kind/:name") view={Lazy::<lazy::WorkloadRoute>::new()} />
                </Routes>
            </main>
        </Router>
    }
}
