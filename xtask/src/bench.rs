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
        },
        Figure {
            name: "Space conflict check vs 10,000 rules",
            value: criterion_median_ms("space_check_vs_10000_rules")?,
            unit: "ms",
            goal: Goal::AtMost(1.0),
        },
    ];
    eprintln!("xtask: building egress-console (release) for the Space API figures");
    run(cargo().args(["build", "--release", "--package", "egress-console"]))?;
    let figures_path = target_dir().join("bench-space-api.json");
    run(cargo()
        .args(["bench", "--package", "egress-e2e", "--bench", "space_api"])
        .env("EGRESS_CONSOLE_BIN", target_dir().join("release/egress-console"))
        .env("EGRESS_BENCH_OUT", &figures_path))?;
    let space: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&figures_path)?)?;
    let number = |key: &str| {
        space[key].as_f64().with_context(|| format!("{key} missing in {}", figures_path.display()))
    };
    figures.push(Figure {
        name: "durable creates per second (8 writers, kube-rs)",
        value: number("creates_per_second")?,
        unit: "/s",
        goal: Goal::AtLeast(500.0),
    });
    figures.push(Figure {
        name: "list 5,000 EgressPoints via kube-rs, p50",
        value: number("list_5000_p50_ms")?,
        unit: "ms",
        goal: Goal::AtMost(50.0),
    });
    figures.push(Figure {
        name: "list 5,000 EgressPoints via kube-rs, p99",
        value: number("list_5000_p99_ms")?,
        unit: "ms",
        goal: Goal::AtMost(100.0),
    });
    figures.push(Figure {
        name: "Space API resident memory, 10,000 EgressPoints",
        value: number("rss_10000_mb")?,
        unit: "MB",
        goal: Goal::AtMost(100.0),
    });
    let rest_path = target_dir().join("bench-rest.json");
    run(cargo()
        .args(["bench", "--package", "egress-e2e", "--bench", "rest"])
        .env("EGRESS_CONSOLE_BIN", target_dir().join("release/egress-console"))
        .env("EGRESS_BENCH_OUT", &rest_path))?;
    let rest: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&rest_path)?)?;
    let value = |key: &str| {
        rest[key].as_f64().with_context(|| format!("{key} missing in {}", rest_path.display()))
    };
    figures.push(Figure {
        name: "REST list 5,000 EgressPoints, p50",
        value: value("rest_list_5000_p50_ms")?,
        unit: "ms",
        goal: Goal::AtMost(50.0),
    });
    figures.push(Figure {
        name: "REST list 5,000 EgressPoints, p99",
        value: value("rest_list_5000_p99_ms")?,
        unit: "ms",
        goal: Goal::AtMost(100.0),
    });
    figures.push(Figure {
        name: "REST list / direct kube-rs list (p50)",
        value: value("rest_to_direct_ratio")?,
        unit: "x",
        goal: Goal::AtMost(1.25),
    });
    figures.push(Figure {
        name: "write through the API -> SSE event, p50",
        value: value("write_to_sse_p50_ms")?,
        unit: "ms",
        goal: Goal::AtMost(250.0),
    });
    figures.push(Figure {
        name: "console resident memory, idle",
        value: value("rss_idle_mb")?,
        unit: "MB",
        goal: Goal::AtMost(50.0),
    });
    figures.push(Figure {
        name: "console resident memory, watching 10,000",
        value: value("rss_watching_10000_mb")?,
        unit: "MB",
        goal: Goal::AtMost(150.0),
    });
    let site = crate::site::build()?;
    let wasm = std::fs::read(site.join("pkg/egress_frontend_bg.wasm"))?;
    let js = std::fs::read(site.join("pkg/egress_frontend.js"))?;
    figures.push(Figure {
        name: "wasm bundle (wasm + js), gzip -9",
        value: (gzip_len(&wasm)? + gzip_len(&js)?) as f64 / 1000.0,
        unit: "KB",
        goal: Goal::AtMost(300.0),
    });

    println!("\n{:<52} {:>14} {:>12}  ok", "figure", "measured", "goal");
    for f in &figures {
        let ok = if f.goal.met(f.value) { "yes" } else { "NO" };
        println!(
            "{:<52} {:>10.3} {:<3} {:>8} {:<3} {ok}",
            f.name,
            f.value,
            f.unit,
            f.goal.describe(),
            f.unit
        );
    }
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
