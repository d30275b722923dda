//! Reading the file a user picked in an `<input type="file">`.

use leptos::task::spawn_local;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// On a file input's `change`: reads the chosen file as text and hands it to `then`
/// (`Err(())` when the browser could not read it). Nothing happens when no file was chosen.
pub fn read_chosen_file(ev: &leptos::ev::Event, then: impl FnOnce(Result<String, ()>) + 'static) {
    let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
    else {
        return;
    };
    let Some(file) = input.files().and_then(|f| f.get(0)) else { return };
    spawn_local(async move {
        let text = JsFuture::from(file.text()).await;
        then(text.map(|t| t.as_string().unwrap_or_default()).map_err(|_| ()));
    });
}
