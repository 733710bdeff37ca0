//! The contract between a process's program state and a kernel: what the VM asks for
//! ([`Request`], a scheduling point) and what the kernel answers ([`Reply`]).

use super::value::Value;

/// A system call or shared-memory access the VM cannot do by itself.
///
/// When [`super::Vm::run`] returns a request, the thread stays *at* it (it is part of the
/// thread's state, see [`super::Vm::pending`]) until the kernel answers with
/// [`super::Vm::resume`]. A kernel may wait before answering (the call blocks: a `wait` with
/// live children, a `read` of an empty pipe) and the explorer may choose which pending request
/// to perform next: each one is a scheduling point.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Request {
    /// `fork()` (`name`: the `spawn` name, if any). The kernel clones the VM: the parent is
    /// resumed with [`Reply::Pid`] of the child, the child with `Reply::Value(0)`.
    Fork {
        /// `Some` for `spawn name { }`.
        name: Option<String>,
    },
    /// `_exit(status)`: the process terminates now. Never resumed. (`exit` runs `atexit`
    /// handlers and flushes stdio in the VM first, then asks for this.)
    Exit {
        /// The low 8 bits are what `WEXITSTATUS` sees.
        status: i32,
    },
    /// The process kills itself with a signal (`abort` → `SIGABRT`, a fault → `SIGSEGV` or
    /// `SIGFPE`). Never resumed.
    Die {
        /// The signal number.
        signal: i32,
    },
    /// `waitpid(pid, &status, options)`; `wait(&s)` is `pid = -1, options = 0`. Answered with
    /// [`Reply::Waited`] or an error (`ECHILD`); blocks while children live and `WNOHANG` is
    /// not set (then answers `Reply::Value(0)`).
    Wait {
        /// `-1` any child, `> 0` that child, `0`/`< -1` a process group (treated as any child).
        pid: i64,
        /// `WNOHANG` (1) and friends.
        options: i32,
    },
    /// `exec*`: replace the program. On success the kernel calls [`super::Vm::exec`] instead
    /// of resuming; on failure it resumes with `Reply::Error(ENOENT)` and the code after the
    /// call runs (POSIX `exec(3)`).
    Exec {
        /// The path or (with `search_path`) file name.
        path: Vec<u8>,
        /// The argument vector, `argv[0]` first.
        argv: Vec<Vec<u8>>,
        /// `execlp`/`execvp`: search `/bin` and `/usr/bin` for a bare name.
        search_path: bool,
    },
    /// `getpid()`, answered with [`Reply::Pid`].
    Getpid,
    /// `getppid()`, answered with [`Reply::Pid`] (1 once orphaned and adopted by init).
    Getppid,
    /// `sleep(seconds)` / `usleep`: block for virtual time (simulator) or real time (os).
    Sleep {
        /// Duration in microseconds.
        micros: u64,
    },
    /// `write(fd, data)`, also every stdio flush. Answered with the count written.
    Write {
        /// The file descriptor.
        fd: i32,
        /// The bytes.
        data: Vec<u8>,
    },
    /// `read(fd, buf, len)`: answered with [`Reply::Data`] (the VM copies the bytes into the
    /// buffer it remembers) or an error.
    Read {
        /// The file descriptor.
        fd: i32,
        /// At most this many bytes.
        len: usize,
    },
    /// `close(fd)`.
    Close {
        /// The file descriptor.
        fd: i32,
    },
    /// `pipe(fds)`: answered with [`Reply::Fds`].
    Pipe,
    /// `dup(fd)`.
    Dup {
        /// The descriptor to duplicate.
        fd: i32,
    },
    /// `dup2(old, new)`.
    Dup2 {
        /// The descriptor to duplicate.
        old: i32,
        /// The descriptor number to (re)use.
        new: i32,
    },
    /// `isatty(fd)`: 1 or 0 (with `ENOTTY`).
    Isatty {
        /// The file descriptor.
        fd: i32,
    },
    /// The thread is about to touch shared memory (`len` bytes at `offset` of shared object
    /// `object`): a scheduling point. Answered with `Reply::Value(0)`; the VM then performs the
    /// access itself through [`super::Env::shared`].
    Shared {
        /// Kernel id of the shared object.
        object: u32,
        /// First byte touched.
        offset: u32,
        /// Bytes touched.
        len: u32,
        /// Whether the access writes.
        write: bool,
    },
    /// A system call in the catalogue that this kernel does not implement yet; answered with
    /// `Reply::Error(ENOSYS)` so the scenario sees a failing call rather than a crash.
    Unsupported {
        /// The C name.
        name: &'static str,
    },
}

/// The kernel's answer to a [`Request`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Reply {
    /// Success with this return value.
    Value(Value),
    /// Success returning a pid (tagged so outputs can be compared up to pid numbering).
    Pid(i64),
    /// Failure: the call returns -1 (or `NULL`/`MAP_FAILED`) and sets `errno`.
    Error(i32),
    /// `wait`/`waitpid` reaped `pid`, whose wait status is `status` (as `WEXITSTATUS` etc.
    /// decode it: `exit code << 8`, or the signal number).
    Waited {
        /// The reaped child.
        pid: i64,
        /// The encoded wait status.
        status: i32,
    },
    /// `read` returned these bytes (empty = end of file).
    Data(Vec<u8>),
    /// `pipe`/`socketpair` made these two descriptors.
    Fds(i32, i32),
}
