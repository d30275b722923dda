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
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(App);
}

/// The whole app: header and the routes of DESIGN.md §Frontend.
#[component]
pub fn App() -> impl IntoView {
    view! {
        <Router>
            <a class="skip" href="#main">"Skip to content"</a>
            <header class="top">
                <A href="/" attr:class="brand">"Egress Console"</A>
                <span class="muted">"EgressPoints of your Spaces"</span>
            </header>
            <main id="main" tabindex="-1">
                <Routes fallback=pages::NotFound>
                    <Route path=path!("/") view=pages::SpacesPage />
                    <Route path=path!("/spaces/:space") view=pages::SpaceRulesPage />
                    <Route path=path!("/spaces/:space/egresspoints/new") view=pages::CreatePage />
                    <Route path=path!("/spaces/:space/egresspoints/:name") view=pages::EgressPointPage />
                    <Route path=path!("/spaces/:space/egresspoints/:name/edit") view=pages::EditPage />
                    <Route path=path!("/spaces/:space/workloads/:kind/:name") view=pages::WorkloadPage />
                </Routes>
            </main>
        </Router>
    }
}
