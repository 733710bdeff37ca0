//! What a scenario's programs can do, read from their instructions: whether every call they
//! make has a footprint, and whether a process may still fork — the instructions its program
//! can reach from where each of its frames stands, searched for a call that creates a process
//! (`fork`, `spawn`, `system`, an `exec` into a program that may). A program that takes a
//! function's address (handlers, `atexit`, threads, calls through pointers) may fork wherever
//! it stands.

use crate::calls::{info, Call, CallKind};
use crate::ir::{Catalog, FuncId, GlobalInit, Image, Instr};
use crate::vm::Vm;
use rustc_hash::FxHashMap;
use smallvec::SmallVec;
use std::cell::RefCell;
use std::rc::Rc;

/// Whether `vm`, resumed from where its thread 0 stands, may reach a call that creates a
/// process (its pending request itself is not counted).
pub(super) fn may_fork(vm: &Vm) -> bool {
    may_reach(vm, Query::Fork, creates_process)
}

/// Whether `vm`, resumed from where its thread 0 stands, may reach `pipe` (or a call that
/// creates a process, whose program may).
pub(super) fn may_make_pipe(vm: &Vm) -> bool {
    may_reach(vm, Query::Pipe, |call| {
        call == Call::Pipe || creates_process(call)
    })
}

/// Whether `vm`, resumed from where its thread 0 stands, may reach `wait` or `waitpid` (or
/// a call that creates a process, whose program may).
pub(super) fn may_wait(vm: &Vm) -> bool {
    may_reach(vm, Query::Wait, |call| {
        matches!(call, Call::Wait | Call::Waitpid) || creates_process(call)
    })
}

/// The questions [`may_reach`] answers, as its memo keys them.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Query {
    Fork,
    Pipe,
    Wait,
}

/// An image's address, a question, and the frames a program stands in (function and
/// instruction, outermost first).
type MemoKey = (usize, Query, SmallVec<[(u32, u32); 4]>);

/// Answers of [`may_reach`] by image (kept alive, so that its address stays its own),
/// query and the frames the program stands in: the explorer asks them of every process at
/// every state.
#[derive(Default)]
struct Memo {
    images: Vec<Rc<Image>>,
    answers: FxHashMap<MemoKey, bool>,
}

thread_local! {
    static MEMO: RefCell<Memo> = RefCell::default();
}

/// Whether `vm` may reach a call for which `wanted` holds, or a `spawn` (a new process).
fn may_reach(vm: &Vm, query: Query, wanted: fn(Call) -> bool) -> bool {
    let image = vm.image();
    let search = || {
        if takes_addresses(image) {
            return true;
        }
        let mut seen = vec![Vec::new(); image.functions.len()];
        let mut frames = vm.frames(0);
        frames.any(|(func, pc)| reaches(image, wanted, func, pc, &mut seen))
    };
    let frames: SmallVec<[(u32, u32); 4]> = vm.frames(0).map(|(f, pc)| (f.0, pc)).collect();
    let key = (Rc::as_ptr(image) as usize, query, frames);
    MEMO.with_borrow_mut(|memo| {
        if let Some(&known) = memo.answers.get(&key) {
            return known;
        }
        if !memo.images.iter().any(|i| Rc::ptr_eq(i, image)) {
            memo.images.push(Rc::clone(image));
        }
        let answer = search();
        memo.answers.insert(key, answer);
        answer
    })
}

/// Whether every call of every program of `catalog` is C library code or a system call
/// whose footprint is described ([`super::footprint`]): process calls, pipes, descriptors
/// and sleep. Anything else (`open`, `kill`, signals, IPC, sockets, threads, shared memory)
/// can reach an object its process holds no descriptor for.
pub(super) fn only_described_calls(catalog: &Catalog) -> bool {
    only_calls(catalog, described)
}

/// Whether every call the scenario's programs can make (the other programs only if the
/// initial one calls `exec`, `system` or `popen`) satisfies `allowed`.
pub(super) fn only_calls(catalog: &Catalog, allowed: fn(Call) -> bool) -> bool {
    let calls = |image: &Image| {
        (image.functions.iter())
            .flat_map(|f| f.code.iter())
            .filter_map(|i| match i {
                Instr::Call(call, _) => Some(*call),
                _ => None,
            })
            .collect::<Vec<_>>()
    };
    let main = calls(&catalog.main);
    // The other programs run only through `exec` (or `system`).
    let execs = main.iter().any(|&c| {
        let name = info(c).name;
        name.starts_with("exec") || name.contains("system") || name.contains("popen")
    });
    let mut others = (catalog.programs.values())
        .filter(|_| execs)
        .flat_map(|i| calls(i));
    main.iter().all(|&c| allowed(c)) && others.all(allowed)
}

