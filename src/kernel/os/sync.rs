//! Mutexes, condition variables and semaphores on the real kernel: `pthread_mutex_lock(3)`,
//! `pthread_mutex_unlock(3)`, `pthread_cond_wait(3)`, `pthread_cond_signal(3)`,
//! `sem_wait(3)`, `sem_post(3)`, `sem_getvalue(3)`.
//!
//! As in the simulator, each object's state is a word at the start of its `pthread_mutex_t`
//! or `sem_t` (0 for an unlocked mutex, `pid << 16 | thread id` of its owner; a semaphore's
//! value). In the process's own memory only its threads touch it, and the interpreter runs
//! them one at a time. In memory shared with other processes (`MAP_SHARED`, a System V
//! segment, a named semaphore) it is the real word at its real address, changed with atomic
//! instructions, so other processes see it; next to it (bytes 8 to 11 of the object, unused
//! otherwise) a count of its changes is what waiters sleep on with `futex(2)`: a waiter
//! reads the count before the word, so a change in between makes its wait return at once.

use super::process::Process;
use super::threads::{Attempt, CondPhase, Wait};
use crate::outcome::Outcome;
use crate::vm::{thread_id, Reply, Value};
use nix::errno::Errno;
use std::sync::atomic::{AtomicI64, AtomicU32, Ordering};
use std::time::Duration;

/// `SEM_VALUE_MAX`.
const SEM_VALUE_MAX: i64 = i32::MAX as i64;

/// What the simulator says of a thread blocked in `sem_wait`.
pub const SEM_PHRASE: &str = "sem_wait() on a semaphore whose value is 0";
/// What the simulator says of a thread blocked in `pthread_cond_wait`.
pub const COND_PHRASE: &str = "pthread_cond_wait() until the condition is signalled";

/// Where a synchronisation object's state word is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Word {
    /// In the process's own memory, at this pointer of the VM.
    Private(Value),
    /// In memory shared with other processes: the word's real address (8-byte aligned, in
    /// a mapping of this process, with the count of its changes right after it).
    Shared(*const AtomicI64),
}

impl Word {
    /// The object's identity within this process (for condition variables' waiters).
    pub fn key(self) -> u64 {
        match self {
            Word::Private(Value::Ptr(p)) => u64::from(p.region.0) << 32 | u64::from(p.offset),
            Word::Private(_) => 0,
            Word::Shared(address) => address as u64 | 1 << 63,
        }
    }
}

fn ok() -> Attempt {
    Attempt::Reply(Reply::Value(Value::ZERO))
}

fn error(errno: Errno) -> Attempt {
    Attempt::Reply(Reply::Error(errno as i32))
}

