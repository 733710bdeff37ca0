//! Kernel logic that needs no interpreter: the process tree, `wait`, pipes and descriptors,
//! deadlock detection and schedule replay, driven through the kernel's own entry points.

use super::kernel::{Kernel, Options, Step};
use super::pcb::Block;
use super::schedule::{Schedule, ScheduleError};
use crate::config::{Config, Reaper};
use crate::ir::{Catalog, FuncId, Function, Image, Instr};
use crate::outcome::{End, Limit, ProcessState, Termination};
use crate::scenario::Scenario;
use crate::syntax::span::Span;
use crate::vm::{Reply, Value, Vm};
use std::rc::Rc;

mod files;
mod ipc;

pub(super) fn image() -> Rc<Image> {
    image_at("/proc/self")
}

pub(super) fn image_at(path: &str) -> Rc<Image> {
    image_running(path, vec![Instr::Const(0), Instr::Ret])
}

/// An image at `path` whose start routine is `code`.
pub(super) fn image_running(path: &str, code: Vec<Instr>) -> Rc<Image> {
    let start = Function {
        name: "<start>".to_string(),
        params: 2,
        slots: 2,
        frame_objects: Vec::new(),
        spans: vec![Span::default(); code.len()],
        code,
        locals: Vec::new(),
    };
    Rc::new(Image {
        path: path.to_string(),
        functions: vec![start],
        entry: FuncId(0),
        strings: Vec::new(),
        global_slots: Vec::new(),
        data: Vec::new(),
        data_pointers: Vec::new(),
        globals: Vec::new(),
        errno_slot: None,
    })
}

pub(super) fn scenario(config: Config) -> Scenario {
    Scenario {
        path: "t.scn".to_string(),
        source: String::new(),
        catalog: Catalog {
            main: image(),
            programs: Default::default(),
        },
        expects: Vec::new(),
        config,
        meta: None,
        watched: Vec::new(),
        files: Vec::new(),
    }
}

/// A child of `p` (as `fork` makes it, with a fresh program state).
pub(super) fn child(k: &mut Kernel, p: u32) -> u32 {
    let vm = Vm::new(
        k.scenario.catalog.main.clone(),
        Vec::new(),
        &Config::default().vm(),
    );
    k.new_child(p, vm, None)
}

/// `p` blocks on `block`, off the ready queue.
pub(super) fn block(k: &mut Kernel, p: u32, block: Block) {
    k.scheduler.remove(p);
    k.table.get_mut(p).state = ProcessState::Running;
    k.block(p, block);
}

pub(super) fn reply(step: Step) -> Reply {
    match step {
        Step::Reply(reply) => reply,
        other => panic!("expected a reply, got {other:?}"),
    }
}

pub(super) fn blocked(step: Step) -> Block {
    match step {
        Step::Blocked(block) => block,
        other => panic!("expected to block, got {other:?}"),
    }
}

#[test]
fn pids_count_up_and_names_follow_the_tree() {
    let s = scenario(Config {
        first_pid: 2600,
        ..Config::default()
    });
    let mut k = Kernel::new(&s, Options::default());
    let a = child(&mut k, 0);
    let b = child(&mut k, 0);
    let a1 = child(&mut k, a);
    let vm = Vm::new(s.catalog.main.clone(), Vec::new(), &s.config.vm());
    let spawned = k.new_child(0, vm, Some("b"));
    let b1 = child(&mut k, spawned);
    let names: Vec<_> = [a, b, a1, spawned, b1]
        .map(|p| k.table.record(p).name.clone())
        .into();
    assert_eq!(names, ["main.1", "main.2", "main.1.1", "b", "b.1"]);
    assert_eq!(k.table.record(a1).pid, 2603);
    assert_eq!(k.table.record(a1).ppid, 2601);
    assert_eq!(k.table.record(a1).creator, Some(a as usize));
    assert_eq!(k.table.index_of(2605), Some(b1));
    assert_eq!(k.table.index_of(2606), None);
    assert_eq!(k.table.index_of(2599), None);
}

