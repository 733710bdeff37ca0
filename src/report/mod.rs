//! Reports: an outcome and its expectation results as text, JSON or Graphviz.
//!
//! Every report is a pure function of its input: the same outcome gives the same bytes (no
//! timestamps, no hash-map order).

pub mod conform;
mod dot;
mod explore;
mod fault;
mod json;
mod text;
mod tree;

pub use explore::{render_exploration, ExploreFormat, ExploreReport};
pub use json::JsonReport;

use crate::expect::ExpectResult;
use crate::outcome::Outcome;

/// What a report is about: one run of one scenario and its expectation verdicts.
#[derive(Clone, Copy, Debug)]
pub struct Report<'a> {
    /// The scenario file, as given on the command line.
    pub path: &'a str,
    /// Its source text (fault messages quote it).
    pub source: &'a str,
    /// The `scenario "title"`, if any (JSON carries it; the text report starts with the
    /// answer instead).
    pub title: Option<&'a str>,
    /// The run.
    pub outcome: &'a Outcome,
    /// The expectations' verdicts, in source order.
    pub results: &'a [ExpectResult],
}

/// The output formats of `--format`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum Format {
    /// For a person reading a terminal (the default).
    #[default]
    Text,
    /// A stable JSON document; its shape is in `docs/report-json.md`.
    Json,
    /// The process tree for Graphviz (`scn run f.scn --format dot | dot -Tsvg`).
    Dot,
}

/// Choices of the text report.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TextOptions {
    /// Print each process's state history and context switches (`--states`).
    pub states: bool,
    /// Print the whole tree even when it has more than [`SUMMARY_ABOVE`] processes
    /// (`--full-tree`).
    pub full_tree: bool,
}

/// Trees with more processes than this are summarised unless `--full-tree` is given.
pub const SUMMARY_ABOVE: usize = 64;

/// Tree lines a summarised tree still shows.
pub const SUMMARY_LINES: usize = 20;

/// The report in `format`, ending with a newline.
pub fn render(report: &Report, format: Format, options: TextOptions) -> String {
    match format {
        Format::Text => text::render(report, options),
        Format::Json => json::render(report),
        Format::Dot => dot::render(report.outcome),
    }
}

/// The name a report gives the process with `pid`: `init` for pid 1, a process's tree name,
/// or `pid N` for one outside the run.
fn name_of_pid(outcome: &Outcome, pid: i64) -> String {
    if pid == 1 {
        return "init".to_string();
    }
    outcome
        .processes
        .iter()
        .find(|p| p.pid == pid)
        .map_or_else(|| format!("pid {pid}"), |p| p.name.clone())
}
