//! One process's program state (threads' frames, memory, stdio buffers, `atexit` list) and
//! the interpreter that advances it from one system call to the next.
//!
//! The VM knows nothing of other processes: whatever needs the kernel becomes a [`Request`]
//! that the simulated kernel (`kernel::sim`) or the real one (`kernel::os`) answers. A [`Vm`]
//! is cheap to clone (`fork`: memory objects are shared copy-on-write) and hashable (the
//! explorer's state store).

mod arith;
mod call;
mod exit;
mod fault;
mod format;
mod interp;
mod ipc;
mod libc;
mod memory;
mod pthread;
mod region;
mod request;
mod sigmask;
mod stdio;
mod syscall;
mod thread;
mod value;

pub use fault::{FaultKind, RuntimeFault};
pub use pthread::thread_id;
pub use request::{Reply, Request};
pub use value::{Ptr, RegionId, Value};

use crate::ir::{GlobalInit, Image, Place, Scalar};
use memory::{Memory, Region, RegionKind};
use smallvec::SmallVec;
use std::rc::Rc;
use stdio::Stdio;
use thread::{Frame, Job, OnReturn, Thread};

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
    config: VmConfig,
    threads: SmallVec<[Thread; 1]>,
    memory: Memory,
    /// Scalar globals (`Instr::Global`).
    globals: Vec<Value>,
    stdio: Stdio,
    /// `atexit` handlers in registration order.
    atexit: Vec<crate::ir::FuncId>,
    /// The C library's `errno`.
    errno: i32,
    /// `exit`'s status while handlers run and streams flush.
    exit_status: i32,
    /// `rand`'s state, created at the first `rand`/`srand`.
    random: Option<Box<libc::Random>>,
    /// The buffer `strerror` returns.
    strerror_buf: Option<RegionId>,
    /// `main`'s frame after it returned to the entry (its locals stay readable).
    main_frame: Option<Frame>,
    /// The last component of `argv[0]` (glibc's `program_invocation_short_name`), which
    /// `assert` names in its message.
    progname: Rc<[u8]>,
    /// Where `strtok` goes on when called with NULL.
    strtok_next: Option<Ptr>,
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
        let mut vm = Vm {
            image: ImageRef(Rc::clone(&image)),
            config: config.clone(),
            threads: SmallVec::new(),
            memory: Memory::new(&image),
            globals: Vec::new(),
            stdio: Stdio::default(),
            atexit: Vec::new(),
            errno: 0,
            exit_status: 0,
            random: None,
            strerror_buf: None,
            main_frame: None,
            progname: Rc::from(&[][..]),
            strtok_next: None,
        };
        vm.start(argv);
        vm
    }

    /// Sets up globals, `argv` and thread 0 at the entry of the current image.
    fn start(&mut self, argv: Vec<Vec<u8>>) {
        let image = Rc::clone(&self.image.0);
        let argv0 = argv.first().map_or(&[][..], |a| a.as_slice());
        let short = argv0.rsplit(|&b| b == b'/').next().unwrap_or(argv0);
        self.progname = Rc::from(short);
        self.globals = image.global_slots.iter().map(|&g| init_value(g)).collect();
        let mut array = Region::zeroed(RegionKind::Argv, (argv.len() + 1) * 8);
        for (i, arg) in argv.iter().enumerate() {
            let mut bytes = Region::zeroed(RegionKind::Argv, arg.len() + 1);
            bytes.bytes[..arg.len()].copy_from_slice(arg);
            let id = self.memory.allocate(bytes);
            let value = Value::Ptr(Ptr {
                region: id,
                offset: 0,
            });
            let offset = (i * 8) as u32;
            array.bytes[offset as usize..offset as usize + 8]
                .copy_from_slice(&memory::address(value, Some(&self.memory)).to_le_bytes());
            array.set_provenance(offset, 8, value);
        }
        let argv_id = self.memory.allocate(array);
        let mut thread = Thread::new();
        thread.push(Value::Int(argv.len() as i64));
        thread.push(Value::Ptr(Ptr {
            region: argv_id,
            offset: 0,
        }));
        self.threads.clear();
        self.threads.push(thread);
        if let Err(fault) = self.enter(0, image.entry, 2, OnReturn::Value) {
            self.fault(0, fault, crate::syntax::span::Span::default());
        }
    }

    /// Runs thread `thread` from where it is until it needs the kernel, faults, or spends
    /// `budget` instructions (decremented as it goes).
    ///
    /// Must not be called while a request is pending (answer it with [`Vm::resume`] first).
    pub fn run(&mut self, thread: usize, env: &mut dyn Env, budget: &mut u64) -> Event {
        assert!(
            self.threads[thread].pending.is_none(),
            "Vm::run called while a request is pending"
        );
        if let Some(reply) = self.threads[thread].reply.take() {
            if let Err(fault) = self.apply_reply(thread, reply, env) {
                return self.fault_here(thread, fault);
            }
        }
        loop {
            if self.threads[thread].job == Job::Run {
                if let Some((handler, signal)) = self.threads[thread].signals.pop() {
                    self.threads[thread].push(Value::Int(signal.into()));
                    if let Err(fault) = self.enter(thread, handler, 1, OnReturn::Resume) {
                        return self.fault_here(thread, fault);
                    }
                }
            }
            match self.threads[thread].job {
                Job::Run => {
                    if let Some(event) = self.interpret(thread, env, budget) {
                        return event;
                    }
                }
                Job::Dead => panic!("Vm::run called on a thread that exited"),
                Job::Exiting => {
                    if let Some(event) = self.continue_exit(thread) {
                        return event;
                    }
                }
                Job::Flush { .. } => {
                    if let Some(event) = self.continue_flush(thread) {
                        return event;
                    }
                }
            }
        }
    }

    /// The request thread `thread` waits at, if any.
    pub fn pending(&self, thread: usize) -> Option<&Request> {
        self.threads.get(thread)?.pending.as_ref()
    }

    /// Answers the pending request of thread `thread`: the call returns (writing results such
    /// as the wait status or read bytes into the memory the call was given).
    ///
    /// The reply is applied when the thread next runs (where shared memory is reachable).
    pub fn resume(&mut self, thread: usize, reply: Reply) {
        let t = &mut self.threads[thread];
        assert!(
            t.pending.take().is_some(),
            "Vm::resume without a pending request"
        );
        t.reply = Some(reply);
    }

    /// Replaces the program (successful `exec`): new memory, new stdio buffers (unflushed
    /// output is lost, as `execve(2)` discards user space), one thread at the entry of
    /// `image` with `argv`.
    pub fn exec(&mut self, image: Rc<Image>, argv: Vec<Vec<u8>>) {
        self.memory = Memory::new(&image);
        self.image = ImageRef(image);
        let tty = self.stdio.tty;
        self.stdio = Stdio::default();
        self.stdio.tty = tty;
        self.atexit.clear();
        self.errno = 0;
        self.exit_status = 0;
        self.random = None;
        self.strerror_buf = None;
        self.main_frame = None;
        self.strtok_next = None;
        self.start(argv);
    }

    /// Makes thread `thread` run `handler(signal)` (a function of the running image, as given
    /// to `signal`/`sigaction`) the next time it runs, before the code it was running goes
    /// on: after the reply to its pending request, if any, has been applied (the kernel
    /// answers an interrupted blocking call with `EINTR` first, as POSIX `signal(7)` says).
    pub fn deliver_signal(&mut self, thread: usize, handler: crate::ir::FuncId, signal: i32) {
        if (handler.0 as usize) < self.image.0.functions.len() {
            self.threads[thread].signals.insert(0, (handler, signal));
        }
    }

    /// Sets aside the blocked call thread `thread` waits at so that a signal handler can run
    /// now, and makes the call again once the handler returns (`SA_RESTART`, `signal(7)`).
    /// Deliver the handler with [`Vm::deliver_signal`]. Returns `false` (and changes
    /// nothing) if the thread waits at no request, already has one set aside, or is inside
    /// the C library (a stdio flush or `exit`), where no handler can run.
    pub fn interrupt_restart(&mut self, thread: usize) -> bool {
        let th = &mut self.threads[thread];
        if th.restart.is_some() || th.reply.is_some() || th.job != Job::Run {
            return false;
        }
        let Some(request) = th.pending.take() else {
            return false;
        };
        th.restart = Some(Box::new((request, th.on_reply, th.frames.len() as u32)));
        true
    }

    /// Tells the C library whether `fd` is a terminal, as `isatty` would answer; stdio picks a
    /// stream's buffering from this at its first output.
    pub fn set_tty(&mut self, fd: i32, is_tty: bool) {
        self.stdio.set_tty(fd, is_tty);
    }

    /// Sets `errno`; the program sees it through its `errno` global if it uses one.
    pub(crate) fn set_errno(&mut self, e: i32) {
        self.errno = e;
        if let Some(slot) = self.image.0.errno_slot {
            self.globals[slot as usize] = Value::Int(i64::from(e));
        }
    }

    /// The current `errno` (the program may have assigned its `errno` global).
    pub(crate) fn errno(&self) -> i32 {
        match self.image.0.errno_slot {
            Some(slot) => self.globals[slot as usize].as_int().unwrap_or(0) as i32,
            None => self.errno,
        }
    }

    /// The image this process runs.
    pub fn image(&self) -> &Rc<Image> {
        &self.image.0
    }

    /// The frames of thread `thread`, outermost first: the function each runs and the index
    /// of its next instruction. None for a thread that does not exist.
    pub fn frames(&self, thread: usize) -> impl Iterator<Item = (crate::ir::FuncId, u32)> + '_ {
        (self.threads.get(thread).into_iter()).flat_map(|t| t.frames.iter().map(|f| (f.func, f.pc)))
    }

    /// Number of threads (1 unless the process called `pthread_create`).
    pub fn threads(&self) -> usize {
        self.threads.len()
    }

    /// The value of variable `name` as a scalar: a global of the image, or a local of the
    /// outermost frame of thread 0 (`main`'s locals). `None` if there is no such scalar.
    ///
    /// `function.name` picks the local of the outermost frame of that function. `main`'s
    /// locals stay readable after it returns, while `exit` runs.
    pub fn variable(&self, name: &str) -> Option<i64> {
        let image = &self.image.0;
        let (func, var) = match name.split_once('.') {
            Some((f, v)) => (Some(f), v),
            None => (None, name),
        };
        if func.is_none() {
            if let Some(g) = image.globals.iter().find(|g| g.name == var) {
                return self.read_place(None, g.place, g.scalar?);
            }
        }
        let thread = self.threads.first()?;
        for frame in thread.frames.iter().chain(&self.main_frame) {
            let f = &image.functions[frame.func.0 as usize];
            if func.is_some_and(|name| name != f.name) {
                continue;
            }
            if let Some((_, place, scalar)) = f.locals.iter().find(|(n, _, _)| n == var) {
                return self.read_place(Some((thread, frame)), *place, (*scalar)?);
            }
        }
        None
    }

    fn read_place(
        &self,
        frame: Option<(&Thread, &Frame)>,
        place: Place,
        scalar: Scalar,
    ) -> Option<i64> {
        let ptr = match (place, frame) {
            (Place::Slot(s), None) => return self.globals.get(s as usize)?.as_int(),
            (Place::Slot(s), Some((t, f))) => {
                return t.stack.get(f.base as usize + s as usize)?.as_int()
            }
            (Place::Data(offset), _) => Ptr {
                region: RegionId::GLOBALS,
                offset,
            },
            (Place::Frame(n), Some((t, f))) => {
                let slots = self.image.0.functions[f.func.0 as usize].slots;
                match t.stack.get(f.base as usize + slots as usize + n as usize)? {
                    Value::Ptr(p) => *p,
                    _ => return None,
                }
            }
            (Place::Frame(_), None) => return None,
        };
        self.memory
            .load(&self.image.0, &mut NoEnv, ptr, scalar)
            .ok()?
            .as_int()
    }
}

