//! The delete dialog's rule-by-rule question: which other EgressPoint keeps each rule's
//! traffic flowing.

use crate::egress::{Rule, reachability, rules_of};
use crate::model::{AppliesTo, EgressPoint, Protocol, WorkloadRef};

/// One rule of the EgressPoint being deleted.
#[derive(Clone, Debug, PartialEq)]
pub struct Kept {
    /// The rule.
    pub rule: Rule,
    /// Another EgressPoint that keeps allowing it, if any.
    pub still_allowed_by: Option<String>,
}

/// The rules of `ep` and, for each, whether `others` still allow that traffic for the same
/// workloads.
pub fn kept_after_delete<'a>(
    ep: &EgressPoint,
    others: impl IntoIterator<Item = &'a EgressPoint> + Clone,
) -> Vec<Kept> {
    let others: Vec<&EgressPoint> = others.into_iter().filter(|o| o.name() != ep.name()).collect();
    let who = match ep.applies_to() {
        AppliesTo::Workload(w) => w,
        // A workload no EgressPoint names sees exactly the Space-wide rules: those are what
        // keep a Space-wide rule's traffic flowing for every workload.
        AppliesTo::Space => {
            WorkloadRef { api_group: String::new(), kind: String::new(), name: String::new() }
        }
    };
    rules_of(ep)
        .into_iter()
        .map(|rule| {
            let protocol: Protocol = rule.protocol;
            let still_allowed_by =
                reachability(others.iter().copied(), &who, &rule.host, rule.port, protocol)
                    .ok()
                    .and_then(|r| r.allowed_by.first().map(|by| by.egress_point.clone()));
            Kept { rule, still_allowed_by }
        })
        .collect()
}

#[cfg(test)]
mod delete_tests {
    use super::*;

    #[test]
    fn a_rule_covered_by_a_space_wide_tcp_rule_keeps_flowing() {
        let gone = EgressPoint::new("payments")
            .with_source_ref("Deployment", "apps", "checkout")
            .with_target(&["api.stripe.com", "api.paypal.com"], 443, "HTTPS");
        let shared = EgressPoint::new("shared").with_target(&["api.stripe.com"], 443, "TCP");
        let impacts = kept_after_delete(&gone, [&gone, &shared]);
        assert_eq!(impacts.len(), 2);
        assert_eq!(impacts[0].still_allowed_by.as_deref(), Some("shared"));
        assert_eq!(impacts[1].still_allowed_by, None);
    }

    #[test]
    fn a_space_wide_rule_is_not_kept_by_a_workload_rule() {
        let gone = EgressPoint::new("apis").with_target(&["api.github.com"], 443, "HTTPS");
        let narrow = EgressPoint::new("narrow")
            .with_source_ref("Deployment", "apps", "web")
            .with_target(&["api.github.com"], 443, "HTTPS");
        let impacts = kept_after_delete(&gone, [&narrow]);
        assert_eq!(impacts[0].still_allowed_by, None);
    }
}
