//! Properties over generated input: nothing panics, valid EgressPoints round-trip YAML.

use egress_rules::{
    EgressPoint, SpaceContext, SpaceIndex, check_text, check_value, has_errors, to_yaml, yaml,
};
use proptest::prelude::*;
use serde_json::{Map, Value};

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        "[a-zA-Z0-9:/._ -]{0,12}".prop_map(Value::String),
        prop_oneof![
            Just("11.22.33.44"),
            Just("HTTPS"),
            Just("TCP"),
            Just("www.example.com"),
            Just("networking.tanzu.vmware.com/v1alpha1"),
            Just("EgressPoint"),
        ]
        .prop_map(|s| Value::String(s.to_owned())),
    ];
    let key = prop_oneof![
        Just("apiVersion"),
        Just("kind"),
        Just("metadata"),
        Just("name"),
        Just("spec"),
        Just("sourceRef"),
        Just("targets"),
        Just("hosts"),
        Just("port"),
        Just("number"),
        Just("protocol"),
        Just("apiGroup"),
        Just("labels"),
        Just("other"),
    ];
    leaf.prop_recursive(6, 64, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((key.clone(), inner), 0..6).prop_map(|fields| {
                Value::Object(
                    fields.into_iter().map(|(k, v)| (k.to_owned(), v)).collect::<Map<_, _>>(),
                )
            }),
        ]
    })
}

fn valid_egress_point() -> impl Strategy<Value = EgressPoint> {
    let target = (
        prop::collection::vec("[a-z][a-z0-9-]{0,8}[a-z0-9]\\.(com|io|example)", 1..4),
        1..=65535i64,
        prop_oneof![Just("HTTP"), Just("HTTPS"), Just("TCP"), Just("TLS")],
    );
    let source = prop::option::of(prop_oneof![
        Just(("Deployment", "apps")),
        Just(("ContainerApp", "apps.tanzu.vmware.com"))
    ]);
    ("[a-z][a-z0-9-]{0,20}[a-z0-9]", source, prop::collection::vec(target, 1..6)).prop_map(
        |(name, source, targets)| {
            let mut ep = EgressPoint::new(name.clone());
            if let Some((kind, group)) = source {
                ep = ep.with_source_ref(kind, group, &name);
            }
            for (i, (hosts, port, protocol)) in targets.into_iter().enumerate() {
                // Distinct per target, so that generated targets never conflict.
                let hosts: Vec<String> = hosts.iter().map(|h| format!("t{i}-{h}")).collect();
                let hosts: Vec<&str> = hosts.iter().map(String::as_str).collect();
                ep = ep.with_target(&hosts, port, protocol);
            }
            ep
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn no_json_value_makes_the_validator_panic(value in json_value()) {
        let index = SpaceIndex::new();
        let _ = check_value(&value, Some(SpaceContext { index: &index, workloads: Some(&[]) }));
    }

    #[test]
    fn no_text_makes_the_parser_or_validator_panic(text in "[ -~\n\t]{0,200}") {
        let _ = check_text(&text, None);
        let _ = yaml::parse_stream(&text);
    }

    #[test]
    fn a_valid_egress_point_round_trips_yaml_unchanged(ep in valid_egress_point()) {
        let text = to_yaml(&ep);
        let checked = check_text(&text, None).expect("written YAML parses");
        prop_assert!(!has_errors(&checked.diagnostics), "{:#?}\n{}", checked.diagnostics, text);
        prop_assert_eq!(&checked.egress_point, &ep);
        prop_assert_eq!(to_yaml(&checked.egress_point), text);
    }

    #[test]
    fn the_space_index_never_reports_an_egress_point_against_itself(ep in valid_egress_point()) {
        let index = SpaceIndex::build([&ep]);
        let diagnostics = egress_rules::validate_in_space(&ep, SpaceContext { index: &index, workloads: None });
        prop_assert!(!has_errors(&diagnostics), "{:#?}", diagnostics);
    }
}
