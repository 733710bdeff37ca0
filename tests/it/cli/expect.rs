//! Expectations judged on hand-built outcomes: one run (`check_run`) and every outcome
//! (`check_all`).

use super::build::{chunks, outcome, small_tree, Expects};
use proptest::prelude::*;
use proscenium::expect::{check_all, check_run, holds, ExpectResult, ProcessTree, Status};
use proscenium::outcome::{End, Limit, Outcome, Termination};
use proscenium::syntax::ast::{CmpOp, Ident, Mode, ProcRef, Property};
use proscenium::syntax::span::Span;

fn one(text: &str, mode: Mode, prop: Property, outcome: &Outcome) -> ExpectResult {
    let e = Expects::default().add(text, mode, prop);
    check_run(&e.list, &e.source, outcome).remove(0)
}

fn proc_ref(path: &str) -> ProcRef {
    ProcRef {
        path: path.split('.').map(str::to_string).collect(),
        span: Span::default(),
    }
}

fn ident(name: &str) -> Ident {
    Ident {
        name: name.to_string(),
        span: Span::default(),
    }
}

#[test]
fn always_passes_or_fails_on_the_run_with_what_was_seen() {
    let o = small_tree();
    let pass = one(
        "expect processes == 4;",
        Mode::Always,
        Property::Processes(CmpOp::Eq, 4),
        &o,
    );
    assert_eq!(pass.status, Status::Pass);
    assert_eq!(pass.text, "expect processes == 4");
    assert_eq!(pass.detail, "got 4 processes");
    let fail = one(
        "expect processes == 8;",
        Mode::Always,
        Property::Processes(CmpOp::Eq, 8),
        &o,
    );
    assert_eq!(fail.status, Status::Fail);
    assert_eq!(fail.detail, "got 4 processes");
}

#[test]
fn singular_counts_read_right() {
    let o = outcome(&[None], "");
    let r = one(
        "expect processes == 1;",
        Mode::Always,
        Property::Processes(CmpOp::Eq, 1),
        &o,
    );
    assert_eq!(r.detail, "got 1 process");
}

#[test]
fn may_not_seen_in_one_run_is_unknown_and_points_to_explore() {
    let o = small_tree();
    let seen = one(
        "expect may processes == 4;",
        Mode::May,
        Property::Processes(CmpOp::Eq, 4),
        &o,
    );
    assert_eq!(seen.status, Status::Pass);
    let unseen = one(
        "expect may processes == 3;",
        Mode::May,
        Property::Processes(CmpOp::Eq, 3),
        &o,
    );
    assert_eq!(unseen.status, Status::Unknown);
    assert!(unseen.detail.contains("scn explore"), "{}", unseen.detail);
}

#[test]
fn never_fails_when_the_property_holds() {
    let o = small_tree();
    let r = one(
        "expect never zombies > 0;",
        Mode::Never,
        Property::Zombies(CmpOp::Gt, 0),
        &o,
    );
    assert_eq!(r.status, Status::Pass);
    let mut z = small_tree();
    z.processes[2].zombie_at_end = true;
    let r = one(
        "expect never zombies > 0;",
        Mode::Never,
        Property::Zombies(CmpOp::Gt, 0),
        &z,
    );
    assert_eq!(
        (r.status, r.detail.as_str()),
        (Status::Fail, "got 1 zombie")
    );
}

#[test]
fn tree_notation_lists_children_in_creation_order() {
    let tree = ProcessTree::of(&small_tree());
    assert_eq!(tree.shape(0), "*(*(*) *)");
    let chain = outcome(&[None, Some(0), Some(1)], "");
    assert_eq!(ProcessTree::of(&chain).shape(0), "*(*(*))");
    assert_eq!(ProcessTree::of(&outcome(&[None], "")).shape(0), "*");
}

