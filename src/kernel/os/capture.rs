//! Output capture with identity: the scenario's terminal is a Unix datagram socket whose
//! every write reaches the supervisor whole, in delivery order, stamped with the writer's
//! pid (`SO_PASSCRED` / `SCM_CREDENTIALS`, unix(7)); control records travel on a second
//! socket so scenario output can never pass for one.

use super::record::Record;
use nix::errno::Errno;
use nix::sys::mman::{madvise, mmap_anonymous, munmap, MapFlags, MmapAdvise, ProtFlags};
use nix::sys::socket::{
    bind, connect, getsockname, recvmsg, send, setsockopt, socket, socketpair, sockopt,
    AddressFamily, ControlMessageOwned, MsgFlags, SockFlag, SockType, UnixAddr,
};
use nix::sys::stat::fstat;
use std::io::IoSliceMut;
use std::num::NonZeroUsize;
use std::os::fd::{AsRawFd, OwnedFd, RawFd};
use std::path::Path;
use std::ptr::NonNull;

/// Send buffer of the terminal sockets: a datagram may be nearly this long (programs such
/// as `cat` write 128 KiB at a time).
const SEND_BUFFER: usize = 256 << 10;

/// Send buffer of the control socket, which every process of the run shares: each record
/// in flight holds about 700 bytes of it, and a process whose record finds it full sleeps
/// until the supervisor has read enough (with the default 208 KiB, a few hundred records:
/// a tree of forks spent a twentieth of its time asleep there).
const RECORDS_BUFFER: usize = 4 << 20;

/// Bytes the supervisor can receive in one datagram (the kernel doubles `SO_SNDBUF`).
pub const MAX_DATAGRAM: usize = 2 * SEND_BUFFER;

/// Identifies an open file: `(st_dev, st_ino)` as `fstat(2)` gives them.
pub type FileId = (u64, u64);

/// Both ends of the capture: the supervisor keeps the receivers, the initial process takes
/// the senders (and every process after it inherits them).
#[derive(Debug)]
pub struct Capture {
    /// Receives every write to the scenario's standard output and standard error.
    pub terminal: OwnedFd,
    /// Receives control records.
    pub control: OwnedFd,
    /// The scenario's ends, until the supervisor has forked the initial process.
    pub scenario: Option<ScenarioEnds>,
    /// Source address of `stdout`'s datagrams (an autobound abstract name).
    stdout_name: UnixAddr,
    /// Where datagrams are received.
    buffer: ReceiveBuffer,
}

/// The sending ends, which the initial process installs.
#[derive(Debug)]
pub struct ScenarioEnds {
    /// The scenario's standard output.
    pub stdout: OwnedFd,
    /// The scenario's standard error.
    pub stderr: OwnedFd,
    /// Where scenario processes send control records.
    pub records: OwnedFd,
}

impl ScenarioEnds {
    /// The identities of the scenario's terminal: the stdout and stderr sockets.
    ///
    /// # Errors
    /// `fstat(2)`'s errno.
    pub fn terminal_ids(&self) -> nix::Result<[FileId; 2]> {
        Ok([
            file_id(self.stdout.as_raw_fd())?,
            file_id(self.stderr.as_raw_fd())?,
        ])
    }
}

/// What the supervisor received.
#[derive(Debug)]
pub enum Arrival {
    /// `len` bytes (now at the start of the receive buffer) written by `pid` to `fd` 1 or 2.
    Output {
        /// The writer.
        pid: i64,
        /// 1 or 2.
        fd: i32,
        /// Bytes received.
        len: usize,
    },
    /// A control record from `pid`.
    Record {
        /// The sender.
        pid: i64,
        /// What it said.
        record: Record,
    },
}

impl Capture {
    /// Makes the sockets. The terminal's receiver is bound to a name in `dir` only until the
    /// two senders are connected, then the name is removed, so no process of the scenario
    /// ever sees it.
    ///
    /// # Errors
    /// The failing socket call's errno.
    pub fn open(dir: &Path) -> nix::Result<Capture> {
        let datagram = || {
            socket(
                AddressFamily::Unix,
                SockType::Datagram,
                SockFlag::SOCK_CLOEXEC,
                None,
            )
        };
        let terminal = datagram()?;
        setsockopt(&terminal, sockopt::PassCred, &true)?;
        let path = dir.join(".terminal");
        let address = UnixAddr::new(&path)?;
        bind(terminal.as_raw_fd(), &address)?;
        let sender = || -> nix::Result<OwnedFd> {
            let fd = datagram()?;
            // An unnamed address autobinds a unique abstract name: the receiver tells stdout
            // from stderr by the source address of each datagram.
            bind(fd.as_raw_fd(), &UnixAddr::new_unnamed())?;
            setsockopt(&fd, sockopt::SndBuf, &SEND_BUFFER)?;
            connect(fd.as_raw_fd(), &address)?;
            Ok(fd)
        };
        let senders = sender().and_then(|out| Ok((out, sender()?)));
        let _ = std::fs::remove_file(&path);
        let (stdout, stderr) = senders?;
        let stdout_name = getsockname::<UnixAddr>(stdout.as_raw_fd())?;
        let (control, records) = socketpair(
            AddressFamily::Unix,
            SockType::Datagram,
            None,
            SockFlag::SOCK_CLOEXEC,
        )?;
        setsockopt(&control, sockopt::PassCred, &true)?;
        // Best effort (the kernel caps it at `net.core.wmem_max`).
        let _ = setsockopt(&records, sockopt::SndBuf, &RECORDS_BUFFER);
        Ok(Capture {
            terminal,
            control,
            scenario: Some(ScenarioEnds {
                stdout,
                stderr,
                records,
            }),
            stdout_name,
            buffer: ReceiveBuffer::new()?,
        })
    }

