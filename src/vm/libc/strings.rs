//! `<string.h>`: string and memory functions over checked memory (every byte they touch is
//! bounds-checked, so `strcpy` overruns fault like the C program would crash), and
//! `strerror`.

use super::{int, length, ptr};
use crate::calls::Call;
use crate::vm::call::Outcome;
use crate::vm::memory::{Fault, Region, RegionKind};
use crate::vm::value::{Ptr, Value};
use crate::vm::{Env, Vm};

impl Vm {
    /// String and memory calls; `None` for calls that are not.
    pub(super) fn string_call(
        &mut self,
        call: Call,
        args: &[Value],
        env: &mut dyn Env,
    ) -> Result<Option<Outcome>, Fault> {
        let image = &self.image.0;
        let value = match call {
            Call::Strlen => Value::Int(self.string(args[0], env)?.len() as i64),
            Call::Strcpy | Call::Strcat => {
                let mut src = self.string(args[1], env)?;
                src.push(0);
                let mut dst = ptr(args, 0)?;
                if call == Call::Strcat {
                    dst.offset += self.string(args[0], env)?.len() as u32;
                }
                self.memory.write(image, env, dst, &src)?;
                args[0]
            }
            Call::Strncpy => {
                let dst = ptr(args, 0)?;
                let n = length(self, args, 2, dst, true)? as usize;
                let mut src = self.string(args[1], env)?;
                src.resize(n, 0);
                self.memory.write(image, env, dst, &src)?;
                args[0]
            }
            Call::Strncat => {
                let n = int(args, 2)? as u64 as usize;
                let mut src = self.string(args[1], env)?;
                src.truncate(n);
                src.push(0);
                let mut dst = ptr(args, 0)?;
                dst.offset += self.string(args[0], env)?.len() as u32;
                self.memory.write(image, env, dst, &src)?;
                args[0]
            }
            Call::Strcmp => {
                let (a, b) = (self.string(args[0], env)?, self.string(args[1], env)?);
                Value::Int(compare(&a, &b, usize::MAX, true))
            }
            Call::Strncmp => {
                let n = int(args, 2)? as u64 as usize;
                let (a, b) = (self.string(args[0], env)?, self.string(args[1], env)?);
                Value::Int(compare(&a, &b, n, true))
            }
            Call::Strchr | Call::Strrchr => {
                let s = self.string(args[0], env)?;
                let c = int(args, 1)? as u8;
                let at = if c == 0 {
                    Some(s.len())
                } else if call == Call::Strchr {
                    s.iter().position(|&b| b == c)
                } else {
                    s.iter().rposition(|&b| b == c)
                };
                offset_into(ptr(args, 0)?, at)
            }
            Call::Strstr => {
                let (hay, needle) = (self.string(args[0], env)?, self.string(args[1], env)?);
                let at = if needle.is_empty() {
                    Some(0)
                } else {
                    hay.windows(needle.len()).position(|w| w == needle)
                };
                offset_into(ptr(args, 0)?, at)
            }
            Call::Memset => {
                if int(args, 2)? != 0 {
                    let dst = ptr(args, 0)?;
                    let n = length(self, args, 2, dst, true)?;
                    let bytes = vec![int(args, 1)? as u8; n as usize];
                    self.memory.write(image, env, dst, &bytes)?;
                }
                args[0]
            }
            Call::Memcpy | Call::Memmove => {
                if int(args, 2)? != 0 {
                    let (dst, src) = (ptr(args, 0)?, ptr(args, 1)?);
                    let n = length(self, args, 2, dst, true)?;
                    self.memory.copy(image, env, dst, src, n)?;
                }
                args[0]
            }
            Call::Memcmp => {
                let n = int(args, 2)?.clamp(0, i64::from(u32::MAX)) as u32;
                if n == 0 {
                    Value::ZERO
                } else {
                    let a = self.memory.read(image, env, ptr(args, 0)?, n)?;
                    let b = self.memory.read(image, env, ptr(args, 1)?, n)?;
                    Value::Int(compare(&a, &b, n as usize, false))
                }
            }
            Call::Strerror => self.strerror(int(args, 0)? as i32),
            _ => return Ok(None),
        };
        Ok(Some(Outcome::Value(value)))
    }

    /// `strerror(e)`: the message in a buffer the library owns (rewritten by each call).
    fn strerror(&mut self, e: i32) -> Value {
        let mut text = super::print::strerror(e).into_bytes();
        text.push(0);
        if let Some(old) = self.strerror_buf.take() {
            self.memory.free(old);
        }
        let mut region = Region::zeroed(RegionKind::Argv, text.len());
        region.bytes.copy_from_slice(&text);
        let id = self.memory.allocate(region);
        self.strerror_buf = Some(id);
        Value::Ptr(Ptr {
            region: id,
            offset: 0,
        })
    }
}

/// `ptr + at`, or NULL.
fn offset_into(p: Ptr, at: Option<usize>) -> Value {
    match at {
        Some(i) => Value::Ptr(Ptr {
            offset: p.offset + i as u32,
            ..p
        }),
        None => Value::ZERO,
    }
}

/// `strcmp`/`memcmp` over the first `n` bytes: the difference of the first differing
/// unsigned bytes (glibc x86-64), strings ending at their NUL.
fn compare(a: &[u8], b: &[u8], n: usize, strings: bool) -> i64 {
    let len = if strings {
        (a.len().max(b.len()) + 1).min(n)
    } else {
        n
    };
    for i in 0..len {
        let (x, y) = (
            a.get(i).copied().unwrap_or(0),
            b.get(i).copied().unwrap_or(0),
        );
        if x != y {
            return i64::from(x) - i64::from(y);
        }
        if strings && x == 0 {
            return 0;
        }
    }
    0
}