/// Whether `call`'s footprint is described (see [`only_described_calls`]).
pub(super) fn described(call: Call) -> bool {
    let library = info(call).kind == CallKind::Library;
    let threads = info(call).name.starts_with("pthread");
    (library && !threads)
        || matches!(
            call,
            Call::Fork
                | Call::UnderscoreExit
                | Call::Wait
                | Call::Waitpid
                | Call::Getpid
                | Call::Getppid
                | Call::Execl
                | Call::Execlp
                | Call::Execle
                | Call::Execv
                | Call::Execvp
                | Call::Execve
                | Call::Sleep
                | Call::Usleep
                | Call::Isatty
                | Call::Pipe
                | Call::Read
                | Call::Write
                | Call::Close
                | Call::Dup
                | Call::Dup2
        )
}

/// Whether some function's address is taken (an instruction or a global initialiser).
fn takes_addresses(image: &Image) -> bool {
    let code = (image.functions.iter()).flat_map(|f| f.code.iter());
    let globals = (image.global_slots.iter()).chain(image.data_pointers.iter().map(|(_, g)| g));
    code.clone()
        .any(|i| matches!(i, Instr::Func(_) | Instr::CallPtr(_)))
        || globals
            .into_iter()
            .any(|g| matches!(g, GlobalInit::Func(_)))
}

/// Whether a call may create a process.
fn creates_process(call: Call) -> bool {
    let name = info(call).name;
    call == Call::Fork
        || name.contains("fork")
        || name.contains("spawn")
        || name.starts_with("exec")
        || name.contains("system")
        || name.contains("popen")
}

/// Whether function `func` of `image`, from instruction `pc` on, may reach a `spawn` or a
/// call for which `wanted` holds, directly or through the functions it calls. `seen[f]` marks the
/// instructions of `f` already searched (from any start), so each is searched once.
fn reaches(
    image: &Image,
    wanted: fn(Call) -> bool,
    func: FuncId,
    pc: u32,
    seen: &mut [Vec<bool>],
) -> bool {
    let f = func.0 as usize;
    let code = &image.functions[f].code;
    if seen[f].is_empty() {
        seen[f] = vec![false; code.len()];
    }
    let mut work = vec![pc as usize];
    while let Some(at) = work.pop() {
        if at >= code.len() || seen[f][at] {
            continue;
        }
        seen[f][at] = true;
        match code[at] {
            Instr::Spawn(_) => return true,
            Instr::Call(call, _) if wanted(call) => return true,
            Instr::Call(Call::Exit | Call::UnderscoreExit | Call::Abort, _) => {}
            Instr::CallFunc(g, _) => {
                if reaches(image, wanted, g, 0, seen) {
                    return true;
                }
                work.push(at + 1);
            }
            Instr::Jump(to) => work.push(to as usize),
            Instr::JumpIf(to) | Instr::JumpIfNot(to) => work.extend([to as usize, at + 1]),
            Instr::Ret | Instr::Trap(_) => {}
            _ => work.push(at + 1),
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::kernel::sim::tests::image_running;

    fn forks(code: Vec<Instr>) -> bool {
        let vm = Vm::new(
            image_running("/bin/t", code),
            Vec::new(),
            &Config::default().vm(),
        );
        may_fork(&vm)
    }

    #[test]
    fn a_fork_ahead_may_be_reached() {
        assert!(forks(vec![Instr::Call(Call::Fork, 0), Instr::Ret]));
        assert!(forks(vec![
            Instr::Const(1),
            Instr::JumpIf(3),
            Instr::Ret,
            Instr::Spawn(crate::ir::StrId(0)),
            Instr::Ret,
        ]));
    }

    #[test]
    fn a_fork_behind_a_jump_or_an_exit_is_not() {
        let jumped = vec![Instr::Jump(2), Instr::Call(Call::Fork, 0), Instr::Ret];
        assert!(!forks(jumped));
        let exited = vec![
            Instr::Const(0),
            Instr::Call(Call::Exit, 1),
            Instr::Call(Call::Fork, 0),
        ];
        assert!(!forks(exited));
    }

    #[test]
    fn a_function_address_may_fork_anywhere() {
        assert!(forks(vec![Instr::Func(FuncId(0)), Instr::Pop, Instr::Ret]));
    }
}
