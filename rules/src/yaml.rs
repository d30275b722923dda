//! YAML in and out: multi-document streams read into JSON values with the line of every
//! field (for compiler-style lint output), and values written back as kubectl writes them.

use crate::path;
use serde_json::{Map, Number, Value};
use std::collections::HashMap;
use std::fmt;
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};
use yaml_rust2::{Yaml, YamlEmitter};

/// Most nodes one stream may expand to. Aliases can make a small file enormous (the
/// "billion laughs" attack); past this the stream is rejected instead of eating memory.
pub const MAX_NODES: usize = 2_000_000;
/// Deepest nesting accepted; an EgressPoint is six levels deep.
pub const MAX_DEPTH: usize = 200;

/// Where and why a document could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// What the parser found wrong.
    pub message: String,
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, column {}: {}", self.line, self.column, self.message)
    }
}

impl std::error::Error for SyntaxError {}

/// One document of a YAML stream.
#[derive(Clone, Debug, PartialEq)]
pub struct YamlDocument {
    /// 0-based position in the stream.
    pub index: usize,
    /// 1-based line where the document's content starts.
    pub line: usize,
    /// The content, as JSON would hold it.
    pub value: Value,
    lines: HashMap<String, usize>,
}

impl YamlDocument {
    /// The line of `path` (`spec.targets[0].hosts[1]`), or of the nearest enclosing field
    /// that is written in the document.
    pub fn line_of(&self, path: &str) -> usize {
        let mut at = Some(path);
        while let Some(p) = at {
            if let Some(line) = self.lines.get(p) {
                return *line;
            }
            at = path::parent(p);
        }
        self.line
    }
}

/// Reads every document of a YAML (or JSON) stream. Documents before a syntax error are
/// returned with it: the parser cannot resynchronise after one.
pub fn parse_stream(text: &str) -> (Vec<YamlDocument>, Option<SyntaxError>) {
    let mut builder = Builder::default();
    let mut parser = Parser::new_from_str(text);
    let result = parser.load(&mut builder, true);
    let error = builder.error.take().or_else(|| {
        result.err().map(|e| SyntaxError {
            line: e.marker().line(),
            column: e.marker().col() + 1,
            message: e.info().to_owned(),
        })
    });
    (builder.documents, error)
}

/// Reads a single YAML document; an empty stream is `null`.
pub fn parse_one(text: &str) -> Result<YamlDocument, SyntaxError> {
    let (mut documents, error) = parse_stream(text);
    if let Some(error) = error {
        return Err(error);
    }
    match documents.len() {
        0 => Ok(YamlDocument { index: 0, line: 1, value: Value::Null, lines: HashMap::new() }),
        1 => Ok(documents.remove(0)),
        n => Err(SyntaxError {
            line: documents[1].line,
            column: 1,
            message: format!("expected one document, found {n} (separated by ---)"),
        }),
    }
}

/// Writes `value` as block YAML, keys in the value's order (sorted for `serde_json`
/// values, as `kubectl get -o yaml` prints them).
pub fn to_yaml(value: &Value) -> String {
    let mut out = String::new();
    let mut emitter = YamlEmitter::new(&mut out);
    emitter.multiline_strings(true);
    // Writing to a String cannot fail.
    let _ = emitter.dump(&to_yaml_node(value));
    let body = out.strip_prefix("---\n").or_else(|| out.strip_prefix("---")).unwrap_or(&out);
    let mut body = body.trim_start_matches(' ').to_owned();
    body.push('\n');
    body
}

fn to_yaml_node(value: &Value) -> Yaml {
    match value {
        Value::Null => Yaml::Null,
        Value::Bool(b) => Yaml::Boolean(*b),
        Value::Number(n) => match n.as_i64() {
            Some(i) => Yaml::Integer(i),
            None => Yaml::Real(n.to_string()),
        },
        Value::String(s) => Yaml::String(s.clone()),
        Value::Array(items) => Yaml::Array(items.iter().map(to_yaml_node).collect()),
        Value::Object(map) => {
            // Sorted whatever serde_json's `preserve_order` feature says, as kubectl prints.
            let mut fields: Vec<_> = map.iter().collect();
            fields.sort_by(|a, b| a.0.cmp(b.0));
            Yaml::Hash(
                fields
                    .into_iter()
                    .map(|(k, v)| (Yaml::String(k.clone()), to_yaml_node(v)))
                    .collect(),
            )
        }
    }
}

