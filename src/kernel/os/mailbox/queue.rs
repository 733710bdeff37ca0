//! The System V calls mailboxes are made of besides sending and receiving
//! ([`super::super::msgqueue`]): the run's keys, `msgctl(2)` to read and size a queue.

use nix::errno::Errno;
use std::sync::OnceLock;

/// The key of the run's queue number `n` of `kind` (0: mailboxes by id, 1: processes by
/// pid), from the supervisor's pid and start time: the same in every process of the run,
/// different for concurrent runs and for a later `scn` given the same pid. Never
/// `IPC_PRIVATE` (0).
pub(super) fn key(supervisor: i64, kind: u64, n: i64) -> libc::key_t {
    // splitmix64 over the four numbers.
    let mut x = 0x5c4e_6d61_696c_626fu64;
    for part in [supervisor as u64, started(supervisor), kind, n as u64] {
        x = (x ^ part).wrapping_add(0x9e37_79b9_7f4a_7c15);
        x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        x ^= x >> 31;
    }
    (x as u32 & 0x7fff_ffff).max(1) as libc::key_t
}

/// When process `pid` started (`/proc/<pid>/stat` field 22, clock ticks after boot; 0 if
/// unknown), read once per process: the supervisor is the same for the whole run.
fn started(pid: i64) -> u64 {
    static STARTED: OnceLock<u64> = OnceLock::new();
    *STARTED.get_or_init(|| {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        let fields = stat.rfind(')').map_or("", |i| &stat[i + 1..]);
        (fields.split_whitespace().nth(19))
            .and_then(|f| f.parse().ok())
            .unwrap_or(0)
    })
}

/// `msgctl(IPC_STAT)` of queue `msqid`.
pub(super) fn queue_stat(msqid: i32) -> Result<libc::msqid_ds, Errno> {
    // SAFETY: msqid_ds is plain integers, for which all zeroes is a valid value.
    let mut stat: libc::msqid_ds = unsafe { std::mem::zeroed() };
    // SAFETY: `stat` is a live msqid_ds the call fills.
    Errno::result(unsafe { libc::msgctl(msqid, libc::IPC_STAT, &mut stat) })?;
    Ok(stat)
}

/// Sets the most bytes queue `msqid` holds (`msgctl(IPC_SET)`; above `MSGMNB` only with
/// `CAP_SYS_RESOURCE`).
pub(super) fn set_queue_bytes(msqid: i32, bytes: u64) -> Result<(), Errno> {
    let mut stat = queue_stat(msqid)?;
    stat.msg_qbytes = bytes;
    // SAFETY: `stat` is a live msqid_ds the call reads.
    Errno::result(unsafe { libc::msgctl(msqid, libc::IPC_SET, &mut stat) }).map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_differ_by_run_kind_and_number_and_are_never_private() {
        let keys = [key(10, 0, 1), key(10, 0, 2), key(10, 1, 1), key(11, 0, 1)];
        for (i, a) in keys.iter().enumerate() {
            assert_ne!(*a, libc::IPC_PRIVATE);
            assert!(keys[i + 1..].iter().all(|b| b != a), "{keys:?}");
        }
    }
}
