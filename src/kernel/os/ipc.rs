//! The interprocess calls of a scenario process on the real kernel, dispatched to the files
//! that make them: FIFOs, signals, sockets, message queues, shared memory, mailboxes.

use super::process::Process;
use super::record::Record;
use crate::vm::{Reply, Request};
use nix::errno::Errno;

impl Process<'_> {
    /// Performs an interprocess `request` (anything but the process and descriptor calls).
    pub(super) fn perform_ipc(&mut self, request: Request) -> Reply {
        match request {
            Request::Mkfifo { path, mode } => self.mkfifo(&path, mode),
            Request::Open { path, flags } => self.open(&path, flags),
            Request::Unlink { path } => self.unlink(&path),
            Request::Lseek { fd, offset, whence } => self.lseek(fd, offset, whence),
            Request::Kill { pid, signal } => self.kill(pid, signal),
            Request::Raise { signal } => self.raise(signal),
            Request::Pause => self.pause(),
            Request::Sigprocmask { how, set } => self.sigprocmask(how, set),
            Request::Sigsuspend { mask } => self.sigsuspend(mask),
            Request::Sigpending => self.sigpending(),
            Request::Alarm { seconds } => self.alarm(seconds),
            Request::Signal { signal, handler } => self.signal(signal, handler),
            Request::Sigaction {
                signal,
                handler,
                flags,
            } => self.sigaction(signal, handler, flags),
            Request::Socket { domain, kind } => self.socket(domain, kind),
            Request::Socketpair { domain, kind } => self.socketpair(domain, kind),
            Request::Bind { fd, path } => self.bind(fd, &path),
            Request::Listen { fd, backlog } => self.listen(fd, backlog),
            Request::Accept { fd } => self.accept(fd),
            Request::Connect { fd, path } => self.connect(fd, &path),
            Request::Msgget { key, flags } => self.msgget(key, flags),
            Request::Msgsnd {
                msqid,
                mtype,
                data,
                flags,
            } => self.msgsnd(msqid, mtype, &data, flags),
            Request::Msgrcv {
                msqid,
                len,
                mtype,
                flags,
            } => self.msgrcv(msqid, len, mtype, flags),
            Request::Msgctl { msqid, cmd } => self.msgctl(msqid, cmd),
            Request::Shmget { key, size, flags } => self.shmget(key, size, flags),
            Request::Shmat { shmid } => self.shmat(shmid),
            Request::Shmdt { addr } | Request::Munmap { addr } => self.unmap(addr),
            Request::Shmctl { shmid, cmd } => self.shmctl(shmid, cmd),
            Request::Mmap {
                length,
                prot,
                flags,
                fd,
                offset,
            } => self.mmap(length, prot, flags, fd, offset),
            Request::ShmOpen { name, flags } => self.shm_open(&name, flags),
            Request::ShmUnlink { name } => self.shm_unlink(&name),
            Request::Ftruncate { fd, length } => self.ftruncate(fd, length),
            Request::Mailbox { capacity } => self.mailbox(capacity),
            Request::MailboxSend {
                mailbox: pid,
                message,
                direct: true,
                ..
            } => self.send_to_process(pid, message),
            Request::MailboxSend {
                mailbox,
                message,
                wait,
                ..
            } => self.mailbox_send(mailbox, message, wait),
            Request::MailboxReceive {
                mailbox: pid,
                wait,
                direct: true,
            } => self.receive_from_process(pid, wait),
            Request::MailboxReceive { mailbox, wait, .. } => self.mailbox_receive(mailbox, wait),
            request => self.unsupported(&request),
        }
    }

    /// A call this backend does not carry out: it fails with `ENOSYS`, and the supervisor
    /// is told so that the report names it (private or offset mappings are not modelled
    /// by the simulator either).
    pub(super) fn unsupported(&mut self, request: &Request) -> Reply {
        let call = match request {
            Request::Mmap { .. } => "mmap",
            Request::Unsupported { name } => name,
            _ => "an unknown call",
        };
        self.report(&Record::Unsupported {
            call: call.to_string(),
        });
        Reply::Error(Errno::ENOSYS as i32)
    }
}
