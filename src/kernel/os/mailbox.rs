//! The textbook's mailboxes on the real kernel, as System V message queues: one queue per
//! mailbox, found by a key derived from the run and the mailbox id, and one per receiving
//! process for direct naming. The kernel enforces a bounded mailbox's capacity (its
//! `msg_qbytes` holds exactly `n` messages); a rendezvous sender waits for the receiver's
//! acknowledgement, a message of the sender's own type on the same queue.

mod capacity;
mod queue;

use super::containment::SysvKind;
use super::msgqueue::{post, take};
use super::process::Process;
use super::record::Record;
use super::waits::Waiting;
use crate::vm::{Reply, Request, Value};
use capacity::{Capacity, UNBOUNDED_BYTES};
use nix::errno::Errno;
use queue::{key, queue_stat, set_queue_bytes};

/// The type of every message in a mailbox; acknowledgements have larger types, so a
/// receiver asks for the first message of type at most this (`msgrcv(2)` with `-DATA`).
const DATA: i64 = 1;
/// The text of a mailbox message: the `long` sent, then the type of the acknowledgement
/// its sender waits for (0: none).
const TEXT: usize = 16;
/// The text of a message sent by direct naming: the `long` (its type is the sender's pid).
const DIRECT_TEXT: usize = 8;

