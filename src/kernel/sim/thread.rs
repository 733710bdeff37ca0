//! Threads as the kernel schedules them: each thread of a process is ready, blocked on
//! something of its own (a join, a mutex, a condition variable, a semaphore, a sleep) or
//! terminated, and the process runs whichever of its threads is current.
//! `pthread_create(3)`, `pthread_join(3)`, `pthread_exit(3)`.

use super::interleave;
use super::kernel::{Kernel, Step};
use super::pcb::{Block, ProcessTable};
use super::sync::SyncAt;
use crate::errno::{EAGAIN, EDEADLK, EINVAL, ESRCH};
use crate::outcome::ProcessState;
use crate::vm::{thread_id, Reply, Value};

/// Most threads one process may create in a run (`EAGAIN` beyond, as `RLIMIT_NPROC` gives).
pub const MAX_THREADS: usize = 256;

/// One thread of a process, as the scheduler sees it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Task {
    /// What it waits for; `None` while it can run.
    pub block: Option<Block>,
    /// Its exit value once it terminated.
    pub exit: Option<Value>,
    /// Whether a `pthread_join` collected it.
    pub joined: bool,
    /// Explorer only: answered at a memory access, which it does when next moved.
    pub deferred: bool,
    /// Where it is in a `pthread_cond_wait`.
    pub cond: Option<CondWait>,
}

/// The phases of a `pthread_cond_wait` after the mutex was released.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CondWait {
    /// Waiting for a signal on the condition variable at this place.
    Waiting(SyncAt),
    /// Signalled: takes the mutex again, then returns.
    Signalled,
}

impl Task {
    /// Whether it can run now.
    pub fn ready(&self) -> bool {
        self.block.is_none() && self.exit.is_none()
    }
}

/// The threads of one process.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Threads {
    /// The thread that runs when the process is dispatched (an index into the VM's threads).
    pub current: u32,
    /// One per thread ever created, by index; empty while only the main thread exists.
    pub tasks: Vec<Task>,
}

impl Threads {
    /// Whether the process ever created a thread.
    pub fn is_threaded(&self) -> bool {
        !self.tasks.is_empty()
    }

    /// The first ready thread after the current one, in creation order round the circle.
    pub fn next_ready(&self) -> Option<u32> {
        let n = self.tasks.len() as u32;
        (1..=n)
            .map(|i| (self.current + i) % n)
            .find(|&u| self.tasks[u as usize].ready())
    }
}

/// Whether `block` concerns one thread only (a join, a mutex, a condition variable, a
/// semaphore, a sleep): its
/// waker finds the thread. Other blocking calls (a pipe, a `wait`) are woken through the
/// process, and then every thread of the process blocked in one tries again.
pub fn blocks_thread_only(block: Block) -> bool {
    matches!(
        block,
        Block::Join { .. }
            | Block::Mutex { .. }
            | Block::Semaphore { .. }
            | Block::Cond { .. }
            | Block::Sleep { .. }
    )
}

/// Makes every thread blocked in a call that blocks processes (a pipe, a `wait`) ready to
/// try it again: something such a call waits for happened.
pub fn retry_process_blocks(threads: &mut Threads) {
    for task in &mut threads.tasks {
        if task.block.is_some_and(|b| !blocks_thread_only(b)) {
            task.block = None;
        }
    }
}

/// What process `p` waits for, for reports: its block's phrase, or for a process with
/// threads one phrase per blocked thread (`thread 1: pthread_join() of thread 2; …`), with
/// mutex owners named by thread and process.
pub fn blocked_on(table: &ProcessTable, p: u32) -> Option<String> {
    let live = table.get(p).live.as_deref()?;
    let block = live.block?;
    if !live.threads.is_threaded() {
        return Some(phrase(table, p, block));
    }
    let phrases: Vec<String> = (live.threads.tasks.iter().enumerate())
        .filter_map(|(u, task)| {
            let block = if u == live.thread() {
                Some(block)
            } else {
                task.block
            };
            Some(format!("thread {}: {}", u + 1, phrase(table, p, block?)))
        })
        .collect();
    Some(phrases.join("; "))
}

/// The phrase for `block` of process `p`, naming a mutex's owner by its tree name.
pub(super) fn phrase(table: &ProcessTable, p: u32, block: Block) -> String {
    let Block::Mutex { owner, .. } = block else {
        return block.phrase();
    };
    let (pid, thread) = (owner >> 16, owner & 0xffff);
    if pid == table.pid(p) {
        return format!("pthread_mutex_lock() of a mutex held by thread {thread}");
    }
    match table.index_of(pid) {
        Some(q) => format!(
            "pthread_mutex_lock() of a mutex held by thread {thread} of {}",
            table.record(q).name
        ),
        None => block.phrase(),
    }
}

