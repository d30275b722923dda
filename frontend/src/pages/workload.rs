//! `/spaces/{space}/workloads/{kind}/{name}`: what one workload may reach (the Space-wide
//! EgressPoints plus its own), and "can it reach host:port over protocol?".

use crate::api::{self, Problem, SpaceFeed};
use crate::components::{FeedBadge, Phase, ProblemNotice};
use crate::pages::{
    Breadcrumbs, egress_point_href, param, space_param, supported, workload_href, workload_of,
};
use egress_rules::{AppliesTo, Protocol, Reachability, WorkloadRef, effective_egress};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;

/// The workload page.
#[component]
pub fn WorkloadPage() -> impl IntoView {
    let (space, kind, name) = (space_param(), param("kind"), param("name"));
    move || {
        let (space, kind, name) = (space(), kind(), name());
        match workload_of(&kind, &name) {
            Some(workload) => view! { <WorkloadView space workload /> }.into_any(),
            None => view! {
                <Breadcrumbs space=space.clone() here=name.clone() />
                <div class="card notice error" role="alert">
                    <strong>{format!("{kind} is not a workload kind EgressPoints can name.")}</strong>
                    <p>"Only Deployment and ContainerApp workloads have their own egress."</p>
                </div>
            }.into_any(),
        }
    }
}

