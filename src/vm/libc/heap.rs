//! `malloc(3)` and friends: each block its own memory object (so overruns and use after
//! free fault), `NULL` with `ENOMEM` beyond the process's memory limit.

use super::int;
use crate::calls::Call;
use crate::errno::ENOMEM;
use crate::vm::call::Outcome;
use crate::vm::memory::{Fault, Region, RegionKind};
use crate::vm::value::{Ptr, Value};
use crate::vm::{Env, FaultKind, Vm};

impl Vm {
    /// Heap calls; `None` for calls that are not.
    pub(super) fn heap_call(
        &mut self,
        call: Call,
        args: &[Value],
        env: &mut dyn Env,
    ) -> Result<Option<Outcome>, Fault> {
        let value = match call {
            Call::Malloc => self.malloc(int(args, 0)? as u64)?,
            Call::Calloc => {
                let (n, size) = (int(args, 0)? as u64, int(args, 1)? as u64);
                n.checked_mul(size)
                    .map_or(Ok(Value::ZERO), |total| self.malloc(total))?
            }
            Call::Realloc => self.realloc(args[0], int(args, 1)? as u64, env)?,
            Call::Free => {
                self.free(args[0])?;
                Value::ZERO
            }
            Call::Strdup => {
                let mut s = self.string(args[0], env)?;
                s.push(0);
                let block = self.malloc(s.len() as u64)?;
                if let Value::Ptr(p) = block {
                    self.memory.write(&self.image.0, env, p, &s)?;
                }
                block
            }
            _ => return Ok(None),
        };
        Ok(Some(Outcome::Value(value)))
    }

    /// A new zeroed block of `size` bytes; `NULL` (and `ENOMEM`) for a size no machine
    /// could give (over 4 GiB), a [`FaultKind::MemoryLimit`] fault beyond the process's
    /// `max_memory`.
    pub(in crate::vm) fn malloc(&mut self, size: u64) -> Result<Value, Fault> {
        if size > u64::from(u32::MAX) {
            self.set_errno(ENOMEM);
            return Ok(Value::ZERO);
        }
        let fits = self
            .memory
            .used()
            .checked_add(size as usize)
            .is_some_and(|total| total <= self.config.max_memory);
        if !fits {
            return Err(Fault::new(
                FaultKind::MemoryLimit,
                format!(
                    "allocating {size} bytes would pass the memory limit of {} bytes",
                    self.config.max_memory
                ),
            ));
        }
        let region = self
            .memory
            .allocate(Region::zeroed(RegionKind::Heap, size as usize));
        Ok(Value::Ptr(Ptr { region, offset: 0 }))
    }

    /// `free(p)`: `p` must be NULL or the start of a live block.
    fn free(&mut self, v: Value) -> Result<(), Fault> {
        if v == Value::ZERO {
            return Ok(());
        }
        let p = self.heap_block(v)?;
        self.memory.free(p.region);
        Ok(())
    }

    /// The block `v` starts, or a [`FaultKind::BadFree`].
    fn heap_block(&self, v: Value) -> Result<Ptr, Fault> {
        let bad = |what: &str| Err(Fault::new(FaultKind::BadFree, format!("free(): {what}")));
        let Value::Ptr(p) = v else {
            return bad("invalid pointer (not from malloc)");
        };
        match self.memory.region(p.region).map(|r| r.kind) {
            Some(RegionKind::Heap) if p.offset == 0 => Ok(p),
            Some(RegionKind::Heap) => bad("invalid pointer (not the start of a block)"),
            Some(_) => bad("invalid pointer (not from malloc)"),
            None if p.region.0 >= crate::vm::RegionId::FIRST_DYNAMIC => {
                bad("double free detected (the block was already freed)")
            }
            None => bad("invalid pointer (not from malloc)"),
        }
    }

    /// `realloc(p, size)`: moves the contents to a new block (NULL `p` is `malloc`, size 0
    /// frees and returns NULL).
    fn realloc(&mut self, v: Value, size: u64, env: &mut dyn Env) -> Result<Value, Fault> {
        if v == Value::ZERO {
            return self.malloc(size);
        }
        let old = self.heap_block(v)?;
        if size == 0 {
            self.memory.free(old.region);
            return Ok(Value::ZERO);
        }
        let new = self.malloc(size)?;
        if let Value::Ptr(p) = new {
            let len = self.memory.region(old.region).map_or(0, |r| r.len());
            self.memory
                .copy(&self.image.0, env, p, old, len.min(size as u32))?;
            self.memory.free(old.region);
        }
        Ok(new)
    }
}
