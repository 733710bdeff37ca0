//! The real backend (`scn run --backend os`): real processes, output with identity, and
//! containment — after every run no process of it remains and its directory is gone.
//! These tests run the `scn` binary; the test process itself never forks.

use crate::test::{Output, Test};
use serde_json::Value;
use std::path::Path;
use std::time::{Duration, Instant};

/// Runs fixture `name` on the real kernel with `options` (before the file), returns the
/// exit code and the JSON report, and checks that nothing of the run is left.
fn run(name: &str, options: &[&str]) -> (Output, Value) {
    let path = format!("tests/fixtures/os/{name}.scn");
    let output = Test::new()
        .args(["run", "--backend", "os", "--format", "json"])
        .args(options.iter().copied())
        .arg(&path)
        .run();
    let report: Value = serde_json::from_str(&output.stdout)
        .unwrap_or_else(|e| panic!("{name}: not a JSON report ({e}):\n{}", output.report()));
    assert_nothing_left(&report);
    (output, report)
}

/// No process of the run exists any more: none of its pids is alive in its process group.
fn assert_nothing_left(report: &Value) {
    let processes = report["processes"].as_array().expect("processes");
    let group = processes[0]["pid"].as_i64().expect("main's pid");
    for process in processes {
        let pid = process["pid"].as_i64().expect("pid");
        if let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) {
            let after_name = &stat[stat.rfind(')').expect("comm ends") + 1..];
            let pgrp: i64 = after_name
                .split_whitespace()
                .nth(2)
                .unwrap()
                .parse()
                .unwrap();
            assert_ne!(
                pgrp, group,
                "process {pid} of the run is still there: {stat}"
            );
        }
    }
}

