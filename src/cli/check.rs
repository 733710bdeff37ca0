//! `scn check`: every scenario under the given paths explored in parallel (one scenario per
//! worker, compiled inside it), one line each, a final tally, JSON or JUnit XML for CI.

use super::{render_diagnostics, CheckArgs, Colour, Conclusion};
use crate::expect::Status;
use crate::explore::session::{explore_scenario, Count};
use crate::report::ExploreFormat;
use crate::scenario;
use rayon::prelude::*;
use serde::Serialize;
use std::fmt::Write as _;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The verdict on one scenario.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Every expectation holds over the complete exploration.
    Pass,
    /// An expectation fails, or the scenario does not compile.
    Fail,
    /// A limit stopped the exploration and nothing failed.
    Incomplete,
}

/// What checking one scenario came to.
#[derive(Clone, Debug, Serialize)]
pub struct Checked {
    /// The file.
    pub path: String,
    /// Pass, fail or incomplete.
    pub verdict: Verdict,
    /// Wall time in seconds.
    pub seconds: f64,
    /// Distinct states explored.
    pub states: usize,
    /// Why it failed or is incomplete, one line each.
    pub problems: Vec<String>,
}

/// The scenario files under `paths` (files, and directories searched recursively), sorted,
/// each once; `None` after telling `stderr` which path cannot be read.
pub(super) fn scenario_files(paths: &[String], stderr: &mut dyn Write) -> Option<Vec<PathBuf>> {
    let mut files = Vec::new();
    for path in paths {
        if let Err(error) = collect(Path::new(path), &mut files) {
            let _ = writeln!(stderr, "error: cannot read `{path}`: {error}");
            return None;
        }
    }
    files.sort();
    files.dedup();
    Some(files)
}

/// Runs `scn check` with `args`.
pub fn check(args: &CheckArgs, stdout: &mut dyn Write, stderr: &mut dyn Write) -> Conclusion {
    let files = match scenario_files(&args.paths, stderr) {
        Some(files) => files,
        None => return Conclusion::BadInput,
    };
    let files = partition(files, args.partition);
    let checked: Vec<Checked> = files.par_iter().map(|f| check_one(f, args)).collect();
    let text = match args.format {
        ExploreFormat::Text => lines(&checked),
        ExploreFormat::Json => json(&checked),
        ExploreFormat::Junit => junit(&checked),
    };
    let _ = write!(stdout, "{text}");
    let tally = |v: Verdict| checked.iter().filter(|c| c.verdict == v).count();
    Conclusion::Ran {
        limit_hit: tally(Verdict::Incomplete) > 0,
        failed: tally(Verdict::Fail),
    }
}

/// Adds `path` if it is a file, or every `*.scn` and `*.c` below it if it is a directory.
fn collect(path: &Path, files: &mut Vec<PathBuf>) -> std::io::Result<()> {
    if !path.is_dir() {
        std::fs::metadata(path)?;
        files.push(path.to_path_buf());
        return Ok(());
    }
    for entry in std::fs::read_dir(path)? {
        let entry = entry?.path();
        let scenario = matches!(
            entry.extension().and_then(|e| e.to_str()),
            Some("scn" | "c")
        );
        if entry.is_dir() || scenario {
            collect(&entry, files)?;
        }
    }
    Ok(())
}

/// Partition `k` of `n` (1-based) of the sorted `files`: file `i` goes to `(i mod n) + 1`.
pub fn partition(files: Vec<PathBuf>, part: Option<(usize, usize)>) -> Vec<PathBuf> {
    let Some((k, n)) = part else {
        return files;
    };
    (files.into_iter().enumerate())
        .filter(|(i, _)| i % n + 1 == k)
        .map(|(_, f)| f)
        .collect()
}

