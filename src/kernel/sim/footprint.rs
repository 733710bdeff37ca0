//! What a process's pending request touches (its footprint), and from footprints the
//! persistent sets the explorer expands: the processes whose moves it must try from a state
//! so that every outcome, deadlock and output order stays reachable.
//!
//! Two moves are independent when their footprints share no object: in either order they
//! lead to the same state, and neither enables nor disables the other. A persistent set is
//! closed under "may touch": starting from one process, every live process that now or later
//! (before a process of the set moves) may touch an object of a member's pending request joins
//! the set — an enabled member's request must commute with everything the others do, a
//! blocked member can only be woken by a process in the set. What a process may touch later
//! is bounded by what it holds: its own table entry, its parent's and its children's (exit and
//! wait), the pipes it has descriptors on, and the pid (pipe) counter if its program can
//! still reach a `fork` (`pipe`). Anything else — the terminal (output order is observable), time, shared
//! memory, files, IPC objects — is
//! [`Object::Everything`], which every live process may touch.

use super::files::{FdTable, OpenFile};
use super::forks;
use super::interleave;
use super::kernel::Machine;
use super::pcb::Live;
use crate::config::{Config, Reaper};
use crate::scenario::Scenario;
use crate::vm::Request;

/// A kernel object a move reads or writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Object {
    /// Process `x`'s own state: program and descriptors (only `x` touches them).
    Process(u32),
    /// Process `x`'s ties: its parent link, zombie flag and record (touched by `x` and by its
    /// parent, which reaps it or leaves it to init).
    Ties(u32),
    /// Process `x`'s brood: its children, zombies and count of live children, read and
    /// changed by `x` (`wait`, `exit`).
    Brood(u32),
    /// A zombie added to `x`'s brood (a child's exit): two such commute, so only `x` itself
    /// conflicts.
    Zombie(u32),
    /// Pipe `n`: its buffer and its count of open ends.
    Pipe(u32),
    /// The pid counter and the size of the process table (`fork`): the order of two forks
    /// decides which child gets which pid.
    Pids,
    /// The pipe counter (`pipe`): the order of two `pipe` calls decides which gets which
    /// pipe.
    PipeIds,
    /// Something any process may touch: the pid counter, the terminal, time, shared memory,
    /// files, IPC objects, or a request whose effects are not described.
    Everything,
}

/// Which moves commute thanks to the canonical form of the states ([`super::symmetry`]),
/// beyond what their objects say.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Commute {
    /// Two `fork`s: the states are renumbered in tree order, so who got which pid is not
    /// part of them.
    pub forks: bool,
    /// The exits of a parent and of its child (the child ends up reaped by init either way,
    /// and the history of reaped processes is not part of the states), when no program can
    /// ask for its parent's pid.
    pub exits: bool,
}

/// Appends to `out` the objects the pending request of single-threaded process `p` touches
/// (its own entry first). A process with several threads, one resuming after a memory access
/// or one asleep touches [`Object::Everything`].
///
/// What commutes beyond the objects is in `commute`: a `fork` then does not touch
/// [`Object::Pids`], an exit touches only its own ties and descriptors.
pub(super) fn footprint(
    machine: &Machine,
    config: &Config,
    commute: Commute,
    p: u32,
    out: &mut Vec<Object>,
) {
    out.push(Object::Process(p));
    let Some(live) = machine.table.get(p).live.as_deref() else {
        return;
    };
    if live.threads.tasks.len() > 1 || live.deferred || live.block.is_some() {
        out.push(Object::Everything);
        return;
    }
    match live.vm.pending(0) {
        Some(Request::Getpid | Request::Isatty { .. }) => {}
        Some(Request::Getppid) => out.push(Object::Ties(p)),
        Some(Request::Exec { .. } | Request::Unsupported { .. }) => {}
        Some(Request::Close { fd } | Request::Dup { fd }) => descriptor(&live.fds, *fd, out),
        Some(Request::Read { fd, .. }) => match live.fds.get(*fd) {
            Some(OpenFile::PipeRead(n)) => out.push(Object::Pipe(n)),
            None => {}
            _ => out.push(Object::Everything),
        },
        Some(Request::Dup2 { old, new }) => {
            descriptor(&live.fds, *old, out);
            descriptor(&live.fds, *new, out);
        }
        Some(Request::Write { fd, .. }) => match live.fds.get(*fd) {
            // A write to a pipe no one reads ends the writer (`SIGPIPE`); not while the writer
            // holds a read end itself.
            Some(OpenFile::PipeWrite(n)) => {
                out.push(Object::Pipe(n));
                if !live.fds.files().any(|f| f == OpenFile::PipeRead(n)) {
                    ending(machine, config, commute, p, out);
                }
            }
            _ => out.push(Object::Everything),
        },
        // A child's exit (a zombie, one live child less) commutes with adding a child.
        Some(Request::Fork { .. }) => {
            if !commute.forks {
                out.push(Object::Pids);
            }
            for file in live.fds.files() {
                file_object(file, out);
            }
        }
        Some(Request::Pipe) => out.push(Object::PipeIds),
        Some(Request::Wait { .. }) => {
            out.push(Object::Brood(p));
            children(machine, p, out);
        }
        Some(Request::Exit { .. } | Request::Die { .. }) => {
            ending(machine, config, commute, p, out)
        }
        _ => out.push(Object::Everything),
    }
}

