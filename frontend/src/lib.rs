//! The Egress Console browser app: Leptos, client-side only, compiled to wasm32. It checks
//! what people type with `egress-rules`, the same functions the server enforces.

mod components;
mod pages;

use leptos::prelude::*;
use wasm_bindgen::prelude::wasm_bindgen;

/// Entry point: wasm-bindgen calls it when the module is instantiated.
#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(App);
}

/// The whole app.
#[component]
pub fn App() -> impl IntoView {
    view! {
        <header class="top">
            <span class="brand">"Egress Console"</span>
        </header>
        <main id="main">
            <pages::TargetCheck />
        </main>
    }
}