#[component]
fn WorkloadView(space: String, workload: WorkloadRef) -> impl IntoView {
    let feed = SpaceFeed::open(space.clone());
    let who = workload.clone();
    let rules = Memo::new(move |_| {
        feed.items.with(|items| effective_egress(items.values().map(|e| &e.model), &who))
    });
    let label = workload.label();
    let space_for_rows = space.clone();
    view! {
        <Breadcrumbs space=space.clone() here=label.clone() />
        <section class="card" aria-labelledby="workload-title">
            <div class="title-row">
                <h1 id="workload-title">"Egress of " <span class="mono">{label}</span></h1>
                <FeedBadge status=feed.status />
            </div>
            <p class="lede">"Everything this workload may reach: the EgressPoints for every workload plus those that name this one."</p>
            {move || Phase::of_feed(feed.status.get(), "Loading the Space's EgressPoints…", || rules.get()).view(|rules| if rules.is_empty() {
                view! {
                    <p class="empty" id="no-egress">"Nothing: no EgressPoint applies to this workload, so it cannot reach anything outside the platform."</p>
                }.into_any()
            } else {
                view! {
                    <table class="data cards" id="effective-egress">
                        <caption class="visually-hidden">"Effective egress"</caption>
                        <thead><tr>
                            <th scope="col">"Host"</th><th scope="col">"Port"</th><th scope="col">"Protocol"</th>
                            <th scope="col">"Through"</th><th scope="col">"EgressPoint"</th>
                        </tr></thead>
                        <tbody>
                            {rules.into_iter().map(|r| {
                                let through = if r.applies_to == AppliesTo::Space { "Every workload" } else { "This workload only" };
                                view! {
                                    <tr>
                                        <td class="mono" data-label="Host">{r.host}</td><td class="num mono" data-label="Port">{r.port}</td>
                                        <td data-label="Protocol">{r.protocol.as_str()}</td><td data-label="Through">{through}</td>
                                        <td data-label="EgressPoint"><A href=egress_point_href(&space_for_rows, &r.egress_point)>{r.egress_point.clone()}</A></td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            })}
        </section>
        <super::suggestions::Suggestions space=space.clone() workload=workload.clone() />
        <ReachabilityCheck space workload />
    }
}

#[component]
fn ReachabilityCheck(space: String, workload: WorkloadRef) -> impl IntoView {
    let host = RwSignal::new(String::new());
    let port = RwSignal::new("443".to_owned());
    let protocol = RwSignal::new(Protocol::Https.as_str().to_owned());
    let answer = RwSignal::new(None::<Result<(String, Reachability), Problem>>);
    let asking = RwSignal::new(false);
    let asked = StoredValue::new((String::new(), String::new(), String::new()));
    let space = StoredValue::new(space);
    let workload = StoredValue::new(workload);
    // Checked here, with the rules' own host and port checks, before anything is sent.
    let host_problem = Memo::new(move |_| {
        let h = host.get();
        let h = h.trim();
        if h.is_empty() {
            return None;
        }
        egress_rules::host::classify(h).err().map(|p| p.message)
    });
    let port_problem = Memo::new(move |_| match port.get().trim().parse::<u16>() {
        Ok(p) if p > 0 => None,
        _ => Some("a port is a number from 1 to 65535".to_owned()),
    });
    let ask = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if host_problem.get_untracked().is_some() || port_problem.get_untracked().is_some() {
            return;
        }
        let (h, p, pr) = (
            host.get_untracked().trim().to_owned(),
            port.get_untracked().trim().to_owned(),
            protocol.get_untracked(),
        );
        asking.set(true);
        asked.set_value((h.clone(), p.clone(), pr.clone()));
        spawn_local(async move {
            let question = format!("{h}:{p} over {pr}");
            let result =
                api::reachability(&space.get_value(), &workload.get_value(), &h, &p, &pr).await;
            answer.set(Some(result.map(|r| (question, r))));
            asking.set(false);
        });
    };
    view! {
        <section class="card" aria-labelledby="reach-title">
            <h2 id="reach-title">"Can it reach…?"</h2>
            <form class="row reach" on:submit=ask>
                <div class="field">
                    <label for="reach-host">"Host"</label>
                    <input id="reach-host" required autocomplete="off" spellcheck="false" placeholder="api.example.com"
                        aria-describedby="reach-host-problem" aria-invalid=move || host_problem.with(Option::is_some).to_string()
                        prop:value=move || host.get() on:input=move |ev| host.set(event_target_value(&ev)) />
                    <p id="reach-host-problem" class="diagnostic error" hidden=move || host_problem.with(Option::is_none)>
                        {move || host_problem.get().unwrap_or_default()}
                    </p>
                </div>
                <div class="field port">
                    <label for="reach-port">"Port"</label>
                    <input id="reach-port" inputmode="numeric" required
                        aria-describedby="reach-port-problem" aria-invalid=move || port_problem.with(Option::is_some).to_string()
                        prop:value=move || port.get() on:input=move |ev| port.set(event_target_value(&ev)) />
                    <p id="reach-port-problem" class="diagnostic error" hidden=move || port_problem.with(Option::is_none)>
                        {move || port_problem.get().unwrap_or_default()}
                    </p>
                </div>
                <div class="field protocol">
                    <label for="reach-protocol">"Protocol"</label>
                    <select id="reach-protocol" prop:value=move || protocol.get()
                        on:change=move |ev| protocol.set(event_target_value(&ev))>
                        {Protocol::ALL.map(|p| view! { <option value=p.as_str()>{p.as_str()}</option> }).collect_view()}
                    </select>
                </div>
                <div class="field submit">
                    <button type="submit" class="primary" id="reach-ask"
                        disabled=move || asking.get() || host_problem.with(Option::is_some) || port_problem.with(Option::is_some)>"Check"</button>
                </div>
            </form>
            <div id="reach-answer" role="status" aria-live="polite">
                {move || answer.get().map(|a| match a {
                    Err(problem) => view! { <ProblemNotice problem /> }.into_any(),
                    Ok((question, r)) if r.allowed => {
                        let by: Vec<String> = r.allowed_by.iter()
                            .map(|rule| format!("{} ({} {}:{})", rule.egress_point, rule.protocol, rule.host, rule.port))
                            .collect();
                        view! { <p class="verdict valid">{format!("Yes: {question} is allowed by {}.", by.join(", "))}</p> }.into_any()
                    }
                    Ok((question, _)) => {
                        // The create form, prefilled with exactly what was asked.
                        let w = workload.get_value();
                        let href = format!(
                            "/spaces/{}/egresspoints/new?workload={}&host={}&port={}&protocol={}",
                            api::escape(&space.get_value()),
                            api::escape(&api::workload_key(&w.kind, &w.name)),
                            api::escape(&asked.get_value().0),
                            api::escape(&asked.get_value().1),
                            api::escape(&asked.get_value().2),
                        );
                        view! {
                            <p class="verdict invalid">{format!("No: nothing allows {question} for this workload.")}
                                " " <A href=href attr:id="reach-create">"Create an EgressPoint for it"</A></p>
                        }.into_any()
                    }
                })}
            </div>
        </section>
    }
}

/// "Show the egress of workload …": every Deployment and ContainerApp of the Space, including
/// those no EgressPoint names (they still get the Space-wide rules).
#[component]
pub fn WorkloadPicker(
    space: String,
    workloads: Memo<Option<Vec<WorkloadRef>>>,
    /// The list could not be read (not "still loading").
    failed: Signal<bool>,
) -> impl IntoView {
    let chosen = RwSignal::new(String::new());
    let navigate = leptos_router::hooks::use_navigate();
    let choices = move || workloads.with(|w| supported(w.as_deref().unwrap_or_default()));
    let show = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let picked = chosen.get_untracked();
        if let Some(w) =
            choices().into_iter().find(|w| api::workload_key(&w.kind, &w.name) == picked)
        {
            navigate(&workload_href(&space, &w), Default::default());
        }
    };
    view! {
        <form class="row workload-picker" on:submit=show>
            <div class="field">
                <label for="workload-picker">"Workload egress"</label>
                <select id="workload-picker" on:change=move |ev| chosen.set(event_target_value(&ev))>
                    <option value="">
                        {move || match (workloads.get().is_some(), failed.get()) {
                            (true, _) => "Choose a workload…",
                            (false, true) => "The workloads could not be read",
                            (false, false) => "Loading workloads…",
                        }}
                    </option>
                    {move || choices().into_iter().map(|w| {
                        let value = api::workload_key(&w.kind, &w.name);
                        view! { <option value=value>{w.label()}</option> }
                    }).collect_view()}
                </select>
            </div>
            <div class="field submit">
                <button type="submit" class="secondary" id="workload-show"
                    disabled=move || chosen.with(String::is_empty)>"Show its egress"</button>
            </div>
        </form>
    }
}
