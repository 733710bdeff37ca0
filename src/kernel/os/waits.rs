//! What each process of the run is blocked on, in memory shared by the whole run
//! (`MAP_SHARED`, like the process budget): a process writes its slot before a call that may
//! block and clears it after, so the supervisor can tell a deadlock — every live process
//! blocked in such a call, none of them with an alarm pending — from a slow run, and name
//! what each one waits for as the simulator does.

use crate::kernel::sim::Block;
use crate::vm::Request;
use nix::sys::mman::{mmap_anonymous, munmap, MapFlags, ProtFlags};
use std::num::NonZeroUsize;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicI64, Ordering};

/// Most slots: processes past it are never called deadlocked (their slot is missing).
const MAX_SLOTS: usize = 1 << 16;

/// What a blocked process waits for, in the terms of the simulator's `Block`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Waiting {
    /// `waitpid(pid)` (`pid <= 0`: any child).
    Wait { pid: i64 },
    /// `read(fd)` (a pipe, a FIFO or a socket: the supervisor looks).
    Read { fd: i64 },
    /// `write(fd)`.
    Write { fd: i64 },
    /// `open` of a FIFO, which will return `fd`.
    Open { fd: i64, write: bool },
    /// `msgsnd(msqid)` to a full queue.
    Msgsnd { msqid: i64 },
    /// `msgrcv(msqid, mtype)`.
    Msgrcv { msqid: i64, mtype: i64 },
    /// `pause()`.
    Pause,
    /// `accept(fd)`.
    Accept { fd: i64 },
    /// `connect(fd)`.
    Connect { fd: i64 },
    /// `send` to mailbox `mailbox`: full, or a rendezvous waiting for its receiver.
    MailboxSend { mailbox: i64, rendezvous: bool },
    /// `receive` from empty mailbox `mailbox`.
    MailboxReceive { mailbox: i64 },
    /// `receive(pid, &m)` by direct naming.
    ReceiveFrom { pid: i64 },
    /// What the process's last `Blocked` record says (its threads, a mutex, a semaphore).
    Recorded,
}

impl Waiting {
    /// What `request` would wait for if it blocks; `None` for calls that never block for
    /// another process (or that say not to: `WNOHANG`, `IPC_NOWAIT`). A sleep is not
    /// listed: time ends it.
    pub fn of(request: &Request) -> Option<Waiting> {
        Some(match *request {
            Request::Wait { pid, options } if options & libc::WNOHANG == 0 => Waiting::Wait { pid },
            Request::Read { fd, .. } => Waiting::Read { fd: fd.into() },
            Request::Write { fd, .. } => Waiting::Write { fd: fd.into() },
            Request::Open { flags, .. } => Waiting::Open {
                fd: -1,
                write: flags & libc::O_ACCMODE == libc::O_WRONLY,
            },
            Request::Msgsnd { msqid, flags, .. } if flags & libc::IPC_NOWAIT == 0 => {
                Waiting::Msgsnd {
                    msqid: msqid.into(),
                }
            }
            Request::Msgrcv {
                msqid,
                mtype,
                flags,
                ..
            } if flags & libc::IPC_NOWAIT == 0 => Waiting::Msgrcv {
                msqid: msqid.into(),
                mtype,
            },
            Request::Pause => Waiting::Pause,
            Request::Accept { fd } => Waiting::Accept { fd: fd.into() },
            Request::Connect { fd, .. } => Waiting::Connect { fd: fd.into() },
            _ => return None,
        })
    }

