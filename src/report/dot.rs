//! The process tree for Graphviz: one node per process, creation edges solid, reparenting
//! edges dashed.

use crate::expect::describe::termination;
use crate::outcome::{Outcome, ProcessRecord, Termination};
use std::fmt::Write;

/// The `digraph` of `outcome`'s processes. Nodes are `p<index>` labelled name, pid and how
/// the process ended; zombies are filled grey, killed processes outlined red, orphans
/// dashed with a dashed edge from their adopter (`init` is drawn when it adopts).
pub fn render(outcome: &Outcome) -> String {
    let mut out = String::from("digraph processes {\n");
    out.push_str("  node [shape=box, fontname=\"monospace\"];\n");
    let adopted_by_init = outcome
        .processes
        .iter()
        .any(|p| p.orphaned && adopter(p) == 1);
    if adopted_by_init {
        out.push_str("  init [label=\"init\\npid 1\", style=dotted];\n");
    }
    for (i, p) in outcome.processes.iter().enumerate() {
        let _ = writeln!(out, "  p{i} [label=\"{}\"{}];", label(p), style(p));
    }
    for (i, p) in outcome.processes.iter().enumerate() {
        if let Some(creator) = p.creator {
            let _ = writeln!(out, "  p{creator} -> p{i};");
        }
        if p.orphaned {
            let from = match adopter(p) {
                1 => Some("init".to_string()),
                pid => outcome
                    .processes
                    .iter()
                    .position(|q| q.pid == pid)
                    .map(|q| format!("p{q}")),
            };
            if let Some(from) = from {
                let _ = writeln!(out, "  {from} -> p{i} [style=dashed, label=\"adopted\"];");
            }
        }
    }
    out.push_str("}\n");
    out
}

/// `name\npid N\nhow it ended`, plus its threads, the exec'd program and `zombie at end`.
fn label(p: &ProcessRecord) -> String {
    let mut label = format!(
        "{}\\npid {}\\n{}",
        escape(&p.name),
        p.pid,
        escape(&termination(p.termination))
    );
    if p.threads > 0 {
        let _ = write!(label, "\\n{} threads", p.threads + 1);
    }
    if p.program != "main" {
        let _ = write!(label, "\\nexec'd {}", escape(&p.program));
    }
    if p.zombie_at_end {
        label.push_str("\\nzombie at end");
    }
    label
}

fn adopter(p: &ProcessRecord) -> i64 {
    p.adopted_by.unwrap_or(p.ppid)
}

/// Graphviz attributes for how the process ended.
fn style(p: &ProcessRecord) -> String {
    let mut styles = Vec::new();
    let mut attrs = String::new();
    if p.zombie_at_end {
        styles.push("filled");
        attrs.push_str(", fillcolor=\"gray85\"");
    }
    if p.orphaned {
        styles.push("dashed");
    }
    if matches!(p.termination, Some(Termination::Signaled(_))) {
        attrs.push_str(", color=\"red\"");
    }
    if styles.is_empty() {
        attrs
    } else {
        format!(", style=\"{}\"{attrs}", styles.join(","))
    }
}

/// A string safe inside a double-quoted DOT label.
fn escape(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"")
}