/// Compiles and explores one scenario (inside the worker: a scenario is not `Send`).
fn check_one(path: &Path, args: &CheckArgs) -> Checked {
    let started = std::time::Instant::now();
    let shown = path.to_string_lossy().into_owned();
    let done = |verdict, states, problems| Checked {
        path: shown.clone(),
        verdict,
        seconds: started.elapsed().as_secs_f64(),
        states,
        problems,
    };
    let scenario = match scenario::load(&shown, &args.search.config) {
        Ok(scenario) => scenario,
        Err(diagnostics) => {
            let text = render_diagnostics(&diagnostics, Colour::Off);
            return done(Verdict::Fail, 0, text.lines().map(str::to_string).collect());
        }
    };
    let e = explore_scenario(
        &scenario,
        &args.search.options(scenario_args(&scenario.source), 0),
    );
    let mut problems: Vec<String> = (e.results.iter())
        .filter(|r| r.status == Status::Fail)
        .map(|r| format!("✗ {}: {}", r.text, r.detail))
        .collect();
    let verdict = if !problems.is_empty() {
        Verdict::Fail
    } else if let Some((limit, value)) = e.incomplete {
        problems.push(format!(
            "incomplete: stopped at {}",
            crate::expect::describe::limit(limit, value)
        ));
        Verdict::Incomplete
    } else if e.count == Count::Infinite {
        problems.push("incomplete: infinitely many outcomes".to_string());
        Verdict::Incomplete
    } else {
        Verdict::Pass
    };
    done(verdict, e.states, problems)
}

/// The arguments a scenario names on a line of its own, `// args: one two`.
pub fn scenario_args(source: &str) -> Vec<String> {
    (source.lines())
        .find_map(|line| line.trim().strip_prefix("// args:"))
        .map(|args| args.split_whitespace().map(String::from).collect())
        .unwrap_or_default()
}

/// One line per scenario, its problems indented, then `N passed, M failed[, K incomplete]`.
fn lines(checked: &[Checked]) -> String {
    let mut out = String::new();
    for c in checked {
        let word = match c.verdict {
            Verdict::Pass => "pass",
            Verdict::Fail => "FAIL",
            Verdict::Incomplete => "INCOMPLETE",
        };
        let _ = writeln!(
            out,
            "{word:<10} {} ({:.2}s, {} states)",
            c.path, c.seconds, c.states
        );
        for p in &c.problems {
            let _ = writeln!(out, "    {p}");
        }
    }
    out.push_str(&tally(checked));
    out.push('\n');
    out
}

/// `N passed, M failed`, plus `, K incomplete` when there are any.
pub fn tally(checked: &[Checked]) -> String {
    let count = |v: Verdict| checked.iter().filter(|c| c.verdict == v).count();
    let mut line = format!(
        "{} passed, {} failed",
        count(Verdict::Pass),
        count(Verdict::Fail)
    );
    if count(Verdict::Incomplete) > 0 {
        let _ = write!(line, ", {} incomplete", count(Verdict::Incomplete));
    }
    line
}

fn json(checked: &[Checked]) -> String {
    let mut text =
        serde_json::to_string_pretty(checked).expect("check results hold only strings and numbers");
    text.push('\n');
    text
}

/// JUnit XML: one `testcase` per scenario; a failure is `<failure>`, an incomplete
/// exploration `<error type="incomplete">`.
fn junit(checked: &[Checked]) -> String {
    let count = |v: Verdict| checked.iter().filter(|c| c.verdict == v).count();
    let total: f64 = checked.iter().map(|c| c.seconds).sum();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"scn check\" tests=\"{}\" failures=\"{}\" errors=\"{}\" time=\"{total:.3}\">",
        checked.len(),
        count(Verdict::Fail),
        count(Verdict::Incomplete)
    );
    let _ = writeln!(
        out,
        "  <testsuite name=\"scn check\" tests=\"{}\" failures=\"{}\" errors=\"{}\" time=\"{total:.3}\">",
        checked.len(),
        count(Verdict::Fail),
        count(Verdict::Incomplete)
    );
    for c in checked {
        let _ = write!(
            out,
            "    <testcase classname=\"scn\" name=\"{}\" time=\"{:.3}\"",
            escape(&c.path),
            c.seconds
        );
        let body = escape(&c.problems.join("\n"));
        let first = escape(c.problems.first().map_or("", String::as_str));
        match c.verdict {
            Verdict::Pass => out.push_str("/>\n"),
            Verdict::Fail => {
                let _ = write!(
                    out,
                    ">\n      <failure message=\"{first}\">{body}</failure>\n    </testcase>\n"
                );
            }
            Verdict::Incomplete => {
                let _ = write!(out, ">\n      <error type=\"incomplete\" message=\"{first}\">{body}</error>\n    </testcase>\n");
            }
        }
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

/// Text as XML character data or attribute value; characters XML 1.0 forbids are dropped.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\t' | '\r' => out.push(c),
            c if (c as u32) < 0x20 => {}
            c => out.push(c),
        }
    }
    out
}
