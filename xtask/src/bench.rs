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
    goal: f64,
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
            goal: 1.0,
        },
        Figure {
            name: "Space conflict check vs 10,000 rules",
            value: criterion_median_ms("space_check_vs_10000_rules")?,
            unit: "ms",
            goal: 1.0,
        },
    ];
    let site = crate::site::build()?;
    let wasm = std::fs::read(site.join("pkg/egress_frontend_bg.wasm"))?;
    let js = std::fs::read(site.join("pkg/egress_frontend.js"))?;
    figures.push(Figure {
        name: "wasm bundle (wasm + js), gzip -9",
        value: (gzip_len(&wasm)? + gzip_len(&js)?) as f64 / 1000.0,
        unit: "KB",
        goal: 300.0,
    });

    println!("\n{:<50} {:>12} {:>10}  ok", "figure", "measured", "goal");
    for f in &figures {
        let ok = if f.value <= f.goal { "yes" } else { "NO" };
        println!(
            "{:<50} {:>9.3} {:<2} {:>7} {:<2} {ok}",
            f.name,
            f.value,
            f.unit,
            format!("≤ {}", f.goal),
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
