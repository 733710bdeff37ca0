//! Laws of the simulated kernel over generated programs (proptest): fork doubling, and the
//! invariants of process trees built by fork, exit and wait.

use proptest::prelude::*;
use proscenium::outcome::{End, Outcome};
use proscenium::run::{run, RunOptions};
use proscenium::scenario::compile;

fn simulate(source: &str, overrides: &[(&str, &str)]) -> Outcome {
    let overrides: Vec<(String, String)> = overrides
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let scenario = compile("generated.c", source.to_string(), &overrides)
        .unwrap_or_else(|d| panic!("generated program does not compile: {d:?}\n{source}"));
    run(&scenario, &RunOptions::default()).expect("no schedule is replayed")
}

/// A statement of a generated program; `Spawn` is `if (fork() == 0) { … exit(k); }`.
#[derive(Clone, Debug)]
enum Action {
    Fork,
    Spawn(Vec<Action>, u8),
    WaitOne,
    Print(u8),
}

fn action() -> impl Strategy<Value = Action> {
    let leaf = prop_oneof![
        Just(Action::Fork),
        Just(Action::WaitOne),
        (0u8..10).prop_map(Action::Print),
    ];
    leaf.prop_recursive(3, 12, 4, |inner| {
        prop_oneof![
            3 => (prop::collection::vec(inner, 0..4), 0u8..4).prop_map(|(body, k)| Action::Spawn(body, k)),
            1 => Just(Action::Fork),
        ]
    })
}

/// C for `actions`; with `reap_all`, every process waits for all its children before it
/// ends.
fn render(actions: &[Action], reap_all: bool, out: &mut String) {
    for a in actions {
        match a {
            Action::Fork => out.push_str("fork();\n"),
            Action::WaitOne => out.push_str("wait(NULL);\n"),
            Action::Print(n) => out.push_str(&format!("printf(\"line {n}\\n\");\n")),
            Action::Spawn(body, k) => {
                out.push_str("if (fork() == 0) {\n");
                render(body, reap_all, out);
                if reap_all {
                    out.push_str("while (wait(NULL) > 0) ;\n");
                }
                out.push_str(&format!("exit({k});\n}}\n"));
            }
        }
    }
}

fn program(actions: &[Action], reap_all: bool) -> String {
    let mut body = String::new();
    render(actions, reap_all, &mut body);
    if reap_all {
        body.push_str("while (wait(NULL) > 0) ;\n");
    }
    format!("#include <stdio.h>\n#include <unistd.h>\n#include <sys/wait.h>\nint main() {{\n{body}return 0;\n}}\n")
}

/// Tree invariants every finished run keeps: one root, every other process created by an
/// earlier one, every process terminated exactly once (it has one termination), creation
/// order is pid order.
fn assert_tree(outcome: &Outcome) {
    assert_eq!(outcome.end, End::Finished);
    assert!(
        outcome.processes[0].creator.is_none(),
        "the initial process has no creator"
    );
    for (i, p) in outcome.processes.iter().enumerate().skip(1) {
        let creator = p
            .creator
            .expect("every process but the first has a creator");
        assert!(
            creator < i,
            "process {i} created by a later process {creator}"
        );
        assert!(
            p.pid > outcome.processes[i - 1].pid,
            "pids grow in creation order"
        );
    }
    for p in &outcome.processes {
        assert!(p.termination.is_some(), "{} never terminated", p.name);
    }
}

proptest! {
    /// n sequential forks make 2^n processes, whatever the policy.
    #[test]
    fn sequential_forks_double(n in 0u32..9, policy in prop::sample::select(vec!["fifo", "round-robin", "random"])) {
        let source = format!("int main() {{ for (int i = 0; i < {n}; i++) fork(); return 0; }}");
        let outcome = simulate(&source, &[("policy", policy)]);
        prop_assert_eq!(outcome.processes.len(), 1usize << n);
        assert_tree(&outcome);
    }

    /// Generated fork/exit/wait programs keep the tree invariants under every policy.
    #[test]
    fn trees_stay_trees(actions in prop::collection::vec(action(), 0..6), seed in 0u64..1000) {
        let source = program(&actions, false);
        for policy in ["fifo", "round-robin", "random"] {
            let outcome = simulate(&source, &[("policy", policy), ("seed", &seed.to_string())]);
            assert_tree(&outcome);
        }
    }

    /// When every parent waits for all its children, no zombie and no orphan remains.
    #[test]
    fn reaping_parents_leave_no_zombies(actions in prop::collection::vec(action(), 0..6), seed in 0u64..1000) {
        let source = program(&actions, true);
        for policy in ["fifo", "round-robin", "random"] {
            let outcome = simulate(&source, &[("policy", policy), ("seed", &seed.to_string())]);
            assert_tree(&outcome);
            prop_assert_eq!(outcome.zombies(), 0);
            prop_assert_eq!(outcome.orphans(), 0);
            for p in outcome.processes.iter().skip(1) {
                let creator = &outcome.processes[p.creator.unwrap()];
                prop_assert_eq!(p.reaped_by, Some(creator.pid), "{} reaped by its parent", &p.name);
            }
        }
    }
}