#[test]
fn orphans_are_adopted_and_reaped_by_init() {
    let s = scenario(Config::default());
    let mut k = Kernel::new(&s, Options::default());
    let c = child(&mut k, 0);
    k.exit(0, 0);
    let record = &k.table.record(c);
    assert!(record.orphaned);
    assert_eq!((record.ppid, record.adopted_by), (1, Some(1)));
    k.exit(c, 3);
    let pcb = k.table.get(c);
    assert!(!pcb.zombie);
    assert_eq!(k.table.record(c).reaped_by, Some(1));
    assert_eq!(k.table.record(c).termination, Some(Termination::Exited(3)));
    assert_eq!(k.table.alive, 0);
}

#[test]
fn an_exited_child_is_a_zombie_until_waited_for() {
    let s = scenario(Config::default());
    let mut k = Kernel::new(&s, Options::default());
    let c = child(&mut k, 0);
    k.exit(c, 0x107);
    assert!(k.table.get(c).zombie);
    assert_eq!(
        reply(k.waitpid(0, -1, 0)),
        Reply::Waited {
            pid: 1001,
            status: 7 << 8
        }
    );
    assert!(!k.table.get(c).zombie);
    assert_eq!(k.table.record(c).reaped_by, Some(1000));
    assert_eq!(reply(k.waitpid(0, -1, 0)), Reply::Error(10));
}

#[test]
fn wait_blocks_only_for_matching_children() {
    let s = scenario(Config::default());
    let mut k = Kernel::new(&s, Options::default());
    let a = child(&mut k, 0);
    let b = child(&mut k, 0);
    assert_eq!(reply(k.waitpid(0, 1002, 1)), Reply::Value(Value::ZERO));
    assert_eq!(reply(k.waitpid(0, 999, 0)), Reply::Error(10));
    let wait = blocked(k.waitpid(0, 1002, 0));
    block(&mut k, 0, wait);
    k.exit(a, 0);
    assert_eq!(k.table.get(0).state, ProcessState::Waiting);
    k.die(b, 6);
    assert_eq!(k.table.get(0).state, ProcessState::Ready);
    assert_eq!(
        reply(k.waitpid(0, 1002, 0)),
        Reply::Waited {
            pid: 1002,
            status: 6
        }
    );
    assert_eq!(
        reply(k.waitpid(0, 1001, 0)),
        Reply::Waited {
            pid: 1001,
            status: 0
        }
    );
}

#[test]
fn a_subreaper_main_adopts_orphans_and_must_wait() {
    let s = scenario(Config {
        orphans: Reaper::Main,
        ..Config::default()
    });
    let mut k = Kernel::new(&s, Options::default());
    let a = child(&mut k, 0);
    let b = child(&mut k, a);
    k.exit(a, 0);
    assert_eq!(k.table.record(b).adopted_by, Some(1000));
    assert_eq!(k.table.record(b).ppid, 1000);
    k.exit(b, 1);
    assert!(k.table.get(b).zombie);
    assert_eq!(
        reply(k.waitpid(0, -1, 0)),
        Reply::Waited {
            pid: 1001,
            status: 0
        }
    );
    assert_eq!(
        reply(k.waitpid(0, -1, 0)),
        Reply::Waited {
            pid: 1002,
            status: 1 << 8
        }
    );
}

#[test]
fn cascading_termination_kills_every_descendant() {
    let s = scenario(Config {
        cascading_termination: true,
        ..Config::default()
    });
    let mut k = Kernel::new(&s, Options::default());
    let a = child(&mut k, 0);
    let b = child(&mut k, a);
    k.exit(0, 0);
    for p in [a, b] {
        let record = &k.table.record(p);
        assert_eq!(record.termination, Some(Termination::Signaled(9)));
        assert!(!record.orphaned);
    }
    assert_eq!(k.table.alive, 0);
}

#[test]
fn fork_beyond_max_processes_ends_the_run() {
    let s = scenario(Config {
        max_processes: 1,
        ..Config::default()
    });
    let mut k = Kernel::new(&s, Options::default());
    assert!(matches!(k.fork(0, None), Step::Limit(Limit::Processes)));
}

