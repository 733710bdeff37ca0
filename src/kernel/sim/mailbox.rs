//! The textbook's mailboxes (indirect message passing, no POSIX name): `mailbox(capacity)`
//! with capacity 0 (rendezvous: a sender waits until its message is received), `n`
//! (bounded: a sender waits while `n` messages are queued) or `-1` (unbounded);
//! `send`/`receive` block, `try_send`/`try_receive` fail with `EAGAIN` instead.

use super::kernel::{Kernel, Step};
use super::pcb::Block;
use crate::errno::{EAGAIN, EINVAL, ESRCH};
use crate::vm::{Reply, Value};
use std::collections::VecDeque;

/// One mailbox.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Mailbox {
    /// Most messages queued; `None` unbounded, `Some(0)` rendezvous.
    pub capacity: Option<usize>,
    /// Messages in the order sent, each with the sender still waiting for it to be
    /// received (rendezvous only).
    pub messages: VecDeque<(i64, Option<u32>)>,
    /// Processes blocked on it (stale entries are skipped).
    pub waiting: Vec<u32>,
}

impl Mailbox {
    /// Whether a buffered (non-rendezvous) message fits now.
    pub fn has_room(&self) -> bool {
        self.capacity.is_none_or(|n| self.messages.len() < n)
    }

    /// Whether `send` (`wait`) or `try_send` would block now, by the rules of
    /// [`Kernel::mailbox_send`]: only a blocking send to a full buffered mailbox retries
    /// later (a rendezvous `send` is performed at once and then waits for its receiver).
    pub(super) fn send_blocks(&self, wait: bool) -> bool {
        wait && self.capacity != Some(0) && !self.has_room()
    }

    /// Whether `receive` (`wait`) would block now: the mailbox is empty.
    pub(super) fn receive_blocks(&self, wait: bool) -> bool {
        wait && self.messages.is_empty()
    }
}

/// Forgets every process waiting on a mailbox for which `waits` is false (the explorer's
/// canonical form: entries that no wake-up would act on).
pub(super) fn retain_waiting(mailboxes: &mut [Mailbox], mut waits: impl FnMut(u32) -> bool) {
    for mailbox in mailboxes {
        mailbox.waiting.sort_unstable();
        mailbox.waiting.dedup();
        mailbox.waiting.retain(|&q| waits(q));
    }
}

/// Mailbox `id` (1, 2, …) of `mailboxes`, if it exists.
pub(super) fn find(mailboxes: &[Mailbox], id: i64) -> Option<&Mailbox> {
    mailboxes.get(usize::try_from(id).ok()?.checked_sub(1)?)
}

/// Whether `receive(Q, &m)` by process `p` from the process with pid `sender` would block
/// now, by the rules of [`Kernel::receive_from_process`]: no message from `sender` waits in
/// `direct` (the messages sent by direct naming).
pub(super) fn receive_from_blocks(
    direct: &[(u32, i64, i64)],
    p: u32,
    sender: i64,
    wait: bool,
) -> bool {
    wait && !direct.iter().any(|&(r, s, _)| r == p && s == sender)
}

