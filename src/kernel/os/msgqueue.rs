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
        match post(msqid, mtype, data, flags) {
            Ok(()) => Reply::Value(Value::ZERO),
            Err(errno) => Reply::Error(errno as i32),
        }
    }

    /// `msgrcv(msqid, buf, len, mtype, flags)`: the type (8 bytes, little-endian) then the
    /// text.
    pub(super) fn msgrcv(&mut self, msqid: i32, len: usize, mtype: i64, flags: i32) -> Reply {
        match take(msqid, mtype, len, flags) {
            Ok((kind, text)) => {
                let mut data = kind.to_le_bytes().to_vec();
                data.extend_from_slice(&text);
                Reply::Data(data)
            }
            Err(errno) => Reply::Error(errno as i32),
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

/// `msgsnd(2)` of a message of type `mtype` with `text`. A call interrupted by a caught
/// signal fails with `EINTR` (the caller's signal handling decides whether it is made
/// again); an interruption that caught nothing is retried.
pub(super) fn post(msqid: i32, mtype: i64, text: &[u8], flags: i32) -> Result<(), Errno> {
    let mut message = mtype.to_ne_bytes().to_vec();
    message.extend_from_slice(text);
    loop {
        // SAFETY: `message` is a live buffer of a long and `text.len()` bytes of text.
        let result = unsafe { libc::msgsnd(msqid, message.as_ptr().cast(), text.len(), flags) };
        match Errno::result(result) {
            Err(Errno::EINTR) if !caught() => continue,
            result => return result.map(drop),
        }
    }
}

/// `msgrcv(2)` of the first message that `mtype` selects, at most `len` bytes of text:
/// its type and text. Interruptions as in [`post`].
pub(super) fn take(
    msqid: i32,
    mtype: i64,
    len: usize,
    flags: i32,
) -> Result<(i64, Vec<u8>), Errno> {
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
        match Errno::result(n) {
            Err(Errno::EINTR) if !caught() => continue,
            Err(errno) => return Err(errno),
            Ok(n) => {
                let kind = i64::from_ne_bytes(message[..8].try_into().expect("8 bytes"));
                return Ok((kind, message[8..8 + n as usize].to_vec()));
            }
        }
    }
}
