//! The form's state as signals: one per input, so a keystroke re-renders only the messages
//! that changed, even with hundreds of targets.

use super::model::TargetInput;
use egress_rules::path::Field;
use egress_rules::{Diagnostic, EgressPoint, Fix, Protocol, WorkloadRef};
use leptos::prelude::*;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

fn next_id() -> u64 {
    NEXT_ID.fetch_add(1, Ordering::Relaxed)
}

/// A field of the form, by the stable id of its row or host (positions change as rows are
/// removed): where a diagnostic is shown, and the DOM ids of its input and message list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FieldKey {
    /// The name input.
    Name,
    /// The workload select.
    SourceRef,
    /// The target list as a whole.
    Targets,
    /// A target row as a whole.
    Target(u64),
    /// A host input.
    Host(u64),
    /// A row's port input.
    Port(u64),
    /// A row's protocol select.
    Protocol(u64),
    /// The object as a whole (shown above Save).
    Object,
}

impl FieldKey {
    /// The DOM id of the field's input (or fieldset).
    pub fn input_id(self) -> String {
        match self {
            FieldKey::Name => "name".to_owned(),
            FieldKey::SourceRef => "source-ref".to_owned(),
            FieldKey::Targets => "targets".to_owned(),
            FieldKey::Target(id) => format!("t{id}"),
            FieldKey::Host(id) => format!("h{id}"),
            FieldKey::Port(id) => format!("p{id}"),
            FieldKey::Protocol(id) => format!("r{id}"),
            FieldKey::Object => "object".to_owned(),
        }
    }

    /// What takes the focus to show this field: its input, or for a target, the targets or
    /// the object, the element around its messages.
    pub fn focus_id(self) -> String {
        match self {
            FieldKey::Object => self.messages_id(),
            other => other.input_id(),
        }
    }

    /// The DOM id of the field's message list (what `aria-describedby` names).
    pub fn messages_id(self) -> String {
        format!("{}-diagnostics", self.input_id())
    }
}

/// Where `path` is shown, given each row's id and its hosts' ids.
fn key_in(layout: &[(u64, Vec<u64>)], path: &str) -> FieldKey {
    let row = |i: usize| layout.get(i);
    let key = match Field::of(path) {
        Field::Name => Some(FieldKey::Name),
        Field::SourceRef => Some(FieldKey::SourceRef),
        Field::Targets => Some(FieldKey::Targets),
        Field::Target(i) => row(i).map(|t| FieldKey::Target(t.0)),
        Field::Host(i, j) => row(i).and_then(|t| t.1.get(j)).map(|h| FieldKey::Host(*h)),
        Field::Port(i) => row(i).map(|t| FieldKey::Port(t.0)),
        Field::Protocol(i) => row(i).map(|t| FieldKey::Protocol(t.0)),
        Field::Object => None,
    };
    key.unwrap_or(FieldKey::Object)
}

/// One host input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HostInput {
    /// Stable id (DOM ids and keyed lists).
    pub id: u64,
    /// What is typed.
    pub value: RwSignal<String>,
}

impl HostInput {
    fn new(value: String) -> Self {
        HostInput { id: next_id(), value: RwSignal::new(value) }
    }
}

/// The port a new target row starts with (HTTPS, the commonest egress).
const BLANK_PORT: &str = "443";

/// One target row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TargetRow {
    /// Stable id.
    pub id: u64,
    /// Its hosts.
    pub hosts: RwSignal<Vec<HostInput>>,
    /// Port as typed.
    pub port: RwSignal<String>,
    /// Protocol chosen.
    pub protocol: RwSignal<String>,
}

impl TargetRow {
    fn new(hosts: Vec<String>, port: String, protocol: String) -> Self {
        let hosts = if hosts.is_empty() { vec![String::new()] } else { hosts };
        TargetRow {
            id: next_id(),
            hosts: RwSignal::new(hosts.into_iter().map(HostInput::new).collect()),
            port: RwSignal::new(port),
            protocol: RwSignal::new(protocol),
        }
    }

    /// An empty row: one host, port 443, HTTPS (the commonest egress).
    pub fn blank() -> Self {
        TargetRow::new(Vec::new(), BLANK_PORT.into(), Protocol::Https.as_str().into())
    }

