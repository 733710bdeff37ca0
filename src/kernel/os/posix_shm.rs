//! POSIX shared memory objects on the real kernel (`shm_open(3)`, `ftruncate(2)`,
//! `mmap(2)` of the object, `shm_unlink(3)`). Each run has its own namespace, as its FIFOs
//! live in its own directory: the scenario's name `/OS` is the object
//! `/scn-<supervisor pid>-OS`, so runs side by side and the host's own objects never meet,
//! and every object a run creates is removed at its end.

use super::process::Process;
use super::record::Record;
use crate::vm::{Reply, Value};
use nix::errno::Errno;
use std::ffi::CString;

impl Process<'_> {
    /// The real name of the scenario's object `name` (leading slashes ignored, as the
    /// simulator does).
    fn shm_real_name(&self, name: &[u8]) -> Option<CString> {
        let bare = String::from_utf8_lossy(name)
            .trim_start_matches('/')
            .to_string();
        CString::new(format!("/scn-{}-{bare}", self.link.supervisor)).ok()
    }

    /// `shm_open(name, oflag, 0600)`; an object that may have been created here is
    /// recorded for removal.
    pub(super) fn shm_open(&mut self, name: &[u8], flags: i32) -> Reply {
        let Some(real) = self.shm_real_name(name) else {
            return Reply::Error(Errno::EINVAL as i32);
        };
        // SAFETY: `real` is a live NUL-terminated string.
        let fd = unsafe { libc::shm_open(real.as_ptr(), flags, 0o600) };
        if fd < 0 {
            return Reply::Error(Errno::last() as i32);
        }
        if flags & libc::O_CREAT != 0 {
            let path = format!("/dev/shm{}", real.to_string_lossy());
            self.report(&Record::Made { path });
        }
        Reply::Value(Value::Int(i64::from(fd)))
    }

    /// `shm_unlink(name)`.
    pub(super) fn shm_unlink(&mut self, name: &[u8]) -> Reply {
        let Some(real) = self.shm_real_name(name) else {
            return Reply::Error(Errno::EINVAL as i32);
        };
        // SAFETY: `real` is a live NUL-terminated string.
        if unsafe { libc::shm_unlink(real.as_ptr()) } < 0 {
            return Reply::Error(Errno::last() as i32);
        }
        Reply::Value(Value::ZERO)
    }

    /// `ftruncate(fd, length)`.
    pub(super) fn ftruncate(&mut self, fd: i32, length: i64) -> Reply {
        // SAFETY: ftruncate(2) takes plain integers.
        if unsafe { libc::ftruncate(fd, length) } < 0 {
            return Reply::Error(Errno::last() as i32);
        }
        Reply::Value(Value::ZERO)
    }
}