impl Process<'_> {
    /// Where the object `at` points to keeps its word; `None` for a bad pointer (or a
    /// shared word not 8-byte aligned, which `futex(2)` could not wait on).
    pub(super) fn word(&mut self, at: Value) -> Option<Word> {
        if let Some((object, offset)) = self.vm.shared_location(&at) {
            let address = self.mappings.address(object, offset, 12)?;
            return (address as usize)
                .is_multiple_of(8)
                .then_some(Word::Shared(address.cast()));
        }
        self.vm.sync_word(&at, &mut self.mappings)?;
        Some(Word::Private(at))
    }

    /// The word's value now.
    pub(super) fn load(&mut self, word: Word) -> i64 {
        match word {
            Word::Private(at) => self.vm.sync_word(&at, &mut self.mappings).unwrap_or(0),
            // SAFETY: the address is in a mapping of this process (`Process::word`), which
            // stays mapped while the scenario holds a pointer into it; other processes
            // change it only atomically.
            Word::Shared(address) => unsafe { &*address }.load(Ordering::SeqCst),
        }
    }

    /// Sets the word to `new` if it holds `old`; whether it did.
    fn compare_set(&mut self, word: Word, old: i64, new: i64) -> bool {
        match word {
            Word::Private(at) => {
                self.load(word) == old && self.vm.set_sync_word(&at, new, &mut self.mappings)
            }
            // SAFETY: as in `load`.
            Word::Shared(address) => unsafe { &*address }
                .compare_exchange(old, new, Ordering::SeqCst, Ordering::SeqCst)
                .is_ok(),
        }
    }

    /// The count of the word's changes (0 for a private word, which no other process
    /// changes).
    pub(super) fn turn(&self, word: Word) -> u32 {
        match word {
            Word::Private(_) => 0,
            // SAFETY: as in `load`.
            Word::Shared(address) => unsafe { &*turns(address) }.load(Ordering::SeqCst),
        }
    }

    /// Counts a change of the word and wakes whoever waits for it in another process.
    pub(super) fn wake_word(&self, word: Word) {
        if let Word::Shared(address) = word {
            let turns = turns(address);
            // SAFETY: as in `load`.
            unsafe { &*turns }.fetch_add(1, Ordering::SeqCst);
            futex(turns, libc::FUTEX_WAKE, i32::MAX, None);
        }
    }

    /// The owner word of thread `t`.
    fn owner(&self, t: usize) -> i64 {
        self.pid << 16 | thread_id(t)
    }

    /// What a thread waiting for a mutex held by `owner` waits for, in the simulator's
    /// words.
    fn mutex_phrase(&self, owner: i64) -> String {
        let (pid, thread) = (owner >> 16, owner & 0xffff);
        if pid == self.pid {
            format!("pthread_mutex_lock() of a mutex held by thread {thread}")
        } else {
            format!("pthread_mutex_lock() of a mutex held by thread {thread} of process {pid}")
        }
    }

    /// The wait for `word`, whose change count was `turn` before it was read.
    fn wait_for(&self, word: Word, turn: u32, phrase: String) -> Attempt {
        Attempt::Wait(match word {
            Word::Private(_) => Wait::Own(phrase),
            Word::Shared(address) => Wait::Shared {
                turns: turns(address),
                seen: turn,
                phrase,
            },
        })
    }

    /// `pthread_mutex_lock` by thread `t` (`trylock`: `EBUSY` instead of waiting). A relock
    /// by the owner waits forever, as glibc's default mutex does.
    pub(super) fn mutex_lock(&mut self, t: usize, mutex: Value, trylock: bool) -> Attempt {
        let Some(word) = self.word(mutex) else {
            return error(Errno::EINVAL);
        };
        loop {
            let turn = self.turn(word);
            let owner = self.load(word);
            if owner == 0 {
                if self.compare_set(word, 0, self.owner(t)) {
                    return ok();
                }
                continue;
            }
            if trylock {
                return error(Errno::EBUSY);
            }
            return self.wait_for(word, turn, self.mutex_phrase(owner));
        }
    }

    /// `pthread_mutex_unlock` by thread `t`: `EPERM` unless `t` holds the mutex.
    pub(super) fn mutex_unlock(&mut self, t: usize, mutex: Value) -> Attempt {
        let Some(word) = self.word(mutex) else {
            return error(Errno::EINVAL);
        };
        if !self.compare_set(word, self.owner(t), 0) {
            return error(Errno::EPERM);
        }
        self.wake_word(word);
        ok()
    }

    /// `sem_wait` (`trywait`: `EAGAIN` instead of waiting): decrements a positive value.
    pub(super) fn sem_wait(&mut self, sem: Value, trywait: bool) -> Attempt {
        let Some(word) = self.word(sem) else {
            return error(Errno::EINVAL);
        };
        loop {
            let turn = self.turn(word);
            let value = self.load(word);
            if value > 0 {
                if self.compare_set(word, value, value - 1) {
                    return ok();
                }
                continue;
            }
            if trywait {
                return error(Errno::EAGAIN);
            }
            return self.wait_for(word, turn, SEM_PHRASE.to_string());
        }
    }

    /// `sem_post`: increments the value and wakes the waiters of other processes.
    pub(super) fn sem_post(&mut self, sem: Value) -> Attempt {
        let Some(word) = self.word(sem) else {
            return error(Errno::EINVAL);
        };
        loop {
            let value = self.load(word);
            if value >= SEM_VALUE_MAX {
                return error(Errno::EOVERFLOW);
            }
            if self.compare_set(word, value, value + 1) {
                self.wake_word(word);
                return ok();
            }
        }
    }

    /// `sem_getvalue`: the value, which the VM stores.
    pub(super) fn sem_getvalue(&mut self, sem: Value) -> Attempt {
        match self.word(sem) {
            Some(word) => Attempt::Reply(Reply::Value(Value::Int(self.load(word)))),
            None => error(Errno::EINVAL),
        }
    }

    /// `pthread_cond_wait(cond, mutex)` by thread `t`, in its present phase: it releases
    /// the mutex and waits; once signalled it takes the mutex again and returns.
    pub(super) fn cond_wait(&mut self, t: usize, cond: Value, mutex: Value) -> Attempt {
        let (Some(at), Some(lock)) = (self.word(cond), self.word(mutex)) else {
            return error(Errno::EINVAL);
        };
        match self.threads.task(t).cond {
            None => {
                if self.load(lock) != self.owner(t) {
                    return error(Errno::EPERM);
                }
                let phase = match at {
                    Word::Private(_) => CondPhase::Waiting(at.key()),
                    Word::Shared(address) => CondPhase::Ticket(self.take_ticket(address)),
                };
                self.compare_set(lock, self.owner(t), 0);
                self.wake_word(lock);
                self.threads.task(t).cond = Some(phase);
                self.threads.changed = true;
                self.cond_wait(t, cond, mutex)
            }
            Some(CondPhase::Waiting(_)) => Attempt::Wait(Wait::Own(COND_PHRASE.to_string())),
            Some(CondPhase::Ticket(ticket)) => match self.ticket_signalled(at, ticket) {
                Ok(()) => {
                    self.threads.task(t).cond = Some(CondPhase::Signalled);
                    self.cond_wait(t, cond, mutex)
                }
                Err(wait) => wait,
            },
            Some(CondPhase::Signalled) => match self.mutex_lock(t, mutex, false) {
                Attempt::Reply(reply) => {
                    self.threads.task(t).cond = None;
                    Attempt::Reply(reply)
                }
                wait => wait,
            },
        }
    }

    /// `pthread_cond_signal` (`all: false`: the waiting thread created first; in shared
    /// memory, the one that began to wait first) or `pthread_cond_broadcast` (every waiting
    /// thread): they go on to take their mutex.
    pub(super) fn cond_signal(&mut self, cond: Value, all: bool) -> Attempt {
        let Some(at) = self.word(cond) else {
            return error(Errno::EINVAL);
        };
        if let Word::Shared(_) = at {
            self.grant(at, all);
            return ok();
        }
        let waiting = Some(CondPhase::Waiting(at.key()));
        let tasks = self.threads.tasks_mut().iter_mut();
        let woken = tasks.filter(|task| task.cond == waiting);
        for task in woken.take(if all { usize::MAX } else { 1 }) {
            task.cond = Some(CondPhase::Signalled);
        }
        ok()
    }
}

