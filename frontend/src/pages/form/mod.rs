//! `/spaces/{space}/egresspoints/new` and `…/{name}/edit`: the EgressPoint form. Every
//! keystroke re-validates with `egress-rules` against the Space's current EgressPoints and
//! workloads; errors block Save; the server has the last word, and nothing typed is lost
//! when it says no.

mod draft;
mod import;
mod model;
mod save;
mod state;
mod targets;
mod yaml_panel;

use crate::api::{self, FeedStatus, SpaceFeed};
use crate::components::{ApplyFix, DiagnosticList, FeedBadge, Phase, SpaceAccess, guard_unsaved};
use crate::pages::{Breadcrumbs, egress_point_href, param, space_param, supported};
use egress_rules::{SpaceContext, WorkloadRef, check_value, has_errors};
use import::ImportTarget;
use leptos::prelude::*;
use leptos_router::components::A;
use save::{Conflict, SaveBar};
use state::{FieldKey, FormState};
use targets::{Messages, Targets, focus_later, shown};
use yaml_panel::YamlPanel;

/// The create form.
#[component]
pub fn CreatePage() -> impl IntoView {
    let space = space_param();
    move || {
        let space = space();
        let feed = SpaceFeed::open(space.clone());
        // `?workload=Kind/name&host=…&port=…&protocol=…` (from "Can it reach…?") prefills it.
        let form = FormState::new();
        leptos_router::hooks::use_query_map().with_untracked(|q| {
            form.prefill(
                q.get("workload").unwrap_or_default(),
                q.get("host").unwrap_or_default(),
                q.get("port"),
                q.get("protocol"),
            );
            // `?suggested` (from a workload's "Create EgressPoint from these"): the proposal.
            if q.get("suggested").is_some()
                && let Some(object) = crate::pages::suggestions_take()
            {
                let ep = egress_rules::decode(&object).egress_point;
                form.fill(&ep, Some(object));
            }
        });
        view! {
            <Breadcrumbs space=space.clone() here="New EgressPoint" />
            <EgressPointForm space feed form editing=None />
        }
    }
}

/// The edit form: waits for the EgressPoint, then opens the form filled with it.
#[component]
pub fn EditPage() -> impl IntoView {
    let space = space_param();
    let name = param("name");
    move || {
        let (space, name) = (space(), name());
        let feed = SpaceFeed::open(space.clone());
        let key = name.clone();
        // Filled once, from the first version seen: later changes by others must not
        // overwrite what the user is typing (a save then meets them as a 409).
        let form = FormState::new();
        let opened = RwSignal::new(false);
        // A memo, so the form below is built once, not again on every change in the Space.
        let ready = Memo::new(move |_| {
            if !opened.get_untracked()
                && let Some(stored) = feed.items.with(|items| items.get(&key).cloned())
            {
                form.open(&stored.model, stored.object);
                opened.set(true);
            }
            if opened.get_untracked() {
                return Some(Ok(true));
            }
            match feed.status.get() {
                FeedStatus::Connecting => None,
                FeedStatus::Failed(problem) => Some(Err(problem)),
                _ => Some(Ok(false)),
            }
        });
        let middle = (name.clone(), egress_point_href(&space, &name));
        let (space_for_view, name_for_view) = (space.clone(), name.clone());
        view! {
            <Breadcrumbs space=space.clone() middle here="Edit" />
            {move || Phase::of_result(ready.get(), "Loading the EgressPoint…").view(|found| if found {
                view! {
                    <EgressPointForm space=space_for_view.clone() feed form editing=Some(name_for_view.clone()) />
                }.into_any()
            } else {
                view! {
                    <div class="notice error" role="alert">
                        <strong>{format!("There is no EgressPoint {} to edit.", name_for_view)}</strong>
                        <p>"It may have been deleted meanwhile."</p>
                    </div>
                }.into_any()
            })}
        }
    }
}

