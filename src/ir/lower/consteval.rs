//! Constant expressions (C11 6.6): array sizes, `case` labels, enumerators and the
//! initialisers of globals, evaluated while lowering.

use super::Program;
use crate::calls::Constant;
use crate::ir::GlobalInit;
use crate::syntax::ast::{BinOp, Expr, ExprKind, UnOp};

/// A constant value: an integer or an address known before the program runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Const {
    /// An integer constant.
    Int(i64),
    /// An address constant (string literal, global object, function).
    Addr(GlobalInit),
}

impl Program {
    /// The value of an integer constant expression, or `None` if it is not one.
    pub(super) fn const_int(&mut self, expr: &Expr) -> Option<i64> {
        match self.const_value(expr, 0)? {
            Const::Int(n) => Some(n),
            Const::Addr(_) => None,
        }
    }

    /// The value of a constant expression (integer or address), or `None`.
    pub(super) fn const_value(&mut self, expr: &Expr, depth: usize) -> Option<Const> {
        if depth > 64 {
            return None;
        }
        let int = |n: i64| Some(Const::Int(n));
        match &expr.kind {
            ExprKind::Int(n) => int(*n),
            ExprKind::Str(bytes) => Some(Const::Addr(GlobalInit::Str(self.string(bytes), 0))),
            ExprKind::Name(ident) => self.const_name(&ident.name),
            ExprKind::Unary(op, inner) => {
                if *op == UnOp::AddrOf {
                    return self.const_address(inner);
                }
                let Const::Int(v) = self.const_value(inner, depth + 1)? else {
                    return None;
                };
                match op {
                    UnOp::Neg => int(v.wrapping_neg()),
                    UnOp::Plus => int(v),
                    UnOp::Not => int((v == 0) as i64),
                    UnOp::BitNot => int(!v),
                    UnOp::Deref | UnOp::AddrOf => None,
                }
            }
            ExprKind::Binary(op, a, b) => {
                let a = self.const_value(a, depth + 1)?;
                let b = self.const_value(b, depth + 1)?;
                match (a, b) {
                    (Const::Int(a), Const::Int(b)) => const_binary(*op, a, b).map(Const::Int),
                    (Const::Addr(GlobalInit::Str(s, off)), Const::Int(n)) if *op == BinOp::Add => {
                        Some(Const::Addr(GlobalInit::Str(s, off + n as u32)))
                    }
                    _ => None,
                }
            }
            ExprKind::Conditional(c, a, b) => {
                let Const::Int(c) = self.const_value(c, depth + 1)? else {
                    return None;
                };
                self.const_value(if c != 0 { a } else { b }, depth + 1)
            }
            ExprKind::Cast(_, inner) => self.const_value(inner, depth + 1),
            ExprKind::SizeofType(ty) => {
                let ty = self.resolve_type(ty);
                self.structs.size_of(&ty).map(|n| Const::Int(n as i64))
            }
            ExprKind::SizeofExpr(inner) => self.const_sizeof_expr(inner).map(Const::Int),
            ExprKind::Comma(_, b) => self.const_value(b, depth + 1),
            _ => None,
        }
    }

    fn const_name(&mut self, name: &str) -> Option<Const> {
        if let Some(v) = self.enum_consts.get(name) {
            return Some(Const::Int(*v));
        }
        if let Some(f) = self.funcs.get(name) {
            return Some(Const::Addr(GlobalInit::Func(f.id)));
        }
        if let Some(g) = self.globals.get(name) {
            // An array name in a constant context is its address.
            if let (crate::ir::Place::Data(off), crate::check::Type::Array(..)) = (g.place, &g.ty) {
                return Some(Const::Addr(GlobalInit::Data(off)));
            }
            return None;
        }
        match crate::calls::constant(name)? {
            Constant::Int(n) => Some(Const::Int(n)),
            Constant::Stream(_) => None,
        }
    }

    fn const_address(&mut self, inner: &Expr) -> Option<Const> {
        match &inner.kind {
            ExprKind::Name(ident) => {
                if let Some(f) = self.funcs.get(&ident.name) {
                    return Some(Const::Addr(GlobalInit::Func(f.id)));
                }
                match self.globals.get(&ident.name)?.place {
                    crate::ir::Place::Data(off) => Some(Const::Addr(GlobalInit::Data(off))),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// `sizeof expr` for the expressions whose type is known without a function context:
    /// names of globals, string literals and constants.
    fn const_sizeof_expr(&mut self, inner: &Expr) -> Option<i64> {
        match &inner.kind {
            ExprKind::Str(bytes) => Some(bytes.len() as i64 + 1),
            ExprKind::Name(ident) => {
                let g = self.globals.get(&ident.name)?;
                self.structs.size_of(&g.ty.clone()).map(i64::from)
            }
            ExprKind::Int(_) => Some(4),
            _ => None,
        }
    }
}

/// Integer arithmetic of a constant expression, in 64 bits (`None` on division by zero).
pub(super) fn const_binary(op: BinOp, a: i64, b: i64) -> Option<i64> {
    Some(match op {
        BinOp::Add => a.wrapping_add(b),
        BinOp::Sub => a.wrapping_sub(b),
        BinOp::Mul => a.wrapping_mul(b),
        BinOp::Div => a.checked_div(b)?,
        BinOp::Rem => a.checked_rem(b)?,
        BinOp::Shl => a.wrapping_shl(b as u32),
        BinOp::Shr => a.wrapping_shr(b as u32),
        BinOp::Lt => (a < b) as i64,
        BinOp::Gt => (a > b) as i64,
        BinOp::Le => (a <= b) as i64,
        BinOp::Ge => (a >= b) as i64,
        BinOp::Eq => (a == b) as i64,
        BinOp::Ne => (a != b) as i64,
        BinOp::BitAnd => a & b,
        BinOp::BitXor => a ^ b,
        BinOp::BitOr => a | b,
        BinOp::And => (a != 0 && b != 0) as i64,
        BinOp::Or => (a != 0 || b != 0) as i64,
    })
}
