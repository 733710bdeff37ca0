//! Shared memory on the real kernel: System V segments (`shmget(2)`, `shmat(2)`,
//! `shmdt(2)`, `shmctl(2)`) and `mmap(2)` of `MAP_SHARED | MAP_ANONYMOUS` (of POSIX objects:
//! `posix_shm`). The memory is
//! really mapped into the interpreter, so a `fork` shares it as in C; the VM reaches it
//! through [`Mappings`], its [`Env`].

use super::containment::SysvKind;
use super::process::Process;
use super::record::Record;
use crate::vm::{Env, Reply, Request, Value};
use nix::errno::Errno;

/// What this process has mapped, by the object id the VM knows it by.
#[derive(Debug, Default)]
pub struct Mappings {
    objects: Vec<Option<Mapping>>,
}

/// One real mapping.
#[derive(Clone, Copy, Debug)]
struct Mapping {
    start: *mut u8,
    len: usize,
    sysv: bool,
}

impl Env for Mappings {
    fn shared(&mut self, object: u32) -> Option<&mut [u8]> {
        let mapping = self.objects.get(object as usize).copied().flatten()?;
        // SAFETY: the mapping stays in place until `shmdt`/`munmap` clears its entry; other
        // processes change its bytes concurrently, as shared memory does in C, and the VM
        // holds this slice only for one access.
        Some(unsafe { std::slice::from_raw_parts_mut(mapping.start, mapping.len) })
    }
}

impl Mappings {
    /// The real address of bytes `offset..offset + len` of mapped object `object`; `None`
    /// if it is not mapped or the bytes run past its end.
    pub(super) fn address(&self, object: u32, offset: u32, len: usize) -> Option<*mut u8> {
        let mapping = self.objects.get(object as usize).copied().flatten()?;
        let end = (offset as usize).checked_add(len)?;
        // SAFETY: `offset + len` is within the mapping, so the pointer stays inside it.
        (end <= mapping.len).then(|| unsafe { mapping.start.add(offset as usize) })
    }
}

