//! Every schedule: hand-known outcome sets, witnesses that replay, the reduction laws, and
//! `scn explore` / `scn check` on the scenarios.

use crate::test::Test;
use proptest::prelude::*;
use proscenium::explore::session::{
    explore_scenario, renumber_pids, Count, Exploration, ExploreOptions,
};
use proscenium::outcome::{End, Outcome};
use proscenium::run::{run, RunOptions};
use proscenium::scenario::{compile, Scenario};
use std::collections::BTreeSet;
use std::path::Path;

fn scenario(source: &str) -> Scenario {
    compile("generated.c", source.to_string(), &[])
        .unwrap_or_else(|d| panic!("program does not compile: {d:?}\n{source}"))
}

fn everything() -> ExploreOptions {
    ExploreOptions {
        list: usize::MAX,
        ..ExploreOptions::default()
    }
}

/// Generated programs are explored up to this many states; larger ones are skipped.
fn small() -> ExploreOptions {
    ExploreOptions {
        max_states: 3_000,
        ..everything()
    }
}

fn main_of(body: &str) -> String {
    format!("#include <stdio.h>\n#include <unistd.h>\n#include <sys/wait.h>\nint main() {{\n{body}\nreturn 0;\n}}\n")
}

fn outputs(outcomes: &[Outcome]) -> Vec<String> {
    (outcomes.iter())
        .map(|o| String::from_utf8_lossy(&o.terminal()).into_owned())
        .collect()
}

/// Every listed outcome's schedule replays to the same output and end (a run stopped at a
/// limit continues under the policy when replayed, so those are left out).
fn assert_witnesses_replay(scenario: &Scenario, outcomes: &[Outcome], args: &[String]) {
    for o in outcomes
        .iter()
        .filter(|o| !matches!(o.end, End::Limit { .. }))
    {
        let options = RunOptions {
            args: args.to_vec(),
            schedule: Some(o.schedule.clone()),
            record_history: false,
        };
        let replayed = run(scenario, &options)
            .unwrap_or_else(|e| panic!("{}: `{}` does not replay: {e}", scenario.path, o.schedule));
        assert_eq!(
            replayed.terminal(),
            o.terminal(),
            "{}: `{}`",
            scenario.path,
            o.schedule
        );
        assert_eq!(
            std::mem::discriminant(&replayed.end),
            std::mem::discriminant(&o.end),
            "{}: `{}`",
            scenario.path,
            o.schedule
        );
    }
}

#[test]
fn two_printers_have_two_outcomes() {
    let s = scenario(&main_of(
        "if (fork() == 0) { printf(\"child\\n\"); return 0; }\nprintf(\"parent\\n\");\nwait(NULL);",
    ));
    let e = explore_scenario(&s, &everything());
    assert_eq!(e.count, Count::Exact(2));
    assert_eq!(outputs(&e.outcomes), ["child\nparent\n", "parent\nchild\n"]);
    assert_witnesses_replay(&s, &e.outcomes, &[]);
}

#[test]
fn fork_fork_print_has_one_outcome() {
    let s = scenario(&main_of("fork(); fork(); printf(\"x\\n\");"));
    let e = explore_scenario(&s, &everything());
    assert_eq!(e.count, Count::Exact(1));
    assert_eq!(outputs(&e.outcomes), ["x\nx\nx\nx\n"]);
    assert_eq!(e.outcomes[0].processes.len(), 4);
    assert_witnesses_replay(&s, &e.outcomes, &[]);
}

#[test]
fn a_parent_that_waits_prints_last() {
    let s = scenario(&main_of(
        "if (fork() == 0) { printf(\"child\\n\"); return 0; }\nwait(NULL);\nprintf(\"parent\\n\");",
    ));
    let e = explore_scenario(&s, &everything());
    assert_eq!(outputs(&e.outcomes), ["child\nparent\n"]);
}