/// The value a [`GlobalInit`] stands for.
pub(crate) fn init_value(init: GlobalInit) -> Value {
    match init {
        GlobalInit::Int(n) => Value::Int(n),
        GlobalInit::Str(id, offset) => Value::Ptr(Ptr {
            region: RegionId(RegionId::STATIC | id.0),
            offset,
        }),
        GlobalInit::Data(offset) => Value::Ptr(Ptr {
            region: RegionId::GLOBALS,
            offset,
        }),
        GlobalInit::Func(f) => Value::Func(f),
    }
}

impl Vm {
    /// Maps kernel shared object `object` (`size` bytes) into this process (`shmat`, `mmap`
    /// with `MAP_SHARED`): accesses through the returned pointer are scheduling points
    /// ([`Request::Shared`]) and reach the bytes through [`Env::shared`].
    pub fn attach_shared(&mut self, object: u32, size: u32) -> Ptr {
        let region = self.memory.allocate(Region {
            kind: RegionKind::Shared { object, size },
            bytes: Vec::new(),
            pointers: SmallVec::new(),
        });
        Ptr { region, offset: 0 }
    }

    /// Whether no pid ([`Value::Pid`]) is held anywhere: on a thread's stack, in a reply not
    /// yet taken, in a scalar global or in memory.
    pub fn holds_no_pid(&self) -> bool {
        let pid = |v: &Value| matches!(v, Value::Pid(_));
        (self.threads.iter()).all(|t| {
            !t.stack.iter().any(pid)
                && !matches!(t.reply, Some(Reply::Pid(_) | Reply::Waited { .. }))
        }) && !self.globals.iter().any(pid)
            && self.memory.holds_no_pid()
    }

    /// Replaces every pid held (as [`Vm::holds_no_pid`] looks for them) by `new(pid)`: the
    /// explorer renumbers processes that no program can tell apart by pid.
    pub fn remap_pids(&mut self, new: &dyn Fn(i64) -> i64) {
        let remap = |v: &mut Value| {
            if let Value::Pid(pid) = v {
                *pid = new(*pid);
            }
        };
        for t in &mut self.threads {
            t.stack.iter_mut().for_each(remap);
            if let Some(Reply::Pid(pid) | Reply::Waited { pid, .. }) = &mut t.reply {
                *pid = new(*pid);
            }
        }
        self.globals.iter_mut().for_each(remap);
        self.memory.remap_pids(new);
    }

    /// Unmaps the shared attachment `ptr` points to (`shmdt`, `munmap`); later accesses
    /// through it are use-after-free faults. Returns the object's kernel id, or `None` if
    /// `ptr` is not the start of an attachment.
    pub fn detach_shared(&mut self, ptr: Ptr) -> Option<u32> {
        let object = self.memory.shared_object(ptr)?;
        if ptr.offset != 0 {
            return None;
        }
        self.memory.free(ptr.region);
        Some(object)
    }
}

#[cfg(test)]
pub(crate) mod tests;
