//! Regular files (`open(2)` with `O_CREAT`, `read(2)`, `write(2)`, `lseek(2)`): bytes in
//! memory, named in the namespace, read and written through open file descriptions whose
//! offset is shared by every descriptor that refers to them (after `fork` or `dup`), as
//! POSIX `open(2)` and `fork(2)` say. Permissions are not modelled: every file may be
//! read and written.

use super::files::OpenFile;
use super::kernel::{Kernel, Step};
use super::namespace::Node;
use crate::errno::{EBADF, EEXIST, EINVAL, EISDIR, EMFILE, ENOENT, ESPIPE};
use crate::outcome::FileRecord;
use crate::vm::{Reply, Value};

/// `O_CREAT`, `O_EXCL`, `O_TRUNC`, `O_APPEND` (Linux x86-64 values).
const O_CREAT: i32 = 0o100;
const O_EXCL: i32 = 0o200;
const O_TRUNC: i32 = 0o1000;
const O_APPEND: i32 = 0o2000;

/// `lseek`'s `whence`.
const SEEK_SET: i32 = 0;
const SEEK_CUR: i32 = 1;
const SEEK_END: i32 = 2;

/// One regular file's contents.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct RegularFile {
    /// The bytes.
    pub data: Vec<u8>,
}

/// An open file description of a regular file (`open(2)`): what `fork` and `dup` share.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Description {
    /// Index of the file.
    pub file: u32,
    /// The offset the next `read` or `write` starts at, in bytes.
    pub offset: u64,
    /// Opened for reading (`O_RDONLY` or `O_RDWR`).
    pub readable: bool,
    /// Opened for writing (`O_WRONLY` or `O_RDWR`).
    pub writable: bool,
    /// `O_APPEND`: every write goes to the end.
    pub append: bool,
    /// Descriptors referring to it, in every process.
    pub refs: u32,
}

/// The regular files `ipc` names at the end of a run, by path.
pub fn files_at_end(ipc: &super::ipc::Ipc) -> Vec<FileRecord> {
    (ipc.names.files())
        .map(|(path, f)| FileRecord {
            path: String::from_utf8_lossy(path).into_owned(),
            contents: ipc.files[f as usize].data.clone(),
        })
        .collect()
}

impl Kernel<'_> {
    /// Creates the regular file `path` holding `contents` (a `file` declaration of the
    /// scenario); a later declaration of the same path replaces the contents.
    pub(super) fn create_file(&mut self, path: &[u8], contents: &[u8]) {
        let file = RegularFile {
            data: contents.to_vec(),
        };
        match self.ipc.names.lookup(path) {
            Some(Node::File(f)) => self.ipc.files[f as usize] = file,
            _ => {
                let f = self.ipc.files.len() as u32;
                self.ipc.files.push(file);
                self.ipc.names.create(path, Node::File(f));
            }
        }
    }

    /// `open(path, flags)` of a path that names no FIFO or socket: the regular file,
    /// created with `O_CREAT` (`EEXIST` with `O_EXCL` if it exists), emptied with
    /// `O_TRUNC`; `ENOENT` if it does not exist and `O_CREAT` is not given.
    pub(super) fn open_regular(&mut self, p: u32, path: &[u8], flags: i32) -> Step {
        let (readable, writable) = match flags & 3 {
            0 => (true, false),
            1 => (false, true),
            2 => (true, true),
            _ => return Step::Reply(Reply::Error(EINVAL)),
        };
        if path.ends_with(b"/") {
            return Step::Reply(Reply::Error(EISDIR));
        }
        let file = match self.ipc.names.lookup(path) {
            Some(Node::File(_)) if flags & O_CREAT != 0 && flags & O_EXCL != 0 => {
                return Step::Reply(Reply::Error(EEXIST));
            }
            Some(Node::File(f)) => f,
            Some(_) => unreachable!("FIFOs and sockets are opened by their own code"),
            None if flags & O_CREAT == 0 => return Step::Reply(Reply::Error(ENOENT)),
            None => {
                let f = self.ipc.files.len() as u32;
                self.ipc.files.push(RegularFile::default());
                self.ipc.names.create(path, Node::File(f));
                f
            }
        };
        let Ok(fd) = self.table.live(p).fds.lowest_free() else {
            return Step::Reply(Reply::Error(EMFILE));
        };
        if flags & O_TRUNC != 0 && writable {
            self.ipc.files[file as usize].data.clear();
        }
        let d = self.ipc.descriptions.len() as u32;
        self.ipc.descriptions.push(Description {
            file,
            offset: 0,
            readable,
            writable,
            append: flags & O_APPEND != 0,
            refs: 0,
        });
        self.table.live(p).fds.install(fd, OpenFile::Regular(d));
        self.file_opened(OpenFile::Regular(d));
        Step::Reply(Reply::Value(Value::Int(fd.into())))
    }

    /// `read` through description `d`: up to `len` bytes from its offset, which moves on;
    /// none at the end of the file.
    pub(super) fn read_regular(&mut self, d: u32, len: usize) -> Step {
        let ipc = &mut *self.ipc;
        let desc = &mut ipc.descriptions[d as usize];
        if !desc.readable {
            return Step::Reply(Reply::Error(EBADF));
        }
        let data = &ipc.files[desc.file as usize].data;
        let start = (desc.offset as usize).min(data.len());
        let end = start.saturating_add(len).min(data.len());
        desc.offset += (end - start) as u64;
        Step::Reply(Reply::Data(data[start..end].to_vec()))
    }

    /// `write` through description `d`: at its offset (at the end with `O_APPEND`), the
    /// file growing as needed (a gap reads as zeros); the offset moves past the data.
    pub(super) fn write_regular(&mut self, d: u32, bytes: &[u8]) -> Step {
        let ipc = &mut *self.ipc;
        let desc = &mut ipc.descriptions[d as usize];
        if !desc.writable {
            return Step::Reply(Reply::Error(EBADF));
        }
        let data = &mut ipc.files[desc.file as usize].data;
        if desc.append {
            desc.offset = data.len() as u64;
        }
        let start = desc.offset as usize;
        let end = start + bytes.len();
        if data.len() < end {
            data.resize(end, 0);
        }
        data[start..end].copy_from_slice(bytes);
        desc.offset = end as u64;
        Step::Reply(Reply::Value(Value::Int(bytes.len() as i64)))
    }

    /// `lseek(fd, offset, whence)`: the new offset from the start, the current offset or
    /// the end; `ESPIPE` on pipes, sockets and the terminal, `EINVAL` for a negative result
    /// or an unknown `whence`.
    pub(super) fn lseek(&mut self, p: u32, fd: i32, offset: i64, whence: i32) -> Step {
        let d = match self.table.live(p).fds.get(fd) {
            Some(OpenFile::Regular(d)) => d,
            Some(_) => return Step::Reply(Reply::Error(ESPIPE)),
            None => return Step::Reply(Reply::Error(EBADF)),
        };
        let ipc = &mut *self.ipc;
        let desc = &mut ipc.descriptions[d as usize];
        let base = match whence {
            SEEK_SET => 0,
            SEEK_CUR => desc.offset as i64,
            SEEK_END => ipc.files[desc.file as usize].data.len() as i64,
            _ => return Step::Reply(Reply::Error(EINVAL)),
        };
        match base.checked_add(offset).filter(|&o| o >= 0) {
            Some(new) => {
                desc.offset = new as u64;
                Step::Reply(Reply::Value(Value::Int(new)))
            }
            None => Step::Reply(Reply::Error(EINVAL)),
        }
    }
}
