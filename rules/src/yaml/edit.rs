//! Changing scalar values of a YAML text in place, everything else kept byte for byte
//! (comments, layout, quoting style): what `lint --fix` writes. Each edit is checked by
//! reading the result back; a value that cannot be replaced safely (a multi-line or block
//! scalar, an alias) is refused, never guessed.

use super::{YamlDocument, parse_stream};
use crate::path::FieldPath;
use serde_json::Value;

/// One value to set: in document `document` (0-based) of the stream, at field path `path`.
#[derive(Clone, Debug, PartialEq)]
pub struct ScalarEdit {
    /// 0-based document of the stream.
    pub document: usize,
    /// Field path in that document.
    pub path: String,
    /// The new value (a string or a number).
    pub value: Value,
}

/// Why an edit was not made.
#[derive(Clone, Debug, PartialEq)]
pub struct Refused {
    /// The edit.
    pub edit: ScalarEdit,
    /// Why, in words.
    pub reason: String,
}

/// Applies the edits that can be made in place; returns the new text and the edits refused.
/// Two edits of one value keep the first.
pub fn set_scalars(text: &str, edits: &[ScalarEdit]) -> (String, Vec<Refused>) {
    let (documents, error) = parse_stream(text);
    let mut refused = Vec::new();
    if error.is_some() {
        let reason = "the file is not valid YAML".to_owned();
        return (text.to_owned(), edits.iter().map(|e| refuse(e, &reason)).collect());
    }
    let line_starts: Vec<usize> =
        std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
    // (byte range, replacement, edit)
    let mut planned: Vec<(std::ops::Range<usize>, String, &ScalarEdit)> = Vec::new();
    for edit in edits {
        match plan(text, &line_starts, documents.get(edit.document), edit) {
            Ok((range, replacement)) => {
                if !planned.iter().any(|(r, _, _)| r.start == range.start) {
                    planned.push((range, replacement, edit));
                }
            }
            Err(reason) => refused.push(refuse(edit, &reason)),
        }
    }
    planned.sort_by_key(|(range, _, _)| std::cmp::Reverse(range.start));
    let mut out = text.to_owned();
    for (range, replacement, _) in &planned {
        out.replace_range(range.clone(), replacement);
    }
    // Read the result back: every planned value must be what it should, and nothing else
    // may have changed.
    let (after, error) = parse_stream(&out);
    let mut expected: Vec<Value> = documents.iter().map(|d| d.value.clone()).collect();
    for (_, _, edit) in &planned {
        if let Some(document) = expected.get_mut(edit.document) {
            FieldPath::parse(&edit.path).set(document, edit.value.clone());
        }
    }
    let read_back: Vec<Value> = after.iter().map(|d| d.value.clone()).collect();
    if error.is_some() || read_back != expected {
        let reason = "the value could not be replaced without changing the rest".to_owned();
        refused.extend(planned.iter().map(|(_, _, e)| refuse(e, &reason)));
        return (text.to_owned(), refused);
    }
    (out, refused)
}

fn refuse(edit: &ScalarEdit, reason: &str) -> Refused {
    Refused { edit: edit.clone(), reason: reason.to_owned() }
}

/// The byte range of the scalar an edit replaces, and what replaces it.
fn plan(
    text: &str,
    line_starts: &[usize],
    document: Option<&YamlDocument>,
    edit: &ScalarEdit,
) -> Result<(std::ops::Range<usize>, String), String> {
    let document = document.ok_or("no such document")?;
    let (line, column) = document
        .scalar_at(&edit.path)
        .ok_or_else(|| format!("{} is not a value written in the file", edit.path))?;
    let line_start = *line_starts.get(line.saturating_sub(1)).ok_or("no such line")?;
    let line_end = text[line_start..].find('\n').map_or(text.len(), |i| line_start + i);
    let line_text = &text[line_start..line_end];
    let start = line_text
        .char_indices()
        .nth(column.saturating_sub(1))
        .map(|(i, _)| i)
        .ok_or("the value is not where the parser saw it")?;
    let rest = &line_text[start..];
    let flow = line_text[..start].contains(['[', '{']);
    let (length, style) = match rest.chars().next() {
        Some('"') => (closing(rest, '"').ok_or("a quoted value continues on the next line")?, '"'),
        Some('\'') => {
            (closing(rest, '\'').ok_or("a quoted value continues on the next line")?, '\'')
        }
        Some('|' | '>' | '&' | '*' | '!') => return Err("a block scalar, anchor or tag".into()),
        Some(_) => (plain_length(rest, flow), ' '),
        None => return Err("an empty value".into()),
    };
    let replacement = render(&edit.value, style)?;
    Ok((line_start + start..line_start + start + length, replacement))
}