fn names(report: &Value) -> Vec<&str> {
    report["processes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect()
}

#[test]
fn a_tree_of_forks_runs_as_real_processes() {
    let (output, report) = run("tree", &[]);
    assert_eq!(output.code, 0, "{}", output.report());
    let mut all = names(&report);
    all.sort_unstable();
    assert_eq!(
        all,
        [
            "main",
            "main.1",
            "main.1.1",
            "main.1.1.1",
            "main.1.2",
            "main.2",
            "main.2.1",
            "main.3"
        ]
    );
    let processes = report["processes"].as_array().unwrap();
    let mut pids: Vec<i64> = processes
        .iter()
        .map(|p| p["pid"].as_i64().unwrap())
        .collect();
    pids.sort_unstable();
    pids.dedup();
    assert_eq!(pids.len(), 8, "eight distinct real pids");
    let mut writers: Vec<u64> = report["chunks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["process"].as_u64().unwrap())
        .collect();
    writers.sort_unstable();
    assert_eq!(
        writers,
        (0..8).collect::<Vec<u64>>(),
        "each process wrote its own x"
    );
    for process in &processes[1..] {
        assert_eq!(process["termination"]["code"], 0);
        assert!(process["reaped_by"].as_i64().is_some(), "{process}");
    }
}

#[test]
fn fork_copies_unflushed_stdio_buffers() {
    let (output, report) = run("printf_before_fork", &[]);
    assert_eq!(output.code, 0, "{}", output.report());
    assert_eq!(report["output"], "Achild\nAparent\n");
}

#[test]
fn exec_runs_the_real_binary_with_its_argv() {
    let (output, report) = run("exec_echo", &[]);
    assert_eq!(output.code, 0, "{}", output.report());
    assert_eq!(report["processes"][1]["program"], "/bin/echo");
    assert_eq!(
        report["chunks"][0]["process"], 1,
        "echo's output is the child's"
    );
}

#[test]
fn the_run_directory_is_removed() {
    let (output, report) = run("pwd", &[]);
    assert_eq!(output.code, 0, "{}", output.report());
    let cwd = report["output"].as_str().unwrap().trim_end();
    assert!(cwd.starts_with("/tmp/scn-"), "{cwd}");
    assert!(!Path::new(cwd).exists(), "{cwd} is left behind");
}

#[test]
fn a_zombie_is_reported_when_the_run_stops() {
    let (output, report) = run("zombie", &["--timeout", "2"]);
    assert_eq!(output.code, 3, "{}", output.report());
    assert_eq!(report["end"]["limit"], "time");
    let child = &report["processes"][1];
    assert_eq!(child["zombie_at_end"], true, "{child}");
    assert_eq!(child["termination"]["code"], 7);
    assert_eq!(report["processes"][0]["termination"], Value::Null);
}

#[test]
fn an_orphan_is_adopted_by_the_supervisor_as_init() {
    let (output, report) = run("orphan", &[]);
    assert_eq!(output.code, 0, "{}", output.report());
    let child = &report["processes"][1];
    assert_eq!(child["orphaned"], true, "{child}");
    assert_eq!(child["adopted_by"], 1);
    assert_eq!(child["reaped_by"], 1);
    assert_eq!(child["termination"]["code"], 3);
}

#[test]
fn an_endless_loop_is_stopped_by_the_time_limit() {
    let start = Instant::now();
    let (output, report) = run("spin", &["--timeout", "1"]);
    assert!(start.elapsed() < Duration::from_secs(5));
    assert_eq!(output.code, 3, "{}", output.report());
    assert_eq!(report["end"]["kind"], "limit");
    assert_eq!(report["end"]["limit"], "time");
}

#[test]
fn a_fork_bomb_is_stopped_by_the_process_budget() {
    let (output, report) = run("fork_bomb", &["--max-processes", "20"]);
    assert_eq!(output.code, 3, "{}", output.report());
    assert_eq!(report["end"]["limit"], "processes");
    assert_eq!(report["end"]["value"], 20);
    let count = report["processes"].as_array().unwrap().len();
    assert!((1..=20).contains(&count), "{count} processes");
}

#[test]
fn output_is_attributed_to_its_writer_and_descriptor() {
    let (output, report) = run("stderr", &[]);
    assert_eq!(output.code, 0, "{}", output.report());
    let chunks = report["chunks"].as_array().unwrap();
    assert_eq!(
        (chunks[0]["process"].as_u64(), chunks[0]["fd"].as_i64()),
        (Some(0), Some(1))
    );
    assert_eq!(
        (chunks[1]["process"].as_u64(), chunks[1]["fd"].as_i64()),
        (Some(1), Some(2))
    );
}

#[test]
fn a_multithreaded_process_refuses_to_fork_the_interpreter() {
    // Keep a second thread alive so the check cannot pass even under --test-threads=1.
    let (done, wait) = std::sync::mpsc::channel::<()>();
    let other = std::thread::spawn(move || wait.recv());
    let args: Vec<String> = [
        "scn",
        "run",
        "--backend",
        "os",
        "tests/fixtures/os/tree.scn",
    ]
    .map(String::from)
    .to_vec();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = proscenium::cli::run_cli(&args, &mut out, &mut err);
    drop(done);
    let _ = other.join();
    let err = String::from_utf8_lossy(&err);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("single-threaded"), "{err}");
}

#[test]
fn a_process_in_its_own_session_is_killed_too() {
    if !Path::new("/usr/bin/setsid").exists() {
        eprintln!("skipped: no /usr/bin/setsid on this host");
        return;
    }
    let (output, report) = run("escape", &["--timeout", "1"]);
    assert_eq!(output.code, 3, "{}", output.report());
    let child = &report["processes"][1];
    assert_eq!(child["program"], "/usr/bin/setsid");
    let pid = child["pid"].as_i64().unwrap();
    if let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        let session: i64 = stat[stat.rfind(')').unwrap() + 1..]
            .split_whitespace()
            .nth(3)
            .unwrap()
            .parse()
            .unwrap();
        assert_ne!(session, pid, "the setsid'd sleep survived: {stat}");
    }
}

