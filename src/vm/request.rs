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
    /// `mkfifo(path, mode)`: a FIFO special file at `path` (`EEXIST` if the name is taken).
    Mkfifo {
        /// The path.
        path: Vec<u8>,
        /// Permission bits (kept, not enforced).
        mode: u32,
    },
    /// `open(path, flags)`: opens a regular file or a FIFO (blocking until the other end
    /// is open unless `O_NONBLOCK`); answered with the new descriptor.
    Open {
        /// The path.
        path: Vec<u8>,
        /// `O_RDONLY`, `O_WRONLY`, `O_RDWR`, `O_NONBLOCK`, `O_CREAT`, …
        flags: i32,
    },
    /// `lseek(fd, offset, whence)`: answered with the new offset from the start.
    Lseek {
        /// The descriptor.
        fd: i32,
        /// Bytes, relative to `whence`.
        offset: i64,
        /// `SEEK_SET` (0), `SEEK_CUR` (1) or `SEEK_END` (2).
        whence: i32,
    },
    /// `unlink(path)`: removes the name (open descriptors stay usable).
    Unlink {
        /// The path.
        path: Vec<u8>,
    },
    /// `msgget(key, msgflg)`: answered with the queue id.
    Msgget {
        /// `IPC_PRIVATE` (0) or a key (`ftok`).
        key: i64,
        /// `IPC_CREAT`, `IPC_EXCL` and permission bits.
        flags: i32,
    },
    /// `msgsnd(msqid, msgp, msgsz, msgflg)`: the VM has read the `long` type and the
    /// `msgsz` bytes of text that follow it.
    Msgsnd {
        /// The queue id.
        msqid: i32,
        /// The message type (`> 0`).
        mtype: i64,
        /// The message text.
        data: Vec<u8>,
        /// `IPC_NOWAIT`.
        flags: i32,
    },
    /// `msgrcv(msqid, msgp, msgsz, msgtyp, msgflg)`: answered with [`Reply::Data`] holding
    /// the type (8 bytes, little-endian) followed by the text; the VM stores both at `msgp`
    /// and returns the text's length.
    Msgrcv {
        /// The queue id.
        msqid: i32,
        /// Most text bytes the buffer takes.
        len: usize,
        /// `0` the first message, `> 0` the first of that type, `< 0` the first of the lowest
        /// type `<= |msgtyp|`.
        mtype: i64,
        /// `IPC_NOWAIT`, `MSG_NOERROR`.
        flags: i32,
    },
    /// `msgctl(msqid, cmd, buf)`; only `IPC_RMID` does something.
    Msgctl {
        /// The queue id.
        msqid: i32,
        /// `IPC_RMID`, `IPC_STAT`, `IPC_SET`.
        cmd: i32,
    },
    /// `shmget(key, size, shmflg)`: answered with the segment id.
    Shmget {
        /// `IPC_PRIVATE` (0) or a key.
        key: i64,
        /// Bytes.
        size: u64,
        /// `IPC_CREAT`, `IPC_EXCL` and permission bits.
        flags: i32,
    },
    /// `shmat(shmid, NULL, shmflg)`: the kernel maps the segment with
    /// [`super::Vm::attach_shared`] and answers with the pointer.
    Shmat {
        /// The segment id.
        shmid: i32,
    },
    /// `shmdt(addr)`: the kernel unmaps with [`super::Vm::detach_shared`].
    Shmdt {
        /// The address `shmat` returned.
        addr: Value,
    },
    /// `shmctl(shmid, cmd, buf)`; only `IPC_RMID` does something.
    Shmctl {
        /// The segment id.
        shmid: i32,
        /// `IPC_RMID`, `IPC_STAT`, `IPC_SET`.
        cmd: i32,
    },
    /// `shm_open(name, oflag, mode)`: answered with a descriptor on the object.
    ShmOpen {
        /// The object's name (`/name`).
        name: Vec<u8>,
        /// `O_RDONLY`/`O_RDWR`, `O_CREAT`, `O_EXCL`, `O_TRUNC`.
        flags: i32,
    },
    /// `shm_unlink(name)`.
    ShmUnlink {
        /// The object's name.
        name: Vec<u8>,
    },
    /// `ftruncate(fd, length)`: sets the size of a POSIX shared memory object.
    Ftruncate {
        /// The descriptor.
        fd: i32,
        /// New size in bytes.
        length: i64,
    },
    /// `mmap(NULL, length, prot, flags, fd, offset)`: `MAP_SHARED` of a shared memory
    /// object, or `MAP_SHARED | MAP_ANONYMOUS` (a new object); answered with the pointer.
    Mmap {
        /// Bytes.
        length: u64,
        /// `PROT_READ`, `PROT_WRITE`.
        prot: i32,
        /// `MAP_SHARED`, `MAP_PRIVATE`, `MAP_ANONYMOUS`.
        flags: i32,
        /// The descriptor (ignored with `MAP_ANONYMOUS`).
        fd: i32,
        /// Offset into the object (must be 0).
        offset: i64,
    },
    /// `munmap(addr, length)`.
    Munmap {
        /// The address `mmap` returned.
        addr: Value,
    },
    /// `kill(pid, sig)` (signal 0 only checks that `pid` exists).
    Kill {
        /// The target (`> 0`; `0` and `-1` reach every other process of the run).
        pid: i64,
        /// The signal number.
        signal: i32,
    },
    /// `raise(sig)`: a signal to the calling process.
    Raise {
        /// The signal number.
        signal: i32,
    },
    /// `signal(sig, handler)`: answered with the previous disposition (`SIG_DFL` 0,
    /// `SIG_IGN` 1 or a function).
    Signal {
        /// The signal number.
        signal: i32,
        /// `SIG_DFL` (`Int(0)`), `SIG_IGN` (`Int(1)`) or a function.
        handler: Value,
    },
    /// `sigaction(sig, act, oldact)`: answered with the previous handler as for
    /// [`Request::Signal`]; the VM stores it in `oldact->sa_handler` and returns 0.
    Sigaction {
        /// The signal number.
        signal: i32,
        /// `act->sa_handler`, or `None` when `act` is NULL (only asks).
        handler: Option<Value>,
        /// `act->sa_flags` (`SA_RESTART`, `SA_RESETHAND`, …).
        flags: i32,
    },
    /// `pause()`: blocks until a signal is caught (then fails with `EINTR`).
    Pause,
    /// `sigprocmask(how, set, oldset)`: answered with the old mask.
    Sigprocmask {
        /// `SIG_BLOCK` (0), `SIG_UNBLOCK` (1) or `SIG_SETMASK` (2).
        how: i32,
        /// The set, bit `n` for signal `n`; `None` only asks for the mask.
        set: Option<u32>,
    },
    /// `sigsuspend(mask)`: waits for a caught signal with `mask` as the signal mask (then
    /// fails with `EINTR`).
    Sigsuspend {
        /// Bit `n` for signal `n`.
        mask: u32,
    },
    /// `sigpending(set)`: answered with the blocked signals that are pending.
    Sigpending,
    /// `alarm(seconds)`: `SIGALRM` after `seconds` of virtual time; answered with the
    /// seconds left of the previous alarm.
    Alarm {
        /// Seconds; 0 cancels.
        seconds: u32,
    },
    /// `socket(domain, type, protocol)`: answered with the new descriptor.
    Socket {
        /// `AF_UNIX` (1).
        domain: i32,
        /// `SOCK_STREAM` (1) or `SOCK_DGRAM` (2).
        kind: i32,
    },
    /// `socketpair(domain, type, protocol, sv)`: answered with [`Reply::Fds`].
    Socketpair {
        /// `AF_UNIX` (1).
        domain: i32,
        /// `SOCK_STREAM` (1) or `SOCK_DGRAM` (2).
        kind: i32,
    },
    /// `bind(fd, addr, len)` with the `sun_path` of the `struct sockaddr_un`.
    Bind {
        /// The socket.
        fd: i32,
        /// `addr->sun_path`.
        path: Vec<u8>,
    },
    /// `listen(fd, backlog)`.
    Listen {
        /// The socket.
        fd: i32,
        /// Connections that may wait for `accept`.
        backlog: i32,
    },
    /// `accept(fd, addr, len)`: answered with the new descriptor (`addr` is not filled).
    Accept {
        /// The listening socket.
        fd: i32,
    },
    /// `connect(fd, addr, len)` with the `sun_path` of the `struct sockaddr_un`.
    Connect {
        /// The socket.
        fd: i32,
        /// `addr->sun_path`.
        path: Vec<u8>,
    },
    /// `mailbox(capacity)`: a new mailbox (`-1` unbounded, `0` rendezvous, `n` bounded);
    /// answered with its id.
    Mailbox {
        /// The capacity in messages.
        capacity: i64,
    },
    /// `send(box, msg)` (`wait`) or `try_send(box, msg)`.
    MailboxSend {
        /// The mailbox id.
        mailbox: i64,
        /// The message.
        message: i64,
        /// Block while there is no room (`send`); `try_send` fails with `EAGAIN`.
        wait: bool,
        /// Direct naming: `mailbox` is the pid of the receiving process (the VM passes a
        /// process id it got from the kernel, such as `fork`'s result).
        direct: bool,
    },
    /// `receive(box, &msg)` (`wait`) or `try_receive(box, &msg)`: answered with the message
    /// as `Reply::Value`; the VM stores it through the pointer and returns 0.
    MailboxReceive {
        /// The mailbox id.
        mailbox: i64,
        /// Block while empty (`receive`); `try_receive` fails with `EAGAIN`.
        wait: bool,
        /// Direct naming: `mailbox` is the pid of the sending process to receive from.
        direct: bool,
    },
    /// A load or store of the process's own memory while it has more than one thread: other
    /// threads see it, so it is a scheduling point, as [`Request::Shared`] is between
    /// processes. Answered with `Reply::Value(0)`; the VM then performs the access itself.
    Memory {
        /// The VM's object ([`super::RegionId`]); `u32::MAX` for the scalar globals, whose
        /// `offset` is then the global's slot.
        region: u32,
        /// First byte touched.
        offset: u32,
        /// Bytes touched.
        len: u32,
        /// Whether the access writes.
        write: bool,
    },
    /// `pthread_create(&thread, attr, start, arg)`: the kernel adds a thread running
    /// `start(arg)` with [`super::Vm::spawn_thread`] and answers with its id, which the VM
    /// stores in `*thread` (POSIX `pthread_create(3)`).
    ThreadCreate {
        /// The start function (`Value::Func`).
        start: Value,
        /// Its argument.
        arg: Value,
    },
    /// `pthread_join(thread, &retval)`: blocks until thread `thread` (an id `pthread_create`
    /// gave) has terminated; answered with its exit value, which the VM stores in `*retval`.
    /// `ESRCH` for no such thread, `EDEADLK` for the calling thread itself, `EINVAL` for a
    /// thread already joined.
    ThreadJoin {
        /// The thread id.
        thread: i64,
    },
    /// `pthread_exit(value)`, or a return from a thread's start function, while another
    /// thread of the process lives: the calling thread terminates. Never resumed. (The last
    /// thread's exit is `exit(0)`, done by the VM.)
    ThreadExit {
        /// The exit value `pthread_join` returns.
        value: Value,
    },
    /// `pthread_mutex_lock(mutex)` (blocks while another thread holds it) or, with `try_lock`,
    /// `pthread_mutex_trylock` (fails with `EBUSY`). The mutex's state lives in its
    /// `pthread_mutex_t`, read and written with [`super::Vm::sync_word`].
    MutexLock {
        /// The `pthread_mutex_t *`.
        mutex: Value,
        /// `pthread_mutex_trylock`.
        try_lock: bool,
    },
    /// `pthread_mutex_unlock(mutex)`: `EPERM` unless the calling thread holds it.
    MutexUnlock {
        /// The `pthread_mutex_t *`.
        mutex: Value,
    },
    /// `pthread_cond_wait(cond, mutex)`: releases the mutex (`EPERM` unless the calling
    /// thread holds it), waits until `pthread_cond_signal` or `pthread_cond_broadcast` of
    /// `cond` wakes it, then takes the mutex again before returning.
    CondWait {
        /// The `pthread_cond_t *`.
        cond: Value,
        /// The `pthread_mutex_t *`.
        mutex: Value,
    },
    /// `pthread_cond_signal(cond)` (`all: false`, wakes one waiting thread) or
    /// `pthread_cond_broadcast(cond)` (wakes every one).
    CondSignal {
        /// The `pthread_cond_t *`.
        cond: Value,
        /// `pthread_cond_broadcast`.
        all: bool,
    },
    /// `sem_wait(sem)` (blocks while the value is 0) or, with `try_wait`, `sem_trywait`
    /// (fails with `EAGAIN`); then decrements the value kept in the `sem_t`.
    SemWait {
        /// The `sem_t *`.
        sem: Value,
        /// `sem_trywait`.
        try_wait: bool,
    },
    /// `sem_post(sem)`: increments the value and wakes a waiter.
    SemPost {
        /// The `sem_t *`.
        sem: Value,
    },
    /// `sem_getvalue(sem, &sval)`: answered with the value, which the VM stores in `*sval`.
    SemGetvalue {
        /// The `sem_t *`.
        sem: Value,
    },
    /// `sem_open(name, oflag, mode, value)`: the named semaphore (created with `value` under
    /// `O_CREAT`), mapped into the process as shared memory; answered with its `sem_t *`.
    SemOpen {
        /// The name (`/name`).
        name: Vec<u8>,
        /// `O_CREAT`, `O_EXCL`.
        flags: i32,
        /// The initial value when created.
        value: u32,
    },
    /// `sem_close(sem)`: unmaps a named semaphore.
    SemClose {
        /// The `sem_t *` `sem_open` returned.
        sem: Value,
    },
    /// `sem_unlink(name)`: removes the name (open semaphores stay usable).
    SemUnlink {
        /// The name.
        name: Vec<u8>,
    },
    /// A system call in the catalogue that this kernel does not implement yet; answered with
    /// `Reply::Error(ENOSYS)` so the scenario sees a failing call rather than a crash.
    Unsupported {
        /// The C name.
        name: &'static str,
    },
}

impl Request {
    /// Whether this is a thread, mutex, semaphore or condition variable call (`pthread_*`,
    /// `sem_*`), which a kernel performs with its thread scheduling.
    pub fn is_sync(&self) -> bool {
        matches!(
            self,
            Request::ThreadCreate { .. }
                | Request::ThreadJoin { .. }
                | Request::ThreadExit { .. }
                | Request::MutexLock { .. }
                | Request::MutexUnlock { .. }
                | Request::SemWait { .. }
                | Request::SemPost { .. }
                | Request::SemGetvalue { .. }
                | Request::SemOpen { .. }
                | Request::SemClose { .. }
                | Request::SemUnlink { .. }
                | Request::CondWait { .. }
                | Request::CondSignal { .. }
        )
    }
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
