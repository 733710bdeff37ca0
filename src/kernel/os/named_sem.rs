//! Named semaphores on the real kernel (`sem_open(3)`, `sem_close(3)`, `sem_unlink(3)`),
//! made as glibc makes them: a small file in `/dev/shm` mapped `MAP_SHARED` into each
//! process that opens it, its value the word at its start (`sync`). Each run has its own
//! names, as for POSIX shared memory: the scenario's `/done` is
//! `/dev/shm/scn-<supervisor pid>-sem.done`, and what a run creates is removed at its end.

use super::process::Process;
use super::record::Record;
use crate::vm::{Reply, Value};
use nix::errno::Errno;
use std::io::ErrorKind;
use std::os::fd::AsRawFd;

/// `sizeof(sem_t)` on x86-64 glibc.
const SEM_SIZE: usize = 32;
/// `SEM_VALUE_MAX`.
const SEM_VALUE_MAX: u32 = i32::MAX as u32;

/// The error number of an I/O error.
fn errno_of(error: &std::io::Error) -> i32 {
    error.raw_os_error().unwrap_or(Errno::EIO as i32)
}

impl Process<'_> {
    /// The file of the scenario's semaphore `name` (leading slashes ignored, as glibc).
    fn sem_path(&self, name: &[u8]) -> String {
        let bare = String::from_utf8_lossy(name);
        let bare = bare.trim_start_matches('/');
        format!("/dev/shm/scn-{}-sem.{bare}", self.link.supervisor)
    }

    /// `sem_open(name, oflag, mode, value)`: maps the named semaphore (created with
    /// `value` under `O_CREAT`; `EEXIST` with `O_EXCL` too, `ENOENT` without `O_CREAT`).
    pub(super) fn sem_open(&mut self, name: &[u8], flags: i32, value: u32) -> Reply {
        let path = self.sem_path(name);
        if flags & libc::O_CREAT != 0 {
            if value > SEM_VALUE_MAX {
                return Reply::Error(Errno::EINVAL as i32);
            }
            match self.sem_create(&path, value) {
                Ok(()) => {}
                Err(e) if e.kind() == ErrorKind::AlreadyExists && flags & libc::O_EXCL == 0 => {}
                Err(e) => return Reply::Error(errno_of(&e)),
            }
        }
        let file = match std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(&path)
        {
            Ok(file) => file,
            Err(e) => return Reply::Error(errno_of(&e)),
        };
        // SAFETY: a fresh shared mapping of the semaphore's file at an address the kernel
        // chooses; nothing of ours is there.
        let start = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                SEM_SIZE,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_SHARED,
                file.as_raw_fd(),
                0,
            )
        };
        if start == libc::MAP_FAILED {
            return Reply::Error(Errno::last() as i32);
        }
        self.attach(start.cast(), SEM_SIZE, false)
    }

    /// Makes the semaphore's file at `path` holding `value`, whole before anyone can open
    /// it: written under a name of this process's own, then linked to its name (as glibc
    /// does). Fails with `AlreadyExists` if the name is taken.
    fn sem_create(&mut self, path: &str, value: u32) -> std::io::Result<()> {
        let draft = format!("{path}.{}.draft", self.pid);
        let mut bytes = [0u8; SEM_SIZE];
        bytes[..8].copy_from_slice(&i64::from(value).to_le_bytes());
        std::fs::write(&draft, bytes)?;
        let linked = std::fs::hard_link(&draft, path);
        let _ = std::fs::remove_file(&draft);
        linked?;
        self.report(&Record::Made {
            path: path.to_string(),
        });
        Ok(())
    }

    /// `sem_unlink(name)`: removes the name; semaphores open under it stay usable.
    pub(super) fn sem_unlink(&mut self, name: &[u8]) -> Reply {
        match std::fs::remove_file(self.sem_path(name)) {
            Ok(()) => Reply::Value(Value::ZERO),
            Err(e) => Reply::Error(errno_of(&e)),
        }
    }
}
