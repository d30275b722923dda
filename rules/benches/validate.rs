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

criterion_group!(rules, benches);
criterion_main!(rules);
