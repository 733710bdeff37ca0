//! Whether a process's pending request would block now, decided by the predicates each
//! kernel object keeps next to its own code, so that the explorer blocks exactly where a
//! run blocks.

use super::super::files::{FdTable, OpenFile};
use super::super::ipc::Ipc;
use super::super::mailbox;
use super::super::namespace::Node;
use super::super::pcb::{Block, ProcessTable};
use super::super::pipe::Pipe;
use super::super::process::WNOHANG;
use super::super::socket::{accept_blocks, connect_blocks};
use super::super::socket_io::{recv_blocks, send_blocks};
use crate::vm::Request;

/// What process `p` would wait for if its current thread tried its pending request now;
/// `None` if it can perform it (or has terminated, or has no request pending). A process
/// already waiting (a sleep, a FIFO `open`, a rendezvous `send`, `pause`, or any block the
/// explorer keeps) waits for that.
pub(in super::super) fn would_block(
    table: &ProcessTable,
    pipes: &[Pipe],
    ipc: &Ipc,
    p: u32,
) -> Option<Block> {
    let live = table.get(p).live.as_deref()?;
    if live.block.is_some() {
        return live.block;
    }
    request_blocks(table, pipes, ipc, p, live.vm.pending(live.thread())?)
}

/// What process `p` would wait for if one of its threads made `request` now; `None` if it
/// can perform it. Reads and writes of regular files and the terminal never block.
pub(in super::super) fn request_blocks(
    table: &ProcessTable,
    pipes: &[Pipe],
    ipc: &Ipc,
    p: u32,
    request: &Request,
) -> Option<Block> {
    let live = table.get(p).live.as_deref()?;
    match request {
        Request::Wait { pid, options } if options & WNOHANG == 0 => {
            wait_blocks(table, p, *pid).then_some(Block::Wait { pid: *pid })
        }
        Request::Read { fd, len } => read_blocks(pipes, ipc, live.fds.get(*fd), *fd, *len),
        Request::Write { fd, data } => {
            let left = data.len() - live.written;
            write_blocks(pipes, ipc, live.fds.get(*fd), *fd, left)
        }
        request => ipc_blocks(table, ipc, p, request),
    }
}

/// A `read` of `len` bytes from `fd`, open on `file`.
fn read_blocks(
    pipes: &[Pipe],
    ipc: &Ipc,
    file: Option<OpenFile>,
    fd: i32,
    len: usize,
) -> Option<Block> {
    match file? {
        OpenFile::PipeRead(n) if pipes[n as usize].read_blocks(len) => {
            Some(Block::Read { pipe: n, fd })
        }
        OpenFile::Socket(s) if recv_blocks(ipc, pipes, s, len) => {
            Some(Block::Recv { socket: s, fd })
        }
        _ => None,
    }
}

/// A `write` of the `left` bytes not yet written to `fd`, open on `file`.
fn write_blocks(
    pipes: &[Pipe],
    ipc: &Ipc,
    file: Option<OpenFile>,
    fd: i32,
    left: usize,
) -> Option<Block> {
    match file? {
        OpenFile::PipeWrite(n) if pipes[n as usize].write_blocks(left) => {
            Some(Block::Write { pipe: n, fd })
        }
        OpenFile::Socket(s) if send_blocks(ipc, pipes, s, left) => {
            let sockets = &ipc.sockets;
            let awaited = match sockets[s as usize].tx {
                Some(_) => s,
                None => sockets[s as usize].peer.unwrap_or(s),
            };
            Some(Block::Send {
                socket: awaited,
                fd,
            })
        }
        _ => None,
    }
}

/// Message queues, mailboxes and sockets. `open` of a FIFO, a rendezvous `send` and
/// `pause` never block here: they are performed, and the process then waits (its block is
/// part of the state).
fn ipc_blocks(table: &ProcessTable, ipc: &Ipc, p: u32, request: &Request) -> Option<Block> {
    match request {
        Request::Msgsnd {
            msqid,
            mtype,
            data,
            flags,
        } => (ipc.queues.msgsnd_blocks(*msqid, *mtype, data.len(), *flags))
            .then_some(Block::Msgsnd { msqid: *msqid }),
        Request::Msgrcv {
            msqid,
            mtype,
            flags,
            ..
        } => (ipc.queues.msgrcv_blocks(*msqid, *mtype, *flags)).then_some(Block::Msgrcv {
            msqid: *msqid,
            mtype: *mtype,
        }),
        Request::MailboxSend { .. } | Request::MailboxReceive { .. } => {
            mailbox_blocks(ipc, p, request)
        }
        Request::Accept { .. } | Request::Connect { .. } => {
            let fds = &table.get(p).live.as_deref()?.fds;
            socket_blocks(fds, ipc, request)
        }
        _ => None,
    }
}

/// `send`, `receive` and their `try_` forms, on a mailbox or by direct naming.
fn mailbox_blocks(ipc: &Ipc, p: u32, request: &Request) -> Option<Block> {
    match *request {
        Request::MailboxSend {
            mailbox: id,
            wait,
            direct: false,
            ..
        } => (mailbox::find(&ipc.mailboxes, id)?.send_blocks(wait)).then_some(Block::MailboxSend {
            mailbox: id,
            rendezvous: false,
        }),
        Request::MailboxReceive {
            mailbox: id,
            wait,
            direct: false,
        } => (mailbox::find(&ipc.mailboxes, id)?.receive_blocks(wait))
            .then_some(Block::MailboxReceive { mailbox: id }),
        Request::MailboxReceive {
            mailbox: pid,
            wait,
            direct: true,
        } => mailbox::receive_from_blocks(&ipc.direct, p, pid, wait)
            .then_some(Block::ReceiveFrom { pid }),
        _ => None,
    }
}

/// `accept` and `connect` on the socket a descriptor of `fds` names.
fn socket_blocks(fds: &FdTable, ipc: &Ipc, request: &Request) -> Option<Block> {
    let socket = |fd: i32| match fds.get(fd) {
        Some(OpenFile::Socket(s)) => Some(s),
        _ => None,
    };
    match request {
        Request::Accept { fd } => {
            let s = socket(*fd)?;
            accept_blocks(&ipc.sockets, s).then_some(Block::Accept { socket: s, fd: *fd })
        }
        Request::Connect { fd, path } => {
            let s = socket(*fd)?;
            let Some(Node::Socket(t)) = ipc.names.lookup(path) else {
                return None;
            };
            connect_blocks(ipc, s, path).then_some(Block::Connect { socket: t, fd: *fd })
        }
        _ => None,
    }
}

/// Whether `waitpid(pid)` by `p` blocks: a matching child lives and none is a zombie.
fn wait_blocks(table: &ProcessTable, p: u32, pid: i64) -> bool {
    if pid > 0 {
        let Some(c) = table.index_of(pid) else {
            return false;
        };
        let child = table.get(c);
        child.parent == Some(p) && child.live.is_some()
    } else {
        (table.get(p).live.as_deref()).is_some_and(|l| l.zombies.is_empty() && l.live_children > 0)
    }
}
