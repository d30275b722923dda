//! Kubernetes field-path syntax (`spec.targets[1].hosts[0]`), as in a 422 Status's
//! `causes[].field`, so the UI can put a message next to the field it belongs to.

use serde_json::{Map, Value};

/// `parent.name`, or `parent[name]` when `name` is not a plain identifier
/// (label keys such as `app.kubernetes.io/name`).
pub fn child(parent: &str, name: &str) -> String {
    let plain = !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    match (parent.is_empty(), plain) {
        (true, true) => name.to_owned(),
        (false, true) => format!("{parent}.{name}"),
        (_, false) => format!("{parent}[{name}]"),
    }
}

/// `parent[index]`.
pub fn index(parent: &str, index: usize) -> String {
    format!("{parent}[{index}]")
}

/// `spec.targets[i]`.
pub fn target(i: usize) -> String {
    format!("spec.targets[{i}]")
}

/// `spec.targets[i].hosts[j]`.
pub fn host(i: usize, j: usize) -> String {
    format!("spec.targets[{i}].hosts[{j}]")
}

/// `spec.targets[i].port.number`.
pub fn port_number(i: usize) -> String {
    format!("spec.targets[{i}].port.number")
}

/// `spec.targets[i].port.protocol`.
pub fn protocol(i: usize) -> String {
    format!("spec.targets[{i}].port.protocol")
}

/// The enclosing path: `spec.targets[1].hosts[0]` → `spec.targets[1].hosts` → `spec.targets[1]`.
pub fn parent(path: &str) -> Option<&str> {
    if path.is_empty() {
        return None;
    }
    let cut = if path.ends_with(']') { path.rfind('[') } else { path.rfind(['.', '[']) };
    Some(cut.map_or("", |at| &path[..at]))
}

/// One step of a field path: a field name (or map key) or a list index.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Segment<'a> {
    /// `name` or `[key]` when the key is not a plain identifier.
    Key(&'a str),
    /// `[3]`.
    Index(usize),
}

/// The steps of `path`, as written by [`child`] and [`index`]: `spec.targets[1].hosts[0]`
/// → `spec`, `targets`, `1`, `hosts`, `0`; `metadata.labels[app.kubernetes.io/name]` →
/// `metadata`, `labels`, `app.kubernetes.io/name`. A bracketed run of digits is an index.
pub fn segments(path: &str) -> Vec<Segment<'_>> {
    let mut out = Vec::new();
    let mut rest = path;
    while !rest.is_empty() {
        if let Some(inner) = rest.strip_prefix('[') {
            // The closing bracket is the first `]` followed by the end, `.` or `[`: keys
            // such as `a]b` stay whole.
            let end = inner
                .match_indices(']')
                .map(|(at, _)| at)
                .find(|&at| matches!(inner.as_bytes().get(at + 1), None | Some(b'.' | b'[')))
                .unwrap_or(inner.len());
            let text = &inner[..end];
            out.push(match text.parse::<usize>() {
                Ok(i) if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) => {
                    Segment::Index(i)
                }
                _ => Segment::Key(text),
            });
            rest = inner.get(end + 1..).unwrap_or("");
        } else {
            // Each turn strips a dot or takes a name, so the loop always moves on.
            let text = rest.strip_prefix('.').unwrap_or(rest);
            let end = text.find(['.', '[']).unwrap_or(text.len());
            if end > 0 {
                out.push(Segment::Key(&text[..end]));
            }
            rest = &text[end..];
        }
    }
    out
}

/// A field path taken apart once: parse it with [`FieldPath::parse`], print it with
/// `Display` (the same text [`child`] and [`index`] write), compare it, and read or remove
/// the value it names in a JSON object.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FieldPath(Vec<Step>);

/// One owned step of a [`FieldPath`].
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Step {
    /// A field name or map key.
    Key(String),
    /// A list index.
    Index(usize),
}

