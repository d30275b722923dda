//! Plain (unquoted) scalars resolved as kubectl reads them. `kubectl apply -f` turns YAML
//! into JSON with sigs.k8s.io/yaml, which is go-yaml v2 and so YAML 1.1: `yes`, `on`, `y`
//! are booleans, `0443` is octal, `0b`/`0o`/`0x` prefixes and `_` inside numbers are read.
//! This reader returns what kubectl would send; where a YAML 1.2 reader — and most people
//! reading the file — would see something else, it says so in a note.

use serde_json::{Number, Value};
use yaml_rust2::Yaml;

/// A plain scalar's value, and what to tell the user when YAML 1.2 would read it otherwise.
pub(super) struct Resolved {
    pub value: Value,
    /// (message, hint).
    pub note: Option<(String, String)>,
}

/// Resolves `text` as kubectl does, noting a difference from YAML 1.2.
pub(super) fn resolve_plain(text: &str) -> Resolved {
    let kubectl = resolve_yaml_1_1(text);
    let yaml_1_2 = resolve_yaml_1_2(text);
    let same_number = kubectl.as_f64().is_some() && kubectl.as_f64() == yaml_1_2.as_f64();
    let note = (kubectl != yaml_1_2 && !same_number).then(|| describe(text, &kubectl, &yaml_1_2));
    Resolved { value: kubectl, note }
}

/// A float as Go's JSON writes it: integral values without a fraction (`8`, not `8.0`).
fn json_number(float: f64) -> Option<Number> {
    // 2^63: larger magnitudes stay floats.
    if float.fract() == 0.0 && float.abs() < 9.223_372_036_854_776e18 {
        return Some((float as i64).into());
    }
    Number::from_f64(float)
}

fn describe(text: &str, kubectl: &Value, yaml_1_2: &Value) -> (String, String) {
    match (kubectl, yaml_1_2) {
        (Value::Bool(b), Value::String(_)) => (
            format!(
                "{text} is read as the boolean {b} by kubectl (YAML 1.1), not as the text \"{text}\""
            ),
            format!("quote it: \"{text}\""),
        ),
        (Value::Number(n), Value::Number(m)) if is_octal(text) => (
            format!("{text} is read as the octal number {n} by kubectl (YAML 1.1), not {m}"),
            format!("write {m} without the leading zero, or quote it: \"{text}\""),
        ),
        (Value::Number(n), _) => (
            format!("{text} is read as the number {n} by kubectl (YAML 1.1)"),
            format!("write {n}, or quote it for text: \"{text}\""),
        ),
        (kubectl, yaml_1_2) => (
            format!("{text} is read as {kubectl} by kubectl (YAML 1.1), not as {yaml_1_2}"),
            format!("quote it: \"{text}\""),
        ),
    }
}

fn is_octal(text: &str) -> bool {
    let digits = text.trim_start_matches(['+', '-']);
    digits.len() > 1
        && digits.starts_with('0')
        && digits.bytes().all(|b| b.is_ascii_digit() || b == b'_')
}

/// go-yaml v2's `resolve` for an untagged plain scalar, then sigs.k8s.io/yaml's JSON.
fn resolve_yaml_1_1(text: &str) -> Value {
    match text {
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            return Value::Bool(true);
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            return Value::Bool(false);
        }
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        _ => {}
    }
    let string = || Value::String(text.to_owned());
    match text.as_bytes()[0] {
        // `.5` is a float; `.inf` and `.nan` have no JSON form (kubectl cannot send them).
        b'.' => text.parse::<f64>().ok().and_then(json_number).map_or_else(string, Value::Number),
        b'+' | b'-' | b'0'..=b'9' => {
            let plain = text.replace('_', "");
            if let Some(number) = go_parse_int(&plain) {
                return Value::Number(number);
            }
            if is_yaml_style_float(&plain)
                && let Some(number) = plain.parse::<f64>().ok().and_then(json_number)
            {
                return Value::Number(number);
            }
            string()
        }
        _ => string(),
    }
}

