//! `/spaces/{space}/egresspoints/{name}`: one EgressPoint — what it allows, its targets, its
//! YAML — with Edit and Delete (which names the traffic that will stop).

use crate::api::{self, Problem, SpaceFeed, StoredEgressPoint};
use crate::components::{
    AccessNote, ActionLink, DiagnosticSummary, FeedBadge, Phase, ProblemNotice, SpaceAccess,
    YamlBlock,
};
use crate::pages::space_rules::{RuleRow, rows};
use crate::pages::{Breadcrumbs, egress_point_href, param, space_param, workload_href};
use egress_api::Action;
use egress_rules::impact::kept_after_delete;
use egress_rules::{AppliesTo, EgressPoint};
use leptos::html::Dialog;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;

/// The EgressPoint page.
#[component]
pub fn EgressPointPage() -> impl IntoView {
    let space = space_param();
    let name = param("name");
    move || {
        let (space, name) = (space(), name());
        view! { <EgressPointView space name /> }
    }
}

#[component]
fn EgressPointView(space: String, name: String) -> impl IntoView {
    let feed = SpaceFeed::open(space.clone());
    let key = name.clone();
    let current = Memo::new(move |_| feed.items.with(|items| items.get(&key).cloned()));
    let body = {
        let (space, name) = (space.clone(), name.clone());
        move || {
            // What the feed already holds shows even while it reconnects or has failed.
            let phase = match current.get() {
                Some(stored) => Phase::Ready(Some(stored)),
                None => Phase::of_feed(feed.status.get(), "Loading the EgressPoint…", || None),
            };
            phase.view(|stored| match stored {
            Some(stored) => view! { <Details space=space.clone() stored feed /> }.into_any(),
            None => view! {
                <div class="notice error" role="alert" id="not-found">
                    <strong>{format!("There is no EgressPoint {name} in this Space.")}</strong>
                    <p>"It may have been deleted, or the link is mistyped. "
                        <A href=format!("/spaces/{}", api::escape(&space))>"See the Space's rules"</A> "."</p>
                </div>
            }.into_any(),
            })
        }
    };
    view! {
        <Breadcrumbs space=space.clone() here=name.clone() />
        <section class="card" aria-labelledby="ep-title">
            <div class="title-row">
                <h1 id="ep-title">"EgressPoint " <span class="mono">{name.clone()}</span></h1>
                <FeedBadge status=feed.status />
            </div>
            {body}
        </section>
    }
}

