//! What the rules allow: the flattened rules of a Space, the effective egress of a workload,
//! and whether a workload can reach host:port over a protocol.

use crate::host::{self, HostProblem};
use crate::model::{AppliesTo, EgressPoint, Protocol, WorkloadRef};
use crate::validate::entries;
use serde::{Deserialize, Serialize};

/// One host+port+protocol that an EgressPoint allows.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Rule {
    /// The host as written.
    pub host: String,
    /// The port.
    pub port: u16,
    /// The protocol.
    pub protocol: Protocol,
    /// The whole Space or one workload.
    pub applies_to: AppliesTo,
    /// The EgressPoint it comes from.
    pub egress_point: String,
}

/// The valid rules of one EgressPoint, in document order; invalid targets allow nothing.
pub fn rules_of(ep: &EgressPoint) -> Vec<Rule> {
    let applies_to = ep.applies_to();
    entries(ep)
        .into_iter()
        .map(|e| Rule {
            host: e.host.to_owned(),
            port: e.port,
            protocol: e.protocol,
            applies_to: applies_to.clone(),
            egress_point: ep.name().to_owned(),
        })
        .collect()
}

/// The rules of every EgressPoint of a Space, one row per host+port+protocol.
pub fn flatten<'a>(egress_points: impl IntoIterator<Item = &'a EgressPoint>) -> Vec<Rule> {
    egress_points.into_iter().flat_map(rules_of).collect()
}

/// What `workload` may reach: the Space-wide EgressPoints plus those whose `sourceRef`
/// names it. "The workload continues to have access to anything defined in any
/// EgressPoints that apply to the entire Space."
pub fn effective_egress<'a>(
    egress_points: impl IntoIterator<Item = &'a EgressPoint>,
    workload: &WorkloadRef,
) -> Vec<Rule> {
    egress_points
        .into_iter()
        .filter(|ep| ep.applies_to().includes(workload))
        .flat_map(rules_of)
        .collect()
}

/// The answer to "can this workload reach host:port over this protocol?".
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Reachability {
    /// True when at least one rule allows it.
    pub allowed: bool,
    /// The rules that allow it (a TCP rule allows HTTP, HTTPS and TLS too).
    pub allowed_by: Vec<Rule>,
}

/// Whether `workload` can reach `host:port` over `protocol`, and which rules allow it.
/// Hosts match case-insensitively; TCP rules permit the higher protocols.
pub fn reachability<'a>(
    egress_points: impl IntoIterator<Item = &'a EgressPoint>,
    workload: &WorkloadRef,
    host: &str,
    port: u16,
    protocol: Protocol,
) -> Result<Reachability, HostProblem> {
    let wanted = host::host_key(host, host::classify(host)?);
    let allowed_by: Vec<Rule> = effective_egress(egress_points, workload)
        .into_iter()
        .filter(|rule| {
            rule.port == port
                && rule.protocol.permits(protocol)
                && host::classify(&rule.host).is_ok_and(|k| host::host_key(&rule.host, k) == wanted)
        })
        .collect();
    Ok(Reachability { allowed: !allowed_by.is_empty(), allowed_by })
}

impl AppliesTo {
    /// How the UI says it, everywhere: "Every workload", or the workload's label
    /// ("checkout (Deployment)").
    pub fn label(&self) -> String {
        match self {
            AppliesTo::Space => "Every workload".to_owned(),
            AppliesTo::Workload(w) => w.label(),
        }
    }
}
