//! The `printf(3)` family's formatting: conversions `d i u x X o c s p %`, flags `- 0 + space
//! #`, width, precision, `*`, length modifiers `hh h l ll z j t`, with glibc's output.

use super::memory::{address, Fault, Memory};
use super::value::Value;
use super::{Env, FaultKind};
use crate::ir::Image;

/// One conversion specification.
#[derive(Default)]
struct Spec {
    left: bool,
    zero: bool,
    plus: bool,
    space: bool,
    alt: bool,
    width: usize,
    precision: Option<usize>,
    /// Width in bytes of the integer argument (1, 2, 4 or 8).
    size: u8,
}

/// Reads the arguments of one `printf` call in order.
pub struct Args<'a> {
    values: &'a [Value],
    next: usize,
}

impl<'a> Args<'a> {
    /// The variadic arguments.
    pub fn new(values: &'a [Value]) -> Args<'a> {
        Args { values, next: 0 }
    }

    fn take(&mut self) -> Result<Value, Fault> {
        let v = self.values.get(self.next).copied().ok_or_else(|| {
            Fault::new(
                FaultKind::BadPointer,
                "printf format needs more arguments than were passed",
            )
        })?;
        self.next += 1;
        Ok(v)
    }
}

/// Formats `fmt` with `args` as glibc's `printf` would.
///
/// # Errors
/// A `%s` of a bad pointer, or too few arguments.
pub fn format(
    memory: &Memory,
    image: &Image,
    env: &mut dyn Env,
    fmt: &[u8],
    mut args: Args<'_>,
) -> Result<Vec<u8>, Fault> {
    let mut out = Vec::with_capacity(fmt.len() + 16);
    let mut i = 0;
    while i < fmt.len() {
        let b = fmt[i];
        i += 1;
        if b != b'%' {
            out.push(b);
            continue;
        }
        let start = i - 1;
        let mut spec = parse_spec(fmt, &mut i, &mut args)?;
        let Some(&conv) = fmt.get(i) else {
            out.extend_from_slice(&fmt[start..]);
            break;
        };
        i += 1;
        match conv {
            b'%' => out.push(b'%'),
            b'd' | b'i' => signed(
                &mut out,
                &spec,
                int_arg(args.take()?, memory, spec.size, true),
            ),
            b'u' | b'x' | b'X' | b'o' => {
                let n = int_arg(args.take()?, memory, spec.size, false) as u64;
                unsigned(&mut out, &spec, n, conv);
            }
            b'c' => {
                let c = int_arg(args.take()?, memory, 1, false) as u8;
                spec.zero = false;
                pad(&mut out, &spec, b"", &[c]);
            }
            b's' => {
                let s = string_arg(args.take()?, memory, image, env, spec.precision)?;
                spec.zero = false;
                pad(&mut out, &spec, b"", &s);
            }
            b'p' => pointer(&mut out, &mut spec, args.take()?, memory),
            _ => out.extend_from_slice(&fmt[start..i]),
        }
    }
    Ok(out)
}

fn parse_spec(fmt: &[u8], i: &mut usize, args: &mut Args<'_>) -> Result<Spec, Fault> {
    let mut spec = Spec {
        size: 4,
        ..Spec::default()
    };
    while let Some(&b) = fmt.get(*i) {
        match b {
            b'-' => spec.left = true,
            b'0' => spec.zero = true,
            b'+' => spec.plus = true,
            b' ' => spec.space = true,
            b'#' => spec.alt = true,
            _ => break,
        }
        *i += 1;
    }
    if fmt.get(*i) == Some(&b'*') {
        *i += 1;
        let w = args.take()?.as_int().unwrap_or(0) as i32;
        spec.left |= w < 0;
        spec.width = (w.unsigned_abs() as usize).min(1 << 20);
    } else {
        spec.width = number(fmt, i);
    }
    if fmt.get(*i) == Some(&b'.') {
        *i += 1;
        if fmt.get(*i) == Some(&b'*') {
            *i += 1;
            let p = args.take()?.as_int().unwrap_or(0) as i32;
            spec.precision = (p >= 0).then_some((p as usize).min(1 << 20));
        } else {
            spec.precision = Some(number(fmt, i));
        }
    }
    loop {
        match fmt.get(*i) {
            Some(b'h') => spec.size = if spec.size == 2 { 1 } else { 2 },
            Some(b'l' | b'z' | b'j' | b't' | b'L' | b'q') => spec.size = 8,
            _ => break,
        }
        *i += 1;
    }
    Ok(spec)
}

fn number(fmt: &[u8], i: &mut usize) -> usize {
    let mut n = 0usize;
    while let Some(d) = fmt.get(*i).filter(|b| b.is_ascii_digit()) {
        n = n.saturating_mul(10).saturating_add(usize::from(d - b'0'));
        *i += 1;
    }
    n.min(1 << 20)
}

fn int_arg(v: Value, memory: &Memory, size: u8, signed: bool) -> i64 {
    let n = address(v, Some(memory)) as i64;
    match (size, signed) {
        (1, true) => n as i8 as i64,
        (1, false) => n as u8 as i64,
        (2, true) => n as i16 as i64,
        (2, false) => n as u16 as i64,
        (4, true) => n as i32 as i64,
        (4, false) => n as u32 as i64,
        _ => n,
    }
}

fn string_arg(
    v: Value,
    memory: &Memory,
    image: &Image,
    env: &mut dyn Env,
    precision: Option<usize>,
) -> Result<Vec<u8>, Fault> {
    let mut s = match v {
        Value::Ptr(p) => memory.read_cstr(image, env, p)?,
        Value::Int(0) => {
            // glibc prints "(null)" unless the precision is too short to hold it.
            if precision.is_some_and(|p| p < 6) {
                Vec::new()
            } else {
                b"(null)".to_vec()
            }
        }
        _ => {
            return Err(Fault::new(
                FaultKind::BadPointer,
                "%s given something that is not a string",
            ))
        }
    };
    if let Some(p) = precision {
        s.truncate(p);
    }
    Ok(s)
}

fn signed(out: &mut Vec<u8>, spec: &Spec, n: i64) {
    let sign: &[u8] = if n < 0 {
        b"-"
    } else if spec.plus {
        b"+"
    } else if spec.space {
        b" "
    } else {
        b""
    };
    let digits = digits(n.unsigned_abs(), 10, false, spec.precision);
    pad(out, spec, sign, &digits);
}

fn unsigned(out: &mut Vec<u8>, spec: &Spec, n: u64, conv: u8) {
    let (radix, upper) = match conv {
        b'x' => (16, false),
        b'X' => (16, true),
        b'o' => (8, false),
        _ => (10, false),
    };
    let mut digits = digits(n, radix, upper, spec.precision);
    let mut prefix: &[u8] = b"";
    if spec.alt && n != 0 {
        match conv {
            b'x' => prefix = b"0x",
            b'X' => prefix = b"0X",
            _ => {}
        }
    }
    if spec.alt && conv == b'o' && digits.first() != Some(&b'0') {
        digits.insert(0, b'0');
    }
    pad(out, spec, prefix, &digits);
}

fn pointer(out: &mut Vec<u8>, spec: &mut Spec, v: Value, memory: &Memory) {
    spec.precision = None;
    if v == Value::Int(0) {
        spec.zero = false;
        pad(out, spec, b"", b"(nil)");
        return;
    }
    let digits = digits(address(v, Some(memory)), 16, false, None);
    pad(out, spec, b"0x", &digits);
}

fn digits(mut n: u64, radix: u64, upper: bool, precision: Option<usize>) -> Vec<u8> {
    let table: &[u8; 16] = if upper {
        b"0123456789ABCDEF"
    } else {
        b"0123456789abcdef"
    };
    let mut d = Vec::with_capacity(20);
    while n > 0 {
        d.push(table[(n % radix) as usize]);
        n /= radix;
    }
    let min = precision.unwrap_or(1);
    while d.len() < min {
        d.push(b'0');
    }
    d.reverse();
    d
}

/// Writes `prefix` (sign or `0x`) and `body` padded to the width: spaces on the left by
/// default, on the right with `-`, zeros between prefix and body with `0` (ignored when a
/// precision is given for integers).
fn pad(out: &mut Vec<u8>, spec: &Spec, prefix: &[u8], body: &[u8]) {
    let len = prefix.len() + body.len();
    let fill = spec.width.saturating_sub(len);
    if spec.left {
        out.extend_from_slice(prefix);
        out.extend_from_slice(body);
        out.resize(out.len() + fill, b' ');
    } else if spec.zero && spec.precision.is_none() {
        out.extend_from_slice(prefix);
        out.resize(out.len() + fill, b'0');
        out.extend_from_slice(body);
    } else {
        out.resize(out.len() + fill, b' ');
        out.extend_from_slice(prefix);
        out.extend_from_slice(body);
    }
}

#[cfg(test)]
mod tests {
    use super::{format, Args};
    use crate::vm::memory::Memory;
    use crate::vm::value::Value;
    use crate::vm::NoEnv;

