//! YAML in and out: multi-document streams read into JSON values with the line of every
//! field (for compiler-style lint output), and values written back as kubectl writes them.

use crate::path::{self, Segment};
use granit_parser::{ErrorKind, Event, Marker, Options, Parser, ScalarStyle};
use serde_json::{Map, Number, Value};
use std::collections::HashMap;
use std::fmt;
use yaml_rust2::{Yaml, YamlEmitter};

/// Most values one document may hold. A stream of many documents (a GitOps folder
/// concatenated) may hold more in all.
pub const MAX_NODES: usize = 2_000_000;
/// Deepest nesting accepted; an EgressPoint is six levels deep.
pub const MAX_DEPTH: usize = 200;
/// Longest mapping key, in bytes. The longest key Kubernetes has is an annotation or label
/// name (253-byte prefix, `/`, 63-byte name = 317).
pub const MAX_KEY_BYTES: usize = 1024;
/// What aliases (`*name`) may add to a stream beyond what is written in it: this many
/// values and bytes, plus as many again as the stream writes itself. So a stream's memory
/// stays linear in its size whatever its aliases do (the "billion laughs" attack is refused
/// before it is expanded).
pub const ALIAS_ALLOWANCE: usize = 100_000;

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
    lines: Lines,
}

impl YamlDocument {
    /// The line of `path` (`spec.targets[0].hosts[1]`), or of the nearest enclosing field
    /// that is written in the document.
    pub fn line_of(&self, path: &str) -> usize {
        let mut at = &self.lines;
        for segment in path::segments(path) {
            let next = match (at.children.as_deref(), segment) {
                (Some(Children::Sequence(items)), Segment::Index(i)) => items.get(i),
                (Some(Children::Mapping(fields)), Segment::Key(key)) => fields.get(key),
                (Some(Children::Mapping(fields)), Segment::Index(i)) => {
                    fields.get(i.to_string().as_str())
                }
                _ => None,
            };
            match next {
                Some(next) => at = next,
                None => break,
            }
        }
        at.line as usize
    }
}

/// The line of every node of a document, shaped like the document: 16 bytes a node, keys
/// stored once more, so memory is linear in the document's size (a copy of the whole field
/// path per node was quadratic in key length).
#[derive(Clone, Debug, Default, PartialEq)]
struct Lines {
    line: u32,
    children: Option<Box<Children>>,
}

#[derive(Clone, Debug, PartialEq)]
enum Children {
    Sequence(Vec<Lines>),
    Mapping(HashMap<Box<str>, Lines>),
}

/// Reads every document of a YAML (or JSON) stream. Documents before a syntax error are
/// returned with it: the parser cannot resynchronise after one. A leading byte-order mark
/// is ignored.
pub fn parse_stream(text: &str) -> (Vec<YamlDocument>, Option<SyntaxError>) {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut builder = Builder::default();
    let mut options = Options::default();
    options.emit_comments = false;
    options.flow_nesting_limit = MAX_DEPTH;
    options.block_nesting_limit = MAX_DEPTH;
    // granit-parser, not yaml-rust2's parser: yaml-rust2 buffers every token of a flow
    // collection that might still turn out to be a mapping key (about 200 bytes a value:
    // a 1 MB `[1,1,…]` took 100 MB before the first event), while granit-parser gives up on
    // a key after 1,024 characters, as the YAML spec limits implicit keys. It also yields
    // events one at a time without recursion, so the first error stops the reading.
    for next in Parser::new_from_str_with_options(text, options) {
        match next {
            Ok((Event::StreamEnd, _)) => break,
            Ok((event, span)) => {
                builder.on_event(event, span.start);
                if builder.error.is_some() {
                    break;
                }
            }
            Err(e) => {
                let message = match e.kind() {
                    ErrorKind::RecursionLimitExceeded => {
                        format!("nested deeper than {MAX_DEPTH} levels")
                    }
                    _ => e.info(),
                };
                builder.error.get_or_insert(SyntaxError {
                    line: e.marker().line(),
                    column: e.marker().col() + 1,
                    message,
                });
                break;
            }
        }
    }
    (builder.documents, builder.error)
}