    /// Removes a host input (the last one stays, emptied).
    pub fn remove_host(&self, id: u64) {
        self.hosts.update(|h| {
            if h.len() > 1 {
                h.retain(|x| x.id != id);
            } else if let Some(only) = h.first() {
                only.value.set(String::new());
            }
        });
    }
}

/// Every input of the form.
#[derive(Clone, Copy)]
pub struct FormState {
    /// `metadata.name`.
    pub name: RwSignal<String>,
    /// `Kind/name` of the sourceRef workload; "" for the whole Space.
    pub source_ref: RwSignal<String>,
    /// The target rows.
    pub targets: RwSignal<Vec<TargetRow>>,
    /// The object whose metadata the form carries (labels, annotations and whatever else
    /// the form has no field for): the edited object, or what was pasted.
    pub base: RwSignal<Option<Value>>,
    /// The version an edit started from: its resourceVersion goes with Save (a stale one is
    /// a 409), and it is the common ancestor when a conflict is merged.
    pub loaded: RwSignal<Option<Value>>,
    /// The form's reactive owner: rows made later (say by `fill` inside a memo) belong to
    /// the form, not to whatever computation happened to run, which would dispose them.
    owner: StoredValue<Option<Owner>>,
}

impl FormState {
    /// An empty form with one blank target.
    pub fn new() -> Self {
        FormState {
            name: RwSignal::new(String::new()),
            source_ref: RwSignal::new(String::new()),
            targets: RwSignal::new(vec![TargetRow::blank()]),
            base: RwSignal::new(None),
            loaded: RwSignal::new(None),
            owner: StoredValue::new(Owner::current()),
        }
    }

    fn owned<T>(&self, make: impl FnOnce() -> T) -> T {
        match self.owner.get_value() {
            Some(owner) => owner.with(make),
            None => make(),
        }
    }

    /// Replaces every input with what `ep` says; `object` becomes the base when given.
    /// Rows and hosts that exist already keep their inputs (and the focus) and only take the
    /// new values; rows are added or removed at the end.
    pub fn fill(&self, ep: &EgressPoint, object: Option<Value>) {
        self.name.set(ep.name().to_owned());
        self.source_ref.set(
            ep.spec
                .source_ref
                .as_ref()
                .map(|s| crate::api::workload_key(&s.kind, &s.name))
                .unwrap_or_default(),
        );
        let mut wanted: Vec<(Vec<String>, String, String)> = ep
            .spec
            .targets
            .iter()
            .map(|t| {
                let port = t.port.number.map(|n| n.to_string()).unwrap_or_default();
                (t.hosts.clone(), port, t.port.protocol.clone())
            })
            .collect();
        if wanted.is_empty() {
            wanted.push((Vec::new(), BLANK_PORT.into(), Protocol::Https.as_str().into()));
        }
        let existing = self.targets.get_untracked();
        let rows: Vec<TargetRow> = wanted
            .into_iter()
            .enumerate()
            .map(|(i, (hosts, port, protocol))| match existing.get(i) {
                Some(row) => {
                    self.refill(row, hosts);
                    row.port.set(port);
                    row.protocol.set(protocol);
                    *row
                }
                None => self.owned(|| TargetRow::new(hosts, port, protocol)),
            })
            .collect();
        if rows.len() != existing.len() {
            self.targets.set(rows);
        }
        if object.is_some() {
            self.base.set(object);
        }
    }

    /// Gives a row these hosts, reusing its host inputs.
    fn refill(&self, row: &TargetRow, mut hosts: Vec<String>) {
        if hosts.is_empty() {
            hosts.push(String::new());
        }
        let existing = row.hosts.get_untracked();
        let inputs: Vec<HostInput> = hosts
            .into_iter()
            .enumerate()
            .map(|(j, host)| match existing.get(j) {
                Some(input) => {
                    input.value.set(host);
                    *input
                }
                None => self.owned(|| HostInput::new(host)),
            })
            .collect();
        if inputs.len() != existing.len() {
            row.hosts.set(inputs);
        }
    }

    /// Starts a new form with a workload and one target (empty values leave the defaults).
    pub fn prefill(
        &self,
        workload: String,
        host: String,
        port: Option<String>,
        protocol: Option<String>,
    ) {
        self.source_ref.set(workload);
        let row = self.targets.with_untracked(|rows| rows.first().copied());
        if let Some(row) = row {
            if !host.is_empty() {
                self.refill(&row, vec![host]);
            }
            if let Some(port) = port.filter(|p| !p.is_empty()) {
                row.port.set(port);
            }
            if let Some(protocol) = protocol.filter(|p| !p.is_empty()) {
                row.protocol.set(protocol);
            }
        }
    }