#[test]
fn a_sleeping_child_prints_after_the_parent() {
    let s = scenario(&main_of(
        "if (fork() == 0) { sleep(1); printf(\"child\\n\"); return 0; }\nprintf(\"parent\\n\");\nwait(NULL);",
    ));
    let e = explore_scenario(&s, &everything());
    assert_eq!(outputs(&e.outcomes), ["parent\nchild\n"]);
    assert_witnesses_replay(&s, &e.outcomes, &[]);
}

#[test]
fn a_reader_holding_the_write_end_deadlocks() {
    let s = scenario(&main_of(
        "int fd[2]; char c;\npipe(fd);\nif (fork() == 0) { return 0; }\nread(fd[0], &c, 1);",
    ));
    let e = explore_scenario(&s, &everything());
    assert_eq!(e.count, Count::Exact(1));
    let End::Deadlock { waiting } = &e.outcomes[0].end else {
        panic!("expected a deadlock, got {:?}", e.outcomes[0].end);
    };
    assert_eq!(waiting.len(), 1);
    assert!(waiting[0].1.contains("read()"), "{waiting:?}");
    assert_witnesses_replay(&s, &e.outcomes, &[]);
}

/// A caught signal that comes before the parent's `read` runs the handler first (and the read
/// then waits forever); one that comes while the parent waits in it interrupts it (`EINTR`,
/// no `SA_RESTART`). Both are explored, and both witnesses replay.
#[test]
fn a_signal_runs_its_handler_before_a_call_or_interrupts_it() {
    let s = scenario(&format!(
        "#include <signal.h>\nvoid on_usr1(int sig) {{ }}\n{}",
        main_of(
            "int fd[2]; char c; struct sigaction sa;\nmemset(&sa, 0, sizeof(sa));\nsa.sa_handler = on_usr1;\nsigaction(SIGUSR1, &sa, NULL);\npipe(fd);\nif (fork() == 0) { kill(getppid(), SIGUSR1); return 0; }\nprintf(\"read %d\\n\", (int)read(fd[0], &c, 1));\nwait(NULL);"
        )
    ));
    let e = explore_scenario(&s, &everything());
    assert_eq!(e.count, Count::Exact(2));
    let ends: Vec<(String, bool)> = (e.outcomes.iter())
        .map(|o| {
            let output = String::from_utf8_lossy(&o.terminal()).into_owned();
            (output, matches!(o.end, End::Deadlock { .. }))
        })
        .collect();
    assert!(ends.contains(&(String::new(), true)), "{ends:?}");
    assert!(ends.contains(&("read -1\n".to_string(), false)), "{ends:?}");
    assert!(e.outcomes.iter().any(|o| o.schedule.contains("main:block")));
    assert_witnesses_replay(&s, &e.outcomes, &[]);
}

/// `try_send` to a rendezvous mailbox succeeds only if the receiver already waits in
/// `receive`; otherwise it fails and the receiver waits forever.
#[test]
fn a_rendezvous_try_send_needs_a_waiting_receiver() {
    let s = scenario(&main_of(
        "mailbox_t b = mailbox(0); long m;\nif (fork() == 0) { receive(b, &m); printf(\"got %ld\\n\", m); return 0; }\nprintf(\"try %d\\n\", try_send(b, 7));",
    ));
    let e = explore_scenario(&s, &everything());
    let mut seen = outputs(&e.outcomes);
    seen.sort();
    assert_eq!(seen, ["got 7\ntry 0\n", "try -1\n", "try 0\ngot 7\n"]);
    assert_witnesses_replay(&s, &e.outcomes, &[]);
}

/// Only code that can run decides the fidelity: a `kill` in a function nothing calls (a
/// header's wrapper) leaves the exploration eager, with the same states as without it; one
/// that can run makes it dispatch, which stores processes before they run to their request.
#[test]
fn only_reachable_calls_choose_dispatch() {
    let body = "int fd[2]; char c; pipe(fd);\nif (fork() == 0) { write(fd[1], \"x\", 1); return 0; }\nread(fd[0], &c, 1); wait(NULL);";
    let plain = explore_scenario(&scenario(&main_of(body)), &everything());
    let with_unused = format!(
        "#include <signal.h>\nvoid never(void) {{ kill(1, SIGTERM); }}\n{}",
        main_of(body)
    );
    let unused = explore_scenario(&scenario(&with_unused), &everything());
    assert_eq!(
        (unused.states, unused.transitions),
        (plain.states, plain.transitions)
    );
    let called = with_unused.replace("wait(NULL);", "wait(NULL); if (c == 'y') never();");
    let dispatch = explore_scenario(&scenario(&called), &everything());
    assert!(dispatch.states > plain.states, "{} states", dispatch.states);
}