    fn encode(self) -> [i64; 3] {
        match self {
            Waiting::Wait { pid } => [1, pid, 0],
            Waiting::Read { fd } => [2, fd, 0],
            Waiting::Write { fd } => [3, fd, 0],
            Waiting::Open { fd, write } => [4, fd, i64::from(write)],
            Waiting::Msgsnd { msqid } => [5, msqid, 0],
            Waiting::Msgrcv { msqid, mtype } => [6, msqid, mtype],
            Waiting::Pause => [7, 0, 0],
            Waiting::Accept { fd } => [8, fd, 0],
            Waiting::Connect { fd } => [9, fd, 0],
            Waiting::Recorded => [10, 0, 0],
            Waiting::MailboxSend {
                mailbox,
                rendezvous,
            } => [11, mailbox, i64::from(rendezvous)],
            Waiting::MailboxReceive { mailbox } => [12, mailbox, 0],
            Waiting::ReceiveFrom { pid } => [13, pid, 0],
        }
    }

    fn decode([kind, a, b]: [i64; 3]) -> Option<Waiting> {
        Some(match kind {
            1 => Waiting::Wait { pid: a },
            2 => Waiting::Read { fd: a },
            3 => Waiting::Write { fd: a },
            4 => Waiting::Open {
                fd: a,
                write: b != 0,
            },
            5 => Waiting::Msgsnd { msqid: a },
            6 => Waiting::Msgrcv { msqid: a, mtype: b },
            7 => Waiting::Pause,
            8 => Waiting::Accept { fd: a },
            9 => Waiting::Connect { fd: a },
            10 => Waiting::Recorded,
            11 => Waiting::MailboxSend {
                mailbox: a,
                rendezvous: b != 0,
            },
            12 => Waiting::MailboxReceive { mailbox: a },
            13 => Waiting::ReceiveFrom { pid: a },
            _ => return None,
        })
    }
}

/// One process's slot: its pid, what it waits for, when its alarm rings.
#[repr(C)]
struct Slot {
    pid: AtomicI64,
    waiting: [AtomicI64; 3],
    /// `CLOCK_MONOTONIC` microseconds when its pending alarm rings; 0 for none.
    alarm: AtomicI64,
}

/// The run's table of slots, one per process (indexed by its process budget ticket).
#[derive(Debug)]
pub struct Waits {
    slots: NonNull<Slot>,
    len: usize,
}

impl Waits {
    /// A table for `processes` processes. Must be made before the first `fork`.
    ///
    /// # Errors
    /// The `mmap(2)` error.
    pub fn new(processes: u64) -> nix::Result<Waits> {
        let len = (processes as usize).clamp(1, MAX_SLOTS);
        let bytes = NonZeroUsize::new(len * size_of::<Slot>()).expect("non-zero size");
        // SAFETY: a fresh anonymous mapping at an address the kernel picks aliases no Rust
        // object; it is page-aligned, and zero-filled, which is a valid array of atomics.
        let page = unsafe {
            mmap_anonymous(
                None,
                bytes,
                ProtFlags::PROT_READ | ProtFlags::PROT_WRITE,
                MapFlags::MAP_SHARED,
            )?
        };
        Ok(Waits {
            slots: page.cast(),
            len,
        })
    }

    fn slot(&self, i: usize) -> Option<&Slot> {
        // SAFETY: `slots` points to `len` slots in the mapping made in `new`, which lives
        // until `drop`; every process touches them only through atomic operations.
        (i < self.len).then(|| unsafe { &*self.slots.as_ptr().add(i) })
    }

    /// Process `pid`, in slot `i`, is about to make a call that may wait for `waiting`.
    pub fn set(&self, i: usize, pid: i64, waiting: Waiting) {
        if let Some(slot) = self.slot(i) {
            for (cell, value) in slot.waiting.iter().zip(waiting.encode()) {
                cell.store(value, Ordering::SeqCst);
            }
            slot.pid.store(pid, Ordering::SeqCst);
        }
    }

    /// The call of the process in slot `i` returned.
    pub fn clear(&self, i: usize) {
        if let Some(slot) = self.slot(i) {
            slot.pid.store(0, Ordering::SeqCst);
        }
    }

    /// The process in slot `i` set an alarm that rings at `at` (monotonic microseconds; 0
    /// cancels it).
    pub fn alarm(&self, i: usize, at: i64) {
        if let Some(slot) = self.slot(i) {
            slot.alarm.store(at, Ordering::SeqCst);
        }
    }