impl FieldPath {
    /// Reads `spec.targets[1].hosts[0]` (never fails: an empty text is the whole object).
    pub fn parse(path: &str) -> FieldPath {
        FieldPath(
            segments(path)
                .into_iter()
                .map(|s| match s {
                    Segment::Key(k) => Step::Key(k.to_owned()),
                    Segment::Index(i) => Step::Index(i),
                })
                .collect(),
        )
    }

    /// The steps.
    pub fn steps(&self) -> &[Step] {
        &self.0
    }

    /// True when `self` is `prefix` or lies under it.
    pub fn starts_with(&self, prefix: &FieldPath) -> bool {
        self.0.starts_with(&prefix.0)
    }

    /// The value at this path, if the object has one.
    pub fn get<'v>(&self, object: &'v Value) -> Option<&'v Value> {
        self.0.iter().try_fold(object, |at, step| match step {
            Step::Key(k) => at.get(k.as_str()),
            Step::Index(i) => at.get(*i),
        })
    }

    /// Sets the value at this path: missing maps on the way are made; a list index past
    /// the end (or a step into something that is neither) leaves the object unchanged.
    pub fn set(&self, object: &mut Value, value: Value) {
        let Some((last, parents)) = self.0.split_last() else {
            *object = value;
            return;
        };
        let mut at = object;
        for step in parents {
            let next = match step {
                Step::Key(k) => match at {
                    Value::Object(map) => {
                        Some(map.entry(k.clone()).or_insert_with(|| Value::Object(Map::new())))
                    }
                    _ => None,
                },
                Step::Index(i) => at.get_mut(*i),
            };
            match next {
                Some(next) => at = next,
                None => return,
            }
        }
        match (last, at) {
            (Step::Key(k), Value::Object(map)) => {
                map.insert(k.clone(), value);
            }
            (Step::Index(i), Value::Array(items)) if *i < items.len() => items[*i] = value,
            _ => {}
        }
    }

    /// Removes the value at this path and returns it (nothing happens when there is none).
    pub fn remove_from(&self, object: &mut Value) -> Option<Value> {
        let (last, parents) = self.0.split_last()?;
        let mut at = object;
        for step in parents {
            at = match step {
                Step::Key(k) => at.get_mut(k.as_str())?,
                Step::Index(i) => at.get_mut(*i)?,
            };
        }
        match (last, at) {
            (Step::Key(k), Value::Object(map)) => map.remove(k),
            (Step::Index(i), Value::Array(items)) if *i < items.len() => Some(items.remove(*i)),
            _ => None,
        }
    }

    /// The part of an EgressPoint this path is about.
    pub fn field(&self) -> Field {
        use Step::{Index, Key};
        let key = |at: usize, name: &str| matches!(self.0.get(at), Some(Key(k)) if k == name);
        let index = |at: usize| match self.0.get(at) {
            Some(Index(i)) => Some(*i),
            _ => None,
        };
        if key(0, "metadata") && key(1, "name") && self.0.len() == 2 {
            return Field::Name;
        }
        if key(0, "spec") && key(1, "sourceRef") {
            return Field::SourceRef;
        }
        if !(key(0, "spec") && key(1, "targets")) {
            return Field::Object;
        }
        let Some(i) = index(2) else { return Field::Targets };
        if key(3, "port") {
            return if key(4, "protocol") { Field::Protocol(i) } else { Field::Port(i) };
        }
        match (key(3, "hosts"), index(4)) {
            (true, Some(j)) => Field::Host(i, j),
            _ => Field::Target(i),
        }
    }
}

impl std::fmt::Display for FieldPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut text = String::new();
        for step in &self.0 {
            text = match step {
                Step::Key(k) => child(&text, k),
                Step::Index(i) => index(&text, *i),
            };
        }
        f.write_str(&text)
    }
}

