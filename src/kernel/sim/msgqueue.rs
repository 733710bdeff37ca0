//! System V message queues (`msgget(2)`, `msgsnd(2)`, `msgrcv(2)`, `msgctl(2)`): typed
//! messages in a queue of bounded size in bytes, received by type.

use super::kernel::{Kernel, Step};
use super::pcb::Block;
use crate::errno::{E2BIG, EAGAIN, EEXIST, EIDRM, EINVAL, ENOENT, ENOMSG};
use crate::vm::{Reply, Value};
use std::collections::BTreeMap;
use std::collections::VecDeque;

/// `IPC_CREAT`.
pub const IPC_CREAT: i32 = 0o1000;
/// `IPC_EXCL`.
pub const IPC_EXCL: i32 = 0o2000;
/// `IPC_NOWAIT`: fail instead of blocking.
pub const IPC_NOWAIT: i32 = 0o4000;
/// `MSG_NOERROR`: truncate a long message instead of failing.
pub const MSG_NOERROR: i32 = 0o10000;
/// `IPC_RMID`.
pub const IPC_RMID: i32 = 0;
/// `MSGMAX`: the largest message text in bytes (Linux default).
pub const MSGMAX: usize = 8192;
/// `MSGMNB`: a new queue's capacity in bytes of text (Linux default).
pub const MSGMNB: usize = 16384;

/// One message queue.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct MsgQueue {
    /// The key it was created with (`IPC_PRIVATE` 0 for none).
    pub key: i64,
    /// Messages in the order sent: `(type, text)`.
    pub messages: VecDeque<(i64, Vec<u8>)>,
    /// Bytes of text queued.
    pub bytes: usize,
    /// Most bytes of text it holds (`msg_qbytes`).
    pub capacity: usize,
    /// Removed by `IPC_RMID`: the id is no longer valid.
    pub removed: bool,
    /// Processes blocked sending to or receiving from it (stale entries are skipped).
    pub waiting: Vec<u32>,
}

impl MsgQueue {
    /// The index of the message `msgrcv` with `msgtyp` takes: `0` the first, `> 0` the
    /// first of that type, `< 0` the first of the lowest type not above `|msgtyp|`.
    pub fn select(&self, msgtyp: i64) -> Option<usize> {
        let types = self.messages.iter().map(|(t, _)| *t);
        match msgtyp {
            0 => (!self.messages.is_empty()).then_some(0),
            t if t > 0 => types.clone().position(|m| m == t),
            t => {
                let limit = t.checked_neg().unwrap_or(i64::MAX);
                let lowest = types.clone().filter(|&m| m <= limit).min()?;
                types.clone().position(|m| m == lowest)
            }
        }
    }

    /// Whether `len` more bytes of text fit.
    pub fn has_room(&self, len: usize) -> bool {
        self.bytes + len <= self.capacity
    }
}

impl MsgQueues {
    /// Whether `msgsnd(msqid, msgp, len, msgflg)` of type `mtype` would block now, by the
    /// rules of [`Kernel::msgsnd`]: a valid message, no room, no `IPC_NOWAIT`.
    pub(super) fn msgsnd_blocks(&self, msqid: i32, mtype: i64, len: usize, flags: i32) -> bool {
        let Some(queue) = self.live(msqid) else {
            return false;
        };
        mtype >= 1 && len <= MSGMAX && !queue.has_room(len) && flags & IPC_NOWAIT == 0
    }

    /// Whether `msgrcv(msqid, msgp, len, msgtyp, msgflg)` would block now, by the rules of
    /// [`Kernel::msgrcv`]: no message `msgtyp` selects, no `IPC_NOWAIT`.
    pub(super) fn msgrcv_blocks(&self, msqid: i32, msgtyp: i64, flags: i32) -> bool {
        let Some(queue) = self.live(msqid) else {
            return false;
        };
        queue.select(msgtyp).is_none() && flags & IPC_NOWAIT == 0
    }

    /// Forgets every process waiting on a queue for which `waits` is false (the explorer's
    /// canonical form: entries that no wake-up would act on).
    pub(super) fn retain_waiting(&mut self, mut waits: impl FnMut(u32) -> bool) {
        for queue in &mut self.queues {
            queue.waiting.sort_unstable();
            queue.waiting.dedup();
            queue.waiting.retain(|&q| waits(q));
        }
    }

    fn live(&self, msqid: i32) -> Option<&MsgQueue> {
        let queue = self.queues.get(usize::try_from(msqid).ok()?)?;
        (!queue.removed).then_some(queue)
    }
}

/// Every message queue of the run; an id indexes `queues`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct MsgQueues {
    /// Queues by id (removed ones stay, marked).
    pub queues: Vec<MsgQueue>,
    keys: BTreeMap<i64, u32>,
}

