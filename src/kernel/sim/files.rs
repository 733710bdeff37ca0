//! File descriptors (`close(2)`, `dup(2)`, `dup2(2)`, `isatty(3)`, `pipe(2)`, `read(2)`,
//! `write(2)`): per-process descriptor tables over open files shared across `fork`.

use super::kernel::{Kernel, Step};
use super::pcb::Block;
use super::pipe::{Pipe, PipeRead, PipeWrite};
use crate::errno::{EBADF, EMFILE, ENOTTY, EPIPE};
use crate::outcome::OutputChunk;
use crate::vm::{Reply, Value};
use smallvec::SmallVec;

/// Descriptors per process (`ulimit -n`'s usual 1024).
pub const OPEN_MAX: i32 = 1024;
/// `SIGPIPE`: writing to a pipe no one can read.
pub const SIGPIPE: i32 = 13;

/// An open file description. Pipes count the descriptors open on each end (the
/// description's reference count); the terminal needs no count.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OpenFile {
    /// The terminal (standard input, output and error at start).
    Terminal,
    /// The read end of pipe `n`.
    PipeRead(u32),
    /// The write end of pipe `n`.
    PipeWrite(u32),
    /// Unix domain socket `n`.
    Socket(u32),
    /// A POSIX shared memory object (`shm_open`).
    Shm {
        /// The object's id.
        object: u32,
        /// Opened `O_RDWR` (a `MAP_SHARED` mapping may be written).
        writable: bool,
    },
    /// A regular file through open file description `n` (shared offset).
    Regular(u32),
}

/// One process's descriptors: `fd` indexes the table.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct FdTable {
    fds: SmallVec<[Option<OpenFile>; 4]>,
}

impl FdTable {
    /// Descriptors 0, 1 and 2 on the terminal.
    pub fn terminal() -> FdTable {
        FdTable {
            fds: SmallVec::from_slice(&[Some(OpenFile::Terminal); 3]),
        }
    }

    /// What `fd` is open on.
    pub fn get(&self, fd: i32) -> Option<OpenFile> {
        usize::try_from(fd)
            .ok()
            .and_then(|i| self.fds.get(i).copied().flatten())
    }

    /// The lowest free descriptor number (`EMFILE` if none below [`OPEN_MAX`]).
    pub fn lowest_free(&self) -> Result<i32, i32> {
        let fd = self
            .fds
            .iter()
            .position(Option::is_none)
            .unwrap_or(self.fds.len()) as i32;
        if fd < OPEN_MAX {
            Ok(fd)
        } else {
            Err(EMFILE)
        }
    }

    /// Makes `fd` refer to `file`, returning what it referred to before.
    pub fn install(&mut self, fd: i32, file: OpenFile) -> Option<OpenFile> {
        let i = fd as usize;
        if self.fds.len() <= i {
            self.fds.resize(i + 1, None);
        }
        self.fds[i].replace(file)
    }

    /// Closes `fd`, returning what it referred to.
    pub fn remove(&mut self, fd: i32) -> Option<OpenFile> {
        let file = usize::try_from(fd)
            .ok()
            .and_then(|i| self.fds.get_mut(i)?.take());
        while self.fds.last() == Some(&None) {
            self.fds.pop();
        }
        file
    }

    /// Every open file, one entry per descriptor.
    pub fn files(&self) -> impl Iterator<Item = OpenFile> + '_ {
        self.fds.iter().flatten().copied()
    }

    /// Takes every descriptor out (the table is left empty).
    pub fn take_all(&mut self) -> Vec<OpenFile> {
        std::mem::take(&mut self.fds)
            .into_iter()
            .flatten()
            .collect()
    }
}

fn count(n: usize) -> Reply {
    Reply::Value(Value::Int(n as i64))
}

