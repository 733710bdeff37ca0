//! Integer arithmetic, comparison and conversion with C's wrapping rules (LP64, two's
//! complement), and the pointer arithmetic that keeps provenance.

use super::memory::Fault;
use super::value::{Ptr, Value};
use super::FaultKind;
use crate::ir::{ArithOp, CmpOp, Scalar};
use std::cmp::Ordering;

/// `n` wrapped to `scalar`'s width, sign- or zero-extended back to 64 bits.
pub fn wrap(n: i64, scalar: Scalar) -> i64 {
    match scalar {
        Scalar::I8 => n as i8 as i64,
        Scalar::U8 => n as u8 as i64,
        Scalar::I16 => n as i16 as i64,
        Scalar::U16 => n as u16 as i64,
        Scalar::I32 => n as i32 as i64,
        Scalar::U32 => n as u32 as i64,
        Scalar::I64 | Scalar::U64 | Scalar::Ptr => n,
    }
}

/// The integer in the first `scalar.size()` little-endian bytes of `raw`.
pub fn from_bytes(raw: [u8; 8], scalar: Scalar) -> i64 {
    wrap(i64::from_le_bytes(raw), scalar)
}

fn int_operand(v: Value, what: &str) -> Result<i64, Fault> {
    v.as_int().ok_or_else(|| {
        Fault::new(
            FaultKind::BadPointer,
            format!("a pointer used as an integer in {what}"),
        )
    })
}

/// `a op b` wrapped to `scalar`.
///
/// # Errors
/// Division by zero (and `INT_MIN / -1`, which traps on x86-64 too) and pointer operands.
pub fn arith(op: ArithOp, scalar: Scalar, a: Value, b: Value) -> Result<Value, Fault> {
    let x = wrap(int_operand(a, "arithmetic")?, scalar);
    let y = int_operand(b, "arithmetic")?;
    let signed = scalar.is_signed();
    let bits = if scalar.size() == 8 { 64 } else { 32 };
    let r = match op {
        ArithOp::Add => x.wrapping_add(y),
        ArithOp::Sub => x.wrapping_sub(y),
        ArithOp::Mul => x.wrapping_mul(y),
        ArithOp::Div | ArithOp::Rem => return divide(op, scalar, x, wrap(y, scalar)),
        ArithOp::Shl => x.wrapping_shl((y as u32) & (bits - 1)),
        ArithOp::Shr if signed => x.wrapping_shr((y as u32) & (bits - 1)),
        ArithOp::Shr => ((x as u64) >> ((y as u32) & (bits - 1))) as i64,
        ArithOp::And => x & y,
        ArithOp::Or => x | y,
        ArithOp::Xor => x ^ y,
    };
    Ok(Value::Int(wrap(r, scalar)))
}

fn divide(op: ArithOp, scalar: Scalar, x: i64, y: i64) -> Result<Value, Fault> {
    if y == 0 {
        let what = if op == ArithOp::Div {
            "division"
        } else {
            "remainder"
        };
        return Err(Fault::new(
            FaultKind::DivisionByZero,
            format!("{what} by zero"),
        ));
    }
    let r = if scalar.is_signed() {
        // Narrower types are promoted to `int`, whose range holds their quotients.
        let min = match scalar.size() {
            8 => Some(i64::MIN),
            4 => Some(i64::from(i32::MIN)),
            _ => None,
        };
        if y == -1 && Some(x) == min {
            return Err(Fault::new(
                FaultKind::DivisionByZero,
                "integer overflow in division (the most negative value divided by -1)",
            ));
        }
        if op == ArithOp::Div {
            x / y
        } else {
            x % y
        }
    } else {
        let (ux, uy) = (x as u64, y as u64);
        (if op == ArithOp::Div { ux / uy } else { ux % uy }) as i64
    };
    Ok(Value::Int(wrap(r, scalar)))
}