/// Two children each talk to themselves over a pipe of their own, then exit; the parent
/// reaps them and prints. The children's pipe moves are independent of each other.
#[test]
fn moves_on_unshared_pipes_are_explored_in_one_order() {
    let s = scenario(&main_of(
        "int p0[2]; int p1[2]; char c;\npipe(p0); pipe(p1);\n\
         if (fork() == 0) { close(p1[0]); close(p1[1]); write(p0[1], \"a\", 1); read(p0[0], &c, 1); close(p0[0]); exit(1); }\n\
         close(p0[0]); close(p0[1]);\n\
         if (fork() == 0) { write(p1[1], \"b\", 1); read(p1[0], &c, 1); close(p1[1]); exit(2); }\n\
         close(p1[0]); close(p1[1]);\n\
         wait(NULL); wait(NULL);\nprintf(\"done\\n\");",
    ));
    let full = explore_scenario(
        &s,
        &ExploreOptions {
            reduction: false,
            ..everything()
        },
    );
    let reduced = explore_scenario(&s, &everything());
    assert_eq!(outputs(&reduced.outcomes), ["done\n"]);
    assert_eq!(reduced.count, full.count);
    assert!(
        reduced.states < full.states,
        "{} < {}",
        reduced.states,
        full.states
    );
    assert_witnesses_replay(&s, &reduced.outcomes, &[]);
}

#[test]
fn outcomes_differing_in_pids_are_one() {
    let s = scenario(&main_of(
        "if (fork() == 0) { printf(\"%d\\n\", getpid()); return 0; }\nif (fork() == 0) { printf(\"%d\\n\", getpid()); return 0; }\nwhile (wait(NULL) > 0) ;",
    ));
    let e = explore_scenario(&s, &everything());
    // 1001 then 1002, or 1002 then 1001: one output up to pid numbering.
    assert_eq!(e.count, Count::Exact(1));
}

/// Children racing on a shared counter: `n` of them, each a load and a store.
fn race(n: u32, status: &str) -> Scenario {
    let body = format!(
        "int *counter = mmap(NULL, sizeof(int), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);\n\
         for (int i = 0; i < {n}; i++) if (fork() == 0) {{ int t = *counter; *counter = t + 1; exit({status}); }}\n\
         while (wait(NULL) > 0) ;\nprintf(\"%d\\n\", *counter);"
    );
    scenario(&format!(
        "#include <stdlib.h>\n#include <sys/mman.h>\n{}",
        main_of(&body)
    ))
}

/// Explores `s` with and without reduction, checks that both find the same outcomes (as
/// the laws compare them) and that every listed witness replays; both explorations.
fn explore_both_ways(s: &Scenario) -> (Exploration, Exploration) {
    let reduced = explore_scenario(s, &everything());
    let full = explore_scenario(
        s,
        &ExploreOptions {
            reduction: false,
            ..everything()
        },
    );
    assert_eq!(reduced.count, full.count);
    let ids = |e: &Exploration| {
        (e.outcomes.iter())
            .map(|o| identity(o, 1000))
            .collect::<BTreeSet<_>>()
    };
    assert_eq!(ids(&reduced), ids(&full));
    assert_witnesses_replay(s, &reduced.outcomes, &[]);
    (reduced, full)
}

