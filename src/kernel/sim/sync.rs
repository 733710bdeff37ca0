//! Mutexes and semaphores: `pthread_mutex_lock(3)`, `pthread_mutex_unlock(3)`,
//! `sem_wait(3)`, `sem_post(3)`, `sem_getvalue(3)` and named semaphores (`sem_open(3)`,
//! `sem_close(3)`, `sem_unlink(3)`).
//!
//! The state of each object lives where C puts it, in its `pthread_mutex_t` or `sem_t`
//! (read and written through the VM), so `fork` copies it and shared memory shares it: a
//! mutex's word is 0 when unlocked and `pid << 16 | thread id` of its owner when locked, a
//! semaphore's word is its value. The kernel keeps only who waits.

use super::kernel::{Kernel, Step};
use super::pcb::Block;
use crate::errno::{EAGAIN, EEXIST, EINVAL, ENOENT, EPERM};
use crate::vm::{thread_id, Reply, Request, Value};

/// `O_CREAT`.
const O_CREAT: i32 = 0o100;
/// `O_EXCL`.
const O_EXCL: i32 = 0o200;
/// `sizeof(sem_t)` on x86-64 glibc.
const SEM_SIZE: usize = 32;
/// `SEM_VALUE_MAX`.
const SEM_VALUE_MAX: i64 = i32::MAX as i64;

/// Where a mutex or semaphore lives, which says who can wake its waiters: the threads of
/// one process for its own memory, every process mapping the object for shared memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SyncAt {
    /// In the process's own memory: the VM's object and offset.
    Private {
        /// The VM's object id.
        region: u32,
        /// Byte offset.
        offset: u32,
    },
    /// In a shared memory object (a segment, a mapping, a named semaphore).
    Shared {
        /// The kernel's object id.
        object: u32,
        /// Byte offset.
        offset: u32,
    },
}

fn ok(v: i64) -> Step {
    Step::Reply(Reply::Value(Value::Int(v)))
}

fn error(errno: i32) -> Step {
    Step::Reply(Reply::Error(errno))
}

/// The name `sem_open` uses: leading slashes are not part of it, as glibc strips them.
fn sem_name(name: &[u8]) -> Vec<u8> {
    let start = name.iter().position(|&b| b != b'/').unwrap_or(name.len());
    name[start..].to_vec()
}

