//! Thread interleavings for the explorer and for replayed schedules: a choice names a
//! process and one of its threads, a thread's next request is judged blocking or not from
//! the state alone (a join of a live thread, a locked mutex, a semaphore at 0), and each
//! thread runs to its next request on its own.

use super::explorable::request_blocks;
use super::ipc::Ipc;
use super::kernel::{Kernel, Machine};
use super::pcb::{Block, Live, ProcessTable};
use super::pipe::Pipe;
use super::shared::Shared;
use super::shm::SharedMemory;
use super::sync::SyncAt;
use super::thread::CondWait;
use crate::vm::{NoEnv, Reply, Request, Value};

/// Bits of a choice that name the process; the thread index is above them.
const THREAD_SHIFT: u32 = 24;

/// The choice for thread `t` of process `p` (thread 0's choice is `p` itself).
pub fn choice(p: u32, t: usize) -> u32 {
    p | (t as u32) << THREAD_SHIFT
}

/// The process and thread a choice names.
pub fn split(choice: u32) -> (u32, usize) {
    let mask = (1 << THREAD_SHIFT) - 1;
    (choice & mask, (choice >> THREAD_SHIFT) as usize)
}

/// The schedule name of thread `t` of the process named `process`: the process's own name
/// for its main thread, `main/2` for the thread whose `pthread_t` is 2.
pub fn thread_name(process: &str, t: usize) -> String {
    if t == 0 {
        process.to_string()
    } else {
        format!("{process}/{}", t + 1)
    }
}

/// A schedule name split into the process's name and a thread index (`main/2` → `main`, 1).
pub fn parse_thread_name(name: &str) -> (&str, usize) {
    match name.rsplit_once('/') {
        Some((process, n)) => match n.parse::<usize>() {
            Ok(n) if n > 0 => (process, n - 1),
            _ => (name, 0),
        },
        None => (name, 0),
    }
}

/// The state word of the mutex or semaphore `at` points to in process `live`.
fn word(live: &Live, shm: &SharedMemory, at: &Value) -> Option<i64> {
    match live.vm.shared_location(at) {
        Some((object, offset)) => {
            let bytes = shm.objects.get(object as usize)?;
            let word = bytes.get(offset as usize..offset as usize + 8)?;
            Some(i64::from_le_bytes(word.try_into().ok()?))
        }
        None => live.vm.sync_word(at, &mut NoEnv),
    }
}

/// Where `at` is, for a block's description.
fn sync_at(live: &Live, at: &Value) -> SyncAt {
    match (live.vm.shared_location(at), at) {
        (Some((object, offset)), _) => SyncAt::Shared { object, offset },
        (None, Value::Ptr(p)) => SyncAt::Private {
            region: p.region.0,
            offset: p.offset,
        },
        (None, _) => SyncAt::Private {
            region: 0,
            offset: 0,
        },
    }
}

/// What thread `t` of process `p` (0 for a process without threads) would wait for if it
/// tried its pending request now; `None` if it can perform it (or has terminated). A
/// sleeper waits for its wake-up.
pub(super) fn thread_blocks(
    table: &ProcessTable,
    pipes: &[Pipe],
    ipc: &Ipc,
    p: u32,
    t: usize,
) -> Option<Block> {
    let shm = &ipc.shm;
    let live = table.get(p).live.as_deref()?;
    let block = match live.threads.tasks.get(t) {
        Some(task) => task.block,
        None => live.block,
    };
    if block.is_some() {
        return block;
    }
    match live.vm.pending(t)? {
        Request::ThreadJoin { thread } => {
            let u = usize::try_from(thread - 1).ok()?;
            let target = live.threads.tasks.get(u)?;
            (u != t && target.exit.is_none() && !target.joined)
                .then_some(Block::Join { thread: u as u32 })
        }
        Request::MutexLock {
            mutex,
            try_lock: false,
        } => match word(live, shm, mutex)? {
            0 => None,
            owner => Some(Block::Mutex {
                at: sync_at(live, mutex),
                owner,
            }),
        },
        Request::CondWait { mutex, .. } => match live.threads.tasks.get(t)?.cond? {
            CondWait::Waiting(at) => Some(Block::Cond { at }),
            CondWait::Signalled => match word(live, shm, mutex)? {
                0 => None,
                owner => Some(Block::Mutex {
                    at: sync_at(live, mutex),
                    owner,
                }),
            },
        },
        Request::SemWait {
            sem,
            try_wait: false,
        } => (word(live, shm, sem)? == 0).then(|| Block::Semaphore {
            at: sync_at(live, sem),
        }),
        request => request_blocks(table, pipes, ipc, p, request),
    }
}

/// The live threads of process `p` (just thread 0 for a process without threads; none for
/// a terminated process).
pub(super) fn live_threads(table: &ProcessTable, p: u32) -> impl Iterator<Item = usize> + '_ {
    let live = table.get(p).live.as_deref();
    let count = live.map_or(0, |l| l.threads.tasks.len().max(1));
    (0..count).filter(move |&t| {
        live.is_some_and(|l| {
            l.threads
                .tasks
                .get(t)
                .is_none_or(|task| task.exit.is_none())
        })
    })
}

/// How many threads process `p` ever had (1 without threads, 0 once terminated).
pub(super) fn thread_count(table: &ProcessTable, p: u32) -> usize {
    (table.get(p).live.as_deref()).map_or(0, |l| l.threads.tasks.len().max(1))
}

