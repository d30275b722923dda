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

/// A fixed list of diagnostics for tables and summaries: compact, and with each field path
/// when the list is not next to its field.
#[component]
pub fn DiagnosticSummary(
    /// The diagnostics.
    items: Vec<Diagnostic>,
    /// Show each diagnostic's field path ("(object)" for the whole object).
    #[prop(optional)]
    with_path: bool,
) -> impl IntoView {
    let class = if with_path { "diagnostics" } else { "diagnostics compact" };
    view! {
        <ul class=class>
            {items.into_iter().map(|d| {
                let path = with_path.then(|| {
                    let path = if d.path.is_empty() { "(object)".to_owned() } else { d.path.clone() };
                    view! { <span class="mono">{path}</span> ": " }
                });
                view! {
                    <li class=format!("diagnostic {}", d.severity) data-code=d.code.as_str()>
                        <span class="severity">{d.severity.as_str()}</span> " " {path} {d.message}
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}
