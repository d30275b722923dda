//! `/spaces/{space}/egresspoints`: the Space's EgressPoints as an inventory (name, whom it
//! applies to, targets, age, labels, what the rules say), kept live like the rules view, so
//! nobody needs `kubectl get egresspoints` for it.

use crate::api::{self, SpaceFeed, StoredEgressPoint};
use crate::components::{AccessNote, ActionLink, FeedBadge, Phase, SpaceAccess};
use crate::pages::{Breadcrumbs, SpaceTabs, egress_point_href, space_param, workload_href};
use egress_api::Action;
use egress_rules::{AppliesTo, Severity, SpaceContext, validate_in_space};
use leptos::prelude::*;
use leptos_router::components::A;

/// The EgressPoints page.
#[component]
pub fn SpaceEgressPointsPage() -> impl IntoView {
    let space = space_param();
    move || {
        let space = space();
        view! { <SpaceEgressPoints space /> }
    }
}

/// How long ago an RFC 3339 time was, in the largest whole unit ("3 d", "5 min").
fn age(timestamp: &str) -> String {
    let then = js_sys::Date::parse(timestamp);
    if then.is_nan() {
        return "—".to_owned();
    }
    let seconds = ((js_sys::Date::now() - then) / 1000.0).max(0.0) as u64;
    match seconds {
        s if s < 60 => format!("{s} s"),
        s if s < 3_600 => format!("{} min", s / 60),
        s if s < 86_400 => format!("{} h", s / 3_600),
        s => format!("{} d", s / 86_400),
    }
}

#[component]
fn SpaceEgressPoints(space: String) -> impl IntoView {
    let feed = SpaceFeed::open(space.clone());
    let access = SpaceAccess::load(space.clone());
    let index = feed.index();
    let items = Memo::new(move |_| {
        feed.items.with(|items| items.values().cloned().collect::<Vec<StoredEgressPoint>>())
    });
    let space_for_rows = StoredValue::new(space.clone());
    view! {
        <Breadcrumbs space=space.clone() here="EgressPoints" />
        <section class="card" aria-labelledby="eps-title">
            <div class="title-row">
                <h1 id="eps-title">"EgressPoints of " <span class="mono">{space.clone()}</span></h1>
                <FeedBadge status=feed.status />
            </div>
            <SpaceTabs space=space.clone() current="egresspoints" />
            <AccessNote access />
            {move || Phase::of_feed(feed.status.get(), "Loading the Space's EgressPoints…", || items.get()).view(|list| if list.is_empty() {
                view! { <p class="empty" id="no-egresspoints">"No EgressPoints yet: workloads of this Space cannot reach anything outside the platform."</p> }.into_any()
            } else {
                view! {
                    <table class="data cards" id="egresspoints">
                        <caption class="visually-hidden">"EgressPoints"</caption>
                        <thead><tr>
                            <th scope="col">"Name"</th><th scope="col">"Applies to"</th><th scope="col">"Targets"</th>
                            <th scope="col">"Age"</th><th scope="col">"Labels"</th><th scope="col">"Diagnostics"</th>
                        </tr></thead>
                        <tbody>
                            {list.into_iter().map(|stored| {
                                let space = space_for_rows.get_value();
                                let ep = stored.model.clone();
                                let diagnostics = index.with_untracked(|index| validate_in_space(&ep, SpaceContext { index, workloads: None }));
                                let (errors, warnings) = (
                                    diagnostics.iter().filter(|d| d.severity == Severity::Error).count(),
                                    diagnostics.iter().filter(|d| d.severity == Severity::Warning).count(),
                                );
                                let verdict = match (errors, warnings) {
                                    (0, 0) => ("ok", "No problems".to_owned()),
                                    (0, w) => ("warning", format!("{w} warning{}", if w == 1 { "" } else { "s" })),
                                    (e, _) => ("error", format!("{e} error{}", if e == 1 { "" } else { "s" })),
                                };
                                let applies = match ep.applies_to() {
                                    AppliesTo::Space => view! { <span class="badge neutral">"Every workload"</span> }.into_any(),
                                    AppliesTo::Workload(w) => view! { <A href=workload_href(&space, &w)>{w.label()}</A> }.into_any(),
                                };
                                let targets: Vec<String> = ep.spec.targets.iter().map(|t| {
                                    let port = t.port.number.map(|n| n.to_string()).unwrap_or_default();
                                    format!("{} :{port} {}", t.hosts.join(", "), t.port.protocol)
                                }).collect();
                                let labels: Vec<String> = ep.metadata.labels.as_ref()
                                    .map(|l| l.iter().map(|(k, v)| format!("{k}={v}")).collect())
                                    .unwrap_or_default();
                                let created = egress_rules::created_at(&stored.object).unwrap_or("").to_owned();
                                let name = ep.name().to_owned();
                                let (href, link_text) = (egress_point_href(&space, &name), name.clone());
                                view! {
                                    <tr data-egresspoint=name>
                                        <td data-label="Name"><A href=href>{link_text}</A></td>
                                        <td data-label="Applies to">{applies}</td>
                                        <td data-label="Targets" class="mono">{targets.into_iter().map(|t| view! { <div>{t}</div> }).collect_view()}</td>
                                        <td data-label="Age" title=created.clone()>{age(&created)}</td>
                                        <td data-label="Labels">{labels.into_iter().map(|l| view! { <span class="badge neutral mono">{l}</span> " " }).collect_view()}</td>
                                        <td data-label="Diagnostics"><span class=format!("verdict {}", verdict.0)>{verdict.1}</span></td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            })}
            <p><ActionLink href=format!("/spaces/{}/egresspoints/new", api::escape(&space)) label="New EgressPoint" class="button primary" access action=Action::Create /></p>
        </section>
    }
}
