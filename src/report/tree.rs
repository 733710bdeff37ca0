//! The process tree as indented text, and the summary that replaces it for large trees.

use super::name_of_pid;
use crate::expect::describe::{count, termination};
use crate::expect::ProcessTree;
use crate::outcome::{Outcome, ProcessRecord};
use std::collections::BTreeMap;

/// Up to `max_lines` lines of the tree, depth first in creation order, each
/// `├─ name (pid N) …` under its creator.
pub fn lines(outcome: &Outcome, tree: &ProcessTree, max_lines: usize) -> Vec<String> {
    let mut out = Vec::new();
    if outcome.processes.is_empty() {
        return out;
    }
    // (process, prefix of its line, prefix its children continue) — iterative, so a chain
    // of thousands of processes cannot overflow the stack.
    let mut stack = vec![(0usize, String::new(), String::new())];
    while let Some((p, lead, rest)) = stack.pop() {
        if out.len() == max_lines {
            break;
        }
        out.push(format!(
            "{lead}{}",
            describe(outcome, &outcome.processes[p])
        ));
        let kids = &tree.children[p];
        for (i, &kid) in kids.iter().enumerate().rev() {
            let last = i + 1 == kids.len();
            let (branch, continued) = if last {
                ("└─ ", "   ")
            } else {
                ("├─ ", "│  ")
            };
            stack.push((kid, format!("{rest}{branch}"), format!("{rest}{continued}")));
        }
    }
    out
}

/// One process in words: `main.1 (pid 1001) ran /bin/ls: exited 0, reaped by main`.
pub fn describe(outcome: &Outcome, p: &ProcessRecord) -> String {
    let mut line = match p.threads {
        0 => format!("{} (pid {})", p.name, p.pid),
        n => format!("{} (pid {}, {} threads)", p.name, p.pid, n + 1),
    };
    if p.program != "main" {
        line.push_str(&format!(" exec'd {}", p.program));
    }
    line.push_str(": ");
    line.push_str(&termination(p.termination));
    let mut marks = Vec::new();
    if let Some(what) = &p.blocked_on {
        marks.push(format!("blocked: {what}"));
    }
    if p.orphaned {
        let adopter = p.adopted_by.unwrap_or(p.ppid);
        marks.push(format!(
            "orphan → adopted by {} (pid {adopter})",
            name_of_pid(outcome, adopter)
        ));
    }
    if p.zombie_micros > 0 {
        marks.push(format!(
            "zombie for {}",
            crate::kernel::sim::format_micros(p.zombie_micros)
        ));
    }
    if let Some(reaper) = p.reaped_by {
        marks.push(format!("reaped by {}", name_of_pid(outcome, reaper)));
    }
    if p.zombie_at_end {
        marks.push("zombie at end".to_string());
    }
    for mark in marks {
        line.push_str(", ");
        line.push_str(&mark);
    }
    line
}

/// The summary of a large tree: processes per depth, how they ended, zombies and orphans.
pub fn summary(outcome: &Outcome, tree: &ProcessTree) -> Vec<String> {
    let mut per_depth: BTreeMap<usize, usize> = BTreeMap::new();
    for &d in &tree.depth {
        *per_depth.entry(d).or_default() += 1;
    }
    let depths: Vec<String> = per_depth.iter().map(|(d, n)| format!("{d}: {n}")).collect();
    // Count by termination first and spell each distinct one once: a million processes
    // usually end in one or two ways.
    let mut by_termination: rustc_hash::FxHashMap<_, usize> = Default::default();
    for p in &outcome.processes {
        *by_termination.entry(p.termination).or_default() += 1;
    }
    let mut endings: BTreeMap<String, usize> = BTreeMap::new();
    for (how, n) in by_termination {
        *endings.entry(termination(how)).or_default() += n;
    }
    let endings: Vec<String> = endings
        .iter()
        .map(|(how, n)| format!("{how}: {n}"))
        .collect();
    vec![
        format!("processes per depth: {}", depths.join(", ")),
        format!("how they ended: {}", endings.join(", ")),
        format!(
            "{}, {}",
            count(outcome.zombies(), "zombie at end", "zombies at end"),
            count(outcome.orphans(), "orphan", "orphans")
        ),
    ]
}
