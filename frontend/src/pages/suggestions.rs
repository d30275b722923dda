//! "Suggested from its configuration" on the workload page: the endpoints the workload's
//! env, args and ConfigMaps name (read by the server with `egress_rules::suggest`), each
//! with its source and how it stands in the Space, and "Create EgressPoint from these",
//! which opens the create form filled with the proposal (through session storage, as the
//! form reads `?suggested`).

use crate::api::{self, Problem};
use crate::components::ProblemNotice;
use egress_api::SuggestionsReport;
use egress_rules::WorkloadRef;
use egress_rules::suggest::Standing;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;
use serde_json::Value;

/// Where the proposal waits for the create form.
const KEY: &str = "egress-console:suggested";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok().flatten()
}

/// The proposal left by "Create EgressPoint from these", taken (read once).
pub fn take_suggested() -> Option<Value> {
    let storage = storage()?;
    let text = storage.get_item(KEY).ok()??;
    let _ = storage.remove_item(KEY);
    serde_json::from_str(&text).ok()
}

/// The section.
#[component]
pub fn Suggestions(space: String, workload: WorkloadRef) -> impl IntoView {
    let report = RwSignal::new(None::<Result<SuggestionsReport, Problem>>);
    {
        let (space, workload) = (space.clone(), workload.clone());
        spawn_local(async move {
            report.set(Some(api::suggestions(&space, &workload).await));
        });
    }
    let navigate = use_navigate();
    let create_href = format!("/spaces/{}/egresspoints/new?suggested=1", api::escape(&space));
    view! {
        <section class="card" aria-labelledby="suggestions-title" id="suggestions">
            <h2 id="suggestions-title">"Suggested from its configuration"</h2>
            <p class="muted">"The endpoints this workload's env, args and ConfigMaps name, before it ever connects. Secrets are never read."</p>
            {move || match report.get() {
                None => view! { <p class="muted">"Reading its configuration…"</p> }.into_any(),
                Some(Err(problem)) => view! { <ProblemNotice problem /> }.into_any(),
                Some(Ok(report)) => {
                    let navigate = navigate.clone();
                    let href = create_href.clone();
                    let proposal = report.egress_point.clone();
                    let needed = report.standings.iter().any(|s| !matches!(s, Standing::Allowed { .. }));
                    let rows = report.reading.suggestions.iter().zip(&report.standings).map(|(s, standing)| {
                        let (class, state) = match standing {
                            Standing::Allowed { by } => ("badge ok", format!("allowed by {}", by.join(", "))),
                            Standing::New => ("badge pending", "new".to_owned()),
                            Standing::Conflicting { with, protocol } => ("badge failed", format!("conflicts: {with} has it on {protocol}")),
                        };
                        view! {
                            <tr>
                                <td class="mono" data-label="Endpoint">{format!("{}:{} {}", s.host, s.port, s.protocol)}</td>
                                <td data-label="From">{format!("{} ({})", s.origin, s.shape)}</td>
                                <td data-label="In the Space"><span class=class>{state}</span></td>
                            </tr>
                        }
                    }).collect_view();
                    let skipped = report.reading.skipped.iter().map(|s| view! {
                        <li><span class="mono">{s.what.clone()}</span>{format!(" ({}): {}", s.origin, s.reason)}</li>
                    }).collect_view();
                    let not_read = report.reading.not_read.iter().map(|n| view! {
                        <li>{format!("{}: {}", n.origin, n.why)}</li>
                    }).collect_view();
                    view! {
                        {if report.reading.suggestions.is_empty() {
                            view! { <p class="empty" id="no-suggestions">"Its configuration names no off-cluster endpoint."</p> }.into_any()
                        } else {
                            view! {
                                <table class="data cards" id="suggestions-table">
                                    <caption class="visually-hidden">"Endpoints from its configuration"</caption>
                                    <thead><tr><th scope="col">"Endpoint"</th><th scope="col">"From"</th><th scope="col">"In the Space"</th></tr></thead>
                                    <tbody>{rows}</tbody>
                                </table>
                            }.into_any()
                        }}
                        {(!report.reading.skipped.is_empty()).then(|| view! {
                            <h3>"Skipped"</h3><ul id="suggestions-skipped">{skipped}</ul>
                        })}
                        {(!report.reading.not_read.is_empty()).then(|| view! {
                            <h3>"Not read"</h3><ul id="suggestions-not-read">{not_read}</ul>
                        })}
                        {(needed && proposal.is_some()).then(|| {
                            let proposal = proposal.clone();
                            view! {
                                <p><button type="button" class="primary" id="suggestions-create" on:click=move |_| {
                                    if let (Some(storage), Some(value)) = (storage(), proposal.as_ref()) {
                                        let _ = storage.set_item(KEY, &value.to_string());
                                    }
                                    navigate(&href, Default::default());
                                }>"Create EgressPoint from these"</button></p>
                            }
                        })}
                    }.into_any()
                }
            }}
        </section>
    }
}
