//! Egress expectations: a small file format of the project's own (not a cluster resource)
//! stating what must and must not be reachable, checked against a Space's EgressPoints by
//! `lint --expect`, `diff --expect` and the console's Expectations panel.
//!
//! ```yaml
//! kind: EgressExpectations
//! space: storefront
//! expect:
//!   - workload: Deployment/checkout
//!     reach: [api.stripe.com:443/HTTPS, orders-db.internal:5432/TCP]
//!     notReach: [api.paypal.com:443/HTTPS]
//!   - workload: any
//!     notReach: ["*:25/TCP"]      # no host on port 25
//! ```
//!
//! `workload: any` with `reach` means every workload (so a Space-wide EgressPoint must allow
//! it); with `notReach`, no workload at all. In `notReach` the host may be `*` (any host) or
//! `*.example.com` (any name under example.com), the port `*`, and the protocol may be left
//! out (any protocol). See docs/expectations.md.

mod check;
mod parse;
mod schema;

pub use check::{Change, Outcome, check, compare};
pub use parse::{ExpectError, parse};
pub use schema::expectations_schema;

use crate::model::{Protocol, WorkloadRef};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The `kind` of an expectations document.
pub const KIND: &str = "EgressExpectations";

/// Whose traffic an expectation is about.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "kind", content = "workload")]
pub enum Who {
    /// `workload: any`.
    Any,
    /// `workload: Deployment/checkout`.
    Workload(WorkloadRef),
}

/// The host of an expectation.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "kind", content = "host")]
pub enum HostPattern {
    /// `*`: any host.
    Any,
    /// `*.example.com`: any name under `example.com` (the key, lowercase, without `*.`).
    Under(String),
    /// One host, as its key (lowercase name without the trailing dot, or the IP).
    Exact(String),
}

/// One traffic line: `api.stripe.com:443/HTTPS`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Traffic {
    /// The host or pattern.
    pub host: HostPattern,
    /// The port; None is `*` (any port).
    pub port: Option<u16>,
    /// The protocol; None is any protocol.
    pub protocol: Option<Protocol>,
    /// As written in the file.
    pub written: String,
}

/// One checkable statement: a workload can (or cannot) reach some traffic.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Expectation {
    /// Whose traffic.
    pub who: Who,
    /// What traffic.
    pub traffic: Traffic,
    /// `reach` (true) or `notReach` (false).
    pub reach: bool,
    /// The reason the file gives (`why:`), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
    /// 1-based line of the traffic string in the file.
    pub line: usize,
}

/// One `EgressExpectations` document.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExpectationSet {
    /// The Space it is about; None: the Space it is checked against.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub space: Option<String>,
    /// Every statement, in file order.
    pub expectations: Vec<Expectation>,
}

impl Who {
    /// "checkout (Deployment)", or "every workload" / "no workload" by the verb it goes with.
    fn subject(&self, reach: bool) -> String {
        match (self, reach) {
            (Who::Any, true) => "every workload".to_owned(),
            (Who::Any, false) => "no workload".to_owned(),
            (Who::Workload(w), _) => w.label(),
        }
    }
}

impl fmt::Display for Expectation {
    /// "checkout (Deployment) can reach api.stripe.com:443/HTTPS", "no workload can reach
    /// *:25/TCP".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verb = match (&self.who, self.reach) {
            (_, true) | (Who::Any, false) => "can reach",
            (Who::Workload(_), false) => "cannot reach",
        };
        write!(f, "{} {verb} {}", self.who.subject(self.reach), self.traffic.written)
    }
}
