//! `/`: the Spaces the user can reach, with counts of EgressPoints and rules.

use crate::api::{self, Problem, SpaceInfo};
use crate::components::Phase;
use egress_rules::{decode, flatten};
use leptos::prelude::*;
use leptos_router::components::A;

/// The Spaces page.
#[component]
pub fn SpacesPage() -> impl IntoView {
    let spaces = LocalResource::new(api::spaces);
    view! {
        <section class="card" aria-labelledby="spaces-title">
            <h1 id="spaces-title">"Spaces"</h1>
            <p class="lede">
                "Each Space has its own EgressPoints: the hosts, ports and protocols its workloads may reach outside the platform."
            </p>
            {move || Phase::of_result(spaces.get(), "Loading Spaces…").view(|list| {
                if list.is_empty() {
                    view! {
                        <p class="empty">
                            "No Spaces are configured. Start the server with the embedded Space API (the default) \
                             or name kubeconfig contexts with --context; see egress-console serve --help."
                        </p>
                    }.into_any()
                } else {
                    view! { <SpaceTable spaces=list /> }.into_any()
                }
            })}
        </section>
    }
}

#[component]
fn SpaceTable(spaces: Vec<SpaceInfo>) -> impl IntoView {
    view! {
        <table class="data cards" id="spaces">
            <caption class="visually-hidden">"Spaces"</caption>
            <thead>
                <tr>
                    <th scope="col">"Space"</th>
                    <th scope="col">"Source"</th>
                    <th scope="col" class="num">"EgressPoints"</th>
                    <th scope="col" class="num">"Rules"</th>
                    <th scope="col">"Your access"</th>
                    <th scope="col">"State"</th>
                </tr>
            </thead>
            <tbody>
                {spaces.into_iter().map(|space| view! { <SpaceRow space /> }).collect_view()}
            </tbody>
        </table>
    }
}

/// Counts of one Space: how many EgressPoints, and how many host+port+protocol rules.
async fn counts(space: String) -> Result<(usize, usize), Problem> {
    let list = api::egress_points(&space).await?;
    let models: Vec<_> = list.items.iter().map(|v| decode(v).egress_point).collect();
    Ok((models.len(), flatten(&models).len()))
}

#[component]
fn SpaceRow(space: SpaceInfo) -> impl IntoView {
    let name = space.name.clone();
    let reachable = space.reachable;
    let counts = LocalResource::new(move || {
        let name = name.clone();
        async move { if reachable { Some(counts(name).await) } else { None } }
    });
    let count = move |pick: fn((usize, usize)) -> usize| {
        move || match counts.get() {
            Some(Some(Ok(c))) => pick(c).to_string(),
            Some(Some(Err(_))) | Some(None) => "—".to_owned(),
            None => "…".to_owned(),
        }
    };
    let state = if space.reachable {
        view! { <span class="badge ok">"Reachable"</span> }.into_any()
    } else {
        let why = space.error.clone().unwrap_or_else(|| "the Space's API did not answer".into());
        view! { <span class="badge failed">"Unreachable"</span> " " <span class="why">{why}</span> }
            .into_any()
    };
    let href = format!("/spaces/{}", api::escape(&space.name));
    let access = reachable.then(|| crate::components::SpaceAccess::load(space.name.clone()));
    let yours = move || match access.map(|a| a.known()) {
        Some(Some(access)) => access.summary().to_owned(),
        Some(None) => "…".to_owned(),
        None => "—".to_owned(),
    };
    view! {
        <tr>
            <th scope="row"><A href=href>{space.name.clone()}</A></th>
            <td data-label="Source">{space.source.as_str()} " · " <span class="muted">{space.namespace.clone()}</span></td>
            <td class="num" data-label="EgressPoints">{count(|c| c.0)}</td>
            <td class="num" data-label="Rules">{count(|c| c.1)}</td>
            <td data-label="Your access" class="access">{yours}</td>
            <td data-label="State">{state}</td>
        </tr>
    }
}
