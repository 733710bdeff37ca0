//! Condition variables: `pthread_cond_wait(3)`, `pthread_cond_signal(3)` and
//! `pthread_cond_broadcast(3)`. A waiting thread goes through the phases of [`CondWait`]:
//! it releases the mutex and waits (one visible action), is signalled, then takes the mutex
//! again (a second one) and returns.

use super::kernel::{Kernel, Step};
use super::pcb::Block;
use super::sync::SyncAt;
use super::thread::{CondWait, Task};
use crate::errno::{EINVAL, EPERM};
use crate::vm::{Reply, Value};

impl Kernel<'_> {
    /// `pthread_cond_wait(cond, mutex)` by `p`'s current thread, in its present phase.
    pub(super) fn cond_wait(&mut self, p: u32, cond: Value, mutex: Value) -> Step {
        let (Some(at), Some(mutex_at)) = (self.sync_at(p, cond), self.sync_at(p, mutex)) else {
            return Step::Reply(Reply::Error(EINVAL));
        };
        let threads = &mut self.table.live(p).threads;
        if threads.tasks.is_empty() {
            threads.tasks.push(Task::default());
        }
        let me = threads.current as usize;
        match threads.tasks[me].cond {
            None => {
                if self.word(p, mutex) != self.owner_word(p) {
                    return Step::Reply(Reply::Error(EPERM));
                }
                self.set_word(p, mutex, 0);
                self.wake_sync(p, mutex_at);
                self.table.live(p).threads.tasks[me].cond = Some(CondWait::Waiting(at));
                Step::PerformedThenBlocked(Block::Cond { at })
            }
            Some(CondWait::Waiting(_)) => Step::Blocked(Block::Cond { at }),
            Some(CondWait::Signalled) => match self.word(p, mutex) {
                0 => {
                    let owner = self.owner_word(p);
                    self.set_word(p, mutex, owner);
                    self.table.live(p).threads.tasks[me].cond = None;
                    Step::Reply(Reply::Value(Value::ZERO))
                }
                owner => Step::Blocked(Block::Mutex {
                    at: mutex_at,
                    owner,
                }),
            },
        }
    }

    /// `pthread_cond_signal` (`all: false`: the waiting thread created first) or
    /// `pthread_cond_broadcast` (every waiting thread): they go on to take their mutex.
    pub(super) fn cond_signal(&mut self, p: u32, cond: Value, all: bool) -> Step {
        let Some(at) = self.sync_at(p, cond) else {
            return Step::Reply(Reply::Error(EINVAL));
        };
        let processes = match at {
            SyncAt::Private { .. } => p..p + 1,
            SyncAt::Shared { .. } => 0..self.table.pcbs.len() as u32,
        };
        for q in processes {
            let Some(live) = self.table.get_mut(q).live.as_deref_mut() else {
                continue;
            };
            let waiting: Vec<u32> = (live.threads.tasks.iter().enumerate())
                .filter(|(_, t)| t.cond == Some(CondWait::Waiting(at)))
                .map(|(u, _)| u as u32)
                .take(if all { usize::MAX } else { 1 })
                .collect();
            for u in waiting {
                self.table.live(q).threads.tasks[u as usize].cond = Some(CondWait::Signalled);
                self.wake_thread(q, u);
                if !all {
                    return Step::Reply(Reply::Value(Value::ZERO));
                }
            }
        }
        Step::Reply(Reply::Value(Value::ZERO))
    }
}
