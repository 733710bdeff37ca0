//! `<stdlib.h>` number parsing (`strtol`, `strtoul`, `strtoll`, `strtoull`, and `atoi`,
//! `atol` on top of them) and `<string.h>`'s `strtok`, as C11 7.22.1.4 and 7.24.5.8 say.

use super::{int, ptr};
use crate::calls::Call;
use crate::errno::{EINVAL, ERANGE};
use crate::ir::Scalar;
use crate::vm::call::Outcome;
use crate::vm::memory::Fault;
use crate::vm::value::{Ptr, Value};
use crate::vm::{Env, Vm};

/// What parsing a number found: its value (saturated on overflow) and how many bytes of
/// the string it used (0 when there is no number).
pub(super) struct Parsed {
    pub value: i128,
    pub used: usize,
    pub overflow: bool,
}

/// C11 7.22.1.4: leading white space, an optional sign, an optional `0x`/`0X` (base 16 or
/// 0) or `0` (base 0: octal), then digits of `base` (2 to 36). Values beyond 64 bits are
/// flagged.
pub(super) fn parse(s: &[u8], base: u32) -> Parsed {
    let mut at = s
        .iter()
        .take_while(|b| b" \t\n\r\x0b\x0c".contains(b))
        .count();
    let negative = match s.get(at) {
        Some(b'-') => {
            at += 1;
            true
        }
        Some(b'+') => {
            at += 1;
            false
        }
        _ => false,
    };
    let hex_prefix = matches!(s.get(at..at + 2), Some([b'0', b'x' | b'X']))
        && s.get(at + 2)
            .is_some_and(|b| (*b as char).is_ascii_hexdigit());
    let base = match base {
        0 if hex_prefix => 16,
        0 if s.get(at) == Some(&b'0') => 8,
        0 => 10,
        b => b,
    };
    if base == 16 && hex_prefix {
        at += 2;
    }
    let digits = (s[at.min(s.len())..].iter())
        .map_while(|&b| (b as char).to_digit(base))
        .collect::<Vec<u32>>();
    if digits.is_empty() {
        return Parsed {
            value: 0,
            used: 0,
            overflow: false,
        };
    }
    let mut value: i128 = 0;
    let mut overflow = false;
    for d in &digits {
        value = value * i128::from(base) + i128::from(*d);
        if value > i128::from(u64::MAX) {
            overflow = true;
            value = i128::from(u64::MAX) + 1;
        }
    }
    Parsed {
        value: if negative { -value } else { value },
        used: at + digits.len(),
        overflow,
    }
}

impl Vm {
    /// `strtol` and friends, `atoi`, `atol`, `strtok`; `None` for other calls.
    pub(super) fn convert_call(
        &mut self,
        call: Call,
        args: &[Value],
        env: &mut dyn Env,
    ) -> Result<Option<Outcome>, Fault> {
        let value = match call {
            Call::Atoi => parse(&self.string(args[0], env)?, 10).value as i32 as i64,
            Call::Atol => parse(&self.string(args[0], env)?, 10).value as i64,
            Call::Strtol | Call::Strtoll | Call::Strtoul | Call::Strtoull => {
                return self.strtol(call, args, env).map(Some)
            }
            Call::Strtok => return self.strtok(args, env).map(Some),
            _ => return Ok(None),
        };
        Ok(Some(Outcome::Value(Value::Int(value))))
    }

    /// `strtol(s, endptr, base)`: the value, saturated with `ERANGE` when out of range;
    /// `*endptr` (if not NULL) set past the number, or to `s` when there is none.
    fn strtol(&mut self, call: Call, args: &[Value], env: &mut dyn Env) -> Result<Outcome, Fault> {
        let base = int(args, 2)?;
        if base != 0 && !(2..=36).contains(&base) {
            self.set_errno(EINVAL);
            return Ok(Outcome::Value(Value::ZERO));
        }
        let parsed = parse(&self.string(args[0], env)?, base as u32);
        let signed = matches!(call, Call::Strtol | Call::Strtoll);
        let (min, max) = if signed {
            (i128::from(i64::MIN), i128::from(i64::MAX))
        } else {
            (-i128::from(u64::MAX), i128::from(u64::MAX))
        };
        let value = if parsed.overflow || parsed.value > max || parsed.value < min {
            self.set_errno(ERANGE);
            match (signed, parsed.value < 0) {
                (true, true) => i64::MIN,
                (true, false) => i64::MAX,
                (false, _) => -1,
            }
        } else {
            // strtoul of "-1" is ULONG_MAX: the negation happens in unsigned arithmetic.
            parsed.value as i64
        };
        if args[1] != Value::ZERO {
            let s = ptr(args, 0)?;
            let end = Value::Ptr(Ptr {
                offset: s.offset + parsed.used as u32,
                ..s
            });
            let at = ptr(args, 1)?;
            self.memory
                .store(&self.image.0, env, at, Scalar::Ptr, end)?;
        }
        Ok(Outcome::Value(Value::Int(value)))
    }

    /// `strtok(s, delim)`: the next token of `s` (of the string the last call left off in
    /// when `s` is NULL), its end overwritten with a NUL; NULL when none is left.
    fn strtok(&mut self, args: &[Value], env: &mut dyn Env) -> Result<Outcome, Fault> {
        let start = match args[0] {
            Value::Int(0) => match self.strtok_next {
                Some(next) => next,
                None => return Ok(Outcome::Value(Value::ZERO)),
            },
            _ => ptr(args, 0)?,
        };
        let delim = self.string(args[1], env)?;
        let text = self.string(Value::Ptr(start), env)?;
        let skip = text.iter().take_while(|b| delim.contains(b)).count();
        if skip == text.len() {
            self.strtok_next = None;
            return Ok(Outcome::Value(Value::ZERO));
        }
        let len = text[skip..]
            .iter()
            .take_while(|b| !delim.contains(b))
            .count();
        let token = Ptr {
            offset: start.offset + skip as u32,
            ..start
        };
        let end = Ptr {
            offset: token.offset + len as u32,
            ..start
        };
        if skip + len < text.len() {
            self.memory.write(&self.image.0, env, end, &[0])?;
            self.strtok_next = Some(Ptr {
                offset: end.offset + 1,
                ..start
            });
        } else {
            self.strtok_next = None;
        }
        Ok(Outcome::Value(Value::Ptr(token)))
    }
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn bases_signs_and_prefixes_parse_as_c_says() {
        let value = |s: &str, base| parse(s.as_bytes(), base).value;
        assert_eq!(value("  -42xyz", 10), -42);
        assert_eq!(value("0x1F", 0), 31);
        assert_eq!(value("0x1F", 16), 31);
        assert_eq!(value("017", 0), 15);
        assert_eq!(value("z", 36), 35);
        assert_eq!(parse(b"0x", 0).used, 1);
        assert_eq!(parse(b"abc", 10).used, 0);
        assert!(parse(b"99999999999999999999999", 10).overflow);
    }
}
