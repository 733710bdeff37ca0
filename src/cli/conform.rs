//! `scn conform`: every scenario under the given paths explored on the simulator and run on
//! the real kernel. One scenario is checked in this process; several are each checked in a
//! `scn conform --format json FILE` process of their own, a few at a time (the real backend
//! forks the process it runs in, which must stay single-threaded), and their entries
//! gathered into one report.

use super::check::{scenario_args, scenario_files};
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
    let files = match scenario_files(&args.paths, stderr) {
        Some(files) => files,
        None => return Conclusion::BadInput,
    };
    let entries = match (files.as_slice(), args.jobs) {
        ([one], None | Some(0 | 1)) => vec![conform_one(one, args)],
        ([one], Some(jobs)) => share_out_runs(one, args, jobs),
        (many, _) => conform_each_apart(many, args),
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
        first_run: args.first_run,
    };
    let conformance = conform_scenario(&scenario, &options);
    ConformEntry::of(&shown, &conformance, started.elapsed().as_secs_f64())
}

/// A piece of work for one `scn conform` process: a scenario, and which of its runs.
struct Share<'f> {
    file: &'f Path,
    first_run: usize,
    runs: usize,
}

/// Checks each of `files` in a `scn conform` process of its own, `--jobs` at a time; the
/// entries come back in the order of `files`.
fn conform_each_apart(files: &[PathBuf], args: &ConformArgs) -> Vec<ConformEntry> {
    let jobs =
        (args.jobs).unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()));
    let shares: Vec<Share> = (files.iter())
        .map(|file| Share {
            file,
            first_run: args.first_run,
            runs: args.runs,
        })
        .collect();
    in_processes(&shares, args, jobs)
}

/// Checks one scenario with its runs shared out among `jobs` processes at once (each
/// explores it too), then merges their entries into one.
fn share_out_runs(file: &Path, args: &ConformArgs, jobs: usize) -> Vec<ConformEntry> {
    let jobs = jobs.min(args.runs.max(1));
    let shares: Vec<Share> = (0..jobs)
        .map(|j| {
            let (first, end) = (args.runs * j / jobs, args.runs * (j + 1) / jobs);
            Share {
                file,
                first_run: args.first_run + first,
                runs: end - first,
            }
        })
        .collect();
    let parts = in_processes(&shares, args, jobs);
    ConformEntry::merge(parts).into_iter().collect()
}

/// Runs every share in a child process, `jobs` at a time; the entries come back in the
/// order of `shares`.
fn in_processes(shares: &[Share], args: &ConformArgs, jobs: usize) -> Vec<ConformEntry> {
    let next = Mutex::new(0usize);
    let results: Mutex<Vec<Option<ConformEntry>>> = Mutex::new(vec![None; shares.len()]);
    std::thread::scope(|scope| {
        for _ in 0..jobs.clamp(1, shares.len().max(1)) {
            scope.spawn(|| loop {
                let i = {
                    let mut next = next.lock().expect("no worker panics holding it");
                    *next += 1;
                    *next - 1
                };
                let Some(share) = shares.get(i) else {
                    break;
                };
                let entry = conform_apart(share, args);
                results.lock().expect("no worker panics holding it")[i] = Some(entry);
            });
        }
    });
    (results.into_inner().expect("workers are done"))
        .into_iter()
        .map(|e| e.expect("every share was checked"))
        .collect()
}

/// Checks a share in a child `scn conform --format json` process and reads its entry back.
fn conform_apart(share: &Share, args: &ConformArgs) -> ConformEntry {
    let started = Instant::now();
    let shown = share.file.to_string_lossy().into_owned();
    let failed =
        |why: String| ConformEntry::error(&shown, vec![why], started.elapsed().as_secs_f64());
    let exe = match std::env::current_exe() {
        Ok(exe) => exe,
        Err(error) => return failed(format!("error: cannot find the scn binary: {error}")),
    };
    let output = match Command::new(exe).args(child_args(args, share)).output() {
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

/// The command line that checks a share alone with the same options, as JSON.
fn child_args(args: &ConformArgs, share: &Share) -> Vec<String> {
    let mut out: Vec<String> = vec![
        "conform".into(),
        "--format".into(),
        "json".into(),
        "--runs".into(),
        share.runs.to_string(),
        "--first-run".into(),
        share.first_run.to_string(),
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
    out.extend(["--".into(), share.file.to_string_lossy().into_owned()]);
    out
}