#[test]
fn interchangeable_children_are_explored_once_per_arrangement() {
    let (reduced, full) = explore_both_ways(&race(4, "0"));
    assert_eq!(outputs(&reduced.outcomes), ["1\n", "2\n", "3\n", "4\n"]);
    // Which child holds which stage is not told apart: far fewer states than orders.
    assert!(
        reduced.states * 8 < full.states,
        "{} states reduced, {} in full",
        reduced.states,
        full.states
    );
}

#[test]
fn children_that_end_differently_are_told_apart() {
    // Each child exits with the value it stored: which child got which value is an outcome.
    let (reduced, _) = explore_both_ways(&race(3, "t + 1"));
    assert_eq!(reduced.count, Count::Exact(16));
}

#[test]
fn which_child_is_left_blocked_stays_an_outcome() {
    // One byte for two readers: either child may be the one left waiting.
    let s = scenario(&format!(
        "#include <stdlib.h>\n{}",
        main_of(
            "int fd[2]; pipe(fd);\n\
             for (int i = 0; i < 2; i++) if (fork() == 0) { char c; read(fd[0], &c, 1); exit(0); }\n\
             write(fd[1], \"x\", 1);\nwhile (wait(NULL) > 0) ;"
        )
    ));
    let (reduced, _) = explore_both_ways(&s);
    assert_eq!(reduced.count, Count::Exact(2));
}

#[test]
fn which_child_forks_after_a_race_stays_an_outcome() {
    // The child that reads 0 forks a grandchild: the tree tells the children apart.
    let body = "int *c = mmap(NULL, sizeof(int), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);\n\
        for (int i = 0; i < 3; i++) if (fork() == 0) {\n\
          int t = *c;\n\
          if (t == 0) { if (fork() == 0) { printf(\"grand\\n\"); exit(0); } wait(NULL); }\n\
          *c = t + 1; exit(0);\n\
        }\n\
        while (wait(NULL) > 0) ;\nprintf(\"%d\\n\", *c);";
    let s = scenario(&format!(
        "#include <stdlib.h>\n#include <sys/mman.h>\n{}",
        main_of(body)
    ));
    let (reduced, full) = explore_both_ways(&s);
    assert_eq!(reduced.count, Count::Exact(13));
    assert!(reduced.states < full.states);
}

#[test]
fn a_state_limit_makes_the_result_incomplete() {
    let s = scenario(&main_of(
        "for (int i = 0; i < 4; i++) fork(); printf(\"x\\n\");",
    ));
    let options = ExploreOptions {
        max_states: 10,
        ..everything()
    };
    let e = explore_scenario(&s, &options);
    assert!(e.incomplete.is_some());
    let out = Test::new()
        .args([
            "explore",
            "scenarios/threads/counter-race.scn",
            "--max-states",
            "100",
        ])
        .run();
    assert_eq!(out.code, 3, "{}", out.report());
    assert!(
        out.stdout
            .contains("INCOMPLETE: stopped at the state limit"),
        "{}",
        out.stdout
    );
}

/// A statement of a generated program; `Spawn` is `if (fork() == 0) { … exit(k); }`.
#[derive(Clone, Debug)]
enum Action {
    Fork,
    Spawn(Vec<Action>, u8),
    /// `Spawn` with the pid kept in a variable: `pid_t pid = fork(); if (pid == 0) …`.
    SpawnKept(Vec<Action>, u8),
    WaitOne,
    Print(u8),
    Local,
    /// `signal(SIGUSR1, on_usr1)`: the handler prints.
    Handle,
    /// `kill(getppid(), SIGUSR1)`.
    SignalParent,
    /// `write` of one byte to pipe `k` (0 or 1).
    Send(u8),
    /// `read` of one byte from pipe `k`, printing what came (or `eof`) when `loud`.
    Receive(u8, bool),
    /// `close` of pipe `k`'s write end.
    CloseWrite(u8),
    /// `counter++` on shared memory, as a separate load and store.
    Increment,
    /// `printf` of the shared counter.
    ShowCounter,
}

