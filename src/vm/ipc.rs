//! Requests for the IPC and signal system calls (FIFOs, System V message queues and shared
//! memory, POSIX shared memory, signals, the textbook's mailboxes), built from the call's
//! arguments, and the replies that write results back into the caller's memory.

use super::call::Outcome;
use super::interp::as_ptr;
use super::memory::Fault;
use super::thread::OnReply;
use super::value::{Ptr, Value};
use super::{Env, Request, Vm};
use crate::calls::Call;
use crate::ir::Scalar;

/// Bytes of the `long mtype` that starts every System V message buffer (`msgsnd(2)`).
pub const MTYPE_SIZE: u32 = 8;

impl Vm {
    /// The request for IPC or signal call `call`, or `None` if `call` is not one.
    pub(super) fn ipc_request(
        &mut self,
        call: Call,
        args: &[Value],
        env: &mut dyn Env,
    ) -> Option<Result<Outcome, Fault>> {
        let int = |i: usize| args.get(i).and_then(|v| v.as_int()).unwrap_or(0);
        let ret = |request: Request| Ok(Outcome::Request(request, OnReply::Return));
        Some(match call {
            Call::Mkfifo => self.string(args[0], env).and_then(|path| {
                ret(Request::Mkfifo {
                    path,
                    mode: int(1) as u32,
                })
            }),
            Call::Open => self.string(args[0], env).and_then(|path| {
                ret(Request::Open {
                    path,
                    flags: int(1) as i32,
                })
            }),
            Call::Lseek => ret(Request::Lseek {
                fd: int(0) as i32,
                offset: int(1),
                whence: int(2) as i32,
            }),
            Call::Unlink => self
                .string(args[0], env)
                .and_then(|path| ret(Request::Unlink { path })),
            Call::Msgget => ret(Request::Msgget {
                key: int(0),
                flags: int(1) as i32,
            }),
            Call::Msgsnd => self.msgsnd(args, env),
            Call::Msgrcv => self.msgrcv(args),
            Call::Msgctl => ret(Request::Msgctl {
                msqid: int(0) as i32,
                cmd: int(1) as i32,
            }),
            Call::Shmget => ret(Request::Shmget {
                key: int(0),
                size: int(1) as u64,
                flags: int(2) as i32,
            }),
            Call::Shmat => ret(Request::Shmat {
                shmid: int(0) as i32,
            }),
            Call::Shmdt => ret(Request::Shmdt { addr: args[0] }),
            Call::Shmctl => ret(Request::Shmctl {
                shmid: int(0) as i32,
                cmd: int(1) as i32,
            }),
            Call::ShmOpen => self.string(args[0], env).and_then(|name| {
                ret(Request::ShmOpen {
                    name,
                    flags: int(1) as i32,
                })
            }),
            Call::ShmUnlink => self
                .string(args[0], env)
                .and_then(|name| ret(Request::ShmUnlink { name })),
            Call::Ftruncate => ret(Request::Ftruncate {
                fd: int(0) as i32,
                length: int(1),
            }),
            Call::Mmap => ret(Request::Mmap {
                length: int(1) as u64,
                prot: int(2) as i32,
                flags: int(3) as i32,
                fd: int(4) as i32,
                offset: int(5),
            }),
            Call::Munmap => ret(Request::Munmap { addr: args[0] }),
            Call::Kill => ret(Request::Kill {
                pid: int(0),
                signal: int(1) as i32,
            }),
            Call::Raise => ret(Request::Raise {
                signal: int(0) as i32,
            }),
            Call::Signal => ret(Request::Signal {
                signal: int(0) as i32,
                handler: args[1],
            }),
            Call::Sigaction => self.sigaction(args, env),
            Call::Sigemptyset | Call::Sigfillset => as_ptr(args[0]).and_then(|set| {
                let fill = if call == Call::Sigfillset { 0xff } else { 0 };
                let bytes = [fill; SIGSET_SIZE as usize];
                self.memory.write(&self.image.0, env, set, &bytes)?;
                Ok(Outcome::Value(Value::ZERO))
            }),
            Call::Sigaddset | Call::Sigdelset => self.sigset_bit(call, args, env),
            Call::Sigismember | Call::Sigprocmask | Call::Sigsuspend | Call::Sigpending => {
                self.sigmask_call(call, args, env)
            }
            Call::Pause => ret(Request::Pause),
            Call::Alarm => ret(Request::Alarm {
                seconds: int(0) as u32,
            }),
            Call::Socket => ret(Request::Socket {
                domain: int(0) as i32,
                kind: int(1) as i32,
            }),
            Call::Socketpair => as_ptr(args[3]).and_then(|sv| {
                self.memory.check(&self.image.0, sv, 8, true)?;
                let request = Request::Socketpair {
                    domain: int(0) as i32,
                    kind: int(1) as i32,
                };
                Ok(Outcome::Request(request, OnReply::Pipe(sv)))
            }),
            Call::Bind | Call::Connect => self.sun_path(args[1], env).and_then(|path| {
                let fd = int(0) as i32;
                ret(if call == Call::Bind {
                    Request::Bind { fd, path }
                } else {
                    Request::Connect { fd, path }
                })
            }),
            Call::Listen => ret(Request::Listen {
                fd: int(0) as i32,
                backlog: int(1) as i32,
            }),
            Call::Accept => ret(Request::Accept { fd: int(0) as i32 }),
            Call::Mailbox => ret(Request::Mailbox { capacity: int(0) }),
            Call::Send | Call::MsgTrySend if args.len() == 2 => ret(Request::MailboxSend {
                mailbox: int(0),
                message: int(1),
                wait: call == Call::Send,
                direct: matches!(args[0], Value::Pid(_)),
            }),
            Call::MsgReceive | Call::MsgTryReceive => as_ptr(args[1]).and_then(|ptr| {
                self.memory.check(&self.image.0, ptr, 8, true)?;
                let request = Request::MailboxReceive {
                    mailbox: int(0),
                    wait: call == Call::MsgReceive,
                    direct: matches!(args[0], Value::Pid(_)),
                };
                Ok(Outcome::Request(request, OnReply::Message(ptr)))
            }),
            _ => return None,
        })
    }

