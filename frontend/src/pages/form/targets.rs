//! The target rows of the form: hosts (several per target), port and protocol, each with its
//! own messages beside it.

use super::state::{FieldKey, FormState, HostInput, TargetRow};
use crate::components::DiagnosticList;
use egress_rules::{Diagnostic, Protocol, has_errors};
use leptos::prelude::*;
use std::collections::HashMap;

/// The diagnostics of every field, published per field: each field listens to its own
/// signal, which changes only when its messages do. With hundreds of targets this keeps a
/// keystroke from waking every field.
#[derive(Clone, Copy)]
pub struct Messages {
    fields: StoredValue<Vec<(FieldKey, RwSignal<Vec<Diagnostic>>)>>,
    latest: StoredValue<HashMap<FieldKey, Vec<Diagnostic>>>,
}

impl Default for Messages {
    fn default() -> Self {
        Self::new()
    }
}

impl Messages {
    /// No messages yet.
    pub fn new() -> Self {
        Messages { fields: StoredValue::new(Vec::new()), latest: StoredValue::new(HashMap::new()) }
    }

    /// The messages of one field.
    pub fn of(&self, key: FieldKey) -> Signal<Vec<Diagnostic>> {
        let now = self.latest.with_value(|m| m.get(&key).cloned().unwrap_or_default());
        let signal = RwSignal::new(now);
        self.fields.update_value(|f| f.push((key, signal)));
        signal.into()
    }

    /// Hands each field its messages, touching only the fields whose messages changed.
    pub fn publish(&self, placed: HashMap<FieldKey, Vec<Diagnostic>>) {
        self.fields.update_value(|fields| {
            // Fields that were removed from the form are gone for good.
            fields.retain(|(_, signal)| !signal.is_disposed());
            for (key, signal) in fields.iter() {
                let empty = Vec::new();
                let new = placed.get(key).unwrap_or(&empty);
                if signal.try_with_untracked(|old| old != new) == Some(true) {
                    signal.set(new.clone());
                }
            }
        });
        self.latest.set_value(placed);
    }
}

/// Errors are held back until the field has content or has been left, so a new form does
/// not open covered in red; warnings and infos always show.
pub fn shown(all: Signal<Vec<Diagnostic>>, visited: Signal<bool>) -> Signal<Vec<Diagnostic>> {
    Signal::derive(move || {
        if visited.get() {
            all.get()
        } else {
            all.with(|d| d.iter().filter(|d| !d.is_error()).cloned().collect())
        }
    })
}

/// Moves the keyboard focus to an element once it is rendered.
pub fn focus_later(key: FieldKey) {
    let id = key.focus_id();
    request_animation_frame(move || {
        use wasm_bindgen::JsCast;
        if let Some(el) = document()
            .get_element_by_id(&id)
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = el.focus();
        }
    });
}

/// All target rows, with Add target.
#[component]
pub fn Targets(form: FormState, placed: Messages, submitted: RwSignal<bool>) -> impl IntoView {
    let positions = Memo::new(move |_| {
        form.targets.with(|rows| {
            rows.iter().enumerate().map(|(i, r)| (r.id, i)).collect::<HashMap<u64, usize>>()
        })
    });
    let add = move |_| focus_later(FieldKey::Host(form.add_target()));
    let all = placed.of(FieldKey::Targets);
    view! {
        <fieldset class="targets" id=FieldKey::Targets.input_id() tabindex="-1">
            <legend>"Targets"</legend>
            <p class="muted">"Each target is hosts reachable on one port with one protocol."</p>
            <DiagnosticList id="targets-diagnostics" items=all />
            <For each=move || form.targets.get() key=|row| row.id let:row>
                <TargetRowView form row positions placed submitted />
            </For>
            <button type="button" class="secondary" id="add-target" on:click=add>"Add target"</button>
        </fieldset>
    }
}

