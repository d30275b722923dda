//! The YAML beside the form: a live preview (what kubectl would apply) and a paste/upload box
//! that fills the form, reporting every diagnostic — unknown fields included — instead of
//! dropping anything silently.

use crate::components::{DiagnosticSummary, YamlBlock};
use egress_rules::{Code, Diagnostic, EgressPoint, check_text};
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::Value;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// What loading a pasted document found.
#[derive(Clone, Debug, PartialEq)]
enum Loaded {
    Syntax(String),
    Checked { diagnostics: Vec<Diagnostic>, dropped: Vec<String> },
}

/// The preview and the paste box.
#[component]
pub fn YamlPanel(
    /// The form's object as YAML.
    preview: Signal<String>,
    /// Download file name.
    file_name: Signal<String>,
    /// Fills the form with a loaded EgressPoint (and the object it came from).
    on_load: Callback<(EgressPoint, Value)>,
) -> impl IntoView {
    let text = RwSignal::new(String::new());
    let loaded = RwSignal::new(None::<Loaded>);
    let load = move || {
        let pasted = text.get_untracked();
        let result = match egress_rules::parse_text(&pasted) {
            Err(e) => {
                Loaded::Syntax(format!("Line {}, column {}: {}", e.line, e.column, e.message))
            }
            Ok(value) => {
                let decoded = match check_text(&pasted, None) {
                    Ok(d) => d,
                    Err(e) => {
                        loaded.set(Some(Loaded::Syntax(e.message)));
                        return;
                    }
                };
                let dropped = decoded
                    .diagnostics
                    .iter()
                    .filter(|d| d.code == Code::UnknownField)
                    .map(|d| d.path.clone())
                    .collect();
                on_load.run((decoded.egress_point.clone(), value));
                Loaded::Checked { diagnostics: decoded.diagnostics, dropped }
            }
        };
        loaded.set(Some(result));
    };
    let upload = move |ev: leptos::ev::Event| {
        let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let Some(file) = input.files().and_then(|f| f.get(0)) else { return };
        spawn_local(async move {
            match JsFuture::from(file.text()).await {
                Ok(content) => {
                    text.set(content.as_string().unwrap_or_default());
                    load();
                }
                Err(_) => loaded.set(Some(Loaded::Syntax("The file could not be read.".into()))),
            }
        });
    };
    view! {
        <section class="card yaml-panel" aria-labelledby="yaml-title">
            <h2 id="yaml-title">"YAML"</h2>
            <p class="muted">"Exactly what " <code>"kubectl apply -f"</code> " would send, updated as you type."</p>
            <YamlBlock id="yaml" yaml=preview file_name />
            <details id="paste">
                <summary>"Paste or upload YAML to fill the form"</summary>
                <div class="field">
                    <label for="yaml-input">"YAML or JSON of one EgressPoint"</label>
                    <textarea id="yaml-input" rows="10" spellcheck="false"
                        prop:value=move || text.get()
                        on:input=move |ev| text.set(event_target_value(&ev))></textarea>
                </div>
                <div class="field">
                    <label for="yaml-file">"Or upload a file"</label>
                    <input id="yaml-file" type="file" accept=".yaml,.yml,.json" on:change=upload />
                </div>
                <button type="button" class="secondary" id="yaml-load" on:click=move |_| load()>"Load into the form"</button>
                <div id="paste-result" role="status" aria-live="polite">
                    {move || loaded.get().map(|l| match l {
                        Loaded::Syntax(message) => view! {
                            <p class="diagnostic error" data-code="syntax">"Not loaded — the text is not valid YAML. " {message}</p>
                        }.into_any(),
                        Loaded::Checked { diagnostics, dropped } => view! {
                            <p class="ok">"Loaded into the form." {(diagnostics.is_empty()).then_some(" The rules found nothing to report.")}</p>
                            {(!dropped.is_empty()).then(|| view! {
                                <p class="diagnostic error" id="paste-dropped">
                                    "Not carried into the form, because EgressPoints have no such field (the platform would reject them): "
                                    <span class="mono">{dropped.join(", ")}</span>
                                </p>
                            })}
                            <DiagnosticSummary items=diagnostics with_path=true />
                        }.into_any(),
                    })}
                </div>
            </details>
        </section>
    }
}
