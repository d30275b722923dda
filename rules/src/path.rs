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
}
