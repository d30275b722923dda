//! Kubernetes field-path syntax (`spec.targets[1].hosts[0]`), as in a 422 Status's
//! `causes[].field`, so the UI can put a message next to the field it belongs to.

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

#[cfg(test)]
mod tests {
    use super::*;

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
