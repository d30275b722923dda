//! Speed of the rules: `cargo xtask bench` reads these results and compares them with goals.
#![allow(missing_docs)]

use criterion::{Criterion, criterion_group, criterion_main};
use egress_rules::{EgressPoint, SpaceContext, SpaceIndex, validate, validate_in_space};
use std::hint::black_box;

const PROTOCOLS: [&str; 4] = ["HTTP", "HTTPS", "TCP", "TLS"];

/// One EgressPoint with `targets` targets of four hosts each, all valid.
fn large(name: &str, targets: usize, offset: usize) -> EgressPoint {
    let mut ep = EgressPoint::new(name);
    for t in 0..targets {
        let hosts: Vec<String> =
            (0..4).map(|h| format!("host-{}-{h}.example.com", t + offset)).collect();
        let hosts: Vec<&str> = hosts.iter().map(String::as_str).collect();
        ep = ep.with_target(&hosts, 1000 + (t % 60000) as i64, PROTOCOLS[t % 4]);
    }
    ep
}

fn benches(c: &mut Criterion) {
    let big = large("big", 1000, 0);
    c.bench_function("validate_1000_targets_x_4_hosts", |b| b.iter(|| validate(black_box(&big))));

    // 2,500 EgressPoints × 4 hosts = 10,000 rules; the checked one overlaps some of them.
    let space: Vec<EgressPoint> = (0..2500).map(|i| large(&format!("ep-{i}"), 1, i)).collect();
    let index = SpaceIndex::build(&space);
    assert_eq!(index.len(), 10_000);
    let candidate = large("candidate", 25, 2490);
    c.bench_function("space_check_vs_10000_rules", |b| {
        b.iter(|| {
            validate_in_space(
                black_box(&candidate),
                SpaceContext { index: &index, workloads: None },
            )
        })
    });
}

/// A Space of 10,000 EgressPoints over 2,000 workloads (every tenth for every workload), two
/// hosts each; the edit changes a Space-wide one (the costly case: every workload is judged).
fn impact_bench(c: &mut Criterion) {
    use egress_rules::impact::{AccessIndex, impact_of_change};
    let space: Vec<EgressPoint> = (0..10_000)
        .map(|i| {
            let ep = EgressPoint::new(format!("ep-{i}")).with_target(
                &[&format!("a-{i}.example.com"), &format!("b-{}.example.com", i % 500)],
                443 + (i % 7) as i64,
                PROTOCOLS[i % 4],
            );
            if i % 10 == 0 {
                ep
            } else {
                ep.with_source_ref("Deployment", "apps", &format!("w-{}", i % 2000))
            }
        })
        .collect();
    let workloads: Vec<egress_rules::WorkloadRef> =
        (0..2000).map(|i| egress_rules::WorkloadRef::deployment(format!("w-{i}"))).collect();
    let index = AccessIndex::build(&space);
    let edited =
        EgressPoint::new("ep-0").with_target(&["a-0.example.com", "new.example.com"], 443, "TCP");
    c.bench_function("impact_one_edit_vs_10000_egresspoints", |b| {
        b.iter(|| {
            impact_of_change(
                black_box(&index),
                &[&space[0]],
                std::slice::from_ref(&edited),
                &workloads,
            )
        })
    });
    c.bench_function("access_index_10000_egresspoints", |b| {
        b.iter(|| AccessIndex::build(black_box(&space)))
    });
}

criterion_group!(rules, benches, impact_bench);
criterion_main!(rules);