impl Process<'_> {
    /// `mailbox(capacity)`: creates the run's next mailbox, whose id (1, 2, …) is the first
    /// whose key has no queue yet, and answers the id. `EINVAL` below -1.
    pub(super) fn mailbox(&mut self, capacity: i64) -> Reply {
        let Some(capacity) = Capacity::of(capacity) else {
            return Reply::Error(Errno::EINVAL as i32);
        };
        for id in 1.. {
            let key = key(self.link.supervisor, 0, id);
            let flags = libc::IPC_CREAT | libc::IPC_EXCL | capacity.mode();
            // SAFETY: msgget(2) takes plain integers.
            let msqid = unsafe { libc::msgget(key, flags) };
            if msqid < 0 && Errno::last() == Errno::EEXIST {
                continue;
            }
            if msqid < 0 {
                return Reply::Error(Errno::last() as i32);
            }
            self.report(&Record::Sysv {
                kind: SysvKind::Mailbox,
                id: msqid,
            });
            if let Some(bytes) = capacity.queue_bytes() {
                let set = set_queue_bytes(msqid, bytes);
                if set.is_err() && capacity != Capacity::Unbounded {
                    return Reply::Error(Errno::ENOMEM as i32);
                }
            }
            return Reply::Value(Value::Int(id));
        }
        unreachable!("mailbox ids are unbounded")
    }

    /// The queue and capacity of mailbox `id`; `EINVAL` if the run has no such mailbox.
    fn open_mailbox(&self, id: i64) -> Result<(i32, Capacity, u64), Errno> {
        if id < 1 {
            return Err(Errno::EINVAL);
        }
        // SAFETY: msgget(2) takes plain integers.
        let msqid = unsafe { libc::msgget(key(self.link.supervisor, 0, id), 0) };
        if msqid < 0 {
            return Err(Errno::EINVAL);
        }
        let stat = queue_stat(msqid)?;
        let capacity = Capacity::of_queue(stat.msg_perm.mode, stat.msg_qbytes);
        Ok((msqid, capacity.ok_or(Errno::EINVAL)?, stat.msg_qnum))
    }

    /// `send(box, msg)` (`wait`) or `try_send(box, msg)`: a full bounded mailbox makes
    /// `send` wait and `try_send` fail with `EAGAIN`; to a rendezvous mailbox `send` waits
    /// until its message is received, and `try_send` succeeds only while a receiver waits
    /// and nothing is queued.
    pub(super) fn mailbox_send(&mut self, id: i64, message: i64, wait: bool) -> Reply {
        let (msqid, capacity, queued) = match self.open_mailbox(id) {
            Ok(found) => found,
            Err(errno) => return Reply::Error(errno as i32),
        };
        let rendezvous = capacity == Capacity::Rendezvous;
        let result = match (rendezvous, wait) {
            (true, true) => self.send_and_wait(id, msqid, message),
            (true, false) if queued > 0 || !self.receiver_waits(id) => Err(Errno::EAGAIN),
            (false, true) => {
                let waiting = Waiting::MailboxSend {
                    mailbox: id,
                    rendezvous,
                };
                let text = mailbox_text(message, 0);
                self.waiting_in(waiting, |_| post(msqid, DATA, &text, 0))
            }
            (_, false) => post(msqid, DATA, &mailbox_text(message, 0), libc::IPC_NOWAIT),
        };
        reply(result.map(|()| 0))
    }

    /// A rendezvous `send`: the message names the type of its acknowledgement (the pid plus
    /// one, above [`DATA`]), then the sender waits for it. A caught signal does not end the
    /// wait; its handler runs once the call returns.
    fn send_and_wait(&mut self, id: i64, msqid: i32, message: i64) -> Result<(), Errno> {
        let ack = self.pid + 1;
        post(msqid, DATA, &mailbox_text(message, ack), 0)?;
        let waiting = Waiting::MailboxSend {
            mailbox: id,
            rendezvous: true,
        };
        self.waiting_in(waiting, |_| loop {
            match take(msqid, ack, 0, 0) {
                Err(Errno::EINTR) => continue,
                result => return result.map(|_| ()),
            }
        })
    }

    /// Whether some process of the run waits in `receive` on mailbox `id`.
    fn receiver_waits(&self, id: i64) -> bool {
        let receiving = Waiting::MailboxReceive { mailbox: id };
        self.link.waits.snapshot().values().any(|w| *w == receiving)
    }

    /// `receive(box, &msg)` (`wait`) or `try_receive(box, &msg)`: the oldest message,
    /// acknowledged if its sender waits for that; `EAGAIN` from `try_receive` on an empty
    /// mailbox.
    pub(super) fn mailbox_receive(&mut self, id: i64, wait: bool) -> Reply {
        let msqid = match self.open_mailbox(id) {
            Ok((msqid, ..)) => msqid,
            Err(errno) => return Reply::Error(errno as i32),
        };
        let text = if wait {
            let waiting = Waiting::MailboxReceive { mailbox: id };
            self.waiting_in(waiting, |_| take(msqid, -DATA, TEXT, 0))
        } else {
            take(msqid, -DATA, TEXT, libc::IPC_NOWAIT)
        };
        let text = match text {
            Ok((_, text)) => text,
            Err(errno) => return reply(Err(errno)),
        };
        let (message, ack) = (long_at(&text, 0), long_at(&text, 8));
        if ack > DATA {
            // The acknowledgement has no text; a rendezvous queue always has room for it.
            let _ = post(msqid, ack, &[], 0);
        }
        Reply::Value(Value::Int(message))
    }

    /// `send(P, msg)` by direct naming: the message goes to `P`'s queue with the sender's
    /// pid as its type; `ESRCH` if `P` has terminated.
    pub(super) fn send_to_process(&mut self, pid: i64, message: i64) -> Reply {
        if !alive(pid) {
            return Reply::Error(Errno::ESRCH as i32);
        }
        let result = self
            .process_queue(pid)
            .and_then(|msqid| post(msqid, self.pid, &message.to_ne_bytes(), 0));
        reply(result.map(|()| 0))
    }

    /// `receive(Q, &msg)` by direct naming: the oldest message `Q` sent to the caller;
    /// `try_receive` fails with `EAGAIN` when there is none.
    pub(super) fn receive_from_process(&mut self, pid: i64, wait: bool) -> Reply {
        let msqid = match self.process_queue(self.pid) {
            Ok(msqid) => msqid,
            Err(errno) => return Reply::Error(errno as i32),
        };
        let text = if wait {
            let waiting = Waiting::ReceiveFrom { pid };
            self.waiting_in(waiting, |_| take(msqid, pid, DIRECT_TEXT, 0))
        } else {
            take(msqid, pid, DIRECT_TEXT, libc::IPC_NOWAIT)
        };
        reply(text.map(|(_, text)| long_at(&text, 0)))
    }

    /// The queue of messages sent to process `pid` by direct naming, made by whichever of
    /// its senders or itself comes first.
    fn process_queue(&mut self, pid: i64) -> Result<i32, Errno> {
        let key = key(self.link.supervisor, 1, pid);
        // SAFETY: msgget(2) takes plain integers.
        let msqid = unsafe { libc::msgget(key, libc::IPC_CREAT | libc::IPC_EXCL | 0o600) };
        if msqid >= 0 {
            self.report(&Record::Sysv {
                kind: SysvKind::Mailbox,
                id: msqid,
            });
            let _ = set_queue_bytes(msqid, UNBOUNDED_BYTES);
            return Ok(msqid);
        }
        if Errno::last() != Errno::EEXIST {
            return Err(Errno::last());
        }
        // SAFETY: as above.
        let msqid = unsafe { libc::msgget(key, 0) };
        if msqid < 0 {
            return Err(Errno::last());
        }
        Ok(msqid)
    }

    /// A waiting `send` or `receive` (see [`waiting_of`]) of a thread, made only if it
    /// does not wait: the reply, `EAGAIN` when it would wait; `None` for a rendezvous
    /// `send`, which is made at once by the caller and waits there.
    pub(super) fn mailbox_without_waiting(&mut self, request: &Request) -> Option<Reply> {
        Some(match *request {
            Request::MailboxReceive {
                mailbox,
                direct: true,
                ..
            } => self.receive_from_process(mailbox, false),
            Request::MailboxReceive { mailbox, .. } => self.mailbox_receive(mailbox, false),
            Request::MailboxSend {
                mailbox, message, ..
            } => match self.open_mailbox(mailbox) {
                Ok((_, Capacity::Rendezvous, _)) => return None,
                Ok(_) => self.mailbox_send(mailbox, message, false),
                Err(errno) => Reply::Error(errno as i32),
            },
            _ => return None,
        })
    }

    /// Runs `call` with `waiting` in the process's slot, for the supervisor's deadlock
    /// detection and for senders looking for a receiver.
    fn waiting_in<T>(&mut self, waiting: Waiting, call: impl FnOnce(&mut Self) -> T) -> T {
        self.link.waits.set(self.slot, self.pid, waiting);
        let result = call(self);
        self.link.waits.clear(self.slot);
        result
    }
}

