//! A line diff, to show what someone else changed in an object since it was opened.

use leptos::prelude::*;

pub use egress_rules::line_diff::{Line, diff_lines};

/// The diff of two texts, removed lines marked `-`, added `+`.
#[component]
pub fn LineDiff(
    /// Element id.
    #[prop(into)]
    id: String,
    /// Before.
    old: String,
    /// After.
    new: String,
) -> impl IntoView {
    let lines = diff_lines(&old, &new);
    view! {
        <pre class="yaml diff" id=id tabindex="0" aria-label="Changes, removed lines marked minus, added lines marked plus">
            {lines.into_iter().map(|line| match line {
                Line::Same(text) => view! { <span class="same">"  " {text} "\n"</span> }.into_any(),
                Line::Removed(text) => view! { <del class="removed">"- " {text} "\n"</del> }.into_any(),
                Line::Added(text) => view! { <ins class="added">"+ " {text} "\n"</ins> }.into_any(),
            }).collect_view()}
        </pre>
    }
}