#[component]
fn EgressPointForm(
    space: String,
    feed: SpaceFeed,
    form: FormState,
    editing: Option<String>,
) -> impl IntoView {
    let workloads = {
        let space = space.clone();
        LocalResource::new(move || {
            let space = space.clone();
            async move { api::workloads(&space).await }
        })
    };
    let namespace = {
        let space = space.clone();
        LocalResource::new(move || {
            let space = space.clone();
            async move {
                api::spaces()
                    .await
                    .ok()
                    .and_then(|all| all.into_iter().find(|s| s.name == space))
                    .map(|s| s.namespace)
            }
        })
    };
    let choices = Memo::new(move |_| match workloads.get() {
        Some(Ok(list)) => Some(supported(&list)),
        _ => None,
    });
    // The workloads could not be read (often: not allowed): the name is typed instead.
    let unreadable = Memo::new(move |_| {
        workloads.with(|w| match w {
            Some(Err(problem)) => Some(problem.status),
            _ => None,
        })
    });
    let index = feed.index();
    let space_name = space.clone();
    let namespace_of = move || namespace.get().flatten().unwrap_or_else(|| space_name.clone());
    let access = SpaceAccess::load(space.clone());
    let import = editing.is_none().then(|| ImportTarget {
        access,
        space: space.clone(),
        feed,
        workloads: choices,
        namespace: Signal::derive(namespace_of.clone()),
    });
    let object = {
        Memo::new(move |_| {
            let chosen = choices.with(|c| form.source_workload(c.as_deref().unwrap_or_default()));
            model::object(
                &form.name.get(),
                &namespace_of(),
                chosen.as_ref(),
                &form.inputs(),
                form.base.get().as_ref(),
                false,
            )
        })
    };
    let checked = Memo::new(move |_| {
        index.with(|index| {
            choices.with(|workloads| {
                let context = SpaceContext { index, workloads: workloads.as_deref() };
                object.with(|value| check_value(value, Some(context)).diagnostics)
            })
        })
    });
    // What saving would change in each workload's access, from the live Space.
    let editing_name = editing.clone();
    // Indexed once per change of the Space; each keystroke then costs the size of the edit.
    let access_index = Memo::new_with_compare(
        move |_| {
            feed.items.with(|items| {
                egress_rules::impact::AccessIndex::build(items.values().map(|e| &e.model))
            })
        },
        // Rebuilt only when the Space changed: always a new index.
        |_, _| true,
    );
    let replaced = move |mine: &egress_rules::EgressPoint| {
        editing_name.clone().unwrap_or_else(|| mine.name().to_owned())
    };
    let impact = Memo::new({
        let replaced = replaced.clone();
        move |_| {
            let mine = object.with(|value| egress_rules::decode(value).egress_point);
            let name = replaced(&mine);
            let workloads = choices.with(|c| c.clone().unwrap_or_default());
            feed.items.with(|items| {
                let removed: Vec<&egress_rules::EgressPoint> =
                    items.get(&name).map(|e| &e.model).into_iter().collect();
                access_index.with(|index| {
                    egress_rules::impact::impact_of_change(index, &removed, &[mine], &workloads)
                })
            })
        }
    });
    // The expectations kept for this Space (its Expectations tab) that saving would break
    // or make hold; nothing to compute when none are kept.
    let expectations = StoredValue::new(crate::pages::space_expectations::kept_for(&space));
    let expected = Memo::new(move |_| {
        if expectations.with_value(Vec::is_empty) {
            return egress_rules::expect::Change::default();
        }
        let mine = object.with(|value| egress_rules::decode(value).egress_point);
        let name = replaced(&mine);
        let before: Vec<egress_rules::EgressPoint> =
            feed.items.with(|items| items.values().map(|e| e.model.clone()).collect());
        let mut after: Vec<egress_rules::EgressPoint> =
            before.iter().filter(|e| e.name() != name).cloned().collect();
        after.push(mine);
        expectations.with_value(|e| egress_rules::expect::compare(e, &before, &after))
    });
    let submitted = RwSignal::new(false);
    let conflict = RwSignal::new(None::<Conflict>);
    // Unsaved work: anything typed, chosen or pasted since the form opened. Leaving asks.
    let opened_with = StoredValue::new(untrack(|| form.snapshot()));
    let dirty = Memo::new(move |_| opened_with.with_value(|at_open| form.snapshot() != *at_open));
    guard_unsaved(dirty.into());
    let placed = Messages::new();
    Effect::new(move |_| placed.publish(checked.with(|d| form.place(d))));
    // "Fix: …" buttons beside the messages set the inputs their fix names.
    provide_context(ApplyFix(Callback::new(move |fix: egress_rules::Fix| form.apply(&fix))));
    // A new form starts at its first field; an edit (whose name cannot change) at the first
    // host.
    if editing.is_none() {
        focus_later(FieldKey::Name);
    } else if let Some(first) = form
        .targets
        .with_untracked(|rows| rows.first().map(|r| r.hosts.with_untracked(|h| h[0].id)))
    {
        focus_later(FieldKey::Host(first));
    }
    // A draft left by an earlier visit (the Back button cannot be stopped): offered, not
    // applied, and only when it differs from what the form holds now.
    let offered_draft =
        RwSignal::new(draft::kept().filter(|d| object.with_untracked(|now| d.object != *now)));
    // The preview follows typing after a short pause: rebuilding and laying out the YAML of
    // a 200-target form on every keystroke would delay the field's own message.
    let preview_text = RwSignal::new(object.with_untracked(egress_rules::yaml::to_yaml));
    let pending = StoredValue::new(0u64);
    Effect::new(move |first: Option<()>| {
        object.track();
        if first.is_none() {
            return;
        }
        pending.update_value(|n| *n += 1);
        let ticket = pending.get_value();
        set_timeout(
            move || {
                if pending.try_get_value() == Some(ticket) {
                    preview_text.try_set(object.with_untracked(egress_rules::yaml::to_yaml));
                    // Unsaved work is kept for this tab until saved or cancelled.
                    if dirty.try_get_untracked() == Some(true)
                        && offered_draft.try_with_untracked(Option::is_none) == Some(true)
                    {
                        object.with_untracked(|o| {
                            form.loaded.with_untracked(|l| draft::keep(o, l.as_ref()))
                        });
                    }
                }
            },
            std::time::Duration::from_millis(120),
        );
    });
    let preview = Signal::from(preview_text);
    let file_name = Signal::derive(move || {
        let name = form.name.get();
        format!("{}.yaml", if name.trim().is_empty() { "egresspoint" } else { name.trim() })
    });

    let keep_name = editing.is_some();
    let on_load =
        Callback::new(move |(ep, value): (egress_rules::EgressPoint, serde_json::Value)| {
            let name = form.name.get_untracked();
            // The pasted object carries its labels, annotations and any other metadata the
            // form has no field for; the version an edit started from stays `loaded`.
            form.fill(&ep, Some(egress_rules::as_written(&value)));
            if keep_name {
                // Kubernetes names cannot change: an edit keeps its own.
                form.name.set(name);
            }
        });
    let title = match &editing {
        Some(name) => format!("Edit EgressPoint {name}"),
        None => "New EgressPoint".to_owned(),
    };
    view! {
        <div class="form-layout">
            <section class="card" aria-labelledby="form-title">
                <div class="title-row">
                    <h1 id="form-title">{title}</h1>
                    <FeedBadge status=feed.status />
                </div>
                <p class="lede">"Every keystroke is checked with the rules the platform applies, against this Space's current EgressPoints."</p>
                {move || offered_draft.get().map(|kept| {
                    let restore = move |_| {
                        let decoded = check_value(&kept.object, None);
                        form.fill(&decoded.egress_point, Some(kept.object.clone()));
                        if kept.loaded.is_some() {
                            form.loaded.set(kept.loaded.clone());
                        }
                        offered_draft.set(None);
                    };
                    view! {
                        <div class="notice warning" id="draft" role="status">
                            <strong>"You left this form with changes that were not saved."</strong>
                            <div class="actions">
                                <button type="button" class="primary" id="draft-restore" on:click=restore>"Restore them"</button>
                                <button type="button" class="secondary" id="draft-discard"
                                    on:click=move |_| { draft::forget(); offered_draft.set(None); }>"Discard them"</button>
                            </div>
                        </div>
                    }
                })}
                <form class="ep-form" id="egresspoint-form" novalidate on:submit=|ev| ev.prevent_default()
                    on:keydown=move |ev| {
                        // Enter in a field with errors left: show them all and go to the first
                        // (Save is disabled, so the browser would do nothing at all).
                        let in_input = ev.target().and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlInputElement>(t).ok()).is_some();
                        if ev.key() == "Enter" && in_input {
                            let first = checked.with_untracked(|d| d.iter().find(|d| d.is_error()).map(|d| d.path.clone()));
                            if let Some(path) = first {
                                ev.prevent_default();
                                submitted.set(true);
                                focus_later(form.key_for(&path));
                            }
                        }
                    }>
                    <NameField form placed submitted editing=editing.is_some() />
                    <SourceRefField form placed choices unreadable />
                    <Targets form placed submitted />
                    <ObjectMessages placed />
                    <div id="impact" class="impact" role="status" aria-live="polite">
                        <strong>"If you save: "</strong>
                        {move || impact.with(|i| {
                            let mut lines = i.lines();
                            if lines.is_empty() {
                                lines.push("no workload's access changes".to_owned());
                            }
                            let quiet = i.no_effect.iter()
                                .map(|r| format!("{}:{} {} is already allowed by another EgressPoint", r.host, r.port, r.protocol))
                                .collect::<Vec<_>>();
                            view! {
                                <ul>{lines.into_iter().map(|l| view! { <li>{l}</li> }).collect_view()}</ul>
                                {(!quiet.is_empty()).then(|| view! { <p class="muted">{quiet.join("; ")}</p> })}
                            }
                        })}
                    </div>
                    <ExpectationWarning space=space.clone() expected />
                    <SaveBar space=space.clone() feed form object=object.into() diagnostics=checked.into()
                        editing=editing.clone() submitted conflict dirty=dirty.into() access />
                </form>
            </section>
            {match import {
                Some(import) => view! { <YamlPanel preview file_name on_load import /> }.into_any(),
                None => view! { <YamlPanel preview file_name on_load /> }.into_any(),
            }}
        </div>
    }
}