enum Frame {
    Sequence { items: Vec<Value>, path: String, anchor: usize },
    Mapping { map: Map<String, Value>, path: String, key: Option<String>, anchor: usize },
}

#[derive(Default)]
struct Builder {
    documents: Vec<YamlDocument>,
    stack: Vec<Frame>,
    anchors: HashMap<usize, Value>,
    lines: HashMap<String, usize>,
    document_line: Option<usize>,
    root: Option<Value>,
    nodes: usize,
    error: Option<SyntaxError>,
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, event: Event, mark: Marker) {
        if self.error.is_some() {
            return;
        }
        if let Err(message) = self.handle(event, mark) {
            self.error = Some(SyntaxError { line: mark.line(), column: mark.col() + 1, message });
        }
    }
}

impl Builder {
    fn handle(&mut self, event: Event, mark: Marker) -> Result<(), String> {
        match event {
            Event::DocumentStart => {
                self.document_line = None;
                self.root = None;
            }
            Event::DocumentEnd => {
                let index = self.documents.len();
                let line = self.document_line.unwrap_or(mark.line());
                let value = self.root.take().unwrap_or(Value::Null);
                let lines = std::mem::take(&mut self.lines);
                self.anchors.clear();
                self.documents.push(YamlDocument { index, line, value, lines });
            }
            Event::MappingStart(anchor, _) | Event::SequenceStart(anchor, _) => {
                if self.stack.len() >= MAX_DEPTH {
                    return Err(format!("nested deeper than {MAX_DEPTH} levels"));
                }
                let path = self.child_path(mark)?;
                self.count(1)?;
                self.stack.push(if matches!(event, Event::MappingStart(..)) {
                    Frame::Mapping { map: Map::new(), path, key: None, anchor }
                } else {
                    Frame::Sequence { items: Vec::new(), path, anchor }
                });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                let (value, anchor) = match self.stack.pop() {
                    Some(Frame::Mapping { map, anchor, .. }) => (Value::Object(map), anchor),
                    Some(Frame::Sequence { items, anchor, .. }) => (Value::Array(items), anchor),
                    None => return Err("unbalanced collection end".into()),
                };
                self.remember(anchor, &value);
                self.insert(value, mark)?;
            }
            Event::Scalar(text, style, anchor, tag) => {
                if self.expecting_key() {
                    self.set_key(text, mark);
                    return Ok(());
                }
                self.child_path(mark)?;
                self.count(1)?;
                let is_str_tag = tag.is_some_and(|t| t.suffix == "str");
                let value = if style != TScalarStyle::Plain || is_str_tag {
                    Value::String(text)
                } else {
                    resolve_plain(&text)
                };
                self.remember(anchor, &value);
                self.insert(value, mark)?;
            }
            Event::Alias(anchor) => {
                let value = self
                    .anchors
                    .get(&anchor)
                    .cloned()
                    .ok_or_else(|| "alias to an unknown anchor".to_owned())?;
                if self.expecting_key() {
                    let key =
                        value.as_str().map(str::to_owned).unwrap_or_else(|| value.to_string());
                    self.set_key(key, mark);
                    return Ok(());
                }
                self.child_path(mark)?;
                self.count(size(&value))?;
                self.insert(value, mark)?;
            }
            Event::StreamStart | Event::StreamEnd | Event::Nothing => {}
        }
        Ok(())
    }

    fn count(&mut self, nodes: usize) -> Result<(), String> {
        self.nodes += nodes;
        if self.nodes > MAX_NODES {
            return Err(format!("the stream expands to more than {MAX_NODES} values (aliases?)"));
        }
        Ok(())
    }

    fn expecting_key(&self) -> bool {
        matches!(self.stack.last(), Some(Frame::Mapping { key: None, .. }))
    }

    fn set_key(&mut self, key: String, mark: Marker) {
        if let Some(Frame::Mapping { path, key: slot, .. }) = self.stack.last_mut() {
            self.lines.entry(path::child(path, &key)).or_insert(mark.line());
            *slot = Some(key);
        }
    }

