//! Threads on the real kernel, scheduled by the interpreter itself: user-level threads, the
//! many-to-one model. A scenario process stays one OS thread (so it may go on forking
//! itself); the VM's threads take turns in it. A thread runs until its next request (a
//! library or system call, an access to memory the threads share); then the process
//! performs the request of one of its threads that can go on, the same thread or, half the
//! time, another one picked at random (as a time slice would end), and runs that thread on.
//!
//! `pthread_create(3)`, `pthread_join(3)`, `pthread_exit(3)` and the private mutexes,
//! condition variables and semaphores are resolved in the process (`sync`); shared ones are
//! real words in shared memory. A system call that would block (a read of an empty pipe, a
//! `wait` for a running child) is tried without blocking, and the thread waits while the
//! others run; the OS thread blocks only when no thread can go on.

use super::process::Process;
use super::record::Record;
use crate::vm::{thread_id, Reply, Request, Value};
use nix::errno::Errno;
use std::sync::atomic::AtomicU32;
use std::time::{Duration, Instant};

/// Most threads one process may create (`EAGAIN` beyond), as in the simulator.
const MAX_THREADS: usize = 256;
/// Chance that the process runs another thread than the current one at a request: often
/// enough that races show their outcomes over a few runs.
const SWITCH_CHANCE: f64 = 0.5;
/// How often calls that may block, of threads other than the one running, are tried again
/// while other threads can run.
const RETRY_CALLS: Duration = Duration::from_millis(1);
/// Longest nap while threads wait in several calls at once (they are tried between naps).
const LONGEST_NAP: Duration = Duration::from_millis(10);

/// Where a thread is in a `pthread_cond_wait`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CondPhase {
    /// Waiting for a signal on the condition variable with this key
    /// ([`super::sync::Word::key`]).
    Waiting(u64),
    /// Waiting on a condition variable in shared memory with this ticket
    /// (`shared_cond`).
    Ticket(u32),
    /// Signalled: takes the mutex again, then returns.
    Signalled,
}

/// What the process knows of one of its threads besides its VM state.
#[derive(Clone, Debug, Default)]
pub struct Task {
    /// Its exit value once it terminated.
    exit: Option<Value>,
    /// Whether a `pthread_join` collected it.
    joined: bool,
    /// Where it is in a `pthread_cond_wait`.
    pub cond: Option<CondPhase>,
    /// When the `sleep` it is in ends.
    sleep_until: Option<Instant>,
}

/// Why a thread cannot go on now.
#[derive(Clone, Debug, PartialEq)]
pub enum Wait {
    /// For another thread of this process (a join, a private mutex or semaphore, a
    /// condition variable); the simulator's phrase.
    Own(String),
    /// For another process to change a shared word: its change count at `turns` is
    /// still `seen`.
    Shared {
        /// The real address of the word's change count.
        turns: *const AtomicU32,
        /// The count before the word was read.
        seen: u32,
        /// The simulator's phrase.
        phrase: String,
    },
    /// In a system call that would block.
    Call,
    /// In a `sleep` that ends then.
    Sleep(Instant),
}

/// What trying a thread's request came to.
#[derive(Debug)]
pub enum Attempt {
    /// It was performed: the answer.
    Reply(Reply),
    /// It cannot be performed now.
    Wait(Wait),
    /// The thread terminated.
    Ended,
    /// The program was replaced (`exec`), or this is the child of a `fork`: thread 0 goes
    /// on with this answer, if any.
    Restart(Option<Reply>),
}

/// The threads of one process, as its scheduler sees them.
#[derive(Debug)]
pub struct Threads {
    /// The thread that runs.
    current: usize,
    /// One per thread ever created, by index; empty while only the main thread exists.
    tasks: Vec<Task>,
    rng: fastrand::Rng,
    /// When the calls of every waiting thread were last tried.
    tried: Instant,
    /// A thread terminated or released a mutex while waiting since the threads were last
    /// looked at: those that waited may go on now.
    pub changed: bool,
    /// What the process last told the supervisor its threads wait for.
    pub reported: Option<Vec<(u32, Option<String>)>>,
}

