//! `scn conform`: real runs against the simulated set. The real runs happen in the `scn`
//! binary; the key law (conform's notion of one outcome is the explorer's) is checked
//! in-process on the simulator.

use crate::test::Test;
use proscenium::conform::key::OutcomeKey;
use proscenium::explore::session::{explore_scenario, Count, ExploreOptions};
use serde_json::Value;
use std::collections::HashSet;

#[test]
fn a_conforming_scenario_passes_with_its_coverage() {
    let out = Test::new()
        .args(["conform", "--runs", "3", "scenarios/processes/fan.scn"])
        .run();
    assert_eq!(out.code, 0, "{}", out.report());
    let first = out.stdout.lines().next().unwrap_or_default();
    assert!(first.starts_with("conforms"), "{}", out.stdout);
    assert!(
        first.contains("of 6 simulated outcomes seen in 3 runs"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.ends_with("1 conform, 0 differ\n"),
        "{}",
        out.stdout
    );
}

#[test]
fn a_real_outcome_outside_the_simulated_set_fails_loudly() {
    let out = Test::new()
        .args(["conform", "--runs", "2"])
        .arg("tests/fixtures/conform/pipe-capacity.scn")
        .run();
    assert_eq!(out.code, 1, "{}", out.report());
    for needle in [
        "DIFFERS",
        "run 1 produced an outcome the simulator does not predict",
        "closest simulated outcome (scn run --schedule 'main*2')",
        "        + wrote",
        "main termination: simulated still running, real exited 0",
        "0 conform, 1 differ",
    ] {
        assert!(out.stdout.contains(needle), "{needle}:\n{}", out.stdout);
    }
}

#[test]
fn several_scenarios_give_one_json_entry_each_in_path_order() {
    let out = Test::new()
        .args(["conform", "--runs", "2", "--format", "json"])
        .arg("tests/fixtures/conform")
        .run();
    assert_eq!(out.code, 1, "{}", out.report());
    let entries: Value = serde_json::from_str(&out.stdout).expect("a JSON array");
    let verdicts: Vec<(&str, &str)> = (entries.as_array().expect("entries").iter())
        .map(|e| (e["path"].as_str().unwrap(), e["verdict"].as_str().unwrap()))
        .collect();
    assert_eq!(
        verdicts,
        [
            ("tests/fixtures/conform/pipe-capacity.scn", "differs"),
            ("tests/fixtures/conform/posix-shm.scn", "conforms"),
            ("tests/fixtures/conform/system.scn", "not-runnable"),
        ]
    );
    assert_eq!(entries[2]["not_runnable"][0], "system");
    assert_eq!(entries[0]["mismatch"]["real_output"], "wrote\n");
}

#[test]
fn a_run_past_its_time_limit_makes_the_result_incomplete() {
    let out = Test::new()
        .args(["conform", "--runs", "1", "--run-timeout", "0.3"])
        .arg("scenarios/seeds/osc-zombie.scn")
        .run();
    assert_eq!(out.code, 3, "{}", out.report());
    assert!(
        out.stdout.contains("real run 1 stopped at its time limit"),
        "{}",
        out.stdout
    );
}

#[test]
fn scaled_sleeps_let_a_sleeping_scenario_conform() {
    let out = Test::new()
        .args(["conform", "--runs", "2", "--sleep-scale", "0.005"])
        .arg("scenarios/seeds/osc-zombie.scn")
        .run();
    assert_eq!(out.code, 0, "{}", out.report());
}

/// Conform tells outcomes apart exactly as the explorer does: over every complete
/// exploration of the example scenarios, the distinct keys of the listed outcomes are as
/// many as the explorer counts.
#[test]
fn outcome_keys_count_as_the_explorer_counts() {
    insta::glob!(
        "../../scenarios",
        "{processes,traps,language}/*.scn",
        |path| {
            let shown = path.to_string_lossy().into_owned();
            let scenario = proscenium::scenario::load(&shown, &[]).expect("scenarios compile");
            let options = ExploreOptions {
                list: usize::MAX,
                args: proscenium::cli::scenario_args(&scenario.source),
                ..ExploreOptions::default()
            };
            let e = explore_scenario(&scenario, &options);
            let Count::Exact(n) = e.count else {
                return;
            };
            if e.incomplete.is_some() {
                return;
            }
            let first_pid = scenario.config.first_pid;
            let keys: HashSet<OutcomeKey> = (e.outcomes.iter())
                .map(|o| OutcomeKey::of(o, first_pid))
                .collect();
            assert_eq!(keys.len() as u128, n, "{shown}");
        }
    );
}

#[test]
fn runs_shared_out_among_processes_add_up() {
    let out = Test::new()
        .args(["conform", "--runs", "4", "--jobs", "2"])
        .arg("tests/fixtures/conform/pipe-capacity.scn")
        .run();
    assert_eq!(out.code, 1, "{}", out.report());
    assert!(
        out.stdout
            .contains("0 of 1 simulated outcomes seen in 4 runs"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains(
            "run 1 produced an outcome the simulator does not predict (4 run(s) outside the set)"
        ),
        "{}",
        out.stdout
    );
}
