//! System V message queues on the real kernel: `msgget(2)`, `msgsnd(2)`, `msgrcv(2)`,
//! `msgctl(2)`. Queues the run creates are reported to the supervisor, which removes them
//! at the end.

use super::containment::SysvKind;
use super::handlers::caught;
use super::process::Process;
use super::record::Record;
use crate::vm::{Reply, Value};
use nix::errno::Errno;

impl Process<'_> {
    /// `msgget(key, flags)`. A queue this call creates (never one that existed before the
    /// run) is recorded for removal.
    pub(super) fn msgget(&mut self, key: i64, flags: i32) -> Reply {
        let key = key as libc::key_t;
        let creates = flags & libc::IPC_CREAT != 0;
        if creates && flags & libc::IPC_EXCL == 0 && key != libc::IPC_PRIVATE {
            // SAFETY: msgget(2) takes plain integers.
            let id = unsafe { libc::msgget(key, flags | libc::IPC_EXCL) };
            if id >= 0 {
                return self.created_queue(id);
            }
            // SAFETY: as above.
            let id = unsafe { libc::msgget(key, flags & !libc::IPC_CREAT) };
            return int_reply(id.into());
        }
        // SAFETY: msgget(2) takes plain integers.
        let id = unsafe { libc::msgget(key, flags) };
        // IPC_PRIVATE always makes a new queue.
        if id >= 0 && (creates || key == libc::IPC_PRIVATE) {
            return self.created_queue(id);
        }
        int_reply(id.into())
    }

    fn created_queue(&mut self, id: i32) -> Reply {
        self.report(&Record::Sysv {
            kind: SysvKind::MessageQueue,
            id,
        });
        Reply::Value(Value::Int(i64::from(id)))
    }

    /// `msgsnd(msqid, {mtype, data}, len, flags)`.
    pub(super) fn msgsnd(&mut self, msqid: i32, mtype: i64, data: &[u8], flags: i32) -> Reply {
        let mut message = mtype.to_ne_bytes().to_vec();
        message.extend_from_slice(data);
        loop {
            // SAFETY: `message` is a live buffer of a long and `data.len()` bytes of text.
            let result = unsafe { libc::msgsnd(msqid, message.as_ptr().cast(), data.len(), flags) };
            if result < 0 && Errno::last() == Errno::EINTR && !caught() {
                continue;
            }
            return int_reply(result.into());
        }
    }

    /// `msgrcv(msqid, buf, len, mtype, flags)`: the type (8 bytes, little-endian) then the
    /// text.
    pub(super) fn msgrcv(&mut self, msqid: i32, len: usize, mtype: i64, flags: i32) -> Reply {
        let mut message = vec![0u8; 8 + len];
        loop {
            // SAFETY: `message` is a live buffer of a long and `len` bytes the call fills.
            let n = unsafe {
                libc::msgrcv(
                    msqid,
                    message.as_mut_ptr().cast(),
                    len,
                    mtype as libc::c_long,
                    flags,
                )
            };
            if n < 0 && Errno::last() == Errno::EINTR && !caught() {
                continue;
            }
            if n < 0 {
                return Reply::Error(Errno::last() as i32);
            }
            let kind = i64::from_ne_bytes(message[..8].try_into().expect("8 bytes"));
            let mut data = kind.to_le_bytes().to_vec();
            data.extend_from_slice(&message[8..8 + n as usize]);
            return Reply::Data(data);
        }
    }

    /// `msgctl(msqid, cmd, NULL)`: `IPC_RMID` removes the queue; other commands do nothing.
    pub(super) fn msgctl(&mut self, msqid: i32, cmd: i32) -> Reply {
        if cmd != libc::IPC_RMID {
            return Reply::Value(Value::ZERO);
        }
        // SAFETY: IPC_RMID takes no buffer.
        int_reply(unsafe { libc::msgctl(msqid, libc::IPC_RMID, std::ptr::null_mut()) }.into())
    }
}

/// A `-1`-or-value result as a reply.
fn int_reply(result: i64) -> Reply {
    if result < 0 {
        Reply::Error(Errno::last() as i32)
    } else {
        Reply::Value(Value::Int(result))
    }
}
