//! POSIX threads in one process's program state: `pthread_*` and `sem_*` calls turned into
//! requests, threads started and ended, and the state words of mutexes and semaphores that
//! live in their `pthread_mutex_t` / `sem_t` (so `fork` copies them and shared memory shares
//! them, as in C).

use super::call::{Flow, Outcome};
use super::interp::as_ptr;
use super::libc::int;
use super::memory::Fault;
use super::thread::{Job, OnReply, OnReturn, Thread};
use super::value::{Ptr, Value};
use super::{Env, Reply, Request, Vm};
use crate::calls::Call;
use crate::ir::Scalar;

/// The `pthread_t` of thread index `t`: the main thread is 1, the first created one 2.
pub fn thread_id(t: usize) -> i64 {
    t as i64 + 1
}

impl Vm {
    /// The request (or local result) of a thread, mutex, condition variable or semaphore
    /// call; `None` for other calls.
    pub(super) fn pthread_request(
        &mut self,
        t: usize,
        call: Call,
        args: &[Value],
        env: &mut dyn Env,
    ) -> Option<Result<Outcome, Fault>> {
        let request =
            |request: Request, on_reply: OnReply| Some(Ok(Outcome::Request(request, on_reply)));
        let number = OnReply::ErrorNumber;
        match call {
            Call::PthreadCreate => Some(self.pthread_create(args)),
            Call::PthreadJoin => Some(int(args, 0).map(|thread| {
                Outcome::Request(Request::ThreadJoin { thread }, OnReply::Join(args[1]))
            })),
            Call::PthreadExit => Some(Ok(self.pthread_exit(t, args[0]))),
            Call::PthreadSelf => Some(Ok(Outcome::Value(Value::Int(thread_id(t))))),
            Call::PthreadEqual => Some(Ok(Outcome::Value(Value::Int(i64::from(
                args[0] == args[1],
            ))))),
            Call::PthreadMutexInit => Some(self.init_word(args[0], 0, env)),
            Call::PthreadMutexDestroy
            | Call::SemDestroy
            | Call::PthreadDetach
            | Call::PthreadAttrInit
            | Call::PthreadAttrDestroy => Some(Ok(Outcome::Value(Value::ZERO))),
            Call::PthreadMutexLock | Call::PthreadMutexTrylock => request(
                Request::MutexLock {
                    mutex: args[0],
                    try_lock: call == Call::PthreadMutexTrylock,
                },
                number,
            ),
            Call::PthreadMutexUnlock => request(Request::MutexUnlock { mutex: args[0] }, number),
            Call::PthreadCondInit => Some(self.init_word(args[0], 0, env)),
            Call::PthreadCondDestroy => Some(Ok(Outcome::Value(Value::ZERO))),
            Call::PthreadCondWait => request(
                Request::CondWait {
                    cond: args[0],
                    mutex: args[1],
                },
                number,
            ),
            Call::PthreadCondSignal | Call::PthreadCondBroadcast => request(
                Request::CondSignal {
                    cond: args[0],
                    all: call == Call::PthreadCondBroadcast,
                },
                number,
            ),
            _ => self.sem_request(call, args, env),
        }
    }

    /// The request (or local result) of a semaphore call; `None` for other calls.
    fn sem_request(
        &mut self,
        call: Call,
        args: &[Value],
        env: &mut dyn Env,
    ) -> Option<Result<Outcome, Fault>> {
        let request = |request: Request| Some(Ok(Outcome::Request(request, OnReply::Return)));
        match call {
            Call::SemInit => Some(
                int(args, 2).and_then(|value| self.init_word(args[0], value as u32 as i64, env)),
            ),
            Call::SemWait | Call::SemTrywait => request(Request::SemWait {
                sem: args[0],
                try_wait: call == Call::SemTrywait,
            }),
            Call::SemPost => request(Request::SemPost { sem: args[0] }),
            Call::SemGetvalue => Some(as_ptr(args[1]).map(|sval| {
                Outcome::Request(
                    Request::SemGetvalue { sem: args[0] },
                    OnReply::Getvalue(sval),
                )
            })),
            Call::SemOpen => Some(self.string(args[0], env).and_then(|name| {
                Ok(Outcome::Request(
                    Request::SemOpen {
                        name,
                        flags: int(args, 1)? as i32,
                        value: int(args, 3)? as u32,
                    },
                    OnReply::ReturnPointer,
                ))
            })),
            Call::SemClose => request(Request::SemClose { sem: args[0] }),
            Call::SemUnlink => Some(
                self.string(args[0], env)
                    .map(|name| Outcome::Request(Request::SemUnlink { name }, OnReply::Return)),
            ),
            _ => None,
        }
    }

    /// `pthread_create(&thread, attr, start, arg)`: checks the pointers now, asks the kernel.
    fn pthread_create(&mut self, args: &[Value]) -> Result<Outcome, Fault> {
        let out = as_ptr(args[0])?;
        self.memory.check(&self.image.0, out, 8, true)?;
        self.callee(args[2])?;
        let request = Request::ThreadCreate {
            start: args[2],
            arg: args[3],
        };
        Ok(Outcome::Request(request, OnReply::ThreadCreate(out)))
    }

    /// `pthread_exit(value)` of thread `t`: the last live thread ends the process as
    /// `exit(0)` does (POSIX `pthread_exit(3)`), any other one asks the kernel.
    fn pthread_exit(&mut self, t: usize, value: Value) -> Outcome {
        if self.live_threads() == 1 {
            return Outcome::Exit(0);
        }
        self.discard_frames(t);
        Outcome::Request(Request::ThreadExit { value }, OnReply::Return)
    }

