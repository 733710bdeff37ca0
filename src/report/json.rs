//! The JSON report: a stable, documented shape (`docs/report-json.md`).

use super::Report;
use crate::expect::{ExpectResult, ProcessTree};
use crate::outcome::{End, FileRecord, OutputChunk, ProcessRecord};
use serde::Serialize;

/// The JSON document of one run. Field order is the serialisation order.
#[derive(Debug, Serialize)]
pub struct JsonReport<'a> {
    /// The scenario file.
    pub scenario: &'a str,
    /// The `scenario "title"`, or null.
    pub title: Option<&'a str>,
    /// Every process, in creation order (index 0 is the initial process).
    pub processes: &'a [ProcessRecord],
    /// The tree's shape in the `expect tree == "…"` notation.
    pub tree: String,
    /// The tree's height, the initial process counting 1.
    pub depth: usize,
    /// The terminal output (invalid UTF-8 replaced by U+FFFD).
    pub output: String,
    /// Each write that reached the terminal, in order.
    pub chunks: &'a [OutputChunk],
    /// The regular files at the end, by path.
    pub files: &'a [FileRecord],
    /// How the run ended.
    pub end: &'a End,
    /// The expectations' verdicts, in source order.
    pub expectations: &'a [ExpectResult],
    /// The schedule that was run, replayable with `--schedule`.
    pub schedule: &'a str,
    /// Visible actions performed.
    pub steps: u64,
    /// Context switches, all processes together.
    pub context_switches: u64,
    /// Virtual time at the end, in microseconds.
    pub clock_micros: u64,
}

impl<'a> JsonReport<'a> {
    /// The document for `report`.
    pub fn of(report: &Report<'a>) -> JsonReport<'a> {
        let outcome = report.outcome;
        let tree = ProcessTree::of(outcome);
        JsonReport {
            scenario: report.path,
            title: report.title,
            processes: &outcome.processes,
            tree: if outcome.processes.is_empty() {
                String::new()
            } else {
                tree.shape(0)
            },
            depth: tree.height(),
            output: String::from_utf8_lossy(&outcome.terminal()).into_owned(),
            chunks: &outcome.output,
            files: &outcome.files,
            end: &outcome.end,
            expectations: report.results,
            schedule: &outcome.schedule,
            steps: outcome.steps,
            context_switches: outcome.context_switches,
            clock_micros: outcome.clock_micros,
        }
    }
}

/// The report as pretty-printed JSON with a final newline.
pub fn render(report: &Report) -> String {
    let mut text = serde_json::to_string_pretty(&JsonReport::of(report))
        .expect("a report holds only strings, numbers and sequences, which always serialise");
    text.push('\n');
    text
}