impl Kernel<'_> {
    /// Performs a thread, mutex or semaphore request of process `p`'s current thread.
    pub(super) fn perform_sync(&mut self, p: u32, request: &Request) -> Step {
        match request {
            Request::ThreadCreate { start, arg } => self.pthread_create(p, *start, *arg),
            Request::ThreadJoin { thread } => self.pthread_join(p, *thread),
            Request::ThreadExit { value } => self.pthread_exit(p, *value),
            Request::MutexLock { mutex, try_lock } => self.mutex_lock(p, *mutex, *try_lock),
            Request::MutexUnlock { mutex } => self.mutex_unlock(p, *mutex),
            Request::SemWait { sem, try_wait } => self.sem_wait(p, *sem, *try_wait),
            Request::SemPost { sem } => self.sem_post(p, *sem),
            Request::SemGetvalue { sem } => self.sem_getvalue(p, *sem),
            Request::SemOpen { name, flags, value } => self.sem_open(p, name, *flags, *value),
            Request::SemClose { sem } => self.unmap(p, *sem),
            Request::SemUnlink { name } => self.sem_unlink(name),
            Request::CondWait { cond, mutex } => self.cond_wait(p, *cond, *mutex),
            Request::CondSignal { cond, all } => self.cond_signal(p, *cond, *all),
            _ => unreachable!("perform_sync is given thread and synchronisation requests only"),
        }
    }

    /// Where the object `at` points to lives, or `None` for a bad pointer.
    pub(super) fn sync_at(&mut self, p: u32, at: Value) -> Option<SyncAt> {
        let live = self.table.live(p);
        live.vm.sync_word(&at, &mut self.ipc.shm)?;
        if let Some((object, offset)) = live.vm.shared_location(&at) {
            return Some(SyncAt::Shared { object, offset });
        }
        match at {
            Value::Ptr(ptr) => Some(SyncAt::Private {
                region: ptr.region.0,
                offset: ptr.offset,
            }),
            _ => None,
        }
    }

    pub(super) fn word(&mut self, p: u32, at: Value) -> i64 {
        let live = self.table.live(p);
        (live.vm.sync_word(&at, &mut self.ipc.shm)).expect("checked by sync_at")
    }

    pub(super) fn set_word(&mut self, p: u32, at: Value, word: i64) {
        self.table
            .live(p)
            .vm
            .set_sync_word(&at, word, &mut self.ipc.shm);
    }

    /// The owner word of `p`'s current thread.
    pub(super) fn owner_word(&self, p: u32) -> i64 {
        let live = self
            .table
            .get(p)
            .live
            .as_deref()
            .expect("a running process");
        self.table.pid(p) << 16 | thread_id(live.thread())
    }

    /// `pthread_mutex_lock` (`trylock`: `EBUSY` instead of blocking). A relock by the owner
    /// blocks forever, as glibc's default mutex does.
    pub(super) fn mutex_lock(&mut self, p: u32, mutex: Value, trylock: bool) -> Step {
        let Some(at) = self.sync_at(p, mutex) else {
            return error(EINVAL);
        };
        let owner = self.word(p, mutex);
        if owner == 0 {
            let me = self.owner_word(p);
            self.set_word(p, mutex, me);
            return ok(0);
        }
        if trylock {
            return error(crate::errno::EBUSY);
        }
        Step::Blocked(Block::Mutex { at, owner })
    }

    /// `pthread_mutex_unlock`: `EPERM` unless the calling thread holds the mutex; wakes the
    /// threads waiting for it (they try again).
    pub(super) fn mutex_unlock(&mut self, p: u32, mutex: Value) -> Step {
        let Some(at) = self.sync_at(p, mutex) else {
            return error(EINVAL);
        };
        if self.word(p, mutex) != self.owner_word(p) {
            return error(EPERM);
        }
        self.set_word(p, mutex, 0);
        self.wake_sync(p, at);
        ok(0)
    }

    /// `sem_wait` (`trywait`: `EAGAIN` instead of blocking): decrements a positive value.
    pub(super) fn sem_wait(&mut self, p: u32, sem: Value, trywait: bool) -> Step {
        let Some(at) = self.sync_at(p, sem) else {
            return error(EINVAL);
        };
        let value = self.word(p, sem);
        if value > 0 {
            self.set_word(p, sem, value - 1);
            return ok(0);
        }
        if trywait {
            return error(EAGAIN);
        }
        Step::Blocked(Block::Semaphore { at })
    }

    /// `sem_post`: increments the value and wakes the threads waiting on it.
    pub(super) fn sem_post(&mut self, p: u32, sem: Value) -> Step {
        let Some(at) = self.sync_at(p, sem) else {
            return error(EINVAL);
        };
        let value = self.word(p, sem);
        if value >= SEM_VALUE_MAX {
            return error(crate::errno::EOVERFLOW);
        }
        self.set_word(p, sem, value + 1);
        self.wake_sync(p, at);
        ok(0)
    }

    /// `sem_getvalue`: the value, stored by the VM.
    pub(super) fn sem_getvalue(&mut self, p: u32, sem: Value) -> Step {
        if self.sync_at(p, sem).is_none() {
            return error(EINVAL);
        }
        ok(self.word(p, sem))
    }

    /// Wakes every thread waiting on the object at `at`: those of `p` for its own memory,
    /// those of every process for shared memory.
    pub(super) fn wake_sync(&mut self, p: u32, at: SyncAt) {
        let waits = move |block: Block| match block {
            Block::Mutex { at: a, .. } | Block::Semaphore { at: a } => a == at,
            _ => false,
        };
        match at {
            SyncAt::Private { .. } => self.wake_threads_of(p, waits),
            SyncAt::Shared { .. } => {
                for q in 0..self.table.pcbs.len() as u32 {
                    self.wake_threads_of(q, waits);
                }
            }
        }
    }

    /// `sem_open(name, oflag, mode, value)`: maps the named semaphore into `p` (created with
    /// `value` under `O_CREAT`; `EEXIST` with `O_EXCL` too, `ENOENT` without `O_CREAT`).
    pub(super) fn sem_open(&mut self, p: u32, name: &[u8], flags: i32, value: u32) -> Step {
        let name = sem_name(name);
        let object = match self.ipc.semaphores.get(&name).copied() {
            Some(_) if flags & O_CREAT != 0 && flags & O_EXCL != 0 => return error(EEXIST),
            Some(object) => object,
            None if flags & O_CREAT == 0 => return error(ENOENT),
            None if i64::from(value) > SEM_VALUE_MAX => return error(EINVAL),
            None => {
                let object = self.ipc.shm.create(SEM_SIZE);
                let bytes = &mut self.ipc.shm.objects[object as usize];
                bytes[..8].copy_from_slice(&i64::from(value).to_le_bytes());
                self.ipc.semaphores.insert(name, object);
                object
            }
        };
        let ptr = (self.table.live(p).vm).attach_shared(object, SEM_SIZE as u32);
        Step::Reply(Reply::Value(Value::Ptr(ptr)))
    }

    /// `sem_unlink(name)`: removes the name; semaphores open under it stay usable.
    pub(super) fn sem_unlink(&mut self, name: &[u8]) -> Step {
        match self.ipc.semaphores.remove(&sem_name(name)) {
            Some(_) => ok(0),
            None => error(ENOENT),
        }
    }

    /// Process `p` is due at `until` from a `sleep`: the sleeping thread (the process's, or
    /// one of its threads') returns 0 and goes on.
    pub(super) fn wake_sleeper(&mut self, p: u32, until: u64) {
        let Some(live) = self.table.get(p).live.as_deref() else {
            return;
        };
        let slept = Some(Block::Sleep { until });
        let thread = if live.block == slept {
            Some(live.thread())
        } else {
            (live.threads.tasks.iter()).position(|t| t.block == slept)
        };
        if let Some(u) = thread {
            let live = self.table.live(p);
            live.vm.resume(u, Reply::Value(Value::ZERO));
            self.wake_thread(p, u as u32);
        }
    }
}