/// Bytes up to and including the closing quote (a `''` inside single quotes is a quote).
fn closing(rest: &str, quote: char) -> Option<usize> {
    let mut chars = rest.char_indices().skip(1).peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' if quote == '"' => {
                chars.next();
            }
            c if c == quote => {
                if quote == '\'' && chars.peek().is_some_and(|(_, n)| *n == '\'') {
                    chars.next();
                    continue;
                }
                return Some(i + 1);
            }
            _ => {}
        }
    }
    None
}

/// A plain scalar ends at a comment, at the end of the line, or in a flow collection at
/// `,`, `]` or `}`; trailing spaces are not part of it.
fn plain_length(rest: &str, flow: bool) -> usize {
    let mut end = rest.len();
    let bytes = rest.as_bytes();
    for (i, b) in bytes.iter().enumerate() {
        let comment = *b == b'#' && i > 0 && bytes[i - 1].is_ascii_whitespace();
        if comment || (flow && matches!(b, b',' | b']' | b'}')) {
            end = i;
            break;
        }
    }
    rest[..end].trim_end().len()
}

/// The new value in the style of the old one: plain when it reads back as the same string,
/// otherwise quoted.
fn render(value: &Value, style: char) -> Result<String, String> {
    match value {
        Value::Number(n) => Ok(n.to_string()),
        Value::String(s) => Ok(match style {
            '\'' => format!("'{}'", s.replace('\'', "''")),
            '"' => serde_json::to_string(s).map_err(|e| e.to_string())?,
            _ if reads_back_as_string(s) => s.clone(),
            _ => serde_json::to_string(s).map_err(|e| e.to_string())?,
        }),
        _ => Err("only strings and numbers are set in place".into()),
    }
}

/// True when `s` written plain is read as that same string (not `true`, `1.5`, `null`…).
fn reads_back_as_string(s: &str) -> bool {
    !s.is_empty()
        && s.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'/'))
        && super::parse_one(&format!("v: {s}"))
            .is_ok_and(|d| d.value.get("v") == Some(&Value::String(s.to_owned())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn set(text: &str, path: &str, value: Value) -> (String, Vec<Refused>) {
        set_scalars(text, &[ScalarEdit { document: 0, path: path.into(), value }])
    }

    #[test]
    fn values_change_in_place_and_nothing_else_does() {
        let text = "# our egress\nspec:\n  targets:\n  - hosts: [\"https://api.example.com\", b.com]  # two\n    port: {number: 443, protocol: https}\n";
        let (out, refused) = set(text, "spec.targets[0].hosts[0]", json!("api.example.com"));
        assert!(refused.is_empty(), "{refused:?}");
        assert_eq!(out, text.replace("\"https://api.example.com\"", "\"api.example.com\""));
        let (out, _) = set(&out, "spec.targets[0].port.protocol", json!("HTTPS"));
        assert!(out.ends_with("{number: 443, protocol: HTTPS}\n"), "{out}");
        let block = "name: My_App   # the name\nport: 5432\n";
        let (out, _) = set(block, "name", json!("my-app"));
        assert_eq!(out, "name: my-app   # the name\nport: 5432\n");
        let (out, _) = set(block, "port", json!(6543));
        assert_eq!(out, "name: My_App   # the name\nport: 6543\n");
    }

    #[test]
    fn a_value_that_would_read_differently_plain_is_quoted() {
        let (out, _) = set("p: TLS\n", "p", json!("yes"));
        assert_eq!(out, "p: \"yes\"\n");
        let (out, _) = set("p: 'TLS'\n", "p", json!("it's"));
        assert_eq!(out, "p: 'it''s'\n");
    }

    #[test]
    fn what_cannot_be_replaced_safely_is_refused_and_left_alone() {
        let text = "a: |\n  text\nb: &x one\nc: *x\n";
        for path in ["a", "c", "missing"] {
            let (out, refused) = set(text, path, json!("v"));
            assert_eq!((out.as_str(), refused.len()), (text, 1), "{path}");
        }
    }
}