    fn printf(fmt: &str, args: &[Value]) -> String {
        let image = crate::vm::tests::main_image(&[], Vec::new(), &["xyz"]);
        let memory = Memory::new(&image);
        let out = format(&memory, &image, &mut NoEnv, fmt.as_bytes(), Args::new(args));
        String::from_utf8(out.expect("formats")).expect("utf-8")
    }

    #[test]
    fn corner_cases_match_glibc() {
        let xyz = Value::Ptr(crate::vm::Ptr {
            region: crate::vm::RegionId(crate::vm::RegionId::STATIC),
            offset: 0,
        });
        let ints = [b'a' as i64, 5, 255, 8, 0, 0, 0, 3, 10, 10, 8];
        let mut args: Vec<Value> = ints.iter().map(|&n| Value::Int(n)).collect();
        args.extend([xyz, Value::Int(-42), Value::Int(257)]);
        assert_eq!(
            printf(
                "[%05c|%+u|% x|%#.3o|%.0x|%#.0o|%+.0d|%-+5d|%#5x|%#05x|%-#8o|%3.1s|%.10d|%hhu|%5%]",
                &args
            ),
            "[    a|5|ff|010||0|+|+3   |  0xa|0x00a|010     |  x|-0000000042|1|%]"
        );
    }

    #[test]
    fn pointers_print_as_stable_addresses() {
        let p = |offset| {
            Value::Ptr(crate::vm::Ptr {
                region: crate::vm::RegionId::GLOBALS,
                offset,
            })
        };
        let a = printf("%p", &[p(0)]);
        let b = printf("%p", &[p(4)]);
        assert!(a.starts_with("0x5555"), "{a}");
        assert_eq!(
            u64::from_str_radix(&b[2..], 16).unwrap() - u64::from_str_radix(&a[2..], 16).unwrap(),
            4
        );
    }
}
