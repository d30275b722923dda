//! Importing several EgressPoints at once (a `kind: List` from `kubectl get -o yaml`, or a
//! stream of documents): all are checked against the Space and against one another before
//! any is created (`egress_rules::manifests::check_import`), then created one by one, with
//! one result line per object.

use crate::api::{self, SpaceFeed};
use crate::components::SpaceAccess;
use crate::pages::egress_point_href;
use egress_api::Action;
use egress_rules::manifests::check_import;
use egress_rules::{EgressPoint, WorkloadRef, as_written, has_errors};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use serde_json::{Value, json};

/// What the import needs of the Space it imports into.
#[derive(Clone)]
pub struct ImportTarget {
    /// What the user may do there.
    pub access: SpaceAccess,
    /// The Space.
    pub space: String,
    /// Its live EgressPoints.
    pub feed: SpaceFeed,
    /// Its workloads, once known.
    pub workloads: Memo<Option<Vec<WorkloadRef>>>,
    /// Its namespace.
    pub namespace: Signal<String>,
}

/// One line of the result.
#[derive(Clone, Debug, PartialEq)]
enum Line {
    /// Created, with its page.
    Created(String),
    /// Not created, and why.
    Refused(String, String),
}

fn name_of(value: &Value) -> String {
    value["metadata"]["name"].as_str().unwrap_or("(no name)").to_owned()
}

/// The "Import all" button and its result lines.
#[component]
pub fn ImportAll(target: ImportTarget, values: Vec<Value>) -> impl IntoView {
    let lines = RwSignal::new(Vec::<Line>::new());
    let summary = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let count = values.len();
    // What importing them all would change, from the same engine as the form and `diff`.
    let access_change = {
        let applied: Vec<EgressPoint> =
            values.iter().map(|v| egress_rules::decode(v).egress_point).collect();
        let (feed, workloads) = (target.feed, target.workloads);
        move || {
            let before: Vec<EgressPoint> =
                feed.items.with(|items| items.values().map(|e| e.model.clone()).collect());
            let mut after: Vec<EgressPoint> = before
                .iter()
                .filter(|e| !applied.iter().any(|a| a.name() == e.name()))
                .cloned()
                .collect();
            after.extend(applied.iter().cloned());
            let workloads = workloads.with(|w| w.clone().unwrap_or_default());
            egress_rules::impact::impact(&before, &after, &workloads).lines()
        }
    };

    let space = StoredValue::new(target.space.clone());
    let import = move |_| {
        let namespace = target.namespace.get_untracked();
        let values: Vec<Value> = values
            .iter()
            .map(|v| {
                let mut v = as_written(v);
                v["metadata"]["namespace"] = json!(namespace);
                v
            })
            .collect();
        let existing: Vec<EgressPoint> =
            target.feed.items.with_untracked(|i| i.values().map(|e| e.model.clone()).collect());
        let existing: Vec<&EgressPoint> = existing.iter().collect();
        let checked =
            target.workloads.with_untracked(|w| check_import(&values, &existing, w.as_deref()));
        if checked.iter().any(|c| has_errors(&c.diagnostics)) {
            let refused: Vec<Line> = values
                .iter()
                .zip(&checked)
                .map(|(v, c)| {
                    let errors: Vec<String> = c
                        .diagnostics
                        .iter()
                        .filter(|d| d.is_error())
                        .map(|d| d.message.clone())
                        .collect();
                    let why = if errors.is_empty() {
                        "no errors; not created because others have some".to_owned()
                    } else {
                        errors.join("; ")
                    };
                    Line::Refused(name_of(v), why)
                })
                .collect();
            lines.set(refused);
            summary.set(Some(format!(
                "Nothing was created: {} of {count} EgressPoints break the rules or clash. Fix them in the text and load it again.",
                checked.iter().filter(|c| has_errors(&c.diagnostics)).count()
            )));
            return;
        }
        busy.set(true);
        lines.set(Vec::new());
        summary.set(Some("Creating…".to_owned()));
        spawn_local(async move {
            let path = format!("{}/egresspoints", api::space_path(&space.get_value()));
            let mut created = 0;
            for value in values {
                let line = match api::post(&path, &value).await {
                    Ok(_) => {
                        created += 1;
                        Line::Created(name_of(&value))
                    }
                    Err(problem) => Line::Refused(name_of(&value), problem.summary()),
                };
                lines.update(|l| l.push(line));
            }
            summary.set(Some(format!("Created {created} of {count} EgressPoints.")));
            busy.set(false);
        });
    };
    view! {
        <div class="import">
            <div class="impact" id="import-impact">
                <strong>"If you import them: "</strong>
                <ul>{move || access_change().into_iter().map(|l| view! { <li>{l}</li> }).collect_view()}</ul>
            </div>
            <button type="button" class="primary" id="import-all" on:click=import
                disabled=move || busy.get() || target.access.refusal(Action::Create).is_some()>
                {format!("Import all {count}")}
            </button>
            {move || target.access.refusal(Action::Create).map(|reason| view! { <small class="reason muted">{reason}</small> })}
            <p class="muted">"Each is checked against the Space and the others first; nothing is created unless all pass."</p>
            {move || summary.get().map(|s| view! { <p id="import-summary"><strong>{s}</strong></p> })}
            <ul id="import-results">
                {move || lines.get().into_iter().map(|line| match line {
                    Line::Created(name) => {
                        let href = egress_point_href(&space.get_value(), &name);
                        let label = name.clone();
                        view! { <li class="ok" data-name=name>"Created " <A href=href>{label}</A></li> }.into_any()
                    }
                    Line::Refused(name, why) => view! {
                        <li class="diagnostic error" data-name=name.clone()><span class="mono">{name.clone()}</span> ": " {why}</li>
                    }.into_any(),
                }).collect_view()}
            </ul>
        </div>
    }
}
