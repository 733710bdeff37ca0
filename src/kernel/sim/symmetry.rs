//! Pid symmetry: when no program can observe a pid, the order in which processes were
//! created (their pids) changes nothing that can happen next, so the explorer stores each
//! state with its processes renumbered in tree order (`main`, `main.1`, `main.1.1`,
//! `main.2`, …). Two schedules that fork in different orders then meet in one state, and two
//! `fork`s of different processes commute. The classic "how many processes?" exercises
//! (`fork(); fork(); fork();`, forks in a loop) are of this kind.
//!
//! A program cannot observe a pid when it calls nothing that returns one but `fork` and
//! `wait`/`waitpid`, and uses their results (directly or from the variable it keeps one in)
//! only to test them (`== 0`, `> 0`, `== -1`, as a
//! condition) or drops them; it calls only functions whose footprint is
//! described or that map shared memory, creates no process but by `fork` (no `spawn`) and orphans go to init. Waiting
//! keeps its meaning: the siblings a `wait` chooses among keep their relative order (a
//! parent's children are numbered in the order it forked them in both numberings).
//!
//! Symmetric processes go further ([`renumber`] with `siblings`): children of one process
//! that have no children and can create none are interchangeable, and are put in a
//! canonical order among the places they hold. That is sound only while those that end end
//! alike (`wait` then chooses among equals), which the explorer checks
//! (`Explorable::symmetry_broken`).

use super::forks::{described, may_fork, only_calls};
use super::kernel::Machine;
use super::pcb::{Block, ProcessTable, INIT_PID};
use crate::calls::{info, Call};
use crate::config::Reaper;
use crate::ir::{Image, Instr};
use crate::scenario::Scenario;
use crate::syntax::ast::{ProcRef, Property};
use crate::vm::Request;
use rustc_hash::FxHasher;
use std::cmp::Ordering;
use std::hash::{Hash, Hasher};

/// Whether no program of `scenario` can observe a pid (see the module documentation), so
/// that states may be renumbered in tree order.
pub(super) fn pids_unobservable(scenario: &Scenario) -> bool {
    let catalog = &scenario.catalog;
    let config = &scenario.config;
    // The other programs run only through `exec`.
    let execs = (catalog.main.functions.iter()).any(|f| {
        (f.code.iter()).any(|i| matches!(i, Instr::Call(c, _) if info(*c).name.starts_with("exec")))
    });
    let mut others = catalog.programs.values().filter(|_| execs);
    config.orphans == Reaper::Init
        && !config.cascading_termination
        && only_calls(catalog, pid_blind)
        && pids_tested_only(&catalog.main)
        && others.all(|image| pids_tested_only(image))
}

/// Whether the children of a process may also be taken as interchangeable (symmetric
/// processes, DESIGN.md "Shape of the code") once [`pids_unobservable`]: no expectation
/// names a process but the initial one or reads the shape of the tree by place.
pub(super) fn siblings_unnamed(scenario: &Scenario) -> bool {
    let initial = |p: &ProcRef| p.path.len() == 1;
    scenario.expects.iter().all(|e| match &e.prop {
        Property::Exit(p, ..) | Property::Signaled(p, ..) => p.as_ref().is_none_or(initial),
        Property::Var(p, ..) | Property::Children(p, ..) => initial(p),
        Property::Tree(_) => false,
        _ => true,
    })
}

/// Whether `call` neither returns nor keeps a pid or a process's index: the calls whose
/// footprint is described, and shared memory (its objects are bytes; a mapping belongs to
/// its process).
fn pid_blind(call: Call) -> bool {
    described(call)
        || matches!(
            call,
            Call::Shmget
                | Call::Shmat
                | Call::Shmdt
                | Call::Shmctl
                | Call::ShmOpen
                | Call::ShmUnlink
                | Call::Ftruncate
                | Call::Mmap
                | Call::Munmap
        )
}

