//! Three-way merge of two edits of one object: what *I* changed since the version I
//! started from (`base`) is applied to *their* current version; what only they changed
//! stays theirs; where we both changed the same field differently, the field is a
//! [`Clash`] for a person to decide. A field I did not touch is never sent from my stale
//! copy. Maps merge key by key; lists merge item by item when all three have the same
//! length, and otherwise (an item added or removed on both sides) clash as a whole, so no
//! item is silently dropped or duplicated.

use crate::path;
use serde_json::{Map, Value};

/// One field both sides changed, differently. `None` is "absent".
#[derive(Clone, Debug, PartialEq)]
pub struct Clash {
    /// Its field path (`spec.targets[0].port.number`).
    pub path: String,
    /// The value both started from.
    pub base: Option<Value>,
    /// Their value (what the merged object holds until someone chooses).
    pub theirs: Option<Value>,
    /// My value.
    pub mine: Option<Value>,
}

/// The result of [`three_way`].
#[derive(Clone, Debug, PartialEq)]
pub struct Merged {
    /// Their version with my changes applied; at each clash, their value.
    pub value: Value,
    /// The fields we both changed differently, in document order.
    pub clashes: Vec<Clash>,
}

impl Merged {
    /// Takes my value at the clash `path` (absent when mine is absent).
    pub fn choose_mine(&mut self, clash_path: &str) {
        let Some(clash) = self.clashes.iter().find(|c| c.path == clash_path) else { return };
        let at = path::FieldPath::parse(&clash.path);
        match clash.mine.clone() {
            Some(mine) => at.set(&mut self.value, mine),
            None => {
                at.remove_from(&mut self.value);
            }
        }
    }
}

/// Merges `mine` and `theirs`, both edits of `base`. Compare objects as written
/// ([`crate::as_written`]): server-set fields are not edits.
pub fn three_way(base: &Value, theirs: &Value, mine: &Value) -> Merged {
    let mut clashes = Vec::new();
    let value = merge(String::new(), Some(base), Some(theirs), Some(mine), &mut clashes)
        .unwrap_or(Value::Null);
    Merged { value, clashes }
}