#[test]
fn ctrl_c_kills_the_whole_run_and_scn_dies_of_it() {
    use nix::sys::signal::{kill, Signal};
    use nix::unistd::Pid;
    use std::os::unix::process::ExitStatusExt;
    let mut scn = std::process::Command::new(env!("CARGO_BIN_EXE_scn"))
        .args(["run", "--backend", "os", "tests/fixtures/os/zombie.scn"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("scn starts");
    let supervisor = scn.id();
    let children = format!("/proc/{supervisor}/task/{supervisor}/children");
    let start = Instant::now();
    let main: i64 = loop {
        let list = std::fs::read_to_string(&children).unwrap_or_default();
        if let Some(pid) = list.split_whitespace().next() {
            break pid.parse().unwrap();
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "no scenario process"
        );
        std::thread::sleep(Duration::from_millis(5));
    };
    std::thread::sleep(Duration::from_millis(300));
    kill(Pid::from_raw(supervisor as i32), Signal::SIGINT).expect("signal scn");
    let status = scn.wait().expect("scn ends");
    assert_eq!(status.signal(), Some(Signal::SIGINT as i32), "{status:?}");
    let left: Vec<String> = std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|e| std::fs::read_to_string(e.path().join("stat")).ok())
        .filter(|stat| {
            let after_name = &stat[stat.rfind(')').unwrap() + 1..];
            after_name.split_whitespace().nth(2) == Some(main.to_string().as_str())
        })
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}

#[test]
fn fifos_and_kill_work_between_real_processes_and_stay_in_the_run() {
    let (output, report) = run("fifo_kill", &[]);
    assert_eq!(output.code, 0, "{}", output.report());
    assert_eq!(report["processes"][2]["termination"]["code"], 9);
}

#[test]
fn a_real_signal_runs_the_scenarios_handler() {
    let (output, report) = run("handler", &["--timeout", "5"]);
    assert_eq!(output.code, 0, "{}", output.report());
    assert_eq!(report["end"]["kind"], "finished");
}

#[test]
fn a_message_queue_the_run_left_is_removed() {
    let (output, report) = run("msgqueue", &[]);
    assert_eq!(output.code, 0, "{}", output.report());
    let line = report["output"].as_str().unwrap();
    let fields: Vec<&str> = line.split_whitespace().collect();
    assert_eq!(fields[1..], ["6", "7", "hello"], "{line}");
    let queues = std::fs::read_to_string("/proc/sysvipc/msg").unwrap_or_default();
    let left = queues
        .lines()
        .skip(1)
        .any(|l| l.split_whitespace().nth(1) == Some(fields[0]));
    assert!(!left, "queue {} is still there:\n{queues}", fields[0]);
}

#[test]
fn shared_memory_is_real_and_removed_after_the_run() {
    let (output, report) = run("shm", &[]);
    assert_eq!(output.code, 0, "{}", output.report());
    let line = report["output"].as_str().unwrap();
    let (id, text) = line.trim_end().split_once(' ').unwrap();
    assert_eq!(text, "from the child");
    let segments = std::fs::read_to_string("/proc/sysvipc/shm").unwrap_or_default();
    let left = segments
        .lines()
        .skip(1)
        .any(|l| l.split_whitespace().nth(1) == Some(id));
    assert!(!left, "segment {id} is still there:\n{segments}");
}

#[test]
fn a_socket_file_bound_outside_the_run_directory_is_removed() {
    let (output, _) = run("socket_file", &[]);
    assert_eq!(output.code, 0, "{}", output.report());
    assert!(!Path::new("/tmp/scn-os-test.sock").exists());
}

#[test]
fn a_deadlock_is_found_and_named_as_the_simulator_names_it() {
    let started = Instant::now();
    let (output, report) = run("deadlock", &["--timeout", "30"]);
    assert_eq!(output.code, 0, "{}", output.report());
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "found only at the time limit"
    );
    assert_eq!(report["end"]["kind"], "deadlock");
    assert_eq!(
        report["end"]["waiting"],
        serde_json::json!([
            [0, "read() from an empty pipe (fd 5)"],
            [1, "read() from an empty pipe (fd 3)"]
        ])
    );
}

#[test]
fn a_posix_shared_memory_object_is_real_and_removed_after_the_run() {
    let (output, report) = run("posix_shm", &[]);
    assert_eq!(output.code, 0, "{}", output.report());
    assert_eq!(report["output"], "from the child\n");
    let left: Vec<String> = (std::fs::read_dir("/dev/shm")
        .into_iter()
        .flatten()
        .flatten())
    .map(|e| e.file_name().to_string_lossy().into_owned())
    .filter(|name| name.starts_with("scn-") && name.ends_with("-left"))
    .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}