/// The part of an EgressPoint a field path is about: where the form shows a message and
/// which rule rows of a table it belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Field {
    /// `metadata.name`.
    Name,
    /// `spec.sourceRef` and below.
    SourceRef,
    /// `spec.targets` as a whole (e.g. none at all).
    Targets,
    /// One target as a whole, its host list, or a field the form has no input for.
    Target(usize),
    /// One host (or anything under it).
    Host(usize, usize),
    /// A target's port number (or port as a whole).
    Port(usize),
    /// A target's protocol.
    Protocol(usize),
    /// Anything else (kind, apiVersion, labels…).
    Object,
}

impl Field {
    /// The field `path` is about.
    pub fn of(path: &str) -> Field {
        FieldPath::parse(path).field()
    }

    /// The field in the words of the form ("Target 2, host 1", "Target 1 port"); a field
    /// the form has no input for is named by its path.
    pub fn label(path: &str) -> String {
        match Field::of(path) {
            Field::Name => "Name".to_owned(),
            Field::SourceRef => "Workload".to_owned(),
            Field::Targets => "Targets".to_owned(),
            Field::Target(i) if path.ends_with(']') => format!("Target {}", i + 1),
            Field::Host(i, j) => format!("Target {}, host {}", i + 1, j + 1),
            Field::Port(i) => format!("Target {} port", i + 1),
            Field::Protocol(i) => format!("Target {} protocol", i + 1),
            Field::Target(_) | Field::Object => path.to_owned(),
        }
    }

