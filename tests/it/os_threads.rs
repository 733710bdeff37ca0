//! Threads on the real backend: user-level threads the interpreter schedules in each real
//! process, private mutexes, condition variables and semaphores resolved in the process,
//! shared ones as real words between real processes, and deadlocks phrased as the simulator
//! phrases them. These tests run the `scn` binary; the test process itself never forks.

use crate::test::Test;
use serde_json::Value;
use std::collections::BTreeSet;

/// Runs `path` once on the real kernel (sleeps scaled by 0.01) and returns its JSON report.
fn run(path: &str) -> Value {
    let out = Test::new()
        .args([
            "run",
            "--backend",
            "os",
            "--sleep-scale",
            "0.01",
            "--format",
            "json",
        ])
        .arg(path)
        .run();
    assert!(
        [0, 1, 4].contains(&out.code),
        "{path}: exit code {}\n{}",
        out.code,
        out.report()
    );
    serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("{path}: not a JSON report ({e}):\n{}", out.report()))
}

fn output(report: &Value) -> &str {
    report["output"].as_str().expect("output")
}

fn deadlocked(report: &Value) -> bool {
    report["end"]["kind"] == "deadlock"
}

fn blocked_on(report: &Value, process: usize) -> &str {
    report["processes"][process]["blocked_on"]
        .as_str()
        .unwrap_or_default()
}

#[test]
fn the_counter_race_shows_several_outcomes_over_runs() {
    let mut seen = BTreeSet::new();
    for _ in 0..40 {
        let report = run("scenarios/threads/counter-race.scn");
        let out = output(&report).to_string();
        assert!(
            ["counter = 2\n", "counter = 3\n", "counter = 4\n"].contains(&out.as_str()),
            "{out:?}"
        );
        assert_eq!(report["processes"][0]["threads"], 2, "{report}");
        seen.insert(out);
        if seen.len() == 3 {
            break;
        }
    }
    assert!(seen.len() >= 2, "one outcome only in 40 runs: {seen:?}");
}

#[test]
fn mutexes_condition_variables_and_semaphores_give_the_only_outcome() {
    let expected = [
        ("mutex-counter", "6\n"),
        ("condvar-buffer", "got 1\ngot 2\ngot 3\n"),
        (
            "producer-consumer",
            "consumed 1\nconsumed 2\nconsumed 3\nconsumed 4\nsum 10\n",
        ),
        (
            "try-calls",
            "trywait: 0\ntrywait again: -1 errno EAGAIN=1\nvalue: 2\ntrylock: 0\n\
             trylock in thread: 16 (EBUSY=16)\nunlock in thread: 1 (EPERM=1)\njoin again: 1\n\
             self is main: 1\n",
        ),
    ];
    for (name, want) in expected {
        for _ in 0..3 {
            let report = run(&format!("scenarios/threads/{name}.scn"));
            assert_eq!(output(&report), want, "{name}");
            assert_eq!(report["end"]["kind"], "finished", "{name}: {report}");
        }
    }
}

#[test]
fn locks_taken_in_opposite_orders_deadlock_in_the_simulators_words() {
    for _ in 0..200 {
        let report = run("scenarios/threads/mutex-deadlock.scn");
        if !deadlocked(&report) {
            assert!(output(&report).ends_with("done\n"), "{report}");
            continue;
        }
        let waits = blocked_on(&report, 0);
        let orders = ["thread 1: pthread_join() of thread 2; \
             thread 2: pthread_mutex_lock() of a mutex held by thread 3; \
             thread 3: pthread_mutex_lock() of a mutex held by thread 2"];
        assert!(orders.contains(&waits), "{waits}");
        assert_eq!(output(&report), "");
        return;
    }
    panic!("no deadlock in 200 runs");
}

#[test]
fn a_thread_in_a_system_call_and_one_joining_it_deadlock_per_thread() {
    let report = run("tests/fixtures/os-threads/read-and-join.c");
    assert!(deadlocked(&report), "{report}");
    assert_eq!(
        blocked_on(&report, 0),
        "thread 1: pthread_join() of thread 2; thread 2: read() from an empty pipe (fd 3)"
    );
}