    /// The next terminal write, if one is queued; its bytes are then [`Capture::received`].
    ///
    /// # Errors
    /// The `recvmsg(2)` errno other than `EAGAIN`.
    pub fn next_output(&mut self) -> nix::Result<Option<Arrival>> {
        let buf = self.buffer.bytes();
        let Some((pid, len, from_stdout)) =
            receive(self.terminal.as_raw_fd(), buf, |a| *a == self.stdout_name)?
        else {
            return Ok(None);
        };
        let fd = if from_stdout { 1 } else { 2 };
        Ok(Some(Arrival::Output { pid, fd, len }))
    }

    /// The next control record, if one is queued (datagrams that are not records are
    /// dropped).
    ///
    /// # Errors
    /// The `recvmsg(2)` errno other than `EAGAIN`.
    pub fn next_record(&mut self) -> nix::Result<Option<Arrival>> {
        let buf = self.buffer.bytes();
        loop {
            let Some((pid, len, _)) = receive(self.control.as_raw_fd(), buf, |_| true)? else {
                return Ok(None);
            };
            if let Some(record) = Record::decode(&buf[..len]) {
                return Ok(Some(Arrival::Record { pid, record }));
            }
        }
    }

    /// The first `len` bytes of the last datagram received.
    pub fn received(&mut self, len: usize) -> &[u8] {
        &self.buffer.bytes()[..len]
    }
}

/// Where the supervisor receives datagrams: [`MAX_DATAGRAM`] bytes in pages of their own,
/// which the kernel maps only as datagrams are written into them (a zeroed `Vec` is half a
/// megabyte to touch at the start of every run), and which no forked process inherits
/// (`MADV_DONTFORK`).
#[derive(Debug)]
struct ReceiveBuffer {
    start: NonNull<u8>,
}

impl ReceiveBuffer {
    fn new() -> nix::Result<ReceiveBuffer> {
        let len = NonZeroUsize::new(MAX_DATAGRAM).expect("non-zero size");
        let access = ProtFlags::PROT_READ | ProtFlags::PROT_WRITE;
        // SAFETY: a fresh private anonymous mapping at an address the kernel picks aliases
        // no Rust object.
        let start = unsafe { mmap_anonymous(None, len, access, MapFlags::MAP_PRIVATE)? };
        // SAFETY: advice on the mapping just made, which nothing else refers to; only how
        // `fork` treats it changes.
        let _ = unsafe { madvise(start, MAX_DATAGRAM, MmapAdvise::MADV_DONTFORK) };
        Ok(ReceiveBuffer {
            start: start.cast(),
        })
    }

    fn bytes(&mut self) -> &mut [u8] {
        // SAFETY: the mapping made in `new` is MAX_DATAGRAM readable and writable bytes,
        // zero-filled, until `drop`; the `&mut self` borrow makes this the only reference.
        unsafe { std::slice::from_raw_parts_mut(self.start.as_ptr(), MAX_DATAGRAM) }
    }
}

impl Drop for ReceiveBuffer {
    fn drop(&mut self) {
        // SAFETY: the mapping was made in `new` with this length, and no reference to it
        // outlives `self`.
        let _ = unsafe { munmap(self.start.cast(), MAX_DATAGRAM) };
    }
}

/// Receives one datagram without blocking: `(sender pid, length, whether the source
/// address satisfies is_from)`.
fn receive(
    fd: RawFd,
    buf: &mut [u8],
    is_from: impl Fn(&UnixAddr) -> bool,
) -> nix::Result<Option<(i64, usize, bool)>> {
    let mut space = nix::cmsg_space!(nix::sys::socket::UnixCredentials);
    let mut iov = [IoSliceMut::new(buf)];
    let message = match recvmsg::<UnixAddr>(fd, &mut iov, Some(&mut space), MsgFlags::MSG_DONTWAIT)
    {
        Ok(message) => message,
        Err(Errno::EAGAIN) => return Ok(None),
        Err(err) => return Err(err),
    };
    let mut pid = 0;
    for cmsg in message.cmsgs()? {
        if let ControlMessageOwned::ScmCredentials(creds) = cmsg {
            pid = i64::from(creds.pid());
        }
    }
    let from = message.address.as_ref().is_some_and(is_from);
    Ok(Some((pid, message.bytes, from)))
}

/// Sends `record` on the control socket `fd` (best effort: a supervisor that is gone
/// cannot be told anything).
pub fn send_record(fd: RawFd, record: &Record) {
    loop {
        match send(fd, &record.encode(), MsgFlags::empty()) {
            Err(Errno::EINTR) => continue,
            _ => return,
        }
    }
}

/// `(st_dev, st_ino)` of open descriptor `fd`.
///
/// # Errors
/// `fstat(2)`'s errno (`EBADF` for a closed descriptor).
pub fn file_id(fd: RawFd) -> nix::Result<FileId> {
    if fd < 0 {
        return Err(Errno::EBADF);
    }
    // SAFETY: the descriptor is only borrowed for the duration of the call; a closed one
    // makes fstat fail with EBADF.
    let fd = unsafe { std::os::fd::BorrowedFd::borrow_raw(fd) };
    let stat = fstat(fd)?;
    Ok((stat.st_dev, stat.st_ino))
}
