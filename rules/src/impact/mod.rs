//! What a change to a Space's EgressPoints does to each workload's access: for every
//! workload (and "any other workload", which gets only the rules for every workload), the
//! host+port+protocol combinations it gains and loses. The reference page's semantics: a
//! rule applies to its workload, or to every workload without `sourceRef`; TCP on a
//! host+port also permits HTTP, HTTPS and TLS there. A rule that another EgressPoint already
//! allows for the same workloads changes nothing, and is reported as having no effect.
//! [`kept_after_delete`] answers the delete dialog's rule-by-rule question: which other
//! EgressPoint keeps each rule's traffic flowing.

mod delete;
mod index;

pub use delete::{Kept, kept_after_delete};
pub use index::{AccessIndex, impact, impact_of_change};

use crate::egress::Rule;
use crate::model::{Protocol, WorkloadRef};
use serde::{Deserialize, Serialize};

/// Who is affected.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "kind", content = "workload")]
pub enum Subject {
    /// One workload.
    Workload(WorkloadRef),
    /// Every workload no EgressPoint names: it gets only the rules for every workload.
    OtherWorkloads,
}

impl Subject {
    /// How the UI says it: "checkout (Deployment)", "any other workload".
    pub fn label(&self) -> String {
        match self {
            Subject::Workload(w) => w.label(),
            Subject::OtherWorkloads => "any other workload".to_owned(),
        }
    }
}

/// One host, port and protocol a workload may use.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Grant {
    /// The host, as its key (lowercase DNS name without the trailing dot, or the IP).
    pub host: String,
    /// The port.
    pub port: u16,
    /// The protocol.
    pub protocol: Protocol,
}

impl std::fmt::Display for Grant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{} {}", self.host, self.port, self.protocol)
    }
}

/// What one subject gains and loses.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubjectImpact {
    /// Who.
    pub subject: Subject,
    /// Newly allowed.
    pub gains: Vec<Grant>,
    /// No longer allowed.
    pub loses: Vec<Grant>,
}

/// The impact of a change.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Impact {
    /// Every subject whose access changes, in order.
    pub subjects: Vec<SubjectImpact>,
    /// Rules added by the change that allow nothing new: another EgressPoint already
    /// allows that traffic for the same workloads.
    pub no_effect: Vec<Rule>,
    /// How many subjects were compared (every workload known, plus "any other workload").
    #[serde(default)]
    pub considered: usize,
}

impl Impact {
    /// True when nobody's access changes.
    pub fn is_empty(&self) -> bool {
        self.subjects.is_empty()
    }

    /// In words, one line per distinct change: subjects with the same change share a line
    /// ("every workload gains api.stripe.com:443 HTTP/TCP/TLS; loses nothing"), and a
    /// host+port's protocols are written together.
    pub fn lines(&self) -> Vec<String> {
        let mut groups: Vec<(&[Grant], &[Grant], Vec<&Subject>)> = Vec::new();
        for s in &self.subjects {
            match groups
                .iter_mut()
                .find(|(g, l, _)| *g == s.gains.as_slice() && *l == s.loses.as_slice())
            {
                Some((_, _, subjects)) => subjects.push(&s.subject),
                None => groups.push((&s.gains, &s.loses, vec![&s.subject])),
            }
        }
        groups
            .into_iter()
            .map(|(gains, loses, subjects)| {
                // Everyone the Space has, "any other workload" included: say so.
                let everyone = subjects.len() == self.considered
                    && subjects.contains(&&Subject::OtherWorkloads);
                let (who, plural) = if everyone {
                    ("every workload".to_owned(), false)
                } else {
                    let labels: Vec<String> = subjects.iter().map(|s| s.label()).collect();
                    (labels.join(", "), labels.len() > 1)
                };
                let (gain, lose) = if plural { ("gain", "lose") } else { ("gains", "loses") };
                format!("{who} {gain} {}; {lose} {}", said(gains), said(loses))
            })
            .collect()
    }
}

/// Grants in words, a host+port's protocols together: "api.stripe.com:443 HTTP/TCP/TLS".
fn said(grants: &[Grant]) -> String {
    if grants.is_empty() {
        return "nothing".to_owned();
    }
    let mut by_target: Vec<((&str, u16), Vec<&str>)> = Vec::new();
    for g in grants {
        let key = (g.host.as_str(), g.port);
        match by_target.iter_mut().find(|(k, _)| *k == key) {
            Some((_, protocols)) => protocols.push(g.protocol.as_str()),
            None => by_target.push((key, vec![g.protocol.as_str()])),
        }
    }
    by_target
        .into_iter()
        .map(|((host, port), protocols)| format!("{host}:{port} {}", protocols.join("/")))
        .collect::<Vec<_>>()
        .join(", ")
}