/// `-a` wrapped to `scalar`.
pub fn neg(scalar: Scalar, a: Value) -> Result<Value, Fault> {
    Ok(Value::Int(wrap(
        int_operand(a, "negation")?.wrapping_neg(),
        scalar,
    )))
}

/// `~a` wrapped to `scalar`.
pub fn bit_not(scalar: Scalar, a: Value) -> Result<Value, Fault> {
    Ok(Value::Int(wrap(!int_operand(a, "`~`")?, scalar)))
}

/// `a op b` as the `int` 0 or 1.
pub fn compare(op: CmpOp, scalar: Scalar, a: Value, b: Value) -> Value {
    let ord = match (a, b) {
        (Value::Ptr(p), Value::Ptr(q)) => p.cmp(&q),
        (Value::Func(f), Value::Func(g)) => f.cmp(&g),
        // A pointer is above every integer it could be compared with (NULL, MAP_FAILED).
        (Value::Ptr(_) | Value::Func(_), _) => {
            if matches!(op, CmpOp::Eq | CmpOp::Ne) {
                Ordering::Greater
            } else {
                (1u64 << 44).cmp(&(b.as_int().unwrap_or(0) as u64))
            }
        }
        (_, Value::Ptr(_) | Value::Func(_)) => return compare(flip(op), scalar, b, a),
        _ => {
            let (x, y) = (a.as_int().unwrap_or(0), b.as_int().unwrap_or(0));
            if scalar.is_signed() {
                wrap(x, scalar).cmp(&wrap(y, scalar))
            } else {
                (wrap(x, scalar) as u64).cmp(&(wrap(y, scalar) as u64))
            }
        }
    };
    let holds = match op {
        CmpOp::Eq => ord == Ordering::Equal,
        CmpOp::Ne => ord != Ordering::Equal,
        CmpOp::Lt => ord == Ordering::Less,
        CmpOp::Le => ord != Ordering::Greater,
        CmpOp::Gt => ord == Ordering::Greater,
        CmpOp::Ge => ord != Ordering::Less,
    };
    Value::Int(i64::from(holds))
}

fn flip(op: CmpOp) -> CmpOp {
    match op {
        CmpOp::Lt => CmpOp::Gt,
        CmpOp::Le => CmpOp::Ge,
        CmpOp::Gt => CmpOp::Lt,
        CmpOp::Ge => CmpOp::Le,
        other => other,
    }
}

/// `(scalar) a`.
///
/// # Errors
/// A pointer converted to an integer type ([`FaultKind::BadPointer`]).
pub fn convert(scalar: Scalar, a: Value) -> Result<Value, Fault> {
    match (a, scalar) {
        (Value::Ptr(_) | Value::Func(_), Scalar::Ptr) => Ok(a),
        (Value::Ptr(_) | Value::Func(_), _) => Err(Fault::new(
            FaultKind::BadPointer,
            "a pointer converted to an integer (its address is not a number in this VM)",
        )),
        (Value::Pid(n), _) if scalar.size() >= 4 => Ok(Value::Pid(wrap(n, scalar))),
        (Value::Int(n) | Value::Pid(n), _) => Ok(Value::Int(wrap(n, scalar))),
    }
}

/// `p + n * size`.
///
/// # Errors
/// An integer other than NULL used as the pointer, or an offset outside `0..4 GiB`.
pub fn ptr_add(p: Value, n: Value, size: u32) -> Result<Value, Fault> {
    let (p, n) = match (p, n) {
        (Value::Ptr(_), _) => (p, n),
        (_, Value::Ptr(_)) => (n, p),
        _ => (p, n),
    };
    let delta = int_operand(n, "pointer arithmetic")?.wrapping_mul(i64::from(size));
    match p {
        Value::Ptr(ptr) => {
            let offset = i64::from(ptr.offset).saturating_add(delta);
            let offset = u32::try_from(offset).map_err(|_| {
                Fault::new(
                    FaultKind::OutOfBounds,
                    format!("pointer arithmetic moved to byte {offset}, outside its object"),
                )
            })?;
            Ok(Value::Ptr(Ptr { offset, ..ptr }))
        }
        Value::Int(0) if delta == 0 => Ok(Value::Int(0)),
        _ => Err(Fault::new(
            FaultKind::BadPointer,
            "pointer arithmetic on something that is not a pointer",
        )),
    }
}

