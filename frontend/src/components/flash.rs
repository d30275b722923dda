//! What just happened, said on the next page: after a save ("Created EgressPoint db.") with
//! a link to it, and after a delete with Undo, which re-creates the deleted version. A notice
//! stays 15 seconds (long enough to reach Undo), or until dismissed or replaced.

use crate::api;
use crate::pages::egress_point_href;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use serde_json::Value;
use std::time::Duration;

/// How long a notice stays.
const SHOWN_FOR: Duration = Duration::from_secs(15);

/// One notice.
#[derive(Clone, Debug, PartialEq)]
pub struct Flash {
    /// What happened, in words.
    pub message: String,
    /// Where to see it: (href, link text).
    pub link: Option<(String, String)>,
    /// A deleted EgressPoint that Undo re-creates: (Space, the object as written).
    pub undo: Option<(String, Value)>,
}

impl Flash {
    /// A notice with a link.
    pub fn linked(message: String, href: String, text: &str) -> Flash {
        Flash { message, link: Some((href, text.to_owned())), undo: None }
    }
}

/// The app's notice, shared by every page.
#[derive(Clone, Copy)]
pub struct Flashes {
    shown: RwSignal<Option<(u64, Flash)>>,
    next: StoredValue<u64>,
}

impl Flashes {
    /// Shows `flash` (replacing any other) for [`SHOWN_FOR`].
    pub fn show(&self, flash: Flash) {
        self.next.update_value(|n| *n += 1);
        let ticket = self.next.get_value();
        self.shown.set(Some((ticket, flash)));
        let shown = self.shown;
        set_timeout(
            move || {
                if shown.try_with_untracked(|s| s.as_ref().map(|s| s.0)) == Some(Some(ticket)) {
                    shown.set(None);
                }
            },
            SHOWN_FOR,
        );
    }
}

/// Makes the notice available to every page; call once, in the app.
pub fn provide_flashes() {
    provide_context(Flashes { shown: RwSignal::new(None), next: StoredValue::new(0) });
}

/// The app's notice.
pub fn use_flashes() -> Flashes {
    expect_context::<Flashes>()
}

/// The notice, where the app shows it.
#[component]
pub fn FlashBar() -> impl IntoView {
    let flashes = use_flashes();
    let undoing = RwSignal::new(false);
    let undo = move |space: String, object: Value| {
        undoing.set(true);
        spawn_local(async move {
            let name = object["metadata"]["name"].as_str().unwrap_or_default().to_owned();
            let path = format!("{}/egresspoints", api::space_path(&space));
            let href = egress_point_href(&space, &name);
            let flash = match api::post(&path, &object).await {
                Ok(_) => Flash::linked(format!("Restored EgressPoint {name}."), href, "Open it"),
                Err(problem) => Flash {
                    message: format!(
                        "EgressPoint {name} could not be restored: {}",
                        problem.summary()
                    ),
                    link: None,
                    undo: None,
                },
            };
            undoing.set(false);
            flashes.show(flash);
        });
    };
    view! {
        <div id="flash" role="status" aria-live="polite">
            {move || flashes.shown.get().map(|(_, flash)| view! {
                <div class="notice success flash">
                    <span class="message">{flash.message.clone()}</span>
                    {flash.link.clone().map(|(href, text)| view! { " " <A href=href attr:id="flash-link">{text}</A> })}
                    {flash.undo.clone().map(|(space, object)| {
                        // Undo creates: offered only to whom may create there.
                        let access = super::SpaceAccess::load(space.clone());
                        let refused = move || access.refusal(egress_api::Action::Create);
                        view! {
                            " " <button type="button" class="secondary" id="flash-undo"
                                disabled=move || undoing.get() || refused().is_some() title=refused
                                on:click=move |_| undo(space.clone(), object.clone())>"Undo"</button>
                            {move || refused().map(|reason| view! { <small class="reason muted">{reason}</small> })}
                        }
                    })}
                    <button type="button" class="icon" aria-label="Dismiss" on:click=move |_| flashes.shown.set(None)>"×"</button>
                </div>
            })}
        </div>
    }
}
