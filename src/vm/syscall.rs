//! System calls: building the [`Request`] for each catalogue system call from its arguments,
//! and applying the kernel's [`Reply`] (return value, `errno`, results written to memory).

use super::call::Outcome;
use super::interp::as_ptr;
use super::memory::Fault;
use super::thread::{Job, OnReply, Then};
use super::value::{Ptr, Value};
use super::{Env, Reply, Request, Vm};
use crate::calls::Call;
use crate::ir::Scalar;

impl Vm {
    /// The request for system call `call` (or what the C library does without the kernel).
    pub(super) fn system(
        &mut self,
        call: Call,
        args: &[Value],
        env: &mut dyn Env,
    ) -> Result<Outcome, Fault> {
        let int = |i: usize| args.get(i).and_then(|v| v.as_int()).unwrap_or(0);
        let ret = |request: Request| Ok(Outcome::Request(request, OnReply::Return));
        match call {
            Call::Fork => ret(Request::Fork { name: None }),
            Call::UnderscoreExit => ret(Request::Exit {
                status: int(0) as i32,
            }),
            Call::Wait => Ok(Outcome::Request(
                Request::Wait {
                    pid: -1,
                    options: 0,
                },
                OnReply::Wait(args[0]),
            )),
            Call::Waitpid => Ok(Outcome::Request(
                Request::Wait {
                    pid: int(0),
                    options: int(2) as i32,
                },
                OnReply::Wait(args[1]),
            )),
            Call::Getpid => ret(Request::Getpid),
            Call::Getppid => ret(Request::Getppid),
            Call::Execl | Call::Execlp | Call::Execle => {
                let path = self.string(args[0], env)?;
                let mut argv = Vec::new();
                for &arg in &args[1..] {
                    if arg == Value::ZERO {
                        break;
                    }
                    argv.push(self.string(arg, env)?);
                }
                ret(Request::Exec {
                    path,
                    argv,
                    search_path: call == Call::Execlp,
                })
            }
            Call::Execv | Call::Execvp | Call::Execve => {
                let path = self.string(args[0], env)?;
                let argv = self.string_array(args[1], env)?;
                ret(Request::Exec {
                    path,
                    argv,
                    search_path: call == Call::Execvp,
                })
            }
            Call::Sleep => ret(Request::Sleep {
                micros: (int(0) as u32 as u64) * 1_000_000,
            }),
            Call::Usleep => ret(Request::Sleep {
                micros: int(0) as u32 as u64,
            }),
            Call::Write | Call::Send if args.len() != 2 => {
                let data = if int(2) == 0 {
                    Vec::new()
                } else {
                    let ptr = as_ptr(args[1])?;
                    let len = super::libc::length(self, args, 2, ptr, false)?;
                    self.memory.read(&self.image.0, env, ptr, len)?
                };
                ret(Request::Write {
                    fd: int(0) as i32,
                    data,
                })
            }
            Call::Read | Call::Recv => {
                let buf = as_ptr(args[1])?;
                let len = super::libc::length(self, args, 2, buf, true)?;
                Ok(Outcome::Request(
                    Request::Read {
                        fd: int(0) as i32,
                        len: len as usize,
                    },
                    OnReply::Read(buf),
                ))
            }
            Call::Close => ret(Request::Close { fd: int(0) as i32 }),
            Call::Pipe => {
                let fds = as_ptr(args[0])?;
                self.memory.check(&self.image.0, fds, 8, true)?;
                Ok(Outcome::Request(Request::Pipe, OnReply::Pipe(fds)))
            }
            Call::Dup => ret(Request::Dup { fd: int(0) as i32 }),
            Call::Dup2 => ret(Request::Dup2 {
                old: int(0) as i32,
                new: int(1) as i32,
            }),
            Call::Isatty => ret(Request::Isatty { fd: int(0) as i32 }),
            _ => {
                if let Some(outcome) = self.ipc_request(call, args, env) {
                    return outcome;
                }
                let on_reply = if returns_pointer(call) {
                    OnReply::ReturnPointer
                } else {
                    OnReply::Return
                };
                Ok(Outcome::Request(
                    Request::Unsupported {
                        name: crate::calls::info(call).name,
                    },
                    on_reply,
                ))
            }
        }
    }

