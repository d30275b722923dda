//! Waiting, failing and empty states, said in words.

use crate::api::{FeedStatus, Problem};
use leptos::prelude::*;

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
    view! {
        <div class="notice error" role="alert">
            <strong>{problem.title.clone()} {status}</strong>
            <p>{problem.summary()}</p>
            <p class="advice">{problem.advice()}</p>
        </div>
    }
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