/// `(p - q) / size` for two pointers into one object.
///
/// # Errors
/// Pointers into different objects, or non-pointers.
pub fn ptr_diff(p: Value, q: Value, size: u32) -> Result<Value, Fault> {
    match (p, q) {
        (Value::Ptr(a), Value::Ptr(b)) if a.region == b.region => {
            let bytes = i64::from(a.offset) - i64::from(b.offset);
            Ok(Value::Int(bytes / i64::from(size.max(1))))
        }
        (Value::Int(0), Value::Int(0)) => Ok(Value::Int(0)),
        _ => Err(Fault::new(
            FaultKind::BadPointer,
            "subtraction of pointers into different objects",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn int(v: Result<Value, Fault>) -> i64 {
        v.expect("no fault").as_int().expect("an integer")
    }

    #[test]
    fn division_truncates_and_overflow_traps() {
        let div = |a, b, s| arith(ArithOp::Div, s, Value::Int(a), Value::Int(b));
        assert_eq!(int(div(-7, 2, Scalar::I32)), -3);
        assert_eq!(int(div(0, -1, Scalar::I8)), 0);
        assert_eq!(int(div(-128, -1, Scalar::I8)), -128);
        assert_eq!(int(div(-1, 2, Scalar::U32)), 0x7fff_ffff);
        let overflow = div(i64::from(i32::MIN), -1, Scalar::I32).unwrap_err();
        assert_eq!(overflow.kind, FaultKind::DivisionByZero);
    }

    #[test]
    fn pointers_compare_by_offset_and_against_null() {
        let p = |offset| {
            Value::Ptr(Ptr {
                region: super::super::RegionId(5),
                offset,
            })
        };
        assert_eq!(compare(CmpOp::Lt, Scalar::Ptr, p(1), p(2)), Value::Int(1));
        assert_eq!(
            compare(CmpOp::Eq, Scalar::Ptr, p(0), Value::ZERO),
            Value::Int(0)
        );
        assert_eq!(
            compare(CmpOp::Ne, Scalar::Ptr, Value::ZERO, p(0)),
            Value::Int(1)
        );
        assert_eq!(int(ptr_diff(p(12), p(4), 4)), 2);
        assert_eq!(ptr_add(p(4), Value::Int(-1), 4).unwrap(), p(0));
        assert!(ptr_add(p(4), Value::Int(-2), 4).is_err());
    }

    proptest::proptest! {
        #[test]
        fn int_arithmetic_is_wrapping_i32(a: i32, b: i32) {
            let run = |op| int(arith(op, Scalar::I32, Value::Int(a.into()), Value::Int(b.into())));
            proptest::prop_assert_eq!(run(ArithOp::Add), i64::from(a.wrapping_add(b)));
            proptest::prop_assert_eq!(run(ArithOp::Sub), i64::from(a.wrapping_sub(b)));
            proptest::prop_assert_eq!(run(ArithOp::Mul), i64::from(a.wrapping_mul(b)));
            proptest::prop_assert_eq!(run(ArithOp::Xor), i64::from(a ^ b));
        }

        #[test]
        fn unsigned_char_arithmetic_is_wrapping_u8(a: u8, b: u8) {
            let sum = arith(ArithOp::Add, Scalar::U8, Value::Int(a.into()), Value::Int(b.into()));
            proptest::prop_assert_eq!(int(sum), i64::from(a.wrapping_add(b)));
        }

        #[test]
        fn conversion_round_trips_through_wider_types(n: i64) {
            let narrow = int(convert(Scalar::I16, Value::Int(n)));
            let wide = int(convert(Scalar::I64, Value::Int(narrow)));
            proptest::prop_assert_eq!(wide, i64::from(n as i16));
        }
    }
}
