//! `/spaces/{space}/expectations`: an egress expectations file (docs/expectations.md), pasted
//! or uploaded, checked line by line against the Space's EgressPoints as they change. The
//! text is kept in this browser per Space, so that the form can warn before a save that
//! would break one (`kept_for`). The checks are `egress_rules::expect`, the same as
//! `lint --expect` and `diff --expect`.

use crate::api::SpaceFeed;
use crate::components::{FeedBadge, Phase, read_chosen_file};
use crate::pages::{Breadcrumbs, SpaceTabs, space_param};
use egress_rules::expect::{self, ExpectError, Expectation, ExpectationSet, Outcome};
use egress_rules::{AppliesTo, EgressPoint, flatten};
use leptos::prelude::*;

const PREFIX: &str = "egress-console:expectations:";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The expectations text kept in this browser for `space`.
fn kept_text(space: &str) -> Option<String> {
    storage()?.get_item(&format!("{PREFIX}{space}")).ok().flatten()
}

/// Keeps the text for `space`; an empty text forgets it.
fn keep_text(space: &str, text: &str) {
    if let Some(storage) = storage() {
        let key = format!("{PREFIX}{space}");
        let _ = if text.trim().is_empty() {
            storage.remove_item(&key)
        } else {
            storage.set_item(&key, text)
        };
    }
}

/// The expectations of `sets` about `space` (documents without `space:` or naming it), and
/// the other Spaces the text names.
fn about(sets: &[ExpectationSet], space: &str) -> (Vec<Expectation>, Vec<String>) {
    let mut mine = Vec::new();
    let mut others = Vec::new();
    for set in sets {
        match set.space.as_deref() {
            None => mine.extend(set.expectations.iter().cloned()),
            Some(s) if s == space => mine.extend(set.expectations.iter().cloned()),
            Some(s) => others.push(s.to_owned()),
        }
    }
    (mine, others)
}

/// The expectations kept in this browser that are about `space`: what the form checks a
/// save against. None kept (or a text that does not read) is none.
pub fn kept_for(space: &str) -> Vec<Expectation> {
    kept_text(space)
        .and_then(|text| expect::parse(&text).ok())
        .map(|sets| about(&sets, space).0)
        .unwrap_or_default()
}

/// A starting point written from the Space itself: its first rule must stay reachable, and
/// nothing may reach port 25.
fn example(space: &str, egress_points: &[EgressPoint]) -> String {
    let mut text = format!("kind: EgressExpectations\nspace: {space}\nexpect:\n");
    if let Some(rule) = flatten(egress_points).into_iter().next() {
        let who = match &rule.applies_to {
            AppliesTo::Space => "any".to_owned(),
            AppliesTo::Workload(w) => format!("{}/{}", w.kind, w.name),
        };
        let host =
            if rule.host.contains(':') { format!("[{}]", rule.host) } else { rule.host.clone() };
        text.push_str(&format!(
            "  - workload: {who}\n    reach: [\"{host}:{}/{}\"]\n",
            rule.port, rule.protocol
        ));
    }
    text.push_str("  - workload: any\n    notReach: [\"*:25/TCP\"]   # no host on port 25 (mail)\n    why: mail goes through the relay service\n");
    text
}

/// The Expectations page.
#[component]
pub fn SpaceExpectationsPage() -> impl IntoView {
    let space = space_param();
    move || {
        let space = space();
        view! { <SpaceExpectations space /> }
    }
}

