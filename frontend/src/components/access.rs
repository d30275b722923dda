//! What the user may do in a Space, read once per page from `GET …/access` (access reviews
//! made with the user's own credentials), so that nothing offers an action the server will
//! refuse: refused actions are shown disabled, with the reason in words. While the answer is
//! not known (or cannot be had), nothing is disabled: the server still decides.

use crate::api::{self, Problem};
use egress_api::{Access, Action};
use leptos::prelude::*;
use leptos_router::components::A;

/// One Space's access, shared by the parts of a page.
#[derive(Clone, Copy)]
pub struct SpaceAccess {
    answer: LocalResource<Result<Access, Problem>>,
}

impl SpaceAccess {
    /// Asks what the user may do in `space`.
    pub fn load(space: String) -> SpaceAccess {
        let answer = LocalResource::new(move || {
            let space = space.clone();
            async move { api::access(&space).await }
        });
        SpaceAccess { answer }
    }

    /// The answer, once known.
    pub fn known(&self) -> Option<Access> {
        self.answer.get().and_then(Result::ok)
    }

    /// Why `action` is refused, in words; None while unknown or when allowed (tracked).
    pub fn refusal(&self, action: Action) -> Option<String> {
        self.known().and_then(|a| a.refusal(action))
    }

    /// Asks again (after a 403: rights changed meanwhile).
    pub fn reread(&self) {
        self.answer.refetch();
    }
}

/// What the user may not do in the Space, in one sentence at the top of a page (the
/// disabled buttons point at it).
#[component]
pub fn AccessNote(access: SpaceAccess) -> impl IntoView {
    move || {
        access.known().and_then(|a| a.note()).map(|text| {
            view! { <p class="notice info" id="access-note" role="status">{text}</p> }
        })
    }
}

/// A link to an action, or, when the user may not do it, a disabled button whose reason is
/// its tooltip and the page's [`AccessNote`].
#[component]
pub fn ActionLink(
    /// Where the action is.
    #[prop(into)]
    href: String,
    /// What it says.
    label: &'static str,
    /// Element id.
    #[prop(optional)]
    id: &'static str,
    /// Classes of the link (`button primary`…).
    #[prop(optional)]
    class: &'static str,
    /// An accessible name when the label alone is ambiguous (per-row actions).
    #[prop(optional, into)]
    aria_label: Option<String>,
    /// The Space's access.
    access: SpaceAccess,
    /// The action it leads to.
    action: Action,
) -> impl IntoView {
    move || {
        match access.refusal(action) {
        None => view! {
            <A href=href.clone() attr:id=(!id.is_empty()).then_some(id) attr:class=class attr:aria-label=aria_label.clone()>{label}</A>
        }
        .into_any(),
        Some(reason) => view! {
            <button type="button" disabled=true id=(!id.is_empty()).then_some(id) class=class title=reason
                aria-label=aria_label.clone() aria-describedby="access-note">{label}</button>
        }
        .into_any(),
    }
    }
}
