//! The text report, for a student: the answer first, then the tree, the output, how the
//! run ended and the expectations.

use super::{fault, tree, Report, TextOptions, SUMMARY_ABOVE, SUMMARY_LINES};
use crate::expect::describe::{count, limit};
use crate::expect::{ProcessTree, Status};
use crate::outcome::{End, Outcome, ProcessState};
use std::collections::BTreeSet;
use std::fmt::Write;

/// The whole text report.
pub fn render(report: &Report, options: TextOptions) -> String {
    let outcome = report.outcome;
    let process_tree = ProcessTree::of(outcome);
    let mut out = String::new();
    let _ = writeln!(out, "{}", headline(outcome));
    out.push('\n');
    tree_section(&mut out, report, &process_tree, options.full_tree);
    faults_section(&mut out, report);
    output_section(&mut out, &outcome.terminal());
    files_section(&mut out, &outcome.files);
    end_section(&mut out, outcome);
    if options.states {
        states_section(&mut out, outcome);
    }
    expectations_section(&mut out, report);
    out
}

/// `8 processes: the initial one and 7 created by fork`, plus exec'd programs.
fn headline(outcome: &Outcome) -> String {
    let n = outcome.processes.len();
    let mut line = match n {
        0 => "no process ran".to_string(),
        1 => "1 process: the initial one".to_string(),
        _ => format!(
            "{n} processes: the initial one and {} created by fork",
            n - 1
        ),
    };
    let threads: u32 = outcome.processes.iter().map(|p| p.threads).sum();
    if threads > 0 {
        let _ = write!(
            line,
            "; {threads} thread{} created by pthread_create",
            if threads == 1 { "" } else { "s" }
        );
    }
    let programs: BTreeSet<&str> = outcome
        .processes
        .iter()
        .map(|p| p.program.as_str())
        .filter(|p| *p != "main")
        .collect();
    if !programs.is_empty() {
        let execs = outcome
            .processes
            .iter()
            .filter(|p| p.program != "main")
            .count();
        let list: Vec<&str> = programs.into_iter().collect();
        let who = match (n, execs) {
            (1, _) => "it".to_string(),
            (_, 1) => "1 of them".to_string(),
            _ => format!("{execs} of them"),
        };
        let _ = write!(
            line,
            "; {who} ran another program with exec: {}",
            list.join(", ")
        );
    }
    line
}

pub(super) fn tree_section(
    out: &mut String,
    report: &Report,
    process_tree: &ProcessTree,
    full: bool,
) {
    let outcome = report.outcome;
    let total = outcome.processes.len();
    let summarise = total > SUMMARY_ABOVE && !full;
    let _ = writeln!(out, "process tree:");
    if summarise {
        for line in tree::summary(outcome, process_tree) {
            let _ = writeln!(out, "  {line}");
        }
        let _ = writeln!(out, "  first {SUMMARY_LINES} lines:");
    }
    let max = if summarise { SUMMARY_LINES } else { usize::MAX };
    for line in tree::lines(outcome, process_tree, max) {
        let _ = writeln!(out, "  {line}");
    }
    if summarise {
        let _ = writeln!(
            out,
            "  … {} not shown; --full-tree prints them all",
            count(total - SUMMARY_LINES, "more process", "more processes")
        );
    }
    out.push('\n');
}

pub(super) fn faults_section(out: &mut String, report: &Report) {
    for p in &report.outcome.processes {
        if let Some(f) = &p.fault {
            let what = if f.kind == crate::vm::FaultKind::MemoryLimit {
                "stopped at the memory limit"
            } else {
                "crashed"
            };
            let _ = writeln!(out, "{} (pid {}) {what}:", p.name, p.pid);
            let _ = writeln!(
                out,
                "{}",
                fault::render(f, report.path, report.source).trim_end()
            );
            out.push('\n');
        }
    }
}

/// The terminal output behind a `│` margin, so blank lines show; a line that ends in spaces
/// or tabs is marked with `⏎` where it ends.
pub(super) fn output_section(out: &mut String, terminal: &[u8]) {
    if terminal.is_empty() {
        let _ = writeln!(out, "output: (none)\n");
        return;
    }
    let _ = writeln!(out, "output:");
    let body = terminal.strip_suffix(b"\n").unwrap_or(terminal);
    for line in body.split(|&b| b == b'\n') {
        let text = visible(line);
        let mark = if text.ends_with([' ', '\t']) {
            "⏎"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "  │{}{text}{mark}",
            if text.is_empty() { "" } else { " " }
        );
    }
    if !terminal.ends_with(b"\n") {
        let _ = writeln!(out, "  (no trailing newline)");
    }
    out.push('\n');
}