#[component]
fn SpaceExpectations(space: String) -> impl IntoView {
    let feed = SpaceFeed::open(space.clone());
    let text = RwSignal::new(kept_text(&space).unwrap_or_default());
    let parsed: Memo<Option<Result<Vec<ExpectationSet>, Vec<ExpectError>>>> =
        Memo::new(move |_| text.with(|t| (!t.trim().is_empty()).then(|| expect::parse(t))));
    // A text that reads (or none) is kept; one with mistakes is not, so the form never
    // checks against half a file.
    let space_key = StoredValue::new(space.clone());
    Effect::new(move |_| {
        if parsed.with(|p| !matches!(p, Some(Err(_)))) {
            keep_text(&space_key.get_value(), &text.get_untracked());
        }
    });
    let models = Memo::new(move |_| {
        feed.items.with(|items| items.values().map(|e| e.model.clone()).collect::<Vec<_>>())
    });
    let checked = Memo::new(move |_| {
        parsed.with(|p| match p {
            Some(Ok(sets)) => {
                let (mine, others) = about(sets, &space_key.get_value());
                Some(models.with(|eps| (expect::check(&mine, eps), others)))
            }
            _ => None,
        })
    });
    let unreadable = RwSignal::new(false);
    let upload = move |ev: leptos::ev::Event| {
        read_chosen_file(&ev, move |content| {
            unreadable.set(content.is_err());
            if let Ok(content) = content {
                text.set(content);
            }
        });
    };
    view! {
        <Breadcrumbs space=space.clone() here="Expectations" />
        <section class="card" aria-labelledby="expect-title">
            <div class="title-row">
                <h1 id="expect-title">"Expectations for " <span class="mono">{space.clone()}</span></h1>
                <FeedBadge status=feed.status />
            </div>
            <SpaceTabs space=space.clone() current="expectations" />
            <p class="muted">
                "Say what workloads must and must not reach; each line is checked against the Space's EgressPoints, again on every change. "
                "Kept in this browser; the form warns before a save that would break one. The same file works with "
                <code>"egress-console lint --expect"</code> " and " <code>"diff --expect"</code> " in CI."
            </p>
            {move || Phase::of_feed(feed.status.get(), "Loading the Space's EgressPoints…", || checked.get()).view(move |checked| match checked {
                None => ().into_any(),
                Some((outcomes, others)) => view! { <Results outcomes others /> }.into_any(),
            })}
            {move || parsed.with(|p| match p {
                Some(Err(errors)) => view! {
                    <div id="expectations-errors" class="diagnostic error" role="alert">
                        <p><strong>"The expectations were not checked: the text has mistakes."</strong></p>
                        <ul>{errors.iter().map(|e| {
                            let at = if e.path.is_empty() { String::new() } else { format!(" ({})", e.path) };
                            view! { <li>{format!("Line {}{at}: {}", e.line, e.message)}</li> }
                        }).collect_view()}</ul>
                    </div>
                }.into_any(),
                _ => ().into_any(),
            })}
            <h2 id="expectations-file-title">"The expectations file"</h2>
            <div class="field">
                <label for="expectations-input">"Expectations (kind: EgressExpectations, YAML)"</label>
                <textarea id="expectations-input" rows="12" spellcheck="false"
                    placeholder="kind: EgressExpectations\nexpect:\n  - workload: Deployment/checkout\n    reach: [api.stripe.com:443/HTTPS]\n  - workload: any\n    notReach: [\"*:25/TCP\"]"
                    prop:value=move || text.get()
                    on:input=move |ev| text.set(event_target_value(&ev))></textarea>
            </div>
            <div class="field">
                <label for="expectations-file">"Or upload a file"</label>
                <input id="expectations-file" type="file" accept=".yaml,.yml,.json" on:change=upload />
                {move || unreadable.get().then(|| view! { <p class="diagnostic error" role="alert">"The file could not be read."</p> })}
            </div>
            <p class="actions">
                <button type="button" class="secondary" id="expectations-example"
                    on:click=move |_| text.set(models.with_untracked(|eps| example(&space_key.get_value(), eps)))>"Start from an example"</button>
                " "
                <button type="button" class="secondary" id="expectations-clear" on:click=move |_| text.set(String::new())>"Clear"</button>
            </p>
        </section>
    }
}

/// The summary and one row per expectation.
#[component]
fn Results(outcomes: Vec<Outcome>, others: Vec<String>) -> impl IntoView {
    let held = outcomes.iter().filter(|o| o.passed).count();
    let total = outcomes.len();
    let class = if held == total { "verdict valid" } else { "verdict invalid" };
    let summary = if total == 1 {
        format!("{held} of 1 expectation holds")
    } else {
        format!("{held} of {total} expectations hold")
    };
    let others = (!others.is_empty()).then(|| {
        view! {
            <p class="muted" id="expectations-elsewhere">
                {format!("Not checked here (about other Spaces): {}.", others.join(", "))}
            </p>
        }
    });
    view! {
        <p id="expectations-summary" class=class role="status" aria-live="polite">{summary}</p>
        {others}
        {(total > 0).then(|| view! {
            <table class="data cards" id="expectations-results">
                <caption class="visually-hidden">"Each expectation and whether it holds"</caption>
                <thead><tr>
                    <th scope="col">"Result"</th><th scope="col">"Expectation"</th>
                    <th scope="col">"Why"</th><th scope="col">"Line"</th>
                </tr></thead>
                <tbody>
                    {outcomes.into_iter().map(|o| {
                        let (badge, word) = if o.passed { ("badge ok", "Holds") } else { ("badge failed", "Fails") };
                        let why = match (&o.expectation.why, o.passed) {
                            (Some(why), false) => format!("{} (expected because: {why})", o.because),
                            _ => o.because.clone(),
                        };
                        view! {
                            <tr data-passed=o.passed.to_string()>
                                <td data-label="Result"><span class=badge>{word}</span></td>
                                <td data-label="Expectation" class="mono">{o.expectation.to_string()}</td>
                                <td data-label="Why">{why}</td>
                                <td data-label="Line">{o.expectation.line}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        })}
    }
}
