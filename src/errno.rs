//! `errno` values of Linux x86-64 (`errno(3)`, `asm-generic/errno-base.h` and `errno.h`),
//! one definition for the kernels and the C library.

/// `EPERM`: `pthread_mutex_unlock` of a mutex the calling thread does not hold.
pub const EPERM: i32 = 1;
/// `ENOENT`: no such name.
pub const ENOENT: i32 = 2;
/// `ESRCH`: no such process.
pub const ESRCH: i32 = 3;
/// `EINTR`: a handled signal interrupted the call.
pub const EINTR: i32 = 4;
/// `ENXIO`: `open(O_WRONLY | O_NONBLOCK)` of a FIFO no one has open for reading.
pub const ENXIO: i32 = 6;
/// `E2BIG`: the message is longer than the buffer and `MSG_NOERROR` was not given.
pub const E2BIG: i32 = 7;
/// `EBADF`: not an open descriptor (or the wrong end of a pipe).
pub const EBADF: i32 = 9;
/// `ECHILD`: `wait` with no (matching) child.
pub const ECHILD: i32 = 10;
/// `EAGAIN`: `try_send` to a full mailbox, `try_receive` from an empty one.
pub const EAGAIN: i32 = 11;
/// `ENOMEM`: a segment or mapping larger than the run allows.
pub const ENOMEM: i32 = 12;
/// `EACCES`: a writable shared mapping of a descriptor opened read-only.
pub const EACCES: i32 = 13;
/// `EBUSY`: `pthread_mutex_trylock` of a mutex another thread holds.
pub const EBUSY: i32 = 16;
/// `EEXIST`: `mkfifo` of a name that exists.
pub const EEXIST: i32 = 17;
/// `EISDIR`: `open` of a path naming a directory.
pub const EISDIR: i32 = 21;
/// `EINVAL`: an argument the call does not accept.
pub const EINVAL: i32 = 22;
/// `EMFILE`: no free descriptor number below [`OPEN_MAX`].
pub const EMFILE: i32 = 24;
/// `ENOTTY`: `isatty` of something that is not a terminal.
pub const ENOTTY: i32 = 25;
/// `ESPIPE`: `lseek` on a pipe, socket or terminal.
pub const ESPIPE: i32 = 29;
/// `EPIPE`: writing to a pipe or socket with no reader left.
pub const EPIPE: i32 = 32;
/// `ERANGE`: a number out of the range of its type (`strtol`).
pub const ERANGE: i32 = 34;
/// `EDEADLK`: `pthread_join` of the calling thread, a relock of a mutex it holds.
pub const EDEADLK: i32 = 35;
/// `ENOSYS`: a call the kernel does not carry out.
pub const ENOSYS: i32 = 38;
/// `ENOMSG`: `msgrcv` with `IPC_NOWAIT` and no message of the type.
pub const ENOMSG: i32 = 42;
/// `EIDRM`: the queue was removed while the caller waited.
pub const EIDRM: i32 = 43;
/// `EOVERFLOW`: `sem_post` of a semaphore at `SEM_VALUE_MAX`.
pub const EOVERFLOW: i32 = 75;
/// `ENOTSOCK`: a socket call on a descriptor that is not a socket.
pub const ENOTSOCK: i32 = 88;
/// `EPROTOTYPE`: `connect` to a socket of the other type.
pub const EPROTOTYPE: i32 = 91;
/// `EOPNOTSUPP`: `listen`/`accept` on a datagram socket.
pub const EOPNOTSUPP: i32 = 95;
/// `EAFNOSUPPORT`: a domain other than `AF_UNIX`.
pub const EAFNOSUPPORT: i32 = 97;
/// `EADDRINUSE`: `bind` to a path that exists.
pub const EADDRINUSE: i32 = 98;
/// `EISCONN`: `connect` of a connected stream socket.
pub const EISCONN: i32 = 106;
/// `ENOTCONN`: `send`/`recv` on a stream socket that is not connected.
pub const ENOTCONN: i32 = 107;
/// `ECONNREFUSED`: `connect` to a socket that does not listen, a send to a closed one.
pub const ECONNREFUSED: i32 = 111;