/// What a `send` or `receive` that may wait would wait for, as a thread of a process with
/// threads waits (a `send` that waits then is to a full bounded mailbox: a rendezvous one
/// is made at once); `None` for other calls and for those that never wait.
pub(super) fn waiting_of(request: &Request) -> Option<Waiting> {
    match *request {
        Request::MailboxSend {
            mailbox,
            wait: true,
            direct: false,
            ..
        } => Some(Waiting::MailboxSend {
            mailbox,
            rendezvous: false,
        }),
        Request::MailboxReceive {
            mailbox,
            wait: true,
            direct,
        } => Some(match direct {
            true => Waiting::ReceiveFrom { pid: mailbox },
            false => Waiting::MailboxReceive { mailbox },
        }),
        _ => None,
    }
}

/// A mailbox message's text.
fn mailbox_text(message: i64, ack: i64) -> [u8; TEXT] {
    let mut text = [0; TEXT];
    text[..8].copy_from_slice(&message.to_ne_bytes());
    text[8..].copy_from_slice(&ack.to_ne_bytes());
    text
}

/// The `long` at `offset` of `text` (0 past its end).
fn long_at(text: &[u8], offset: usize) -> i64 {
    (text.get(offset..offset + 8)).map_or(0, |b| i64::from_ne_bytes(b.try_into().expect("8 bytes")))
}

/// The answer to a call that gave `result`: `ENOMSG` (nothing to receive without waiting)
/// is the `EAGAIN` the simulator gives.
fn reply(result: Result<i64, Errno>) -> Reply {
    match result {
        Ok(value) => Reply::Value(Value::Int(value)),
        Err(Errno::ENOMSG) => Reply::Error(Errno::EAGAIN as i32),
        Err(errno) => Reply::Error(errno as i32),
    }
}

/// Whether `pid` is a live process (not a zombie).
fn alive(pid: i64) -> bool {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return false;
    };
    let state = stat
        .rfind(')')
        .and_then(|i| stat[i + 1..].trim_start().chars().next());
    !matches!(state, Some('Z' | 'X') | None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_keeps_its_value_and_acknowledgement_type() {
        let text = mailbox_text(-42, 1001);
        assert_eq!((long_at(&text, 0), long_at(&text, 8)), (-42, 1001));
        assert_eq!(long_at(&[], 0), 0);
    }
}
