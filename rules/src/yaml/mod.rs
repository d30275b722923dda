//! YAML in and out: multi-document streams read into JSON values with the line of every
//! field (for compiler-style lint output), and values written back as kubectl writes them.

mod builder;
pub mod edit;
mod resolve;
#[cfg(test)]
mod tests;

use crate::path::{self, Segment};
use builder::Builder;
use granit_parser::{ErrorKind, Event, Options, Parser};
use serde_json::Value;
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
/// Most notes (`yaml-reading`) kept per document; the rest are alike.
pub const MAX_NOTES: usize = 100;

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
    /// The content, as kubectl would send it (see [`YamlDocument::notes`]).
    pub value: Value,
    /// Values kubectl (YAML 1.1) reads differently from how they look (`0443` is octal
    /// 291, `yes` is `true`): warnings with code `yaml-reading`, at most [`MAX_NOTES`].
    pub notes: Vec<crate::Diagnostic>,
    lines: Lines,
}

impl YamlDocument {
    /// The line of `path` (`spec.targets[0].hosts[1]`), or of the nearest enclosing field
    /// that is written in the document.
    pub fn line_of(&self, path: &str) -> usize {
        self.node(path, false).map_or(1, |n| n.line as usize)
    }

    /// Where the scalar at exactly `path` starts in the text: 1-based line and character
    /// column, when the path names a scalar written in the document (not an alias, not a
    /// collection).
    pub fn scalar_at(&self, path: &str) -> Option<(usize, usize)> {
        let node = self.node(path, true)?;
        (node.children.is_none() && node.column > 0)
            .then(|| (node.line as usize + usize::from(node.down), usize::from(node.column)))
    }

    /// The node at `path`; with `exact`, none unless every step is found (otherwise the
    /// nearest enclosing one).
    fn node(&self, path: &str, exact: bool) -> Option<&Lines> {
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
                None if exact => return None,
                None => break,
            }
        }
        Some(at)
    }
}

/// The line of every node of a document, shaped like the document: 16 bytes a node, keys
/// stored once more, so memory is linear in the document's size (a copy of the whole field
/// path per node was quadratic in key length).
#[derive(Clone, Debug, Default, PartialEq)]
struct Lines {
    /// The line of the node (of its key, in a mapping).
    line: u32,
    /// For a scalar written in the text: its 1-based character column (0: none or past
    /// 65,535), and how many lines below `line` it starts (a value under its key).
    column: u16,
    down: u16,
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
                let (line, column) = (e.marker().line(), e.marker().col() + 1);
                let error = match (e.kind(), builder.open_flow()) {
                    (ErrorKind::RecursionLimitExceeded, _) => SyntaxError {
                        line,
                        column,
                        message: format!("nested deeper than {MAX_DEPTH} levels"),
                    },
                    // A `[` or `{` left open makes the parser fail lines later, where nothing
                    // is wrong: point at the bracket instead.
                    (_, Some((open_line, open_column, bracket))) if open_line < line => {
                        let close = if bracket == '[' { ']' } else { '}' };
                        SyntaxError {
                            line: open_line,
                            column: open_column,
                            message: format!(
                                "this {bracket} is not closed with {close} (reading stopped at line {line}: {})",
                                e.info()
                            ),
                        }
                    }
                    _ => SyntaxError { line, column, message: e.info() },
                };
                builder.error.get_or_insert(error);
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
            notes: Vec::new(),
            lines: Lines { line: 1, ..Lines::default() },
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
/// values, as `kubectl get -o yaml` prints them), such that kubectl reads back exactly
/// `value`. Block YAML cannot say everything: a string with trailing blank lines loses them
/// in a `|` block, and a string such as `1_000` is written bare but read by kubectl as a
/// number. So the text is read back, and when it differs the strings are written quoted,
/// and failing that the value is written as JSON, which is YAML too.
pub fn to_yaml(value: &Value) -> String {
    for multiline in [true, false] {
        let text = emit(value, multiline);
        if parse_one(&text).is_ok_and(|doc| doc.value == *value) {
            return text;
        }
    }
    // Pretty JSON of a JSON value cannot fail.
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    text
}

fn emit(value: &Value, multiline: bool) -> String {
    let mut out = String::new();
    let mut emitter = YamlEmitter::new(&mut out);
    emitter.multiline_strings(multiline);
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