#[component]
fn NameField(
    form: FormState,
    placed: Messages,
    submitted: RwSignal<bool>,
    editing: bool,
) -> impl IntoView {
    let visited = RwSignal::new(false);
    let all = placed.of(FieldKey::Name);
    let items = shown(
        all,
        Signal::derive(move || {
            visited.get() || submitted.get() || !form.name.with(String::is_empty)
        }),
    );
    view! {
        <div class="field">
            <label for=FieldKey::Name.input_id()>"Name"</label>
            <input id=FieldKey::Name.input_id() name="name" autocomplete="off" spellcheck="false" placeholder="e.g. payment-apis"
                readonly=editing
                aria-describedby=format!("{} name-help", FieldKey::Name.messages_id())
                aria-invalid=move || has_errors(&items.get()).to_string()
                prop:value=move || form.name.get()
                on:input=move |ev| form.name.set(event_target_value(&ev))
                on:blur=move |_| visited.set(true) />
            <small id="name-help" class="muted">
                {if editing { "A Kubernetes name cannot change; create a new EgressPoint to rename." } else { "Lowercase letters, digits and '-', unique in the Space." }}
            </small>
            <DiagnosticList id=FieldKey::Name.messages_id() items />
        </div>
    }
}

#[component]
fn SourceRefField(
    form: FormState,
    placed: Messages,
    choices: Memo<Option<Vec<WorkloadRef>>>,
    /// The HTTP status of a failed workload list.
    unreadable: Memo<Option<u16>>,
) -> impl IntoView {
    let items = placed.of(FieldKey::SourceRef);
    let typed = move || {
        unreadable.get().map(|status| {
            let why = if status == 403 {
                "You may not read the workloads of this Space, so they cannot be listed: type Deployment/NAME or ContainerApp/NAME, or leave it empty for every workload."
            } else {
                "The workloads of this Space could not be read: type Deployment/NAME or ContainerApp/NAME, or leave it empty for every workload."
            };
            view! {
                <div class="field">
                    <label for=FieldKey::SourceRef.input_id()>"Workload"</label>
                    <input id=FieldKey::SourceRef.input_id() autocomplete="off" spellcheck="false" placeholder="Deployment/checkout"
                        aria-describedby=format!("source-ref-help {}", FieldKey::SourceRef.messages_id())
                        prop:value=move || form.source_ref.get()
                        on:input=move |ev| form.source_ref.set(event_target_value(&ev).trim().to_owned()) />
                    <small id="source-ref-help" class="muted">{why}</small>
                    <DiagnosticList id=FieldKey::SourceRef.messages_id() items />
                </div>
            }
        })
    };
    // The chosen workload stays offered even when the Space no longer has it.
    let options = move || {
        let mut list: Vec<(String, String)> = choices
            .get()
            .unwrap_or_default()
            .iter()
            .map(|w| (api::workload_key(&w.kind, &w.name), w.label()))
            .collect();
        let chosen = form.source_ref.get();
        if !chosen.is_empty() && !list.iter().any(|(v, _)| *v == chosen) {
            list.push((chosen.clone(), format!("{chosen} (not found in this Space)")));
        }
        list
    };
    move || {
        typed().map(IntoAny::into_any).unwrap_or_else(|| view! {
        <div class="field">
            <label for=FieldKey::SourceRef.input_id()>"Workload"</label>
            <select id=FieldKey::SourceRef.input_id() aria-describedby=format!("source-ref-help {}", FieldKey::SourceRef.messages_id())
                prop:value=move || form.source_ref.get()
                on:change=move |ev| form.source_ref.set(event_target_value(&ev))>
                <option value="">"Every workload"</option>
                {move || options().into_iter().map(|(value, label)| view! {
                    <option value=value.clone() selected=form.source_ref.get_untracked() == value>{label}</option>
                }).collect_view()}
            </select>
            <small id="source-ref-help" class="muted">
                {move || match choices.get() {
                    None => "Loading the Space's workloads…".to_owned(),
                    Some(list) if list.is_empty() => "This Space has no Deployments or ContainerApps yet: the rules can only apply to every workload.".to_owned(),
                    Some(_) => "Every workload of the Space, or one Deployment or ContainerApp.".to_owned(),
                }}
            </small>
            <DiagnosticList id=FieldKey::SourceRef.messages_id() items />
        </div>
    }.into_any())
    }
}

