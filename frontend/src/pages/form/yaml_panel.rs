//! The YAML beside the form: a live preview (what kubectl would apply) and a paste/upload box
//! that fills the form, reporting every diagnostic — unknown fields included — instead of
//! dropping anything silently. A text with several EgressPoints (a List, or several
//! documents) offers each one to edit, and all of them to import.

use super::import::{ImportAll, ImportTarget};
use crate::components::{DiagnosticSummary, YamlBlock, read_chosen_file};
use egress_rules::manifests::egress_points_in_text;
use egress_rules::path::FieldPath;
use egress_rules::{Code, Diagnostic, EgressPoint, check_value, manifest_diagnostics, read_text};
use leptos::prelude::*;
use serde_json::Value;

/// What loading a pasted document found.
#[derive(Clone, Debug, PartialEq)]
enum Loaded {
    Syntax(String),
    /// The text has no EgressPoint at all.
    Nothing,
    Checked {
        diagnostics: Vec<Diagnostic>,
        dropped: Vec<String>,
    },
    /// Several EgressPoints: the user picks one, or imports all.
    Several(Vec<Value>),
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
    /// Where "Import all" creates what a List holds (the create form only).
    #[prop(optional)]
    import: Option<ImportTarget>,
) -> impl IntoView {
    let text = RwSignal::new(String::new());
    let loaded = RwSignal::new(None::<Loaded>);
    let load_one = move |value: Value, notes: Vec<Diagnostic>| {
        let mut decoded = check_value(&value, None);
        decoded.diagnostics.extend(notes);
        decoded.diagnostics.extend(manifest_diagnostics(&value));
        let dropped: Vec<String> = decoded
            .diagnostics
            .iter()
            .filter(|d| d.code == Code::UnknownField)
            .map(|d| d.path.clone())
            .collect();
        // What the form carries (labels, annotations…) is the pasted object minus
        // the fields EgressPoints do not have, which are reported instead.
        let mut value = value;
        for path in &dropped {
            FieldPath::parse(path).remove_from(&mut value);
        }
        on_load.run((decoded.egress_point.clone(), value));
        Loaded::Checked { diagnostics: decoded.diagnostics, dropped }
    };
    let load = move || {
        let pasted = text.get_untracked();
        let result = match egress_points_in_text(&pasted) {
            Err(e) => {
                Loaded::Syntax(format!("Line {}, column {}: {}", e.line, e.column, e.message))
            }
            Ok(mut found) if found.len() == 1 => {
                // The reader's notes (`0443` is octal…) belong to a single document.
                let notes = read_text(&pasted).map(|r| r.notes).unwrap_or_default();
                load_one(found.remove(0), notes)
            }
            Ok(found) if found.is_empty() => Loaded::Nothing,
            Ok(found) => Loaded::Several(found),
        };
        loaded.set(Some(result));
    };
    let upload = move |ev: leptos::ev::Event| {
        read_chosen_file(&ev, move |content| match content {
            Ok(content) => {
                text.set(content);
                load();
            }
            Err(()) => loaded.set(Some(Loaded::Syntax("The file could not be read.".into()))),
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
                    <label for="yaml-input">"YAML or JSON of an EgressPoint, or of several (a List or documents separated by ---)"</label>
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
                        Loaded::Nothing => view! {
                            <p class="diagnostic error">"Not loaded — the text has no EgressPoint (kind: EgressPoint, or a List of them)."</p>
                        }.into_any(),
                        Loaded::Several(values) => {
                            let import = import.clone().map(|target| view! { <ImportAll target values=values.clone() /> });
                            view! {
                                <p id="paste-several"><strong>{format!("The text has {} EgressPoints.", values.len())}</strong>
                                    " Edit one in the form" {import.is_some().then_some(", or import them all")} ":"</p>
                                <ul class="found">
                                    {values.iter().cloned().enumerate().map(|(i, value)| {
                                        let name = value["metadata"]["name"].as_str().unwrap_or("(no name)").to_owned();
                                        view! {
                                            <li>
                                                <span class="mono">{name.clone()}</span> " "
                                                <button type="button" class="link" data-load=i.to_string()
                                                    aria-label=format!("Edit {name} in the form")
                                                    on:click=move |_| loaded.set(Some(load_one(value.clone(), Vec::new())))>"Edit in the form"</button>
                                            </li>
                                        }
                                    }).collect_view()}
                                </ul>
                                {import}
                            }.into_any()
                        }
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