impl Kernel<'_> {
    /// `mailbox(capacity)`: a new mailbox; its id (1, 2, …) is the reply.
    pub(super) fn mailbox(&mut self, capacity: i64) -> Step {
        let capacity = match capacity {
            -1 => None,
            n if n >= 0 => Some(n as usize),
            _ => return Step::Reply(Reply::Error(EINVAL)),
        };
        self.ipc.mailboxes.push(Mailbox {
            capacity,
            ..Mailbox::default()
        });
        let id = self.ipc.mailboxes.len() as i64;
        Step::Reply(Reply::Value(Value::Int(id)))
    }

    fn mailbox_index(&self, id: i64) -> Option<usize> {
        let i = usize::try_from(id).ok()?.checked_sub(1)?;
        (i < self.ipc.mailboxes.len()).then_some(i)
    }

    /// `send(box, msg)` / `try_send(box, msg)`.
    pub(super) fn mailbox_send(&mut self, p: u32, id: i64, message: i64, wait: bool) -> Step {
        let Some(i) = self.mailbox_index(id) else {
            return Step::Reply(Reply::Error(EINVAL));
        };
        let rendezvous = self.ipc.mailboxes[i].capacity == Some(0);
        let receiver_waiting = self.mailbox_receivers(i) > 0;
        let mailbox = &mut self.ipc.mailboxes[i];
        if rendezvous && wait {
            mailbox.messages.push_back((message, Some(p)));
            self.wake_mailbox(i);
            return Step::PerformedThenBlocked(Block::MailboxSend {
                mailbox: id,
                rendezvous,
            });
        }
        let fits = if rendezvous {
            receiver_waiting && mailbox.messages.is_empty()
        } else {
            mailbox.has_room()
        };
        if !fits {
            if !wait {
                return Step::Reply(Reply::Error(EAGAIN));
            }
            mailbox.waiting.push(p);
            return Step::Blocked(Block::MailboxSend {
                mailbox: id,
                rendezvous,
            });
        }
        mailbox.messages.push_back((message, None));
        self.wake_mailbox(i);
        Step::Reply(Reply::Value(Value::ZERO))
    }

    /// `receive(box, &msg)` / `try_receive(box, &msg)`: the message is the reply; a
    /// rendezvous sender's `send` returns now.
    pub(super) fn mailbox_receive(&mut self, p: u32, id: i64, wait: bool) -> Step {
        let Some(i) = self.mailbox_index(id) else {
            return Step::Reply(Reply::Error(EINVAL));
        };
        let mailbox = &mut self.ipc.mailboxes[i];
        let Some((message, sender)) = mailbox.messages.pop_front() else {
            if !wait {
                return Step::Reply(Reply::Error(EAGAIN));
            }
            mailbox.waiting.push(p);
            return Step::Blocked(Block::MailboxReceive { mailbox: id });
        };
        if let Some(s) = sender {
            if self.table.get(s).live.is_some() {
                self.table.live(s).resume(Reply::Value(Value::ZERO));
                self.wake(s);
            }
        }
        self.wake_mailbox(i);
        Step::Reply(Reply::Value(Value::Int(message)))
    }

    /// `send(P, msg)` by direct naming: the message waits for `P`'s `receive` from the
    /// sender; a process's messages are unbounded, so this never waits.
    pub(super) fn send_to_process(&mut self, p: u32, pid: i64, message: i64) -> Step {
        let receiver = self.table.index_of(pid);
        let Some(r) = receiver.filter(|&r| self.table.get(r).live.is_some()) else {
            return Step::Reply(Reply::Error(ESRCH));
        };
        let sender = self.table.pid(p);
        self.ipc.direct.push((r, sender, message));
        let block = self.table.get(r).live.as_ref().and_then(|l| l.block);
        if block == Some(Block::ReceiveFrom { pid: sender }) {
            self.wake(r);
        }
        Step::Reply(Reply::Value(Value::ZERO))
    }

    /// `receive(Q, &msg)` by direct naming: the oldest message from `Q` to the caller.
    pub(super) fn receive_from_process(&mut self, p: u32, pid: i64, wait: bool) -> Step {
        let found = self
            .ipc
            .direct
            .iter()
            .position(|&(r, s, _)| r == p && s == pid);
        match found {
            Some(i) => {
                let (_, _, message) = self.ipc.direct.remove(i);
                Step::Reply(Reply::Value(Value::Int(message)))
            }
            None if wait => Step::Blocked(Block::ReceiveFrom { pid }),
            None => Step::Reply(Reply::Error(EAGAIN)),
        }
    }

    /// How many processes wait in `receive` on mailbox `i`.
    fn mailbox_receivers(&self, i: usize) -> usize {
        let id = i as i64 + 1;
        let mailbox = &self.ipc.mailboxes[i];
        mailbox
            .waiting
            .iter()
            .filter(|&&q| {
                let block = self.table.get(q).live.as_ref().and_then(|l| l.block);
                block == Some(Block::MailboxReceive { mailbox: id })
            })
            .count()
    }

    /// Wakes the processes blocked on mailbox `i` (senders to a full mailbox, receivers):
    /// each tries its call again. Rendezvous senders are not in the list: the receiver of
    /// their message completes their `send`.
    fn wake_mailbox(&mut self, i: usize) {
        let id = i as i64 + 1;
        for q in std::mem::take(&mut self.ipc.mailboxes[i].waiting) {
            let block = self.table.get(q).live.as_ref().and_then(|l| l.block);
            if let Some(Block::MailboxSend { mailbox, .. } | Block::MailboxReceive { mailbox }) =
                block
            {
                if mailbox == id {
                    self.wake(q);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mailbox(capacity: Option<usize>, messages: usize) -> Mailbox {
        Mailbox {
            capacity,
            messages: (0..messages as i64).map(|m| (m, None)).collect(),
            waiting: Vec::new(),
        }
    }

    #[test]
    fn only_a_blocking_send_to_a_full_buffered_mailbox_retries() {
        assert!(mailbox(Some(2), 2).send_blocks(true));
        assert!(!mailbox(Some(2), 1).send_blocks(true));
        assert!(!mailbox(Some(2), 2).send_blocks(false), "EAGAIN instead");
        assert!(!mailbox(None, 100).send_blocks(true));
        assert!(
            !mailbox(Some(0), 1).send_blocks(true),
            "performed, then waits"
        );
    }

    #[test]
    fn a_blocking_receive_waits_while_empty() {
        assert!(mailbox(None, 0).receive_blocks(true));
        assert!(!mailbox(None, 0).receive_blocks(false));
        assert!(!mailbox(Some(0), 1).receive_blocks(true));
        let direct = [(1, 1000, 7)];
        assert!(!receive_from_blocks(&direct, 1, 1000, true));
        assert!(receive_from_blocks(&direct, 1, 1001, true));
        assert!(receive_from_blocks(&direct, 2, 1000, true));
        assert!(find(&[mailbox(None, 0)], 1).is_some());
        assert!(find(&[mailbox(None, 0)], 0).is_none());
    }
}
