//! Shared memory: System V segments (`shmget(2)`, `shmat(2)`, `shmdt(2)`, `shmctl(2)`),
//! POSIX objects (`shm_open(3)`, `ftruncate(2)`, `mmap(2)`, `munmap(2)`, `shm_unlink(3)`)
//! and anonymous shared mappings: byte objects the kernel owns and lends to the VM.
//!
//! A process maps an object with [`crate::vm::Vm::attach_shared`]; every load and store
//! through the mapping is a [`crate::vm::Request::Shared`] scheduling point, and `fork`
//! keeps the mapping (the child's VM holds the same object id).

use super::files::OpenFile;
use super::ipc::Ipc;
use super::kernel::{Kernel, Step};
use super::shared::Shared;
use crate::errno::{EACCES, EBADF, EEXIST, EINVAL, EMFILE, ENOENT, ENOMEM};
use crate::vm::{Env, Reply, Value};
use std::collections::BTreeMap;

/// `IPC_CREAT` (`shmget`).
pub const IPC_CREAT: i32 = 0o1000;
/// `IPC_EXCL` (`shmget`).
pub const IPC_EXCL: i32 = 0o2000;
/// `IPC_RMID`.
pub const IPC_RMID: i32 = 0;
/// `O_CREAT` (`shm_open`).
pub const O_CREAT: i32 = 0o100;
/// `O_EXCL` (`shm_open`).
pub const O_EXCL: i32 = 0o200;
/// `O_TRUNC` (`shm_open`).
pub const O_TRUNC: i32 = 0o1000;
/// `O_RDWR` (`shm_open`).
pub const O_RDWR: i32 = 2;
/// `PROT_WRITE`.
pub const PROT_WRITE: i32 = 2;
/// `MAP_SHARED`.
pub const MAP_SHARED: i32 = 1;
/// `MAP_ANONYMOUS`.
pub const MAP_ANONYMOUS: i32 = 0x20;
/// Largest object in bytes (the VM's offsets are 32-bit).
pub const MAX_SIZE: u64 = 1 << 30;

/// The bytes of every shared object; an object id indexes `objects`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct SharedMemory {
    /// Object bytes by id. Objects are never freed during a run: a removed segment stays
    /// readable through the mappings that still exist, as on Linux.
    pub objects: Vec<Vec<u8>>,
    /// System V segments: `(key, object, removed)` by shmid.
    segments: Vec<(i64, u32, bool)>,
    keys: BTreeMap<i64, u32>,
    names: BTreeMap<Vec<u8>, u32>,
}

impl SharedMemory {
    /// A new zeroed object of `size` bytes; its id.
    pub fn create(&mut self, size: usize) -> u32 {
        self.objects.push(vec![0; size]);
        self.objects.len() as u32 - 1
    }
}

impl Env for SharedMemory {
    fn shared(&mut self, object: u32) -> Option<&mut [u8]> {
        self.objects.get_mut(object as usize).map(Vec::as_mut_slice)
    }
}

/// The kernel's IPC state lent to a running VM: copied (when shared with other states of an
/// exploration) only once the VM touches a shared object.
impl Env for Shared<Ipc> {
    fn shared(&mut self, object: u32) -> Option<&mut [u8]> {
        self.shm.shared(object)
    }
}

/// The arguments of `mmap(NULL, length, prot, flags, fd, offset)`.
#[derive(Clone, Copy, Debug)]
pub struct Mmap {
    /// Bytes.
    pub length: u64,
    /// `PROT_READ | PROT_WRITE`.
    pub prot: i32,
    /// `MAP_SHARED`, `MAP_ANONYMOUS`.
    pub flags: i32,
    /// The descriptor.
    pub fd: i32,
    /// Offset into the object.
    pub offset: i64,
}

fn ok(n: i64) -> Step {
    Step::Reply(Reply::Value(Value::Int(n)))
}

fn error(errno: i32) -> Step {
    Step::Reply(Reply::Error(errno))
}

/// The name `shm_open` uses: glibc strips leading slashes (`/OS` and `OS` are one object).
fn shm_name(name: &[u8]) -> Vec<u8> {
    let start = name.iter().position(|&b| b != b'/').unwrap_or(name.len());
    name[start..].to_vec()
}

