//! Unix domain sockets (`unix(7)`) and their connections: `socket(2)`, `socketpair(2)`,
//! `bind(2)` to a path, `listen(2)` with a backlog, `accept(2)`, `connect(2)`. Data moves in
//! `socket_io`.
//!
//! A connected stream is a pair of pipes, one each way: a byte stream (a `recv` returns what
//! is there, up to its length, so it may get fewer bytes than one `send` sent, or the bytes
//! of several). A datagram socket keeps whole messages in a queue.

use super::files::OpenFile;
use super::ipc::Ipc;
use super::kernel::{Kernel, Step};
use super::namespace::Node;
use super::pcb::Block;
use super::pipe::Pipe;
use crate::errno::{
    EADDRINUSE, EAFNOSUPPORT, EBADF, ECONNREFUSED, EINVAL, EISCONN, EMFILE, ENOENT, ENOTSOCK,
    EOPNOTSUPP, EPROTOTYPE,
};
use crate::vm::{Reply, Value};
use std::collections::VecDeque;

/// `AF_UNIX`.
pub const AF_UNIX: i32 = 1;
/// Datagrams a socket queues before senders wait (Linux `max_dgram_qlen`).
pub const MAX_DGRAM_QLEN: usize = 10;

/// Stream (`SOCK_STREAM`) or datagram (`SOCK_DGRAM`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SocketKind {
    /// A connected byte stream.
    Stream,
    /// Whole messages.
    Dgram,
}

/// One socket.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Socket {
    /// Its type.
    pub kind: SocketKind,
    /// Descriptors (in all processes) open on it.
    pub refs: u32,
    /// The path it is bound to.
    pub bound: bool,
    /// Listening: at most `backlog + 1` connections wait for `accept`.
    pub backlog: Option<usize>,
    /// Listening: connected server-side sockets not yet accepted, oldest first.
    pub pending: VecDeque<u32>,
    /// The other end (stream) or the default destination (datagram, after `connect`).
    pub peer: Option<u32>,
    /// Stream: the pipe it reads from.
    pub rx: Option<u32>,
    /// Stream: the pipe it writes to.
    pub tx: Option<u32>,
    /// Datagram: messages received, oldest first.
    pub datagrams: VecDeque<Vec<u8>>,
    /// Closed by its last descriptor.
    pub closed: bool,
    /// Processes blocked on it (stale entries are skipped).
    pub waiting: Vec<u32>,
}

impl Socket {
    fn new(kind: SocketKind) -> Socket {
        Socket {
            kind,
            refs: 0,
            bound: false,
            backlog: None,
            pending: VecDeque::new(),
            peer: None,
            rx: None,
            tx: None,
            datagrams: VecDeque::new(),
            closed: false,
            waiting: Vec::new(),
        }
    }
}

fn ok(n: i64) -> Step {
    Step::Reply(Reply::Value(Value::Int(n)))
}

fn error(errno: i32) -> Step {
    Step::Reply(Reply::Error(errno))
}