impl MsgQueues {
    /// The live queue `msqid`.
    fn get(&mut self, msqid: i32) -> Option<&mut MsgQueue> {
        let queue = self.queues.get_mut(usize::try_from(msqid).ok()?)?;
        (!queue.removed).then_some(queue)
    }
}

fn ok(n: i64) -> Step {
    Step::Reply(Reply::Value(Value::Int(n)))
}

fn error(errno: i32) -> Step {
    Step::Reply(Reply::Error(errno))
}

impl Kernel<'_> {
    /// `msgget(key, msgflg)`: a new queue for `IPC_PRIVATE` or a new key with `IPC_CREAT`,
    /// else the key's queue.
    pub(super) fn msgget(&mut self, key: i64, flags: i32) -> Step {
        let queues = &mut self.ipc.queues;
        if key != 0 {
            match queues.keys.get(&key) {
                Some(_) if flags & IPC_CREAT != 0 && flags & IPC_EXCL != 0 => return error(EEXIST),
                Some(&id) => return ok(id.into()),
                None if flags & IPC_CREAT == 0 => return error(ENOENT),
                None => {}
            }
        }
        let id = queues.queues.len() as u32;
        queues.queues.push(MsgQueue {
            key,
            capacity: MSGMNB,
            ..MsgQueue::default()
        });
        if key != 0 {
            queues.keys.insert(key, id);
        }
        ok(id.into())
    }

    /// `msgsnd`: appends the message, blocking (or `EAGAIN` with `IPC_NOWAIT`) while the
    /// queue lacks room for its text.
    pub(super) fn msgsnd(
        &mut self,
        p: u32,
        msqid: i32,
        mtype: i64,
        data: &[u8],
        flags: i32,
    ) -> Step {
        let Some(queue) = self.ipc.queues.get(msqid) else {
            return error(EINVAL);
        };
        if mtype < 1 || data.len() > MSGMAX {
            return error(EINVAL);
        }
        if !queue.has_room(data.len()) {
            if flags & IPC_NOWAIT != 0 {
                return error(EAGAIN);
            }
            queue.waiting.push(p);
            return Step::Blocked(Block::Msgsnd { msqid });
        }
        queue.bytes += data.len();
        queue.messages.push_back((mtype, data.to_vec()));
        self.wake_queue(msqid);
        ok(0)
    }

    /// `msgrcv`: takes the message `msgtyp` selects; its type (8 bytes) and text are the
    /// reply. Blocks (or `ENOMSG` with `IPC_NOWAIT`) while there is none.
    pub(super) fn msgrcv(
        &mut self,
        p: u32,
        msqid: i32,
        len: usize,
        msgtyp: i64,
        flags: i32,
    ) -> Step {
        let Some(queue) = self.ipc.queues.get(msqid) else {
            return error(EINVAL);
        };
        let Some(i) = queue.select(msgtyp) else {
            if flags & IPC_NOWAIT != 0 {
                return error(ENOMSG);
            }
            queue.waiting.push(p);
            return Step::Blocked(Block::Msgrcv {
                msqid,
                mtype: msgtyp,
            });
        };
        if queue.messages[i].1.len() > len && flags & MSG_NOERROR == 0 {
            return error(E2BIG);
        }
        let (mtype, mut text) = queue.messages.remove(i).expect("selected index exists");
        queue.bytes -= text.len();
        text.truncate(len);
        let mut data = mtype.to_le_bytes().to_vec();
        data.extend_from_slice(&text);
        self.wake_queue(msqid);
        Step::Reply(Reply::Data(data))
    }

    /// `msgctl(msqid, cmd, buf)`: `IPC_RMID` removes the queue at once, failing every
    /// waiting call with `EIDRM`; other commands succeed without touching `buf`.
    pub(super) fn msgctl(&mut self, msqid: i32, cmd: i32) -> Step {
        let Some(queue) = self.ipc.queues.get(msqid) else {
            return error(EINVAL);
        };
        if cmd != IPC_RMID {
            return ok(0);
        }
        queue.removed = true;
        queue.messages.clear();
        queue.bytes = 0;
        let (key, waiting) = (queue.key, std::mem::take(&mut queue.waiting));
        if key != 0 {
            self.ipc.queues.keys.remove(&key);
        }
        for q in waiting {
            if self.waits_on_queue(q, msqid) {
                self.table.live(q).resume(Reply::Error(EIDRM));
                self.wake(q);
            }
        }
        ok(0)
    }

    /// Wakes every process waiting on queue `msqid`: each tries its call again.
    fn wake_queue(&mut self, msqid: i32) {
        let queue = &mut self.ipc.queues.queues[msqid as usize];
        for q in std::mem::take(&mut queue.waiting) {
            if self.waits_on_queue(q, msqid) {
                self.wake(q);
            }
        }
    }

    fn waits_on_queue(&self, q: u32, msqid: i32) -> bool {
        let block = self.table.get(q).live.as_ref().and_then(|l| l.block);
        matches!(block, Some(Block::Msgsnd { msqid: m } | Block::Msgrcv { msqid: m, .. }) if m == msqid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// `msgrcv(2)` read literally: the type a receive with `msgtyp` takes from `types`.
    fn reference(types: &[i64], msgtyp: i64) -> Option<usize> {
        if msgtyp == 0 {
            return if types.is_empty() { None } else { Some(0) };
        }
        if msgtyp > 0 {
            return types.iter().position(|&t| t == msgtyp);
        }
        let mut best: Option<usize> = None;
        for (i, &t) in types.iter().enumerate() {
            if t <= msgtyp.unsigned_abs() as i64 && best.is_none_or(|b| t < types[b]) {
                best = Some(i);
            }
        }
        best
    }

    proptest! {
        #[test]
        fn selection_matches_the_reference(
            types in proptest::collection::vec(1i64..6, 0..12),
            msgtyp in -7i64..7,
        ) {
            prop_assert_eq!(queue(&types).select(msgtyp), reference(&types, msgtyp));
        }

        #[test]
        fn every_message_is_received_once_in_order_per_type(
            types in proptest::collection::vec(1i64..4, 0..12),
            picks in proptest::collection::vec(-4i64..4, 0..20),
        ) {
            let mut q = queue(&[]);
            for (i, &t) in types.iter().enumerate() {
                q.messages.push_back((t, vec![i as u8]));
            }
            let mut seen = Vec::new();
            for msgtyp in picks.into_iter().chain(std::iter::repeat_n(0, types.len())) {
                if let Some(i) = q.select(msgtyp) {
                    seen.push(q.messages.remove(i).unwrap().1[0]);
                }
            }
            prop_assert!(q.messages.is_empty());
            let mut sorted = seen.clone();
            sorted.sort_unstable();
            prop_assert_eq!(sorted, (0..types.len() as u8).collect::<Vec<_>>());
            for t in 1..4 {
                let of_type: Vec<u8> = seen.iter().copied().filter(|&i| types[i as usize] == t).collect();
                prop_assert!(of_type.windows(2).all(|w| w[0] < w[1]), "type {} out of order", t);
            }
        }
    }

    fn queue(types: &[i64]) -> MsgQueue {
        MsgQueue {
            messages: types.iter().map(|&t| (t, vec![t as u8])).collect(),
            capacity: MSGMNB,
            ..MsgQueue::default()
        }
    }

    #[test]
    fn type_zero_takes_the_first_message() {
        assert_eq!(queue(&[3, 1, 2]).select(0), Some(0));
        assert_eq!(queue(&[]).select(0), None);
    }

    #[test]
    fn a_positive_type_takes_the_first_of_that_type() {
        let q = queue(&[3, 1, 2, 1]);
        assert_eq!(q.select(1), Some(1));
        assert_eq!(q.select(2), Some(2));
        assert_eq!(q.select(4), None);
    }

    #[test]
    fn a_negative_type_takes_the_lowest_type_up_to_its_magnitude() {
        assert_eq!(queue(&[3, 2, 5, 2]).select(-2), Some(1));
        let q = queue(&[3, 2, 5, 2, 1]);
        assert_eq!(q.select(-2), Some(4));
        assert_eq!(q.select(-4), Some(4));
        assert_eq!(queue(&[3, 5]).select(-2), None);
        assert_eq!(queue(&[3, 5]).select(i64::MIN), Some(0));
    }

    #[test]
    fn blocking_follows_msgsnd_and_msgrcv() {
        let mut queues = MsgQueues::default();
        queues.queues.push(queue(&[2]));
        queues.queues[0].bytes = MSGMNB - 1;
        assert!(queues.msgsnd_blocks(0, 1, 2, 0));
        assert!(!queues.msgsnd_blocks(0, 1, 1, 0));
        assert!(!queues.msgsnd_blocks(0, 1, 2, IPC_NOWAIT), "EAGAIN instead");
        assert!(!queues.msgsnd_blocks(0, 0, 2, 0), "EINVAL instead");
        assert!(!queues.msgrcv_blocks(0, 2, 0));
        assert!(queues.msgrcv_blocks(0, 1, 0));
        assert!(!queues.msgrcv_blocks(0, 1, IPC_NOWAIT), "ENOMSG instead");
        assert!(!queues.msgrcv_blocks(1, 1, 0), "EINVAL instead");
        queues.queues[0].removed = true;
        assert!(!queues.msgrcv_blocks(0, 1, 0), "EINVAL instead");
    }

    #[test]
    fn room_is_counted_in_bytes_of_text() {
        let mut q = queue(&[]);
        q.bytes = MSGMNB - 10;
        assert!(q.has_room(10));
        assert!(!q.has_room(11));
    }
}
