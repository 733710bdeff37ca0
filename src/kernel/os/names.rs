//! Calls on names in the file system, relative to the run's directory: `mkfifo(3)`,
//! `open(2)` (of a FIFO or any file), `unlink(2)`.

use super::process::Process;
use crate::vm::{Reply, Value};
use nix::errno::Errno;
use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;

/// A `-1`-or-value result of a libc call as a reply.
fn reply(result: libc::c_int) -> Reply {
    if result < 0 {
        Reply::Error(Errno::last() as i32)
    } else {
        Reply::Value(Value::Int(i64::from(result)))
    }
}

/// `path` as a C string, or the reply for a path with a NUL inside.
fn c_path(path: &[u8]) -> Result<CString, Reply> {
    CString::new(path).map_err(|_| Reply::Error(Errno::EINVAL as i32))
}

impl Process<'_> {
    /// Tells the supervisor that this process made a FIFO or socket file at `path`
    /// (relative to its working directory), to remove at the end of the run.
    pub(super) fn made(&self, path: &[u8]) {
        let path = std::path::Path::new(std::ffi::OsStr::from_bytes(path));
        if let Ok(cwd) = std::env::current_dir() {
            let path = cwd.join(path).to_string_lossy().into_owned();
            self.report(&super::record::Record::Made { path });
        }
    }

    /// `lseek(fd, offset, whence)`.
    pub(super) fn lseek(&mut self, fd: i32, offset: i64, whence: i32) -> Reply {
        // SAFETY: lseek takes plain integers and touches no memory of ours.
        let result = unsafe { libc::lseek(fd, offset, whence) };
        if result < 0 {
            Reply::Error(Errno::last() as i32)
        } else {
            Reply::Value(Value::Int(result))
        }
    }

    /// `mkfifo(path, mode)`.
    pub(super) fn mkfifo(&mut self, path: &[u8], mode: u32) -> Reply {
        let path = match c_path(path) {
            Ok(path) => path,
            Err(reply) => return reply,
        };
        // SAFETY: `path` is a live NUL-terminated string the call only reads.
        let result = unsafe { libc::mkfifo(path.as_ptr(), mode as libc::mode_t) };
        if result == 0 {
            self.made(path.as_bytes());
        }
        reply(result)
    }

    /// `open(path, flags)`; a FIFO blocks until its other end is open, as on Linux. Files
    /// are created with mode 0644.
    pub(super) fn open(&mut self, path: &[u8], flags: i32) -> Reply {
        let path = match c_path(path) {
            Ok(path) => path,
            Err(reply) => return reply,
        };
        loop {
            // SAFETY: `path` is a live NUL-terminated string the call only reads.
            let fd = unsafe { libc::open(path.as_ptr(), flags, 0o644 as libc::c_uint) };
            if fd < 0 && Errno::last() == Errno::EINTR && !super::handlers::caught() {
                continue;
            }
            self.update_tty(fd);
            return reply(fd);
        }
    }

    /// `unlink(path)`.
    pub(super) fn unlink(&mut self, path: &[u8]) -> Reply {
        let path = match c_path(path) {
            Ok(path) => path,
            Err(reply) => return reply,
        };
        // SAFETY: `path` is a live NUL-terminated string the call only reads.
        reply(unsafe { libc::unlink(path.as_ptr()) })
    }
}