/// Whether every pid `image` obtains is only tested or dropped, directly or after being
/// kept in a local variable or a scalar global (`pid = fork(); if (pid == 0) …`): every
/// read of such a variable is tested too.
fn pids_tested_only(image: &Image) -> bool {
    let mut globals = Vec::new();
    let locals_ok = image.functions.iter().all(|f| {
        let mut locals = Vec::new();
        let obtained = f.code.iter().enumerate().all(|(at, instr)| match instr {
            Instr::Spawn(_) | Instr::Call(Call::Getpid | Call::Getppid, _) => false,
            Instr::Call(Call::Fork | Call::Wait | Call::Waitpid, _) => match f.code.get(at + 1) {
                Some(Instr::SetLocal(slot)) => {
                    locals.push(*slot);
                    true
                }
                Some(Instr::SetGlobal(slot)) => {
                    globals.push(*slot);
                    true
                }
                _ => tested(&f.code[at + 1..]),
            },
            _ => true,
        });
        obtained
            && (f.code.iter().enumerate()).all(|(at, instr)| match instr {
                Instr::Local(slot) if locals.contains(slot) => tested(&f.code[at + 1..]),
                _ => true,
            })
    });
    let code = image
        .functions
        .iter()
        .flat_map(|f| (0..f.code.len()).map(move |at| &f.code[at..]));
    locals_ok
        && code.into_iter().all(|rest| match rest[0] {
            Instr::Global(slot) if globals.contains(&slot) => tested(&rest[1..]),
            _ => true,
        })
}

/// Whether the value on top of the stack, followed by `code`, is dropped, used as a
/// condition or compared with 0 or -1.
fn tested(code: &[Instr]) -> bool {
    matches!(
        code,
        [
            Instr::Pop | Instr::JumpIf(_) | Instr::JumpIfNot(_) | Instr::Not,
            ..
        ] | [Instr::Const(0 | -1), Instr::Cmp(..), ..]
            | [Instr::Const(1), Instr::Neg(_), Instr::Cmp(..), ..]
    )
}

/// Renumbers the processes of `machine` in tree order, if it is not already so and every
/// process is between requests with nothing recorded by index but its family (no wait
/// queue, no block but a sleep). With `siblings`, the interchangeable children of each
/// process are first put in a canonical order ([`sibling_order`]), and take the names of
/// the places they move to. Returns the order applied (process `i` of the new numbering was
/// process `order[i]`), if any.
pub(super) fn renumber(machine: &mut Machine, siblings: bool) -> Option<Vec<u32>> {
    if !renumberable(machine) {
        return None;
    }
    let table = &machine.table;
    let n = table.pcbs.len();
    let (order, names) = if siblings {
        sibling_order(table)?
    } else {
        let name = |p: usize| table.records[p].name.as_str();
        if (1..n).all(|p| tree_order(name(p - 1), name(p)) == Ordering::Less) {
            return None;
        }
        let mut order: Vec<u32> = (0..n as u32).collect();
        order.sort_by(|&a, &b| tree_order(name(a as usize), name(b as usize)));
        (order, Vec::new())
    };
    let mut new_of = vec![0u32; n];
    for (new, &old) in order.iter().enumerate() {
        new_of[old as usize] = new as u32;
    }
    permute(&mut machine.table, &order, &new_of);
    for (record, name) in machine.table.records.iter_mut().zip(names) {
        if record.name != name {
            record.name = name;
        }
    }
    Some(order)
}

