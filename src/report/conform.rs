//! The conformance report (`scn conform`): one entry per scenario, as text for a person or
//! JSON for CI (the same entries; `scn conform` also reads them back from the processes it
//! runs one scenario in).

use crate::conform::closest::{diff, fate_differences, DiffLine};
use crate::conform::{Conformance, Mismatch, Verdict};
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;

/// What a scenario came to, as the report words it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ConformVerdict {
    /// Every real outcome is a simulated one.
    Conforms,
    /// A real outcome is not among the simulated ones.
    Differs,
    /// Nothing decided: the simulated set is not exact, or a real run hit a limit.
    Incomplete,
    /// The scenario makes calls the real backend does not carry out.
    NotRunnable,
    /// The scenario does not compile, or a real run could not be set up.
    Error,
}

/// One process field that differs between the closest simulated outcome and the real one.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FateEntry {
    /// The process's tree name.
    pub process: String,
    /// Which field (`termination`, `zombie`, …).
    pub field: String,
    /// Its value in the simulated outcome.
    pub simulated: String,
    /// Its value in the real one.
    pub real: String,
}

/// A real outcome outside the simulated set, against the closest simulated one.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MismatchEntry {
    /// The first run (from 1) that produced it.
    pub run: usize,
    /// Runs whose outcome was outside the set.
    pub outside_runs: usize,
    /// The real terminal output (pids in the simulator's numbering).
    pub real_output: String,
    /// The closest simulated output.
    pub closest_output: String,
    /// A schedule that produces the closest simulated outcome (`scn run --schedule`).
    pub closest_schedule: String,
    /// The outputs line by line.
    pub diff: Vec<DiffLine>,
    /// Process fields that differ.
    pub fates: Vec<FateEntry>,
}

/// The conformance of one scenario, as reported.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConformEntry {
    /// The scenario file.
    pub path: String,
    /// What it came to.
    pub verdict: ConformVerdict,
    /// Real runs made.
    pub runs: usize,
    /// Distinct simulated outcomes.
    pub simulated: usize,
    /// Distinct simulated outcomes the real runs produced.
    pub seen: usize,
    /// Which: their indices in the exploration's (deterministic) order.
    pub seen_outcomes: Vec<usize>,
    /// Wall time in seconds, exploration and runs together.
    pub seconds: f64,
    /// Distinct states the exploration stored.
    pub states: usize,
    /// Why it is incomplete, not runnable or an error, one line each.
    pub problems: Vec<String>,
    /// The calls the real backend does not carry out, when not runnable.
    pub not_runnable: Vec<String>,
    /// The first real outcome outside the set, when it differs.
    pub mismatch: Option<MismatchEntry>,
}

impl ConformEntry {
    /// The entry for `path`, which came to `conformance` in `seconds`.
    pub fn of(path: &str, conformance: &Conformance, seconds: f64) -> ConformEntry {
        let mut entry = ConformEntry {
            path: path.to_string(),
            verdict: ConformVerdict::Conforms,
            runs: conformance.runs,
            simulated: conformance.simulated,
            seen: conformance.seen.len(),
            seen_outcomes: conformance.seen.clone(),
            seconds,
            states: conformance.states,
            problems: Vec::new(),
            not_runnable: Vec::new(),
            mismatch: None,
        };
        match &conformance.verdict {
            Verdict::Conforms => {}
            Verdict::Differs(mismatch) => {
                entry.verdict = ConformVerdict::Differs;
                entry.mismatch = Some(mismatch_entry(mismatch));
            }
            Verdict::Incomplete(why) => {
                entry.verdict = ConformVerdict::Incomplete;
                entry.problems.push(format!("incomplete: {why}"));
            }
            Verdict::NotRunnable(calls) => {
                entry.verdict = ConformVerdict::NotRunnable;
                entry.not_runnable = calls.clone();
                let calls = calls.join(", ");
                entry
                    .problems
                    .push(format!("not runnable on the os backend: {calls}"));
            }
            Verdict::Failed(why) => {
                entry.verdict = ConformVerdict::Error;
                entry.problems.push(format!("error: {why}"));
            }
        }
        entry
    }

    /// An entry for a scenario that could not be checked (`problems` says why).
    pub fn error(path: &str, problems: Vec<String>, seconds: f64) -> ConformEntry {
        ConformEntry {
            path: path.to_string(),
            verdict: ConformVerdict::Error,
            runs: 0,
            simulated: 0,
            seen: 0,
            seen_outcomes: Vec::new(),
            seconds,
            states: 0,
            problems,
            not_runnable: Vec::new(),
            mismatch: None,
        }
    }
}

