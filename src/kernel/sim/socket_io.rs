//! Data through Unix domain sockets: `recv`/`read` and `send`/`write` on streams (a pipe
//! each way) and datagram queues, and what the last `close` of a socket does to its peer.

use super::ipc::Ipc;
use super::kernel::{Kernel, Step};
use super::pcb::Block;
use super::pipe::{Pipe, PipeRead, PipeWrite};
use super::socket::{SocketKind, MAX_DGRAM_QLEN};
use crate::errno::{ECONNREFUSED, ENOTCONN};
use crate::vm::{Reply, Value};

/// Whether `recv`/`read` of `len` bytes on socket `s` would block now, by the rules of
/// [`Kernel::socket_read`]: no datagram queued, or a connected stream's pipe empty with the
/// peer open.
pub(super) fn recv_blocks(ipc: &Ipc, pipes: &[Pipe], s: u32, len: usize) -> bool {
    let socket = &ipc.sockets[s as usize];
    match (socket.kind, socket.rx) {
        (SocketKind::Dgram, _) => socket.datagrams.is_empty(),
        (SocketKind::Stream, Some(rx)) => pipes[rx as usize].read_blocks(len),
        (SocketKind::Stream, None) => false,
    }
}

/// Whether `send`/`write` of the `len` bytes not yet sent on socket `s` would block now, by
/// the rules of [`Kernel::socket_write`]: a connected stream's pipe without room, or the
/// destination's datagram queue full.
pub(super) fn send_blocks(ipc: &Ipc, pipes: &[Pipe], s: u32, len: usize) -> bool {
    let socket = &ipc.sockets[s as usize];
    let Some(peer) = socket.peer else {
        return false;
    };
    match socket.tx {
        Some(tx) => pipes[tx as usize].write_blocks(len),
        None => {
            let target = &ipc.sockets[peer as usize];
            !target.closed && target.datagrams.len() >= MAX_DGRAM_QLEN
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
    /// `recv`/`read` on socket `s`: stream bytes (end of file once the peer closed), or one
    /// datagram cut to `len`.
    pub(super) fn socket_read(&mut self, p: u32, s: u32, fd: i32, len: usize) -> Step {
        let socket = &mut self.ipc.sockets[s as usize];
        let peer = socket.peer;
        if socket.kind == SocketKind::Dgram {
            let Some(mut datagram) = socket.datagrams.pop_front() else {
                socket.waiting.push(p);
                return Step::Blocked(Block::Recv { socket: s, fd });
            };
            datagram.truncate(len);
            self.wake_socket(s);
            return Step::Reply(Reply::Data(datagram));
        }
        let Some(rx) = socket.rx else {
            return error(ENOTCONN);
        };
        match self.pipes[rx as usize].read(len) {
            PipeRead::Data(data) => {
                if let Some(peer) = peer {
                    self.wake_socket(peer);
                }
                Step::Reply(Reply::Data(data))
            }
            PipeRead::Eof => Step::Reply(Reply::Data(Vec::new())),
            PipeRead::Empty => {
                self.ipc.sockets[s as usize].waiting.push(p);
                Step::Blocked(Block::Recv { socket: s, fd })
            }
        }
    }

    /// `send`/`write` on socket `s`: into the peer's stream (`SIGPIPE` once it is closed)
    /// or one datagram into the destination's queue.
    pub(super) fn socket_write(&mut self, p: u32, s: u32, fd: i32, data: &[u8]) -> Step {
        let socket = &self.ipc.sockets[s as usize];
        let Some(peer) = socket.peer else {
            return error(ENOTCONN);
        };
        let Some(tx) = socket.tx else {
            return self.send_datagram(p, peer, fd, data);
        };
        let done = self.table.live(p).written;
        match self.pipes[tx as usize].write(&data[done..]) {
            PipeWrite::Broken => self.broken_write(p),
            PipeWrite::Full => {
                self.ipc.sockets[s as usize].waiting.push(p);
                Step::Blocked(Block::Send { socket: s, fd })
            }
            PipeWrite::Wrote(k) => {
                self.wake_socket(peer);
                if done + k == data.len() {
                    self.table.live(p).written = 0;
                    return ok(data.len() as i64);
                }
                self.table.live(p).written = done + k;
                self.ipc.sockets[s as usize].waiting.push(p);
                Step::PerformedThenBlocked(Block::Send { socket: s, fd })
            }
        }
    }

    fn send_datagram(&mut self, p: u32, t: u32, fd: i32, data: &[u8]) -> Step {
        let target = &mut self.ipc.sockets[t as usize];
        if target.closed {
            return error(ECONNREFUSED);
        }
        if target.datagrams.len() >= MAX_DGRAM_QLEN {
            target.waiting.push(p);
            return Step::Blocked(Block::Send { socket: t, fd });
        }
        target.datagrams.push_back(data.to_vec());
        self.wake_socket(t);
        ok(data.len() as i64)
    }

    /// The last descriptor on socket `s` closed: the peer reads end of file and its sends
    /// fail, connections not yet accepted are dropped, waiting processes try again.
    pub(super) fn socket_closed(&mut self, s: u32) {
        let socket = &mut self.ipc.sockets[s as usize];
        socket.refs -= 1;
        if socket.refs > 0 {
            return;
        }
        socket.closed = true;
        socket.backlog = None;
        socket.datagrams.clear();
        let (rx, tx, peer) = (socket.rx, socket.tx, socket.peer);
        let pending = std::mem::take(&mut socket.pending);
        if let Some(rx) = rx {
            self.pipes[rx as usize].readers = 0;
        }
        if let Some(tx) = tx {
            self.pipes[tx as usize].writers = 0;
        }
        if let (Some(peer), Some(_)) = (peer, tx) {
            self.wake_socket(peer);
        }
        self.wake_socket(s);
        for server in pending {
            self.ipc.sockets[server as usize].refs += 1;
            self.socket_closed(server);
        }
    }

    /// Wakes the processes blocked on socket `s`: each tries its call again.
    pub(super) fn wake_socket(&mut self, s: u32) {
        for q in std::mem::take(&mut self.ipc.sockets[s as usize].waiting) {
            let block = self.table.get(q).live.as_ref().and_then(|l| l.block);
            let on = match block {
                Some(
                    Block::Accept { socket, .. }
                    | Block::Connect { socket, .. }
                    | Block::Recv { socket, .. }
                    | Block::Send { socket, .. },
                ) => socket,
                _ => continue,
            };
            if on == s {
                self.wake(q);
            }
        }
    }
}