/// What process `p` of an explored end state waits for, as reports phrase it.
pub(super) fn blocked_at_end(machine: &Machine, p: u32) -> Option<String> {
    let (table, pipes, ipc) = (&machine.table, &machine.pipes, &machine.ipc);
    if table.get(p).live.as_deref()?.threads.is_threaded() {
        return explored_blocked_on(table, pipes, ipc, p);
    }
    let block = thread_blocks(table, pipes, ipc, p, 0)?;
    Some(super::thread::phrase(table, p, block))
}

/// What each blocked thread of threaded process `p` waits for, as reports phrase it, when
/// none of them can move; `None` if one can.
fn explored_blocked_on(table: &ProcessTable, pipes: &[Pipe], ipc: &Ipc, p: u32) -> Option<String> {
    let blocks: Vec<(usize, Block)> = live_threads(table, p)
        .map(|t| Some((t, thread_blocks(table, pipes, ipc, p, t)?)))
        .collect::<Option<_>>()?;
    let phrases: Vec<String> = (blocks.into_iter())
        .map(|(t, block)| {
            format!(
                "thread {}: {}",
                t + 1,
                super::thread::phrase(table, p, block)
            )
        })
        .collect();
    Some(phrases.join("; "))
}

/// Whether `request` of one thread among several touches nothing its process's other
/// threads share (descriptors, the image, memory).
pub(super) fn is_local_to_thread(request: Option<&Request>) -> bool {
    matches!(
        request,
        Some(Request::Getpid | Request::Sleep { micros: 0 })
    )
}

/// Whether thread `t` of `live` resumes after a memory access when next moved.
pub(super) fn is_deferred(live: &Live, t: usize) -> bool {
    match live.threads.tasks.get(t) {
        Some(task) => task.deferred,
        None => live.deferred,
    }
}

/// Sets whether thread `t` of `live` resumes after a memory access when next moved.
pub(super) fn set_deferred(live: &mut Live, t: usize, deferred: bool) {
    match live.threads.tasks.get_mut(t) {
        Some(task) => task.deferred = deferred,
        None => live.deferred = deferred,
    }
}

/// Whether thread `t` of `live` has run to a request, or must run (it is awake and was
/// not told to wait for its next move).
pub(super) fn runs_on(live: &Live, t: usize) -> bool {
    let block = live
        .threads
        .tasks
        .get(t)
        .map_or(live.block, |task| task.block);
    block.is_none() && !is_deferred(live, t) && live.vm.pending(t).is_none()
}

/// The earliest wake-up of a sleeping thread of a process with threads.
pub(super) fn earliest_thread_sleep(table: &ProcessTable) -> Option<u64> {
    (table.pcbs.iter())
        .filter_map(|pcb| pcb.live.as_deref())
        .flat_map(|live| &live.threads.tasks)
        .filter_map(|task| match task.block {
            Some(Block::Sleep { until }) => Some(until),
            _ => None,
        })
        .min()
}

/// Time advances by `now`: sleeping threads due wake (their `sleep` returns 0), the others'
/// wake-up times become relative to the new now.
pub(super) fn advance_thread_sleepers(table: &mut ProcessTable, now: u64) {
    for live in table
        .pcbs
        .iter_mut()
        .filter_map(|pcb| pcb.live.as_deref_mut())
    {
        for t in 0..live.threads.tasks.len() {
            let Some(Block::Sleep { until }) = live.threads.tasks[t].block else {
                continue;
            };
            if until == now {
                live.threads.tasks[t].block = None;
                live.vm.resume(t, Reply::Value(Value::ZERO));
            } else {
                live.threads.tasks[t].block = Some(Block::Sleep { until: until - now });
            }
        }
    }
}

/// The canonical form of a process's threads between two moves: the first live thread
/// current, no block but a sleep (the others are found again from the state).
/// Writes only when something changes: `live` is shared with other states.
pub(super) fn canonicalise_threads(live: &mut Shared<Live>) {
    if threads_canonical(live) {
        return;
    }
    let live = &mut **live;
    let first_live = live.threads.tasks.iter().position(|t| t.exit.is_none());
    live.threads.current = first_live.unwrap_or(0) as u32;
    for task in &mut live.threads.tasks {
        if !matches!(task.block, Some(Block::Sleep { .. })) {
            task.block = None;
        }
    }
}

/// Whether [`canonicalise_threads`] would change nothing.
fn threads_canonical(live: &Live) -> bool {
    let first_live = live.threads.tasks.iter().position(|t| t.exit.is_none());
    live.threads.current == first_live.unwrap_or(0) as u32
        && (live.threads.tasks.iter())
            .all(|t| t.block.is_none() || matches!(t.block, Some(Block::Sleep { .. })))
}

impl Kernel<'_> {
    /// Makes thread `t` of `p` the one that moves next (the explorer's or a replayed
    /// schedule's choice); `false` if `p` has no such live thread.
    pub(super) fn select_thread(&mut self, p: u32, t: usize) -> bool {
        let Some(live) = self.table.get_mut(p).live.as_deref_mut() else {
            return false;
        };
        match live.threads.tasks.get(t) {
            Some(task) if task.exit.is_none() => {
                live.threads.current = t as u32;
                true
            }
            Some(_) => false,
            None => t == 0,
        }
    }
}
