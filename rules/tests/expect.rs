//! Egress expectations: the file format, its errors, and the checks against EgressPoints.

use egress_rules::EgressPoint;
use egress_rules::expect::{self, HostPattern, Who, check, expectations_schema, parse};

const EXAMPLE: &str = r#"kind: EgressExpectations
space: storefront
expect:
  - workload: Deployment/checkout
    reach: [api.stripe.com:443/HTTPS, orders-db.internal:5432/TCP]
    notReach: [api.paypal.com:443/HTTPS]
  - workload: any
    notReach: ["*:25/TCP"]      # no host on port 25
"#;

fn space() -> Vec<EgressPoint> {
    vec![
        EgressPoint::new("stripe").with_source_ref("Deployment", "apps", "checkout").with_target(
            &["api.stripe.com"],
            443,
            "HTTPS",
        ),
        EgressPoint::new("orders-db").with_target(&["orders-db.internal"], 5432, "TLS"),
        EgressPoint::new("mail").with_source_ref("Deployment", "apps", "newsletter").with_target(
            &["smtp.example.com"],
            25,
            "TCP",
        ),
    ]
}

#[test]
fn the_issue_example_reads_as_four_statements_with_their_lines() {
    let sets = parse(EXAMPLE).unwrap();
    assert_eq!(sets.len(), 1);
    assert_eq!(sets[0].space.as_deref(), Some("storefront"));
    let e = &sets[0].expectations;
    assert_eq!(e.len(), 4);
    assert_eq!(e[0].to_string(), "checkout (Deployment) can reach api.stripe.com:443/HTTPS");
    assert_eq!(e[2].to_string(), "checkout (Deployment) cannot reach api.paypal.com:443/HTTPS");
    assert_eq!(e[3].to_string(), "no workload can reach *:25/TCP");
    assert_eq!(e[3].who, Who::Any);
    assert_eq!(e[3].traffic.host, HostPattern::Any);
    assert_eq!(e[3].traffic.port, Some(25));
    assert_eq!((e[0].line, e[2].line, e[3].line), (5, 6, 8));
}

#[test]
fn each_failure_names_the_egresspoint_responsible_or_says_none_allows_it() {
    let sets = parse(EXAMPLE).unwrap();
    let outcomes = check(&sets[0].expectations, &space());
    let verdicts: Vec<bool> = outcomes.iter().map(|o| o.passed).collect();
    assert_eq!(verdicts, [true, false, true, false]);
    assert_eq!(outcomes[0].allowed_by[0].egress_point, "stripe");
    // TLS does not permit TCP: no EgressPoint allows it, and the near miss is named.
    assert_eq!(
        outcomes[1].because,
        "no EgressPoint allows it; orders-db allows orders-db.internal:5432 on TLS only, which does not permit TCP"
    );
    assert!(outcomes[2].allowed_by.is_empty());
    assert_eq!(outcomes[3].allowed_by[0].egress_point, "mail");
    assert_eq!(
        outcomes[3].line(),
        "FAIL: no workload can reach *:25/TCP: allowed by mail (smtp.example.com:25 TCP, newsletter (Deployment))"
    );
}

#[test]
fn every_workload_reach_needs_a_space_wide_rule_and_tcp_permits_the_protocols_above_it() {
    let text = "kind: EgressExpectations
expect:
  - workload: any
    reach: [orders-db.internal:5432/TLS, api.stripe.com:443/HTTPS]
  - workload: Deployment/checkout
    reach: [ORDERS-DB.Internal:5432/TLS]
  - workload: ContainerApp/web
    notReach: ['*.stripe.com:*', 'api.github.com:443']
";
    let mut eps = space();
    eps.push(EgressPoint::new("github").with_target(&["api.github.com"], 443, "TCP"));
    let outcomes = check(&parse(text).unwrap()[0].expectations, &eps);
    let verdicts: Vec<bool> = outcomes.iter().map(|o| o.passed).collect();
    assert_eq!(verdicts, [true, false, true, true, false]);
    assert_eq!(
        outcomes[1].because,
        "no EgressPoint allows it; stripe allows it, but only for checkout (Deployment)"
    );
    // The checkout rule does not apply to web: *.stripe.com is not reachable for web.
    assert!(outcomes[3].passed);
    // A Space-wide TCP rule permits HTTPS (any protocol: no /PROTOCOL).
    assert_eq!(outcomes[4].allowed_by[0].egress_point, "github");
    assert!(outcomes[4].because.contains("every workload"), "{}", outcomes[4].because);
}

#[test]
fn a_subdomain_pattern_matches_names_under_it_not_the_domain_or_lookalikes() {
    let text = "kind: EgressExpectations\nexpect:\n- workload: any\n  notReach: ['*.paypal.com:443/HTTPS']\n";
    let expectations = parse(text).unwrap().remove(0).expectations;
    let with = |host: &str| {
        check(&expectations, &[EgressPoint::new("x").with_target(&[host], 443, "HTTPS")])[0].passed
    };
    assert!(!with("api.paypal.com"));
    assert!(with("paypal.com"));
    assert!(with("notpaypal.com"));
    assert!(with("api.paypal.com.evil.net"));
}

