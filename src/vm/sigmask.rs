//! The signal-mask calls of the C library: `sigprocmask`, `sigsuspend`, `sigpending`
//! (requests) and `sigismember`. A `sigset_t` holds signal `n` at bit `n - 1` of its
//! first bytes (glibc's layout); the kernel's masks hold it at bit `n`.

use super::call::Outcome;
use super::interp::as_ptr;
use super::ipc::SIGSET_SIZE;
use super::memory::Fault;
use super::thread::OnReply;
use super::value::{Ptr, Value};
use super::{Env, Request, Vm};
use crate::calls::Call;
use crate::ir::Scalar;

/// A pointer argument, `None` for NULL.
fn nullable(v: Value) -> Result<Option<Ptr>, Fault> {
    match v {
        Value::Int(0) => Ok(None),
        v => as_ptr(v).map(Some),
    }
}

impl Vm {
    /// `sigismember`, `sigprocmask`, `sigsuspend` and `sigpending`.
    pub(super) fn sigmask_call(
        &mut self,
        call: Call,
        args: &[Value],
        env: &mut dyn Env,
    ) -> Result<Outcome, Fault> {
        let int = |i: usize| args.get(i).and_then(|v| v.as_int()).unwrap_or(0);
        match call {
            Call::Sigismember => {
                let signal = int(1);
                if !(1..=i64::from(SIGSET_SIZE) * 8).contains(&signal) {
                    self.set_errno(crate::errno::EINVAL);
                    return Ok(Outcome::Value(Value::Int(-1)));
                }
                let set = self.load_sigset(args[0], env)?.unwrap_or(0);
                let member = signal <= 64 && set >> (signal - 1) & 1 == 1;
                Ok(Outcome::Value(Value::Int(i64::from(member))))
            }
            Call::Sigprocmask => {
                let set = self.load_sigset(args[1], env)?.map(kernel_mask);
                let old = nullable(args[2])?;
                if let Some(old) = old {
                    self.memory.check(&self.image.0, old, 8, true)?;
                }
                let request = Request::Sigprocmask {
                    how: int(0) as i32,
                    set,
                };
                Ok(Outcome::Request(request, OnReply::Sigset(old)))
            }
            Call::Sigsuspend => {
                let mask = self.load_sigset(args[0], env)?.map_or(0, kernel_mask);
                Ok(Outcome::Request(
                    Request::Sigsuspend { mask },
                    OnReply::Return,
                ))
            }
            _ => {
                let set = nullable(args[0])?;
                Ok(Outcome::Request(Request::Sigpending, OnReply::Sigset(set)))
            }
        }
    }

    /// The first 64 signals of the `sigset_t` at `set` (bit `n - 1` for signal `n`);
    /// `None` for NULL.
    fn load_sigset(&self, set: Value, env: &mut dyn Env) -> Result<Option<u64>, Fault> {
        let Some(set) = nullable(set)? else {
            return Ok(None);
        };
        let bits = self.memory.load(&self.image.0, env, set, Scalar::I64)?;
        Ok(Some(bits.as_int().unwrap_or(0) as u64))
    }

    /// Stores the kernel mask `mask` into the `sigset_t` at `set` (if not NULL); 0.
    pub(super) fn store_sigset(
        &mut self,
        set: Option<Ptr>,
        mask: u32,
        env: &mut dyn Env,
    ) -> Result<Value, Fault> {
        if let Some(set) = set {
            let bits = Value::Int(i64::from(mask >> 1));
            self.memory
                .store(&self.image.0, env, set, Scalar::I64, bits)?;
        }
        Ok(Value::ZERO)
    }
}

/// A `sigset_t`'s bits as a kernel mask (signals 1 to 31).
fn kernel_mask(bits: u64) -> u32 {
    ((bits << 1) & 0xffff_fffe) as u32
}