#[component]
fn TargetRowView(
    form: FormState,
    row: TargetRow,
    positions: Memo<HashMap<u64, usize>>,
    placed: Messages,
    submitted: RwSignal<bool>,
) -> impl IntoView {
    let index = move || positions.with(|p| p.get(&row.id).copied().unwrap_or_default());
    let number = move || index() + 1;
    let count = move || form.targets.with(Vec::len);
    let remove = move |_| form.targets.update(|rows| rows.retain(|r| r.id != row.id));
    let add_host = move |_| focus_later(FieldKey::Host(form.add_host(&row)));
    let host_positions = Memo::new(move |_| {
        row.hosts
            .with(|h| h.iter().enumerate().map(|(j, x)| (x.id, j)).collect::<HashMap<u64, usize>>())
    });
    let (port_key, protocol_key) = (FieldKey::Port(row.id), FieldKey::Protocol(row.id));
    let port_all = placed.of(port_key);
    let port_visited = RwSignal::new(false);
    let port_shown = shown(
        port_all,
        Signal::derive(move || {
            port_visited.get() || submitted.get() || !row.port.with(String::is_empty)
        }),
    );
    let protocol_all = placed.of(protocol_key);
    let target_all = placed.of(FieldKey::Target(row.id));
    let (port_id, protocol_id) = (port_key.input_id(), protocol_key.input_id());
    view! {
        <fieldset class="target" id=FieldKey::Target(row.id).input_id() tabindex="-1" data-target=move || index().to_string()>
            <legend>{move || format!("Target {}", number())}</legend>
            <DiagnosticList id=FieldKey::Target(row.id).messages_id() items=target_all />
            <div class="hosts">
                <For each=move || row.hosts.get() key=|h| h.id let:host>
                    <HostField row host target_index=Signal::derive(index) host_positions placed submitted />
                </For>
                <button type="button" class="link" on:click=add_host>"Add host"</button>
            </div>
            <div class="row">
                <div class="field port">
                    <label for=port_id.clone()>"Port"</label>
                    <input id=port_id.clone() class="port" inputmode="numeric" autocomplete="off"
                        aria-describedby=port_key.messages_id()
                        aria-invalid=move || has_errors(&port_shown.get()).to_string()
                        prop:value=move || row.port.get()
                        on:input=move |ev| row.port.set(event_target_value(&ev))
                        on:blur=move |_| port_visited.set(true) />
                </div>
                <div class="field protocol">
                    <label for=protocol_id.clone()>"Protocol"</label>
                    <select id=protocol_id.clone() class="protocol"
                        aria-describedby=protocol_key.messages_id()
                        prop:value=move || row.protocol.get()
                        on:change=move |ev| row.protocol.set(event_target_value(&ev))>
                        {Protocol::ALL.map(|p| view! { <option value=p.as_str()>{p.as_str()}</option> }).collect_view()}
                    </select>
                </div>
            </div>
            // Below the row, across its width: a message must not squeeze the inputs.
            <DiagnosticList id=port_key.messages_id() items=port_shown />
            <DiagnosticList id=protocol_key.messages_id() items=protocol_all />
            <button type="button" class="link danger" disabled=move || { count() <= 1 } on:click=remove
                aria-label=move || format!("Remove target {}", number())>"Remove target"</button>
        </fieldset>
    }
}

#[component]
fn HostField(
    row: TargetRow,
    host: HostInput,
    target_index: Signal<usize>,
    host_positions: Memo<HashMap<u64, usize>>,
    placed: Messages,
    submitted: RwSignal<bool>,
) -> impl IntoView {
    let j = move || host_positions.with(|p| p.get(&host.id).copied().unwrap_or_default());
    let key = FieldKey::Host(host.id);
    let id = key.focus_id();
    let visited = RwSignal::new(false);
    let all = placed.of(key);
    let items = shown(
        all,
        Signal::derive(move || {
            visited.get() || submitted.get() || !host.value.with(String::is_empty)
        }),
    );
    let label = move || if j() == 0 { "Host".to_owned() } else { format!("Host {}", j() + 1) };
    let several = move || row.hosts.with(|h| h.len() > 1);
    view! {
        <div class="field host">
            <label for=id.clone()>{label}</label>
            <div class="with-button">
                <input id=id.clone() class="host" autocomplete="off" spellcheck="false"
                    placeholder="api.example.com or 11.22.33.44"
                    data-path=move || egress_rules::path::host(target_index.get(), j())
                    aria-describedby=key.messages_id()
                    aria-invalid=move || has_errors(&items.get()).to_string()
                    prop:value=move || host.value.get()
                    on:input=move |ev| host.value.set(event_target_value(&ev))
                    on:blur=move |_| visited.set(true) />
                <button type="button" class="icon" hidden=move || !several()
                    aria-label=move || format!("Remove host {}", host.value.get())
                    on:click=move |_| row.remove_host(host.id)>"×"</button>
            </div>
            <DiagnosticList id=key.messages_id() items />
        </div>
    }
}