#[test]
fn threads_in_two_system_calls_at_once_are_found_deadlocked() {
    let report = run("tests/fixtures/os-threads/two-reads-and-joins.c");
    assert!(deadlocked(&report), "{report}");
    assert_eq!(
        blocked_on(&report, 0),
        "thread 1: pthread_join() of thread 2; thread 2: read() from an empty pipe (fd 3); \
         thread 3: read() from an empty pipe (fd 5)"
    );
}

#[test]
fn a_thread_blocked_in_read_does_not_stop_the_others() {
    let report = run("tests/fixtures/os-threads/reader-waits-writer-runs.c");
    assert_eq!(output(&report), "sum 1999000\nread 5\njoined\n");
    let report = run("tests/fixtures/os-threads/sleeping-thread.c");
    assert_eq!(output(&report), "main goes on\nslept\njoined\n");
    let report = run("tests/fixtures/os-threads/pipe-between-threads.c");
    assert_eq!(output(&report), "read 100000\n");
}

#[test]
fn a_fork_in_a_thread_leaves_the_child_one_thread() {
    let report = run("tests/fixtures/os-threads/fork-in-thread.c");
    assert_eq!(
        output(&report),
        "child of a thread\nthread reaped its child\nmain done\n"
    );
    let processes = report["processes"].as_array().expect("processes");
    assert_eq!(processes.len(), 2);
    assert_eq!(processes[0]["threads"], 1);
    assert!(processes[1].get("threads").is_none(), "{report}");
}

#[test]
fn semaphores_and_mutexes_in_shared_memory_work_between_processes() {
    for _ in 0..3 {
        let report = run("scenarios/threads/sem-between-processes.scn");
        assert_eq!(
            output(&report),
            "parent: setting up\nchild: parent is ready\nparent: child finished its part\n"
        );
        let supervisor = report["processes"][0]["ppid"].as_i64().expect("ppid");
        let name = format!("/dev/shm/scn-{supervisor}-sem.done");
        assert!(!std::path::Path::new(&name).exists(), "{name} left behind");
    }
    let report = run("tests/fixtures/os-threads/shared-mutex.c");
    assert_eq!(output(&report), "100\n");
    let report = run("tests/fixtures/os-threads/shared-cond.c");
    assert_eq!(output(&report), "child signalled\nparent saw ready\n");
}

#[test]
fn a_shared_condition_variable_signalled_before_the_wait_is_lost() {
    let report = run("tests/fixtures/os-threads/shared-cond-lost.c");
    assert!(deadlocked(&report), "{report}");
    // A condition variable wait makes the process one with threads, as in the simulator.
    assert_eq!(
        blocked_on(&report, 0),
        "thread 1: pthread_cond_wait() until the condition is signalled"
    );
}

#[test]
fn processes_waiting_for_each_others_shared_mutexes_deadlock_naming_the_owners() {
    let report = run("tests/fixtures/os-threads/shared-mutex-deadlock.c");
    assert!(deadlocked(&report), "{report}");
    assert_eq!(
        blocked_on(&report, 0),
        "pthread_mutex_lock() of a mutex held by thread 1 of main.1"
    );
    assert_eq!(
        blocked_on(&report, 1),
        "pthread_mutex_lock() of a mutex held by thread 1 of main"
    );
}

#[test]
fn a_private_semaphore_copied_by_fork_deadlocks_the_child() {
    let report = run("scenarios/threads/sem-global-after-fork.scn");
    assert!(deadlocked(&report), "{report}");
    assert_eq!(blocked_on(&report, 0), "wait() for a child");
    assert_eq!(
        blocked_on(&report, 1),
        "sem_wait() on a semaphore whose value is 0"
    );
}

#[test]
fn every_thread_scenario_conforms_to_the_simulator() {
    let out = Test::new()
        .args(["conform", "--runs", "10", "--sleep-scale", "0.01"])
        .args(["--format", "json", "scenarios/threads"])
        .run();
    assert_eq!(out.code, 0, "{}", out.report());
    let entries: Value = serde_json::from_str(&out.stdout).expect("a JSON array");
    let entries = entries.as_array().expect("entries");
    assert_eq!(entries.len(), 10);
    for entry in entries {
        assert_eq!(entry["verdict"], "conforms", "{entry}");
    }
}
