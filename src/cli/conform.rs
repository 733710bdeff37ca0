//! `scn conform`: every scenario under the given paths explored on the simulator and run on
//! the real kernel. One scenario is checked in this process; several are each checked in a
//! `scn conform --format json FILE` process of their own, a few at a time (the real backend
//! forks the process it runs in, which must stay single-threaded), and their entries
//! gathered into one report.

use super::check::{collect, scenario_args};
use super::{render_diagnostics, Colour, Conclusion, ConformArgs, ConformFormat};
use crate::conform::{conform_scenario, ConformOptions};
use crate::report::conform::{render_json, render_text, ConformEntry, ConformVerdict};
use crate::scenario;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::time::Instant;

/// Runs `scn conform` with `args`.
pub fn conform(args: &ConformArgs, stdout: &mut dyn Write, stderr: &mut dyn Write) -> Conclusion {
    let mut files = Vec::new();
    for path in &args.paths {
        if let Err(error) = collect(Path::new(path), &mut files) {
            let _ = writeln!(stderr, "error: cannot read `{path}`: {error}");
            return Conclusion::BadInput;
        }
    }
    files.sort();
    files.dedup();
    let entries = match files.as_slice() {
        [one] => vec![conform_one(one, args)],
        many => conform_each_apart(many, args),
    };
    let text = match args.format {
        ConformFormat::Text => render_text(&entries),
        ConformFormat::Json => render_json(&entries),
    };
    let _ = write!(stdout, "{text}");
    let count = |v: ConformVerdict| entries.iter().filter(|e| e.verdict == v).count();
    Conclusion::Ran {
        limit_hit: count(ConformVerdict::Incomplete) > 0,
        failed: count(ConformVerdict::Differs) + count(ConformVerdict::Error),
    }
}

/// Checks one scenario in this process.
fn conform_one(path: &Path, args: &ConformArgs) -> ConformEntry {
    let started = Instant::now();
    let shown = path.to_string_lossy().into_owned();
    let scenario = match scenario::load(&shown, &args.search.config) {
        Ok(scenario) => scenario,
        Err(diagnostics) => {
            let text = render_diagnostics(&diagnostics, Colour::Off);
            let lines = text.lines().map(str::to_string).collect();
            return ConformEntry::error(&shown, lines, started.elapsed().as_secs_f64());
        }
    };
    let options = ConformOptions {
        explore: args.search.options(scenario_args(&scenario.source), 0),
        runs: args.runs,
        timeout: args.run_timeout,
        sleep_scale: args.sleep_scale,
    };
    let conformance = conform_scenario(&scenario, &options);
    ConformEntry::of(&shown, &conformance, started.elapsed().as_secs_f64())
}

/// Checks each of `files` in a `scn conform` process of its own, `--jobs` at a time; the
/// entries come back in the order of `files`.
fn conform_each_apart(files: &[PathBuf], args: &ConformArgs) -> Vec<ConformEntry> {
    let jobs = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get() * 2));
    let next = Mutex::new(0usize);
    let results: Mutex<Vec<Option<ConformEntry>>> = Mutex::new(vec![None; files.len()]);
    std::thread::scope(|scope| {
        for _ in 0..jobs.clamp(1, files.len()) {
            scope.spawn(|| loop {
                let i = {
                    let mut next = next.lock().expect("no worker panics holding it");
                    *next += 1;
                    *next - 1
                };
                let Some(file) = files.get(i) else {
                    break;
                };
                let entry = conform_apart(file, args);
                results.lock().expect("no worker panics holding it")[i] = Some(entry);
            });
        }
    });
    (results.into_inner().expect("workers are done"))
        .into_iter()
        .map(|e| e.expect("every file was checked"))
        .collect()
}

/// Checks `file` in a child `scn conform --format json` process and reads its entry back.
fn conform_apart(file: &Path, args: &ConformArgs) -> ConformEntry {
    let started = Instant::now();
    let shown = file.to_string_lossy().into_owned();
    let failed =
        |why: String| ConformEntry::error(&shown, vec![why], started.elapsed().as_secs_f64());
    let exe = match std::env::current_exe() {
        Ok(exe) => exe,
        Err(error) => return failed(format!("error: cannot find the scn binary: {error}")),
    };
    let output = match Command::new(exe).args(child_args(args, &shown)).output() {
        Ok(output) => output,
        Err(error) => return failed(format!("error: cannot run scn: {error}")),
    };
    match serde_json::from_slice::<Vec<ConformEntry>>(&output.stdout) {
        Ok(mut entries) if entries.len() == 1 => entries.remove(0),
        _ => {
            let stderr = String::from_utf8_lossy(&output.stderr);
            failed(format!(
                "error: scn conform {shown} ended with {} and no report: {}",
                output.status,
                stderr.trim()
            ))
        }
    }
}

/// The command line that checks `file` alone with the same options, as JSON.
fn child_args(args: &ConformArgs, file: &str) -> Vec<String> {
    let mut out: Vec<String> = vec![
        "conform".into(),
        "--format".into(),
        "json".into(),
        "--runs".into(),
        args.runs.to_string(),
        "--run-timeout".into(),
        args.run_timeout.as_secs_f64().to_string(),
        "--sleep-scale".into(),
        args.sleep_scale.to_string(),
        "--max-states".into(),
        args.search.max_states.to_string(),
    ];
    if let Some(depth) = args.search.max_depth {
        out.extend(["--max-depth".into(), depth.to_string()]);
    }
    if let Some(timeout) = args.search.timeout {
        out.extend(["--timeout".into(), timeout.as_secs_f64().to_string()]);
    }
    if args.search.no_reduction {
        out.push("--no-reduction".into());
    }
    for (key, value) in &args.search.config {
        out.extend(["--config".into(), format!("{key}={value}")]);
    }
    out.extend(["--".into(), file.to_string()]);
    out
}