    /// The `sun_path` of the `struct sockaddr_un` at `addr` (after the 2-byte family).
    fn sun_path(&self, addr: Value, env: &mut dyn Env) -> Result<Vec<u8>, Fault> {
        let addr = as_ptr(addr)?;
        let path = Ptr {
            offset: addr.offset + 2,
            ..addr
        };
        self.memory.read_cstr(&self.image.0, env, path)
    }

    /// `msgsnd(msqid, msgp, msgsz, msgflg)`: the `long` type at `msgp`, then `msgsz` bytes.
    fn msgsnd(&mut self, args: &[Value], env: &mut dyn Env) -> Result<Outcome, Fault> {
        let int = |i: usize| args.get(i).and_then(|v| v.as_int()).unwrap_or(0);
        let buf = as_ptr(args[1])?;
        let mtype = self
            .memory
            .load(&self.image.0, env, buf, Scalar::I64)?
            .as_int()
            .unwrap_or(0);
        let text = text_of(buf);
        let len = super::libc::length(self, args, 2, text, false)?;
        let data = self.memory.read(&self.image.0, env, text, len)?;
        let request = Request::Msgsnd {
            msqid: int(0) as i32,
            mtype,
            data,
            flags: int(3) as i32,
        };
        Ok(Outcome::Request(request, OnReply::Return))
    }

    /// `msgrcv(msqid, msgp, msgsz, msgtyp, msgflg)`: room for the type and `msgsz` bytes.
    fn msgrcv(&mut self, args: &[Value]) -> Result<Outcome, Fault> {
        let int = |i: usize| args.get(i).and_then(|v| v.as_int()).unwrap_or(0);
        let buf = as_ptr(args[1])?;
        self.memory.check(&self.image.0, buf, MTYPE_SIZE, true)?;
        let len = super::libc::length(self, args, 2, text_of(buf), true)?;
        let request = Request::Msgrcv {
            msqid: int(0) as i32,
            len: len as usize,
            mtype: int(3),
            flags: int(4) as i32,
        };
        Ok(Outcome::Request(request, OnReply::Msgrcv(buf)))
    }

