//! The process table: one process control block (PCB) per process ever created, indexed by
//! creation order, and what a blocked process waits for.

use super::files::FdTable;
use super::shared::Shared;
use super::signal::Signals;
use super::sync::SyncAt;
use super::thread::Threads;
use crate::outcome::{ProcessRecord, ProcessState};
use crate::vm::Vm;
use std::collections::BTreeSet;
use std::hash::{Hash, Hasher};

/// Pid of init, which adopts orphans and reaps them as soon as they exit.
pub const INIT_PID: i64 = 1;

/// What a process in the Waiting state waits for (its wait queue).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Block {
    /// `waitpid(pid, …)`: `pid > 0` one child, otherwise any child.
    Wait {
        /// As the call gave it.
        pid: i64,
    },
    /// `read` from an empty pipe that still has a writer.
    Read {
        /// Pipe index.
        pipe: u32,
        /// The descriptor read.
        fd: i32,
    },
    /// `write` to a full pipe (or the rest of a large write).
    Write {
        /// Pipe index.
        pipe: u32,
        /// The descriptor written.
        fd: i32,
    },
    /// `sleep` until the virtual clock reaches `until` (microseconds).
    Sleep {
        /// Wake-up time in microseconds.
        until: u64,
    },
    /// `open` of a FIFO until the other end is opened (`fd` is already allocated).
    OpenFifo {
        /// FIFO index.
        fifo: u32,
        /// The descriptor `open` will return.
        fd: i32,
        /// Opening for writing (waits for a reader) or reading (waits for a writer).
        write: bool,
    },
    /// `msgsnd` to a message queue without room.
    Msgsnd {
        /// The queue id.
        msqid: i32,
    },
    /// `msgrcv` from a message queue with no message of the type asked for.
    Msgrcv {
        /// The queue id.
        msqid: i32,
        /// The `msgtyp` asked for.
        mtype: i64,
    },
    /// `pause` until a caught signal.
    Pause,
    /// `send` to a full mailbox, or (rendezvous) until the message is received.
    MailboxSend {
        /// The mailbox id.
        mailbox: i64,
        /// Whether the mailbox has capacity 0.
        rendezvous: bool,
    },
    /// `receive` from an empty mailbox.
    MailboxReceive {
        /// The mailbox id.
        mailbox: i64,
    },
    /// `receive(Q, &m)` (direct naming) with no message from `Q` yet.
    ReceiveFrom {
        /// The sender's pid.
        pid: i64,
    },
    /// `accept` on a listening socket with no connection waiting.
    Accept {
        /// The listening socket.
        socket: u32,
        /// The descriptor.
        fd: i32,
    },
    /// `connect` to a listening socket whose backlog is full.
    Connect {
        /// The listening socket.
        socket: u32,
        /// The connecting descriptor.
        fd: i32,
    },
    /// `recv`/`read` on a socket with nothing to read.
    Recv {
        /// The socket.
        socket: u32,
        /// The descriptor.
        fd: i32,
    },
    /// `pthread_join` of a thread that has not terminated.
    Join {
        /// The awaited thread's index in its process (its `pthread_t` is one more).
        thread: u32,
    },
    /// `pthread_mutex_lock` of a mutex another thread holds.
    Mutex {
        /// Where the mutex is.
        at: SyncAt,
        /// Its owner when the wait began: `pid << 16 | thread id`.
        owner: i64,
    },
    /// `pthread_cond_wait` until the condition variable is signalled.
    Cond {
        /// Where the condition variable is.
        at: SyncAt,
    },
    /// `sem_wait` on a semaphore whose value is 0.
    Semaphore {
        /// Where the semaphore is.
        at: SyncAt,
    },
    /// `send`/`write` while the receiving buffer is full.
    Send {
        /// The socket whose room is awaited (the sender's own for a stream, the
        /// destination for a datagram).
        socket: u32,
        /// The descriptor.
        fd: i32,
    },
}

impl Block {
    /// Whether a caught signal with `SA_RESTART` makes the call again (a slow call of
    /// `signal(7)`), and without it fails the call with `EINTR`.
    pub fn restartable(self) -> bool {
        matches!(
            self,
            Block::Wait { .. }
                | Block::Read { .. }
                | Block::Write { .. }
                | Block::Accept { .. }
                | Block::Connect { .. }
                | Block::Recv { .. }
                | Block::Send { .. }
                | Block::MailboxSend {
                    rendezvous: false,
                    ..
                }
        )
    }

