//! The rows of the rules table: one per host+port+protocol of every EgressPoint, each with the
//! rules' diagnostics for it, and the filter and sort over them. Plain data, no UI.

use egress_rules::path::Field;
use egress_rules::{
    AppliesTo, Diagnostic, EgressPoint, Severity, SpaceContext, SpaceIndex, WorkloadRef,
};
use std::cmp::Ordering;

/// One host of one target of one EgressPoint.
#[derive(Clone, Debug, PartialEq)]
pub struct RuleRow {
    /// The host as written.
    pub host: String,
    /// The port as written ("" when missing).
    pub port: String,
    /// The protocol as written.
    pub protocol: String,
    /// Whom it applies to.
    pub applies_to: AppliesTo,
    /// The EgressPoint it comes from.
    pub egress_point: String,
    /// What the rules say about this host, its target and its EgressPoint.
    pub diagnostics: Vec<Diagnostic>,
}

impl RuleRow {
    /// The worst severity among its diagnostics.
    pub fn worst(&self) -> Option<Severity> {
        self.diagnostics.iter().map(|d| d.severity).min_by_key(|s| severity_rank(*s))
    }
}

fn severity_rank(s: Severity) -> u8 {
    match s {
        Severity::Error => 0,
        Severity::Warning => 1,
        Severity::Info => 2,
    }
}

/// Every row of a Space, EgressPoints in name order, checked against the Space (and its
/// workloads, when known).
pub fn rows<'a>(
    egress_points: impl IntoIterator<Item = &'a EgressPoint>,
    index: &SpaceIndex,
    workloads: Option<&[WorkloadRef]>,
) -> Vec<RuleRow> {
    let mut out = Vec::new();
    for ep in egress_points {
        let context = SpaceContext { index, workloads };
        let diagnostics = egress_rules::validate_in_space(ep, context);
        let applies_to = ep.applies_to();
        for (i, target) in ep.spec.targets.iter().enumerate() {
            for (j, host) in target.hosts.iter().enumerate() {
                let own = diagnostics
                    .iter()
                    .filter(|d| Field::of(&d.path).belongs_to_row(i, j))
                    .cloned()
                    .collect();
                out.push(RuleRow {
                    host: host.clone(),
                    port: target.port.number.map(|n| n.to_string()).unwrap_or_default(),
                    protocol: target.port.protocol.clone(),
                    applies_to: applies_to.clone(),
                    egress_point: ep.name().to_owned(),
                    diagnostics: own,
                });
            }
        }
    }
    out
}

/// Which rows to show.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Filter {
    /// Matches host or EgressPoint name, case-insensitively.
    pub text: String,
    /// "" for any.
    pub protocol: String,
    /// "" for any, "space" for Space-wide, else the workload's label.
    pub applies_to: String,
}

impl Filter {
    /// True when the row passes.
    pub fn accepts(&self, row: &RuleRow) -> bool {
        let text = self.text.trim().to_ascii_lowercase();
        (text.is_empty()
            || row.host.to_ascii_lowercase().contains(&text)
            || row.egress_point.to_ascii_lowercase().contains(&text)
            || row.port == text)
            && (self.protocol.is_empty() || row.protocol == self.protocol)
            && match self.applies_to.as_str() {
                "" => true,
                "space" => row.applies_to == AppliesTo::Space,
                label => row.applies_to.label() == label,
            }
    }
}

/// Columns the table sorts by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SortBy {
    /// Host name.
    Host,
    /// Port number.
    Port,
    /// Protocol.
    Protocol,
    /// Applies to.
    AppliesTo,
    /// EgressPoint name.
    EgressPoint,
    /// Errors first.
    Problems,
}

impl SortBy {
    /// Its name in the address (`?sort=port`).
    pub fn as_str(self) -> &'static str {
        match self {
            SortBy::Host => "host",
            SortBy::Port => "port",
            SortBy::Protocol => "protocol",
            SortBy::AppliesTo => "applies",
            SortBy::EgressPoint => "egresspoint",
            SortBy::Problems => "problems",
        }
    }

    /// The column an address names.
    pub fn parse(text: &str) -> Option<SortBy> {
        [
            SortBy::Host,
            SortBy::Port,
            SortBy::Protocol,
            SortBy::AppliesTo,
            SortBy::EgressPoint,
            SortBy::Problems,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
    }
}

/// Sorts rows by a column, ascending or not; ties keep EgressPoint order.
pub fn sort(rows: &mut [RuleRow], by: SortBy, ascending: bool) {
    let port = |r: &RuleRow| r.port.parse::<i64>().unwrap_or(i64::MAX);
    rows.sort_by(|a, b| {
        let order = match by {
            SortBy::Host => a.host.to_ascii_lowercase().cmp(&b.host.to_ascii_lowercase()),
            SortBy::Port => port(a).cmp(&port(b)),
            SortBy::Protocol => a.protocol.cmp(&b.protocol),
            SortBy::AppliesTo => a.applies_to.label().cmp(&b.applies_to.label()),
            SortBy::EgressPoint => a.egress_point.cmp(&b.egress_point),
            SortBy::Problems => rank(a).cmp(&rank(b)),
        };
        let order = if ascending { order } else { order.reverse() };
        order.then_with(|| a.egress_point.cmp(&b.egress_point)).then(Ordering::Equal)
    });
}

fn rank(row: &RuleRow) -> u8 {
    row.worst().map_or(3, severity_rank)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn space() -> Vec<EgressPoint> {
        vec![
            EgressPoint::new("apis").with_target(&["api.github.com", "11.22.33.44"], 443, "HTTPS"),
            EgressPoint::new("db").with_source_ref("Deployment", "apps", "checkout").with_target(
                &["db.internal"],
                5432,
                "TCP",
            ),
        ]
    }

    #[test]
    fn one_row_per_host_with_its_own_diagnostics() {
        let eps = space();
        let rows = rows(&eps, &SpaceIndex::build(&eps), None);
        assert_eq!(rows.len(), 3);
        // "IP hosts can only use protocol TCP": the IP row carries it, its sibling does not.
        assert!(rows[1].diagnostics.iter().any(|d| d.code.as_str() == "ip-protocol"));
        assert!(rows[0].diagnostics.iter().all(|d| d.code.as_str() != "ip-protocol"));
        assert_eq!(rows[2].applies_to.label(), "checkout (Deployment)");
    }

    #[test]
    fn filter_and_sort() {
        let eps = space();
        let mut all = rows(&eps, &SpaceIndex::build(&eps), Some(&[]));
        let tcp = Filter { protocol: "TCP".into(), ..Filter::default() };
        assert_eq!(all.iter().filter(|r| tcp.accepts(r)).count(), 1);
        let space_wide =
            Filter { applies_to: "space".into(), text: "GITHUB".into(), ..Filter::default() };
        assert_eq!(all.iter().filter(|r| space_wide.accepts(r)).count(), 1);
        // With the workloads known, a sourceRef to a missing one is reported on its rows.
        assert!(all[2].diagnostics.iter().any(|d| d.code.as_str() == "workload-missing"));
        sort(&mut all, SortBy::Problems, true);
        assert_eq!(all[0].host, "11.22.33.44");
        sort(&mut all, SortBy::Port, false);
        assert_eq!(all[0].port, "5432");
    }
}
