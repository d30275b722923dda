//! Every EgressPoint rule of DESIGN.md's table. [`validate`] checks one EgressPoint on its
//! own; [`validate_in_space`] adds the checks against the other EgressPoints and the
//! workloads of its Space.

mod object;
mod space_checks;

pub use space_checks::defined_twice;
mod targets;

use crate::diagnostic::Diagnostic;
use crate::host::HostKind;
use crate::model::{EgressPoint, Protocol, WorkloadRef};
use crate::space::SpaceIndex;
use std::borrow::Cow;

/// What is known about the Space an EgressPoint goes into.
#[derive(Clone, Copy, Debug)]
pub struct SpaceContext<'a> {
    /// The Space's other EgressPoints (an entry with the checked EgressPoint's own name is
    /// ignored: it is the version being replaced).
    pub index: &'a SpaceIndex,
    /// The Space's workloads, when they are known; `None` skips `workload-missing`.
    pub workloads: Option<&'a [WorkloadRef]>,
}

/// Checks one EgressPoint on its own: every rule that needs nothing but the object.
pub fn validate(ep: &EgressPoint) -> Vec<Diagnostic> {
    check(ep, None)
}

/// Checks one EgressPoint as it would be in a Space: [`validate`] plus the Space-wide
/// `host-port-protocols`, `ip-single-port` and `duplicate` checks and `workload-missing`.
pub fn validate_in_space(ep: &EgressPoint, space: SpaceContext<'_>) -> Vec<Diagnostic> {
    validate_in_space_as(ep, ep.name(), space)
}

/// [`validate_in_space`] for an object the Space index knows as `identity` (its entries are
/// the version being replaced, not others to compare with). An object without a name is
/// `""`, which no indexed object is, so it is compared with all of them.
pub fn validate_in_space_as(
    ep: &EgressPoint,
    identity: &str,
    space: SpaceContext<'_>,
) -> Vec<Diagnostic> {
    check(ep, Some((space, identity)))
}

fn check(ep: &EgressPoint, space: Option<(SpaceContext<'_>, &str)>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    object::check_kind(ep, &mut out);
    object::check_name(ep, &mut out);
    object::check_namespace(ep, &mut out);
    object::check_source_ref(ep, space.and_then(|(s, _)| s.workloads), &mut out);
    let entries = targets::check_targets(ep, &mut out);
    targets::check_within(&entries, &mut out);
    if let Some((space, identity)) = space {
        space_checks::check_against(ep, identity, &entries, space.index, &mut out);
    }
    out
}

/// One well-formed host of one target, as the cross-checks see it.
#[derive(Clone, Debug)]
pub(crate) struct Entry<'a> {
    pub target: usize,
    pub host_index: usize,
    pub host: &'a str,
    /// [`host::host_key`]: lowercase name or canonical IP.
    pub key: Cow<'a, str>,
    pub kind: HostKind,
    pub port: u16,
    pub protocol: Protocol,
}

/// Every host of `ep` whose host, port and protocol are all valid, in document order.
pub(crate) fn entries(ep: &EgressPoint) -> Vec<Entry<'_>> {
    targets::check_targets(ep, &mut Vec::new())
}