#[test]
fn all_blocked_is_a_deadlock_naming_each_wait() {
    let s = scenario(Config::default());
    let mut k = Kernel::new(&s, Options::default());
    reply(k.pipe(0));
    let c = child(&mut k, 0);
    let wait = blocked(k.read(c, 3, 1));
    block(&mut k, c, wait);
    let wait = blocked(k.waitpid(0, -1, 0));
    block(&mut k, 0, wait);
    let outcome = k.run().expect("no schedule to diverge from");
    let waiting = vec![
        (0, "wait() for a child".to_string()),
        (1, "read() from an empty pipe (fd 3)".to_string()),
    ];
    assert_eq!(outcome.end, End::Deadlock { waiting });
    assert_eq!(
        outcome.processes[1].blocked_on.as_deref(),
        Some("read() from an empty pipe (fd 3)")
    );
    assert_eq!(outcome.processes[1].termination, None);
}

#[test]
fn the_outcome_reports_zombies_and_creation_order() {
    let s = scenario(Config::default());
    let mut k = Kernel::new(
        &s,
        Options {
            record_history: true,
            ..Options::default()
        },
    );
    let c = child(&mut k, 0);
    k.exit(c, 0);
    k.exit(0, 0);
    let outcome = k.run().expect("no schedule to diverge from");
    assert_eq!(outcome.end, End::Finished);
    assert_eq!(outcome.zombies(), 0, "init reaps the orphaned zombie");
    assert_eq!(outcome.processes[1].reaped_by, Some(1));
    let history: Vec<_> = outcome.processes[1].history.iter().map(|h| h.1).collect();
    use ProcessState::*;
    assert_eq!(history, [New, Ready, Terminated]);
}

#[test]
fn replay_of_a_missing_process_fails_clearly() {
    let s = scenario(Config::default());
    let schedule = Some(Schedule::parse("ghost*2").unwrap());
    let k = Kernel::new(
        &s,
        Options {
            schedule,
            ..Options::default()
        },
    );
    let error = k.run().expect_err("ghost never exists");
    let ScheduleError::Diverged { step, name, reason } = error else {
        panic!("not a divergence: {error:?}");
    };
    assert_eq!(
        (step, name.as_str(), reason.as_str()),
        (0, "ghost", "does not exist")
    );
}

#[test]
fn replay_of_a_blocked_process_fails_clearly() {
    let s = scenario(Config::default());
    let schedule = Some(Schedule::parse("main").unwrap());
    let mut k = Kernel::new(
        &s,
        Options {
            schedule,
            ..Options::default()
        },
    );
    let _ = child(&mut k, 0);
    let wait = blocked(k.waitpid(0, -1, 0));
    block(&mut k, 0, wait);
    let error = k.run().expect_err("main is blocked");
    assert!(
        error.to_string().contains("is blocked: wait() for a child"),
        "{error}"
    );
}

#[test]
fn exec_replaces_the_program_or_fails_with_enoent() {
    let mut s = scenario(Config::default());
    s.catalog
        .programs
        .insert("/bin/ls".to_string(), image_at("/bin/ls"));
    let mut k = Kernel::new(&s, Options::default());
    let argv = [b"ls".to_vec()];
    assert_eq!(reply(k.exec(0, b"ls", &argv, false)), Reply::Error(2));
    assert_eq!(reply(k.exec(0, b"/bin/nope", &argv, true)), Reply::Error(2));
    assert!(matches!(k.exec(0, b"ls", &argv, true), Step::Performed));
    assert_eq!(k.table.record(0).program, "/bin/ls");
}

#[test]
fn sleep_begins_now_and_ends_on_the_clock() {
    let s = scenario(Config::default());
    let mut k = Kernel::new(&s, Options::default());
    assert_eq!(reply(k.sleep(0, 0)), Reply::Value(Value::ZERO));
    let Step::PerformedThenBlocked(nap) = k.sleep(0, 1_500_000) else {
        panic!("a sleep blocks once begun");
    };
    assert_eq!(nap.phrase(), "sleep until t=1500ms");
}
