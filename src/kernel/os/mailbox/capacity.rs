//! A mailbox's capacity as its System V queue keeps it: the kind in the mode's group bits,
//! a bound in `msg_qbytes`.

use super::TEXT;

/// `msg_qbytes` asked for an unbounded queue (granted with `CAP_SYS_RESOURCE`; otherwise
/// the system's `MSGMNB` stays the limit).
pub(super) const UNBOUNDED_BYTES: u64 = 1 << 30;

/// What a mailbox holds before a sender waits, kept in the queue's mode (group bits).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Capacity {
    /// `UNBOUNDED` (-1).
    Unbounded,
    /// Capacity 0: a sender waits until its message is received.
    Rendezvous,
    /// At most this many messages (the queue's `msg_qbytes` is that many texts).
    Bounded(u64),
}

impl Capacity {
    /// The capacity `mailbox(capacity)` asks for; `None` below -1.
    pub(super) fn of(capacity: i64) -> Option<Capacity> {
        match capacity {
            -1 => Some(Capacity::Unbounded),
            0 => Some(Capacity::Rendezvous),
            n if n > 0 => Some(Capacity::Bounded(n as u64)),
            _ => None,
        }
    }

    /// The queue's permission bits: read and write for the owner, the kind in the group
    /// bits.
    pub(super) fn mode(self) -> i32 {
        let kind = match self {
            Capacity::Unbounded => 1,
            Capacity::Rendezvous => 2,
            Capacity::Bounded(_) => 3,
        };
        0o600 | kind << 3
    }

    /// The capacity of a queue with `mode` and `qbytes`, as [`Capacity::mode`] wrote it.
    pub(super) fn of_queue(mode: u16, qbytes: u64) -> Option<Capacity> {
        match (mode >> 3) & 0o7 {
            1 => Some(Capacity::Unbounded),
            2 => Some(Capacity::Rendezvous),
            3 => Some(Capacity::Bounded(qbytes / TEXT as u64)),
            _ => None,
        }
    }

    /// The `msg_qbytes` the queue is given, if not the system's default.
    pub(super) fn queue_bytes(self) -> Option<u64> {
        match self {
            Capacity::Unbounded => Some(UNBOUNDED_BYTES),
            Capacity::Rendezvous => None,
            Capacity::Bounded(n) => Some(n.saturating_mul(TEXT as u64)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_queue_gives_back_the_capacity_it_was_made_with() {
        for capacity in [-1, 0, 1, 2, 100] {
            let made = Capacity::of(capacity).unwrap();
            let bytes = made.queue_bytes().unwrap_or(16384);
            let back = Capacity::of_queue(made.mode() as u16, bytes);
            assert_eq!(back, Some(made), "capacity {capacity}");
        }
        assert_eq!(Capacity::of(-2), None);
        assert_eq!(Capacity::of_queue(0o600, 16384), None);
    }
}