impl Kernel<'_> {
    /// `pthread_create`: a new thread of `p` running `start(arg)`, ready; its id is the
    /// reply. `EAGAIN` past [`MAX_THREADS`], `EINVAL` if `start` is not a function.
    pub(super) fn pthread_create(&mut self, p: u32, start: Value, arg: Value) -> Step {
        let live = self.table.live(p);
        if live.threads.tasks.len() >= MAX_THREADS {
            return Step::Reply(Reply::Error(EAGAIN));
        }
        let Some(t) = live.vm.spawn_thread(start, arg) else {
            return Step::Reply(Reply::Error(EINVAL));
        };
        let tasks = &mut live.threads.tasks;
        if tasks.is_empty() {
            tasks.push(Task::default());
        }
        tasks.resize(t + 1, Task::default());
        self.table.record_mut(p).threads += 1;
        Step::Reply(Reply::Value(Value::Int(thread_id(t))))
    }

    /// Counts a context switch when `actor` (a thread of `p`) acts after another thread of
    /// `p` did.
    pub(super) fn thread_switch(&mut self, p: u32, actor: u32) {
        let last = self.log.last().map(|&(q, _)| q);
        if last.is_some_and(|q| q != actor && interleave::split(q).0 == p) {
            self.scheduler.switches += 1;
            self.table.record_mut(p).context_switches += 1;
        }
    }

    /// Before `p` performs an action: the scheduler picks which of its ready threads does.
    pub(super) fn pick_thread(&mut self, p: u32) {
        let threads = &self.table.live(p).threads;
        let ready: Vec<u32> = (0..threads.tasks.len() as u32)
            .filter(|&u| threads.tasks[u as usize].ready())
            .collect();
        if ready.len() > 1 && ready.contains(&threads.current) {
            let current = threads.current;
            let turn = self.scheduler.thread_turn(current, &ready);
            self.table.live(p).threads.current = turn;
        }
    }

    /// `pthread_join(thread)`: the thread's exit value once it terminated (blocks until
    /// then). `ESRCH` no such thread, `EDEADLK` the caller itself, `EINVAL` joined already.
    pub(super) fn pthread_join(&mut self, p: u32, thread: i64) -> Step {
        let live = self.table.live(p);
        let me = live.thread();
        let index = usize::try_from(thread - 1).ok();
        let Some(u) = index.filter(|&u| u < live.threads.tasks.len().max(1)) else {
            return Step::Reply(Reply::Error(ESRCH));
        };
        if u == me {
            return Step::Reply(Reply::Error(EDEADLK));
        }
        let task = &mut live.threads.tasks[u];
        match task.exit {
            _ if task.joined => Step::Reply(Reply::Error(EINVAL)),
            Some(value) => {
                task.joined = true;
                Step::Reply(Reply::Value(value))
            }
            None => Step::Blocked(Block::Join { thread: u as u32 }),
        }
    }

    /// `pthread_exit(value)` of `p`'s current thread (never its last one: the VM makes that
    /// `exit(0)`): joiners wake, another thread becomes current.
    pub(super) fn pthread_exit(&mut self, p: u32, value: Value) -> Step {
        let live = self.table.live(p);
        let me = live.threads.current;
        let task = &mut live.threads.tasks[me as usize];
        task.exit = Some(value);
        task.block = None;
        let joiners: Vec<u32> = (live.threads.tasks.iter().enumerate())
            .filter(|(_, t)| t.block == Some(Block::Join { thread: me }))
            .map(|(u, _)| u as u32)
            .collect();
        for u in joiners {
            self.table.live(p).threads.tasks[u as usize].block = None;
        }
        self.switch_thread(p);
        Step::Performed
    }

    /// The current thread of running `p` cannot go on (it ended or blocked): the next ready
    /// thread becomes current, or, with none, the process waits for what its first blocked
    /// thread waits for.
    fn switch_thread(&mut self, p: u32) {
        let threads = &mut self.table.live(p).threads;
        if let Some(u) = threads.next_ready() {
            threads.current = u;
            return;
        }
        // A call that blocks processes first: its wakers look for the process's block.
        let blocked = (threads.tasks.iter().enumerate())
            .filter_map(|(u, t)| Some((u as u32, t.block?)))
            .min_by_key(|&(_, block)| blocks_thread_only(block))
            .expect("invariant: a process whose threads all stopped has a blocked one");
        threads.current = blocked.0;
        self.block_process(p, blocked.1);
    }

    /// `p`'s current thread blocks on `block`: with another ready thread that one runs on
    /// (a block of the kind processes wait in is also kept as the process's, where the
    /// wakers of pipes and `wait` look); else the whole process waits.
    pub(super) fn block(&mut self, p: u32, block: Block) {
        let Some(live) = self.table.get_mut(p).live.as_deref_mut() else {
            return;
        };
        if live.threads.is_threaded() {
            let me = live.threads.current as usize;
            live.threads.tasks[me].block = Some(block);
            if live.threads.next_ready().is_some() {
                if !blocks_thread_only(block) {
                    live.block = Some(block);
                }
                self.switch_thread(p);
                return;
            }
        }
        self.block_process(p, block);
    }

    /// Thread `u` of `p` may go on (what it waited for happened): it becomes ready, and
    /// current if the whole process waited.
    pub(super) fn wake_thread(&mut self, p: u32, u: u32) {
        let waiting = self.table.get(p).state == ProcessState::Waiting;
        let live = self.table.live(p);
        if let Some(task) = live.threads.tasks.get_mut(u as usize) {
            task.block = None;
        }
        if waiting {
            live.threads.current = u;
            self.wake(p);
        }
    }

    /// Threads of `p` blocked on something `wakes` says is over: each is woken.
    pub(super) fn wake_threads_of(&mut self, p: u32, wakes: impl Fn(Block) -> bool) {
        let Some(live) = self.table.get(p).live.as_deref() else {
            return;
        };
        let mut woken: Vec<u32> = (live.threads.tasks.iter().enumerate())
            .filter(|(_, t)| t.block.is_some_and(&wakes))
            .map(|(u, _)| u as u32)
            .collect();
        if live.block.is_some_and(&wakes) && !woken.contains(&live.threads.current) {
            woken.push(live.threads.current);
        }
        for u in woken {
            self.wake_thread(p, u);
        }
    }
}
