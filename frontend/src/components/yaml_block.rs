//! YAML shown as code, with Copy and Download buttons.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// A read-only YAML document.
#[component]
pub fn YamlBlock(
    /// Element id of the `<code>`.
    #[prop(into)]
    id: String,
    /// The YAML.
    yaml: Signal<String>,
    /// File name for Download.
    file_name: Signal<String>,
) -> impl IntoView {
    let copied = RwSignal::new(false);
    let copy = move |_| {
        if let Some(window) = web_sys::window() {
            let _ = window.navigator().clipboard().write_text(&yaml.get_untracked());
            copied.set(true);
        }
    };
    let download = move |_| save_file(&file_name.get_untracked(), &yaml.get_untracked());
    view! {
        <div class="yaml-block">
            <div class="toolbar">
                <button type="button" class="secondary" on:click=copy>
                    {move || if copied.get() { "Copied" } else { "Copy" }}
                </button>
                <button type="button" class="secondary" on:click=download>"Download"</button>
            </div>
            <pre class="yaml" tabindex="0" aria-label="YAML"><code id=id>{move || yaml.get()}</code></pre>
        </div>
    }
}

/// Offers `text` as a file download.
fn save_file(name: &str, text: &str) {
    let parts = js_sys::Array::of1(&text.into());
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("application/yaml");
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options) else {
        return;
    };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else { return };
    let document = web_sys::window().and_then(|w| w.document());
    if let Some(anchor) = document
        .and_then(|d| d.create_element("a").ok())
        .and_then(|a| a.dyn_into::<web_sys::HtmlAnchorElement>().ok())
    {
        anchor.set_href(&url);
        anchor.set_download(name);
        anchor.click();
    }
    let _ = web_sys::Url::revoke_object_url(&url);
}
