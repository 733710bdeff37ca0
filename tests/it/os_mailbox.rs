//! The textbook's mailboxes on the real backend (`scn run --backend os`): System V message
//! queues, with the simulator's replies and deadlock phrases, and none left after the run.
//! These tests run the `scn` binary; the test process itself never forks.

use crate::test::{Output, Test};
use serde_json::Value;

/// Runs `path` on the real kernel with sleeps scaled down; the exit code and JSON report.
fn run_os(path: &str) -> (Output, Value) {
    let output = Test::new()
        .args([
            "run",
            "--backend",
            "os",
            "--format",
            "json",
            "--sleep-scale",
            "0.01",
        ])
        .arg(path)
        .run();
    let report: Value = serde_json::from_str(&output.stdout)
        .unwrap_or_else(|e| panic!("{path}: not a JSON report ({e}):\n{}", output.report()));
    (output, report)
}

/// No System V message queue (`/proc/sysvipc/msg`, as `ipcs -q` shows them) was last sent
/// to or received from by a process of the run.
fn assert_no_queue_left(report: &Value) {
    let pids: Vec<String> = report["processes"]
        .as_array()
        .expect("processes")
        .iter()
        .map(|p| p["pid"].as_i64().expect("pid").to_string())
        .collect();
    let queues = std::fs::read_to_string("/proc/sysvipc/msg").expect("/proc/sysvipc/msg");
    for line in queues.lines().skip(1) {
        let fields: Vec<&str> = line.split_whitespace().collect();
        // key msqid perms cbytes qnum lspid lrpid …
        let (lspid, lrpid) = (fields[5].to_string(), fields[6].to_string());
        assert!(
            !pids.contains(&lspid) && !pids.contains(&lrpid),
            "a queue of the run is still there: {line}"
        );
    }
}

#[test]
fn mailboxes_of_every_capacity_run_on_the_real_kernel_and_are_removed() {
    let (output, report) = run_os("scenarios/ipc/mailbox-capacity.scn");
    assert_eq!(output.code, 0, "{}", output.report());
    assert_eq!(report["end"]["kind"], "finished");
    let printed = report["output"].as_str().expect("output");
    for line in [
        "unbounded took 5",
        "try_send to a full box: -1",
        "try_send to a rendezvous box with no receiver: -1",
        "try_receive from an empty box: -1",
        "parent: got 42",
        "bounded gives 10 first",
    ] {
        assert!(
            printed.lines().any(|l| l == line),
            "{line:?} in {printed:?}"
        );
    }
    let receiving = printed.find("parent: receiving").expect("receiving");
    let received = printed.find("child: 42 was received").expect("received");
    assert!(
        receiving < received,
        "the rendezvous send returned early: {printed:?}"
    );
    for expectation in report["expectations"].as_array().expect("expectations") {
        assert_eq!(expectation["status"], "pass", "{expectation}");
    }
    assert_no_queue_left(&report);
}

#[test]
fn direct_naming_delivers_by_sender_on_the_real_kernel() {
    let (output, report) = run_os("scenarios/ipc/mailbox-direct.scn");
    assert_eq!(output.code, 0, "{}", output.report());
    assert_eq!(report["output"], "sum 6\ntry_receive afterwards: -1\n");
    assert_no_queue_left(&report);
}

#[test]
fn a_rendezvous_without_a_receiver_is_a_deadlock_phrased_as_by_the_simulator() {
    let (output, report) = run_os("tests/fixtures/os/mailbox_deadlock.scn");
    assert_eq!(report["end"]["kind"], "deadlock", "{}", output.report());
    let processes = report["processes"].as_array().expect("processes");
    let parent = processes[0]["pid"].as_i64().expect("pid");
    assert_eq!(
        processes[0]["blocked_on"],
        "send() to mailbox 1 until a receiver takes the message"
    );
    assert_eq!(
        processes[1]["blocked_on"],
        format!("receive() of a message from process {parent}").as_str()
    );
    assert_no_queue_left(&report);
}
