//! Condition variables in memory shared between processes: `pthread_cond_wait(3)` and
//! `pthread_cond_signal(3)` on a `pthread_cond_t` in a `MAP_SHARED` mapping or a System V
//! segment, whose waiters may be threads of any process. Its first eight bytes count tickets:
//! the low half the waits that began, the high half the wake-ups granted; a waiter with ticket
//! `t` is signalled once more than `t` were granted, so signals wake waiters in the order they
//! began to wait. The change count beside it (`sync`) is what they sleep on.

use super::process::Process;
use super::sync::{Word, COND_PHRASE};
use super::threads::{Attempt, Wait};
use std::sync::atomic::{AtomicI64, Ordering};

/// The tickets begun and granted of the count at `address`.
fn split(count: i64) -> (u32, u32) {
    (count as u32, (count >> 32) as u32)
}

fn join(begun: u32, granted: u32) -> i64 {
    i64::from(begun) | i64::from(granted) << 32
}

/// The count at `address`.
fn count(address: *const AtomicI64) -> &'static AtomicI64 {
    // SAFETY: `address` is the aligned word of a shared condition variable in a mapping of
    // this process (`Process::word`), which stays mapped while the scenario can use it;
    // other processes change it only atomically.
    unsafe { &*address }
}

impl Process<'_> {
    /// A new wait on the shared condition variable at `address`: its ticket.
    pub(super) fn take_ticket(&self, address: *const AtomicI64) -> u32 {
        let count = count(address);
        let mut seen = count.load(Ordering::SeqCst);
        loop {
            let (begun, granted) = split(seen);
            let next = join(begun.wrapping_add(1), granted);
            match count.compare_exchange(seen, next, Ordering::SeqCst, Ordering::SeqCst) {
                Ok(_) => return begun,
                Err(now) => seen = now,
            }
        }
    }

    /// Whether the wait with `ticket` on the shared condition variable `cond` was signalled;
    /// if not, what the thread waits for.
    pub(super) fn ticket_signalled(&self, cond: Word, ticket: u32) -> Result<(), Attempt> {
        let Word::Shared(address) = cond else {
            return Ok(());
        };
        let turn = self.turn(cond);
        let (_, granted) = split(count(address).load(Ordering::SeqCst));
        if granted.wrapping_sub(ticket) as i32 > 0 {
            return Ok(());
        }
        Err(Attempt::Wait(Wait::Shared {
            turns: super::sync::turns(address),
            seen: turn,
            phrase: COND_PHRASE.to_string(),
        }))
    }

    /// `pthread_cond_signal` (one more wake-up granted, if a wait has none) or
    /// `pthread_cond_broadcast` (every wait granted) of the shared condition variable at
    /// `address`; its waiters in every process are woken to look.
    pub(super) fn grant(&self, cond: Word, all: bool) {
        let Word::Shared(address) = cond else {
            return;
        };
        let count = count(address);
        let mut seen = count.load(Ordering::SeqCst);
        loop {
            let (begun, granted) = split(seen);
            if begun == granted {
                return;
            }
            let next = join(begun, if all { begun } else { granted.wrapping_add(1) });
            match count.compare_exchange(seen, next, Ordering::SeqCst, Ordering::SeqCst) {
                Ok(_) => break,
                Err(now) => seen = now,
            }
        }
        self.wake_word(cond);
    }
}