#[test]
fn ipv6_hosts_are_written_in_brackets() {
    let text =
        "kind: EgressExpectations\nexpect:\n- workload: any\n  reach: ['[2001:DB8::1]:5432/TCP']\n";
    let expectations = parse(text).unwrap().remove(0).expectations;
    assert_eq!(expectations[0].traffic.host, HostPattern::Exact("2001:db8::1".into()));
    let eps = [EgressPoint::new("db").with_target(&["2001:db8::1"], 5432, "TCP")];
    assert!(check(&expectations, &eps)[0].passed);
}

#[test]
fn mistakes_are_reported_with_their_line_and_what_to_write() {
    let text = "kind: EgressExpectations
expect:
  - workload: checkout
    reach: [api.stripe.com:443/HTTPX]
  - workload: Deployment/web
    notreach: [api.paypal.com:443]
  - workload: any
    reach: ['*:443/HTTPS', api.stripe.com, 'api.stripe.com:99999/TCP', 'https://x:443/TCP']
";
    let errors = parse(text).unwrap_err();
    let said: Vec<String> = errors.iter().map(ToString::to_string).collect();
    let expected = [
        "line 3: expect[0].workload: workload \"checkout\" is not KIND/NAME: write Deployment/checkout, ContainerApp/checkout or any",
        "line 6: expect[1].notreach: unknown field \"notreach\"; did you mean \"notReach\"?",
        "line 8: expect[2].reach[0]: \"*:443/HTTPS\": reach names one host (e.g. api.stripe.com:443/HTTPS); patterns and a missing protocol are for notReach",
        "line 8: expect[2].reach[1]: \"api.stripe.com\" has no port: write HOST:PORT/PROTOCOL, e.g. api.stripe.com:443/HTTPS",
        "line 8: expect[2].reach[2]: port \"99999\" is not a port number from 1 to 65535 (or * in notReach)",
    ];
    for e in expected {
        assert!(said.contains(&e.to_owned()), "missing {e}\nin {said:#?}");
    }
    // The URL-looking host is refused with the host rules' own words.
    assert!(said.iter().any(|s| s.starts_with("line 8: expect[2].reach[3]: ")), "{said:#?}");
    assert_eq!(said.len(), 6, "{said:#?}");
}

#[test]
fn other_documents_and_empty_files_are_refused_in_words() {
    let e = parse("").unwrap_err();
    assert!(e[0].message.starts_with("no EgressExpectations document found"), "{e:?}");
    let e = parse("kind: EgressPoint\nexpect: []\n").unwrap_err();
    assert_eq!(
        e[0].message,
        "kind is \"EgressPoint\"; an expectations file holds kind: EgressExpectations"
    );
    let e = parse("kind: EgressExpectations\nexpect: [\n").unwrap_err();
    assert!(e[0].message.starts_with("not valid YAML"), "{e:?}");
    let e = parse("kind: EgressExpectations\nspace: Not_A_Space\nexpect: []\n").unwrap_err();
    assert_eq!(e[0].path, "space");
}

#[test]
fn several_documents_are_several_spaces() {
    let text = "kind: EgressExpectations\nspace: a\nexpect: []\n---\nkind: EgressExpectations\nspace: b\nexpect:\n- workload: any\n  notReach: ['*:*']\n";
    let sets = parse(text).unwrap();
    assert_eq!(sets.iter().map(|s| s.space.as_deref()).collect::<Vec<_>>(), [Some("a"), Some("b")]);
    assert_eq!(sets[1].expectations[0].line, 9);
}

#[test]
fn the_published_json_schema_is_the_one_in_the_code() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/egress-expectations.schema.json");
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        let text = serde_json::to_string_pretty(&expectations_schema()).unwrap() + "\n";
        std::fs::write(path, text).unwrap();
    }
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("docs schema")).unwrap();
    assert_eq!(
        written,
        expectations_schema(),
        "run UPDATE_SCHEMA=1 cargo test -p egress-rules --test expect to regenerate it"
    );
    assert_eq!(expect::KIND, "EgressExpectations");
}

#[test]
fn a_change_names_the_expectations_it_breaks_and_fixes() {
    let expectations = parse(EXAMPLE).unwrap().remove(0).expectations;
    let before = space();
    let mut after: Vec<EgressPoint> =
        before.iter().filter(|e| e.name() != "mail").cloned().collect();
    after.push(
        EgressPoint::new("paypal").with_source_ref("Deployment", "apps", "checkout").with_target(
            &["api.paypal.com"],
            443,
            "HTTPS",
        ),
    );
    let change = expect::compare(&expectations, &before, &after);
    assert_eq!(change.broken.len(), 1);
    assert_eq!(
        change.broken[0].expectation.to_string(),
        "checkout (Deployment) cannot reach api.paypal.com:443/HTTPS"
    );
    assert_eq!(change.fixed.len(), 1);
    assert_eq!(change.fixed[0].expectation.to_string(), "no workload can reach *:25/TCP");
    assert_eq!(expect::compare(&expectations, &before, &before), expect::Change::default());
}
