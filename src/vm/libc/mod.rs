//! The C library calls that run inside the process (no kernel needed): dispatch, process
//! control (`exit`, `atexit`, `abort`), the `W*` status macros and small numeric functions.

mod convert;
mod heap;
mod print;
mod random;
mod scan;
mod strings;

pub use random::Random;

use super::call::Outcome;
use super::interp::as_ptr;
use super::memory::Fault;
use super::value::{Ptr, Value};
use super::{Env, FaultKind, Request, Vm};
use crate::calls::Call;
use crate::ir::Scalar;

/// The fixed virtual time `time(2)` reports: 2023-11-14 22:13:20 UTC.
pub const EPOCH: i64 = 1_700_000_000;

/// Argument `i` as an integer (pointers have none: a fault).
pub(super) fn int(args: &[Value], i: usize) -> Result<i64, Fault> {
    match args.get(i) {
        Some(v) => v.as_int().ok_or_else(|| {
            Fault::new(
                FaultKind::BadPointer,
                format!(
                    "argument {} is a pointer where an integer is expected",
                    i + 1
                ),
            )
        }),
        None => Ok(0),
    }
}

/// Argument `i` as a byte count for memory at `ptr`: faults (before anything is allocated
/// for it) if that many bytes are not there.
pub(super) fn length(
    vm: &Vm,
    args: &[Value],
    i: usize,
    ptr: Ptr,
    write: bool,
) -> Result<u32, Fault> {
    let n = int(args, i)? as u64;
    let len = u32::try_from(n).map_err(|_| {
        Fault::new(
            FaultKind::OutOfBounds,
            format!("a length of {n} bytes is larger than any object"),
        )
    })?;
    vm.memory.check(&vm.image.0, ptr, len, write)?;
    Ok(len)
}

/// Argument `i` as a pointer that must not be NULL.
pub(super) fn ptr(args: &[Value], i: usize) -> Result<Ptr, Fault> {
    as_ptr(args.get(i).copied().unwrap_or(Value::ZERO))
}

impl Vm {
    /// Performs `call` with `args` for thread `t`: library calls here, system calls become
    /// requests.
    pub(super) fn library(
        &mut self,
        t: usize,
        call: Call,
        args: &[Value],
        env: &mut dyn Env,
    ) -> Result<Outcome, Fault> {
        let value = |n: i64| Ok(Outcome::Value(Value::Int(n)));
        match call {
            Call::Exit => Ok(Outcome::Exit(int(args, 0)? as i32)),
            Call::Abort => Ok(Outcome::Die(6)),
            Call::AssertFail => self.assert_fail(args, env),
            Call::Atexit => match args[0] {
                Value::Func(f) => {
                    self.atexit.push(f);
                    value(0)
                }
                _ => Err(Fault::new(
                    FaultKind::BadCall,
                    "atexit given something that is not a function",
                )),
            },
            Call::Wifexited => value(i64::from(int(args, 0)? & 0x7f == 0)),
            Call::Wexitstatus => value((int(args, 0)? >> 8) & 0xff),
            Call::Wifsignaled => {
                let s = int(args, 0)?;
                value(i64::from(((s & 0x7f) + 1) as i8 >> 1 > 0))
            }
            Call::Wtermsig => value(int(args, 0)? & 0x7f),
            Call::Wifstopped => value(i64::from(int(args, 0)? & 0xff == 0x7f)),
            Call::Abs => value(i64::from((int(args, 0)? as i32).wrapping_abs())),
            Call::Rand => value(i64::from(
                self.random.get_or_insert_with(Box::default).next(),
            )),
            Call::Srand => {
                self.random = Some(Box::new(Random::new(int(args, 0)? as u32)));
                value(0)
            }
            Call::Time => {
                if args[0] != Value::ZERO {
                    let p = ptr(args, 0)?;
                    self.memory
                        .store(&self.image.0, env, p, Scalar::I64, Value::Int(EPOCH))?;
                }
                value(EPOCH)
            }
            Call::Ftok => {
                let path = self.string(args[0], env)?;
                let hash = path.iter().fold(0x811c_9dc5u32, |h, &b| {
                    (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
                });
                value(i64::from(
                    ((int(args, 1)? as u32 & 0xff) << 24 | hash & 0xff_ffff) as i32,
                ))
            }
            Call::Getchar => Ok(match self.stdio.getchar() {
                Some(c) => Outcome::Value(Value::Int(c.map_or(-1, i64::from))),
                None => Outcome::Refill,
            }),
            Call::Fgets => self.fgets(args, env),
            Call::Scanf | Call::Sscanf => Ok(self
                .scan_call(call, args, env)?
                .expect("scan_call handles scanf and sscanf")),
            Call::System => {
                let name = crate::calls::info(call).name;
                let on_reply = super::thread::OnReply::Return;
                Ok(Outcome::Request(Request::Unsupported { name }, on_reply))
            }
            _ => {
                if let Some(outcome) = self.stdio_call(call, args, env)? {
                    return Ok(outcome);
                }
                if let Some(outcome) = self.convert_call(call, args, env)? {
                    return Ok(outcome);
                }
                if let Some(outcome) = self.string_call(call, args, env)? {
                    return Ok(outcome);
                }
                if let Some(outcome) = self.heap_call(call, args, env)? {
                    return Ok(outcome);
                }
                if let Some(outcome) = self.pthread_request(t, call, args, env) {
                    return outcome;
                }
                self.system(call, args, env)
            }
        }
    }

    /// `fgets(s, size, stream)`: a line of `stdin` (other streams have no input: NULL).
    fn fgets(&mut self, args: &[Value], env: &mut dyn Env) -> Result<Outcome, Fault> {
        let size = int(args, 1)?;
        let is_stdin = matches!(args[2], Value::Ptr(p) if p.region == super::RegionId::STREAMS);
        if size <= 0 || !is_stdin {
            return Ok(Outcome::Value(Value::ZERO));
        }
        let Some(mut line) = self.stdio.fgets(size as usize - 1) else {
            return Ok(Outcome::Refill);
        };
        if line.is_empty() && size > 1 {
            return Ok(Outcome::Value(Value::ZERO));
        }
        line.push(0);
        self.memory
            .write(&self.image.0, env, ptr(args, 0)?, &line)?;
        Ok(Outcome::Value(args[0]))
    }
}