/// What closing or duplicating descriptor `fd` touches beyond the process's own table
/// ([`closing`]; nothing for a closed descriptor).
fn descriptor(fds: &FdTable, fd: i32, out: &mut Vec<Object>) {
    if let Some(file) = fds.get(fd) {
        closing(file, out);
    }
}

/// What closing (or duplicating) `file` touches beyond the process's own table: nothing
/// for the terminal or a pipe end. Closing a pipe end commutes with every other process's
/// move on the pipe: the count of open ends decides only whether a `read` of an empty pipe
/// returns 0 (no writer left) and whether a `write` fails (no reader left), and while the
/// process still holds its end neither can happen, so a move another process makes before
/// the close does the same after it. (A move the close enables, a reader woken by end of
/// file, comes after it in both orders.)
fn closing(file: OpenFile, out: &mut Vec<Object>) {
    match file {
        OpenFile::Terminal | OpenFile::PipeRead(_) | OpenFile::PipeWrite(_) => {}
        _ => out.push(Object::Everything),
    }
}

/// The object behind an open file a process holds (nothing for the terminal: opening or
/// closing it is the process's own affair).
fn file_object(file: OpenFile, out: &mut Vec<Object>) {
    match file {
        OpenFile::Terminal => {}
        OpenFile::PipeRead(n) | OpenFile::PipeWrite(n) => out.push(Object::Pipe(n)),
        _ => out.push(Object::Everything),
    }
}

/// The ties of the unreaped children of `p`.
fn children(machine: &Machine, p: u32, out: &mut Vec<Object>) {
    let table = &machine.table;
    let Some(live) = table.get(p).live.as_deref() else {
        return;
    };
    for &c in &live.children {
        let child = table.get(c);
        if child.parent == Some(p) && (child.live.is_some() || child.zombie) {
            out.push(Object::Ties(c));
        }
    }
}

/// What ending `p` touches: its parent (a zombie to reap), its children (adopted by init),
/// every descriptor it closes ([`closing`]). Cascading termination and a subreaper reach
/// further.
/// When exits commute, only a parent that may still wait conflicts (through `p`'s ties).
fn ending(machine: &Machine, config: &Config, commute: Commute, p: u32, out: &mut Vec<Object>) {
    if config.cascading_termination || config.orphans != Reaper::Init {
        out.push(Object::Everything);
        return;
    }
    let pcb = machine.table.get(p);
    out.push(Object::Ties(p));
    if !commute.exits {
        out.push(Object::Brood(p));
        if let Some(q) = pcb.parent {
            out.push(Object::Zombie(q));
        }
        children(machine, p, out);
    }
    if let Some(live) = pcb.live.as_deref() {
        for file in live.fds.files() {
            closing(file, out);
        }
    }
}

