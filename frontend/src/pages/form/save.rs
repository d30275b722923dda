//! Saving: blocked while the rules report errors; a server dry-run first when the Space
//! changed since the form opened; a 409 shows what the other writer changed and merges the
//! user's edit into their version (three-way: only what the user changed is applied, and
//! a field both changed is the user's choice). The form keeps everything typed whatever the
//! server answers.

use super::model::comparable;
use super::state::FormState;
use super::targets::focus_later;
use crate::api::{self, Problem, SpaceFeed, StoredEgressPoint};
use crate::components::{Flash, LineDiff, Loading, ProblemNotice, SpaceAccess, use_flashes};
use crate::pages::egress_point_href;
use egress_api::Action;
use egress_rules::merge::{Merged, three_way};
use egress_rules::path::Field;
use egress_rules::{Diagnostic, as_written, has_errors};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use serde_json::Value;

/// The other writer's version, met as a 409.
#[derive(Clone, Debug, PartialEq)]
pub struct Conflict {
    /// Their object.
    pub current: Value,
}

/// A merge with clashes, waiting for the user's choices.
#[derive(Clone, Debug, PartialEq)]
struct Choosing {
    merged: Merged,
    /// Their stored object (resourceVersion, uid…).
    current: Value,
}

/// Puts a merged object into the form: their version becomes what the edit started from.
fn take_merged(form: FormState, merged: Value, current: Value) {
    let decoded = egress_rules::check_value(&merged, None);
    form.fill(&decoded.egress_point, Some(merged));
    form.loaded.set(Some(current));
}

