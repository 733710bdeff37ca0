//! The report of an exploration (`scn explore`): how many distinct outcomes, each listed one
//! with its tree, output, ending and witness schedule, then the expectations judged over
//! all of them. No timings, so the same scenario always gives the same bytes.

use super::{text, Report};
use crate::expect::describe::{count, limit};
use crate::expect::{ExpectResult, ProcessTree};
use crate::explore::session::{Count, Exploration};
use crate::outcome::{End, Limit, Outcome, ProcessRecord};
use serde::Serialize;
use std::fmt::Write;

/// `--format` of `scn explore` and `scn check`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum ExploreFormat {
    /// For a person reading a terminal.
    #[default]
    Text,
    /// A JSON document.
    Json,
    /// JUnit XML (`scn check` only; `scn explore` prints text).
    Junit,
}

/// What an exploration report is about.
#[derive(Clone, Copy, Debug)]
pub struct ExploreReport<'a> {
    /// The scenario file.
    pub path: &'a str,
    /// Its source text.
    pub source: &'a str,
    /// The `scenario "title"`, if any.
    pub title: Option<&'a str>,
    /// What the exploration found.
    pub exploration: &'a Exploration,
}

/// The report in `format` (JUnit is `scn check`'s; here it is text), ending with a newline.
pub fn render_exploration(report: &ExploreReport, format: ExploreFormat) -> String {
    match format {
        ExploreFormat::Json => json(report),
        ExploreFormat::Text | ExploreFormat::Junit => text_report(report),
    }
}

/// `3 distinct outcomes`, `at least 4 distinct outcomes`, …
pub fn count_line(exploration: &Exploration) -> String {
    let found = if exploration.incomplete.is_some() {
        " found so far"
    } else {
        ""
    };
    match exploration.count {
        Count::Exact(n) => format!(
            "{}{found}",
            count(n as usize, "distinct outcome", "distinct outcomes")
        ),
        Count::Unmerged(n) => format!(
            "{n} distinct outcomes{found} (too many to merge those differing only in pid numbering)"
        ),
        Count::Infinite => "infinitely many outcomes: output is written inside a cycle".to_string(),
    }
}

fn text_report(report: &ExploreReport) -> String {
    let e = report.exploration;
    let mut out = String::new();
    let _ = writeln!(out, "{}", count_line(e));
    let _ = writeln!(
        out,
        "explored {}, {}",
        count(e.states, "state", "states"),
        count(e.transitions, "transition", "transitions")
    );
    if let Some((which, value)) = e.incomplete {
        let _ = writeln!(out, "INCOMPLETE: stopped at {}", limit(which, value));
    }
    out.push('\n');
    for (i, outcome) in e.outcomes.iter().enumerate() {
        let _ = writeln!(out, "── outcome {} ──", i + 1);
        let one = Report {
            path: report.path,
            source: report.source,
            title: report.title,
            outcome,
            results: &[],
        };
        text::tree_section(&mut out, &one, &ProcessTree::of(outcome), false);
        text::faults_section(&mut out, &one);
        text::output_section(&mut out, &outcome.terminal());
        text::files_section(&mut out, &outcome.files);
        text::ending(&mut out, outcome);
        let _ = writeln!(out, "schedule: {}\n", outcome.schedule);
    }
    let listed = e.outcomes.len() as u128;
    let total = match e.count {
        Count::Exact(n) | Count::Unmerged(n) => Some(n),
        Count::Infinite => None,
    };
    if total.is_none_or(|n| n > listed) {
        let _ = writeln!(
            out,
            "… only the first {listed} are listed; --all lists every one\n"
        );
    }
    let empty = Outcome {
        processes: Vec::new(),
        output: Vec::new(),
        end: End::Finished,
        context_switches: 0,
        steps: 0,
        clock_micros: 0,
        schedule: String::new(),
        unsupported: Vec::new(),
        files: Vec::new(),
    };
    let all = Report {
        path: report.path,
        source: report.source,
        title: report.title,
        outcome: e.outcomes.first().unwrap_or(&empty),
        results: &e.results,
    };
    text::expectations_section(&mut out, &all);
    out
}

/// One outcome in the JSON document.
#[derive(Debug, Serialize)]
struct JsonOutcome<'a> {
    output: String,
    processes: &'a [ProcessRecord],
    tree: String,
    end: &'a End,
    schedule: &'a str,
    steps: u64,
}

/// Which limit made an exploration incomplete.
#[derive(Debug, Serialize)]
struct JsonLimit {
    limit: Limit,
    value: u64,
}

/// The JSON document of an exploration.
#[derive(Debug, Serialize)]
struct JsonExploration<'a> {
    scenario: &'a str,
    title: Option<&'a str>,
    complete: bool,
    incomplete: Option<JsonLimit>,
    /// Distinct outcomes; null when infinitely many.
    count: Option<String>,
    /// `exact`, `unmerged` (pid numbering not merged) or `infinite`.
    count_kind: &'static str,
    states: usize,
    transitions: usize,
    outcomes: Vec<JsonOutcome<'a>>,
    expectations: &'a [ExpectResult],
}

fn json(report: &ExploreReport) -> String {
    let e = report.exploration;
    let (count, count_kind) = match e.count {
        Count::Exact(n) => (Some(n.to_string()), "exact"),
        Count::Unmerged(n) => (Some(n.to_string()), "unmerged"),
        Count::Infinite => (None, "infinite"),
    };
    let outcomes = (e.outcomes.iter())
        .map(|o| JsonOutcome {
            output: String::from_utf8_lossy(&o.terminal()).into_owned(),
            processes: &o.processes,
            tree: if o.processes.is_empty() {
                String::new()
            } else {
                ProcessTree::of(o).shape(0)
            },
            end: &o.end,
            schedule: &o.schedule,
            steps: o.steps,
        })
        .collect();
    let doc = JsonExploration {
        scenario: report.path,
        title: report.title,
        complete: e.incomplete.is_none(),
        incomplete: e
            .incomplete
            .map(|(limit, value)| JsonLimit { limit, value }),
        count,
        count_kind,
        states: e.states,
        transitions: e.transitions,
        outcomes,
        expectations: &e.results,
    };
    let mut text = serde_json::to_string_pretty(&doc)
        .expect("an exploration holds only strings, numbers and sequences");
    text.push('\n');
    text
}
