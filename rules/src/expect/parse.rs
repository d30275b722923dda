//! Reading an expectations file: every problem with its line, in words a person can act on.

use super::{Expectation, ExpectationSet, HostPattern, KIND, Traffic, Who};
use crate::host;
use crate::model::{Protocol, WorkloadRef};
use crate::yaml::{self, YamlDocument};
use serde::Serialize;
use serde_json::Value;

/// The optional `apiVersion` of an expectations document.
pub const API_VERSION: &str = "egress-console/v1";

/// A problem in an expectations file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ExpectError {
    /// 1-based line.
    pub line: usize,
    /// The field (`expect[0].reach[1]`).
    pub path: String,
    /// What is wrong and how to write it.
    pub message: String,
}

impl std::fmt::Display for ExpectError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.path.is_empty() {
            write!(f, "line {}: {}", self.line, self.message)
        } else {
            write!(f, "line {}: {}: {}", self.line, self.path, self.message)
        }
    }
}

/// Reads every `EgressExpectations` document of `text` (YAML or JSON). Any problem fails the
/// whole file: a check that silently skipped a misspelt line would pass when it should not.
pub fn parse(text: &str) -> Result<Vec<ExpectationSet>, Vec<ExpectError>> {
    let (documents, syntax) = yaml::parse_stream(text);
    if let Some(e) = syntax {
        return Err(vec![ExpectError {
            line: e.line,
            path: String::new(),
            message: format!("not valid YAML: {}", e.message),
        }]);
    }
    let mut errors = Vec::new();
    let mut sets = Vec::new();
    for document in documents.iter().filter(|d| !d.value.is_null()) {
        let mut reader = Reader { document, errors: &mut errors };
        if let Some(set) = reader.set() {
            sets.push(set);
        }
    }
    if sets.is_empty() && errors.is_empty() {
        errors.push(ExpectError {
            line: 1,
            path: String::new(),
            message: format!("no {KIND} document found (kind: {KIND}, with an expect list)"),
        });
    }
    if errors.is_empty() { Ok(sets) } else { Err(errors) }
}

struct Reader<'a> {
    document: &'a YamlDocument,
    errors: &'a mut Vec<ExpectError>,
}

impl Reader<'_> {
    fn fail(&mut self, path: &str, message: impl Into<String>) {
        let line = self.document.line_of(path);
        self.errors.push(ExpectError { line, path: path.to_owned(), message: message.into() });
    }

    /// Fields of `object` not in `known`: misspelt ones are named with the likely meaning.
    fn only(&mut self, object: &serde_json::Map<String, Value>, at: &str, known: &[&str]) {
        for key in object.keys().filter(|k| !known.contains(&k.as_str())) {
            let path = if at.is_empty() { key.clone() } else { format!("{at}.{key}") };
            let close = known.iter().find(|k| {
                k.eq_ignore_ascii_case(key)
                    || k.replace(['_', '-'], "").eq_ignore_ascii_case(&key.replace(['_', '-'], ""))
            });
            let message = match close {
                Some(k) => format!("unknown field \"{key}\"; did you mean \"{k}\"?"),
                None => format!("unknown field \"{key}\"; the fields are {}", known.join(", ")),
            };
            self.fail(&path, message);
        }
    }

    fn set(&mut self) -> Option<ExpectationSet> {
        let value = &self.document.value;
        let Some(object) = value.as_object() else {
            self.fail("", format!("a document must be a mapping with kind: {KIND}"));
            return None;
        };
        match object.get("kind").and_then(Value::as_str) {
            Some(KIND) => {}
            Some(other) => {
                self.fail(
                    "kind",
                    format!("kind is \"{other}\"; an expectations file holds kind: {KIND}"),
                );
                return None;
            }
            None => {
                self.fail("", format!("kind: {KIND} is missing"));
                return None;
            }
        }
        self.only(object, "", &["apiVersion", "kind", "space", "expect"]);
        if let Some(version) = object.get("apiVersion")
            && version.as_str() != Some(API_VERSION)
        {
            self.fail("apiVersion", format!("apiVersion may only be {API_VERSION} (or left out)"));
        }
        let space = match object.get("space") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) if crate::names::check_label(s).is_ok() => Some(s.clone()),
            Some(_) => {
                self.fail(
                    "space",
                    "space must be the Space's name (a DNS label such as storefront)",
                );
                None
            }
        };
        let Some(items) = object.get("expect").and_then(Value::as_array) else {
            self.fail("expect", "expect must be a list of {workload, reach, notReach} entries");
            return None;
        };
        let mut expectations = Vec::new();
        for (i, item) in items.iter().enumerate() {
            self.entry(item, &format!("expect[{i}]"), &mut expectations);
        }
        Some(ExpectationSet { space, expectations })
    }

    fn entry(&mut self, item: &Value, at: &str, out: &mut Vec<Expectation>) {
        let Some(object) = item.as_object() else {
            self.fail(at, "each entry is a mapping: {workload: Deployment/NAME or any, reach: [...], notReach: [...]}");
            return;
        };
        let before = self.errors.len();
        self.only(object, at, &["workload", "reach", "notReach", "why"]);
        let misspelt = self.errors.len() > before;
        let who = match object.get("workload").and_then(Value::as_str) {
            Some(text) => match parse_who(text) {
                Ok(who) => who,
                Err(message) => return self.fail(&format!("{at}.workload"), message),
            },
            None => {
                return self.fail(
                    &format!("{at}.workload"),
                    "workload is required: Deployment/NAME, ContainerApp/NAME or any",
                );
            }
        };
        let why = object.get("why").and_then(Value::as_str).map(str::to_owned);
        let mut any = false;
        for (field, reach) in [("reach", true), ("notReach", false)] {
            let Some(list) = object.get(field) else { continue };
            let path = format!("{at}.{field}");
            let Some(list) = list.as_array() else {
                self.fail(
                    &path,
                    format!("{field} must be a list such as [api.stripe.com:443/HTTPS]"),
                );
                continue;
            };
            for (j, entry) in list.iter().enumerate() {
                let path = format!("{path}[{j}]");
                let parsed = match entry {
                    Value::String(text) => parse_traffic(text, reach),
                    _ => Err("write HOST:PORT/PROTOCOL as a string, e.g. api.stripe.com:443/HTTPS"
                        .to_owned()),
                };
                match parsed {
                    Ok(traffic) => {
                        any = true;
                        let line = self.document.line_of(&path);
                        out.push(Expectation {
                            who: who.clone(),
                            traffic,
                            reach,
                            why: why.clone(),
                            line,
                        });
                    }
                    Err(message) => self.fail(&path, message),
                }
            }
        }
        if !any && !misspelt && !object.contains_key("reach") && !object.contains_key("notReach") {
            self.fail(at, "an entry needs reach, notReach or both");
        }
    }
}