fn action() -> impl Strategy<Value = Action> {
    let leaf = prop_oneof![
        Just(Action::Fork),
        Just(Action::WaitOne),
        Just(Action::Local),
        (0u8..4).prop_map(Action::Print),
        Just(Action::Handle),
        Just(Action::SignalParent),
        (0u8..2).prop_map(Action::Send),
        (0u8..2, any::<bool>()).prop_map(|(k, loud)| Action::Receive(k, loud)),
        (0u8..2).prop_map(Action::CloseWrite),
        Just(Action::Increment),
        Just(Action::ShowCounter),
    ];
    leaf.prop_recursive(2, 6, 3, |inner| {
        // Children that all exit alike are interchangeable: exit 0 is the likeliest.
        let status = prop_oneof![2 => Just(0u8), 1 => 1u8..3];
        (prop::collection::vec(inner, 0..3), status, any::<bool>()).prop_map(|(body, k, kept)| {
            if kept {
                Action::SpawnKept(body, k)
            } else {
                Action::Spawn(body, k)
            }
        })
    })
}

fn render(actions: &[Action], out: &mut String) {
    for a in actions {
        match a {
            Action::Fork => out.push_str("fork();\n"),
            Action::WaitOne => out.push_str("wait(NULL);\n"),
            Action::Local => out.push_str("getpid(); isatty(1);\n"),
            Action::Print(n) => out.push_str(&format!("printf(\"line {n}\\n\");\n")),
            Action::Handle => out.push_str("signal(SIGUSR1, on_usr1);\n"),
            Action::SignalParent => out.push_str("kill(getppid(), SIGUSR1);\n"),
            Action::Send(k) => out.push_str(&format!("write(p{k}[1], \"{k}\", 1);\n")),
            Action::Receive(k, false) => out.push_str(&format!("read(p{k}[0], &c, 1);\n")),
            Action::Receive(k, true) => out.push_str(&format!(
                "if (read(p{k}[0], &c, 1) == 1) printf(\"got %c\\n\", c); else printf(\"eof\\n\");\n"
            )),
            Action::CloseWrite(k) => out.push_str(&format!("close(p{k}[1]);\n")),
            Action::Increment => out.push_str("{ int t = *counter; *counter = t + 1; }\n"),
            Action::ShowCounter => out.push_str("printf(\"counter %d\\n\", *counter);\n"),
            Action::Spawn(body, k) => {
                out.push_str("if (fork() == 0) {\n");
                render(body, out);
                out.push_str(&format!("exit({k});\n}}\n"));
            }
            Action::SpawnKept(body, k) => {
                out.push_str("{\npid_t pid = fork();\nif (pid == 0) {\n");
                render(body, out);
                out.push_str(&format!("exit({k});\n}}\n}}\n"));
            }
        }
    }
}

/// A generated program: `actions` in `main` after two pipes `p0` and `p1` and a shared
/// `counter` are made, with the handler `Action::Handle` installs.
fn generated(actions: &[Action]) -> String {
    let handler = "#include <signal.h>\n#include <sys/mman.h>\nvoid on_usr1(int sig) { printf(\"usr1\\n\"); }\n";
    let mut body = String::from(
        "int p0[2];\nint p1[2];\nchar c;\npipe(p0);\npipe(p1);\n\
         int *counter = mmap(NULL, sizeof(int), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);\n",
    );
    render(actions, &mut body);
    format!("{handler}{}", main_of(&body))
}

/// What identifies an outcome across runs: output up to pid numbering, and each process's
/// name and how it ended.
fn identity(o: &Outcome, first_pid: i64) -> (Vec<u8>, Vec<(String, String)>) {
    let pids = first_pid..first_pid + o.processes.len() as i64;
    let mut fates: Vec<_> = (o.processes.iter())
        .map(|p| (p.name.clone(), format!("{:?}", p.termination)))
        .collect();
    fates.sort();
    (renumber_pids(&o.terminal(), &pids), fates)
}

