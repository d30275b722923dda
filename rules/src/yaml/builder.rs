//! Builds JSON values (and the line of every node) from the parser's events, counting what
//! each document holds so that no input costs more than a small multiple of its size.

use super::resolve::resolve_plain;
use super::{
    ALIAS_ALLOWANCE, Children, Lines, MAX_DEPTH, MAX_KEY_BYTES, MAX_NODES, MAX_NOTES, SyntaxError,
    YamlDocument,
};
use crate::diagnostic::{Code, Diagnostic};
use crate::path;
use granit_parser::{Event, Marker, ScalarStyle, StructureStyle};
use serde_json::{Map, Value};
use std::collections::HashMap;

/// A collection being read, with what it holds so far and how big that is.
struct Frame {
    content: Content,
    /// Line of the collection (of its key, inside a mapping).
    line: u32,
    anchor: usize,
    /// Values and bytes in the collection, for what an alias to it would cost.
    size: Size,
    /// Where a flow collection (`[`, `{`) opened: line, column and bracket.
    flow: Option<(usize, usize, char)>,
}

enum Content {
    Sequence {
        items: Vec<Value>,
        lines: Vec<Lines>,
    },
    Mapping {
        map: Map<String, Value>,
        lines: HashMap<Box<str>, Lines>,
        key: Option<Key>,
        /// Mappings merged in with `<<`, and the line of each `<<`, applied at the end:
        /// keys written in the mapping itself win, then earlier merged mappings.
        merged: Vec<(Map<String, Value>, u32)>,
    },
}

/// A mapping key waiting for its value.
struct Key {
    text: String,
    line: u32,
    /// A plain `<<`: YAML 1.1's merge key, which kubectl honours.
    merge: bool,
}

/// How much a value holds: nodes, and bytes of keys and strings.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Size {
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
pub(super) struct Builder {
    pub documents: Vec<YamlDocument>,
    pub error: Option<SyntaxError>,
    stack: Vec<Frame>,
    /// Anchored values and their sizes, for aliases.
    anchors: HashMap<usize, (Value, Size)>,
    document_line: Option<u32>,
    root: Option<(Value, Lines)>,
    /// Values of the current document.
    nodes: usize,
    /// What kubectl reads differently, in the current document.
    notes: Vec<Diagnostic>,
    /// What the stream writes, and what its aliases and anchors have added to it.
    written: Size,
    copied: Size,
}

fn line_of(mark: Marker) -> u32 {
    u32::try_from(mark.line()).unwrap_or(u32::MAX)
}

const NOT_PLAIN_KEY: &str = "a mapping key must be a plain value, not a list or mapping";

