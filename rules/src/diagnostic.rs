//! What a rule says about an EgressPoint: a message tied to a Kubernetes field path.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::fmt;

/// How bad a finding is. Errors block a write; warnings and infos explain.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Useful background, such as "TCP also permits TLS".
    Info,
    /// Allowed by the platform, but probably not what was meant.
    Warning,
    /// The platform rejects it, or it cannot work.
    Error,
}

impl Severity {
    /// The lowercase word used in text output and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

macro_rules! codes {
    ($($(#[$doc:meta])* $variant:ident = $text:literal,)*) => {
        /// The rule a diagnostic comes from: a stable identifier for tools and docs.
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        pub enum Code {
            $($(#[$doc])* #[serde(rename = $text)] $variant,)*
        }

        impl Code {
            /// Every code, in the order of DESIGN.md's table.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The kebab-case identifier (`ip-protocol`).
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $text,)* }
            }
        }
    };
}

codes! {
    /// The document is not YAML or JSON that can be read at all.
    Syntax = "syntax",
    /// A field holds the wrong type of value (a string where a number belongs).
    Schema = "schema",
    /// `apiVersion`/`kind` are not `networking.tanzu.vmware.com/v1alpha1` / `EgressPoint`.
    Kind = "kind",
    /// A field the EgressPoint schema does not have.
    UnknownField = "unknown-field",
    /// `metadata.name` is not a DNS-1123 subdomain.
    Name = "name",
    /// `spec.sourceRef` is incomplete or names an unsupported kind.
    SourceRef = "source-ref",
    /// No targets, or a target without hosts.
    Targets = "targets",
    /// A host that is neither a DNS name nor an IP address.
    Host = "host",
    /// A port number outside 1–65535.
    Port = "port",
    /// A protocol other than HTTP, HTTPS, TCP, TLS.
    Protocol = "protocol",
    /// An IP address host with a protocol other than TCP.
    IpProtocol = "ip-protocol",
    /// An IP address host on more than one port.
    IpSinglePort = "ip-single-port",
    /// One host and port exposed on two protocols.
    HostPortProtocols = "host-port-protocols",
    /// The same host, port and protocol listed twice or already allowed elsewhere.
    Duplicate = "duplicate",
    /// TLS on a port whose protocol has the server speak first.
    ServerFirst = "server-first",
    /// HTTP on 443 or HTTPS on 80.
    SchemePort = "scheme-port",
    /// A host written with uppercase letters.
    HostCase = "host-case",
    /// `sourceRef` names a workload that does not exist in the Space.
    WorkloadMissing = "workload-missing",
    /// TCP also permits HTTP, HTTPS and TLS.
    TcpCovers = "tcp-covers",
    /// A host that is not an off-cluster target (loopback, link-local, unspecified).
    NotOffCluster = "not-off-cluster",
    /// `metadata.namespace` is not a DNS-1123 label.
    Namespace = "namespace",
    /// A `status` written in a manifest: the platform writes it, the write ignores it.
    Status = "status",
    /// A YAML value that kubectl (YAML 1.1) reads differently from how it looks.
    YamlReading = "yaml-reading",
    /// An egress expectation (`--expect`): an error when it does not hold, info when it does.
    Expectation = "expectation",
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One finding of one rule about one field.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    /// Kubernetes field path of the field at fault (`spec.targets[1].hosts[0]`); empty for
    /// the whole object. The same string goes into a 422 Status `causes[].field`.
    pub path: String,
    /// How bad it is.
    pub severity: Severity,
    /// Which rule found it.
    pub code: Code,
    /// What is wrong, in words for a person.
    pub message: String,
    /// How to fix it, when there is a concrete fix.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// The fix as data, when it is mechanical: what the form's "Fix:" button and
    /// `lint --fix` apply.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fix: Option<Fix>,
}

/// A mechanical fix: new values for some fields.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fix {
    /// What it does, in words that complete "Fix: …" ("use TCP").
    pub label: String,
    /// The fields it sets, in order.
    pub edits: Vec<Edit>,
}

/// One field a [`Fix`] sets.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Edit {
    /// Its field path.
    pub path: String,
    /// Its new value.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub value: Value,
}

impl Fix {
    /// A fix that sets one field.
    pub fn set(label: impl Into<String>, path: impl Into<String>, value: impl Into<Value>) -> Fix {
        Fix { label: label.into(), edits: vec![Edit { path: path.into(), value: value.into() }] }
    }

    /// The same fix setting one more field.
    pub fn and_set(mut self, path: impl Into<String>, value: impl Into<Value>) -> Fix {
        self.edits.push(Edit { path: path.into(), value: value.into() });
        self
    }

    /// Applies the edits to a JSON object.
    pub fn apply(&self, object: &mut Value) {
        for edit in &self.edits {
            crate::path::FieldPath::parse(&edit.path).set(object, edit.value.clone());
        }
    }
}

impl Diagnostic {
    /// An error at `path`.
    pub fn error(code: Code, path: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, code, path, message)
    }

    /// A warning at `path`.
    pub fn warning(code: Code, path: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, code, path, message)
    }

    /// An info at `path`.
    pub fn info(code: Code, path: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(Severity::Info, code, path, message)
    }

    fn new(
        severity: Severity,
        code: Code,
        path: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            path: path.into(),
            severity,
            code,
            message: message.into(),
            hint: None,
            fix: None,
        }
    }

    /// The same diagnostic with a hint.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// The same diagnostic with a mechanical fix.
    pub fn with_fix(mut self, fix: Fix) -> Self {
        self.fix = Some(fix);
        self
    }

    /// True for errors, which block a write.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// True when any diagnostic is an error.
pub fn has_errors(diagnostics: &[Diagnostic]) -> bool {
    diagnostics.iter().any(Diagnostic::is_error)
}
