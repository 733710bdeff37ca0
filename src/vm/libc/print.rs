//! stdio output calls: the `printf` family, `puts`/`fputs`/`putchar`/`fputc`, `fflush`,
//! `setvbuf`/`setbuf` and `perror`, writing into the VM's stream buffers.

use super::{int, ptr};
use crate::calls::Call;
use crate::vm::call::Outcome;
use crate::vm::format::{format, Args};
use crate::vm::memory::Fault;
use crate::vm::thread::{OnReply, Then};
use crate::vm::value::{RegionId, Value};
use crate::vm::{Env, FaultKind, Request, Vm};

/// The stream number (0–2) a `FILE *` argument names.
fn stream(v: Value) -> Result<u8, Fault> {
    match v {
        Value::Ptr(p) if (RegionId::STREAMS.0..RegionId::GLOBALS.0).contains(&p.region.0) => {
            Ok((p.region.0 - RegionId::STREAMS.0) as u8)
        }
        Value::Int(0) => Err(Fault::new(
            FaultKind::NullPointer,
            "a NULL FILE * passed to a stdio function",
        )),
        _ => Err(Fault::new(
            FaultKind::BadPointer,
            "a stdio function given something that is not a FILE *",
        )),
    }
}

impl Vm {
    /// Stdio output calls; `None` for calls that are not.
    pub(super) fn stdio_call(
        &mut self,
        call: Call,
        args: &[Value],
        env: &mut dyn Env,
    ) -> Result<Option<Outcome>, Fault> {
        let outcome = match call {
            Call::Printf => {
                let text = self.format(args, 0, env)?;
                self.output(1, &text, text.len() as i64)
            }
            Call::Fprintf => {
                let n = stream(args[0])?;
                let text = self.format(args, 1, env)?;
                self.output(n, &text, text.len() as i64)
            }
            Call::Dprintf => {
                let data = self.format(args, 1, env)?;
                let fd = int(args, 0)? as i32;
                Outcome::Request(Request::Write { fd, data }, OnReply::Return)
            }
            Call::Sprintf => {
                let text = self.format(args, 1, env)?;
                self.store_string(args, 0, &text, usize::MAX, env)?
            }
            Call::Snprintf => {
                let text = self.format(args, 2, env)?;
                let size = int(args, 1)? as u64 as usize;
                self.store_string(args, 0, &text, size, env)?
            }
            Call::Puts => {
                let mut text = self.string(args[0], env)?;
                text.push(b'\n');
                self.output(1, &text, text.len() as i64)
            }
            Call::Fputs => {
                let text = self.string(args[0], env)?;
                self.output(stream(args[1])?, &text, 1)
            }
            Call::Putchar => {
                let c = int(args, 0)? as u8;
                self.output(1, &[c], i64::from(c))
            }
            Call::Fputc => {
                let c = int(args, 0)? as u8;
                self.output(stream(args[1])?, &[c], i64::from(c))
            }
            Call::Fflush => self.fflush(args[0])?,
            Call::Setvbuf => {
                let ok = self
                    .stdio
                    .setvbuf(stream(args[0])?, int(args, 2)?, int(args, 3)? as u64);
                Outcome::Value(Value::Int(if ok { 0 } else { -1 }))
            }
            Call::Setbuf => {
                let mode = if args[1] == Value::ZERO { 2 } else { 0 };
                self.stdio.setvbuf(stream(args[0])?, mode, 8192);
                Outcome::Value(Value::ZERO)
            }
            Call::Perror => {
                let mut text = match args[0] {
                    Value::Int(0) => Vec::new(),
                    s => self.string(s, env)?,
                };
                if !text.is_empty() {
                    text.extend_from_slice(b": ");
                }
                text.extend_from_slice(strerror(self.errno()).as_bytes());
                text.push(b'\n');
                self.output(2, &text, 0)
            }
            _ => return Ok(None),
        };
        Ok(Some(outcome))
    }