/// `any`, `Deployment/NAME`, `ContainerApp/NAME` (or with the API group:
/// `Deployment.apps/NAME`, `ContainerApp.apps.tanzu.vmware.com/NAME`).
pub fn parse_who(text: &str) -> Result<Who, String> {
    let text = text.trim();
    if text == "any" || text == "*" {
        return Ok(Who::Any);
    }
    let Some((kind, name)) = text.split_once('/') else {
        return Err(format!(
            "workload \"{text}\" is not KIND/NAME: write Deployment/{text}, ContainerApp/{text} or any"
        ));
    };
    let workload = match kind {
        "Deployment" | "Deployment.apps" => WorkloadRef::deployment(name),
        "ContainerApp" | "ContainerApp.apps.tanzu.vmware.com" => WorkloadRef::container_app(name),
        other => {
            return Err(format!(
                "workload kind \"{other}\" is not one an EgressPoint can name: Deployment or ContainerApp"
            ));
        }
    };
    crate::names::check_subdomain(name).map_err(|why| format!("workload name \"{name}\" {why}"))?;
    Ok(Who::Workload(workload))
}

/// `HOST:PORT/PROTOCOL`. In `notReach` (reach = false) the host may be `*` or `*.DOMAIN`,
/// the port `*`, and `/PROTOCOL` may be left out; `reach` names one exact host, port and
/// protocol, since "can reach any host" is not something an EgressPoint can grant.
pub fn parse_traffic(text: &str, reach: bool) -> Result<Traffic, String> {
    let written = text.trim();
    let example = "e.g. api.stripe.com:443/HTTPS";
    let (address, protocol) = match written.rsplit_once('/') {
        Some((address, protocol)) => {
            let p = Protocol::ALL
                .into_iter()
                .find(|p| p.as_str().eq_ignore_ascii_case(protocol.trim()));
            match p {
                Some(p) => (address, Some(p)),
                None => {
                    return Err(format!(
                        "\"{protocol}\" is not a protocol: HTTP, HTTPS, TCP or TLS ({example})"
                    ));
                }
            }
        }
        None => (written, None),
    };
    if let Some((scheme, rest)) = address.split_once("://") {
        let suggestion = format!("{rest}/{}", protocol.map_or("TCP", Protocol::as_str));
        return Err(format!("\"{written}\": write the host without {scheme}://, as {suggestion}"));
    }
    let (host, port) = if let Some(rest) = address.strip_prefix('[') {
        match rest.split_once("]:") {
            Some((ip, port)) => (ip, port),
            None => {
                return Err(format!("\"{written}\": an IPv6 address is written [ADDRESS]:PORT"));
            }
        }
    } else {
        match address.rsplit_once(':') {
            Some((host, port)) if !host.contains(':') => (host, port),
            Some(_) => {
                return Err(format!(
                    "\"{written}\": write an IPv6 address in brackets, [2001:db8::1]:443/TCP"
                ));
            }
            None => {
                return Err(format!(
                    "\"{written}\" has no port: write HOST:PORT/PROTOCOL, {example}"
                ));
            }
        }
    };
    let port = match port {
        "*" => None,
        digits => match digits.parse::<u16>() {
            Ok(p) if p > 0 => Some(p),
            _ => {
                return Err(format!(
                    "port \"{digits}\" is not a port number from 1 to 65535 (or * in notReach)"
                ));
            }
        },
    };
    let host = match host {
        "*" => HostPattern::Any,
        h if h.starts_with("*.") => {
            let domain = &h[2..];
            match host::classify(domain) {
                Ok(host::HostKind::Name) => {
                    HostPattern::Under(host::host_key(domain, host::HostKind::Name).into_owned())
                }
                _ => {
                    return Err(format!("\"{h}\": after *. comes a DNS name, as in *.example.com"));
                }
            }
        }
        h => match host::classify(h) {
            Ok(kind) => HostPattern::Exact(host::host_key(h, kind).into_owned()),
            Err(problem) => return Err(format!("host \"{h}\": {}", problem.message)),
        },
    };
    if reach {
        let vague = match (&host, port, protocol) {
            (HostPattern::Any | HostPattern::Under(_), _, _) => Some("one host"),
            (_, None, _) => Some("one port"),
            (_, _, None) => Some("a protocol"),
            _ => None,
        };
        if let Some(what) = vague {
            return Err(format!(
                "\"{written}\": reach names {what} ({example}); patterns and a missing protocol are for notReach"
            ));
        }
    }
    Ok(Traffic { host, port, protocol, written: written.to_owned() })
}
