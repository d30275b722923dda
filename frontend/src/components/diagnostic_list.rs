//! The messages of one field, placed next to it and linked with `aria-describedby`, in the
//! form's words (field paths stay in the tooltip), each mechanical fix a button.

use egress_rules::path::Field;
use egress_rules::{Diagnostic, Fix};
use leptos::prelude::*;

/// What applies a diagnostic's fix where the list is shown (the form provides it as
/// context; elsewhere fixes are not offered).
#[derive(Clone, Copy)]
pub struct ApplyFix(pub Callback<Fix>);

/// A field's diagnostics; `id` is what the field's `aria-describedby` names.
#[component]
pub fn DiagnosticList(
    /// Element id.
    #[prop(into)]
    id: String,
    /// The diagnostics to show, already filtered to the field.
    items: Signal<Vec<Diagnostic>>,
) -> impl IntoView {
    let apply = use_context::<ApplyFix>();
    view! {
        <ul id=id class="diagnostics" aria-live="polite" tabindex="-1">
            <For
                each=move || items.get()
                key=|d| (d.code, d.message.clone())
                let:d
            >
                {
                    let button = d.fix.clone().zip(apply).map(|(fix, ApplyFix(apply))| {
                        let label = format!("Fix: {}", fix.label);
                        view! { <button type="button" class="fix secondary" on:click=move |_| apply.run(fix.clone())>{label}</button> }
                    });
                    // A hint that is just the fixed value says nothing the button does not.
                    let hint = d.hint.clone().filter(|h| button.is_none() || h.contains(' '));
                    let hint_prefix = if button.is_some() { "" } else { "Fix: " };
                    view! {
                        <li class=format!("diagnostic {}", d.severity) data-code=d.code.as_str() title=d.path.clone()>
                            <span class="severity">{d.severity.as_str()}</span>
                            " "
                            <span class="message">{Field::in_form_words(&d.message)}</span>
                            {hint.map(|h| view! { <span class="hint">{hint_prefix} {Field::in_form_words(&h)}</span> })}
                            {button}
                        </li>
                    }
                }
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
