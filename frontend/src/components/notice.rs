//! Waiting, failing and empty states, said in words.

use crate::api::{FeedStatus, Problem};
use leptos::prelude::*;

/// What a page shows of a value that arrives later: the one place where waiting, failing
/// and ready are told apart, so every page says them the same way.
pub enum Phase<T> {
    /// Waiting, with what for ("Loading Spaces…").
    Loading(&'static str),
    /// The request or the Space's feed failed.
    Failed(Problem),
    /// The value.
    Ready(T),
}

impl<T> Phase<T> {
    /// From a resource: not there yet, failed, or its value.
    pub fn of_result(result: Option<Result<T, Problem>>, loading: &'static str) -> Phase<T> {
        match result {
            None => Phase::Loading(loading),
            Some(Err(problem)) => Phase::Failed(problem),
            Some(Ok(value)) => Phase::Ready(value),
        }
    }

    /// From a Space's feed: connecting is waiting, failed is failed; otherwise `value()`
    /// (a reconnecting feed keeps showing what it last knew).
    pub fn of_feed(status: FeedStatus, loading: &'static str, value: impl FnOnce() -> T) -> Self {
        match status {
            FeedStatus::Connecting => Phase::Loading(loading),
            FeedStatus::Failed(problem) => Phase::Failed(problem),
            _ => Phase::Ready(value()),
        }
    }

    /// A spinner with its words, the problem with what to do, or `ready(value)`.
    pub fn view<V: IntoView + 'static>(self, ready: impl FnOnce(T) -> V) -> AnyView {
        match self {
            Phase::Loading(what) => view! { <Loading what /> }.into_any(),
            Phase::Failed(problem) => view! { <ProblemNotice problem /> }.into_any(),
            Phase::Ready(value) => ready(value).into_any(),
        }
    }
}

/// A spinner with what is being waited for.
#[component]
pub fn Loading(
    /// What is loading, e.g. "Loading Spaces…".
    #[prop(into)]
    what: String,
) -> impl IntoView {
    view! {
        <p class="loading" role="status" aria-live="polite">
            <span class="spinner" aria-hidden="true"></span>
            {what}
        </p>
    }
}

/// A failed request: what happened and what to do.
#[component]
pub fn ProblemNotice(
    /// The problem.
    problem: Problem,
) -> impl IntoView {
    let status = (problem.status != 0).then(|| format!(" (HTTP {})", problem.status));
    // A Space that is not there: said in words, with the way to the ones that are (the
    // API's own text points API clients at GET /api/v1/spaces).
    if problem.is_unknown_space() {
        let said = problem.detail.split(';').next().unwrap_or_default().to_owned();
        let said = if said.is_empty() { "There is no such Space".to_owned() } else { said };
        let mut said = said;
        if let Some(first) = said.get_mut(0..1) {
            first.make_ascii_uppercase();
        }
        return view! {
            <div class="notice error" role="alert" id="unknown-space">
                <strong>{format!("{said}.")}</strong>
                <p>"It may have been removed, or the link is mistyped."</p>
                <p><leptos_router::components::A href="/">"See the Spaces you can reach"</leptos_router::components::A></p>
            </div>
        }
        .into_any();
    }
    view! {
        <div class="notice error" role="alert">
            <strong>{problem.title.clone()} {status}</strong>
            <p>{problem.summary()}</p>
            <p class="advice">{problem.advice()}</p>
        </div>
    }
    .into_any()
}

/// The live-update state of a Space, as a small badge.
#[component]
pub fn FeedBadge(
    /// The feed's status.
    status: RwSignal<FeedStatus>,
) -> impl IntoView {
    let text = move || match status.get() {
        FeedStatus::Connecting => ("pending", "Connecting…".to_owned()),
        FeedStatus::Live => ("live", "Live".to_owned()),
        FeedStatus::Reconnecting => {
            ("pending", "Reconnecting… (showing last known state)".to_owned())
        }
        FeedStatus::Paused => ("pending", "Paused while this tab is hidden".to_owned()),
        FeedStatus::Failed(problem) => ("failed", format!("Not available: {}", problem.title)),
    };
    view! {
        <span class=move || format!("badge feed {}", text().0) role="status" id="feed-status">
            {move || text().1}
        </span>
    }
}
