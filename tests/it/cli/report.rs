//! Reports of hand-built outcomes, snapshotted into `snapshots/report/`.

use super::build::{chunks, outcome, small_tree, Expects};
use proscenium::expect::check_run;
use proscenium::outcome::{End, Limit, Outcome, OutputChunk, ProcessState, Termination};
use proscenium::report::{render, Format, Report, TextOptions};
use proscenium::syntax::ast::{CmpOp, Mode, Property};
use proscenium::syntax::span::Span;
use proscenium::vm::{FaultKind, RuntimeFault};

const SOURCE: &str = "int main() {\n    int *p = 0;\n    if (fork() == 0) {\n        *p = 1;\n    }\n    execlp(\"ls\", \"ls\", NULL);\n    return 0;\n}\n";

macro_rules! snapshot {
    ($name:expr, $value:expr) => {
        insta::with_settings!({ snapshot_path => "../../../snapshots/report", prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!($name, $value);
        })
    };
}

fn text(outcome: &Outcome, expects: &Expects, options: TextOptions) -> String {
    let results = check_run(&expects.list, &expects.source, outcome);
    let source = format!("{SOURCE}{}", expects.source);
    let report = Report {
        path: "demo.scn",
        source: &source,
        title: None,
        outcome,
        results: &results,
    };
    let first = render(&report, Format::Text, options);
    assert_eq!(
        first,
        render(&report, Format::Text, options),
        "reports are deterministic"
    );
    first
}

fn render_as(outcome: &Outcome, format: Format) -> String {
    let report = Report {
        path: "demo.scn",
        source: SOURCE,
        title: Some("demo"),
        outcome,
        results: &[],
    };
    render(&report, format, TextOptions::default())
}

/// Every mark the tree can show: exec, a crash with its fault, a zombie, an orphan adopted
/// by init, output without a final newline and a line with trailing spaces.
fn eventful() -> Outcome {
    let mut o = small_tree();
    let fault_at = SOURCE.find("*p = 1").unwrap();
    o.processes[1].termination = Some(Termination::Signaled(11));
    o.processes[1].fault = Some(RuntimeFault {
        kind: FaultKind::NullPointer,
        message: "`p` is NULL".to_string(),
        span: Span::new(fault_at, fault_at + 6),
    });
    o.processes[2].orphaned = true;
    o.processes[2].ppid = 1;
    o.processes[2].adopted_by = Some(1);
    o.processes[2].reaped_by = Some(1);
    o.processes[3].program = "/bin/ls".to_string();
    o.processes[3].reaped_by = None;
    o.processes[3].zombie_at_end = true;
    o.output = chunks("hello  \n\nbye");
    o.output.push(OutputChunk {
        process: 3,
        fd: 2,
        bytes: b"!".to_vec(),
    });
    o
}

fn expects() -> Expects {
    Expects::default()
        .add(
            "expect processes == 4;",
            Mode::Always,
            Property::Processes(CmpOp::Eq, 4),
        )
        .add(
            "expect zombies == 0;",
            Mode::Always,
            Property::Zombies(CmpOp::Eq, 0),
        )
        .add(
            "expect may orphans == 2;",
            Mode::May,
            Property::Orphans(CmpOp::Eq, 2),
        )
}

#[test]
fn text_report_of_an_eventful_run() {
    snapshot!(
        "eventful.txt",
        text(&eventful(), &expects(), TextOptions::default())
    );
}

#[test]
fn text_report_with_states() {
    let mut o = outcome(&[None, Some(0)], "hi\n");
    o.processes[0].history = vec![
        (0, ProcessState::New),
        (0, ProcessState::Ready),
        (1, ProcessState::Running),
        (4, ProcessState::Waiting),
        (9, ProcessState::Running),
        (12, ProcessState::Terminated),
    ];
    o.processes[0].context_switches = 2;
    o.processes[1].history = vec![
        (3, ProcessState::New),
        (3, ProcessState::Ready),
        (5, ProcessState::Running),
        (8, ProcessState::Terminated),
    ];
    snapshot!(
        "states.txt",
        text(
            &o,
            &Expects::default(),
            TextOptions {
                states: true,
                full_tree: false
            }
        )
    );
}

#[test]
fn text_report_of_a_deadlock() {
    let mut o = outcome(&[None, Some(0)], "");
    o.processes[0].termination = None;
    o.processes[0].blocked_on = Some("read from pipe 3".to_string());
    o.processes[1].termination = None;
    o.processes[1].blocked_on = Some("read from pipe 5".to_string());
    o.processes[1].reaped_by = None;
    o.end = End::Deadlock {
        waiting: vec![
            (0, "read from pipe 3".to_string()),
            (1, "read from pipe 5".to_string()),
        ],
    };
    let e = Expects::default().add("expect no deadlock;", Mode::Always, Property::NoDeadlock);
    snapshot!("deadlock.txt", text(&o, &e, TextOptions::default()));
    snapshot!("deadlock.json", render_as(&o, Format::Json));
}

/// A fork bomb stopped at 1,000 processes: main forks, every child forks, breadth first.
fn thousand() -> Outcome {
    let creators: Vec<Option<usize>> = (0..1000)
        .map(|i| if i == 0 { None } else { Some((i - 1) / 3) })
        .collect();
    let mut o = outcome(&creators, "");
    for p in o.processes.iter_mut().skip(900) {
        p.termination = None;
        p.reaped_by = None;
    }
    o.processes[999].zombie_at_end = true;
    o.end = End::Limit {
        limit: Limit::Processes,
        value: 1000,
    };
    o.schedule = "p0 ".repeat(100);
    o
}

#[test]
fn a_thousand_processes_are_summarised_at_a_limit() {
    let e = Expects::default().add(
        "expect processes == 1024;",
        Mode::Always,
        Property::Processes(CmpOp::Eq, 1024),
    );
    let report = text(&thousand(), &e, TextOptions::default());
    assert!(
        report.lines().count() < 60,
        "summarised: {} lines",
        report.lines().count()
    );
    snapshot!("thousand.txt", report);
}

#[test]
fn full_tree_prints_every_process() {
    let report = text(
        &thousand(),
        &Expects::default(),
        TextOptions {
            states: false,
            full_tree: true,
        },
    );
    assert!(report.contains("(pid 1999)"), "the last process is listed");
    assert!(!report.contains("--full-tree"));
}

#[test]
fn dot_report_has_a_node_and_an_edge_per_created_process() {
    let dot = render_as(&thousand(), Format::Dot);
    assert_eq!(dot.lines().filter(|l| l.contains("[label=")).count(), 1000);
    assert_eq!(dot.lines().filter(|l| l.contains(" -> ")).count(), 999);
}

#[test]
fn json_report_of_an_eventful_run() {
    let json = render_as(&eventful(), Format::Json);
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(value["tree"], "*(*(*) *)");
    assert_eq!(value["processes"][1]["termination"]["how"], "signaled");
    snapshot!("eventful.json", json);
}

#[test]
fn json_report_of_a_limit() {
    let mut o = outcome(&[None], "x\n");
    o.end = End::Limit {
        limit: Limit::Steps,
        value: 1000,
    };
    snapshot!("limit.json", render_as(&o, Format::Json));
}

#[test]
fn dot_report_of_an_eventful_run() {
    snapshot!("eventful.dot", render_as(&eventful(), Format::Dot));
}