    /// `sigaction(sig, act, oldact)`: the handler and flags of `*act` (if not NULL).
    fn sigaction(&mut self, args: &[Value], env: &mut dyn Env) -> Result<Outcome, Fault> {
        let image = &self.image.0;
        let signal = args[0].as_int().unwrap_or(0) as i32;
        let (handler, flags) = match args[1] {
            Value::Int(0) => (None, 0),
            act => {
                let act = as_ptr(act)?;
                let handler = self.memory.load(image, env, act, Scalar::Ptr)?;
                let at = Ptr {
                    offset: act.offset + SA_FLAGS_OFFSET,
                    ..act
                };
                let flags = self.memory.load(image, env, at, Scalar::I32)?;
                (Some(handler), flags.as_int().unwrap_or(0) as i32)
            }
        };
        let old = match args[2] {
            Value::Int(0) => None,
            old => {
                let old = as_ptr(old)?;
                self.memory.check(image, old, 8, true)?;
                Some(old)
            }
        };
        let request = Request::Sigaction {
            signal,
            handler,
            flags,
        };
        Ok(Outcome::Request(request, OnReply::Sigaction(old)))
    }

    /// `sigaddset(set, sig)` / `sigdelset(set, sig)`: bit `sig - 1` of the set.
    fn sigset_bit(
        &mut self,
        call: Call,
        args: &[Value],
        env: &mut dyn Env,
    ) -> Result<Outcome, Fault> {
        let set = as_ptr(args[0])?;
        let bit = args[1].as_int().unwrap_or(0) - 1;
        if !(0..i64::from(SIGSET_SIZE) * 8).contains(&bit) {
            self.set_errno(crate::errno::EINVAL);
            return Ok(Outcome::Value(Value::Int(-1)));
        }
        let at = Ptr {
            offset: set.offset + (bit / 8) as u32,
            ..set
        };
        let image = &self.image.0;
        let byte = self
            .memory
            .load(image, env, at, Scalar::U8)?
            .as_int()
            .unwrap_or(0);
        let mask = 1 << (bit % 8);
        let byte = if call == Call::Sigaddset {
            byte | mask
        } else {
            byte & !mask
        };
        self.memory
            .store(image, env, at, Scalar::U8, Value::Int(byte))?;
        Ok(Outcome::Value(Value::ZERO))
    }

    /// Applies a reply to an IPC call whose results go to memory; `None` if `on_reply` is
    /// not one of theirs (or the reply is an error, applied as any other).
    pub(super) fn apply_ipc_reply(
        &mut self,
        on_reply: OnReply,
        reply: &super::Reply,
        env: &mut dyn Env,
    ) -> Option<Result<Value, Fault>> {
        let image = &self.image.0;
        match (on_reply, reply) {
            (OnReply::Msgrcv(buf), super::Reply::Data(data)) => {
                let text = data.len().saturating_sub(MTYPE_SIZE as usize);
                Some(
                    self.memory
                        .write(image, env, buf, data)
                        .map(|()| Value::Int(text as i64)),
                )
            }
            (OnReply::Sigaction(old), super::Reply::Value(v)) => Some(match old {
                Some(old) => self
                    .memory
                    .store(image, env, old, Scalar::Ptr, *v)
                    .map(|()| Value::ZERO),
                None => Ok(Value::ZERO),
            }),
            (OnReply::Sigset(set), super::Reply::Value(v)) => {
                Some(self.store_sigset(set, v.as_int().unwrap_or(0) as u32, env))
            }
            (OnReply::Message(ptr), super::Reply::Value(v)) => Some(
                self.memory
                    .store(image, env, ptr, Scalar::I64, *v)
                    .map(|()| Value::ZERO),
            ),
            _ => None,
        }
    }
}

/// Bytes of a `sigset_t` (glibc: 1024 bits).
pub const SIGSET_SIZE: u32 = 128;
/// Offset of `sa_flags` in glibc's `struct sigaction` (after the handler and the mask).
pub const SA_FLAGS_OFFSET: u32 = 136;

/// Where a message's text starts in a buffer at `buf`.
fn text_of(buf: Ptr) -> Ptr {
    Ptr {
        offset: buf.offset.saturating_add(MTYPE_SIZE),
        ..buf
    }
}