proptest! {
    /// Reductions lose no outcome: the set with them equals the set without.
    #[test]
    fn reduction_keeps_every_outcome(actions in prop::collection::vec(action(), 0..4)) {
        let s = scenario(&generated(&actions));
        let full = explore_scenario(&s, &ExploreOptions { reduction: false, ..small() });
        prop_assume!(full.incomplete.is_none());
        let reduced = explore_scenario(&s, &small());
        prop_assert!(reduced.incomplete.is_none());
        prop_assert_eq!(reduced.count, full.count);
        let ids = |e: &[Outcome]| e.iter().map(|o| identity(o, 1000)).collect::<BTreeSet<_>>();
        prop_assert_eq!(ids(&reduced.outcomes), ids(&full.outcomes));
        prop_assert!(reduced.states <= full.states);
    }

    /// Every outcome of a random schedule is among the explored outcomes.
    #[test]
    fn random_runs_are_explored(actions in prop::collection::vec(action(), 0..4), seed in 0u64..1000) {
        let source = generated(&actions);
        let s = scenario(&source);
        let explored = explore_scenario(&s, &small());
        prop_assume!(explored.incomplete.is_none());
        let ids: BTreeSet<_> = explored.outcomes.iter().map(|o| identity(o, 1000)).collect();
        for k in 0..10 {
            let overrides = [("policy".to_string(), "random".to_string()), ("seed".to_string(), (seed + k).to_string())];
            let random = compile("generated.c", source.clone(), &overrides).expect("compiles");
            let outcome = run(&random, &RunOptions::default()).expect("no schedule is replayed");
            prop_assert!(ids.contains(&identity(&outcome, 1000)), "{:?} not explored", outcome.terminal());
        }
    }
}

/// The arguments a scenario names on a line of its own, `// args: one two`.
fn scenario_args(path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).expect("scenario is readable");
    proscenium::cli::scenario_args(&text)
}

/// Random schedules per scenario checked against its explored outcomes.
const RANDOM_RUNS: u64 = 6;

/// Every outcome of `RANDOM_RUNS` random schedules of `scenario` is among the outcomes of
/// its complete exploration `e` (compared as the explorer compares them: output up to pid
/// numbering, and how each process ended). Runs stopped at a limit are left out.
fn assert_random_runs_explored(scenario: &Scenario, e: &Exploration, options: &ExploreOptions) {
    let (Count::Exact(n), None) = (e.count, e.incomplete) else {
        return;
    };
    let every;
    let outcomes = if n as usize <= e.outcomes.len() {
        &e.outcomes
    } else {
        let all = ExploreOptions {
            list: n as usize,
            ..options.clone()
        };
        every = explore_scenario(scenario, &all).outcomes;
        &every
    };
    let first_pid = scenario.config.first_pid;
    let ids: BTreeSet<_> = outcomes.iter().map(|o| identity(o, first_pid)).collect();
    for seed in 0..RANDOM_RUNS {
        let overrides = [
            ("policy".to_string(), "random".to_string()),
            ("seed".to_string(), seed.to_string()),
        ];
        let random = compile(&scenario.path, scenario.source.clone(), &overrides)
            .expect("scenarios compile");
        let options = RunOptions {
            args: options.args.clone(),
            ..RunOptions::default()
        };
        let outcome = run(&random, &options).expect("no schedule is replayed");
        if matches!(outcome.end, End::Limit { .. }) {
            continue;
        }
        assert!(
            ids.contains(&identity(&outcome, first_pid)),
            "{}: random seed {seed} (schedule `{}`) gave an outcome not explored:\n{}",
            scenario.path,
            outcome.schedule,
            String::from_utf8_lossy(&outcome.terminal())
        );
    }
}