    /// The human phrase reports show for a blocked process (`wait() for a child`).
    pub fn phrase(self) -> String {
        match self {
            Block::Wait { pid } if pid > 0 => format!("waitpid() for child {pid}"),
            Block::Wait { .. } => "wait() for a child".to_string(),
            Block::Read { fd, .. } => format!("read() from an empty pipe (fd {fd})"),
            Block::Write { fd, .. } => format!("write() to a full pipe (fd {fd})"),
            Block::Sleep { until } => format!("sleep until t={}", format_micros(until)),
            Block::OpenFifo {
                fd, write: true, ..
            } => {
                format!("open() of a FIFO for writing, until a reader opens it (fd {fd})")
            }
            Block::OpenFifo { fd, .. } => {
                format!("open() of a FIFO for reading, until a writer opens it (fd {fd})")
            }
            Block::Msgsnd { msqid } => format!("msgsnd() to full message queue {msqid}"),
            Block::Msgrcv { msqid, mtype: 0 } => {
                format!("msgrcv() from empty message queue {msqid}")
            }
            Block::Msgrcv { msqid, mtype } => {
                format!("msgrcv() of type {mtype} from message queue {msqid}")
            }
            Block::Pause => "pause() for a signal".to_string(),
            Block::MailboxSend {
                mailbox,
                rendezvous: true,
            } => format!("send() to mailbox {mailbox} until a receiver takes the message"),
            Block::MailboxSend { mailbox, .. } => format!("send() to full mailbox {mailbox}"),
            Block::MailboxReceive { mailbox } => {
                format!("receive() from empty mailbox {mailbox}")
            }
            Block::ReceiveFrom { pid } => format!("receive() of a message from process {pid}"),
            Block::Accept { fd, .. } => format!("accept() of a connection (fd {fd})"),
            Block::Connect { fd, .. } => {
                format!("connect() to a socket whose backlog is full (fd {fd})")
            }
            Block::Recv { fd, .. } => format!("recv() from a socket with no data (fd {fd})"),
            Block::Send { fd, .. } => format!("send() to a socket with a full buffer (fd {fd})"),
            Block::Join { thread } => format!("pthread_join() of thread {}", thread + 1),
            Block::Mutex { owner, .. } => format!(
                "pthread_mutex_lock() of a mutex held by thread {} of process {}",
                owner & 0xffff,
                owner >> 16
            ),
            Block::Semaphore { .. } => "sem_wait() on a semaphore whose value is 0".to_string(),
            Block::Cond { .. } => {
                "pthread_cond_wait() until the condition is signalled".to_string()
            }
        }
    }
}

/// `1s`, `250ms`, `17us`: the shortest exact unit for a virtual time.
pub fn format_micros(micros: u64) -> String {
    if micros.is_multiple_of(1_000_000) {
        format!("{}s", micros / 1_000_000)
    } else if micros.is_multiple_of(1_000) {
        format!("{}ms", micros / 1_000)
    } else {
        format!("{micros}us")
    }
}

/// What only a process that has not terminated needs; dropped at exit so that a table of a
/// million finished processes holds no program state.
///
/// Its hash leaves out which processes its children and zombies are (their number is in),
/// so that it does not change when the explorer renumbers them ([`super::symmetry`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Live {
    /// The program state.
    pub vm: Vm,
    /// Its file descriptors.
    pub fds: FdTable,
    /// Indexes of every child it created or adopted (some may have been reaped since).
    pub children: Vec<u32>,
    /// Children that exited and wait to be reaped, lowest index (oldest) first, as Linux's
    /// `wait` scans its children list.
    pub zombies: BTreeSet<u32>,
    /// Children that have not terminated yet.
    pub live_children: u32,
    /// Children created by `fork` (numbers their tree names).
    pub forks: u32,
    /// Bytes of the pending large `write` already in the pipe.
    pub written: usize,
    /// Explorer only: the process was answered at a shared-memory access and runs on (doing
    /// the access) only when next scheduled, as in a run.
    pub deferred: bool,
    /// What it waits for while Waiting.
    pub block: Option<Block>,
    /// Signal dispositions, pending signals and the alarm.
    pub signals: Signals,
    /// Its threads, once it created one.
    pub threads: Threads,
}

impl Hash for Live {
    fn hash<H: Hasher>(&self, state: &mut H) {
        let Live {
            vm,
            fds,
            children,
            zombies,
            live_children,
            forks,
            written,
            deferred,
            block,
            signals,
            threads,
        } = self;
        (vm, fds, children.len(), zombies.len(), live_children, forks).hash(state);
        (written, deferred, block, signals, threads).hash(state);
    }
}

impl Live {
    /// Fresh state for a process running `vm` with descriptors `fds`.
    pub fn new(vm: Vm, fds: FdTable) -> Live {
        Live {
            vm,
            fds,
            children: Vec::new(),
            zombies: BTreeSet::new(),
            live_children: 0,
            forks: 0,
            written: 0,
            deferred: false,
            block: None,
            signals: Signals::default(),
            threads: Threads::default(),
        }
    }

    /// Answers the blocked call of the process: the one of the thread that waits in the
    /// process's block, else the current thread's.
    pub fn resume(&mut self, reply: crate::vm::Reply) {
        let blocked =
            (self.block).and_then(|b| (self.threads.tasks.iter()).position(|t| t.block == Some(b)));
        let t = blocked.unwrap_or(self.threads.current as usize);
        if self.vm.thread_lives(t) && self.vm.pending(t).is_some() {
            self.vm.resume(t, reply);
        }
    }

    /// The thread that runs when the process is dispatched.
    pub fn thread(&self) -> usize {
        self.threads.current as usize
    }
}