impl Builder {
    /// Takes one event; the first problem is kept in `error`.
    pub fn on_event(&mut self, event: Event<'_>, mark: Marker) {
        if let Err(message) = self.handle(event, mark) {
            self.error = Some(SyntaxError { line: mark.line(), column: mark.col() + 1, message });
        }
    }

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
                let notes = std::mem::take(&mut self.notes);
                self.documents.push(YamlDocument {
                    index,
                    line: line as usize,
                    value,
                    lines,
                    notes,
                });
            }
            Event::MappingStart(style, anchor, _) | Event::SequenceStart(style, anchor, _) => {
                if self.stack.len() >= MAX_DEPTH {
                    return Err(format!("nested deeper than {MAX_DEPTH} levels"));
                }
                let line = self.start_node(mark)?;
                self.count(Size { nodes: 1, bytes: 0 })?;
                let mapping = matches!(event, Event::MappingStart(..));
                let flow = (style == StructureStyle::Flow)
                    .then(|| (mark.line(), mark.col() + 1, if mapping { '{' } else { '[' }));
                let content = if mapping {
                    Content::Mapping {
                        map: Map::new(),
                        lines: HashMap::new(),
                        key: None,
                        merged: Vec::new(),
                    }
                } else {
                    Content::Sequence { items: Vec::new(), lines: Vec::new() }
                };
                let size = Size { nodes: 1, bytes: 0 };
                self.stack.push(Frame { content, line, anchor, size, flow });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                let frame = self.stack.pop().ok_or("unbalanced collection end")?;
                let (value, children) = match frame.content {
                    Content::Mapping { mut map, mut lines, merged, .. } => {
                        for (source, line) in merged {
                            for (key, value) in source {
                                if !map.contains_key(&key) {
                                    lines.insert(
                                        key.as_str().into(),
                                        Lines { line, ..Lines::default() },
                                    );
                                    map.insert(key, value);
                                }
                            }
                        }
                        (Value::Object(map), Children::Mapping(lines))
                    }
                    Content::Sequence { items, lines } => {
                        (Value::Array(items), Children::Sequence(lines))
                    }
                };
                self.remember(frame.anchor, &value, frame.size)?;
                let lines = Lines {
                    line: frame.line,
                    children: Some(Box::new(children)),
                    ..Lines::default()
                };
                self.insert(value, lines, frame.size)?;
            }
            Event::Scalar(text, style, anchor, tag) => {
                let size = Size { nodes: 1, bytes: text.len() };
                let plain = style == ScalarStyle::Plain;
                if self.expecting_key() {
                    self.count(size)?;
                    let merge = plain && text == "<<";
                    return self.set_key(text.into_owned(), mark, merge);
                }
                let line = self.start_node(mark)?;
                self.count(size)?;
                let is_str_tag = tag.is_some_and(|t| t.suffix() == "str");
                let value = if !plain || is_str_tag {
                    Value::String(text.into_owned())
                } else {
                    let resolved = resolve_plain(&text);
                    if let Some((message, hint)) = resolved.note {
                        self.note(message, hint);
                    }
                    resolved.value
                };
                self.remember(anchor, &value, size)?;
                let column = u16::try_from(mark.col() + 1).unwrap_or(0);
                let down = u16::try_from(line_of(mark).saturating_sub(line)).unwrap_or(0);
                let column = if line_of(mark) < line { 0 } else { column };
                self.insert(value, Lines { line, column, down, children: None }, size)?;
            }
            Event::Alias(anchor) => {
                let size = self.anchors.get(&anchor).ok_or("alias to an unknown anchor")?.1;
                // Counted before it is copied: a refused alias costs nothing.
                self.copy(size)?;
                let value = self.anchors.get(&anchor).map_or(&Value::Null, |(value, _)| value);
                if self.expecting_key() {
                    let key = match value {
                        Value::String(s) => s.clone(),
                        Value::Array(_) | Value::Object(_) => return Err(NOT_PLAIN_KEY.into()),
                        other => other.to_string(),
                    };
                    return self.set_key(key, mark, false);
                }
                let value = value.clone();
                let line = self.start_node(mark)?;
                self.count_nodes(size.nodes)?;
                self.insert(value, Lines { line, ..Lines::default() }, size)?;
            }
            // Stream start and end, and events only asked for by options left off.
            _ => {}
        }
        Ok(())
    }

    /// The innermost flow collection still open: line, column and bracket.
    pub fn open_flow(&self) -> Option<(usize, usize, char)> {
        self.stack.iter().rev().find_map(|frame| frame.flow)
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

    fn set_key(&mut self, text: String, mark: Marker, merge: bool) -> Result<(), String> {
        if text.len() > MAX_KEY_BYTES {
            return Err(format!(
                "a mapping key is {} bytes long; keys are limited to {MAX_KEY_BYTES} bytes \
                 (Kubernetes' longest, an annotation name, is 317)",
                text.len()
            ));
        }
        if let Some(Frame { content: Content::Mapping { key: slot, .. }, .. }) =
            self.stack.last_mut()
        {
            *slot = Some(Key { text, line: line_of(mark), merge });
        }
        Ok(())
    }

    /// The line of the node starting at `mark`: its key's line inside a mapping.
    fn start_node(&mut self, mark: Marker) -> Result<u32, String> {
        match self.stack.last() {
            None => Ok(*self.document_line.get_or_insert(line_of(mark))),
            Some(Frame { content: Content::Sequence { .. }, .. }) => Ok(line_of(mark)),
            Some(Frame { content: Content::Mapping { key: Some(key), .. }, .. }) => Ok(key.line),
            Some(Frame { content: Content::Mapping { key: None, .. }, .. }) => {
                Err(NOT_PLAIN_KEY.into())
            }
        }
    }

    /// The field path of the node being read: each open collection's pending key or index.
    /// Built only for the (few, capped) notes, never per node.
    fn current_path(&self) -> String {
        let mut at = String::new();
        for frame in &self.stack {
            at = match &frame.content {
                Content::Sequence { items, .. } => path::index(&at, items.len()),
                Content::Mapping { key: Some(key), .. } => path::child(&at, &key.text),
                Content::Mapping { key: None, .. } => at,
            };
        }
        at
    }

    fn note(&mut self, message: String, hint: String) {
        if self.notes.len() < MAX_NOTES {
            let at = self.current_path();
            self.notes.push(Diagnostic::warning(Code::YamlReading, at, message).with_hint(hint));
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
            Content::Mapping { map, lines: field_lines, key, merged } => {
                let Key { text: key, line, merge } =
                    key.take().unwrap_or(Key { text: String::new(), line: 0, merge: false });
                if merge {
                    return merge_into(merged, value, line);
                }
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

/// `<<: *base` or `<<: [*a, *b]`: the mappings to merge, in order of precedence.
fn merge_into(
    merged: &mut Vec<(Map<String, Value>, u32)>,
    value: Value,
    line: u32,
) -> Result<(), String> {
    let wrong = || "the merge key << takes a mapping or a list of mappings".to_owned();
    match value {
        Value::Object(map) => merged.push((map, line)),
        Value::Array(items) => {
            for item in items {
                let Value::Object(map) = item else { return Err(wrong()) };
                merged.push((map, line));
            }
        }
        _ => return Err(wrong()),
    }
    Ok(())
}