impl Process<'_> {
    /// `shmget(key, size, flags)`; a segment this call creates is recorded for removal.
    pub(super) fn shmget(&mut self, key: i64, size: u64, flags: i32) -> Reply {
        let key = key as libc::key_t;
        let size = size as usize;
        let get = |flags: i32| {
            // SAFETY: shmget(2) takes plain integers.
            unsafe { libc::shmget(key, size, flags) }
        };
        let creates = flags & libc::IPC_CREAT != 0;
        let exclusive = flags & libc::IPC_EXCL != 0;
        let (id, made) = if key == libc::IPC_PRIVATE || (creates && exclusive) {
            let id = get(flags);
            (id, id >= 0 && (creates || key == libc::IPC_PRIVATE))
        } else if creates {
            // Created here only if it did not exist: never remove a host's segment.
            match get(flags | libc::IPC_EXCL) {
                -1 => (get(flags & !libc::IPC_CREAT), false),
                id => (id, true),
            }
        } else {
            (get(flags), false)
        };
        if id < 0 {
            return Reply::Error(Errno::last() as i32);
        }
        if made {
            self.report(&Record::Sysv {
                kind: SysvKind::SharedMemory,
                id,
            });
        }
        Reply::Value(Value::Int(i64::from(id)))
    }

    /// `shmat(shmid, NULL, 0)`.
    pub(super) fn shmat(&mut self, shmid: i32) -> Reply {
        // SAFETY: shmid_ds is plain data; IPC_STAT fills it.
        let mut info: libc::shmid_ds = unsafe { std::mem::zeroed() };
        // SAFETY: `info` is a live shmid_ds the call writes.
        if unsafe { libc::shmctl(shmid, libc::IPC_STAT, &mut info) } < 0 {
            return Reply::Error(Errno::last() as i32);
        }
        // SAFETY: a null address lets the kernel choose where to map; nothing of ours is
        // there.
        let start = unsafe { libc::shmat(shmid, std::ptr::null(), 0) };
        if start as isize == -1 {
            return Reply::Error(Errno::last() as i32);
        }
        self.attach(start.cast(), info.shm_segsz, true)
    }

    /// `mmap(NULL, length, prot, flags, fd, 0)`: a `MAP_SHARED | MAP_ANONYMOUS` mapping
    /// (readable and writable), or a `MAP_SHARED` mapping of a shared memory object or any
    /// file (`fd` from `shm_open`), whose `prot` the kernel enforces (`PROT_WRITE` on a
    /// read-only descriptor fails with `EACCES`). Private mappings and offsets are refused
    /// as not carried out, as the simulator does not model them.
    pub(super) fn mmap(
        &mut self,
        length: u64,
        prot: i32,
        flags: i32,
        fd: i32,
        offset: i64,
    ) -> Reply {
        let anonymous = flags & libc::MAP_ANONYMOUS != 0;
        if flags & libc::MAP_SHARED == 0 || (!anonymous && offset != 0) {
            return self.unsupported(&Request::Mmap {
                length,
                prot,
                flags,
                fd,
                offset,
            });
        }
        if length == 0 || length > u64::from(u32::MAX) {
            return Reply::Error(Errno::EINVAL as i32);
        }
        let (prot, flags, fd) = if anonymous {
            let both = libc::PROT_READ | libc::PROT_WRITE;
            (both, libc::MAP_SHARED | libc::MAP_ANONYMOUS, -1)
        } else {
            (
                prot & (libc::PROT_READ | libc::PROT_WRITE),
                libc::MAP_SHARED,
                fd,
            )
        };
        let len = length as usize;
        // SAFETY: a fresh shared mapping at an address the kernel chooses.
        let start = unsafe { libc::mmap(std::ptr::null_mut(), len, prot, flags, fd, 0) };
        if start == libc::MAP_FAILED {
            return Reply::Error(Errno::last() as i32);
        }
        self.attach(start.cast(), len, false)
    }

    pub(super) fn attach(&mut self, start: *mut u8, len: usize, sysv: bool) -> Reply {
        let object = self.mappings.objects.len() as u32;
        self.mappings
            .objects
            .push(Some(Mapping { start, len, sysv }));
        Reply::Value(Value::Ptr(self.vm.attach_shared(object, len as u32)))
    }

    /// `shmdt(addr)` and `munmap(addr, length)`: unmaps the mapping that starts at `addr`.
    pub(super) fn unmap(&mut self, addr: Value) -> Reply {
        let Value::Ptr(ptr) = addr else {
            return Reply::Error(Errno::EINVAL as i32);
        };
        let Some(object) = self.vm.detach_shared(ptr) else {
            return Reply::Error(Errno::EINVAL as i32);
        };
        let Some(mapping) = self
            .mappings
            .objects
            .get_mut(object as usize)
            .and_then(Option::take)
        else {
            return Reply::Error(Errno::EINVAL as i32);
        };
        // SAFETY: the VM no longer refers to the object (detached above), and `start` and
        // `len` are what shmat/mmap gave.
        unsafe {
            if mapping.sysv {
                libc::shmdt(mapping.start.cast());
            } else {
                libc::munmap(mapping.start.cast(), mapping.len);
            }
        }
        Reply::Value(Value::ZERO)
    }

    /// `shmctl(shmid, cmd, buf)`: `IPC_RMID` removes the segment (mappings stay usable);
    /// other commands succeed without touching `buf`.
    pub(super) fn shmctl(&mut self, shmid: i32, cmd: i32) -> Reply {
        if cmd != libc::IPC_RMID {
            return Reply::Value(Value::ZERO);
        }
        // SAFETY: IPC_RMID takes no buffer.
        if unsafe { libc::shmctl(shmid, libc::IPC_RMID, std::ptr::null_mut()) } < 0 {
            return Reply::Error(Errno::last() as i32);
        }
        Reply::Value(Value::ZERO)
    }
}
