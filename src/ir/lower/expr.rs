//! Expressions as values: names, literals, operators with C's conversions, `?:`, casts
//! and `sizeof`.

use super::func::{FnCx, Local};
use crate::calls::Constant;
use crate::check::{did_you_mean, CheckError, Type};
use crate::ir::{ArithOp, CmpOp, Instr, Place, Scalar};
use crate::syntax::ast::{BinOp, Expr, ExprKind, UnOp};

impl<'p, 'a> FnCx<'p> {
    /// Pushes the value of `expr` (arrays and functions decayed to pointers); returns its
    /// type.
    pub fn lower_expr(&mut self, expr: &'a Expr) -> Type {
        self.lower_raw(expr).decay()
    }

    /// Evaluates `expr` for its side effects only.
    pub fn lower_discard(&mut self, expr: &'a Expr) {
        match &expr.kind {
            ExprKind::Assign(op, target, value) => {
                self.lower_assign(*op, target, value, false);
            }
            ExprKind::PreIncDec(inc, target) | ExprKind::PostIncDec(inc, target) => {
                self.lower_incdec(*inc, target, false, false);
            }
            ExprKind::Comma(a, b) => {
                self.lower_discard(a);
                self.lower_discard(b);
            }
            ExprKind::Call(callee, args) => {
                self.lower_call(expr, callee, args);
                self.emit(Instr::Pop);
            }
            _ => {
                self.lower_raw(expr);
                self.emit(Instr::Pop);
            }
        }
    }

    /// Pushes a truth value of `expr` for a jump (any scalar works as a condition).
    pub fn lower_cond(&mut self, expr: &'a Expr) {
        let ty = self.lower_expr(expr);
        if ty.scalar().is_none() {
            self.type_error(
                expr.span,
                "a condition must be a number or a pointer",
                "not a scalar",
            );
        }
    }

    /// Pushes the value of `expr` without decaying arrays (sizeof and `&` need the array).
    pub fn lower_raw(&mut self, expr: &'a Expr) -> Type {
        let saved = self.span;
        self.span = expr.span;
        let ty = self.lower_raw_inner(expr);
        self.span = saved;
        ty
    }

    fn lower_raw_inner(&mut self, expr: &'a Expr) -> Type {
        match &expr.kind {
            ExprKind::Int(n) => {
                self.emit(Instr::Const(*n));
                if i32::try_from(*n).is_ok() {
                    Type::INT
                } else {
                    Type::LONG
                }
            }
            ExprKind::Str(bytes) => {
                let id = self.prog.string(bytes);
                self.emit(Instr::Str(id));
                Type::Array(std::rc::Rc::new(Type::CHAR), Some(bytes.len() as u32 + 1))
            }
            ExprKind::Name(ident) => self.lower_name(&ident.name, expr),
            ExprKind::Binary(op, a, b) => self.lower_binary(*op, a, b, expr),
            ExprKind::Unary(op, a) => self.lower_unary(*op, a, expr),
            ExprKind::Assign(op, target, value) => self.lower_assign(*op, target, value, true),
            ExprKind::PreIncDec(inc, target) => self.lower_incdec(*inc, target, true, true),
            ExprKind::PostIncDec(inc, target) => self.lower_incdec(*inc, target, true, false),
            ExprKind::Conditional(c, a, b) => self.lower_conditional(c, a, b),
            ExprKind::Comma(a, b) => {
                self.lower_discard(a);
                self.lower_raw(b)
            }
            ExprKind::Call(callee, args) => self.lower_call_value(expr, callee, args),
            ExprKind::Index(..) | ExprKind::Member(..) | ExprKind::Arrow(..) => {
                let lv = self.lower_lvalue(expr);
                self.load(lv)
            }
            ExprKind::Cast(ty, inner) => {
                let to = self.prog.resolve_type(ty);
                let from = self.lower_expr(inner);
                if to == Type::Void {
                    return Type::INT;
                }
                self.convert(&from, &to);
                to
            }
            ExprKind::SizeofType(ty) => {
                let ty = self.prog.resolve_type(ty);
                self.emit_sizeof(&ty, expr)
            }
            ExprKind::SizeofExpr(inner) => {
                // Not evaluated, but checked: `sizeof undeclared` is an error.
                let mark = self.code.len();
                let ty = self.lower_raw(inner);
                self.code.truncate(mark);
                self.spans.truncate(mark);
                self.emit_sizeof(&ty, expr)
            }
        }
    }

    fn emit_sizeof(&mut self, ty: &Type, expr: &Expr) -> Type {
        match self.prog.structs.size_of(ty) {
            Some(n) => {
                self.emit(Instr::Const(n as i64));
            }
            None => {
                let what = self.prog.structs.describe(ty);
                self.type_error(
                    expr.span,
                    format!("`sizeof` of {what}, which has no size"),
                    "no size",
                );
                self.emit(Instr::Const(0));
            }
        }
        Type::SIZE
    }

    /// Pushes the value a name stands for.
    fn lower_name(&mut self, name: &str, expr: &'a Expr) -> Type {
        if self.lookup_local(name).is_some() || self.prog.globals.contains_key(name) {
            let lv = self.lower_lvalue(expr);
            return self.load(lv);
        }
        if let Some(v) = self.prog.enum_consts.get(name) {
            self.emit(Instr::Const(*v));
            return Type::INT;
        }
        if let Some(f) = self.prog.funcs.get(name) {
            let (id, ty) = (f.id, f.ty.clone());
            self.emit(Instr::Func(id));
            return Type::Func(ty);
        }
        if let Some(index) = crate::calls::CALLS.iter().position(|c| c.name == name) {
            // A library function used as a value (`printf("%p", malloc)`): an address in the
            // C library, which exists but is not callable through a pointer here.
            self.emit(Instr::Const(0x7f3a_2e00_0000 + 0x40 * index as i64));
            return Type::void_ptr();
        }
        let predefined = match name {
            "__func__" => Some(self.name.clone()),
            "__FILE__" => Some(self.prog.file.clone()),
            _ => None,
        };
        if let Some(text) = predefined {
            // C11 6.4.2.2 and 6.10.8.1: the function's name, the source file's name.
            let id = self.prog.string(text.as_bytes());
            self.emit(Instr::Str(id));
            return Type::Array(std::rc::Rc::new(Type::CHAR), Some(text.len() as u32 + 1));
        }
        match crate::calls::constant(name) {
            Some(Constant::Int(n)) => {
                self.emit(Instr::Const(n));
                if name == "NULL" {
                    return Type::void_ptr();
                }
                Type::INT
            }
            Some(Constant::Stream(n)) => {
                self.emit(Instr::Stream(n));
                Type::void_ptr()
            }
            None => {
                self.undefined(name, expr);
                self.emit(Instr::Const(0));
                Type::INT
            }
        }
    }

    /// Reports `name` as undeclared, with the closest visible name as a suggestion.
    pub fn undefined(&mut self, name: &str, expr: &Expr) {
        let mut names: Vec<&str> = self
            .scopes
            .iter()
            .flat_map(|s| s.keys().map(String::as_str))
            .collect();
        names.extend(self.prog.globals.keys().map(String::as_str));
        names.extend(self.prog.funcs.keys().map(String::as_str));
        names.extend(crate::calls::CONSTANTS.iter().map(|(n, _)| *n));
        names.extend(crate::calls::CALLS.iter().map(|c| c.name));
        let help = did_you_mean(name, names);
        let err = CheckError::Undefined {
            name: name.to_string(),
            span: self.miette(expr.span),
            help,
        };
        self.error(err);
    }

    /// Converts the value on the stack from type `from` to type `to` (assignment, argument
    /// passing and casts; C11 6.3).
    pub fn convert(&mut self, from: &Type, to: &Type) {
        let (Some(f), Some(t)) = (from.decay().scalar(), to.scalar()) else {
            return;
        };
        if f != t {
            self.emit(Instr::Convert(t));
        }
    }

    fn lower_binary(&mut self, op: BinOp, a: &'a Expr, b: &'a Expr, expr: &'a Expr) -> Type {
        match op {
            BinOp::And | BinOp::Or => {
                self.lower_cond(a);
                let short = self.emit(if op == BinOp::And {
                    Instr::JumpIfNot(0)
                } else {
                    Instr::JumpIf(0)
                });
                self.lower_cond(b);
                let second = self.emit(if op == BinOp::And {
                    Instr::JumpIfNot(0)
                } else {
                    Instr::JumpIf(0)
                });
                let (first_val, second_val) = if op == BinOp::And { (1, 0) } else { (0, 1) };
                self.emit(Instr::Const(first_val));
                let end = self.emit(Instr::Jump(0));
                let here = self.here();
                self.patch(short, here);
                self.patch(second, here);
                self.emit(Instr::Const(second_val));
                let here = self.here();
                self.patch(end, here);
                Type::INT
            }
            _ => {
                let ta = self.lower_expr(a);
                let tb = self.lower_expr(b);
                self.binary_on_stack(op, &ta, &tb, expr)
            }
        }
    }

    /// Applies `op` to the two values on the stack (types `ta` below `tb`); returns the
    /// result type.
    pub fn binary_on_stack(&mut self, op: BinOp, ta: &Type, tb: &Type, expr: &Expr) -> Type {
        let elem_size = |cx: &Self, t: &Type| {
            t.pointee()
                .and_then(|p| cx.prog.structs.size_of(p))
                .unwrap_or(1)
                .max(1)
        };
        match op {
            BinOp::Add if ta.is_pointer_like() && tb.is_int() => {
                self.emit(Instr::PtrAdd(elem_size(self, ta)));
                ta.clone()
            }
            BinOp::Add if ta.is_int() && tb.is_pointer_like() => {
                self.emit(Instr::Swap);
                self.emit(Instr::PtrAdd(elem_size(self, tb)));
                tb.clone()
            }
            BinOp::Sub if ta.is_pointer_like() && tb.is_int() => {
                self.emit(Instr::Neg(Scalar::I64));
                self.emit(Instr::PtrAdd(elem_size(self, ta)));
                ta.clone()
            }
            BinOp::Sub if ta.is_pointer_like() && tb.is_pointer_like() => {
                self.emit(Instr::PtrDiff(elem_size(self, ta)));
                Type::LONG
            }
            BinOp::Lt | BinOp::Gt | BinOp::Le | BinOp::Ge | BinOp::Eq | BinOp::Ne => {
                let scalar = if ta.is_pointer_like() || tb.is_pointer_like() {
                    Scalar::Ptr
                } else {
                    Type::common(ta, tb).scalar().unwrap_or(Scalar::I64)
                };
                self.emit(Instr::Cmp(cmp_op(op), scalar));
                Type::INT
            }
            _ => {
                if !(ta.is_int() && tb.is_int()) {
                    let msg = format!(
                        "`{}` needs two numbers, not {} and {}",
                        op.symbol(),
                        self.prog.structs.describe(ta),
                        self.prog.structs.describe(tb)
                    );
                    self.type_error(expr.span, msg, "not numbers");
                }
                let result = if matches!(op, BinOp::Shl | BinOp::Shr) {
                    ta.promoted()
                } else {
                    Type::common(ta, tb)
                };
                let scalar = result.scalar().unwrap_or(Scalar::I64);
                self.emit(Instr::Arith(arith_op(op), scalar));
                result
            }
        }
    }

    fn lower_unary(&mut self, op: UnOp, a: &'a Expr, expr: &'a Expr) -> Type {
        match op {
            UnOp::Deref | UnOp::AddrOf => {
                if op == UnOp::AddrOf {
                    return self.lower_address_of(a);
                }
                let lv = self.lower_lvalue(expr);
                self.load(lv)
            }
            UnOp::Not => {
                self.lower_cond(a);
                self.emit(Instr::Not);
                Type::INT
            }
            UnOp::Neg | UnOp::Plus | UnOp::BitNot => {
                let ty = self.lower_expr(a).promoted();
                let scalar = ty.scalar().unwrap_or(Scalar::I64);
                if !ty.is_int() {
                    self.type_error(expr.span, "this operator needs a number", "not a number");
                }
                match op {
                    UnOp::Neg => {
                        self.emit(Instr::Neg(scalar));
                    }
                    UnOp::BitNot => {
                        self.emit(Instr::BitNot(scalar));
                    }
                    _ => {}
                }
                ty
            }
        }
    }

    fn lower_address_of(&mut self, a: &'a Expr) -> Type {
        if let ExprKind::Name(ident) = &a.kind {
            if self.lookup_local(&ident.name).is_none()
                && !self.prog.globals.contains_key(&ident.name)
            {
                if let Some(f) = self.prog.funcs.get(&ident.name) {
                    let (id, ty) = (f.id, f.ty.clone());
                    self.emit(Instr::Func(id));
                    return Type::Func(ty).pointer_to();
                }
            }
            if let Some(Local::Slot(..)) = self.lookup_local(&ident.name) {
                unreachable!("locals whose address is taken live in frame objects");
            }
            if let Some(g) = self.prog.globals.get(&ident.name) {
                if let Place::Slot(_) = g.place {
                    unreachable!("globals whose address is taken live in the data region");
                }
            }
        }
        let lv = self.lower_lvalue(a);
        match lv {
            super::lvalue::LValue::Mem(ty) => ty.pointer_to(),
            _ => {
                self.type_error(a.span, "cannot take the address of this", "no address");
                self.emit(Instr::Const(0));
                Type::void_ptr()
            }
        }
    }

    fn lower_conditional(&mut self, c: &'a Expr, a: &'a Expr, b: &'a Expr) -> Type {
        let ta = self.type_of(a).decay();
        let tb = self.type_of(b).decay();
        let result = if ta.is_int() && tb.is_int() {
            Type::common(&ta, &tb)
        } else if ta.is_pointer_like() {
            ta.clone()
        } else {
            tb.clone()
        };
        self.lower_cond(c);
        let else_jump = self.emit(Instr::JumpIfNot(0));
        self.lower_expr(a);
        self.convert(&ta, &result);
        let end = self.emit(Instr::Jump(0));
        let here = self.here();
        self.patch(else_jump, here);
        self.lower_expr(b);
        self.convert(&tb, &result);
        let here = self.here();
        self.patch(end, here);
        result
    }

    /// The type of `expr` without evaluating it (C's `sizeof` rule): lowered into scratch
    /// code that is then dropped, errors included (they are reported when it is lowered for
    /// real).
    pub fn type_of(&mut self, expr: &'a Expr) -> Type {
        let (mark, errors) = (self.code.len(), self.prog.errors.len());
        let ty = self.lower_raw(expr);
        self.code.truncate(mark);
        self.spans.truncate(mark);
        self.prog.errors.truncate(errors);
        ty
    }
}

fn cmp_op(op: BinOp) -> CmpOp {
    match op {
        BinOp::Lt => CmpOp::Lt,
        BinOp::Gt => CmpOp::Gt,
        BinOp::Le => CmpOp::Le,
        BinOp::Ge => CmpOp::Ge,
        BinOp::Eq => CmpOp::Eq,
        _ => CmpOp::Ne,
    }
}

/// The VM operator for a C arithmetic or bitwise operator.
pub(super) fn arith_op(op: BinOp) -> ArithOp {
    match op {
        BinOp::Add => ArithOp::Add,
        BinOp::Sub => ArithOp::Sub,
        BinOp::Mul => ArithOp::Mul,
        BinOp::Div => ArithOp::Div,
        BinOp::Rem => ArithOp::Rem,
        BinOp::Shl => ArithOp::Shl,
        BinOp::Shr => ArithOp::Shr,
        BinOp::BitAnd => ArithOp::And,
        BinOp::BitOr => ArithOp::Or,
        _ => ArithOp::Xor,
    }
}