    /// Opens the form on a stored version: filled with it, and it is what an edit started
    /// from.
    pub fn open(&self, ep: &EgressPoint, object: Value) {
        self.loaded.set(Some(object.clone()));
        self.fill(ep, Some(object));
    }

    /// The resourceVersion an edit started from.
    pub fn loaded_version(&self) -> Option<String> {
        self.loaded.with_untracked(|l| {
            l.as_ref().and_then(egress_rules::resource_version).map(str::to_owned)
        })
    }

    /// Everything the user can change, to tell whether they did (tracked).
    pub fn snapshot(&self) -> (String, String, Vec<TargetInput>, Option<Value>) {
        (self.name.get(), self.source_ref.get(), self.inputs(), self.base.get())
    }

    /// Appends a blank target row; returns the id of its host input.
    pub fn add_target(&self) -> u64 {
        let row = self.owned(TargetRow::blank);
        let first = row.hosts.with_untracked(|h| h[0].id);
        self.targets.update(|rows| rows.push(row));
        first
    }

    /// Adds an empty host input to a row; returns its id.
    pub fn add_host(&self, row: &TargetRow) -> u64 {
        let host = self.owned(|| HostInput::new(String::new()));
        row.hosts.update(|h| h.push(host));
        host.id
    }

    /// What is typed, target by target (tracked: call inside a reactive closure).
    pub fn inputs(&self) -> Vec<TargetInput> {
        self.targets.with(|rows| {
            rows.iter()
                .map(|row| TargetInput {
                    hosts: row.hosts.with(|h| h.iter().map(|x| x.value.get()).collect()),
                    port: row.port.get(),
                    protocol: row.protocol.get(),
                })
                .collect()
        })
    }

    /// The workload the sourceRef select names, among `choices`.
    pub fn source_workload(&self, choices: &[WorkloadRef]) -> Option<WorkloadRef> {
        let chosen = self.source_ref.get();
        if chosen.is_empty() {
            return None;
        }
        choices
            .iter()
            .find(|w| crate::api::workload_key(&w.kind, &w.name) == chosen)
            .cloned()
            .or_else(|| {
                // Not offered (e.g. an edited EgressPoint names a workload that is gone): keep it,
                // so nothing is dropped; `workload-missing` will say why it is wrong.
                let (kind, name) = chosen.split_once('/')?;
                crate::pages::workload_of(kind, name)
            })
    }

    /// Diagnostics by the form field they are shown beside, for the rows and hosts as they
    /// are now; what has no field of its own goes to [`FieldKey::Object`].
    pub fn place(&self, diagnostics: &[Diagnostic]) -> HashMap<FieldKey, Vec<Diagnostic>> {
        let layout = self.layout();
        let mut out: HashMap<FieldKey, Vec<Diagnostic>> = HashMap::new();
        for d in diagnostics {
            out.entry(key_in(&layout, &d.path)).or_default().push(d.clone());
        }
        out
    }

    /// The form field a field path is about, for the rows as they are now.
    pub fn key_for(&self, path: &str) -> FieldKey {
        key_in(&self.layout(), path)
    }

    /// Each row's id with its hosts' ids.
    fn layout(&self) -> Vec<(u64, Vec<u64>)> {
        self.targets.with_untracked(|rows| {
            rows.iter()
                .map(|r| (r.id, r.hosts.with_untracked(|h| h.iter().map(|x| x.id).collect())))
                .collect()
        })
    }

    /// Sets the inputs a fix names (a field the form has no input for is left alone; the
    /// rules re-check as for any typing).
    pub fn apply(&self, fix: &Fix) {
        let rows = self.targets.get_untracked();
        for edit in &fix.edits {
            let text = match &edit.value {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            match Field::of(&edit.path) {
                Field::Name => self.name.set(text),
                Field::Host(i, j) => {
                    if let Some(host) =
                        rows.get(i).and_then(|r| r.hosts.get_untracked().get(j).copied())
                    {
                        host.value.set(text);
                    }
                }
                Field::Port(i) => rows.get(i).iter().for_each(|r| r.port.set(text.clone())),
                Field::Protocol(i) => rows.get(i).iter().for_each(|r| r.protocol.set(text.clone())),
                _ => {}
            }
        }
    }
}