impl Threads {
    /// A process with its main thread only.
    pub fn new() -> Threads {
        let seed = super::waits::monotonic_micros() as u64 ^ u64::from(std::process::id()) << 32;
        Threads {
            current: 0,
            tasks: Vec::new(),
            rng: fastrand::Rng::with_seed(seed),
            tried: Instant::now(),
            changed: false,
            reported: None,
        }
    }

    /// The thread that runs.
    pub fn current(&self) -> usize {
        self.current
    }

    /// Makes thread `t` the one that runs.
    pub fn set_current(&mut self, t: usize) {
        self.current = t;
    }

    /// Whether the process ever created a thread (or waited on a condition variable), so
    /// that its requests go through the scheduler and its waits are phrased per thread.
    pub fn is_threaded(&self) -> bool {
        !self.tasks.is_empty()
    }

    /// Thread `t`'s task (made, with those before it, if it is new).
    pub fn task(&mut self, t: usize) -> &mut Task {
        if self.tasks.len() <= t {
            self.tasks.resize(t + 1, Task::default());
        }
        &mut self.tasks[t]
    }

    /// Every thread's task.
    pub fn tasks_mut(&mut self) -> &mut [Task] {
        &mut self.tasks
    }
}

impl Default for Threads {
    fn default() -> Self {
        Threads::new()
    }
}

/// Whether `request` is a thread, synchronisation or thread-shared memory request, which the
/// scheduler performs even for a process without threads.
pub fn is_sync(request: &Request) -> bool {
    request.is_sync() || matches!(request, Request::Memory { .. })
}

/// signal(7): `pause`, `sigsuspend` and `sleep` are never restarted after a handler, nor
/// is a mailbox `receive` (the simulator's rule: it fails with `EINTR`).
pub fn restartable(request: &Request) -> bool {
    !matches!(
        request,
        Request::Pause
            | Request::Sigsuspend { .. }
            | Request::Sleep { .. }
            | Request::MailboxReceive { .. }
    )
}

/// What came of looking at one thread.
enum Step {
    /// It can run code now.
    Runs,
    /// It waits.
    Waits(Wait),
    /// It has terminated.
    Gone,
}