    /// `__assert_fail(assertion, file, line, function)`: glibc's message on `stderr`,
    /// `prog: file:line: function: Assertion `assertion' failed.`, written out, then
    /// `abort` (SIGABRT).
    pub(super) fn assert_fail(
        &mut self,
        args: &[Value],
        env: &mut dyn Env,
    ) -> Result<Outcome, Fault> {
        let mut text = self.progname.to_vec();
        if !text.is_empty() {
            text.extend_from_slice(b": ");
        }
        text.extend_from_slice(&self.string(args[1], env)?);
        text.extend_from_slice(format!(":{}: ", int(args, 2)? as u32).as_bytes());
        if args[3] != Value::ZERO {
            text.extend_from_slice(&self.string(args[3], env)?);
            text.extend_from_slice(b": ");
        }
        text.extend_from_slice(b"Assertion `");
        text.extend_from_slice(&self.string(args[0], env)?);
        text.extend_from_slice(b"' failed.\n");
        self.stdio.output(2, &text, &self.config);
        Ok(Outcome::Output {
            stream: 2,
            left: self.stdio.streams[2].buf.len(),
            then: Then::Die(6),
        })
    }

    /// `printf`'s output for the format at argument `at` and the arguments after it.
    fn format(&self, args: &[Value], at: usize, env: &mut dyn Env) -> Result<Vec<u8>, Fault> {
        let fmt = self.string(args[at], env)?;
        format(
            &self.memory,
            &self.image.0,
            env,
            &fmt,
            Args::new(&args[at + 1..]),
        )
    }

    /// Buffers `data` on stream `n`; the call returns `ret` once what must be written is.
    fn output(&mut self, n: u8, data: &[u8], ret: i64) -> Outcome {
        let left = self.stdio.output(n, data, &self.config);
        Outcome::Output {
            stream: n,
            left,
            then: Then::Return(Value::Int(ret)),
        }
    }

    /// `sprintf`/`snprintf`: stores at most `size - 1` bytes and a NUL; returns the full
    /// length.
    fn store_string(
        &mut self,
        args: &[Value],
        at: usize,
        text: &[u8],
        size: usize,
        env: &mut dyn Env,
    ) -> Result<Outcome, Fault> {
        if size > 0 {
            let keep = text.len().min(size - 1);
            let mut bytes = text[..keep].to_vec();
            bytes.push(0);
            self.memory
                .write(&self.image.0, env, ptr(args, at)?, &bytes)?;
        }
        Ok(Outcome::Value(Value::Int(text.len() as i64)))
    }

    /// `fflush(stream)`; `fflush(NULL)` flushes `stdout`, then `stderr`.
    fn fflush(&mut self, v: Value) -> Result<Outcome, Fault> {
        let (n, then) = match v {
            Value::Int(0) => (1, Then::Flush(2)),
            _ => (stream(v)?, Then::Return(Value::ZERO)),
        };
        Ok(Outcome::Output {
            stream: n,
            left: self.stdio.streams[n as usize].buf.len(),
            then,
        })
    }
}

/// glibc's message for `errno` value `e` (`strerror(3)`).
pub fn strerror(e: i32) -> String {
    let message = match e {
        0 => "Success",
        1 => "Operation not permitted",
        2 => "No such file or directory",
        3 => "No such process",
        4 => "Interrupted system call",
        5 => "Input/output error",
        6 => "No such device or address",
        7 => "Argument list too long",
        8 => "Exec format error",
        9 => "Bad file descriptor",
        10 => "No child processes",
        11 => "Resource temporarily unavailable",
        12 => "Cannot allocate memory",
        13 => "Permission denied",
        14 => "Bad address",
        16 => "Device or resource busy",
        17 => "File exists",
        20 => "Not a directory",
        21 => "Is a directory",
        22 => "Invalid argument",
        23 => "Too many open files in system",
        24 => "Too many open files",
        25 => "Inappropriate ioctl for device",
        27 => "File too large",
        28 => "No space left on device",
        29 => "Illegal seek",
        32 => "Broken pipe",
        34 => "Numerical result out of range",
        35 => "Resource deadlock avoided",
        36 => "File name too long",
        38 => "Function not implemented",
        39 => "Directory not empty",
        42 => "No message of desired type",
        43 => "Identifier removed",
        88 => "Socket operation on non-socket",
        98 => "Address already in use",
        104 => "Connection reset by peer",
        110 => "Connection timed out",
        111 => "Connection refused",
        _ => return format!("Unknown error {e}"),
    };
    message.to_string()
}
