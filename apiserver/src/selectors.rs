//! Label and field selectors
//! (https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors).

use crate::status::{StatusError, StatusResult};
use serde_json::{Map, Value};

/// One requirement of a label selector.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Requirement {
    Equals(String, String),
    NotEquals(String, String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    DoesNotExist(String),
}

/// A parsed `labelSelector`; empty matches everything.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LabelSelector(Vec<Requirement>);

impl LabelSelector {
    /// Parses `app=web,tier in (a,b),!legacy`.
    pub fn parse(text: &str) -> StatusResult<LabelSelector> {
        let mut requirements = Vec::new();
        for term in split_terms(text) {
            let term = term.trim();
            if term.is_empty() {
                continue;
            }
            requirements.push(parse_term(term).ok_or_else(|| {
                StatusError::bad_request(format!(
                    "unable to parse requirement: invalid label selector \"{term}\""
                ))
            })?);
        }
        Ok(LabelSelector(requirements))
    }

    /// True when these labels satisfy every requirement.
    pub fn matches(&self, labels: Option<&Map<String, Value>>) -> bool {
        let get = |k: &str| labels.and_then(|l| l.get(k)).and_then(Value::as_str);
        self.0.iter().all(|r| match r {
            Requirement::Equals(k, v) => get(k) == Some(v),
            Requirement::NotEquals(k, v) => get(k) != Some(v),
            Requirement::In(k, vs) => get(k).is_some_and(|l| vs.iter().any(|v| v == l)),
            Requirement::NotIn(k, vs) => get(k).is_none_or(|l| vs.iter().all(|v| v != l)),
            Requirement::Exists(k) => get(k).is_some(),
            Requirement::DoesNotExist(k) => get(k).is_none(),
        })
    }
}

/// Splits on commas outside parentheses.
fn split_terms(text: &str) -> Vec<&str> {
    let (mut terms, mut depth, mut start) = (Vec::new(), 0i32, 0);
    for (i, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                terms.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    terms.push(&text[start..]);
    terms
}

fn parse_term(term: &str) -> Option<Requirement> {
    let valid_key = |k: &str| {
        !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c))
    };
    if let Some(key) = term.strip_prefix('!') {
        return valid_key(key.trim()).then(|| Requirement::DoesNotExist(key.trim().to_owned()));
    }
    for (op, negate) in [("!=", true), ("==", false), ("=", false)] {
        if let Some((k, v)) = term.split_once(op) {
            let (k, v) = (k.trim().to_owned(), v.trim().to_owned());
            if !valid_key(&k) {
                return None;
            }
            return Some(if negate {
                Requirement::NotEquals(k, v)
            } else {
                Requirement::Equals(k, v)
            });
        }
    }
    let words: Vec<&str> = term.splitn(2, char::is_whitespace).collect();
    if let [key, rest] = words.as_slice() {
        let rest = rest.trim();
        let (negate, list) = if let Some(l) = rest.strip_prefix("notin") {
            (true, l)
        } else {
            (false, rest.strip_prefix("in")?)
        };
        let list = list.trim().strip_prefix('(')?.strip_suffix(')')?;
        let values: Vec<String> = list.split(',').map(|v| v.trim().to_owned()).collect();
        let key = (*key).to_owned();
        if !valid_key(&key) {
            return None;
        }
        return Some(if negate {
            Requirement::NotIn(key, values)
        } else {
            Requirement::In(key, values)
        });
    }
    valid_key(term).then(|| Requirement::Exists(term.to_owned()))
}

/// A parsed `fieldSelector`: only `metadata.name` and `metadata.namespace`, as for CRDs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FieldSelector(Vec<(String, bool, String)>);

impl FieldSelector {
    /// Parses `metadata.name=x,metadata.namespace!=y`.
    pub fn parse(text: &str) -> StatusResult<FieldSelector> {
        let mut terms = Vec::new();
        for term in text.split(',').map(str::trim).filter(|t| !t.is_empty()) {
            let (field, negate, value) = if let Some((f, v)) = term.split_once("!=") {
                (f, true, v)
            } else if let Some((f, v)) = term.split_once("==").or_else(|| term.split_once('=')) {
                (f, false, v)
            } else {
                return Err(StatusError::bad_request(format!(
                    "invalid field selector: \"{term}\""
                )));
            };
            let field = field.trim();
            if field != "metadata.name" && field != "metadata.namespace" {
                return Err(StatusError::bad_request(format!(
                    "field label not supported: {field} (supported: metadata.name, metadata.namespace)"
                )));
            }
            terms.push((field.to_owned(), negate, value.trim().to_owned()));
        }
        Ok(FieldSelector(terms))
    }

    /// True when an object with this name and namespace satisfies every term.
    pub fn matches(&self, name: &str, namespace: &str) -> bool {
        self.0.iter().all(|(field, negate, value)| {
            let actual = if field == "metadata.name" { name } else { namespace };
            (actual == value) != *negate
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn label_selectors_support_equality_sets_and_existence() {
        let web = json!({"app": "web", "tier": "front"});
        let db = json!({"app": "db"});
        let (web, db) = (web.as_object(), db.as_object());
        let cases = [
            ("app=web", true, false),
            ("app==web", true, false),
            ("app!=web", false, true),
            ("tier in (front, back)", true, false),
            ("tier notin (front)", false, true),
            ("tier", true, false),
            ("!tier", false, true),
            ("app in (web,db),!legacy", true, true),
            ("", true, true),
        ];
        for (text, on_web, on_db) in cases {
            let s = LabelSelector::parse(text).unwrap();
            assert_eq!((s.matches(web), s.matches(db)), (on_web, on_db), "{text}");
        }
        assert!(LabelSelector::parse("a in b").is_err());
    }

    #[test]
    fn only_name_and_namespace_field_selectors_are_supported() {
        assert!(FieldSelector::parse("metadata.name=x").unwrap().matches("x", "n"));
        assert!(!FieldSelector::parse("metadata.namespace!=n").unwrap().matches("x", "n"));
        assert_eq!(FieldSelector::parse("spec.x=1").unwrap_err().code.as_u16(), 400);
    }
}
