//! FIFOs (`mkfifo(3)`, `fifo(7)`): a name in the namespace for a pipe that unrelated
//! processes `open`, and `open` blocking until the other end is open too.

use super::files::OpenFile;
use super::kernel::{Kernel, Step};
use super::namespace::Node;
use super::pcb::Block;
use super::pipe::Pipe;
use crate::errno::{EEXIST, EINVAL, EMFILE, ENOENT, ENXIO};
use crate::vm::{Reply, Value};

/// `O_WRONLY` and `O_RDWR` (the access mode is `flags & O_ACCMODE`).
pub const O_WRONLY: i32 = 1;
/// `O_NONBLOCK`: `open` of a FIFO does not wait for the other end.
pub const O_NONBLOCK: i32 = 0o4000;

/// One FIFO special file.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Fifo {
    /// The pipe while any end is open; a FIFO opened again after every end closed starts
    /// empty (Linux frees the buffer with the last close).
    pub pipe: Option<u32>,
    /// Processes blocked in `open` of it (may hold stale entries; checked on wake-up).
    pub waiting: Vec<u32>,
}

impl Fifo {
    /// Keeps among the processes waiting in `open` only those for which `waits` holds, each
    /// once and in index order (the explorer's canonical form: every matching opener is
    /// woken at once, so the order is not observable).
    pub(super) fn retain_waiting(&mut self, mut waits: impl FnMut(u32) -> bool) {
        self.waiting.sort_unstable();
        self.waiting.dedup();
        self.waiting.retain(|&q| waits(q));
    }
}

impl Kernel<'_> {
    /// `mkfifo(path, mode)`: `EEXIST` if `path` names anything already.
    pub(super) fn mkfifo(&mut self, path: &[u8]) -> Step {
        let n = self.ipc.fifos.len() as u32;
        if !self.ipc.names.create(path, Node::Fifo(n)) {
            return Step::Reply(Reply::Error(EEXIST));
        }
        self.ipc.fifos.push(Fifo::default());
        Step::Reply(Reply::Value(Value::ZERO))
    }

    /// `unlink(path)`: the name goes; descriptors open on the object stay usable.
    pub(super) fn unlink(&mut self, path: &[u8]) -> Step {
        match self.ipc.names.unlink(path) {
            Some(_) => Step::Reply(Reply::Value(Value::ZERO)),
            None => Step::Reply(Reply::Error(ENOENT)),
        }
    }

    /// `open(path, flags)`: a FIFO, a socket (`ENXIO`) or a regular file.
    pub(super) fn open(&mut self, p: u32, path: &[u8], flags: i32) -> Step {
        match self.ipc.names.lookup(path) {
            Some(Node::Fifo(f)) => self.open_fifo(p, f, flags),
            Some(Node::Socket(_)) => Step::Reply(Reply::Error(ENXIO)),
            Some(Node::File(_)) | None => self.open_regular(p, path, flags),
        }
    }

    /// Opens one end of FIFO `f` (`fifo(7)`): a reader waits for a writer and a writer for
    /// a reader unless `O_NONBLOCK` (then a reader returns at once and a writer fails with
    /// `ENXIO`). The descriptor is counted at once, so the other side does not wait.
    fn open_fifo(&mut self, p: u32, f: u32, flags: i32) -> Step {
        let write = match flags & 3 {
            0 => false,
            O_WRONLY => true,
            _ => return Step::Reply(Reply::Error(EINVAL)),
        };
        let nonblock = flags & O_NONBLOCK != 0;
        let n = self.fifo_pipe(f);
        let pipe = &self.pipes[n as usize];
        let partner_open = if write { pipe.readers } else { pipe.writers } > 0;
        if write && nonblock && !partner_open {
            return Step::Reply(Reply::Error(ENXIO));
        }
        let Ok(fd) = self.table.live(p).fds.lowest_free() else {
            return Step::Reply(Reply::Error(EMFILE));
        };
        let file = if write {
            OpenFile::PipeWrite(n)
        } else {
            OpenFile::PipeRead(n)
        };
        self.table.live(p).fds.install(fd, file);
        self.file_opened(file);
        self.wake_fifo_openers(f, !write);
        if partner_open || nonblock {
            return Step::Reply(Reply::Value(Value::Int(fd.into())));
        }
        self.ipc.fifos[f as usize].waiting.push(p);
        Step::PerformedThenBlocked(Block::OpenFifo { fifo: f, fd, write })
    }

    /// The pipe of FIFO `f`, a new empty one if no end is open.
    fn fifo_pipe(&mut self, f: u32) -> u32 {
        let fifo = &self.ipc.fifos[f as usize];
        if let Some(n) = fifo.pipe {
            let pipe = &self.pipes[n as usize];
            if pipe.readers > 0 || pipe.writers > 0 {
                return n;
            }
        }
        let n = self.pipes.len() as u32;
        let mut pipe = Pipe::new(self.scenario.config.pipe_capacity);
        pipe.readers = 0;
        pipe.writers = 0;
        self.pipes.push(pipe);
        self.ipc.fifos[f as usize].pipe = Some(n);
        n
    }

    /// Completes the `open` of every process waiting on FIFO `f` for the end just opened
    /// (`writers`: those opening for writing).
    fn wake_fifo_openers(&mut self, f: u32, writers: bool) {
        let waiting = std::mem::take(&mut self.ipc.fifos[f as usize].waiting);
        for q in waiting {
            let block = self.table.get(q).live.as_ref().and_then(|l| l.block);
            match block {
                Some(Block::OpenFifo { fifo, fd, write }) if fifo == f && write == writers => {
                    self.table
                        .live(q)
                        .resume(Reply::Value(Value::Int(fd.into())));
                    self.wake(q);
                }
                Some(Block::OpenFifo { fifo, .. }) if fifo == f => {
                    self.ipc.fifos[f as usize].waiting.push(q);
                }
                _ => {}
            }
        }
    }
}
