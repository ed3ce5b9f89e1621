//! The results as one Markdown table, with the machine and commit they were measured on.

use std::fmt::Write as _;
use std::time::Duration;

use crate::driver::Outcome;

/// One line of the table.
#[derive(Debug, Clone)]
pub struct Row {
    pub scenario: String,
    pub load: String,
    pub throughput: String,
    pub vs_ceiling: String,
    pub p50: String,
    pub p99: String,
    pub max: String,
    pub errors: String,
    pub target: String,
}

pub fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

pub fn per_second(rate: f64, unit: &str) -> String {
    format!("{} {unit}/s", thousands(rate.round() as u64))
}

pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

impl Row {
    /// A row that is one figure over the whole run, with no latency or errors of its own.
    pub fn whole_run(scenario: &str, throughput: String, target: String) -> Self {
        let none = || "—".to_owned();
        Self {
            scenario: scenario.to_owned(),
            load: "whole run".to_owned(),
            throughput,
            vs_ceiling: none(),
            p50: none(),
            p99: none(),
            max: none(),
            errors: none(),
            target,
        }
    }

    /// A row from a driver run; `rate` is what the scenario counts per second.
    pub fn from_outcome(
        scenario: &str,
        outcome: &Outcome,
        load: String,
        throughput: String,
        ceiling: Option<f64>,
        target: String,
    ) -> Self {
        Self {
            scenario: scenario.to_owned(),
            load,
            throughput,
            vs_ceiling: ceiling.map_or_else(
                || "1.00".to_owned(),
                |c| format!("{:.2}", outcome.requests_per_second() / c),
            ),
            p50: ms(outcome.quantile(0.50)),
            p99: ms(outcome.quantile(0.99)),
            max: ms(outcome.max()),
            errors: match &outcome.first_error {
                None => "0".to_owned(),
                Some(e) => format!("{} ({e})", outcome.errors),
            },
            target,
        }
    }
}

pub struct Machine {
    pub cores: usize,
    pub memory: String,
    pub cpu: String,
}

impl Machine {
    pub fn this_one() -> Self {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let cpu = cpuinfo
            .lines()
            .find(|l| l.starts_with("model name"))
            .and_then(|l| l.split_once(':'))
            .map_or_else(|| "unknown CPU".to_owned(), |(_, v)| v.trim().to_owned());
        let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
        let memory = meminfo
            .lines()
            .find(|l| l.starts_with("MemTotal:"))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kib| kib.parse::<u64>().ok())
            .map_or_else(
                || "unknown".to_owned(),
                |kib| format!("{:.1} GiB", kib as f64 / 1024.0 / 1024.0),
            );
        Self {
            cores: std::thread::available_parallelism().map_or(0, std::num::NonZero::get),
            memory,
            cpu,
        }
    }
}

/// The table alone, as printed.
/// A fixed-rate run's requests as CSV: when each was due (Unix epoch, ms) and its latency (µs).
pub fn write_timeline(path: &std::path::Path, outcome: &Outcome) -> anyhow::Result<()> {
    let epoch = outcome
        .started_at
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let mut csv = String::from("due_unix_ms,latency_us\n");
    for (due, latency) in &outcome.timeline {
        let _ = writeln!(
            csv,
            "{:.3},{}",
            (epoch + *due).as_secs_f64() * 1000.0,
            latency.as_micros()
        );
    }
    std::fs::write(path, csv)
        .map_err(|e| anyhow::anyhow!("writing the timeline to {}: {e}", path.display()))
}

pub fn table(rows: &[Row]) -> String {
    let mut out = String::from(
        "| Scenario | Load | Throughput | × ceiling | p50 | p99 | max | Errors | Target |\n\
         |---|---|---|---|---|---|---|---|---|\n",
    );
    for r in rows {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            r.scenario, r.load, r.throughput, r.vs_ceiling, r.p50, r.p99, r.max, r.errors, r.target
        );
    }
    out
}

/// The whole `docs/benchmarks.md` section for this run.
pub fn document(rows: &[Row], machine: &Machine, commit: &str, notes: &[String]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Measured {} on {} cores ({}), {} of memory, at commit `{commit}`, by `make bench`.\n",
        chrono::Utc::now().format("%Y-%m-%d %H:%M UTC"),
        machine.cores,
        machine.cpu,
        machine.memory,
    );
    out.push_str(&table(rows));
    if !notes.is_empty() {
        out.push('\n');
        for note in notes {
            let _ = writeln!(out, "- {note}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_are_grouped_for_reading() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(25_123_456), "25,123,456");
    }
}