    /// A return from thread `t`'s start function: `pthread_exit(v)`.
    pub(super) fn thread_return(&mut self, t: usize, v: Value) -> Flow {
        match self.pthread_exit(t, v) {
            Outcome::Request(request, on_reply) => self.request(t, request, on_reply),
            _ => {
                self.exit_status = 0;
                self.threads[t].job = Job::Exiting;
                Flow::Next
            }
        }
    }

    /// Writes the state word of a mutex (unlocked) or semaphore (its value) and returns 0.
    fn init_word(&mut self, at: Value, word: i64, env: &mut dyn Env) -> Result<Outcome, Fault> {
        let ptr = as_ptr(at)?;
        (self.memory).store(&self.image.0, env, ptr, Scalar::I64, Value::Int(word))?;
        Ok(Outcome::Value(Value::ZERO))
    }

    /// Frees the frames of thread `t`, which ends: its locals are gone (a pointer to them
    /// that another thread kept faults, as a use after free).
    fn discard_frames(&mut self, t: usize) {
        let th = &mut self.threads[t];
        for frame in th.frames.drain(..).rev() {
            let slots = self.image.0.functions[frame.func.0 as usize].slots as usize;
            for object in &th.stack[frame.base as usize + slots..frame.operands as usize] {
                if let Value::Ptr(p) = object {
                    self.memory.free(p.region);
                }
            }
        }
        th.stack.clear();
    }

    /// Threads that have not terminated.
    pub fn live_threads(&self) -> usize {
        self.threads.iter().filter(|t| t.job != Job::Dead).count()
    }

    /// Whether thread `t` exists and has not terminated.
    pub fn thread_lives(&self, t: usize) -> bool {
        self.threads.get(t).is_some_and(|th| th.job != Job::Dead)
    }

    /// Starts a new thread running `start(arg)` (`pthread_create`, answered by the kernel);
    /// returns its index, or `None` if `start` is not a function or its frame does not fit.
    pub fn spawn_thread(&mut self, start: Value, arg: Value) -> Option<usize> {
        let f = self.callee(start).ok()?;
        let t = self.threads.len();
        let mut thread = Thread::new();
        thread.push(arg);
        self.threads.push(thread);
        if self.enter(t, f, 1, OnReturn::Thread).is_err() {
            self.threads.pop();
            return None;
        }
        Some(t)
    }

    /// After `fork` from thread `t`: the child keeps only that thread, as thread 0
    /// (POSIX `fork(2)`: the child is a copy of the calling thread only).
    pub fn keep_only_thread(&mut self, t: usize) {
        if self.threads.len() == 1 {
            return;
        }
        for other in (0..self.threads.len()).filter(|&u| u != t) {
            self.discard_frames(other);
        }
        let kept = self.threads.swap_remove(t);
        self.threads.clear();
        self.threads.push(kept);
    }

    /// The state word of the mutex or semaphore `at` points to (a `pthread_mutex_t *` or
    /// `sem_t *`): 0 for an unlocked mutex or the owner the kernel wrote, a semaphore's value.
    /// `None` if `at` is not a valid pointer to 8 bytes.
    pub fn sync_word(&self, at: &Value, env: &mut dyn Env) -> Option<i64> {
        let ptr = sync_ptr(at)?;
        let v = self
            .memory
            .load(&self.image.0, env, ptr, Scalar::I64)
            .ok()?;
        v.as_int()
    }

    /// Sets the state word at `at` (see [`Vm::sync_word`]); `false` if `at` is not valid.
    pub fn set_sync_word(&mut self, at: &Value, word: i64, env: &mut dyn Env) -> bool {
        let Some(ptr) = sync_ptr(at) else {
            return false;
        };
        let image = &self.image.0;
        (self.memory)
            .store(image, env, ptr, Scalar::I64, Value::Int(word))
            .is_ok()
    }

    /// Whether `at` points into shared memory (a semaphore in a segment or mapping, or a
    /// named one); its kernel object and offset if so.
    pub fn shared_location(&self, at: &Value) -> Option<(u32, u32)> {
        let ptr = sync_ptr(at)?;
        Some((self.memory.shared_object(ptr)?, ptr.offset))
    }

    /// Applies a reply to a thread or semaphore call; `None` for other `on_reply`s.
    pub(super) fn apply_pthread_reply(
        &mut self,
        on_reply: OnReply,
        reply: &Reply,
        env: &mut dyn Env,
    ) -> Option<Result<Value, Fault>> {
        let image = &self.image.0;
        let value = match (on_reply, reply) {
            (OnReply::ErrorNumber, Reply::Error(e)) => Ok(Value::Int(i64::from(*e))),
            (OnReply::ThreadCreate(_) | OnReply::Join(_), Reply::Error(e)) => {
                Ok(Value::Int(i64::from(*e)))
            }
            (OnReply::ThreadCreate(out), Reply::Value(id)) => (self.memory)
                .store(image, env, out, Scalar::I64, *id)
                .map(|()| Value::ZERO),
            (OnReply::Join(Value::Int(0)), Reply::Value(_)) => Ok(Value::ZERO),
            (OnReply::Join(out), Reply::Value(v)) => as_ptr(out)
                .and_then(|p| self.memory.store(image, env, p, Scalar::Ptr, *v))
                .map(|()| Value::ZERO),
            (OnReply::Getvalue(out), Reply::Value(v)) => (self.memory)
                .store(image, env, out, Scalar::I32, *v)
                .map(|()| Value::ZERO),
            _ => return None,
        };
        Some(value)
    }
}

/// The pointer to a sync object's state word.
fn sync_ptr(at: &Value) -> Option<Ptr> {
    match at {
        Value::Ptr(p) => Some(*p),
        _ => None,
    }
}