    /// The NUL-terminated string `v` points to.
    pub(super) fn string(&self, v: Value, env: &mut dyn Env) -> Result<Vec<u8>, Fault> {
        self.memory.read_cstr(&self.image.0, env, as_ptr(v)?)
    }

    /// The strings of a NULL-terminated `char *[]`.
    fn string_array(&self, v: Value, env: &mut dyn Env) -> Result<Vec<Vec<u8>>, Fault> {
        let mut ptr = as_ptr(v)?;
        let mut strings = Vec::new();
        loop {
            let s = self.memory.load(&self.image.0, env, ptr, Scalar::Ptr)?;
            if s == Value::ZERO {
                return Ok(strings);
            }
            strings.push(self.string(s, env)?);
            ptr.offset += 8;
        }
    }

    /// Applies the kernel's answer to the request thread `t` waited at.
    pub(super) fn apply_reply(
        &mut self,
        t: usize,
        reply: Reply,
        env: &mut dyn Env,
    ) -> Result<(), Fault> {
        let on_reply = self.threads[t].on_reply;
        if let Some(value) = self.apply_ipc_reply(on_reply, &reply, env) {
            self.threads[t].push(value?);
            return Ok(());
        }
        if let Some(value) = self.apply_pthread_reply(on_reply, &reply, env) {
            self.threads[t].push(value?);
            return Ok(());
        }
        let image = &self.image.0;
        let value = match (on_reply, reply) {
            (OnReply::Shared, _) => {
                self.threads[t].shared_granted = true;
                return Ok(());
            }
            (OnReply::Refill, reply) => {
                match reply {
                    Reply::Data(data) => self.stdio.refill(&data),
                    Reply::Error(e) => {
                        self.set_errno(e);
                        self.stdio.refill(&[]);
                    }
                    _ => self.stdio.refill(&[]),
                }
                return Ok(());
            }
            (OnReply::Flushed, Reply::Error(e)) => {
                self.set_errno(e);
                let th = &mut self.threads[t];
                if let Job::Flush { stream, then, .. } = th.job {
                    let then = match then {
                        Then::Return(_) => Then::Return(Value::Int(-1)),
                        other => other,
                    };
                    th.job = Job::Flush {
                        stream,
                        left: 0,
                        then,
                    };
                }
                return Ok(());
            }
            (OnReply::Flushed, _) => return Ok(()),
            (OnReply::ReturnPointer, Reply::Error(e)) => {
                self.set_errno(e);
                Value::ZERO
            }
            (_, Reply::Error(e)) => {
                self.set_errno(e);
                Value::Int(-1)
            }
            (OnReply::Wait(status), Reply::Waited { pid, status: s }) => {
                if status != Value::ZERO {
                    let ptr = as_ptr(status)?;
                    self.memory
                        .store(image, env, ptr, Scalar::I32, Value::Int(i64::from(s)))?;
                }
                Value::Pid(pid)
            }
            (OnReply::Read(buf), Reply::Data(data)) => {
                let n = data.len();
                self.memory.write(image, env, buf, &data)?;
                Value::Int(n as i64)
            }
            (OnReply::Pipe(fds), Reply::Fds(a, b)) => {
                let second = Ptr {
                    offset: fds.offset + 4,
                    ..fds
                };
                self.memory
                    .store(image, env, fds, Scalar::I32, Value::Int(a.into()))?;
                self.memory
                    .store(image, env, second, Scalar::I32, Value::Int(b.into()))?;
                Value::ZERO
            }
            (_, Reply::Pid(pid)) => Value::Pid(pid),
            (_, Reply::Value(v)) => v,
            (_, Reply::Waited { pid, .. }) => Value::Pid(pid),
            (_, Reply::Data(data)) => Value::Int(data.len() as i64),
            (_, Reply::Fds(..)) => Value::ZERO,
        };
        self.threads[t].push(value);
        Ok(())
    }
}

/// Whether `call` returns a pointer (`NULL` on failure rather than -1).
fn returns_pointer(call: Call) -> bool {
    matches!(call, Call::SemOpen)
}