#[component]
fn ObjectMessages(placed: Messages) -> impl IntoView {
    let items = placed.of(FieldKey::Object);
    view! { <DiagnosticList id=FieldKey::Object.messages_id() items /> }
}

/// Before Save: the Space's expectations (kept on its Expectations tab) this save would break,
/// and those it would make hold.
#[component]
fn ExpectationWarning(
    space: String,
    expected: Memo<egress_rules::expect::Change>,
) -> impl IntoView {
    let href = format!("/spaces/{}/expectations", crate::api::escape(&space));
    move || {
        expected.with(|change| {
            let broken = (!change.broken.is_empty()).then(|| {
                let n = change.broken.len();
                let noun = if n == 1 { "expectation" } else { "expectations" };
                view! {
                    <div id="expect-warning" class="diagnostic error" role="alert">
                        <p><strong>{format!("Saving would break {n} {noun} of this Space:")}</strong></p>
                        <ul>{change.broken.iter().map(|o| view! {
                            <li><span class="mono">{o.expectation.to_string()}</span>{format!(" — {}", o.because)}</li>
                        }).collect_view()}</ul>
                        <p><A href=href.clone()>"See the expectations"</A></p>
                    </div>
                }
            });
            let fixed = (!change.fixed.is_empty()).then(|| {
                let lines: Vec<String> = change.fixed.iter().map(|o| o.expectation.to_string()).collect();
                view! {
                    <p id="expect-fixed" class="ok">{format!("Saving would make these expectations hold: {}", lines.join("; "))}</p>
                }
            });
            view! { {broken} {fixed} }
        })
    }
}
