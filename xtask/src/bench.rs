//! `cargo xtask bench`: every measured figure against its goal, in one table.

use crate::system::{cargo, run, target_dir};
use anyhow::{Context, Result};
use flate2::Compression;
use flate2::write::GzEncoder;
use std::io::Write;

struct Figure {
    name: &'static str,
    value: f64,
    unit: &'static str,
    goal: Goal,
    /// The same figure measured on the old path in the same run (`KEY_no_cache`).
    baseline: Option<f64>,
}

#[derive(Clone, Copy)]
enum Goal {
    AtMost(f64),
    AtLeast(f64),
}

impl Goal {
    fn met(self, value: f64) -> bool {
        match self {
            Goal::AtMost(goal) => value <= goal,
            Goal::AtLeast(goal) => value >= goal,
        }
    }

    fn describe(self) -> String {
        match self {
            Goal::AtMost(goal) => format!("≤ {goal}"),
            Goal::AtLeast(goal) => format!("≥ {goal}"),
        }
    }
}

/// Figures measured on real processes by the benches in `tests/benches`: (bench, JSON key,
/// figure, unit, goal).
const PROCESS_FIGURES: &[(&str, &str, &str, &str, Goal)] = &[
    (
        "space_api",
        "creates_per_second",
        "durable creates per second (8 writers, kube-rs)",
        "/s",
        Goal::AtLeast(500.0),
    ),
    (
        "space_api",
        "list_5000_p50_ms",
        "list 5,000 EgressPoints via kube-rs, p50",
        "ms",
        Goal::AtMost(50.0),
    ),
    (
        "space_api",
        "list_5000_p99_ms",
        "list 5,000 EgressPoints via kube-rs, p99",
        "ms",
        Goal::AtMost(100.0),
    ),
    (
        "space_api",
        "rss_10000_mb",
        "Space API resident memory, 10,000 EgressPoints",
        "MB",
        Goal::AtMost(100.0),
    ),
    (
        "rest",
        "rest_list_5000_p50_ms",
        "REST list 5,000 EgressPoints, p50",
        "ms",
        Goal::AtMost(50.0),
    ),
    (
        "rest",
        "rest_list_5000_p99_ms",
        "REST list 5,000 EgressPoints, p99",
        "ms",
        Goal::AtMost(100.0),
    ),
    (
        "rest",
        "rest_to_direct_ratio",
        "REST list / direct kube-rs list (p50)",
        "x",
        Goal::AtMost(1.25),
    ),
    (
        "rest",
        "rest_list_5000_first_ms",
        "REST list 5,000, first (starts the Space's watch cache)",
        "ms",
        Goal::AtMost(250.0),
    ),
    (
        "rest",
        "write_to_sse_p50_ms",
        "write (kube-rs) -> console SSE event, p50",
        "ms",
        Goal::AtMost(250.0),
    ),
    ("rest", "rss_idle_mb", "console resident memory, idle", "MB", Goal::AtMost(50.0)),
    (
        "ui",
        "rules_5000_interactive_ms",
        "page load → interactive, rules of a 5,000-rule Space",
        "ms",
        Goal::AtMost(1500.0),
    ),
    (
        "ui",
        "form_interactive_ms",
        "page load → interactive, create form",
        "ms",
        Goal::AtMost(1000.0),
    ),
    (
        "ui",
        "keystroke_200_targets_p50_ms",
        "keystroke → inline message, 200-target form, p50",
        "ms",
        Goal::AtMost(16.0),
    ),
    (
        "ui",
        "keystroke_200_targets_p95_ms",
        "keystroke → inline message, 200-target form, p95",
        "ms",
        Goal::AtMost(16.0),
    ),
    (
        "ui",
        "keystroke_impact_10000_p50_ms",
        "keystroke → impact line, 10,000-EgressPoint Space, p50",
        "ms",
        Goal::AtMost(16.0),
    ),
    (
        "rest",
        "rss_watching_10000_mb",
        "console resident memory, watching 10,000",
        "MB",
        Goal::AtMost(150.0),
    ),
    (
        "hardening",
        "hostile_0_rss_mb",
        "hostile 1 MB YAML: long key × values, peak RSS",
        "MB",
        Goal::AtMost(64.0),
    ),
    (
        "hardening",
        "hostile_0_cpu_ms",
        "hostile 1 MB YAML: long key × values, CPU",
        "ms",
        Goal::AtMost(250.0),
    ),
    (
        "hardening",
        "hostile_1_rss_mb",
        "hostile 1 MB YAML: alias bomb as a key, peak RSS",
        "MB",
        Goal::AtMost(64.0),
    ),
    (
        "hardening",
        "hostile_1_cpu_ms",
        "hostile 1 MB YAML: alias bomb as a key, CPU",
        "ms",
        Goal::AtMost(250.0),
    ),
    (
        "hardening",
        "hostile_2_rss_mb",
        "hostile 1 MB YAML: billion laughs, peak RSS",
        "MB",
        Goal::AtMost(64.0),
    ),
    (
        "hardening",
        "hostile_2_cpu_ms",
        "hostile 1 MB YAML: billion laughs, CPU",
        "ms",
        Goal::AtMost(250.0),
    ),
    (
        "hardening",
        "hostile_3_rss_mb",
        "hostile 1 MB YAML: deep nesting, peak RSS",
        "MB",
        Goal::AtMost(64.0),
    ),
    (
        "hardening",
        "hostile_3_cpu_ms",
        "hostile 1 MB YAML: deep nesting, CPU",
        "ms",
        Goal::AtMost(250.0),
    ),
    (
        "hardening",
        "healthz_under_attack_max_ms",
        "/healthz while 4 hostile bodies parse, worst",
        "ms",
        Goal::AtMost(50.0),
    ),
    ("hardening", "load_p50_ms", "mixed load, 50 clients, 2 min, p50", "ms", Goal::AtMost(100.0)),
    ("hardening", "load_p99_ms", "mixed load, 50 clients, 2 min, p99", "ms", Goal::AtMost(500.0)),
    ("hardening", "load_errors", "mixed load, 50 clients, 2 min, errors", "", Goal::AtMost(0.0)),
    (
        "hardening",
        "load_requests_per_second",
        "mixed load, 50 clients, 2 min, throughput",
        "/s",
        Goal::AtLeast(500.0),
    ),
    (
        "hardening",
        "load_rss_idle_to_warm_mb",
        "mixed load, 50 clients: RSS idle → after 30 s",
        "MB",
        Goal::AtMost(50.0),
    ),
    (
        "hardening",
        "load_rss_growth_pct",
        "mixed load, 50 clients, 2 min, RSS growth after the first 30 s",
        "%",
        Goal::AtMost(10.0),
    ),
    (
        "ui",
        "first_load_slow_network_ms",
        "first load of the rules page, 1.6 Mbit/s, 150 ms",
        "ms",
        Goal::AtMost(3000.0),
    ),
    (
        "ui",
        "first_load_wasm_js_transferred_kb",
        "wasm + JS the first page transferred (Chromium)",
        "KB",
        Goal::AtMost(300.0),
    ),
    (
        "scale",
        "rules_1000_20_clients_p50_ms",
        "GET /rules, 1,000 EgressPoints, 20 clients, p50",
        "ms",
        Goal::AtMost(10.0),
    ),
    (
        "scale",
        "rules_1000_20_clients_p99_ms",
        "GET /rules, 1,000 EgressPoints, 20 clients, p99",
        "ms",
        Goal::AtMost(40.0),
    ),
    (
        "scale",
        "rest_creates_per_s",
        "REST creates, 20 clients, embedded API",
        "/s",
        Goal::AtLeast(1000.0),
    ),
    ("scale", "rest_create_p99_ms", "REST creates, 20 clients, p99", "ms", Goal::AtMost(60.0)),
    (
        "scale",
        "spaces_100_p50_ms",
        "GET /api/v1/spaces, 100 Spaces × 1,000, p50",
        "ms",
        Goal::AtMost(50.0),
    ),
    (
        "scale",
        "rss_100_spaces_watched_mb",
        "console resident memory, 100 Spaces × 1,000 watched",
        "MB",
        Goal::AtMost(300.0),
    ),
    ("scale", "sse_500_viewers_p99_ms", "write → 500 SSE viewers, p99", "ms", Goal::AtMost(500.0)),
    (
        "scale",
        "rss_500_viewers_mb",
        "console resident memory, 500 SSE viewers",
        "MB",
        Goal::AtMost(200.0),
    ),
];

