//! `/spaces/{space}`: every egress rule of a Space, one row per host+port+protocol, kept live
//! from the Space's event stream; filter, sort, page.

mod rows;

use crate::api::{self, FeedStatus, SpaceFeed};
use crate::components::{AccessNote, ActionLink, DiagnosticSummary, FeedBadge, Phase, SpaceAccess};
use crate::pages::{Breadcrumbs, SpaceTabs, WorkloadPicker, space_param, workload_href};
use egress_api::Action;
use egress_rules::{AppliesTo, Protocol};
use leptos::prelude::*;
use leptos_router::components::A;
pub use rows::{Filter, RuleRow, SortBy, rows, sort};

/// Rows per page: enough to scan, few enough that a 5,000-rule Space renders at once.
const PAGE: usize = 100;

/// The rules page.
#[component]
pub fn SpaceRulesPage() -> impl IntoView {
    let space = space_param();
    move || {
        let space = space();
        view! { <SpaceRules space /> }
    }
}

#[component]
fn SpaceRules(space: String) -> impl IntoView {
    let feed = SpaceFeed::open(space.clone());
    let index = feed.index();
    let workload_list = {
        let space = space.clone();
        LocalResource::new(move || {
            let space = space.clone();
            async move { api::workloads(&space).await }
        })
    };
    // Unknown until loaded (or when the list fails): then `workload-missing` is not judged.
    let known_workloads = Memo::new(move |_| workload_list.get().and_then(Result::ok));
    let workloads_failed =
        Signal::derive(move || workload_list.with(|w| matches!(w, Some(Err(_)))));
    let space_for_tabs = space.clone();
    let all_rows = Memo::new(move |_| {
        known_workloads.with(|workloads| {
            index.with(|index| {
                feed.items.with(|items| {
                    rows(items.values().map(|e| &e.model), index, workloads.as_deref())
                })
            })
        })
    });
    // Filter, sort and page live in the address (`?q=…&protocol=…&sort=port&desc&page=2`): a
    // link shares the view and a reload keeps it.
    let query = leptos_router::hooks::use_query_map();
    let initial = query.with_untracked(|q| {
        let get = |key: &str| q.get(key).unwrap_or_default();
        let filter =
            Filter { text: get("q"), protocol: get("protocol"), applies_to: get("applies") };
        let sort =
            (SortBy::parse(&get("sort")).unwrap_or(SortBy::EgressPoint), q.get("desc").is_none());
        let page = get("page").parse::<usize>().unwrap_or(1).max(1) - 1;
        (filter, sort, page)
    });
    let filter = RwSignal::new(initial.0);
    let sort_by = RwSignal::new(initial.1);
    let page = RwSignal::new(initial.2);
    Effect::new(move |_| {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        filter.with(|f| {
            for (key, value) in
                [("q", &f.text), ("protocol", &f.protocol), ("applies", &f.applies_to)]
            {
                if !value.is_empty() {
                    pairs.push((key, value.clone()));
                }
            }
        });
        let (by, ascending) = sort_by.get();
        if by != SortBy::EgressPoint {
            pairs.push(("sort", by.as_str().to_owned()));
        }
        if !ascending {
            pairs.push(("desc", String::new()));
        }
        if page.get() > 0 {
            pairs.push(("page", (page.get() + 1).to_string()));
        }
        let search: Vec<String> = pairs
            .iter()
            .map(
                |(k, v)| {
                    if v.is_empty() { (*k).to_owned() } else { format!("{k}={}", api::escape(v)) }
                },
            )
            .collect();
        let path = window().location().pathname().unwrap_or_default();
        let url = if search.is_empty() { path } else { format!("{path}?{}", search.join("&")) };
        let _ = window()
            .history()
            .and_then(|h| h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url)));
    });
    let shown = Memo::new(move |_| {
        let mut rows: Vec<RuleRow> = all_rows
            .with(|all| filter.with(|f| all.iter().filter(|r| f.accepts(r)).cloned().collect()));
        let (by, ascending) = sort_by.get();
        sort(&mut rows, by, ascending);
        rows
    });
    // A new filter or sort starts at the first page (not the page the address opened on).
    Effect::new(move |first: Option<()>| {
        filter.track();
        sort_by.track();
        if first.is_some() {
            page.set(0);
        }
    });
    let workloads = Memo::new(move |_| {
        let mut labels: Vec<String> = all_rows.with(|rows| {
            rows.iter()
                .filter_map(|r| match &r.applies_to {
                    AppliesTo::Workload(_) => Some(r.applies_to.label()),
                    AppliesTo::Space => None,
                })
                .collect()
        });
        labels.sort();
        labels.dedup();
        labels
    });
    // A memo, so the table is built once and then updated row by row, not rebuilt per change.
    let state = Memo::new(move |_| (feed.status.get(), feed.items.with(|i| i.is_empty())));
    let new_href = format!("/spaces/{}/egresspoints/new", api::escape(&space));
    let access = SpaceAccess::load(space.clone());
    let space_for_rows = space.clone();
    view! {
        <Breadcrumbs space=space.clone() here="Egress rules" />
        <section class="card" aria-labelledby="rules-title">
            <div class="title-row">
                <h1 id="rules-title">"Egress rules of " <span class="mono">{space.clone()}</span></h1>
                <FeedBadge status=feed.status />
                <ActionLink href=new_href label="New EgressPoint" id="new-egresspoint" class="button primary" access action=Action::Create />
            </div>
            <p class="lede">
                "What the workloads of this Space may reach outside the platform. Changes made anywhere (kubectl, other users) appear here as they happen."
            </p>
            <AccessNote access />
            // A Space that cannot be read has nothing to filter or pick: only the notice below.
            <Show when=move || !matches!(feed.status.get(), FeedStatus::Failed(_))>
                <SpaceTabs space=space_for_tabs.clone() current="rules" />
                <Filters filter workloads />
                <WorkloadPicker space=space_for_tabs.clone() workloads=known_workloads failed=workloads_failed />
            </Show>
            {move || {
                let (status, empty) = state.get();
                let phase = match status {
                    // Nothing known yet and the feed is coming back: say so, not "empty".
                    FeedStatus::Reconnecting if empty => Phase::Loading("Connecting to the Space…"),
                    status => Phase::of_feed(status, "Loading the Space's EgressPoints…", || empty),
                };
                phase.view(|empty| if empty {
                    view! { <EmptySpace space=space_for_rows.clone() access /> }.into_any()
                } else {
                    view! {
                        <RulesTable space=space_for_rows.clone() shown sort_by page recently_changed=feed.recently_changed total=all_rows access />
                    }.into_any()
                })
            }}
        </section>
    }
}