/// `scn explore` on every scenario, snapshotted; every listed witness replays, and random
/// runs stay inside the explored outcomes.
#[test]
fn explore_every_scenario() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .canonicalize()
        .expect("crate root exists");
    insta::with_settings!({
        snapshot_path => "../../snapshots/explore",
        prepend_module_to_snapshot => false,
    }, {
        insta::glob!("../../scenarios", "**/*.{scn,c}", |path| {
            let relative = path.strip_prefix(&root).expect("scenario inside the crate");
            let args = scenario_args(path);
            let output = Test::new()
                .args(["explore", "--max-states", "20000"])
                .arg(relative)
                .args(&args)
                .run();
            insta::assert_snapshot!(output.report());
            let source = std::fs::read_to_string(path).expect("readable");
            let s = compile(&relative.to_string_lossy(), source, &[]).expect("scenarios compile");
            let options = ExploreOptions { max_states: 20_000, args: args.clone(), ..ExploreOptions::default() };
            let e = explore_scenario(&s, &options);
            assert_witnesses_replay(&s, &e.outcomes, &args);
            assert_random_runs_explored(&s, &e, &options);
        });
    });
}

#[test]
fn check_reports_one_line_each_and_a_tally() {
    let out = Test::new()
        .args([
            "check",
            "scenarios/processes/one-outcome.scn",
            "scenarios/traps",
        ])
        .run();
    let lines: Vec<&str> = out.stdout.lines().collect();
    let scenarios = std::fs::read_dir("scenarios/traps").expect("dir").count() + 1;
    let verdicts = lines
        .iter()
        .filter(|l| l.starts_with("pass") || l.starts_with("FAIL") || l.starts_with("INCOMPLETE"))
        .count();
    assert_eq!(verdicts, scenarios, "{}", out.stdout);
    let last = lines.last().expect("a tally");
    assert_eq!(
        *last,
        format!("{scenarios} passed, 0 failed"),
        "{}",
        out.stdout
    );
    assert_eq!(out.code, 0);
}

/// A scenario whose expectation fails in some schedule, written to a temporary file.
fn failing_scenario(name: &str) -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!("scn-{}-{name}.scn", std::process::id()));
    let body =
        "if (fork() == 0) { printf(\"child\\n\"); return 0; }\nprintf(\"parent\\n\");\nwait(NULL);";
    let source = format!("{}expect output == \"parent\\nchild\\n\";\n", main_of(body));
    std::fs::write(&path, source).expect("temporary file");
    path
}

#[test]
fn check_fails_on_a_failed_expectation() {
    let file = failing_scenario("fails");
    let out = Test::new().arg("check").arg(&file).run();
    let _ = std::fs::remove_file(&file);
    assert_eq!(out.code, 1, "{}", out.report());
    assert!(
        out.stdout.ends_with("0 passed, 1 failed\n"),
        "{}",
        out.stdout
    );
}

#[test]
fn check_partitions_cover_every_file_once() {
    let names = |k: &str| -> BTreeSet<String> {
        let out = Test::new()
            .args(["check", "scenarios/traps", "--partition", k])
            .run();
        out.stdout
            .lines()
            .filter(|l| l.starts_with("pass") || l.starts_with("FAIL"))
            .map(|l| l.split_whitespace().nth(1).unwrap_or("").to_string())
            .collect()
    };
    let (a, b) = (names("1/2"), names("2/2"));
    assert!(a.is_disjoint(&b));
    assert_eq!(
        a.len() + b.len(),
        std::fs::read_dir("scenarios/traps").expect("dir").count()
    );
}

/// JUnit XML is well formed (parsed with quick-xml) and has one testcase per scenario.
#[test]
fn check_junit_is_well_formed() {
    let file = failing_scenario("junit");
    let out = Test::new()
        .args(["check", "scenarios/traps", "--format", "junit"])
        .arg(&file)
        .run();
    let _ = std::fs::remove_file(&file);
    assert_eq!(out.code, 1);
    let mut reader = quick_xml::Reader::from_str(&out.stdout);
    let (mut cases, mut failures) = (0, 0);
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e)) => {
                let name = e.name();
                let name: &str = name.as_ref();
                match name {
                    "testcase" => cases += 1,
                    "failure" => failures += 1,
                    _ => {}
                }
            }
            Ok(_) => {}
            Err(e) => panic!("not well-formed XML: {e}\n{}", out.stdout),
        }
    }
    assert_eq!(
        cases,
        std::fs::read_dir("scenarios/traps").expect("dir").count() + 1
    );
    assert_eq!(failures, 1);
}