#[component]
fn Details(space: String, stored: StoredEgressPoint, feed: SpaceFeed) -> impl IntoView {
    let access = SpaceAccess::load(space.clone());
    let ep = stored.model.clone();
    let index = feed.index();
    let own_rows: Vec<RuleRow> = index.with_untracked(|index| rows([&ep], index, None));
    let applies = match ep.applies_to() {
        AppliesTo::Space => view! { <p id="applies-to">"Applies to " <strong>"every workload"</strong> " of the Space."</p> }.into_any(),
        AppliesTo::Workload(w) => {
            let label = w.label();
            view! { <p id="applies-to">"Applies only to " <A href=workload_href(&space, &w)>{label}</A> "."</p> }.into_any()
        }
    };
    let yaml = {
        let mut object = stored.object.clone();
        egress_rules::hide_managed_fields(&mut object);
        egress_rules::yaml::to_yaml(&object)
    };
    let edit_href = format!("{}/edit", egress_point_href(&space, ep.name()));
    let file_name = format!("{}.yaml", ep.name());
    view! {
        {applies}
        <AccessNote access />
        <div class="actions">
            <ActionLink href=edit_href label="Edit" id="edit" class="button primary" access action=Action::Change />
            <DeleteButton space=space.clone() ep=ep.clone() feed access />
        </div>
        <h2>"What it allows"</h2>
        {if own_rows.is_empty() {
            view! { <p class="empty">"Nothing: it has no valid target."</p> }.into_any()
        } else {
            view! {
                <table class="data cards" id="targets">
                    <caption class="visually-hidden">"Targets"</caption>
                    <thead><tr>
                        <th scope="col">"Host"</th><th scope="col">"Port"</th>
                        <th scope="col">"Protocol"</th><th scope="col">"Diagnostics"</th>
                    </tr></thead>
                    <tbody>
                        {own_rows.into_iter().map(|row| view! {
                            <tr>
                                <td class="mono" data-label="Host">{row.host}</td>
                                <td class="num mono" data-label="Port">{row.port}</td>
                                <td data-label="Protocol">{row.protocol}</td>
                                <td data-label="Diagnostics"><DiagnosticSummary items=row.diagnostics /></td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            }.into_any()
        }}
        <h2>"YAML"</h2>
        <YamlBlock id="ep-yaml" yaml=Signal::stored(yaml) file_name=Signal::stored(file_name) />
    }
}

#[component]
fn DeleteButton(
    space: String,
    ep: EgressPoint,
    feed: SpaceFeed,
    access: SpaceAccess,
) -> impl IntoView {
    let refused = move || access.refusal(Action::Delete);
    let dialog = NodeRef::<Dialog>::new();
    let problem = RwSignal::new(None::<Problem>);
    let busy = RwSignal::new(false);
    let impacts = {
        let ep = ep.clone();
        move || feed.items.with(|items| kept_after_delete(&ep, items.values().map(|e| &e.model)))
    };
    // Each workload's access after the delete, from the same engine as the form and `diff`.
    let access_lost = {
        let name = ep.name().to_owned();
        move || {
            feed.items.with(|items| {
                let before: Vec<EgressPoint> = items.values().map(|e| e.model.clone()).collect();
                let after: Vec<EgressPoint> =
                    before.iter().filter(|e| e.name() != name).cloned().collect();
                egress_rules::impact::impact(&before, &after, &[]).lines()
            })
        }
    };
    let open = move |_| {
        problem.set(None);
        if let Some(d) = dialog.get() {
            let _ = d.show_modal();
        }
    };
    let close = move |_| {
        if let Some(d) = dialog.get() {
            d.close();
        }
    };
    // `?delete` (the rules table's per-row Delete…) opens the dialog at once; the query is
    // dropped from the address so a reload does not ask again.
    let asked = leptos_router::hooks::use_query_map().with_untracked(|q| q.get("delete").is_some());
    Effect::new(move |_| {
        if let (true, Some(d)) = (asked, dialog.get()) {
            let _ = d.show_modal();
            let path = window().location().pathname().unwrap_or_default();
            let _ = window().history().and_then(|h| {
                h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&path))
            });
        }
    });
    let navigate = use_navigate();
    let flashes = crate::components::use_flashes();
    let name = ep.name().to_owned();
    let confirm = move |_| {
        let path = format!("{}/egresspoints/{}", api::space_path(&space), api::escape(&name));
        let back = format!("/spaces/{}", api::escape(&space));
        let space = space.clone();
        let navigate = navigate.clone();
        busy.set(true);
        spawn_local(async move {
            match api::delete(&path).await {
                Ok(deleted) => {
                    let name = deleted["metadata"]["name"].as_str().unwrap_or_default();
                    flashes.show(crate::components::Flash {
                        message: format!("Deleted EgressPoint {name}."),
                        link: None,
                        undo: Some((space.clone(), egress_rules::as_written(&deleted))),
                    });
                    navigate(&back, Default::default());
                }
                Err(p) => {
                    // Rights changed since the page asked: ask again, and say it in words.
                    if p.status == 403 {
                        access.reread();
                    }
                    problem.set(Some(p));
                }
            }
            busy.set(false);
        });
    };
    let who = match ep.applies_to() {
        AppliesTo::Space => "every workload of the Space".to_owned(),
        AppliesTo::Workload(w) => w.label(),
    };
    view! {
        <button type="button" class="danger" id="delete" on:click=open disabled=move || refused().is_some()
            title=refused>"Delete…"</button>

        <dialog node_ref=dialog aria-labelledby="delete-title" id="delete-dialog">
            <h2 id="delete-title">{format!("Delete EgressPoint {}?", ep.name())}</h2>
            <div id="delete-access" class="impact">
                {move || {
                    let lines = access_lost();
                    if lines.is_empty() {
                        view! { <p>"No workload loses access: other EgressPoints still allow all of it."</p> }.into_any()
                    } else {
                        view! { <ul>{lines.into_iter().map(|l| view! { <li>{l}</li> }).collect_view()}</ul> }.into_any()
                    }
                }}
            </div>
            <p>{format!("Rule by rule, for {who}:")}</p>
            <ul id="delete-impact">
                {move || impacts().into_iter().map(|i| {
                    let rule = format!("{}:{} over {}", i.rule.host, i.rule.port, i.rule.protocol);
                    match i.still_allowed_by {
                        None => view! { <li><strong class="mono">{rule}</strong></li> }.into_any(),
                        Some(by) => view! {
                            <li><span class="mono">{rule}</span> " — still allowed by " {by} ", so it keeps flowing"</li>
                        }.into_any(),
                    }
                }).collect_view()}
            </ul>
            {move || problem.get().map(|problem| view! { <ProblemNotice problem /> })}
            <div class="actions">
                <button type="button" class="secondary" id="delete-cancel" on:click=close>"Cancel"</button>
                <button type="button" class="danger" id="delete-confirm" disabled=move || busy.get() on:click=confirm>
                    {move || if busy.get() { "Deleting…" } else { "Delete" }}
                </button>
            </div>
        </dialog>
    }
}
