//! The kernel's inter-process communication objects (the namespace, FIFOs, message
//! queues, shared memory, mailboxes) and the dispatch of their system calls.

use super::fifo::Fifo;
use super::kernel::{Kernel, Step};
use super::mailbox::Mailbox;
use super::msgqueue::MsgQueues;
use super::namespace::Namespace;
use super::regular::{Description, RegularFile};
use super::shm::{Mmap, SharedMemory};
use super::socket::Socket;
use crate::errno::ENOSYS;
use crate::vm::{Reply, Request};

/// Every IPC object of a run.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Ipc {
    /// Paths of FIFOs.
    pub names: Namespace,
    /// FIFOs by index (the namespace names them).
    pub fifos: Vec<Fifo>,
    /// System V message queues.
    pub queues: MsgQueues,
    /// Shared memory objects, lent to the VM while it runs.
    pub shm: SharedMemory,
    /// Mailboxes; id `n` is index `n - 1`.
    pub mailboxes: Vec<Mailbox>,
    /// Unix domain sockets by index.
    pub sockets: Vec<Socket>,
    /// Regular files by index (the namespace names them; an unlinked one stays while
    /// descriptions refer to it).
    pub files: Vec<RegularFile>,
    /// Open file descriptions of regular files.
    pub descriptions: Vec<Description>,
    /// How many bytes of the terminal's input (`config { stdin = … }`) have been read.
    pub stdin_read: usize,
    /// Messages sent by direct naming and not yet received, in the order sent:
    /// `(receiver, sender pid, message)`.
    pub direct: Vec<(u32, i64, i64)>,
    /// Named semaphores (`sem_open`): name without leading slashes → shared object.
    pub semaphores: std::collections::BTreeMap<Vec<u8>, u32>,
}

impl Ipc {
    /// Whether a process waits in the queue of a message queue, mailbox, socket or FIFO.
    pub(super) fn any_waiting(&self) -> bool {
        (self.queues.queues.iter()).any(|q| !q.waiting.is_empty())
            || self.mailboxes.iter().any(|m| !m.waiting.is_empty())
            || self.sockets.iter().any(|s| !s.waiting.is_empty())
            || self.fifos.iter().any(|f| !f.waiting.is_empty())
    }
}

impl Kernel<'_> {
    /// Performs an IPC or signal request of process `p` (`ENOSYS` for any other).
    pub(super) fn perform_ipc(&mut self, p: u32, request: &Request) -> Step {
        match request {
            Request::Mkfifo { path, .. } => self.mkfifo(path),
            Request::Open { path, flags } => self.open(p, path, *flags),
            Request::Unlink { path } => self.unlink(path),
            Request::Lseek { fd, offset, whence } => self.lseek(p, *fd, *offset, *whence),
            Request::Msgget { key, flags } => self.msgget(*key, *flags),
            Request::Msgsnd {
                msqid,
                mtype,
                data,
                flags,
            } => self.msgsnd(p, *msqid, *mtype, data, *flags),
            Request::Msgrcv {
                msqid,
                len,
                mtype,
                flags,
            } => self.msgrcv(p, *msqid, *len, *mtype, *flags),
            Request::Msgctl { msqid, cmd } => self.msgctl(*msqid, *cmd),
            Request::Shmget { key, size, flags } => self.shmget(*key, *size, *flags),
            Request::Shmat { shmid } => self.shmat(p, *shmid),
            Request::Shmdt { addr } | Request::Munmap { addr } => self.unmap(p, *addr),
            Request::Shmctl { shmid, cmd } => self.shmctl(*shmid, *cmd),
            Request::ShmOpen { name, flags } => self.shm_open(p, name, *flags),
            Request::ShmUnlink { name } => self.shm_unlink(name),
            Request::Ftruncate { fd, length } => self.ftruncate(p, *fd, *length),
            Request::Mmap {
                length,
                prot,
                flags,
                fd,
                offset,
            } => {
                let map = Mmap {
                    length: *length,
                    prot: *prot,
                    flags: *flags,
                    fd: *fd,
                    offset: *offset,
                };
                self.mmap(p, &map)
            }
            Request::Kill { pid, signal } => self.kill(p, *pid, *signal),
            Request::Raise { signal } => self.raise(p, *signal),
            Request::Signal { signal, handler } => self.signal(p, *signal, *handler),
            Request::Sigaction {
                signal,
                handler,
                flags,
            } => self.sigaction(p, *signal, *handler, *flags),
            Request::Pause => self.pause(),
            Request::Sigprocmask { how, set } => self.sigprocmask(p, *how, *set),
            Request::Sigsuspend { mask } => self.sigsuspend(p, *mask),
            Request::Sigpending => self.sigpending(p),
            Request::Alarm { seconds } => self.alarm(p, *seconds),
            Request::Mailbox { capacity } => self.mailbox(*capacity),
            Request::MailboxSend {
                mailbox,
                message,
                direct: true,
                ..
            } => self.send_to_process(p, *mailbox, *message),
            Request::MailboxSend {
                mailbox,
                message,
                wait,
                ..
            } => self.mailbox_send(p, *mailbox, *message, *wait),
            Request::MailboxReceive {
                mailbox,
                wait,
                direct: true,
            } => self.receive_from_process(p, *mailbox, *wait),
            Request::MailboxReceive { mailbox, wait, .. } => {
                self.mailbox_receive(p, *mailbox, *wait)
            }
            Request::Socket { domain, kind } => self.socket(p, *domain, *kind),
            Request::Socketpair { domain, kind } => self.socketpair(p, *domain, *kind),
            Request::Bind { fd, path } => self.bind(p, *fd, path),
            Request::Listen { fd, backlog } => self.listen(p, *fd, *backlog),
            Request::Accept { fd } => self.accept(p, *fd),
            Request::Connect { fd, path } => self.connect(p, *fd, path),
            _ => Step::Reply(Reply::Error(ENOSYS)),
        }
    }
}