/// Names the owners of shared mutexes in what the processes of `outcome` are blocked on by
/// their tree names, as the simulator does (`held by thread 1 of main.1`): a process knows
/// only the owner's pid.
pub fn name_mutex_owners(outcome: &mut Outcome) {
    let names: Vec<(String, String)> = (outcome.processes.iter())
        .map(|p| (format!(" of process {}", p.pid), format!(" of {}", p.name)))
        .collect();
    for process in &mut outcome.processes {
        if let Some(blocked) = process.blocked_on.as_mut() {
            for (pid, name) in &names {
                *blocked = replace_number(blocked, pid, name);
            }
        }
    }
}

/// `text` with every `from` (which ends in a number) not followed by another digit made
/// `to`.
fn replace_number(text: &str, from: &str, to: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(from) {
        out.push_str(&rest[..at]);
        rest = &rest[at + from.len()..];
        let longer = rest.starts_with(|c: char| c.is_ascii_digit());
        out.push_str(if longer { from } else { to });
    }
    out.push_str(rest);
    out
}

/// The change count of the shared word at `address`: the four bytes after it.
pub fn turns(address: *const AtomicI64) -> *const AtomicU32 {
    address.wrapping_add(1).cast()
}

/// Waits until the change count at `turns` is no longer `seen`, or a wake-up, a signal, or
/// `timeout`.
pub fn wait_shared(turns: *const AtomicU32, seen: u32, timeout: Duration) {
    futex(turns, libc::FUTEX_WAIT, seen as i32, Some(timeout));
}

/// `futex(2)` on the 32-bit word at `address`.
fn futex(address: *const AtomicU32, op: libc::c_int, value: i32, timeout: Option<Duration>) {
    let time = timeout.map(|d| libc::timespec {
        tv_sec: d.as_secs() as libc::time_t,
        tv_nsec: libc::c_long::from(d.subsec_nanos() as i32),
    });
    let time_ptr = time
        .as_ref()
        .map_or(std::ptr::null(), |t| t as *const libc::timespec);
    // SAFETY: `address` is an aligned word in a mapping of this process; FUTEX_WAIT only
    // reads it and FUTEX_WAKE does not touch it; `time_ptr` is null or a live local.
    unsafe {
        libc::syscall(
            libc::SYS_futex,
            address,
            op,
            value,
            time_ptr,
            std::ptr::null::<u32>(),
            0,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::replace_number;

    #[test]
    fn an_owner_pid_becomes_its_name_only_as_a_whole_number() {
        let text = "thread 1: x held by thread 2 of process 42; thread 2: y of process 420";
        assert_eq!(
            replace_number(text, " of process 42", " of main.1"),
            "thread 1: x held by thread 2 of main.1; thread 2: y of process 420"
        );
    }
}