    /// Every process now in a call that may wait for another process, with what it waits
    /// for.
    pub fn snapshot(&self) -> rustc_hash::FxHashMap<i64, Waiting> {
        (0..self.len)
            .filter_map(|i| {
                let slot = self.slot(i)?;
                let pid = slot.pid.load(Ordering::SeqCst);
                let cells = &slot.waiting;
                let waiting = Waiting::decode(cells.each_ref().map(|c| c.load(Ordering::SeqCst)));
                Some((pid, waiting?)).filter(|_| pid != 0)
            })
            .collect()
    }

    /// Whether some process has an alarm that has not rung yet.
    pub fn alarm_pending(&self) -> bool {
        let now = monotonic_micros();
        (0..self.len).any(|i| {
            self.slot(i)
                .is_some_and(|s| s.alarm.load(Ordering::SeqCst) > now)
        })
    }
}

impl Drop for Waits {
    fn drop(&mut self) {
        // SAFETY: the mapping was made in `new` with this length, and no reference to it
        // outlives `self`.
        let _ = unsafe { munmap(self.slots.cast(), self.len * size_of::<Slot>()) };
    }
}

/// `CLOCK_MONOTONIC` in microseconds: the same clock in every process of the run.
pub fn monotonic_micros() -> i64 {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `now` is a live local the call writes.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut now) };
    now.tv_sec * 1_000_000 + now.tv_nsec / 1000
}

impl Waiting {
    /// What process `pid` waits for, in the simulator's words ([`Block::phrase`]): a
    /// descriptor is a pipe or a socket as `/proc/<pid>/fd` says, a message queue is named
    /// by its place among the run's queues (`queue_index`), as the simulator numbers them.
    /// `None` for [`Waiting::Recorded`], which the process's records phrase.
    pub fn phrase(self, pid: i64, queue_index: impl Fn(i64) -> Option<usize>) -> Option<String> {
        let socket = |fd: i64| {
            std::fs::read_link(format!("/proc/{pid}/fd/{fd}"))
                .is_ok_and(|l| l.to_string_lossy().starts_with("socket:"))
        };
        let msqid = |id: i64| queue_index(id).map_or(id as i32, |i| i as i32);
        let block = match self {
            Waiting::Wait { pid } => Block::Wait { pid },
            Waiting::Read { fd } if socket(fd) => Block::Recv {
                socket: 0,
                fd: fd as i32,
            },
            Waiting::Read { fd } => Block::Read {
                pipe: 0,
                fd: fd as i32,
            },
            Waiting::Write { fd } if socket(fd) => Block::Send {
                socket: 0,
                fd: fd as i32,
            },
            Waiting::Write { fd } => Block::Write {
                pipe: 0,
                fd: fd as i32,
            },
            Waiting::Open { fd, write } => Block::OpenFifo {
                fifo: 0,
                fd: fd as i32,
                write,
            },
            Waiting::Msgsnd { msqid: id } => Block::Msgsnd { msqid: msqid(id) },
            Waiting::Msgrcv { msqid: id, mtype } => Block::Msgrcv {
                msqid: msqid(id),
                mtype,
            },
            Waiting::Pause => Block::Pause,
            Waiting::Accept { fd } => Block::Accept {
                socket: 0,
                fd: fd as i32,
            },
            Waiting::Connect { fd } => Block::Connect {
                socket: 0,
                fd: fd as i32,
            },
            Waiting::MailboxSend {
                mailbox,
                rendezvous,
            } => Block::MailboxSend {
                mailbox,
                rendezvous,
            },
            Waiting::MailboxReceive { mailbox } => Block::MailboxReceive { mailbox },
            Waiting::ReceiveFrom { pid } => Block::ReceiveFrom { pid },
            Waiting::Recorded => return None,
        };
        Some(block.phrase())
    }
}