impl Kernel<'_> {
    /// The socket `fd` of `p` refers to, or the error for a descriptor that is not one.
    fn socket_of(&mut self, p: u32, fd: i32) -> Result<u32, Step> {
        match self.table.live(p).fds.get(fd) {
            Some(OpenFile::Socket(s)) => Ok(s),
            Some(_) => Err(error(ENOTSOCK)),
            None => Err(error(EBADF)),
        }
    }

    fn new_socket(&mut self, kind: SocketKind) -> u32 {
        self.ipc.sockets.push(Socket::new(kind));
        self.ipc.sockets.len() as u32 - 1
    }

    /// A new descriptor of `p` on socket `s`.
    fn install_socket(&mut self, p: u32, s: u32) -> Result<i32, Step> {
        let fds = &mut self.table.live(p).fds;
        let fd = fds.lowest_free().map_err(|_| error(EMFILE))?;
        fds.install(fd, OpenFile::Socket(s));
        self.ipc.sockets[s as usize].refs += 1;
        Ok(fd)
    }

    /// `socket(AF_UNIX, type, 0)`.
    pub(super) fn socket(&mut self, p: u32, domain: i32, kind: i32) -> Step {
        let Some(kind) = socket_kind(domain, kind) else {
            return error(if domain == AF_UNIX {
                EINVAL
            } else {
                EAFNOSUPPORT
            });
        };
        let s = self.new_socket(kind);
        match self.install_socket(p, s) {
            Ok(fd) => ok(fd.into()),
            Err(step) => step,
        }
    }

    /// `socketpair(AF_UNIX, type, 0, sv)`: two sockets connected to each other.
    pub(super) fn socketpair(&mut self, p: u32, domain: i32, kind: i32) -> Step {
        let Some(kind) = socket_kind(domain, kind) else {
            return error(if domain == AF_UNIX {
                EINVAL
            } else {
                EAFNOSUPPORT
            });
        };
        let (a, b) = (self.new_socket(kind), self.new_socket(kind));
        self.join(a, b);
        let first = match self.install_socket(p, a) {
            Ok(fd) => fd,
            Err(step) => return step,
        };
        match self.install_socket(p, b) {
            Ok(second) => Step::Reply(Reply::Fds(first, second)),
            Err(step) => step,
        }
    }

    /// Connects sockets `a` and `b` to each other (two pipes for a stream).
    fn join(&mut self, a: u32, b: u32) {
        let kind = self.ipc.sockets[a as usize].kind;
        if kind == SocketKind::Stream {
            let capacity = self.scenario.config.pipe_capacity;
            let (ab, ba) = (self.pipes.len() as u32, self.pipes.len() as u32 + 1);
            self.pipes.push(Pipe::new(capacity));
            self.pipes.push(Pipe::new(capacity));
            let sa = &mut self.ipc.sockets[a as usize];
            (sa.tx, sa.rx) = (Some(ab), Some(ba));
            let sb = &mut self.ipc.sockets[b as usize];
            (sb.tx, sb.rx) = (Some(ba), Some(ab));
        }
        self.ipc.sockets[a as usize].peer = Some(b);
        self.ipc.sockets[b as usize].peer = Some(a);
    }

    /// `bind(fd, {AF_UNIX, path}, len)`: the path names the socket until `unlink`.
    pub(super) fn bind(&mut self, p: u32, fd: i32, path: &[u8]) -> Step {
        let s = match self.socket_of(p, fd) {
            Ok(s) => s,
            Err(step) => return step,
        };
        if self.ipc.sockets[s as usize].bound {
            return error(EINVAL);
        }
        if !self.ipc.names.create(path, Node::Socket(s)) {
            return error(EADDRINUSE);
        }
        self.ipc.sockets[s as usize].bound = true;
        ok(0)
    }

    /// `listen(fd, backlog)`: a bound stream socket accepts connections.
    pub(super) fn listen(&mut self, p: u32, fd: i32, backlog: i32) -> Step {
        let s = match self.socket_of(p, fd) {
            Ok(s) => s,
            Err(step) => return step,
        };
        let socket = &mut self.ipc.sockets[s as usize];
        if socket.kind == SocketKind::Dgram {
            return error(EOPNOTSUPP);
        }
        if !socket.bound || socket.peer.is_some() {
            return error(EINVAL);
        }
        socket.backlog = Some(backlog.max(0) as usize);
        ok(0)
    }

    /// `connect(fd, {AF_UNIX, path}, len)`: a stream joins the listening socket's queue
    /// (waiting while the backlog is full) and is connected at once; a datagram socket
    /// only sets its destination.
    pub(super) fn connect(&mut self, p: u32, fd: i32, path: &[u8]) -> Step {
        let s = match self.socket_of(p, fd) {
            Ok(s) => s,
            Err(step) => return step,
        };
        let Some(Node::Socket(t)) = self.ipc.names.lookup(path) else {
            let named = self.ipc.names.lookup(path).is_some();
            return error(if named { ECONNREFUSED } else { ENOENT });
        };
        let (kind, target) = (
            self.ipc.sockets[s as usize].kind,
            &self.ipc.sockets[t as usize],
        );
        if target.kind != kind {
            return error(EPROTOTYPE);
        }
        if target.closed {
            return error(ECONNREFUSED);
        }
        if kind == SocketKind::Dgram {
            self.ipc.sockets[s as usize].peer = Some(t);
            return ok(0);
        }
        if self.ipc.sockets[s as usize].peer.is_some() {
            return error(EISCONN);
        }
        let Some(backlog) = target.backlog else {
            return error(ECONNREFUSED);
        };
        if target.pending.len() > backlog {
            self.ipc.sockets[t as usize].waiting.push(p);
            return Step::Blocked(Block::Connect { socket: t, fd });
        }
        let server = self.new_socket(SocketKind::Stream);
        self.join(s, server);
        self.ipc.sockets[t as usize].pending.push_back(server);
        self.wake_socket(t);
        ok(0)
    }

    /// `accept(fd, addr, len)`: the oldest waiting connection on a new descriptor (the peer
    /// address is not stored); waits while there is none.
    pub(super) fn accept(&mut self, p: u32, fd: i32) -> Step {
        let s = match self.socket_of(p, fd) {
            Ok(s) => s,
            Err(step) => return step,
        };
        let socket = &mut self.ipc.sockets[s as usize];
        if socket.kind == SocketKind::Dgram {
            return error(EOPNOTSUPP);
        }
        if socket.backlog.is_none() {
            return error(EINVAL);
        }
        let Some(&server) = socket.pending.front() else {
            socket.waiting.push(p);
            return Step::Blocked(Block::Accept { socket: s, fd });
        };
        match self.install_socket(p, server) {
            Ok(new) => {
                self.ipc.sockets[s as usize].pending.pop_front();
                self.wake_socket(s);
                ok(new.into())
            }
            Err(step) => step,
        }
    }
}

