//! Saving: blocked while the rules report errors; a server dry-run first when the Space
//! changed since the form opened; a 409 shows what the other writer changed and lets the
//! user reapply their edit. The form keeps everything typed whatever the server answers.

use super::model::comparable;
use super::state::FormState;
use crate::api::{self, Problem, SpaceFeed, StoredEgressPoint};
use crate::components::{LineDiff, Loading, ProblemNotice};
use crate::pages::egress_point_href;
use egress_rules::{Diagnostic, has_errors};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;
use serde_json::Value;

/// The other writer's version, met as a 409.
#[derive(Clone, Debug, PartialEq)]
pub struct Conflict {
    /// Their object.
    pub current: Value,
}

/// Sends the object; `dry_run` asks the server to check without storing.
async fn send(
    space: &str,
    editing: Option<&str>,
    body: &Value,
    dry_run: bool,
) -> Result<Value, Problem> {
    let query = if dry_run { "?dryRun=true" } else { "" };
    let base = format!("{}/egresspoints", api::space_path(space));
    match editing {
        Some(name) => api::put(&format!("{base}/{}{query}", api::escape(name)), body).await,
        None => api::post(&format!("{base}{query}"), body).await,
    }
}

/// The errors that block Save, Save itself, and what the server said.
#[component]
pub fn SaveBar(
    space: String,
    feed: SpaceFeed,
    form: FormState,
    object: Signal<Value>,
    diagnostics: Signal<Vec<Diagnostic>>,
    editing: Option<String>,
    submitted: RwSignal<bool>,
    conflict: RwSignal<Option<Conflict>>,
) -> impl IntoView {
    let saving = RwSignal::new(None::<&'static str>);
    let problem = RwSignal::new(None::<Problem>);
    let opened_revision = RwSignal::new(feed.revision.get_untracked());
    let errors = Memo::new(move |_| {
        diagnostics.with(|d| d.iter().filter(|d| d.is_error()).cloned().collect::<Vec<_>>())
    });
    let navigate = use_navigate();
    let editing_name = StoredValue::new(editing.clone());
    let space = StoredValue::new(space);
    let save = move || {
        submitted.set(true);
        if has_errors(&diagnostics.get_untracked()) || saving.get_untracked().is_some() {
            return;
        }
        let chosen = object.get_untracked();
        let name = chosen["metadata"]["name"].as_str().unwrap_or_default().to_owned();
        // What goes to the server keeps the edited object's resourceVersion: a stale one
        // is a 409, never a silent overwrite.
        let body = {
            let mut body = chosen;
            let version = form.base.with_untracked(|b| {
                b.as_ref().and_then(egress_rules::resource_version).map(str::to_owned)
            });
            if let Some(version) = version
                && editing_name.with_value(Option::is_some)
            {
                egress_rules::set_resource_version(&mut body, &version);
            }
            body
        };
        problem.set(None);
        let navigate = navigate.clone();
        spawn_local(async move {
            let space = space.get_value();
            let editing = editing_name.get_value();
            if feed.revision.get_untracked() != opened_revision.get_untracked() {
                saving.set(Some("Checking against the Space's latest state…"));
                if let Err(p) = send(&space, editing.as_deref(), &body, true).await {
                    saving.set(None);
                    return fail(p, problem, conflict);
                }
                opened_revision.set(feed.revision.get_untracked());
            }
            saving.set(Some("Saving…"));
            let result = send(&space, editing.as_deref(), &body, false).await;
            saving.set(None);
            match result {
                Ok(_) => navigate(&egress_point_href(&space, &name), Default::default()),
                Err(p) => fail(p, problem, conflict),
            }
        });
    };
    let save_click = save.clone();
    let reapply = move |_| {
        // Their version becomes the base (its resourceVersion, labels…); the user's fields stay.
        if let Some(c) = conflict.get_untracked() {
            form.base.set(Some(c.current));
            conflict.set(None);
            save();
        }
    };
    let take_theirs = move |_| {
        if let Some(c) = conflict.get_untracked() {
            let theirs = StoredEgressPoint::new(c.current.clone());
            form.fill(&theirs.model, Some(c.current));
            conflict.set(None);
        }
    };
    view! {
        <div class="save-bar">
            {move || {
                let errors = errors.get();
                (!errors.is_empty()).then(|| view! {
                    <div class="blockers" id="save-blockers" role="status">
                        <strong>{format!("Save is disabled: {} error(s) to fix.", errors.len())}</strong>
                        <ul>
                            {errors.into_iter().take(8).map(|d| view! {
                                <li><span class="mono">{if d.path.is_empty() { "(object)".to_owned() } else { d.path.clone() }}</span> ": " {d.message}</li>
                            }).collect_view()}
                        </ul>
                    </div>
                })
            }}
            <div class="actions">
                <button type="submit" class="primary" id="save"
                    disabled=move || !errors.with(Vec::is_empty) || saving.get().is_some()
                    on:click=move |ev| { ev.prevent_default(); save_click() }>
                    {move || if editing_name.with_value(Option::is_some) { "Save changes" } else { "Create EgressPoint" }}
                </button>
                {move || saving.get().map(|what| view! { <Loading what=what /> })}
            </div>
            {move || problem.get().map(|problem| {
                let server = problem.diagnostics.clone();
                view! {
                    <div id="save-problem">
                        <ProblemNotice problem />
                        <crate::components::DiagnosticList id="server-diagnostics" items=Signal::stored(server) />
                        <p class="muted">"Your input is unchanged: fix it and save again."</p>
                    </div>
                }
            })}
            {move || conflict.get().map(|c| {
                let theirs = StoredEgressPoint::new(c.current.clone());
                let version = theirs.resource_version();
                let opened = form.base.with_untracked(|b| b.clone()).map(|b| egress_rules::yaml::to_yaml(&comparable(&b))).unwrap_or_default();
                let now = egress_rules::yaml::to_yaml(&comparable(&c.current));
                view! {
                    <div class="notice warning" id="conflict" role="alert">
                        <strong>"Someone else changed this EgressPoint after you opened it."</strong>
                        <p>{format!("Nothing was saved, and your edit is still in the form. Their version is {version}; what they changed:")}</p>
                        <LineDiff id="conflict-diff" old=opened new=now />
                        <div class="actions">
                            <button type="button" class="primary" id="reapply" on:click=reapply.clone()>"Reapply my edit to their version"</button>
                            <button type="button" class="secondary" id="take-theirs" on:click=take_theirs>"Discard my edit, load theirs"</button>
                        </div>
                    </div>
                }
            })}
        </div>
    }
}

fn fail(p: Problem, problem: RwSignal<Option<Problem>>, conflict: RwSignal<Option<Conflict>>) {
    match (p.status, p.current.clone()) {
        (409, Some(current)) => conflict.set(Some(Conflict { current: *current })),
        _ => problem.set(Some(p)),
    }
}
