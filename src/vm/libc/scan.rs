//! `scanf` and `sscanf` (C11 7.21.6.2): white space in the format skips white space, other
//! characters must match, and the conversions `%d %i %u %o %x %c %s %n %%` (with `*`,
//! a width and the `hh h l ll z j t` sizes) read and store. `scanf` reads `stdin`'s
//! buffer and asks for a refill while the input ends before the format is done.

use super::ptr;
use crate::calls::Call;
use crate::ir::Scalar;
use crate::vm::call::Outcome;
use crate::vm::memory::Fault;
use crate::vm::value::Value;
use crate::vm::{Env, Vm};

/// One value a conversion produced, for the argument it goes to.
enum Store {
    /// An integer of this many bytes.
    Int(i64, u8),
    /// Bytes (`%c`), with a NUL after them for `%s`.
    Bytes(Vec<u8>, bool),
}

/// How matching the format against the input went.
enum Scan {
    /// Done: bytes of input used, the values to store in order, the count to return.
    Done(usize, Vec<Store>, i64),
    /// The input ran out before the format did, and more may come.
    More,
}

fn is_space(b: u8) -> bool {
    b" \t\n\r\x0b\x0c".contains(&b)
}

/// Matches `format` against `input` (`eof`: no more input will come).
fn scan(format: &[u8], input: &[u8], eof: bool) -> Scan {
    let (mut f, mut at, mut stores, mut assigned) = (0, 0, Vec::new(), 0i64);
    // EOF before the first conversion is an input failure: the call returns EOF.
    let failure = |assigned: i64, converted: bool| if converted { assigned } else { -1 };
    let mut converted = false;
    while f < format.len() {
        let c = format[f];
        if is_space(c) {
            f += 1;
            while at < input.len() && is_space(input[at]) {
                at += 1;
            }
            if at == input.len() && !eof {
                return Scan::More;
            }
            continue;
        }
        if c != b'%' || format.get(f + 1) == Some(&b'%') {
            let literal = if c == b'%' {
                f += 2;
                b'%'
            } else {
                f += 1;
                c
            };
            if literal == b'%' {
                while at < input.len() && is_space(input[at]) {
                    at += 1;
                }
            }
            match input.get(at) {
                Some(&b) if b == literal => at += 1,
                Some(_) => return Scan::Done(at, stores, assigned),
                None if eof => return Scan::Done(at, stores, failure(assigned, converted)),
                None => return Scan::More,
            }
            continue;
        }
        f += 1;
        let suppress = format.get(f) == Some(&b'*');
        f += usize::from(suppress);
        let digits = format[f..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        let width = std::str::from_utf8(&format[f..f + digits])
            .ok()
            .and_then(|w| w.parse::<usize>().ok());
        f += digits;
        let mut size = 4u8;
        while let Some(&m) = format.get(f) {
            size = match m {
                b'h' if size == 2 => 1,
                b'h' => 2,
                b'l' | b'z' | b'j' | b't' => 8,
                _ => break,
            };
            f += 1;
        }
        let Some(&conversion) = format.get(f) else {
            break;
        };
        f += 1;
        if conversion == b'n' {
            if !suppress {
                stores.push(Store::Int(at as i64, size));
            }
            continue;
        }
        if conversion != b'c' {
            while at < input.len() && is_space(input[at]) {
                at += 1;
            }
        }
        if at == input.len() {
            if !eof {
                return Scan::More;
            }
            return Scan::Done(at, stores, failure(assigned, converted));
        }
        let limit = width.unwrap_or(if conversion == b'c' { 1 } else { usize::MAX });
        let end = input.len().min(at.saturating_add(limit));
        let field = &input[at..end];
        let (used, store) = match conversion {
            b'c' => {
                if field.len() < limit && !eof {
                    return Scan::More;
                }
                (field.len(), Store::Bytes(field.to_vec(), false))
            }
            b's' => {
                let n = field.iter().take_while(|&&b| !is_space(b)).count();
                if n == field.len() && end == input.len() && !eof && width.is_none_or(|w| n < w) {
                    return Scan::More;
                }
                (n, Store::Bytes(field[..n].to_vec(), true))
            }
            b'd' | b'i' | b'u' | b'o' | b'x' | b'X' => {
                let base = match conversion {
                    b'o' => 8,
                    b'x' | b'X' => 16,
                    b'i' => 0,
                    _ => 10,
                };
                let (n, value) = number(field, base);
                if n == field.len() && end == input.len() && !eof && width.is_none_or(|w| n < w) {
                    return Scan::More;
                }
                if n == 0 {
                    return Scan::Done(at, stores, assigned);
                }
                (n, Store::Int(value, size))
            }
            _ => return Scan::Done(at, stores, assigned),
        };
        at += used;
        converted = true;
        if !suppress {
            stores.push(store);
            assigned += 1;
        }
    }
    Scan::Done(at, stores, assigned)
}

/// The bytes a number in `base` (0: C's prefixes) takes at the start of `field`, and its
/// value (cut to 64 bits; the store's size cuts it further), as `strtol` reads it.
fn number(field: &[u8], base: u32) -> (usize, i64) {
    let parsed = super::convert::parse(field, base);
    (parsed.used, parsed.value as i64)
}

impl Vm {
    /// `scanf(format, …)` from `stdin` and `sscanf(s, format, …)`; `None` for other calls.
    pub(super) fn scan_call(
        &mut self,
        call: Call,
        args: &[Value],
        env: &mut dyn Env,
    ) -> Result<Option<Outcome>, Fault> {
        let (input, eof, format_at) = match call {
            Call::Scanf => {
                let stdin = &self.stdio.streams[0];
                (stdin.buf.clone(), stdin.eof, 0)
            }
            Call::Sscanf => (self.string(args[0], env)?, true, 1),
            _ => return Ok(None),
        };
        let format = self.string(args[format_at], env)?;
        let (used, stores, count) = match scan(&format, &input, eof) {
            Scan::Done(used, stores, count) => (used, stores, count),
            Scan::More => return Ok(Some(Outcome::Refill)),
        };
        for (i, store) in stores.into_iter().enumerate() {
            let at = ptr(args, format_at + 1 + i)?;
            let image = &self.image.0;
            match store {
                Store::Int(v, size) => {
                    let scalar = match size {
                        1 => Scalar::I8,
                        2 => Scalar::I16,
                        4 => Scalar::I32,
                        _ => Scalar::I64,
                    };
                    self.memory.store(image, env, at, scalar, Value::Int(v))?;
                }
                Store::Bytes(mut bytes, nul) => {
                    if nul {
                        bytes.push(0);
                    }
                    self.memory.write(image, env, at, &bytes)?;
                }
            }
        }
        if call == Call::Scanf {
            self.stdio.streams[0].buf.drain(..used);
        }
        Ok(Some(Outcome::Value(Value::Int(count))))
    }
}

#[cfg(test)]
mod tests {
    use super::{scan, Scan, Store};

    fn done(format: &str, input: &str) -> (usize, Vec<i64>, i64) {
        match scan(format.as_bytes(), input.as_bytes(), true) {
            Scan::Done(used, stores, count) => {
                let ints = (stores.iter())
                    .filter_map(|s| match s {
                        Store::Int(v, _) => Some(*v),
                        Store::Bytes(..) => None,
                    })
                    .collect();
                (used, ints, count)
            }
            Scan::More => panic!("wants more input"),
        }
    }

    #[test]
    fn conversions_literals_and_failures_follow_c11() {
        assert_eq!(done("%d %d", " 12\n-3 x"), (6, vec![12, -3], 2));
        assert_eq!(done("%d,%x", "7,1f"), (4, vec![7, 31], 2));
        assert_eq!(done("%d", "abc"), (0, vec![], 0));
        assert_eq!(done("%d", "  "), (2, vec![], -1));
        assert_eq!(done("%*d %d", "1 2"), (3, vec![2], 1));
        assert_eq!(done("%2d%d", "1234"), (4, vec![12, 34], 2));
    }

    #[test]
    fn input_that_may_go_on_asks_for_more() {
        assert!(matches!(scan(b"%d", b"12", false), Scan::More));
        assert!(matches!(scan(b"%d", b"", false), Scan::More));
        assert!(matches!(scan(b"%d", b"12\n", false), Scan::Done(2, _, 1)));
    }
}
