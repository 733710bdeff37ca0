//! Descriptor calls of a scenario process on real descriptors: `write(2)`, `read(2)`,
//! `close(2)`, `pipe(2)`, `dup(2)`, `dup2(2)`, `isatty(3)`. Writes to descriptors 1 and 2 go
//! to the capture socket like any other write.

use super::process::Process;
use crate::vm::{Reply, Value};
use nix::errno::Errno;
use std::os::fd::{IntoRawFd, RawFd};

/// Largest piece a terminal write is cut into when one datagram cannot hold it.
const PIECE: usize = 64 << 10;

/// A `-1`-or-value result of a libc call as a reply.
fn reply(result: libc::c_long) -> Reply {
    if result < 0 {
        Reply::Error(Errno::last() as i32)
    } else {
        Reply::Value(Value::Int(result))
    }
}

impl Process<'_> {
    /// Whether `fd` is the supervisor's control descriptor, which the scenario must not
    /// see: calls on it fail with `EBADF` as on a closed descriptor.
    fn reserved(&self, fd: RawFd) -> bool {
        fd == self.link.records
    }

    /// `write(fd, data)`: one call, as the program made it (a terminal write too long for
    /// one datagram is cut into pieces).
    pub(super) fn write(&mut self, fd: RawFd, data: &[u8]) -> Reply {
        if self.reserved(fd) {
            return Reply::Error(Errno::EBADF as i32);
        }
        match write_once(fd, data) {
            Err(Errno::EMSGSIZE) => {
                let mut written = 0;
                for piece in data.chunks(PIECE) {
                    match write_once(fd, piece) {
                        Ok(n) => written += n,
                        Err(errno) if written == 0 => return Reply::Error(errno as i32),
                        Err(_) => break,
                    }
                }
                Reply::Value(Value::Int(written as i64))
            }
            Ok(n) => Reply::Value(Value::Int(n as i64)),
            Err(errno) => Reply::Error(errno as i32),
        }
    }

    /// `read(fd, len)`: the bytes read, empty at end of file.
    pub(super) fn read(&mut self, fd: RawFd, len: usize) -> Reply {
        if self.reserved(fd) {
            return Reply::Error(Errno::EBADF as i32);
        }
        let mut buf = vec![0u8; len];
        loop {
            // SAFETY: `buf` is a live buffer of `len` bytes the call may fill.
            let n = unsafe { libc::read(fd, buf.as_mut_ptr().cast(), len) };
            if n < 0 && Errno::last() == Errno::EINTR && !super::handlers::caught() {
                continue;
            }
            if n < 0 {
                return Reply::Error(Errno::last() as i32);
            }
            buf.truncate(n as usize);
            return Reply::Data(buf);
        }
    }

    /// `close(fd)`.
    pub(super) fn close(&mut self, fd: RawFd) -> Reply {
        if self.reserved(fd) {
            return Reply::Error(Errno::EBADF as i32);
        }
        // SAFETY: the descriptor belongs to the scenario's program, not to any Rust object
        // of this process.
        let result = unsafe { libc::close(fd) };
        self.update_tty(fd);
        reply(result.into())
    }

    /// `pipe(fds)`: a real pipe, read end first.
    pub(super) fn pipe(&mut self) -> Reply {
        match nix::unistd::pipe() {
            Ok((read, write)) => Reply::Fds(read.into_raw_fd(), write.into_raw_fd()),
            Err(errno) => Reply::Error(errno as i32),
        }
    }

    /// `dup(fd)`.
    pub(super) fn dup(&mut self, fd: RawFd) -> Reply {
        if self.reserved(fd) {
            return Reply::Error(Errno::EBADF as i32);
        }
        // SAFETY: dup only adds a descriptor; none of this process's Rust objects owns it.
        reply(unsafe { libc::dup(fd) }.into())
    }

    /// `dup2(old, new)`.
    pub(super) fn dup2(&mut self, old: RawFd, new: RawFd) -> Reply {
        if self.reserved(old) || self.reserved(new) {
            return Reply::Error(Errno::EBADF as i32);
        }
        // SAFETY: `new` is never the control descriptor (checked above), and no Rust object
        // of this process owns the scenario's descriptors.
        let result = unsafe { libc::dup2(old, new) };
        self.update_tty(new);
        reply(result.into())
    }

    /// `isatty(fd)`: 1 for the scenario's terminal, else `ENOTTY` (or `EBADF`).
    pub(super) fn isatty(&mut self, fd: RawFd) -> Reply {
        if self.reserved(fd) || super::capture::file_id(fd).is_err() {
            return Reply::Error(Errno::EBADF as i32);
        }
        if self.is_terminal(fd) {
            Reply::Value(Value::Int(1))
        } else {
            Reply::Error(Errno::ENOTTY as i32)
        }
    }
}

/// One `write(2)`, retried on `EINTR`.
fn write_once(fd: RawFd, data: &[u8]) -> Result<usize, Errno> {
    loop {
        // SAFETY: `data` is a live buffer of `data.len()` bytes the call only reads.
        let n = unsafe { libc::write(fd, data.as_ptr().cast(), data.len()) };
        if n >= 0 {
            return Ok(n as usize);
        }
        if Errno::last() != Errno::EINTR || super::handlers::caught() {
            return Err(Errno::last());
        }
    }
}
