//! Space-wide rules: the platform merges every EgressPoint of a Space, whatever their
//! `sourceRef`, so a host+port may be on one protocol across all of them, and an IP host on
//! one port (`host-port-protocols`, `ip-single-port`); an entry some other EgressPoint
//! already allows for the same workloads is a `duplicate`.

use super::Entry;
use super::targets::one_protocol_hint;
use crate::diagnostic::{Code, Diagnostic};
use crate::host::HostKind;
use crate::model::{AppliesTo, EgressPoint};
use crate::path;
use crate::space::SpaceIndex;

/// Compares each entry of `ep` with the index of the rest of the Space. O(entries).
pub(super) fn check_against(
    ep: &EgressPoint,
    identity: &str,
    entries: &[Entry<'_>],
    index: &SpaceIndex,
    out: &mut Vec<Diagnostic>,
) {
    let applies_to = ep.applies_to();
    for entry in entries {
        let at = path::host(entry.target, entry.host_index);
        let others = index.lookup(&entry.key, entry.port).filter(|r| r.identity() != identity);
        let mut conflict = None;
        let mut duplicate = None;
        for other in others {
            if other.protocol != entry.protocol {
                conflict.get_or_insert(other);
            } else if other.applies_to().covers(&applies_to) {
                duplicate.get_or_insert(other);
            }
        }
        if let Some(other) = conflict {
            out.push(
                Diagnostic::error(
                    Code::HostPortProtocols,
                    at.clone(),
                    format!(
                        "{}:{} is already exposed on {} by EgressPoint \"{}\": one host and port can use one protocol only, across the whole Space",
                        entry.host,
                        entry.port,
                        other.protocol,
                        other.egress_point()
                    ),
                )
                .with_hint(one_protocol_hint(entry.host, entry.port, entry.protocol, other.protocol)),
            );
        } else if let Some(other) = duplicate {
            let whom = match other.applies_to() {
                AppliesTo::Space => "every workload".to_owned(),
                AppliesTo::Workload(w) => w.to_string(),
            };
            out.push(
                Diagnostic::warning(
                    Code::Duplicate,
                    at.clone(),
                    format!(
                        "{}:{} over {} is already allowed by EgressPoint \"{}\" (for {whom})",
                        entry.host,
                        entry.port,
                        entry.protocol,
                        other.egress_point()
                    ),
                )
                .with_hint("remove this host, unless it should outlive that EgressPoint"),
            );
        }
        if let HostKind::Ip(_) = entry.kind
            && let Some(other) = index
                .rules_for_host(&entry.key)
                .iter()
                .find(|r| r.port != entry.port && r.identity() != identity)
        {
            let (port, other) = (other.port, other.egress_point());
            out.push(
                Diagnostic::error(
                    Code::IpSinglePort,
                    at,
                    format!(
                        "{} is already allowed on port {port} by EgressPoint \"{other}\": an IP host can be exposed on a single port only",
                        entry.host
                    ),
                )
                .with_hint("use a DNS name for the second port, or keep one port"),
            );
        }
    }
}

/// `duplicate` between manifests of one Space: EgressPoint `name` is defined again at
/// `elsewhere` (`file:line`), and applying both keeps only the last.
pub fn defined_twice(name: &str, elsewhere: &str) -> Diagnostic {
    Diagnostic::warning(
        Code::Duplicate,
        "metadata.name",
        format!(
            "EgressPoint \"{name}\" is also defined in {elsewhere}: applying both keeps only the last"
        ),
    )
    .with_hint("rename one of them, or merge their targets")
}