    /// The path of the node starting at `mark`, recording its line.
    fn child_path(&mut self, mark: Marker) -> Result<String, String> {
        let path = match self.stack.last() {
            None => {
                self.document_line.get_or_insert(mark.line());
                String::new()
            }
            Some(Frame::Sequence { items, path, .. }) => path::index(path, items.len()),
            Some(Frame::Mapping { path, key: Some(key), .. }) => path::child(path, key),
            Some(Frame::Mapping { key: None, .. }) => {
                return Err("a mapping key must be a plain value, not a list or mapping".into());
            }
        };
        self.lines.entry(path.clone()).or_insert(mark.line());
        Ok(path)
    }

    fn remember(&mut self, anchor: usize, value: &Value) {
        if anchor > 0 {
            self.anchors.insert(anchor, value.clone());
        }
    }

    fn insert(&mut self, value: Value, _mark: Marker) -> Result<(), String> {
        match self.stack.last_mut() {
            None => self.root = Some(value),
            Some(Frame::Sequence { items, .. }) => items.push(value),
            Some(Frame::Mapping { map, key, .. }) => {
                let key = key.take().unwrap_or_default();
                if map.contains_key(&key) {
                    return Err(format!("the key \"{key}\" appears twice in one mapping"));
                }
                map.insert(key, value);
            }
        }
        Ok(())
    }
}

/// YAML 1.2 core schema resolution of a plain scalar.
fn resolve_plain(text: &str) -> Value {
    match Yaml::from_str(text) {
        Yaml::Null => Value::Null,
        Yaml::Boolean(b) => Value::Bool(b),
        Yaml::Integer(i) => Value::Number(i.into()),
        Yaml::Real(r) => r
            .parse::<f64>()
            .ok()
            .and_then(Number::from_f64)
            .map_or_else(|| Value::String(text.to_owned()), Value::Number),
        _ => Value::String(text.to_owned()),
    }
}

fn size(value: &Value) -> usize {
    match value {
        Value::Array(items) => 1 + items.iter().map(size).sum::<usize>(),
        Value::Object(map) => 1 + map.values().map(size).sum::<usize>(),
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_document_of_a_stream_is_read_with_the_lines_of_its_fields() {
        let text = "a: 1\n---\nkind: EgressPoint\nspec:\n  targets:\n  - hosts:\n    - x.com\n    - y.com\n";
        let (docs, error) = parse_stream(text);
        assert_eq!(error, None);
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[1].value["spec"]["targets"][0]["hosts"][1], json!("y.com"));
        assert_eq!(docs[1].line_of("spec.targets[0].hosts[1]"), 8);
        assert_eq!(docs[1].line_of("spec.targets[0].port.number"), 6);
        assert_eq!(docs[1].line_of("kind"), 3);
    }

    #[test]
    fn a_syntax_error_keeps_the_documents_before_it_and_names_its_line() {
        let (docs, error) = parse_stream("a: 1\n---\nb: [1, 2\n");
        assert_eq!(docs.len(), 1);
        let error = error.expect("syntax error");
        assert!(error.line >= 3, "{error}");
    }

    #[test]
    fn duplicate_keys_are_an_error_as_in_kubectl() {
        let error = parse_one("a: 1\na: 2\n").unwrap_err();
        assert!(error.message.contains("appears twice"), "{error}");
    }

    #[test]
    fn alias_bombs_are_refused() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..9 {
            let refs = vec![format!("*a{}", i - 1); 10].join(", ");
            text.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
        }
        let error = parse_one(&text).unwrap_err();
        assert!(error.message.contains("more than"), "{error}");
    }

    #[test]
    fn quoted_scalars_stay_strings_and_plain_ones_are_resolved() {
        let doc = parse_one("a: \"443\"\nb: 443\nc: true\nd: ~\ne: 1.5\nf: !!str 7\n").unwrap();
        assert_eq!(
            doc.value,
            json!({"a": "443", "b": 443, "c": true, "d": null, "e": 1.5, "f": "7"})
        );
    }

    #[test]
    fn written_yaml_reads_back_to_the_same_value() {
        let value = json!({"apiVersion": "v", "metadata": {"labels": {"yes": "no", "n": "0123"}},
            "spec": {"targets": [{"hosts": ["a.com", "::1"], "port": {"number": 443}}], "e": []}});
        let text = to_yaml(&value);
        assert_eq!(parse_one(&text).unwrap().value, value, "{text}");
    }
}