/// Runs `tests/benches/{bench}.rs` against the release binary and reads its figures.
fn process_bench(bench: &str) -> Result<serde_json::Value> {
    let out = target_dir().join(format!("bench-{bench}.json"));
    run(cargo()
        .args(["bench", "--package", "egress-e2e", "--bench", bench])
        .env("EGRESS_CONSOLE_BIN", target_dir().join("release/egress-console"))
        .env("EGRESS_CONSOLE_SITE_DIR", crate::site::build()?)
        .env("EGRESS_BENCH_OUT", &out))?;
    let text =
        std::fs::read_to_string(&out).with_context(|| format!("reading {}", out.display()))?;
    Ok(serde_json::from_str(&text)?)
}

/// Runs the benches and prints the table.
pub fn bench() -> Result<()> {
    eprintln!("xtask: running the rules benches (criterion)");
    run(cargo().args(["bench", "--package", "egress-rules", "--bench", "validate"]))?;
    let mut figures = vec![
        Figure {
            name: "validate 1 EgressPoint, 1,000 targets x 4 hosts",
            value: criterion_median_ms("validate_1000_targets_x_4_hosts")?,
            unit: "ms",
            goal: Goal::AtMost(1.0),
            baseline: None,
        },
        Figure {
            name: "Space conflict check vs 10,000 rules",
            value: criterion_median_ms("space_check_vs_10000_rules")?,
            unit: "ms",
            goal: Goal::AtMost(1.0),
            baseline: None,
        },
        Figure {
            name: "impact of one edit, Space of 10,000 EgressPoints",
            value: criterion_median_ms("impact_one_edit_vs_10000_egresspoints")?,
            unit: "ms",
            goal: Goal::AtMost(2.0),
            baseline: None,
        },
    ];
    eprintln!("xtask: building egress-console (release) for the process figures");
    run(cargo().args(["build", "--release", "--package", "egress-console"]))?;
    crate::system::ensure_browser()?;
    for bench in ["space_api", "rest", "ui", "hardening", "scale"] {
        let measured = process_bench(bench)?;
        for (_, key, name, unit, goal) in PROCESS_FIGURES.iter().filter(|f| f.0 == bench) {
            let value = measured[*key]
                .as_f64()
                .with_context(|| format!("{key} missing from the {bench} bench's figures"))?;
            let baseline = measured[format!("{key}_no_cache")].as_f64();
            figures.push(Figure { name, value, unit, goal: *goal, baseline });
        }
    }
    let site = crate::site::build()?;
    // What the first page load fetches: the main module and its JS (the other pages' code
    // comes later, on demand).
    let (mut gzip, mut brotli) = (0, 0);
    for file in crate::site::first_load(&site)? {
        let bytes = std::fs::read(&file)?;
        gzip += gzip_len(&bytes)?;
        brotli += crate::site::brotli_of(&bytes)?.len();
    }
    figures.push(Figure {
        name: "first load (main wasm + js), gzip -9",
        value: gzip as f64 / 1000.0,
        unit: "KB",
        goal: Goal::AtMost(300.0),
        baseline: None,
    });
    figures.push(Figure {
        name: "first load (main wasm + js), brotli 11 (what browsers get)",
        value: brotli as f64 / 1000.0,
        unit: "KB",
        goal: Goal::AtMost(300.0),
        baseline: None,
    });

    println!("\n{:<52} {:>14} {:>12}  ok   old path", "figure", "measured", "goal");
    for f in &figures {
        let ok = if f.goal.met(f.value) { "yes" } else { "NO" };
        let old = f.baseline.map(|b| format!("{b:>10.3} {}", f.unit)).unwrap_or_default();
        println!(
            "{:<52} {:>10.3} {:<3} {:>8} {:<3} {ok:<4} {old}",
            f.name,
            f.value,
            f.unit,
            f.goal.describe(),
            f.unit
        );
    }
    println!(
        "(old path: the same run with `serve --no-watch-cache`, every request asking Kubernetes)"
    );
    Ok(())
}

fn criterion_median_ms(id: &str) -> Result<f64> {
    let path = target_dir().join("criterion").join(id).join("new").join("estimates.json");
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let estimates: serde_json::Value = serde_json::from_str(&text)?;
    let nanos = estimates["median"]["point_estimate"]
        .as_f64()
        .with_context(|| format!("no median in {}", path.display()))?;
    Ok(nanos / 1e6)
}

fn gzip_len(bytes: &[u8]) -> Result<usize> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
    encoder.write_all(bytes)?;
    Ok(encoder.finish()?.len())
}