impl Process<'_> {
    /// The current thread waits at a request: performs requests of the threads, the
    /// current one first unless the dice say otherwise, until one can run code; it becomes
    /// current.
    pub(super) fn schedule(&mut self) {
        let stay = self.threads.rng.f64() >= SWITCH_CHANCE;
        self.schedule_from(stay);
    }

    /// A thread ran through its time slice without a request: another one may run.
    pub(super) fn time_slice(&mut self) {
        if self.threads.is_threaded() {
            self.schedule_from(false);
        }
    }

    fn schedule_from(&mut self, stay: bool) {
        let mut retry = self.threads.tried.elapsed() >= RETRY_CALLS;
        let mut nap = Duration::from_micros(50);
        loop {
            if retry {
                self.threads.tried = Instant::now();
            }
            let mut waits = Vec::new();
            for u in self.thread_order(stay) {
                match self.look_at(u, retry || u == self.threads.current) {
                    Step::Runs => return,
                    Step::Waits(wait) => waits.push((u, wait)),
                    Step::Gone => {}
                }
            }
            if std::mem::take(&mut self.threads.changed) {
                continue;
            }
            if self.wait_all(waits, nap) {
                return;
            }
            nap = (nap * 2).min(LONGEST_NAP);
            retry = true;
        }
    }

    /// Every thread, from the current one (`stay`) or from another one picked at random.
    fn thread_order(&mut self, stay: bool) -> impl Iterator<Item = usize> {
        let n = self.vm.threads();
        let current = self.threads.current;
        let start = if stay || n < 2 {
            current
        } else {
            (current + 1 + self.threads.rng.usize(..n - 1)) % n
        };
        (0..n).map(move |i| (start + i) % n)
    }

    /// Performs thread `u`'s request if it can go on (a call that may block is tried only
    /// if `try_calls`); if it can, `u` becomes current.
    fn look_at(&mut self, u: usize, try_calls: bool) -> Step {
        let Some(request) = self.vm.pending(u).cloned() else {
            if !self.vm.thread_lives(u) {
                return Step::Gone;
            }
            self.threads.current = u;
            return Step::Runs;
        };
        match self.attempt(u, &request, try_calls) {
            Attempt::Reply(reply) => {
                self.threads.current = u;
                self.resume_with_signals(reply, restartable(&request));
                Step::Runs
            }
            Attempt::Wait(wait) => Step::Waits(wait),
            Attempt::Ended => Step::Gone,
            Attempt::Restart(reply) => {
                self.threads = Threads::new();
                if let Some(reply) = reply {
                    self.resume_with_signals(reply, true);
                }
                Step::Runs
            }
        }
    }

    /// Tries thread `u`'s `request`.
    fn attempt(&mut self, u: usize, request: &Request, try_calls: bool) -> Attempt {
        match request.clone() {
            Request::ThreadCreate { start, arg } => self.thread_create(start, arg),
            Request::ThreadJoin { thread } => self.thread_join(u, thread),
            Request::ThreadExit { value } => {
                let task = self.threads.task(u);
                if task.exit.is_none() {
                    task.exit = Some(value);
                    self.threads.changed = true;
                }
                Attempt::Ended
            }
            Request::MutexLock { mutex, try_lock } => self.mutex_lock(u, mutex, try_lock),
            Request::MutexUnlock { mutex } => self.mutex_unlock(u, mutex),
            Request::CondWait { cond, mutex } => self.cond_wait(u, cond, mutex),
            Request::CondSignal { cond, all } => self.cond_signal(cond, all),
            Request::SemWait { sem, try_wait } => self.sem_wait(sem, try_wait),
            Request::SemPost { sem } => self.sem_post(sem),
            Request::SemGetvalue { sem } => self.sem_getvalue(sem),
            Request::SemOpen { name, flags, value } => {
                Attempt::Reply(self.sem_open(&name, flags, value))
            }
            Request::SemClose { sem } => Attempt::Reply(self.unmap(sem)),
            Request::SemUnlink { name } => Attempt::Reply(self.sem_unlink(&name)),
            Request::Memory { .. } => Attempt::Reply(Reply::Value(Value::ZERO)),
            Request::Sleep { micros } => self.thread_sleep(u, micros),
            request => self.try_call(u, request, try_calls),
        }
    }

    /// `pthread_create`: a new thread running `start(arg)`, ready; its id is the answer.
    /// `EAGAIN` past [`MAX_THREADS`], `EINVAL` if `start` is not a function.
    fn thread_create(&mut self, start: Value, arg: Value) -> Attempt {
        if self.vm.threads() >= MAX_THREADS {
            return Attempt::Reply(Reply::Error(Errno::EAGAIN as i32));
        }
        let Some(t) = self.vm.spawn_thread(start, arg) else {
            return Attempt::Reply(Reply::Error(Errno::EINVAL as i32));
        };
        self.threads.task(t);
        self.report(&Record::Thread);
        Attempt::Reply(Reply::Value(Value::Int(thread_id(t))))
    }

    /// `pthread_join(thread)` by thread `u`: the thread's exit value once it terminated.
    /// `ESRCH` no such thread, `EDEADLK` the caller itself, `EINVAL` joined already.
    fn thread_join(&mut self, u: usize, thread: i64) -> Attempt {
        let known = self.threads.tasks.len().max(1);
        let Some(target) = usize::try_from(thread - 1).ok().filter(|&t| t < known) else {
            return Attempt::Reply(Reply::Error(Errno::ESRCH as i32));
        };
        if target == u {
            return Attempt::Reply(Reply::Error(Errno::EDEADLK as i32));
        }
        let task = self.threads.task(target);
        match task.exit {
            _ if task.joined => Attempt::Reply(Reply::Error(Errno::EINVAL as i32)),
            Some(value) => {
                task.joined = true;
                Attempt::Reply(Reply::Value(value))
            }
            None => Attempt::Wait(Wait::Own(format!(
                "pthread_join() of thread {}",
                target + 1
            ))),
        }
    }

    /// `sleep` by thread `u` of a process with threads: the thread waits, the others run.
    fn thread_sleep(&mut self, u: usize, micros: u64) -> Attempt {
        let scale = self.link.sleep_scale;
        let task = self.threads.task(u);
        let until = *task.sleep_until.get_or_insert_with(|| {
            Instant::now() + Duration::from_secs_f64(micros as f64 * scale / 1e6)
        });
        if Instant::now() < until {
            return Attempt::Wait(Wait::Sleep(until));
        }
        task.sleep_until = None;
        Attempt::Reply(Reply::Value(Value::ZERO))
    }
}