impl Kernel<'_> {
    /// One more descriptor refers to `file` (`dup`, `fork`).
    pub(super) fn file_opened(&mut self, file: OpenFile) {
        match file {
            OpenFile::Terminal | OpenFile::Shm { .. } => {}
            OpenFile::Socket(s) => self.ipc.sockets[s as usize].refs += 1,
            OpenFile::Regular(d) => self.ipc.descriptions[d as usize].refs += 1,
            OpenFile::PipeRead(n) => self.pipes[n as usize].readers += 1,
            OpenFile::PipeWrite(n) => self.pipes[n as usize].writers += 1,
        }
    }

    /// One descriptor fewer refers to `file`; the last one of a pipe end wakes the other
    /// side (readers see EOF, writers `SIGPIPE`).
    pub(super) fn file_closed(&mut self, file: OpenFile) {
        match file {
            OpenFile::Terminal | OpenFile::Shm { .. } => {}
            OpenFile::Socket(s) => self.socket_closed(s),
            OpenFile::Regular(d) => self.ipc.descriptions[d as usize].refs -= 1,
            OpenFile::PipeRead(n) => {
                let pipe = &mut self.pipes[n as usize];
                pipe.readers -= 1;
                if pipe.readers == 0 {
                    let waiting = std::mem::take(&mut pipe.waiting_writers);
                    self.wake_pipe_waiters(n, waiting);
                }
                self.pipes[n as usize].release_if_closed();
            }
            OpenFile::PipeWrite(n) => {
                let pipe = &mut self.pipes[n as usize];
                pipe.writers -= 1;
                if pipe.writers == 0 {
                    let waiting = std::mem::take(&mut pipe.waiting_readers);
                    self.wake_pipe_waiters(n, waiting);
                }
                self.pipes[n as usize].release_if_closed();
            }
        }
    }

    /// Wakes those of `waiting` still blocked on pipe `pipe`.
    fn wake_pipe_waiters(&mut self, pipe: u32, waiting: Vec<u32>) {
        for p in waiting {
            let block = self.table.get(p).live.as_ref().and_then(|l| l.block);
            if matches!(block, Some(Block::Read { pipe: q, .. } | Block::Write { pipe: q, .. }) if q == pipe)
            {
                self.wake(p);
            }
        }
    }

    /// Tells process `p`'s C library whether `fd` is a terminal when a standard descriptor
    /// changes.
    fn stdio_changed(&mut self, p: u32, fd: i32) {
        if (0..=2).contains(&fd) {
            let live = self.table.live(p);
            let tty = live.fds.get(fd) == Some(OpenFile::Terminal);
            live.vm.set_tty(fd, tty);
        }
    }

    /// `close(fd)`.
    pub(super) fn close(&mut self, p: u32, fd: i32) -> Step {
        match self.table.live(p).fds.remove(fd) {
            None => Step::Reply(Reply::Error(EBADF)),
            Some(file) => {
                self.file_closed(file);
                self.stdio_changed(p, fd);
                Step::Reply(Reply::Value(Value::ZERO))
            }
        }
    }

    /// Closes every descriptor of `p` (at exit).
    pub(super) fn close_all(&mut self, p: u32) {
        for file in self.table.live(p).fds.take_all() {
            self.file_closed(file);
        }
    }

    /// `dup(fd)`: the lowest free descriptor refers to the same open file.
    pub(super) fn dup(&mut self, p: u32, fd: i32) -> Step {
        let fds = &self.table.live(p).fds;
        let Some(file) = fds.get(fd) else {
            return Step::Reply(Reply::Error(EBADF));
        };
        let new = match fds.lowest_free() {
            Ok(new) => new,
            Err(errno) => return Step::Reply(Reply::Error(errno)),
        };
        self.table.live(p).fds.install(new, file);
        self.file_opened(file);
        self.stdio_changed(p, new);
        Step::Reply(count(new as usize))
    }

    /// `dup2(old, new)`: `new` (closed first if open) refers to what `old` does.
    pub(super) fn dup2(&mut self, p: u32, old: i32, new: i32) -> Step {
        let Some(file) = self.table.live(p).fds.get(old) else {
            return Step::Reply(Reply::Error(EBADF));
        };
        if !(0..OPEN_MAX).contains(&new) {
            return Step::Reply(Reply::Error(EBADF));
        }
        if old != new {
            self.file_opened(file);
            if let Some(previous) = self.table.live(p).fds.install(new, file) {
                self.file_closed(previous);
            }
            self.stdio_changed(p, new);
        }
        Step::Reply(count(new as usize))
    }

    /// `isatty(fd)`: 1 for the terminal, else `ENOTTY` (`EBADF` if not open).
    pub(super) fn isatty(&mut self, p: u32, fd: i32) -> Step {
        Step::Reply(match self.table.live(p).fds.get(fd) {
            None => Reply::Error(EBADF),
            Some(OpenFile::Terminal) => Reply::Value(Value::Int(1)),
            Some(_) => Reply::Error(ENOTTY),
        })
    }

    /// `pipe(fds)`: two new descriptors, read end first.
    pub(super) fn pipe(&mut self, p: u32) -> Step {
        let n = self.pipes.len() as u32;
        let fds = &mut self.table.live(p).fds;
        let Ok(read) = fds.lowest_free() else {
            return Step::Reply(Reply::Error(EMFILE));
        };
        fds.install(read, OpenFile::PipeRead(n));
        let Ok(write) = fds.lowest_free() else {
            fds.remove(read);
            return Step::Reply(Reply::Error(EMFILE));
        };
        fds.install(write, OpenFile::PipeWrite(n));
        self.pipes
            .push(Pipe::new(self.scenario.config.pipe_capacity));
        self.stdio_changed(p, read);
        self.stdio_changed(p, write);
        Step::Reply(Reply::Fds(read, write))
    }

    /// `read(fd, buf, len)`: the terminal gives what is typed at it (`config { stdin }`), a
    /// line at a time, then end of file; a pipe blocks while empty and written to.
    pub(super) fn read(&mut self, p: u32, fd: i32, len: usize) -> Step {
        match self.table.live(p).fds.get(fd) {
            Some(OpenFile::Terminal) => Step::Reply(Reply::Data(self.terminal_input(len))),
            Some(OpenFile::PipeRead(n)) => match self.pipes[n as usize].read(len) {
                PipeRead::Data(data) => {
                    let waiting = std::mem::take(&mut self.pipes[n as usize].waiting_writers);
                    self.wake_pipe_waiters(n, waiting);
                    Step::Reply(Reply::Data(data))
                }
                PipeRead::Eof => Step::Reply(Reply::Data(Vec::new())),
                PipeRead::Empty => {
                    self.pipes[n as usize].waiting_readers.push(p);
                    Step::Blocked(Block::Read { pipe: n, fd })
                }
            },
            Some(OpenFile::Socket(s)) => self.socket_read(p, s, fd, len),
            Some(OpenFile::Regular(d)) => self.read_regular(d, len),
            Some(OpenFile::PipeWrite(_) | OpenFile::Shm { .. }) | None => {
                Step::Reply(Reply::Error(EBADF))
            }
        }
    }

    /// Up to `len` bytes of what is typed at the terminal, at most one line (a terminal in
    /// canonical mode hands a read one line); nothing once all was read (end of file).
    fn terminal_input(&mut self, len: usize) -> Vec<u8> {
        let typed = self.scenario.config.stdin.as_bytes();
        let rest = &typed[self.ipc.stdin_read.min(typed.len())..];
        let line = rest
            .iter()
            .position(|&b| b == b'\n')
            .map_or(rest.len(), |i| i + 1);
        let data = rest[..line.min(len)].to_vec();
        self.ipc.stdin_read += data.len();
        data
    }

    /// `write(fd, data)`: the terminal takes everything; a pipe as its capacity allows, the
    /// writer dying of `SIGPIPE` if no one can read.
    pub(super) fn write(&mut self, p: u32, fd: i32, data: &[u8]) -> Step {
        match self.table.live(p).fds.get(fd) {
            Some(OpenFile::Terminal) => {
                let fd = if fd == 2 { 2 } else { 1 };
                let process = p as usize;
                self.output.push(OutputChunk {
                    process,
                    fd,
                    bytes: data.to_vec(),
                });
                Step::Reply(count(data.len()))
            }
            Some(OpenFile::PipeWrite(n)) => self.write_pipe(p, n, fd, data),
            Some(OpenFile::Socket(s)) => self.socket_write(p, s, fd, data),
            Some(OpenFile::Regular(d)) => self.write_regular(d, data),
            Some(OpenFile::PipeRead(_) | OpenFile::Shm { .. }) | None => {
                Step::Reply(Reply::Error(EBADF))
            }
        }
    }

    /// A write to a pipe or stream socket that no one can read any more (`pipe(7)`): the
    /// writer gets `SIGPIPE` (by default it dies of it); if it ignores or catches the signal,
    /// the write fails with `EPIPE`.
    pub(super) fn broken_write(&mut self, p: u32) -> Step {
        self.table.live(p).written = 0;
        self.send_signal(p, SIGPIPE);
        if self.table.get(p).live.is_some() {
            Step::Reply(Reply::Error(EPIPE))
        } else {
            Step::Performed
        }
    }

    /// A write to pipe `n`, continuing a large write where it stopped.
    fn write_pipe(&mut self, p: u32, n: u32, fd: i32, data: &[u8]) -> Step {
        let done = self.table.live(p).written;
        match self.pipes[n as usize].write(&data[done..]) {
            PipeWrite::Broken => self.broken_write(p),
            PipeWrite::Full => {
                self.pipes[n as usize].waiting_writers.push(p);
                Step::Blocked(Block::Write { pipe: n, fd })
            }
            PipeWrite::Wrote(k) => {
                let waiting = std::mem::take(&mut self.pipes[n as usize].waiting_readers);
                self.wake_pipe_waiters(n, waiting);
                if done + k == data.len() {
                    self.table.live(p).written = 0;
                    return Step::Reply(count(data.len()));
                }
                self.table.live(p).written = done + k;
                self.pipes[n as usize].waiting_writers.push(p);
                Step::PerformedThenBlocked(Block::Write { pipe: n, fd })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starts_on_the_terminal() {
        let fds = FdTable::terminal();
        assert_eq!(fds.get(0), Some(OpenFile::Terminal));
        assert_eq!(fds.get(2), Some(OpenFile::Terminal));
        assert_eq!(fds.get(3), None);
        assert_eq!(fds.get(-1), None);
        assert_eq!(fds.lowest_free(), Ok(3));
    }

    #[test]
    fn lowest_free_reuses_closed_numbers() {
        let mut fds = FdTable::terminal();
        fds.install(3, OpenFile::PipeRead(0));
        fds.install(4, OpenFile::PipeWrite(0));
        assert_eq!(fds.remove(1), Some(OpenFile::Terminal));
        assert_eq!(fds.lowest_free(), Ok(1));
        assert_eq!(fds.remove(1), None);
        assert_eq!(fds.files().count(), 4);
    }

    #[test]
    fn install_replaces_and_grows() {
        let mut fds = FdTable::terminal();
        assert_eq!(
            fds.install(1, OpenFile::PipeWrite(2)),
            Some(OpenFile::Terminal)
        );
        assert_eq!(fds.install(9, OpenFile::PipeRead(2)), None);
        assert_eq!(fds.lowest_free(), Ok(3));
        assert_eq!(fds.take_all().len(), 4);
        assert_eq!(fds.get(9), None);
    }
}
