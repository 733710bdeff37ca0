//! Lvalues (C11 6.3.2.1): variables, `*p`, `a[i]`, `s.f`, `p->f`, and the assignments and
//! increments that store into them.

use super::func::{FnCx, Local};
use crate::check::{did_you_mean, Type};
use crate::ir::{ArithOp, Instr, Place, Scalar, Slot};
use crate::syntax::ast::{BinOp, Expr, ExprKind, Ident, UnOp};

/// Where an lvalue designates: a scalar slot, or memory whose address is on the stack.
#[derive(Clone, Debug)]
pub(super) enum LValue {
    /// A local scalar slot.
    Slot(Slot, Type),
    /// A global scalar slot.
    Global(Slot, Type),
    /// Memory; the address has been pushed.
    Mem(Type),
}

impl LValue {
    fn ty(&self) -> &Type {
        match self {
            LValue::Slot(_, t) | LValue::Global(_, t) | LValue::Mem(t) => t,
        }
    }
}

impl<'p, 'a> FnCx<'p> {
    /// Lowers an lvalue: pushes its address if it is in memory.
    pub fn lower_lvalue(&mut self, expr: &'a Expr) -> LValue {
        let saved = self.span;
        self.span = expr.span;
        let lv = self.lower_lvalue_inner(expr);
        self.span = saved;
        lv
    }

    fn lower_lvalue_inner(&mut self, expr: &'a Expr) -> LValue {
        match &expr.kind {
            ExprKind::Name(ident) => self.lvalue_name(ident, expr),
            ExprKind::Unary(UnOp::Deref, p) => {
                let ty = self.lower_expr(p);
                match ty.pointee() {
                    Some(Type::Void) => {
                        self.type_error(expr.span, "cannot dereference a `void *`", "void pointer");
                        LValue::Mem(Type::CHAR)
                    }
                    Some(t) => LValue::Mem(t.clone()),
                    None => {
                        let what = self.prog.structs.describe(&ty);
                        self.type_error(
                            expr.span,
                            format!("cannot dereference {what}"),
                            "not a pointer",
                        );
                        LValue::Mem(Type::INT)
                    }
                }
            }
            ExprKind::Index(a, i) => {
                let ta = self.lower_expr(a);
                let ti = self.lower_expr(i);
                let swapped = !ta.is_pointer_like();
                let (ptr, int) = if swapped { (ti, ta) } else { (ta, ti) };
                if !int.is_int() || !ptr.is_pointer_like() {
                    self.type_error(
                        expr.span,
                        "indexing needs an array or pointer and a number",
                        "bad index",
                    );
                    return LValue::Mem(Type::INT);
                }
                let elem = ptr.pointee().cloned().unwrap_or(Type::CHAR);
                let size = self.prog.structs.size_of(&elem).unwrap_or(1).max(1);
                if swapped {
                    self.emit(Instr::Swap);
                }
                self.emit(Instr::PtrAdd(size));
                LValue::Mem(elem)
            }
            ExprKind::Member(s, field) => {
                let lv = self.lower_lvalue(s);
                match lv {
                    LValue::Mem(ty) => self.member(ty, field, expr),
                    _ => {
                        self.type_error(expr.span, "`.` needs a struct", "not a struct");
                        self.emit(Instr::Const(0));
                        LValue::Mem(Type::INT)
                    }
                }
            }
            ExprKind::Arrow(p, field) => {
                let ty = self.lower_expr(p);
                match ty.pointee() {
                    Some(inner) => {
                        let inner = inner.clone();
                        self.member(inner, field, expr)
                    }
                    None => {
                        self.type_error(
                            expr.span,
                            "`->` needs a pointer to a struct",
                            "not a pointer",
                        );
                        LValue::Mem(Type::INT)
                    }
                }
            }
            ExprKind::Call(..) if matches!(self.type_of(expr), Type::Struct(_)) => {
                // A struct returned by value: its (caller-owned) buffer is addressable, so
                // `mk(5).y` reads a member of it.
                let ty = self.lower_raw(expr);
                LValue::Mem(ty)
            }
            _ => {
                self.type_error(
                    expr.span,
                    "this expression cannot be assigned to",
                    "not an lvalue",
                );
                let slot = self.new_slot();
                LValue::Slot(slot, Type::INT)
            }
        }
    }

    fn lvalue_name(&mut self, ident: &Ident, expr: &'a Expr) -> LValue {
        let name = ident.name.as_str();
        match self.lookup_local(name).cloned() {
            Some(Local::Slot(s, ty)) => return LValue::Slot(s, ty),
            Some(Local::Frame(o, ty)) => {
                self.emit(Instr::FrameAddr(o));
                return LValue::Mem(ty);
            }
            Some(Local::Static(g)) => return self.global_lvalue(g.place, g.ty),
            None => {}
        }
        if let Some(g) = self.prog.globals.get(name).cloned() {
            return self.global_lvalue(g.place, g.ty);
        }
        self.undefined(name, expr);
        let slot = self.new_slot();
        LValue::Slot(slot, Type::INT)
    }

    fn global_lvalue(&mut self, place: Place, ty: Type) -> LValue {
        match place {
            Place::Slot(s) => LValue::Global(s, ty),
            Place::Data(off) => {
                self.emit(Instr::GlobalAddr(off));
                LValue::Mem(ty)
            }
            Place::Frame(_) => unreachable!("globals never live in frames"),
        }
    }

    fn member(&mut self, ty: Type, field: &Ident, expr: &Expr) -> LValue {
        let Type::Struct(id) = ty else {
            self.type_error(expr.span, "member access needs a struct", "not a struct");
            return LValue::Mem(Type::INT);
        };
        let def = self.prog.structs.get(id).clone();
        let Some(members) = def.members else {
            self.type_error(
                expr.span,
                format!("struct `{}` is declared but never defined", def.name),
                "incomplete",
            );
            return LValue::Mem(Type::INT);
        };
        match members.iter().find(|m| m.name == field.name) {
            Some(m) => {
                self.emit(Instr::Const(m.offset as i64));
                self.emit(Instr::PtrAdd(1));
                LValue::Mem(m.ty.clone())
            }
            None => {
                let help = did_you_mean(&field.name, members.iter().map(|m| m.name.as_str()));
                let err = crate::check::CheckError::Undefined {
                    name: format!("{}.{}", def.name, field.name),
                    span: self.miette(field.span),
                    help,
                };
                self.error(err);
                LValue::Mem(Type::INT)
            }
        }
    }

    /// Pushes the value of an lvalue; returns its (undecayed) type. Arrays and structs are
    /// represented by their address.
    pub fn load(&mut self, lv: LValue) -> Type {
        match lv {
            LValue::Slot(s, ty) => {
                self.emit(Instr::Local(s));
                ty
            }
            LValue::Global(s, ty) => {
                self.emit(Instr::Global(s));
                ty
            }
            LValue::Mem(ty) => {
                if let Some(scalar) = ty.scalar() {
                    self.emit(Instr::Load(scalar));
                }
                ty
            }
        }
    }

    /// `target = value`, `target op= value`; pushes the new value when `needs_value`.
    pub fn lower_assign(
        &mut self,
        op: Option<BinOp>,
        target: &'a Expr,
        value: &'a Expr,
        needs_value: bool,
    ) -> Type {
        let lv = self.lower_lvalue(target);
        let ty = lv.ty().clone();
        if let Type::Struct(_) = ty {
            let size = self.prog.structs.size_of(&ty).unwrap_or(0);
            self.lower_raw(value);
            self.emit(Instr::Copy(size));
            if needs_value {
                self.emit(Instr::Const(0));
            }
            return ty;
        }
        if let Some(op) = op {
            self.dup_load(&lv);
            let vty = self.lower_expr(value);
            let result = self.binary_on_stack(op, &ty, &vty, value);
            self.convert(&result, &ty);
        } else {
            let vty = self.lower_expr(value);
            self.convert(&vty, &ty);
        }
        self.store(&lv, needs_value);
        ty
    }

    /// `++x`, `x++`, `--x`, `x--`; pushes the new (pre) or old (post) value when
    /// `needs_value`.
    pub fn lower_incdec(
        &mut self,
        inc: bool,
        target: &'a Expr,
        needs_value: bool,
        pre: bool,
    ) -> Type {
        let lv = self.lower_lvalue(target);
        let ty = lv.ty().clone();
        if pre || !needs_value {
            self.dup_load(&lv);
            self.step(&ty, inc);
            self.store(&lv, needs_value);
            return ty;
        }
        match &lv {
            LValue::Slot(s, _) => {
                self.emit(Instr::Local(*s));
                self.emit(Instr::Dup);
                self.step(&ty, inc);
                self.emit(Instr::SetLocal(*s));
            }
            LValue::Global(s, _) => {
                self.emit(Instr::Global(*s));
                self.emit(Instr::Dup);
                self.step(&ty, inc);
                self.emit(Instr::SetGlobal(*s));
            }
            LValue::Mem(_) => {
                let temp = self.new_slot();
                self.emit(Instr::Dup);
                self.emit(Instr::Load(ty.scalar().unwrap_or(Scalar::I64)));
                self.emit(Instr::Dup);
                self.emit(Instr::SetLocal(temp));
                self.step(&ty, inc);
                self.emit(Instr::Store(ty.scalar().unwrap_or(Scalar::I64)));
                self.emit(Instr::Local(temp));
            }
        }
        ty
    }

    /// Adds or subtracts one (one element for pointers) to the value on the stack.
    fn step(&mut self, ty: &Type, inc: bool) {
        if let Some(elem) = ty.pointee() {
            let size = self.prog.structs.size_of(elem).unwrap_or(1).max(1);
            self.emit(Instr::Const(if inc { 1 } else { -1 }));
            self.emit(Instr::PtrAdd(size));
            return;
        }
        let scalar = ty.promoted().scalar().unwrap_or(Scalar::I64);
        self.emit(Instr::Const(1));
        self.emit(Instr::Arith(
            if inc { ArithOp::Add } else { ArithOp::Sub },
            scalar,
        ));
        if let Some(own) = ty.scalar() {
            if own != scalar {
                self.emit(Instr::Convert(own));
            }
        }
    }

    /// Pushes the current value of an lvalue, keeping its address (if any) below it.
    fn dup_load(&mut self, lv: &LValue) {
        match lv {
            LValue::Slot(s, _) => {
                self.emit(Instr::Local(*s));
            }
            LValue::Global(s, _) => {
                self.emit(Instr::Global(*s));
            }
            LValue::Mem(ty) => {
                self.emit(Instr::Dup);
                self.emit(Instr::Load(ty.scalar().unwrap_or(Scalar::I64)));
            }
        }
    }

    /// Stores the value on the stack into the lvalue (whose address, if any, is below it).
    fn store(&mut self, lv: &LValue, needs_value: bool) {
        match lv {
            LValue::Slot(s, _) => {
                if needs_value {
                    self.emit(Instr::Dup);
                }
                self.emit(Instr::SetLocal(*s));
            }
            LValue::Global(s, _) => {
                if needs_value {
                    self.emit(Instr::Dup);
                }
                self.emit(Instr::SetGlobal(*s));
            }
            LValue::Mem(ty) => {
                let scalar = ty.scalar().unwrap_or(Scalar::I64);
                if needs_value {
                    let temp = self.new_slot();
                    self.emit(Instr::Dup);
                    self.emit(Instr::SetLocal(temp));
                    self.emit(Instr::Store(scalar));
                    self.emit(Instr::Local(temp));
                } else {
                    self.emit(Instr::Store(scalar));
                }
            }
        }
    }
}