/// Go's `strconv.ParseInt(s, 0, 64)`, then `ParseUint(s, 0, 64)`: an optional sign, then
/// `0x`, `0o`, `0b` or a leading `0` (octal) choose the base.
fn go_parse_int(text: &str) -> Option<Number> {
    let (negative, digits) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let lower = digits.to_ascii_lowercase();
    let (radix, rest) = if let Some(rest) = lower.strip_prefix("0x") {
        (16, rest)
    } else if let Some(rest) = lower.strip_prefix("0o") {
        (8, rest)
    } else if let Some(rest) = lower.strip_prefix("0b") {
        (2, rest)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, &lower[1..])
    } else {
        (10, lower.as_str())
    };
    if rest.is_empty() || rest.starts_with(['+', '-']) {
        return None;
    }
    let magnitude = u64::from_str_radix(rest, radix).ok()?;
    if negative {
        let value = i64::try_from(magnitude)
            .map(|m| -m)
            .ok()
            .or_else(|| (magnitude == i64::MIN.unsigned_abs()).then_some(i64::MIN))?;
        Some(value.into())
    } else {
        Some(magnitude.into())
    }
}

/// go-yaml v2's `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`.
fn is_yaml_style_float(text: &str) -> bool {
    let text = text.strip_prefix(['+', '-']).unwrap_or(text);
    let (mantissa, exponent) = match text.find(['e', 'E']) {
        Some(at) => (&text[..at], Some(&text[at + 1..])),
        None => (text, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = match mantissa.split_once('.') {
        Some(("", fraction)) => digits(fraction),
        Some((whole, fraction)) => digits(whole) && (fraction.is_empty() || digits(fraction)),
        None => digits(mantissa),
    };
    let exponent_ok = exponent.is_none_or(|e| digits(e.strip_prefix(['+', '-']).unwrap_or(e)));
    mantissa_ok && exponent_ok
}

/// YAML 1.2 core schema resolution, for comparison.
fn resolve_yaml_1_2(text: &str) -> Value {
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
    fn scalars_are_read_as_kubectl_reads_them() {
        for (text, kubectl) in [
            ("0443", json!(291)),
            ("443", json!(443)),
            ("+443", json!(443)),
            ("-0x1F", json!(-31)),
            ("0o17", json!(15)),
            ("0b101", json!(5)),
            ("1_000", json!(1000)),
            ("08", json!(8)),
            ("1.5e3", json!(1500)),
            ("1.25", json!(1.25)),
            (".5", json!(0.5)),
            ("yes", json!(true)),
            ("Off", json!(false)),
            ("y", json!(true)),
            ("~", json!(null)),
            ("18446744073709551615", json!(18446744073709551615u64)),
            ("-9223372036854775808", json!(i64::MIN)),
            ("2001-12-14", json!("2001-12-14")),
            ("yesterday", json!("yesterday")),
            (".inf", json!(".inf")),
            ("0x", json!("0x")),
        ] {
            assert_eq!(resolve_plain(text).value, kubectl, "{text}");
        }
    }

    #[test]
    fn a_reading_that_yaml_1_2_would_not_share_is_noted() {
        let note = resolve_plain("0443").note.unwrap();
        assert_eq!(note.0, "0443 is read as the octal number 291 by kubectl (YAML 1.1), not 443");
        let note = resolve_plain("yes").note.unwrap();
        assert!(note.0.contains("boolean true"), "{note:?}");
        assert_eq!(note.1, "quote it: \"yes\"");
        assert!(resolve_plain("1_000").note.unwrap().0.contains("number 1000"));
        for same in ["443", "true", "null", "1.5", "api.example.com", "0x1F", "08", "1.0"] {
            assert!(resolve_plain(same).note.is_none(), "{same}");
        }
    }
}
