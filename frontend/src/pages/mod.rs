//! The app's pages, one per route of DESIGN.md §Frontend, and what they share.

mod egress_point;
mod form;
pub mod lazy;
mod space_egresspoints;
pub mod space_expectations;
mod space_rules;
mod spaces;
mod suggestions;
mod workload;

pub use space_rules::SpaceRulesPage;
pub use spaces::SpacesPage;
pub use suggestions::take_suggested as suggestions_take;
pub use workload::WorkloadPicker;

use crate::api;
use egress_rules::{SUPPORTED_SOURCE_KINDS, WorkloadRef};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

/// A route parameter, "" when absent.
pub fn param(name: &'static str) -> impl Fn() -> String + Copy + Send + Sync + 'static {
    let params = use_params_map();
    move || params.with(|p| p.get(name).unwrap_or_default())
}

/// The `{space}` of the route.
pub fn space_param() -> impl Fn() -> String + Copy + Send + Sync + 'static {
    param("space")
}

/// `/spaces/{space}/workloads/{kind}/{name}`.
pub fn workload_href(space: &str, workload: &WorkloadRef) -> String {
    format!(
        "/spaces/{}/workloads/{}/{}",
        api::escape(space),
        api::escape(&workload.kind),
        api::escape(&workload.name)
    )
}

/// The workload a route names by kind and name, when the kind is one `sourceRef` supports.
pub fn workload_of(kind: &str, name: &str) -> Option<WorkloadRef> {
    SUPPORTED_SOURCE_KINDS.iter().find(|(k, _)| *k == kind).map(|(k, group)| WorkloadRef {
        api_group: (*group).to_owned(),
        kind: (*k).to_owned(),
        name: name.to_owned(),
    })
}

/// The workloads `sourceRef` may name, from a Space's list (kind and group both match).
pub fn supported(workloads: &[WorkloadRef]) -> Vec<WorkloadRef> {
    workloads
        .iter()
        .filter(|w| SUPPORTED_SOURCE_KINDS.iter().any(|(k, g)| w.kind == *k && w.api_group == *g))
        .cloned()
        .collect()
}

/// `/spaces/{space}/egresspoints/{name}`.
pub fn egress_point_href(space: &str, name: &str) -> String {
    format!("/spaces/{}/egresspoints/{}", api::escape(space), api::escape(name))
}

/// Where a page sits: Spaces › space › here.
#[component]
pub fn Breadcrumbs(
    /// The Space, when the page is inside one.
    #[prop(optional, into)]
    space: Option<String>,
    /// A middle step (e.g. the EgressPoint) with its link.
    #[prop(optional, into)]
    middle: Option<(String, String)>,
    /// This page.
    #[prop(into)]
    here: String,
) -> impl IntoView {
    view! {
        <nav class="breadcrumbs" aria-label="Breadcrumb">
            <ol>
                <li><A href="/">"Spaces"</A></li>
                {space.map(|s| {
                    let href = format!("/spaces/{}", api::escape(&s));
                    view! { <li><A href=href>{s}</A></li> }
                })}
                {middle.map(|(label, href)| view! { <li><A href=href>{label}</A></li> })}
                <li aria-current="page">{here}</li>
            </ol>
        </nav>
    }
}

/// The views of a Space: its rules, its EgressPoints, and the expectations checked on it.
#[component]
pub fn SpaceTabs(
    /// The Space.
    #[prop(into)]
    space: String,
    /// "rules", "egresspoints" or "expectations".
    current: &'static str,
) -> impl IntoView {
    let base = format!("/spaces/{}", api::escape(&space));
    // `exact`: the router marks a link current (aria-current) by its path, and without it
    // "Rules" (`/spaces/{space}`) would be current on every tab below it.
    let tab = move |href: String, key: &'static str, label: &'static str| {
        let here = (current == key).then_some("page");
        view! { <A href=href exact=true attr:class="tab" attr:aria-current=here>{label}</A> }
    };
    view! {
        <nav class="tabs" aria-label="Views of the Space">
            {tab(base.clone(), "rules", "Rules")}
            {tab(format!("{base}/egresspoints"), "egresspoints", "EgressPoints")}
            {tab(format!("{base}/expectations"), "expectations", "Expectations")}
        </nav>
    }
}

/// Shown for a route that matches nothing.
#[component]
pub fn NotFound() -> impl IntoView {
    view! {
        <section class="card">
            <h1>"Page not found"</h1>
            <p>"This address is not a page of Egress Console. " <A href="/">"Go to the Spaces"</A> "."</p>
        </section>
    }
}