impl Kernel<'_> {
    /// `shmget(key, size, shmflg)`: a new zeroed segment for `IPC_PRIVATE` or a new key with
    /// `IPC_CREAT`, else the key's segment (`EINVAL` if smaller than `size`).
    pub(super) fn shmget(&mut self, key: i64, size: u64, flags: i32) -> Step {
        let shm = &mut self.ipc.shm;
        if key != 0 {
            match shm.keys.get(&key).copied() {
                Some(_) if flags & IPC_CREAT != 0 && flags & IPC_EXCL != 0 => return error(EEXIST),
                Some(id) => {
                    let object = shm.segments[id as usize].1;
                    let big_enough = shm.objects[object as usize].len() as u64 >= size;
                    return if big_enough {
                        ok(id.into())
                    } else {
                        error(EINVAL)
                    };
                }
                None if flags & IPC_CREAT == 0 => return error(ENOENT),
                None => {}
            }
        }
        if size == 0 || size > MAX_SIZE {
            return error(if size == 0 { EINVAL } else { ENOMEM });
        }
        let object = shm.create(size as usize);
        let id = shm.segments.len() as u32;
        shm.segments.push((key, object, false));
        if key != 0 {
            shm.keys.insert(key, id);
        }
        ok(id.into())
    }

    /// `shmat(shmid, NULL, 0)`: maps the segment into `p`; the pointer is the reply.
    pub(super) fn shmat(&mut self, p: u32, shmid: i32) -> Step {
        let segment = usize::try_from(shmid)
            .ok()
            .and_then(|i| self.ipc.shm.segments.get(i));
        let Some(&(_, object, false)) = segment else {
            return error(EINVAL);
        };
        let size = self.ipc.shm.objects[object as usize].len() as u32;
        let ptr = self.table.live(p).vm.attach_shared(object, size);
        Step::Reply(Reply::Value(Value::Ptr(ptr)))
    }

    /// `shmdt(addr)` and `munmap(addr, length)`: unmaps the mapping starting at `addr`.
    pub(super) fn unmap(&mut self, p: u32, addr: Value) -> Step {
        let Value::Ptr(ptr) = addr else {
            return error(EINVAL);
        };
        match self.table.live(p).vm.detach_shared(ptr) {
            Some(_) => ok(0),
            None => error(EINVAL),
        }
    }

    /// `shmctl(shmid, cmd, buf)`: `IPC_RMID` removes the key and id (mappings stay usable);
    /// other commands succeed without touching `buf`.
    pub(super) fn shmctl(&mut self, shmid: i32, cmd: i32) -> Step {
        let shm = &mut self.ipc.shm;
        let segment = usize::try_from(shmid)
            .ok()
            .and_then(|i| shm.segments.get_mut(i));
        let Some(segment) = segment.filter(|s| !s.2) else {
            return error(EINVAL);
        };
        if cmd == IPC_RMID {
            segment.2 = true;
            let key = segment.0;
            if key != 0 {
                shm.keys.remove(&key);
            }
        }
        ok(0)
    }

    /// `shm_open(name, oflag, mode)`: a descriptor on the named object (created empty with
    /// `O_CREAT`).
    pub(super) fn shm_open(&mut self, p: u32, name: &[u8], flags: i32) -> Step {
        let name = shm_name(name);
        let shm = &mut self.ipc.shm;
        let object = match shm.names.get(&name).copied() {
            Some(_) if flags & O_CREAT != 0 && flags & O_EXCL != 0 => return error(EEXIST),
            Some(object) => object,
            None if flags & O_CREAT == 0 => return error(ENOENT),
            None => {
                let object = shm.create(0);
                shm.names.insert(name, object);
                object
            }
        };
        if flags & O_TRUNC != 0 {
            shm.objects[object as usize].clear();
        }
        let fds = &mut self.table.live(p).fds;
        let Ok(fd) = fds.lowest_free() else {
            return error(EMFILE);
        };
        let writable = flags & 3 == O_RDWR;
        fds.install(fd, OpenFile::Shm { object, writable });
        ok(fd.into())
    }

    /// `shm_unlink(name)`: the name goes; descriptors and mappings stay usable.
    pub(super) fn shm_unlink(&mut self, name: &[u8]) -> Step {
        match self.ipc.shm.names.remove(&shm_name(name)) {
            Some(_) => ok(0),
            None => error(ENOENT),
        }
    }

    /// `ftruncate(fd, length)` on a shared memory object: new bytes are zero.
    pub(super) fn ftruncate(&mut self, p: u32, fd: i32, length: i64) -> Step {
        match self.table.live(p).fds.get(fd) {
            None => error(EBADF),
            Some(OpenFile::Shm { object, .. }) => match u64::try_from(length) {
                Ok(n) if n <= MAX_SIZE => {
                    self.ipc.shm.objects[object as usize].resize(n as usize, 0);
                    ok(0)
                }
                _ => error(EINVAL),
            },
            Some(_) => error(EINVAL),
        }
    }

    /// `mmap(NULL, length, prot, flags, fd, offset)`: `MAP_SHARED` of a shared memory
    /// object (from its start) or `MAP_SHARED | MAP_ANONYMOUS` (a new zeroed object).
    /// `PROT_WRITE` on a descriptor not opened `O_RDWR` fails with `EACCES` (`mmap(2)`);
    /// otherwise protection is not enforced. Private mappings are not simulated (`EINVAL`).
    pub(super) fn mmap(&mut self, p: u32, map: &Mmap) -> Step {
        let Mmap {
            length,
            prot,
            flags,
            fd,
            offset,
        } = *map;
        if length == 0 || length > MAX_SIZE || offset != 0 || flags & MAP_SHARED == 0 {
            return error(EINVAL);
        }
        let object = if flags & MAP_ANONYMOUS != 0 {
            self.ipc.shm.create(length as usize)
        } else {
            match self.table.live(p).fds.get(fd) {
                Some(OpenFile::Shm {
                    writable: false, ..
                }) if prot & PROT_WRITE != 0 => return error(EACCES),
                Some(OpenFile::Shm { object, .. }) => object,
                Some(_) => return error(EINVAL),
                None => return error(EBADF),
            }
        };
        let ptr = self.table.live(p).vm.attach_shared(object, length as u32);
        Step::Reply(Reply::Value(Value::Ptr(ptr)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_ignore_leading_slashes() {
        assert_eq!(shm_name(b"/OS"), b"OS");
        assert_eq!(shm_name(b"OS"), b"OS");
        assert_eq!(shm_name(b"//"), b"");
    }

    #[test]
    fn objects_are_lent_by_id() {
        let mut shm = SharedMemory::default();
        let a = shm.create(4);
        let b = shm.create(2);
        shm.shared(a).unwrap()[3] = 7;
        assert_eq!(shm.objects[a as usize], [0, 0, 0, 7]);
        assert_eq!(shm.shared(b).map(|s| s.len()), Some(2));
        assert!(shm.shared(9).is_none());
    }
}