    /// `text` (a message or hint) with every field path in it said the way the form says
    /// it: "set spec.targets[0].port.protocol to TCP" → "set Target 1 protocol to TCP",
    /// "put 8443 in port.number" → "put 8443 in Port". Paths stay in diagnostics for `lint`,
    /// the API and tooltips; people filling the form read this.
    pub fn in_form_words(text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(start) = rest.find(|c: char| c.is_ascii_alphabetic()) {
            out.push_str(&rest[..start]);
            rest = &rest[start..];
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '[' | ']' | '_')))
                .unwrap_or(rest.len());
            let token = rest[..end].trim_end_matches('.');
            let word = match token {
                "port.number" => Some("Port".to_owned()),
                "port.protocol" => Some("Protocol".to_owned()),
                "sourceRef" | "spec.sourceRef" => Some("Workload".to_owned()),
                _ if token.starts_with("spec.") || token == "metadata.name" => {
                    Some(Field::label(token))
                }
                _ => None,
            };
            match word {
                Some(word) => {
                    out.push_str(&word);
                    rest = &rest[token.len()..];
                }
                None => {
                    out.push_str(&rest[..end]);
                    rest = &rest[end..];
                }
            }
        }
        out.push_str(rest);
        out
    }

    /// True when a message about this field belongs to the rule row of target `i`, host
    /// `j`: it is about that host, about target `i` but none of its other hosts, or about
    /// the EgressPoint as a whole.
    pub fn belongs_to_row(self, i: usize, j: usize) -> bool {
        match self {
            Field::Host(ti, hj) => (ti, hj) == (i, j),
            Field::Target(t) | Field::Port(t) | Field::Protocol(t) => t == i,
            Field::Targets => false,
            Field::Name | Field::SourceRef | Field::Object => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_field_path_reads_prints_finds_and_removes() {
        let path = FieldPath::parse("metadata.labels[a.b/c]");
        assert_eq!(path.to_string(), "metadata.labels[a.b/c]");
        assert!(path.starts_with(&FieldPath::parse("metadata")));
        assert!(!FieldPath::parse("metadata").starts_with(&path));
        let mut v = serde_json::json!({"spec": {"targets": [{"hosts": [], "extra": 1}], "target": []}, "metadata": {"labels": {"a.b/c": "x"}}});
        assert_eq!(path.get(&v), Some(&serde_json::json!("x")));
        assert_eq!(FieldPath::parse("spec.targets[0].extra").remove_from(&mut v), Some(1.into()));
        FieldPath::parse("spec.target").remove_from(&mut v);
        path.remove_from(&mut v);
        assert_eq!(FieldPath::parse("spec.targets[3]").remove_from(&mut v), None);
        assert_eq!(
            v,
            serde_json::json!({"spec": {"targets": [{"hosts": []}]}, "metadata": {"labels": {}}})
        );
    }

    #[test]
    fn paths_land_on_their_fields() {
        assert_eq!(Field::of("metadata.name"), Field::Name);
        assert_eq!(Field::of("metadata.namespace"), Field::Object);
        assert_eq!(Field::of("spec.sourceRef.kind"), Field::SourceRef);
        assert_eq!(Field::of("spec.targets"), Field::Targets);
        assert_eq!(Field::of("spec.targets[2]"), Field::Target(2));
        assert_eq!(Field::of("spec.targets[2].hosts"), Field::Target(2));
        assert_eq!(Field::of("spec.targets[2].hosts[11]"), Field::Host(2, 11));
        assert_eq!(Field::of("spec.targets[0].port"), Field::Port(0));
        assert_eq!(Field::of("spec.targets[0].port.number"), Field::Port(0));
        assert_eq!(Field::of("spec.targets[0].port.protocol"), Field::Protocol(0));
        assert_eq!(Field::of("kind"), Field::Object);
        assert!(Field::of("spec.targets[1].hosts").belongs_to_row(1, 0));
        assert!(!Field::of("spec.targets[1].hosts[1]").belongs_to_row(1, 0));
        assert!(!Field::of("spec.targets").belongs_to_row(0, 0));
        assert!(Field::of("metadata.name").belongs_to_row(3, 3));
        assert_eq!(Field::label("spec.targets[1].hosts[0]"), "Target 2, host 1");
        assert_eq!(Field::label("spec.targets[0].port.number"), "Target 1 port");
        assert_eq!(Field::label("spec.targets[0]"), "Target 1");
        assert_eq!(Field::label("metadata.labels.team"), "metadata.labels.team");
        assert_eq!(
            Field::in_form_words("set spec.targets[0].port.protocol to TCP, or not."),
            "set Target 1 protocol to TCP, or not."
        );
        assert_eq!(
            Field::in_form_words("api.example.com:1 (also at spec.targets[1].hosts[0])"),
            "api.example.com:1 (also at Target 2, host 1)"
        );
        assert_eq!(
            Field::in_form_words("a.com (and put 8443 in port.number)"),
            "a.com (and put 8443 in Port)"
        );
    }

    #[test]
    fn paths_are_built_and_taken_apart_like_kubernetes_field_paths() {
        let hosts = child(&child(&target(1), "hosts"), "");
        assert_eq!(hosts, "spec.targets[1].hosts[]");
        assert_eq!(
            child("metadata.labels", "app.kubernetes.io/name"),
            "metadata.labels[app.kubernetes.io/name]"
        );
        let mut path = host(1, 0);
        let mut seen = vec![path.clone()];
        while let Some(up) = parent(&path) {
            path = up.to_owned();
            seen.push(path.clone());
        }
        assert_eq!(
            seen,
            [
                "spec.targets[1].hosts[0]",
                "spec.targets[1].hosts",
                "spec.targets[1]",
                "spec.targets",
                "spec",
                ""
            ]
        );
    }

    #[test]
    fn segments_undo_child_and_index() {
        use Segment::{Index, Key};
        assert_eq!(
            segments(&host(1, 0)),
            [Key("spec"), Key("targets"), Index(1), Key("hosts"), Index(0)]
        );
        assert_eq!(
            segments(&child("metadata.labels", "app.kubernetes.io/name")),
            [Key("metadata"), Key("labels"), Key("app.kubernetes.io/name")]
        );
        assert_eq!(segments(&child("a", "x]y")), [Key("a"), Key("x]y")]);
        assert_eq!(segments(""), []);
    }
}