/// Symmetric processes: the children of one process that have no children and can create
/// none (a program that cannot reach `fork`, `exec`, …) are interchangeable when no program
/// can tell them apart by pid. They are put in a canonical order of what they are (state
/// and record, pids and names left out) among the places they hold, so that two states that
/// differ only in which of them did what are one; every other process keeps its place, so
/// the tree's shape is never changed. Returns the tree order of the processes with those
/// children so ordered, and the tree name each gets (empty when every process keeps its
/// own): a moved child takes the name of the place it moves to. `None` when nothing moves.
fn sibling_order(table: &ProcessTable) -> Option<(Vec<u32>, Vec<String>)> {
    let n = table.pcbs.len();
    // Each creator's children, consecutive and in creation order.
    let mut family: Vec<(u32, u32)> = Vec::with_capacity(n);
    for (p, record) in table.records.iter().enumerate() {
        match record.creator {
            Some(c) if c < p => family.push((c as u32, p as u32)),
            Some(_) => return None,
            None => {}
        }
    }
    family.sort_unstable();
    let mut first = vec![family.len(); n + 1];
    for (i, &(c, _)) in family.iter().enumerate().rev() {
        first[c as usize] = i;
    }
    for c in (0..n).rev() {
        first[c] = first[c].min(first[c + 1]);
    }
    let parent = |p: usize| first[p] < first[p + 1];
    // Siblings in creation order are in name order: the name of each place.
    let created: Vec<u32> = family.iter().map(|&(_, p)| p).collect();
    let mut resorted = false;
    let mut slots = Vec::new();
    let mut movers: Vec<(u64, u32)> = Vec::new();
    for c in 0..n {
        let (from, to) = (first[c], first[c + 1]);
        if to - from < 2 {
            continue;
        }
        slots.clear();
        movers.clear();
        for (i, &(_, p)) in family[from..to].iter().enumerate() {
            if !parent(p as usize) && settled(table, p) {
                slots.push(from + i);
                movers.push((key(table, p), p));
            }
        }
        if movers.len() < 2 {
            continue;
        }
        movers.sort_unstable();
        for (&slot, &(_, p)) in slots.iter().zip(&movers) {
            resorted |= family[slot].1 != p;
            family[slot].1 = p;
        }
    }
    let kids = |p: u32| &family[first[p as usize]..first[p as usize + 1]];
    let mut order = Vec::with_capacity(n);
    let mut stack: Vec<u32> = (0..n as u32)
        .rev()
        .filter(|&p| table.records[p as usize].creator.is_none())
        .collect();
    while let Some(p) = stack.pop() {
        order.push(p);
        stack.extend(kids(p).iter().rev().map(|&(_, c)| c));
    }
    if !resorted {
        let moved = order.iter().enumerate().any(|(i, &p)| p as usize != i);
        return moved.then_some((order, Vec::new()));
    }
    // A moved child takes the name of the child that was created at its place.
    let mut place_name = vec![usize::MAX; n];
    for (slot, &(_, p)) in family.iter().enumerate() {
        place_name[p as usize] = created[slot] as usize;
    }
    let names = (order.iter())
        .map(|&p| match place_name[p as usize] {
            usize::MAX => table.records[p as usize].name.clone(),
            q => table.records[q].name.clone(),
        })
        .collect();
    Some((order, names))
}

/// Whether process `p` can create no process any more: terminated, or its program cannot
/// reach a call that creates one (or `exec` another program, which might).
fn settled(table: &ProcessTable, p: u32) -> bool {
    table
        .get(p)
        .live
        .as_deref()
        .is_none_or(|l| match l.vm.pending(0) {
            Some(Request::Exit { .. } | Request::Die { .. }) => true,
            Some(Request::Fork { .. } | Request::Exec { .. }) => false,
            _ => !may_fork(&l.vm),
        })
}

/// What a settled process is, pids and names left out: its PCB's state, its live state and
/// how it ended.
fn key(table: &ProcessTable, p: u32) -> u64 {
    let pcb = table.get(p);
    let record = &table.records[p as usize];
    let mut h = FxHasher::default();
    (pcb.state, pcb.zombie, pcb.exited_at, pcb.parent.is_some()).hash(&mut h);
    pcb.live.hash(&mut h);
    (
        record.termination,
        &record.fault,
        record.orphaned,
        &record.program,
    )
        .hash(&mut h);
    (record.adopted_by.is_some(), record.reaped_by.is_some()).hash(&mut h);
    record.variables.hash(&mut h);
    h.finish()
}

