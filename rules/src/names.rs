//! Kubernetes object names: DNS-1123 subdomains (`metadata.name`, `sourceRef.name`).

/// Longest DNS-1123 subdomain.
pub const MAX_SUBDOMAIN: usize = 253;

/// Checks a DNS-1123 subdomain: at most 253 characters, lowercase letters, digits, '-' and
/// '.', each dot-separated part starting and ending with a letter or digit. Returns what is
/// wrong, in words.
pub fn check_subdomain(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("is empty".into());
    }
    if name.len() > MAX_SUBDOMAIN {
        return Err(format!("is {} characters long; the limit is {MAX_SUBDOMAIN}", name.len()));
    }
    // Every wrong character at once, so one edit fixes them all.
    let mut upper: Vec<char> = Vec::new();
    let mut other: Vec<char> = Vec::new();
    for c in name.chars() {
        let list = match c {
            'A'..='Z' => &mut upper,
            'a'..='z' | '0'..='9' | '-' | '.' => continue,
            _ => &mut other,
        };
        if !list.contains(&c) {
            list.push(c);
        }
    }
    if !upper.is_empty() || !other.is_empty() {
        let quoted =
            |cs: &[char]| cs.iter().map(|c| format!("'{c}'")).collect::<Vec<_>>().join(", ");
        let mut parts = Vec::new();
        if !upper.is_empty() {
            let s = if upper.len() > 1 { "s" } else { "" };
            parts.push(format!("the uppercase letter{s} {}", quoted(&upper)));
        }
        if !other.is_empty() {
            let s = if other.len() > 1 { "s" } else { "" };
            parts.push(format!("the character{s} {}", quoted(&other)));
        }
        return Err(format!(
            "contains {}; names use only lowercase letters, digits, '-' and '.'",
            parts.join(" and ")
        ));
    }
    for part in name.split('.') {
        let edge_ok = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
        if !edge_ok(part.chars().next()) || !edge_ok(part.chars().last()) {
            return Err("must start and end with a letter or digit, also around each '.'".into());
        }
    }
    Ok(())
}

/// Longest DNS-1123 label (namespace names).
pub const MAX_LABEL: usize = 63;

/// Checks a DNS-1123 label, as namespace names are: at most 63 characters, lowercase
/// letters, digits and '-', starting and ending with a letter or digit.
pub fn check_label(name: &str) -> Result<(), String> {
    if name.len() > MAX_LABEL {
        return Err(format!("is {} characters long; the limit is {MAX_LABEL}", name.len()));
    }
    if name.contains('.') {
        return Err("contains '.'; a namespace name is a single DNS label".into());
    }
    check_subdomain(name)
}

/// Checks a `generateName` prefix as kube-apiserver does: a trailing '-' is allowed (it
/// stands for the random suffix), otherwise the prefix must itself be a valid name. The
/// server cuts a longer prefix to [`GENERATED_PREFIX`] characters before adding five.
pub fn check_generate_name(prefix: &str) -> Result<(), String> {
    // apimachinery's maskTrailingDash, quirk included: it replaces the last two characters.
    let masked = if prefix.len() > 1 && prefix.ends_with('-') {
        let mut cut = prefix.len() - 2;
        while !prefix.is_char_boundary(cut) {
            cut -= 1;
        }
        format!("{}a", &prefix[..cut])
    } else {
        prefix.to_owned()
    };
    check_subdomain(&masked)
}

/// What kube-apiserver keeps of a `generateName` (63 − 5 random characters).
pub const GENERATED_PREFIX: usize = 58;

/// A valid name close to `name` ("My_App" → "my-app"), to offer as a hint.
pub fn suggest_subdomain(name: &str) -> Option<String> {
    let mapped: String = name
        .chars()
        .map(|c| match c {
            'A'..='Z' => c.to_ascii_lowercase(),
            'a'..='z' | '0'..='9' | '.' => c,
            _ => '-',
        })
        .collect();
    let parts: Vec<&str> =
        mapped.split('.').map(|p| p.trim_matches('-')).filter(|p| !p.is_empty()).collect();
    let mut suggestion = parts.join(".");
    suggestion.truncate(MAX_SUBDOMAIN);
    let suggestion = suggestion.trim_end_matches(['-', '.']).to_owned();
    (check_subdomain(&suggestion).is_ok() && suggestion != name).then_some(suggestion)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subdomains_follow_dns_1123() {
        for ok in ["example-egress", "a", "a.b-c.d1", "0abc"] {
            assert_eq!(check_subdomain(ok), Ok(()), "{ok}");
        }
        for bad in ["", "Example", "a_b", "-a", "a-", "a..b", "a.-b"] {
            assert!(check_subdomain(bad).is_err(), "{bad}");
        }
        assert!(check_subdomain(&"a".repeat(254)).is_err());
        assert_eq!(
            check_subdomain("My App_v2"),
            Err("contains the uppercase letters 'M', 'A' and the characters ' ', '_'; names use only lowercase letters, digits, '-' and '.'".into())
        );
    }

    #[test]
    fn namespaces_are_dns_1123_labels() {
        for ok in ["default", "team-a", "a1"] {
            assert_eq!(check_label(ok), Ok(()), "{ok}");
        }
        for bad in ["", "Team", "team.a", "-a", &"a".repeat(64)] {
            assert!(check_label(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn generate_name_prefixes_are_checked_as_kube_apiserver_does() {
        // ValidateObjectMeta: NameIsDNSSubdomain(maskTrailingDash(prefix)).
        for ok in ["egress-", "egress", &"a".repeat(250), "a.b-"] {
            assert_eq!(check_generate_name(ok), Ok(()), "{ok}");
        }
        for bad in ["egress.", "Egress-", "-", &"a".repeat(254), "a..b-"] {
            assert!(check_generate_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_close_valid_name_is_suggested() {
        assert_eq!(suggest_subdomain("My_App").as_deref(), Some("my-app"));
        assert_eq!(suggest_subdomain("-x-.y"), Some("x.y".into()));
        assert_eq!(suggest_subdomain("fine"), None);
    }
}