#[component]
fn EmptySpace(space: String, access: SpaceAccess) -> impl IntoView {
    let href = format!("/spaces/{}/egresspoints/new", api::escape(&space));
    view! {
        <div class="empty" id="empty-space">
            <p><strong>"No EgressPoints yet."</strong> " Workloads in this Space cannot reach anything outside the platform."</p>
            <p>"Create an EgressPoint to allow a host, port and protocol for every workload or for one."</p>
            <ActionLink href label="Create the first EgressPoint" class="button primary" access action=Action::Create />
        </div>
    }
}

#[component]
fn Filters(filter: RwSignal<Filter>, workloads: Memo<Vec<String>>) -> impl IntoView {
    view! {
        <form class="filters" role="search" on:submit=|ev| ev.prevent_default()>
            <div class="field">
                <label for="filter-text">"Filter"</label>
                <input id="filter-text" type="search" placeholder="host, port or EgressPoint"
                    prop:value=move || filter.with(|f| f.text.clone())
                    on:input=move |ev| filter.update(|f| f.text = event_target_value(&ev)) />
            </div>
            <div class="field">
                <label for="filter-protocol">"Protocol"</label>
                <select id="filter-protocol"
                    on:change=move |ev| filter.update(|f| f.protocol = event_target_value(&ev))>
                    <option value="">"Any"</option>
                    {Protocol::ALL.map(|p| view! {
                        <option value=p.as_str() selected=filter.with_untracked(|f| f.protocol == p.as_str())>{p.as_str()}</option>
                    }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="filter-applies-to">"Applies to"</label>
                <select id="filter-applies-to"
                    on:change=move |ev| filter.update(|f| f.applies_to = event_target_value(&ev))>
                    <option value="">"Any"</option>
                    <option value="space" selected=filter.with_untracked(|f| f.applies_to == "space")>"Every workload"</option>
                    <For each=move || workloads.get() key=|w| w.clone() let:w>
                        <option value=w.clone() selected=filter.with_untracked(|f| f.applies_to == w)>{w.clone()}</option>
                    </For>
                </select>
            </div>
        </form>
    }
}

#[component]
fn RulesTable(
    space: String,
    shown: Memo<Vec<RuleRow>>,
    sort_by: RwSignal<(SortBy, bool)>,
    page: RwSignal<usize>,
    recently_changed: RwSignal<Vec<String>>,
    total: Memo<Vec<RuleRow>>,
    access: SpaceAccess,
) -> impl IntoView {
    let pages = move || shown.with(|rows| rows.len().div_ceil(PAGE).max(1));
    let visible = move || {
        let start = page.get() * PAGE;
        shown.with(|rows| rows.iter().skip(start).take(PAGE).cloned().collect::<Vec<_>>())
    };
    let header = move |label: &'static str, by: SortBy| {
        let aria = move || match sort_by.get() {
            (b, true) if b == by => "ascending",
            (b, false) if b == by => "descending",
            _ => "none",
        };
        view! {
            <th scope="col" aria-sort=aria>
                <button type="button" class="sort" on:click=move |_| sort_by.update(|(b, asc)| {
                    if *b == by { *asc = !*asc } else { *b = by; *asc = true }
                })>{label}</button>
            </th>
        }
    };
    let space_for_rows = StoredValue::new(space);
    view! {
        <p class="count" id="rules-count" role="status">
            {move || {
                let n = shown.with(Vec::len);
                let of = total.with(Vec::len);
                let start = (page.get() * PAGE).min(n);
                if n == 0 {
                    format!("No rule matches the filter (of {of}).")
                } else {
                    format!("Showing {}–{} of {n} rules{}", start + 1, (start + PAGE).min(n),
                        if n == of { String::new() } else { format!(" (filtered from {of})") })
                }
            }}
        </p>
        <div class="table-scroll">
            <table class="data cards" id="rules">
                <caption class="visually-hidden">"Egress rules"</caption>
                <thead>
                    <tr>
                        {header("Host", SortBy::Host)}
                        {header("Port", SortBy::Port)}
                        {header("Protocol", SortBy::Protocol)}
                        {header("Applies to", SortBy::AppliesTo)}
                        {header("EgressPoint", SortBy::EgressPoint)}
                        {header("Diagnostics", SortBy::Problems)}
                        <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                    </tr>
                </thead>
                <tbody>
                    <For each=visible key=|r| format!("{r:?}") let:row>
                        <RuleRowView row space=space_for_rows.get_value() recently_changed access />
                    </For>
                </tbody>
            </table>
        </div>
        <nav class="pager" aria-label="Pages of rules">
            <button type="button" class="secondary" disabled=move || page.get() == 0
                on:click=move |_| page.update(|p| *p = p.saturating_sub(1))>"Previous"</button>
            <span>{move || format!("Page {} of {}", page.get() + 1, pages())}</span>
            <button type="button" class="secondary" disabled=move || { page.get() + 1 >= pages() }
                on:click=move |_| page.update(|p| *p += 1)>"Next"</button>
        </nav>
    }
}

#[component]
fn RuleRowView(
    row: RuleRow,
    space: String,
    recently_changed: RwSignal<Vec<String>>,
    access: SpaceAccess,
) -> impl IntoView {
    let name = row.egress_point.clone();
    let changed = move || recently_changed.with(|c| c.contains(&name));
    let ep_href =
        format!("/spaces/{}/egresspoints/{}", api::escape(&space), api::escape(&row.egress_point));
    let applies = match &row.applies_to {
        AppliesTo::Space => {
            view! { <span class="badge neutral">"Every workload"</span> }.into_any()
        }
        AppliesTo::Workload(w) => {
            let (href, label) = (workload_href(&space, w), row.applies_to.label());
            view! { <A href=href>{label}</A> }.into_any()
        }
    };
    let worst = row.worst().map(|s| s.as_str()).unwrap_or("ok");
    let ep_label = row.egress_point.clone();
    let link_text = ep_label.clone();
    let (edit_href, edit_aria) = (format!("{ep_href}/edit"), format!("Edit {ep_label}"));
    let (delete_href, delete_aria) = (format!("{ep_href}?delete"), format!("Delete {ep_label}…"));
    view! {
        <tr class:changed=changed data-egresspoint=row.egress_point.clone() data-host=row.host.clone() data-worst=worst>
            <td class="mono" data-label="Host">{row.host.clone()}</td>
            <td class="num mono" data-label="Port">{row.port.clone()}</td>
            <td data-label="Protocol">{row.protocol.clone()}</td>
            <td data-label="Applies to">{applies}</td>
            <td data-label="EgressPoint"><A href=ep_href>{link_text}</A></td>
            <td data-label="Diagnostics"><DiagnosticSummary items=row.diagnostics.clone() /></td>
            <td class="row-actions">
                <ActionLink href=edit_href label="Edit" class="button secondary small" aria_label=edit_aria access action=Action::Change />
                " "
                <ActionLink href=delete_href label="Delete…" class="button danger small" aria_label=delete_aria access action=Action::Delete />
            </td>
        </tr>
    }
}