/// One process control block: the kernel's state of a process. What reports read about it
/// is its [`ProcessRecord`], kept beside it in the table so that the outcome takes the
/// records without copying them.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Pcb {
    /// Current state.
    pub state: ProcessState,
    /// Index of its current parent; `None` once adopted by init (or for the initial
    /// process, whose parent is the shell outside the simulation).
    pub parent: Option<u32>,
    /// Whether it exited and no one has reaped it yet.
    pub zombie: bool,
    /// Virtual time (µs) at which it terminated.
    pub exited_at: u64,
    /// `None` once terminated.
    pub live: Option<Shared<Live>>,
}

/// All processes in creation order; a pid is `first_pid + index`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ProcessTable {
    /// The PCBs.
    pub pcbs: Vec<Pcb>,
    /// Each process's record, kept up to date as it runs (same index as `pcbs`).
    pub records: Vec<Shared<ProcessRecord>>,
    /// Pid of index 0.
    pub first_pid: i64,
    /// Processes not yet terminated.
    pub alive: usize,
}

impl ProcessTable {
    /// An empty table whose first process will get `first_pid`.
    pub fn new(first_pid: i64) -> ProcessTable {
        ProcessTable {
            pcbs: Vec::new(),
            records: Vec::new(),
            first_pid,
            alive: 0,
        }
    }

    /// The pid the next created process gets (creation order, like Linux's `pid_max` walk
    /// without wrap-around).
    pub fn next_pid(&self) -> i64 {
        self.first_pid + self.pcbs.len() as i64
    }

    /// The index of `pid`, if such a process was ever created.
    pub fn index_of(&self, pid: i64) -> Option<u32> {
        let index = pid.checked_sub(self.first_pid)?;
        (0..self.pcbs.len() as i64)
            .contains(&index)
            .then_some(index as u32)
    }

    /// Adds a process in state New and returns its index.
    pub fn insert(&mut self, record: ProcessRecord, parent: Option<u32>, live: Live) -> u32 {
        let index = self.pcbs.len() as u32;
        self.records.push(Shared::new(record));
        self.pcbs.push(Pcb {
            state: ProcessState::New,
            parent,
            zombie: false,
            exited_at: 0,
            live: Some(Shared::new(live)),
        });
        self.alive += 1;
        index
    }

    /// The PCB at `index`.
    pub fn get(&self, index: u32) -> &Pcb {
        &self.pcbs[index as usize]
    }

    /// The PCB at `index`, mutably.
    pub fn get_mut(&mut self, index: u32) -> &mut Pcb {
        &mut self.pcbs[index as usize]
    }

    /// The record of process `index`.
    pub fn record(&self, index: u32) -> &ProcessRecord {
        &self.records[index as usize]
    }

    /// The record of process `index`, mutably.
    pub fn record_mut(&mut self, index: u32) -> &mut ProcessRecord {
        &mut self.records[index as usize]
    }

    /// The live part of process `index`.
    ///
    /// # Panics
    /// If it has terminated: the kernel only asks for processes it runs or that are parents
    /// of running ones.
    pub fn live(&mut self, index: u32) -> &mut Live {
        self.pcbs[index as usize]
            .live
            .as_deref_mut()
            .expect("invariant: only a process that has not terminated is asked for its state")
    }

    /// Pid of process `index`.
    pub fn pid(&self, index: u32) -> i64 {
        self.first_pid + i64::from(index)
    }

    /// The tree name of the `n`th (1-based) forked child of `parent`, or its `spawn` name.
    pub fn child_name(&self, parent: u32, n: u32, spawn: Option<&str>) -> String {
        match spawn {
            Some(name) => name.to_string(),
            None => {
                let parent = &self.record(parent).name;
                let mut name = String::with_capacity(parent.len() + 4);
                name.push_str(parent);
                name.push('.');
                name.push_str(&n.to_string());
                name
            }
        }
    }
}

/// A fresh record for a process, before anything happened to it.
pub fn new_record(
    pid: i64,
    name: String,
    creator: Option<usize>,
    program: String,
    ppid: i64,
) -> ProcessRecord {
    ProcessRecord {
        pid,
        name,
        creator,
        program,
        termination: None,
        ppid,
        orphaned: false,
        adopted_by: None,
        zombie_at_end: false,
        zombie_micros: 0,
        reaped_by: None,
        fault: None,
        blocked_on: None,
        variables: Vec::new(),
        context_switches: 0,
        history: Vec::new(),
        threads: 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phrases_name_what_is_awaited() {
        assert_eq!(Block::Wait { pid: -1 }.phrase(), "wait() for a child");
        assert_eq!(
            Block::Wait { pid: 1002 }.phrase(),
            "waitpid() for child 1002"
        );
        assert_eq!(
            Block::Read { pipe: 0, fd: 3 }.phrase(),
            "read() from an empty pipe (fd 3)"
        );
        assert_eq!(
            Block::Sleep { until: 1_000_000 }.phrase(),
            "sleep until t=1s"
        );
        assert_eq!(
            Block::Sleep { until: 1_500 }.phrase(),
            "sleep until t=1500us"
        );
        assert_eq!(Block::Sleep { until: 2_000 }.phrase(), "sleep until t=2ms");
    }
}