/// A clash's value as a person reads it.
fn shown_value(value: &Option<Value>) -> String {
    match value {
        None => "(removed)".to_owned(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
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
    /// The form has changes not saved yet.
    dirty: Signal<bool>,
    /// What the user may do in the Space.
    access: SpaceAccess,
) -> impl IntoView {
    let action = if editing.is_some() { Action::Change } else { Action::Create };
    let refused = move || access.refusal(action);
    let cancel_href = match &editing {
        Some(name) => egress_point_href(&space, name),
        None => format!("/spaces/{}", api::escape(&space)),
    };
    let saving = RwSignal::new(None::<&'static str>);
    let problem = RwSignal::new(None::<Problem>);
    let opened_revision = RwSignal::new(feed.revision.get_untracked());
    let errors = Memo::new(move |_| {
        diagnostics.with(|d| d.iter().filter(|d| d.is_error()).cloned().collect::<Vec<_>>())
    });
    let navigate = use_navigate();
    let flashes = use_flashes();
    let editing_name = StoredValue::new(editing.clone());
    let space = StoredValue::new(space);
    let save = move || {
        submitted.set(true);
        if has_errors(&diagnostics.get_untracked())
            || saving.get_untracked().is_some()
            || untrack(refused).is_some()
        {
            return;
        }
        let chosen = object.get_untracked();
        let name = chosen["metadata"]["name"].as_str().unwrap_or_default().to_owned();
        // What goes to the server keeps the edited object's resourceVersion: a stale one
        // is a 409, never a silent overwrite.
        let body = {
            let mut body = chosen;
            if let Some(version) = form.loaded_version()
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
                    return fail(p, problem, conflict, access);
                }
                opened_revision.set(feed.revision.get_untracked());
            }
            saving.set(Some("Saving…"));
            let result = send(&space, editing.as_deref(), &body, false).await;
            saving.set(None);
            match result {
                Ok(_) => {
                    let href = egress_point_href(&space, &name);
                    let message = match editing {
                        Some(_) => format!("Saved your changes to EgressPoint {name}."),
                        None => format!("Created EgressPoint {name}."),
                    };
                    super::draft::forget();
                    flashes.show(Flash::linked(message, href.clone(), "Open it"));
                    navigate(&href, Default::default());
                }
                Err(p) => fail(p, problem, conflict, access),
            }
        });
    };
    let save_click = save.clone();
    let save_resolved = save.clone();
    let choosing = RwSignal::new(None::<Choosing>);
    // Per clash, true when the user keeps their own value. Owned here, not by the handler
    // that opens the choice (handlers have no owner that lives on).
    let picks = RwSignal::new(Vec::<bool>::new());
    let merge = move |_| {
        let Some(c) = conflict.get_untracked() else { return };
        let theirs = as_written(&c.current);
        let base = form.loaded.with_untracked(|l| l.as_ref().map(as_written));
        let mine = as_written(&object.get_untracked());
        let merged = three_way(base.as_ref().unwrap_or(&theirs), &theirs, &mine);
        conflict.set(None);
        if merged.clashes.is_empty() {
            take_merged(form, merged.value, c.current);
            save();
        } else {
            picks.set(vec![false; merged.clashes.len()]);
            choosing.set(Some(Choosing { merged, current: c.current }));
        }
    };
    let resolve = move |_| {
        let Some(Choosing { mut merged, current }) = choosing.get_untracked() else {
            return;
        };
        let paths: Vec<String> = merged.clashes.iter().map(|c| c.path.clone()).collect();
        let picks = picks.get_untracked();
        for (path, keep_mine) in paths.iter().zip(picks) {
            if keep_mine {
                merged.choose_mine(path);
            }
        }
        choosing.set(None);
        take_merged(form, merged.value, current);
        save_resolved();
    };
    let take_theirs = move |_| {
        if let Some(c) = conflict.get_untracked() {
            let theirs = StoredEgressPoint::new(c.current.clone());
            form.open(&theirs.model, c.current);
            conflict.set(None);
        }
    };
    view! {
        <div class="save-bar">
            {move || {
                let errors = errors.get();
                if errors.is_empty() {
                    return None;
                }
                // Nothing typed yet: no red, just what Save needs.
                if !dirty.get() && !submitted.get() {
                    return Some(view! {
                        <p class="muted" id="save-blockers" role="status">"Give it a name and at least one host to save it."</p>
                    }.into_any());
                }
                let count = errors.len();
                Some(view! {
                    <div class="blockers" id="save-blockers" role="status">
                        <strong>{format!("Save is disabled: {count} error{} to fix.", if count == 1 { "" } else { "s" })}</strong>
                        <ul>
                            {errors.into_iter().take(8).map(|d| {
                                let key = form.key_for(&d.path);
                                let label = if d.path.is_empty() { "The EgressPoint".to_owned() } else { Field::label(&d.path) };
                                view! {
                                    <li title=d.path.clone()>
                                        <a href=format!("#{}", key.focus_id())
                                            on:click=move |ev| { ev.prevent_default(); focus_later(key); }>{label}</a>
                                        ": " {Field::in_form_words(&d.message)}
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    </div>
                }.into_any())
            }}
            <div class="actions">
                <button type="submit" class="primary" id="save"
                    disabled=move || !errors.with(Vec::is_empty) || saving.get().is_some() || refused().is_some()
                    on:click=move |ev| { ev.prevent_default(); save_click() }>
                    {move || if editing_name.with_value(Option::is_some) { "Save changes" } else { "Create EgressPoint" }}
                </button>
                <A href=cancel_href attr:id="cancel" attr:class="button secondary" attr:data-discard=""
                    on:click=|_| super::draft::forget()>
                    {move || if dirty.get() { "Cancel and discard changes" } else { "Cancel" }}
                </A>
                {move || saving.get().map(|what| view! { <Loading what=what /> })}
            </div>
            {move || refused().map(|reason| view! { <p class="reason" id="save-refused" role="status">{reason}</p> })}
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
                let opened = form.loaded.with_untracked(|b| b.clone()).map(|b| egress_rules::yaml::to_yaml(&comparable(&b))).unwrap_or_default();
                let now = egress_rules::yaml::to_yaml(&comparable(&c.current));
                // Theirs and mine in access terms, each against the version both started from.
                let (their_access, my_access) = {
                    let loaded = form.loaded.with_untracked(|l| l.clone()).unwrap_or_else(|| c.current.clone());
                    let model = |v: &Value| egress_rules::decode(v).egress_point;
                    let name = model(&loaded).name().to_owned();
                    let others: Vec<egress_rules::EgressPoint> = feed.items.with_untracked(|items| {
                        items.values().map(|e| e.model.clone()).filter(|e| e.name() != name).collect()
                    });
                    let with = |v: &Value| {
                        let mut space = others.clone();
                        space.push(model(v));
                        space
                    };
                    let before = with(&loaded);
                    let said = |lines: Vec<String>| if lines.is_empty() { vec!["no workload's access changes".to_owned()] } else { lines };
                    (
                        said(egress_rules::impact::impact(&before, &with(&c.current), &[]).lines()),
                        said(egress_rules::impact::impact(&before, &with(&object.get_untracked()), &[]).lines()),
                    )
                };
                view! {
                    <div class="notice warning" id="conflict" role="alert">
                        <strong>"Someone else changed this EgressPoint after you opened it."</strong>
                        <p>{format!("Nothing was saved, and your edit is still in the form. Their version is {version}; what they changed:")}</p>
                        <LineDiff id="conflict-diff" old=opened new=now />
                        <div class="impact" id="conflict-access">
                            <p><strong>"Their change: "</strong></p>
                            <ul id="conflict-theirs">{their_access.into_iter().map(|l| view! { <li>{l}</li> }).collect_view()}</ul>
                            <p><strong>"Your change: "</strong></p>
                            <ul id="conflict-mine">{my_access.into_iter().map(|l| view! { <li>{l}</li> }).collect_view()}</ul>
                        </div>
                        <div class="actions">
                            <button type="button" class="primary" id="reapply" on:click=merge.clone()>"Apply my changes to their version"</button>
                            <button type="button" class="secondary" id="take-theirs" on:click=take_theirs>"Discard my edit, load theirs"</button>
                        </div>
                        <p class="muted">"Only the fields you changed are applied; where you both changed a field, you choose."</p>
                    </div>
                }
            })}
            {move || choosing.get().map(|Choosing { merged, .. }| view! {
                <div class="notice warning" id="clashes" role="alert">
                    <strong>"You and they both changed these fields. Choose the value to keep for each:"</strong>
                    {merged.clashes.into_iter().enumerate().map(|(k, clash)| {
                        let group = format!("clash-{k}");
                        let pick = move |mine: bool| picks.update(|p| if let Some(at) = p.get_mut(k) { *at = mine });
                        view! {
                            <fieldset class="clash" data-path=clash.path.clone()>
                                <legend>{Field::label(&clash.path)}</legend>
                                <label><input type="radio" name=group.clone() value="theirs" checked=true
                                    on:change=move |_| pick(false) />
                                    " Theirs: " <span class="mono">{shown_value(&clash.theirs)}</span></label>
                                <label><input type="radio" name=group value="mine"
                                    on:change=move |_| pick(true) />
                                    " Mine: " <span class="mono">{shown_value(&clash.mine)}</span></label>
                            </fieldset>
                        }
                    }).collect_view()}
                    <div class="actions">
                        <button type="button" class="primary" id="resolve" on:click=resolve.clone()>"Save with these choices"</button>
                    </div>
                </div>
            })}
        </div>
    }
}

fn fail(
    p: Problem,
    problem: RwSignal<Option<Problem>>,
    conflict: RwSignal<Option<Conflict>>,
    access: SpaceAccess,
) {
    // Refused although the page thought it allowed: rights changed meanwhile. Ask again, so
    // Save says why in words.
    if p.status == 403 {
        access.reread();
    }
    match (p.status, p.current.clone()) {
        (409, Some(current)) => conflict.set(Some(Conflict { current: *current })),
        _ => problem.set(Some(p)),
    }
}
