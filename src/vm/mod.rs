//! One process's program state (threads' frames, memory, stdio buffers, `atexit` list) and
//! the interpreter that advances it from one system call to the next.
//!
//! The VM knows nothing of other processes: whatever needs the kernel becomes a [`Request`]
//! that the simulated kernel (`kernel::sim`) or the real one (`kernel::os`) answers. A [`Vm`]
//! is cheap to clone (`fork`: memory objects are shared copy-on-write) and hashable (the
//! explorer's state store).

mod fault;
mod request;
mod value;

pub use fault::{FaultKind, RuntimeFault};
pub use request::{Reply, Request};
pub use value::{Ptr, RegionId, Value};

use crate::ir::Image;
use std::rc::Rc;

/// How a stdio stream buffers, as `setvbuf(3)` describes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BufMode {
    /// Flush at each newline (glibc's default for a terminal).
    Line,
    /// Flush when 4096 bytes are buffered (glibc's default for a pipe or file).
    Full,
    /// Write every call through at once (glibc's default for `stderr`).
    Unbuffered,
}

/// Settings the VM takes from the scenario's `config` and the command line.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct VmConfig {
    /// Buffering of `stdout` while it is a terminal (`config { stdout = full; }` behaves as
    /// when the output goes to a pipe).
    pub stdout: BufMode,
    /// Buffering of `stderr` while it is a terminal.
    pub stderr: BufMode,
    /// Size of a fully buffered stream's buffer in bytes (glibc: 4096 for pipes).
    pub buffer_size: usize,
    /// Deepest call nesting before a stack-overflow fault (`SIGSEGV`).
    pub max_call_depth: usize,
    /// Most bytes of memory objects one process may hold; `malloc` beyond returns `NULL`,
    /// a frame beyond is a stack overflow.
    pub max_memory: usize,
}

impl Default for VmConfig {
    fn default() -> Self {
        VmConfig {
            stdout: BufMode::Line,
            stderr: BufMode::Unbuffered,
            buffer_size: 4096,
            max_call_depth: 10_000,
            max_memory: 64 << 20,
        }
    }
}

/// What the kernel lends the VM while it runs: access to shared memory objects.
pub trait Env {
    /// The bytes of shared object `object` (a System V segment, a `MAP_SHARED` mapping), or
    /// `None` if it no longer exists (the access faults).
    fn shared(&mut self, object: u32) -> Option<&mut [u8]>;
}

/// An [`Env`] with no shared memory, for processes that never attach any.
pub struct NoEnv;

impl Env for NoEnv {
    fn shared(&mut self, _object: u32) -> Option<&mut [u8]> {
        None
    }
}

/// Why [`Vm::run`] stopped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// The thread now waits at this request (also available as [`Vm::pending`]).
    Request(Request),
    /// The thread's code faulted; the process dies with the fault's signal. The request
    /// [`Request::Die`] is pending.
    Fault(RuntimeFault),
    /// The step budget ran out in local computation (e.g. `while (1);` on a private
    /// variable); the thread can be run again.
    Budget,
}

/// The program state of one process: its threads, memory objects, stdio buffers and image.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Vm {
    image: ImageRef,
    // Implementation state lives in the interpreter modules.
}

/// An image compared and hashed by identity (one `Rc` per program of a scenario).
#[derive(Clone, Debug)]
pub struct ImageRef(pub Rc<Image>);

impl PartialEq for ImageRef {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for ImageRef {}

impl std::hash::Hash for ImageRef {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        (Rc::as_ptr(&self.0) as usize).hash(state);
    }
}

impl Vm {
    /// A new process image running `image` from its entry with `argv` (`argv[0]` first).
    /// One thread (index 0), ready to run.
    pub fn new(image: Rc<Image>, argv: Vec<Vec<u8>>, config: &VmConfig) -> Vm {
        let _ = (argv, config);
        Vm {
            image: ImageRef(image),
        }
    }

    /// Runs thread `thread` from where it is until it needs the kernel, faults, or spends
    /// `budget` instructions (decremented as it goes).
    ///
    /// Must not be called while a request is pending (answer it with [`Vm::resume`] first).
    pub fn run(&mut self, thread: usize, env: &mut dyn Env, budget: &mut u64) -> Event {
        let _ = (thread, env, budget);
        unimplemented!("interpreter")
    }

    /// The request thread `thread` waits at, if any.
    pub fn pending(&self, thread: usize) -> Option<&Request> {
        let _ = thread;
        None
    }

    /// Answers the pending request of thread `thread`: the call returns (writing results such
    /// as the wait status or read bytes into the memory the call was given).
    pub fn resume(&mut self, thread: usize, reply: Reply) {
        let _ = (thread, reply);
    }

    /// Replaces the program (successful `exec`): new memory, new stdio buffers (unflushed
    /// output is lost, as `execve(2)` discards user space), one thread at the entry of
    /// `image` with `argv`.
    pub fn exec(&mut self, image: Rc<Image>, argv: Vec<Vec<u8>>) {
        let _ = argv;
        self.image = ImageRef(image);
    }

    /// Tells the C library whether `fd` is a terminal, as `isatty` would answer; stdio picks a
    /// stream's buffering from this at its first output.
    pub fn set_tty(&mut self, fd: i32, is_tty: bool) {
        let _ = (fd, is_tty);
    }

    /// The image this process runs.
    pub fn image(&self) -> &Rc<Image> {
        &self.image.0
    }

    /// Number of threads (1 unless the process called `pthread_create`).
    pub fn threads(&self) -> usize {
        1
    }

    /// The value of variable `name` as a scalar: a global of the image, or a local of the
    /// outermost frame of thread 0 (`main`'s locals). `None` if there is no such scalar.
    pub fn variable(&self, name: &str) -> Option<i64> {
        let _ = name;
        None
    }
}