/// The regular files at the end, each with its contents behind the output's margin.
pub(super) fn files_section(out: &mut String, files: &[crate::outcome::FileRecord]) {
    for file in files {
        let size = count(file.contents.len(), "byte", "bytes");
        let _ = write!(out, "file {} ({size})", file.path);
        if file.contents.is_empty() {
            let _ = writeln!(out, "\n");
            continue;
        }
        let mut body = String::new();
        output_section(&mut body, &file.contents);
        out.push_str(body.strip_prefix("output").unwrap_or(&body));
    }
}

/// A line as a terminal shows it, with control bytes other than tab written `\xNN` so they
/// cannot move the cursor.
fn visible(line: &[u8]) -> String {
    String::from_utf8_lossy(line)
        .chars()
        .map(|c| {
            if c.is_control() && c != '\t' {
                format!("\\x{:02x}", c as u32)
            } else {
                c.to_string()
            }
        })
        .collect()
}

fn end_section(out: &mut String, outcome: &Outcome) {
    ending(out, outcome);
    let steps = count(outcome.steps as usize, "step", "steps");
    let switches = count(
        outcome.context_switches as usize,
        "context switch",
        "context switches",
    );
    if !outcome.unsupported.is_empty() {
        let calls: Vec<String> = outcome
            .unsupported
            .iter()
            .map(|c| format!("{c}()"))
            .collect();
        let _ = writeln!(
            out,
            "not simulated: {} (each call returned -1 with errno ENOSYS)",
            calls.join(", ")
        );
    }
    let _ = writeln!(out, "{steps}, {switches}");
    // A long schedule is in `--format json`; the text report stays readable.
    if !outcome.schedule.is_empty() && outcome.schedule.len() <= 120 {
        let _ = writeln!(out, "schedule: {}", outcome.schedule);
    }
    out.push('\n');
}

/// `ended: …`: finished, deadlocked (with what each process waits for), or stopped at a limit.
pub(super) fn ending(out: &mut String, outcome: &Outcome) {
    match &outcome.end {
        End::Finished => {
            let _ = writeln!(out, "ended: every process finished");
        }
        End::Deadlock { waiting } => {
            let _ = writeln!(
                out,
                "ended: DEADLOCK, every live process is blocked forever:"
            );
            for (p, what) in waiting {
                let name = outcome.processes.get(*p).map_or_else(
                    || format!("process {p}"),
                    |r| format!("{} (pid {})", r.name, r.pid),
                );
                let _ = writeln!(out, "  {name} waits: {what}");
            }
        }
        End::Limit {
            limit: which,
            value,
        } => {
            let _ = writeln!(
                out,
                "ended: stopped at {}; the result is incomplete",
                limit(*which, *value)
            );
        }
    }
}

fn states_section(out: &mut String, outcome: &Outcome) {
    let _ = writeln!(
        out,
        "states (step = visible actions performed so far, all processes together):"
    );
    for p in &outcome.processes {
        let _ = writeln!(
            out,
            "  {} (pid {}), {}:",
            p.name,
            p.pid,
            count(
                p.context_switches as usize,
                "context switch",
                "context switches"
            )
        );
        let steps: Vec<String> = p
            .history
            .iter()
            .map(|(step, state)| format!("{} at step {step}", state_name(*state)))
            .collect();
        let _ = writeln!(
            out,
            "    {}",
            if steps.is_empty() {
                "(not recorded)".to_string()
            } else {
                steps.join(" → ")
            }
        );
    }
    out.push('\n');
}

fn state_name(state: ProcessState) -> &'static str {
    match state {
        ProcessState::New => "new",
        ProcessState::Ready => "ready",
        ProcessState::Running => "running",
        ProcessState::Waiting => "waiting",
        ProcessState::Terminated => "terminated",
    }
}

pub(super) fn expectations_section(out: &mut String, report: &Report) {
    if report.results.is_empty() {
        return;
    }
    let _ = writeln!(out, "expectations:");
    for r in report.results {
        let mark = match r.status {
            Status::Pass => "✓",
            Status::Fail => "✗",
            Status::Unknown => "?",
        };
        let _ = writeln!(out, "  {mark} {}", r.text);
        let _ = writeln!(out, "      {}", r.detail);
    }
    let tally = |s: Status| report.results.iter().filter(|r| r.status == s).count();
    let _ = writeln!(
        out,
        "{} passed, {} failed, {} undecided",
        tally(Status::Pass),
        tally(Status::Fail),
        tally(Status::Unknown)
    );
}
