//! The messages of one field, placed next to it and linked with `aria-describedby`.

use egress_rules::Diagnostic;
use leptos::prelude::*;

/// A field's diagnostics; `id` is what the field's `aria-describedby` names.
#[component]
pub fn DiagnosticList(
    /// Element id.
    #[prop(into)]
    id: String,
    /// The diagnostics to show, already filtered to the field.
    items: Signal<Vec<Diagnostic>>,
) -> impl IntoView {
    view! {
        <ul id=id class="diagnostics" aria-live="polite">
            <For
                each=move || items.get()
                key=|d| (d.code, d.message.clone())
                let:d
            >
                <li class=format!("diagnostic {}", d.severity) data-code=d.code.as_str()>
                    <span class="severity">{d.severity.as_str()}</span>
                    " "
                    <span class="message">{d.message.clone()}</span>
                    {d.hint.clone().map(|h| view! { <span class="hint">"Fix: " {h}</span> })}
                </li>
            </For>
        </ul>
    }
}