#[test]
fn tree_expectation_ignores_spacing_but_not_shape() {
    let o = small_tree();
    let spaced = one(
        "expect tree == \"*( *(*) * )\";",
        Mode::Always,
        Property::Tree("*( *(*) * )".into()),
        &o,
    );
    assert_eq!(spaced.status, Status::Pass);
    let other = one(
        "expect tree == \"*(* *(*))\";",
        Mode::Always,
        Property::Tree("*(* *(*))".into()),
        &o,
    );
    assert_eq!(other.status, Status::Fail);
    assert_eq!(other.detail, "tree was \"*(*(*) *)\"");
}

#[test]
fn depth_counts_the_initial_process_as_one() {
    let o = small_tree();
    assert_eq!(holds(&Property::Depth(CmpOp::Eq, 3), &o), Some(true));
    assert_eq!(holds(&Property::Depth(CmpOp::Eq, 2), &o), Some(false));
    assert_eq!(
        holds(&Property::Depth(CmpOp::Eq, 1), &outcome(&[None], "")),
        Some(true)
    );
}

#[test]
fn tree_paths_count_children_from_one_in_creation_order() {
    let o = small_tree();
    let tree = ProcessTree::of(&o);
    let path = |p: &str| p.split('.').map(str::to_string).collect::<Vec<_>>();
    assert_eq!(tree.resolve(&o, &path("main")), Some(0));
    assert_eq!(tree.resolve(&o, &path("main.1.1")), Some(2));
    assert_eq!(tree.resolve(&o, &path("main.2")), Some(3));
    assert_eq!(tree.resolve(&o, &path("main.3")), None);
    assert_eq!(tree.resolve(&o, &path("main.0")), None);
}

#[test]
fn spawn_names_resolve_to_their_record() {
    let mut o = small_tree();
    o.processes[3].name = "b".to_string();
    o.processes[3].variables = vec![("counter".to_string(), 7)];
    let prop = Property::Var(proc_ref("b"), ident("counter"), CmpOp::Eq, 7);
    let r = one("expect b.counter == 7;", Mode::Always, prop, &o);
    assert_eq!(
        (r.status, r.detail.as_str()),
        (Status::Pass, "b.counter was 7")
    );
}

#[test]
fn an_unknown_process_fails_whatever_the_mode() {
    let o = small_tree();
    for mode in [Mode::Always, Mode::May, Mode::Never] {
        let prop = Property::Exit(Some(proc_ref("main.5")), CmpOp::Eq, 0);
        let r = one("expect exit(main.5) == 0;", mode, prop, &o);
        assert_eq!(r.status, Status::Fail, "{mode:?}");
        assert_eq!(r.detail, "there is no process `main.5` in this run");
    }
}

#[test]
fn variables_are_read_from_the_record() {
    let mut o = small_tree();
    o.processes[0].variables = vec![("value".to_string(), 5)];
    let var = |n| Property::Var(proc_ref("main"), ident("value"), CmpOp::Eq, n);
    assert_eq!(
        one("expect main.value == 5;", Mode::Always, var(5), &o).status,
        Status::Pass
    );
    let wrong = one("expect main.value == 20;", Mode::Always, var(20), &o);
    assert_eq!(
        (wrong.status, wrong.detail.as_str()),
        (Status::Fail, "main.value was 5")
    );
    let missing = Property::Var(proc_ref("main.1"), ident("value"), CmpOp::Eq, 5);
    let r = one("expect main.1.value == 5;", Mode::Always, missing, &o);
    assert_eq!(r.status, Status::Fail);
    assert!(r.detail.contains("not recorded"), "{}", r.detail);
}

#[test]
fn a_killed_process_does_not_satisfy_exit() {
    let mut o = small_tree();
    o.processes[1].termination = Some(Termination::Signaled(11));
    let exit = Property::Exit(Some(proc_ref("main.1")), CmpOp::Eq, 0);
    let r = one("expect exit(main.1) == 0;", Mode::Always, exit, &o);
    assert_eq!(r.status, Status::Fail);
    assert_eq!(r.detail, "main.1 killed by SIGSEGV (signal 11)");
    let signaled = Property::Signaled(Some(proc_ref("main.1")), CmpOp::Eq, 11);
    assert_eq!(holds(&signaled, &o), Some(true));
    assert_eq!(holds(&Property::Exit(None, CmpOp::Eq, 0), &o), Some(true));
}