impl ConformEntry {
    /// One entry for a scenario whose runs were shared out among several processes (each
    /// with its own entry, in run order): runs add up, coverage is the union, and the
    /// verdict is the gravest (error, differs, incomplete, not runnable, conforms), with
    /// the first run outside the set.
    pub fn merge(parts: Vec<ConformEntry>) -> Option<ConformEntry> {
        let gravity = |v: ConformVerdict| match v {
            ConformVerdict::Error => 4,
            ConformVerdict::Differs => 3,
            ConformVerdict::Incomplete => 2,
            ConformVerdict::NotRunnable => 1,
            ConformVerdict::Conforms => 0,
        };
        let mut merged = (parts.iter())
            .max_by_key(|p| (gravity(p.verdict), std::cmp::Reverse(p.mismatch_run())))?
            .clone();
        let mut seen: Vec<usize> = (parts.iter())
            .flat_map(|p| p.seen_outcomes.iter().copied())
            .collect();
        seen.sort_unstable();
        seen.dedup();
        merged.seen = seen.len();
        merged.seen_outcomes = seen;
        merged.runs = parts.iter().map(|p| p.runs).sum();
        merged.seconds = parts.iter().map(|p| p.seconds).fold(0.0, f64::max);
        let outside: usize = (parts.iter())
            .filter_map(|p| p.mismatch.as_ref().map(|m| m.outside_runs))
            .sum();
        if let Some(m) = &mut merged.mismatch {
            m.outside_runs = outside;
        }
        Some(merged)
    }

    fn mismatch_run(&self) -> usize {
        self.mismatch.as_ref().map_or(usize::MAX, |m| m.run)
    }
}

fn mismatch_entry(m: &Mismatch) -> MismatchEntry {
    let (real, closest) = (m.real.terminal(), m.closest.terminal());
    let fates = fate_differences(&m.closest_key.end.fates, &m.real_key.end.fates);
    MismatchEntry {
        run: m.run,
        outside_runs: m.outside_runs,
        real_output: String::from_utf8_lossy(&real).into_owned(),
        closest_output: String::from_utf8_lossy(&closest).into_owned(),
        closest_schedule: m.closest.schedule.clone(),
        diff: diff(&closest, &real),
        fates: (fates.into_iter())
            .map(|(process, field, simulated, real)| FateEntry {
                process,
                field: field.to_string(),
                simulated,
                real,
            })
            .collect(),
    }
}

/// One block per scenario, then the tally.
pub fn render_text(entries: &[ConformEntry]) -> String {
    let mut out = String::new();
    for e in entries {
        let word = match e.verdict {
            ConformVerdict::Conforms => "conforms",
            ConformVerdict::Differs => "DIFFERS",
            ConformVerdict::Incomplete => "INCOMPLETE",
            ConformVerdict::NotRunnable => "NOT RUNNABLE",
            ConformVerdict::Error => "ERROR",
        };
        let _ = write!(out, "{word:<12} {} ({:.2}s", e.path, e.seconds);
        if matches!(
            e.verdict,
            ConformVerdict::Conforms | ConformVerdict::Differs
        ) {
            let _ = write!(
                out,
                ", {} of {} simulated outcomes seen in {} runs",
                e.seen, e.simulated, e.runs
            );
        }
        out.push_str(")\n");
        for p in &e.problems {
            let _ = writeln!(out, "    {p}");
        }
        if let Some(m) = &e.mismatch {
            render_mismatch(&mut out, m);
        }
    }
    out.push_str(&tally(entries));
    out.push('\n');
    out
}

fn render_mismatch(out: &mut String, m: &MismatchEntry) {
    let _ = writeln!(
        out,
        "    run {} produced an outcome the simulator does not predict ({} run(s) outside the set)",
        m.run, m.outside_runs
    );
    let _ = writeln!(
        out,
        "    closest simulated outcome (scn run --schedule '{}'):",
        m.closest_schedule
    );
    if m.diff.iter().any(|d| !matches!(d, DiffLine::Both(_))) {
        out.push_str("      output (- simulated, + real):\n");
        for d in &m.diff {
            let (mark, line) = match d {
                DiffLine::Both(l) => (' ', l),
                DiffLine::Simulated(l) => ('-', l),
                DiffLine::Real(l) => ('+', l),
            };
            let _ = writeln!(out, "        {mark} {}", line.trim_end_matches('\n'));
        }
    } else {
        out.push_str("      same output\n");
    }
    for f in &m.fates {
        let _ = writeln!(
            out,
            "      {} {}: simulated {}, real {}",
            f.process, f.field, f.simulated, f.real
        );
    }
}

/// `N conform, M differ` and the other verdicts when there are any.
pub fn tally(entries: &[ConformEntry]) -> String {
    let count = |v: ConformVerdict| entries.iter().filter(|e| e.verdict == v).count();
    let mut line = format!(
        "{} conform, {} differ",
        count(ConformVerdict::Conforms),
        count(ConformVerdict::Differs)
    );
    let others = [
        (ConformVerdict::Incomplete, "incomplete"),
        (
            ConformVerdict::NotRunnable,
            "not runnable on the os backend",
        ),
        (ConformVerdict::Error, "errors"),
    ];
    for (verdict, words) in others {
        if count(verdict) > 0 {
            let _ = write!(line, ", {} {words}", count(verdict));
        }
    }
    line
}

/// The entries as a pretty-printed JSON array with a final newline.
pub fn render_json(entries: &[ConformEntry]) -> String {
    let mut text = serde_json::to_string_pretty(entries)
        .expect("conformance entries hold only strings, numbers and sequences");
    text.push('\n');
    text
}