fn merge(
    at: String,
    base: Option<&Value>,
    theirs: Option<&Value>,
    mine: Option<&Value>,
    clashes: &mut Vec<Clash>,
) -> Option<Value> {
    if mine == base || theirs == mine {
        return theirs.cloned();
    }
    if theirs == base {
        return mine.cloned();
    }
    let empty = Value::Object(Map::new());
    match (theirs, mine) {
        (Some(Value::Object(t)), Some(Value::Object(m))) => {
            // A map both sides added (labels on both) merges key by key from nothing.
            let b = match base {
                Some(Value::Object(b)) => Some(b),
                None => empty.as_object(),
                Some(_) => None,
            };
            if let Some(b) = b {
                let mut keys: Vec<&String> = t.keys().collect();
                keys.extend(m.keys().filter(|k| !t.contains_key(*k)));
                keys.extend(b.keys().filter(|k| !t.contains_key(*k) && !m.contains_key(*k)));
                let mut out = Map::new();
                for key in keys {
                    let merged =
                        merge(path::child(&at, key), b.get(key), t.get(key), m.get(key), clashes);
                    if let Some(value) = merged {
                        out.insert(key.clone(), value);
                    }
                }
                return Some(Value::Object(out));
            }
        }
        (Some(Value::Array(t)), Some(Value::Array(m))) => {
            if let Some(Value::Array(b)) = base
                && b.len() == t.len()
                && b.len() == m.len()
            {
                let items = (0..b.len())
                    .map(|i| {
                        merge(path::index(&at, i), b.get(i), t.get(i), m.get(i), clashes)
                            .unwrap_or(Value::Null)
                    })
                    .collect();
                return Some(Value::Array(items));
            }
        }
        _ => {}
    }
    clashes.push(Clash {
        path: at,
        base: base.cloned(),
        theirs: theirs.cloned(),
        mine: mine.cloned(),
    });
    theirs.cloned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn target(port: u16, host: &str) -> Value {
        json!({"hosts": [host], "port": {"number": port, "protocol": "TCP"}})
    }

    fn ep(targets: Vec<Value>) -> Value {
        json!({"metadata": {"name": "db", "labels": {"team": "a"}}, "spec": {"targets": targets}})
    }

    #[test]
    fn each_side_keeps_what_only_it_changed() {
        let base = ep(vec![target(5433, "a.example.com"), target(5432, "b.example.com")]);
        let theirs = ep(vec![target(6543, "a.example.com"), target(5432, "b.example.com")]);
        let mine = ep(vec![target(5433, "a.example.com"), target(5432, "c.example.com")]);
        let merged = three_way(&base, &theirs, &mine);
        assert!(merged.clashes.is_empty(), "{:?}", merged.clashes);
        assert_eq!(
            merged.value,
            ep(vec![target(6543, "a.example.com"), target(5432, "c.example.com")])
        );
    }

    #[test]
    fn the_same_field_changed_on_both_sides_is_a_clash_until_chosen() {
        let base = ep(vec![target(5433, "a.example.com")]);
        let theirs = ep(vec![target(6543, "a.example.com")]);
        let mine = ep(vec![target(7000, "a.example.com")]);
        let mut merged = three_way(&base, &theirs, &mine);
        assert_eq!(merged.clashes.len(), 1);
        let clash = merged.clashes[0].clone();
        assert_eq!(clash.path, "spec.targets[0].port.number");
        assert_eq!((clash.theirs, clash.mine), (Some(json!(6543)), Some(json!(7000))));
        assert_eq!(merged.value, theirs, "theirs until someone chooses");
        merged.choose_mine("spec.targets[0].port.number");
        assert_eq!(merged.value, mine);
    }

    #[test]
    fn lists_of_different_lengths_on_both_sides_clash_whole() {
        let base = ep(vec![target(1, "a.example.com")]);
        let theirs = ep(vec![target(1, "a.example.com"), target(2, "b.example.com")]);
        let mine = ep(vec![target(1, "a.example.com"), target(3, "c.example.com")]);
        let merged = three_way(&base, &theirs, &mine);
        assert_eq!(merged.clashes.len(), 1);
        assert_eq!(merged.clashes[0].path, "spec.targets");
        // Only one side added an item: it is kept.
        let merged = three_way(&base, &base, &mine);
        assert_eq!((merged.value, merged.clashes.len()), (mine, 0));
    }

    #[test]
    fn labels_added_and_removed_merge_key_by_key() {
        let base = json!({"metadata": {"labels": {"team": "a", "old": "x"}}});
        let theirs = json!({"metadata": {"labels": {"team": "a", "old": "x", "tier": "db"}}});
        let mine = json!({"metadata": {"labels": {"team": "b"}}});
        let merged = three_way(&base, &theirs, &mine);
        assert!(merged.clashes.is_empty());
        assert_eq!(merged.value, json!({"metadata": {"labels": {"team": "b", "tier": "db"}}}));
        // A field I removed that they changed is a clash; choosing mine removes it.
        let theirs = json!({"metadata": {"labels": {"team": "a", "old": "y"}}});
        let mut merged = three_way(&base, &theirs, &mine);
        assert_eq!(merged.clashes[0].mine, None);
        merged.choose_mine("metadata.labels.old");
        assert_eq!(merged.value, json!({"metadata": {"labels": {"team": "b"}}}));
    }

    #[test]
    fn merging_with_no_edit_on_either_side_is_the_identity() {
        let base = ep(vec![target(5432, "a.example.com")]);
        let merged = three_way(&base, &base, &base);
        assert_eq!((merged.value, merged.clashes.len()), (base, 0));
    }
}