/// Whether live process `q`, now or after moves of its own and of its future descendants,
/// may touch `object`.
fn may_touch(machine: &Machine, commute: Commute, q: u32, object: Object) -> bool {
    let table = &machine.table;
    match object {
        Object::Everything => true,
        Object::Process(x) => q == x,
        Object::Pids => (table.get(q).live.as_deref()).is_some_and(|l| {
            matches!(
                l.vm.pending(0),
                Some(Request::Fork { .. } | Request::Exec { .. })
            ) || forks::may_fork(&l.vm)
        }),
        Object::PipeIds => (table.get(q).live.as_deref()).is_some_and(|l| {
            matches!(
                l.vm.pending(0),
                Some(Request::Pipe | Request::Fork { .. } | Request::Exec { .. })
            ) || forks::may_make_pipe(&l.vm)
        }),
        // A parent touches its child's ties by waiting for it, and by exiting (which
        // commutes with the child's own exit when exits commute).
        Object::Ties(x) => {
            q == x
                || (table.get(x).parent == Some(q)
                    && (!commute.exits || (table.get(q).live.as_deref()).is_some_and(may_wait)))
        }
        Object::Brood(x) => q == x || table.get(q).parent == Some(x),
        Object::Zombie(x) => q == x,
        Object::Pipe(n) => (table.get(q).live.as_deref()).is_some_and(|l| {
            l.fds
                .files()
                .any(|f| matches!(f, OpenFile::PipeRead(m) | OpenFile::PipeWrite(m) if m == n))
        }),
    }
}

/// Whether a live process waits now or may reach a `wait` (or an `exec`).
fn may_wait(live: &Live) -> bool {
    matches!(
        live.vm.pending(0),
        Some(Request::Wait { .. } | Request::Exec { .. })
    ) || forks::may_wait(&live.vm)
}

/// The processes that must move with `p` (the closure of "may touch" from `p`'s pending
/// request), or `None` if that is every live process.
fn closure(machine: &Machine, config: &Config, commute: Commute, p: u32) -> Option<Vec<bool>> {
    let n = machine.table.pcbs.len();
    let mut member = vec![false; n];
    member[p as usize] = true;
    let mut work = vec![p];
    let mut objects = Vec::new();
    while let Some(r) = work.pop() {
        objects.clear();
        footprint(machine, config, commute, r, &mut objects);
        if objects.contains(&Object::Everything) {
            return None;
        }
        for q in 0..n as u32 {
            let live = machine.table.get(q).live.is_some();
            if live
                && !member[q as usize]
                && objects.iter().any(|&o| may_touch(machine, commute, q, o))
            {
                member[q as usize] = true;
                work.push(q);
            }
        }
    }
    Some(member)
}

/// Appends to `out` a persistent subset of `enabled` (choices of the state `machine`): the
/// smallest closure found from one enabled process, or all of `enabled`. Only for programs
/// whose every call has a footprint (`described`), without threads and sleepers.
pub(super) fn persistent(
    machine: &Machine,
    scenario: &Scenario,
    described: bool,
    commute: Commute,
    enabled: &[u32],
    out: &mut Vec<u32>,
) {
    let config = &scenario.config;
    // Threads share their process's state; a sleeper wakes when no one else can move; a
    // program that can name an object it holds no descriptor for (`open`, `kill`, IPC keys)
    // may touch anything.
    let whole = !described
        || (machine.table.pcbs.iter()).any(|pcb| {
            (pcb.live.as_deref()).is_some_and(|l| l.threads.tasks.len() > 1 || l.block.is_some())
        });
    let mut best: Option<Vec<bool>> = None;
    let mut best_len = enabled.len();
    for &choice in enabled.iter().filter(|_| !whole) {
        let (p, _) = interleave::split(choice);
        if best.as_ref().is_some_and(|b| b[p as usize]) {
            continue;
        }
        let Some(member) = closure(machine, config, commute, p) else {
            continue;
        };
        let len = (enabled.iter())
            .filter(|&&c| member[interleave::split(c).0 as usize])
            .count();
        if len < best_len {
            best_len = len;
            best = Some(member);
        }
    }
    match best {
        Some(member) => {
            out.extend((enabled.iter()).filter(|&&c| member[interleave::split(c).0 as usize]))
        }
        None => out.extend_from_slice(enabled),
    }
}