/// Whether nothing but the process table and the programs' pid values refer to processes
/// by index or pid.
fn renumberable(machine: &Machine) -> bool {
    let quiet = |waiting: &Vec<u32>| waiting.is_empty();
    (machine.pipes.iter()).all(|p| quiet(&p.waiting_readers) && quiet(&p.waiting_writers))
        && !machine.ipc.any_waiting()
        && (machine.table.pcbs.iter()).all(|pcb| {
            (pcb.live.as_deref()).is_none_or(|l| {
                l.threads.tasks.is_empty() && matches!(l.block, None | Some(Block::Sleep { .. }))
            })
        })
}

/// Moves process `order[i]` to index `i` (`new_of` is the inverse), rewriting every index
/// and pid the table holds.
fn permute(table: &mut ProcessTable, order: &[u32], new_of: &[u32]) {
    let first = table.first_pid;
    let pid = |old: i64| -> i64 {
        match usize::try_from(old - first) {
            Ok(i) if i < new_of.len() => first + i64::from(new_of[i]),
            _ => old,
        }
    };
    let mut pcbs: Vec<_> = order
        .iter()
        .map(|&p| table.pcbs[p as usize].clone())
        .collect();
    let mut records: Vec<_> = (order.iter())
        .map(|&p| table.records[p as usize].clone())
        .collect();
    for pcb in &mut pcbs {
        pcb.parent = pcb.parent.map(|q| new_of[q as usize]);
        let Some(shared) = pcb.live.as_mut() else {
            continue;
        };
        if !shared.vm.holds_no_pid() {
            shared.vm.remap_pids(&pid);
        }
        let moved = |&c: &u32| new_of[c as usize] != c;
        if shared.children.iter().any(moved) || shared.zombies.iter().any(moved) {
            let live = &mut **shared;
            for c in &mut live.children {
                *c = new_of[*c as usize];
            }
            live.children.sort_unstable();
            live.zombies = live.zombies.iter().map(|&c| new_of[c as usize]).collect();
        }
    }
    for (i, record) in records.iter_mut().enumerate() {
        let creator = record.creator.map(|c| new_of[c] as usize);
        let ppid = (record.ppid != INIT_PID).then(|| pid(record.ppid));
        let (adopted, reaped) = (record.adopted_by.map(pid), record.reaped_by.map(pid));
        let own = first + i as i64;
        if (
            record.pid,
            record.creator,
            record.adopted_by,
            record.reaped_by,
        ) != (own, creator, adopted, reaped)
            || ppid.is_some_and(|p| p != record.ppid)
        {
            let r = &mut **record;
            r.pid = own;
            r.creator = creator;
            r.ppid = ppid.unwrap_or(INIT_PID);
            r.adopted_by = adopted;
            r.reaped_by = reaped;
        }
    }
    table.pcbs = pcbs;
    table.records = records;
}

/// A tree name's component as it sorts: a number by value, before any word.
fn component(c: &str) -> (u64, &str) {
    c.parse::<u64>().map_or((u64::MAX, c), |n| (n, ""))
}

/// Tree names in tree order: component by component, numbers by value (`main.2` before
/// `main.10`), a parent before its children.
fn tree_order(a: &str, b: &str) -> Ordering {
    let (mut a, mut b) = (a.split('.'), b.split('.'));
    loop {
        match (a.next(), b.next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) => match component(x).cmp(&component(y)) {
                Ordering::Equal => {}
                unequal => return unequal,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tree_order_puts_parents_first_and_numbers_by_value() {
        let mut names = vec!["main.10", "main.2.1", "main", "main.2", "main.1"];
        names.sort_by(|a, b| tree_order(a, b));
        assert_eq!(names, ["main", "main.1", "main.2", "main.2.1", "main.10"]);
    }

    #[test]
    fn a_tested_pid_is_unobservable_a_stored_one_is_not() {
        use crate::ir::{CmpOp, Scalar};
        let dropped = [Instr::Pop];
        let compared = [Instr::Const(0), Instr::Cmp(CmpOp::Eq, Scalar::I32)];
        assert!(tested(&dropped) && tested(&compared));
        assert!(!tested(&[Instr::SetLocal(0)]));
    }
}