#[test]
fn output_forms_compare_the_terminal_bytes() {
    let o = outcome(&[None], "one\ntwo\n");
    assert_eq!(
        holds(&Property::Output(CmpOp::Eq, b"one\ntwo\n".to_vec()), &o),
        Some(true)
    );
    assert_eq!(
        holds(&Property::Output(CmpOp::Ne, b"one\n".to_vec()), &o),
        Some(true)
    );
    assert_eq!(
        holds(&Property::OutputContains(b"e\ntw".to_vec()), &o),
        Some(true)
    );
    assert_eq!(
        holds(&Property::OutputLine(b"two".to_vec()), &o),
        Some(true)
    );
    assert_eq!(
        holds(&Property::OutputLine(b"tw".to_vec()), &o),
        Some(false)
    );
    let r = one(
        "expect output == \"x\";",
        Mode::Always,
        Property::Output(CmpOp::Eq, b"x".to_vec()),
        &o,
    );
    assert_eq!(r.detail, "output was \"one\\ntwo\\n\"");
}

#[test]
fn deadlock_forms_read_how_the_run_ended() {
    let mut o = small_tree();
    assert_eq!(holds(&Property::Deadlock, &o), Some(false));
    assert_eq!(holds(&Property::NoDeadlock, &o), Some(true));
    o.end = End::Deadlock {
        waiting: vec![(0, "wait for a child".into())],
    };
    assert_eq!(holds(&Property::Deadlock, &o), Some(true));
    assert_eq!(holds(&Property::NoDeadlock, &o), Some(false));
}

#[test]
fn set_forms_on_one_run_fail_only_when_the_run_contradicts_them() {
    let o = outcome(&[None, Some(0)], "AB");
    let set =
        |outs: &[&str]| Property::Outputs(outs.iter().map(|s| s.as_bytes().to_vec()).collect());
    assert_eq!(holds(&set(&["AB"]), &o), None);
    let inside = one(
        "expect outputs == {\"AB\", \"BA\"};",
        Mode::Always,
        set(&["AB", "BA"]),
        &o,
    );
    assert_eq!(inside.status, Status::Unknown);
    let outside = one(
        "expect outputs == {\"BA\"};",
        Mode::Always,
        set(&["BA"]),
        &o,
    );
    assert_eq!(
        (outside.status, outside.detail.as_str()),
        (Status::Fail, "output was \"AB\", not in the set")
    );
    let outcomes = |op, n| {
        one(
            "expect outcomes;",
            Mode::Always,
            Property::Outcomes(op, n),
            &o,
        )
        .status
    };
    assert_eq!(outcomes(CmpOp::Eq, 2), Status::Unknown);
    assert_eq!(outcomes(CmpOp::Eq, 0), Status::Fail);
    assert_eq!(outcomes(CmpOp::Lt, 1), Status::Fail);
    assert_eq!(outcomes(CmpOp::Le, 1), Status::Unknown);
}

#[test]
fn a_run_stopped_at_a_limit_decides_nothing() {
    let mut o = small_tree();
    o.end = End::Limit {
        limit: Limit::Processes,
        value: 4,
    };
    let r = one(
        "expect processes == 8;",
        Mode::Always,
        Property::Processes(CmpOp::Eq, 8),
        &o,
    );
    assert_eq!(r.status, Status::Unknown);
    assert!(r.detail.contains("max_processes = 4"), "{}", r.detail);
}

fn ab(order: &str, schedule: &str) -> Outcome {
    let mut o = outcome(&[None, Some(0)], "");
    o.output = chunks(order);
    o.schedule = schedule.to_string();
    o
}

