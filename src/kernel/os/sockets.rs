//! Unix-domain sockets on the real kernel: `socket(2)`, `socketpair(2)`, `bind(2)`,
//! `listen(2)`, `accept(2)`, `connect(2)`; socket files live in the run's directory.

use super::handlers::caught;
use super::process::Process;
use crate::vm::{Reply, Value};
use nix::errno::Errno;
use std::os::fd::RawFd;

/// A `-1`-or-value result of a libc call as a reply.
fn reply(result: libc::c_int) -> Reply {
    if result < 0 {
        Reply::Error(Errno::last() as i32)
    } else {
        Reply::Value(Value::Int(i64::from(result)))
    }
}

/// A `struct sockaddr_un` for `path`, or `ENAMETOOLONG`.
fn unix_address(path: &[u8]) -> Result<libc::sockaddr_un, Reply> {
    // SAFETY: sockaddr_un is plain data; all zeroes is a valid (empty) address.
    let mut address: libc::sockaddr_un = unsafe { std::mem::zeroed() };
    address.sun_family = libc::AF_UNIX as libc::sa_family_t;
    if path.len() >= address.sun_path.len() {
        return Err(Reply::Error(Errno::ENAMETOOLONG as i32));
    }
    for (slot, &byte) in address.sun_path.iter_mut().zip(path) {
        *slot = byte as libc::c_char;
    }
    Ok(address)
}

impl Process<'_> {
    /// `socket(domain, type, 0)`.
    pub(super) fn socket(&mut self, domain: i32, kind: i32) -> Reply {
        // SAFETY: socket(2) takes plain integers.
        reply(unsafe { libc::socket(domain, kind, 0) })
    }

    /// `socketpair(domain, type, 0, sv)`.
    pub(super) fn socketpair(&mut self, domain: i32, kind: i32) -> Reply {
        let mut fds = [0 as RawFd; 2];
        // SAFETY: `fds` is a live array of two ints the call fills.
        let result = unsafe { libc::socketpair(domain, kind, 0, fds.as_mut_ptr()) };
        if result < 0 {
            return Reply::Error(Errno::last() as i32);
        }
        Reply::Fds(fds[0], fds[1])
    }

    /// `bind(fd, {AF_UNIX, path})`.
    pub(super) fn bind(&mut self, fd: RawFd, path: &[u8]) -> Reply {
        let reply = self.with_address(fd, path, libc::bind);
        if matches!(reply, Reply::Value(_)) && !path.is_empty() && path[0] != 0 {
            self.made(path);
        }
        reply
    }

    /// `connect(fd, {AF_UNIX, path})`.
    pub(super) fn connect(&mut self, fd: RawFd, path: &[u8]) -> Reply {
        self.with_address(fd, path, libc::connect)
    }

    fn with_address(
        &mut self,
        fd: RawFd,
        path: &[u8],
        call: unsafe extern "C" fn(
            libc::c_int,
            *const libc::sockaddr,
            libc::socklen_t,
        ) -> libc::c_int,
    ) -> Reply {
        if fd == self.link.records {
            return Reply::Error(Errno::EBADF as i32);
        }
        let address = match unix_address(path) {
            Ok(address) => address,
            Err(reply) => return reply,
        };
        let len = std::mem::size_of::<libc::sockaddr_un>() as libc::socklen_t;
        loop {
            // SAFETY: `address` is a live sockaddr_un of `len` bytes the call only reads.
            let result = unsafe { call(fd, std::ptr::from_ref(&address).cast(), len) };
            if result < 0 && Errno::last() == Errno::EINTR && !caught() {
                continue;
            }
            return reply(result);
        }
    }

    /// `listen(fd, backlog)`.
    pub(super) fn listen(&mut self, fd: RawFd, backlog: i32) -> Reply {
        // SAFETY: listen(2) takes plain integers.
        reply(unsafe { libc::listen(fd, backlog) })
    }

    /// `accept(fd, NULL, NULL)`.
    pub(super) fn accept(&mut self, fd: RawFd) -> Reply {
        loop {
            // SAFETY: null address pointers ask for no peer address.
            let result = unsafe { libc::accept(fd, std::ptr::null_mut(), std::ptr::null_mut()) };
            if result < 0 && Errno::last() == Errno::EINTR && !caught() {
                continue;
            }
            return reply(result);
        }
    }
}