/// Whether `accept` on socket `s` would block now, by the rules of [`Kernel::accept`]: a
/// listening stream socket with no connection waiting.
pub(super) fn accept_blocks(sockets: &[Socket], s: u32) -> bool {
    let socket = &sockets[s as usize];
    socket.kind == SocketKind::Stream && socket.backlog.is_some() && socket.pending.is_empty()
}

/// Whether `connect` of stream socket `s` to `path` would block now, by the rules of
/// [`Kernel::connect`]: the path names an open listening stream socket whose backlog is
/// full, and `s` is not connected yet.
pub(super) fn connect_blocks(ipc: &Ipc, s: u32, path: &[u8]) -> bool {
    let Some(Node::Socket(t)) = ipc.names.lookup(path) else {
        return false;
    };
    let (socket, target) = (&ipc.sockets[s as usize], &ipc.sockets[t as usize]);
    let stream = socket.kind == SocketKind::Stream && target.kind == SocketKind::Stream;
    let full = target.backlog.is_some_and(|b| target.pending.len() > b);
    stream && !target.closed && socket.peer.is_none() && full
}

/// Forgets every process waiting on a socket for which `waits` is false (the explorer's
/// canonical form: entries that no wake-up would act on).
pub(super) fn retain_waiting(sockets: &mut [Socket], mut waits: impl FnMut(u32) -> bool) {
    for socket in sockets {
        socket.waiting.sort_unstable();
        socket.waiting.dedup();
        socket.waiting.retain(|&q| waits(q));
    }
}

/// The socket type for `socket(domain, type, 0)`, if supported (`SOCK_STREAM` 1,
/// `SOCK_DGRAM` 2 of `AF_UNIX`; flags such as `SOCK_CLOEXEC` in the high bits are ignored).
fn socket_kind(domain: i32, kind: i32) -> Option<SocketKind> {
    match (domain, kind & 0xf) {
        (AF_UNIX, 1) => Some(SocketKind::Stream),
        (AF_UNIX, 2) => Some(SocketKind::Dgram),
        _ => None,
    }
}