/// Reads a single YAML document; an empty stream is `null`.
pub fn parse_one(text: &str) -> Result<YamlDocument, SyntaxError> {
    let (mut documents, error) = parse_stream(text);
    if let Some(error) = error {
        return Err(error);
    }
    match documents.len() {
        0 => Ok(YamlDocument {
            index: 0,
            line: 1,
            value: Value::Null,
            lines: Lines { line: 1, children: None },
        }),
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

/// A collection being read, with what it holds so far and how big that is.
struct Frame {
    content: Content,
    /// Line of the collection (of its key, inside a mapping).
    line: u32,
    anchor: usize,
    /// Values and bytes in the collection, for what an alias to it would cost.
    size: Size,
}

enum Content {
    Sequence { items: Vec<Value>, lines: Vec<Lines> },
    Mapping { map: Map<String, Value>, lines: HashMap<Box<str>, Lines>, key: Option<(String, u32)> },
}

/// How much a value holds: nodes, and bytes of keys and strings.
#[derive(Clone, Copy, Debug, Default)]
struct Size {
    nodes: usize,
    bytes: usize,
}

impl Size {
    fn add(&mut self, other: Size) {
        self.nodes += other.nodes;
        self.bytes += other.bytes;
    }
}

#[derive(Default)]
struct Builder {
    documents: Vec<YamlDocument>,
    stack: Vec<Frame>,
    /// Anchored values and their sizes, for aliases.
    anchors: HashMap<usize, (Value, Size)>,
    document_line: Option<u32>,
    root: Option<(Value, Lines)>,
    /// Values of the current document.
    nodes: usize,
    /// What the stream writes, and what its aliases and anchors have added to it.
    written: Size,
    copied: Size,
    error: Option<SyntaxError>,
}

impl Builder {
    fn on_event(&mut self, event: Event<'_>, mark: Marker) {
        if let Err(message) = self.handle(event, mark) {
            self.error = Some(SyntaxError { line: mark.line(), column: mark.col() + 1, message });
        }
    }
}

fn line_of(mark: Marker) -> u32 {
    u32::try_from(mark.line()).unwrap_or(u32::MAX)
}

impl Builder {
    fn handle(&mut self, event: Event<'_>, mark: Marker) -> Result<(), String> {
        match event {
            Event::DocumentStart(..) => {
                self.document_line = None;
                self.root = None;
                self.nodes = 0;
            }
            Event::DocumentEnd => {
                let index = self.documents.len();
                let line = self.document_line.unwrap_or(line_of(mark));
                let (value, mut lines) =
                    self.root.take().unwrap_or((Value::Null, Lines::default()));
                lines.line = line;
                self.anchors.clear();
                self.documents.push(YamlDocument { index, line: line as usize, value, lines });
            }
            Event::MappingStart(_, anchor, _) | Event::SequenceStart(_, anchor, _) => {
                if self.stack.len() >= MAX_DEPTH {
                    return Err(format!("nested deeper than {MAX_DEPTH} levels"));
                }
                let line = self.start_node(mark)?;
                self.count(Size { nodes: 1, bytes: 0 })?;
                let content = if matches!(event, Event::MappingStart(..)) {
                    Content::Mapping { map: Map::new(), lines: HashMap::new(), key: None }
                } else {
                    Content::Sequence { items: Vec::new(), lines: Vec::new() }
                };
                self.stack.push(Frame { content, line, anchor, size: Size { nodes: 1, bytes: 0 } });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                let frame = self.stack.pop().ok_or("unbalanced collection end")?;
                let (value, children) = match frame.content {
                    Content::Mapping { map, lines, .. } => {
                        (Value::Object(map), Children::Mapping(lines))
                    }
                    Content::Sequence { items, lines } => {
                        (Value::Array(items), Children::Sequence(lines))
                    }
                };
                self.remember(frame.anchor, &value, frame.size)?;
                let lines = Lines { line: frame.line, children: Some(Box::new(children)) };
                self.insert(value, lines, frame.size)?;
            }
            Event::Scalar(text, style, anchor, tag) => {
                let size = Size { nodes: 1, bytes: text.len() };
                if self.expecting_key() {
                    self.count(size)?;
                    return self.set_key(text.into_owned(), mark);
                }
                let line = self.start_node(mark)?;
                self.count(size)?;
                let is_str_tag = tag.is_some_and(|t| t.suffix() == "str");
                let value = if style != ScalarStyle::Plain || is_str_tag {
                    Value::String(text.into_owned())
                } else {
                    resolve_plain(&text)
                };
                self.remember(anchor, &value, size)?;
                self.insert(value, Lines { line, children: None }, size)?;
            }
            Event::Alias(anchor) => {
                let size = self.anchors.get(&anchor).ok_or("alias to an unknown anchor")?.1;
                // Counted before it is copied: a refused alias costs nothing.
                self.copy(size)?;
                let value = self.anchors.get(&anchor).map_or(&Value::Null, |(value, _)| value);
                if self.expecting_key() {
                    let key = match value {
                        Value::String(s) => s.clone(),
                        Value::Array(_) | Value::Object(_) => {
                            return Err(
                                "a mapping key must be a plain value, not a list or mapping".into(),
                            );
                        }
                        other => other.to_string(),
                    };
                    return self.set_key(key, mark);
                }
                let value = value.clone();
                let line = self.start_node(mark)?;
                self.count_nodes(size.nodes)?;
                self.insert(value, Lines { line, children: None }, size)?;
            }
            // Stream start and end, and events only asked for by options left off.
            _ => {}
        }
        Ok(())
    }

    /// Counts written values and bytes.
    fn count(&mut self, size: Size) -> Result<(), String> {
        self.written.add(size);
        self.count_nodes(size.nodes)
    }

    fn count_nodes(&mut self, nodes: usize) -> Result<(), String> {
        self.nodes += nodes;
        if self.nodes > MAX_NODES {
            return Err(format!("the document holds more than {MAX_NODES} values"));
        }
        Ok(())
    }

    /// Counts what an alias or anchor copies, refusing it when the stream's aliases would
    /// hold more than [`ALIAS_ALLOWANCE`] plus what the stream itself writes.
    fn copy(&mut self, size: Size) -> Result<(), String> {
        let nodes = self.copied.nodes + size.nodes;
        let bytes = self.copied.bytes + size.bytes;
        if nodes > ALIAS_ALLOWANCE + self.written.nodes
            || bytes > ALIAS_ALLOWANCE + self.written.bytes
        {
            return Err(format!(
                "aliases expand this YAML to more than it writes itself plus {ALIAS_ALLOWANCE} \
                 values or bytes (an alias bomb?); write the repeated parts out"
            ));
        }
        self.copied = Size { nodes, bytes };
        Ok(())
    }

    fn expecting_key(&self) -> bool {
        matches!(self.stack.last(), Some(Frame { content: Content::Mapping { key: None, .. }, .. }))
    }

    fn set_key(&mut self, key: String, mark: Marker) -> Result<(), String> {
        if key.len() > MAX_KEY_BYTES {
            return Err(format!(
                "a mapping key is {} bytes long; keys are limited to {MAX_KEY_BYTES} bytes \
                 (Kubernetes' longest, an annotation name, is 317)",
                key.len()
            ));
        }
        if let Some(Frame { content: Content::Mapping { key: slot, .. }, .. }) =
            self.stack.last_mut()
        {
            *slot = Some((key, line_of(mark)));
        }
        Ok(())
    }

    /// The line of the node starting at `mark`: its key's line inside a mapping.
    fn start_node(&mut self, mark: Marker) -> Result<u32, String> {
        match self.stack.last() {
            None => Ok(*self.document_line.get_or_insert(line_of(mark))),
            Some(Frame { content: Content::Sequence { .. }, .. }) => Ok(line_of(mark)),
            Some(Frame { content: Content::Mapping { key: Some((_, line)), .. }, .. }) => Ok(*line),
            Some(Frame { content: Content::Mapping { key: None, .. }, .. }) => {
                Err("a mapping key must be a plain value, not a list or mapping".into())
            }
        }
    }

    fn remember(&mut self, anchor: usize, value: &Value, size: Size) -> Result<(), String> {
        if anchor > 0 {
            self.copy(size)?;
            self.anchors.insert(anchor, (value.clone(), size));
        }
        Ok(())
    }

    fn insert(&mut self, value: Value, lines: Lines, size: Size) -> Result<(), String> {
        let Some(frame) = self.stack.last_mut() else {
            self.root = Some((value, lines));
            return Ok(());
        };
        frame.size.add(size);
        match &mut frame.content {
            Content::Sequence { items, lines: item_lines } => {
                items.push(value);
                item_lines.push(lines);
            }
            Content::Mapping { map, lines: field_lines, key } => {
                let (key, _) = key.take().unwrap_or_default();
                if map.contains_key(&key) {
                    return Err(format!("the key \"{key}\" appears twice in one mapping"));
                }
                frame.size.bytes += key.len();
                field_lines.insert(key.as_str().into(), lines);
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

    #[test]
    fn keys_longer_than_any_kubernetes_key_are_refused_with_their_length() {
        let text = format!("? {}\n: [1, 2]\n", "k".repeat(50_000));
        let error = parse_one(&text).unwrap_err();
        assert!(error.message.contains("50000 bytes long"), "{error}");
        let fine = format!("{}: 1\n", "k".repeat(MAX_KEY_BYTES));
        assert!(parse_one(&fine).is_ok());
    }

    #[test]
    fn lines_are_found_under_long_keys_and_label_keys() {
        let key = "k".repeat(MAX_KEY_BYTES);
        let items = vec!["1"; 20_000].join(", ");
        let text =
            format!("metadata:\n  labels:\n    app.kubernetes.io/name: x\n{key}:\n  [{items}]\n");
        let doc = parse_one(&text).unwrap();
        assert_eq!(doc.line_of("metadata.labels[app.kubernetes.io/name]"), 3);
        assert_eq!(doc.line_of(&format!("{key}[19999]")), 5);
        assert_eq!(doc.line_of("metadata.labels[missing].deeper"), 2);
    }

    #[test]
    fn an_alias_used_as_a_key_is_counted_and_must_be_plain() {
        let doc = parse_one("a: &k name\n*k : 1\n").unwrap();
        assert_eq!(doc.value, json!({"a": "name", "name": 1}));
        let error = parse_one("a: &k [1, 2]\n*k : 1\n").unwrap_err();
        assert!(error.message.contains("plain value"), "{error}");
        // A 1 KB string aliased 300 times as keys: refused before the keys are built.
        let mut text = format!("a: &k {}\n", "x".repeat(1_000));
        for i in 0..300 {
            text.push_str(&format!("b{i}: {{*k : 1}}\n"));
        }
        let error = parse_one(&text).unwrap_err();
        assert!(error.message.contains("alias bomb"), "{error}");
    }

    #[test]
    fn nested_anchors_are_counted_as_copies() {
        // Each anchor keeps a copy of its value: 150 nested anchors over 2,000 values
        // would hold 300,000 copies.
        let mut text = String::from("x: ");
        for i in 0..150 {
            text.push_str(&format!("&a{i} ["));
        }
        text.push_str(&vec!["1"; 2_000].join(","));
        text.push_str(&"]".repeat(150));
        let error = parse_one(&text).unwrap_err();
        assert!(error.message.contains("alias bomb"), "{error}");
    }

    #[test]
    fn the_value_limit_is_per_document() {
        let document = format!("[{}]\n", vec!["1"; 1_000].join(","));
        let text = vec![document; 3_000].join("---\n");
        let (docs, error) = parse_stream(&text);
        assert_eq!(error, None);
        assert_eq!(docs.len(), 3_000);
    }

    #[test]
    fn deep_nesting_is_refused_without_recursion() {
        let text = format!("{}{}", "[".repeat(500_000), "]".repeat(500_000));
        let error = parse_one(&text).unwrap_err();
        assert!(error.message.contains("nested deeper"), "{error}");
    }

    #[test]
    fn a_byte_order_mark_is_not_part_of_the_first_key() {
        let (docs, error) = parse_stream("\u{feff}apiVersion: v1\n");
        assert_eq!(error, None);
        assert_eq!(docs[0].value, json!({"apiVersion": "v1"}));
    }
}