#[test]
fn over_every_outcome_always_may_never_quantify() {
    let all = [ab("AB", "p0 p1"), ab("BA", "p1 p0")];
    let e = Expects::default()
        .add(
            "expect output == \"AB\";",
            Mode::Always,
            Property::Output(CmpOp::Eq, b"AB".to_vec()),
        )
        .add(
            "expect may output == \"BA\";",
            Mode::May,
            Property::Output(CmpOp::Eq, b"BA".to_vec()),
        )
        .add(
            "expect never output == \"CC\";",
            Mode::Never,
            Property::Output(CmpOp::Eq, b"CC".to_vec()),
        )
        .add(
            "expect processes == 2;",
            Mode::Always,
            Property::Processes(CmpOp::Eq, 2),
        );
    let r = check_all(&e.list, &e.source, &all, true);
    let statuses: Vec<Status> = r.iter().map(|r| r.status).collect();
    assert_eq!(
        statuses,
        [Status::Fail, Status::Pass, Status::Pass, Status::Pass]
    );
    assert_eq!(r[0].detail, "output was \"BA\", in schedule `p1 p0`");
    let partial = check_all(&e.list, &e.source, &all[..1], false);
    let statuses: Vec<Status> = partial.iter().map(|r| r.status).collect();
    assert_eq!(
        statuses,
        [
            Status::Unknown,
            Status::Unknown,
            Status::Unknown,
            Status::Unknown
        ]
    );
}

#[test]
fn over_every_outcome_set_forms_compare_the_sets() {
    let all = [ab("AB", "p0 p1"), ab("BA", "p1 p0")];
    let set =
        |outs: &[&str]| Property::Outputs(outs.iter().map(|s| s.as_bytes().to_vec()).collect());
    let e = Expects::default()
        .add(
            "expect outputs == {\"AB\", \"BA\"};",
            Mode::Always,
            set(&["AB", "BA"]),
        )
        .add("expect outputs == {\"AB\"};", Mode::Always, set(&["AB"]))
        .add(
            "expect outputs == {\"AB\", \"BA\", \"A\"};",
            Mode::Always,
            set(&["AB", "BA", "A"]),
        )
        .add(
            "expect outcomes == 2;",
            Mode::Always,
            Property::Outcomes(CmpOp::Eq, 2),
        );
    let r = check_all(&e.list, &e.source, &all, true);
    let got: Vec<(Status, &str)> = r.iter().map(|r| (r.status, r.detail.as_str())).collect();
    assert_eq!(
        got,
        [
            (Status::Pass, "got exactly 2 outputs"),
            (Status::Fail, "also possible: \"BA\""),
            (Status::Fail, "never produced: \"A\""),
            (Status::Pass, "got 2 outcomes"),
        ]
    );
}

/// Trees from random creator lists: every process but the first was created by an earlier one.
fn creators() -> impl Strategy<Value = Vec<Option<usize>>> {
    prop::collection::vec(any::<prop::sample::Index>(), 0..40).prop_map(|picks| {
        let mut out = vec![None];
        for (i, pick) in picks.iter().enumerate() {
            out.push(Some(pick.index(i + 1)));
        }
        out
    })
}

proptest! {
    #[test]
    fn the_shape_has_one_star_per_process_and_nests_as_deep_as_the_tree(creators in creators()) {
        let o = outcome(&creators, "");
        let tree = ProcessTree::of(&o);
        let shape = tree.shape(0);
        prop_assert_eq!(shape.matches('*').count(), creators.len());
        let mut open = 0usize;
        let mut deepest = 0usize;
        for c in shape.chars() {
            match c {
                '(' => { open += 1; deepest = deepest.max(open); }
                ')' => open -= 1,
                _ => {}
            }
        }
        prop_assert_eq!(deepest + 1, tree.height());
        prop_assert_eq!(holds(&Property::Tree(shape.clone()), &o), Some(true));
    }
}
