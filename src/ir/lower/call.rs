//! Calls: functions of the program, library calls and system calls from the catalogue,
//! and calls through function pointers.

use super::func::FnCx;
use crate::check::{CheckError, FuncType, Type};
use crate::ir::Instr;
use crate::syntax::ast::{Expr, ExprKind};
use std::rc::Rc;

impl<'p, 'a> FnCx<'p> {
    /// Lowers a call and returns the type of the value it pushed.
    pub fn lower_call(&mut self, expr: &'a Expr, callee: &'a Expr, args: &'a [Expr]) -> Type {
        if let ExprKind::Name(ident) = &callee.kind {
            let name = ident.name.as_str();
            let is_variable =
                self.lookup_local(name).is_some() || self.prog.globals.contains_key(name);
            if !is_variable {
                if let Some(f) = self.prog.funcs.get(name).cloned() {
                    return self.call_direct(name, f.id, &f.ty, args, expr);
                }
                if let Some(info) = crate::calls::lookup(name) {
                    return self.call_library(info, args, expr);
                }
                self.undefined(name, callee);
                for arg in args {
                    self.lower_discard(arg);
                }
                self.emit(Instr::Const(0));
                return Type::INT;
            }
        }
        self.call_indirect(callee, args, expr)
    }

    /// Lowers a call whose value is used.
    pub fn lower_call_value(&mut self, expr: &'a Expr, callee: &'a Expr, args: &'a [Expr]) -> Type {
        match self.lower_call(expr, callee, args) {
            Type::Void => Type::INT,
            ty => ty,
        }
    }

    fn call_direct(
        &mut self,
        name: &str,
        id: crate::ir::FuncId,
        ty: &Rc<FuncType>,
        args: &'a [Expr],
        expr: &Expr,
    ) -> Type {
        let fixed = ty.params.len();
        if args.len() < fixed || (args.len() > fixed && !ty.variadic) {
            let signature = self.signature_of(name, ty);
            self.arity_error(
                name,
                fixed,
                (!ty.variadic).then_some(fixed),
                args.len(),
                expr,
                signature,
            );
        }
        let sret = if let Type::Struct(_) = ty.ret {
            let size = self.prog.structs.size_of(&ty.ret).unwrap_or(0);
            let buffer = self.new_frame_object(size);
            self.emit(Instr::FrameAddr(buffer));
            1
        } else {
            0
        };
        for (i, arg) in args.iter().enumerate() {
            let from = self.lower_expr(arg);
            if let Some(param) = ty.params.get(i) {
                self.convert(&from, param);
            }
        }
        self.emit(Instr::CallFunc(id, (args.len() + sret) as u8));
        ty.ret.clone()
    }

    fn call_library(
        &mut self,
        info: &'static crate::calls::CallInfo,
        args: &'a [Expr],
        expr: &Expr,
    ) -> Type {
        let too_few = args.len() < info.min_args;
        let too_many = info.max_args.is_some_and(|max| args.len() > max);
        if too_few || too_many {
            let help = Some(format!("the C signature is `{}`", info.signature));
            self.arity_error(
                info.name,
                info.min_args,
                info.max_args,
                args.len(),
                expr,
                help,
            );
        }
        for arg in args {
            self.lower_expr(arg);
        }
        self.emit(Instr::Call(info.call, args.len() as u8));
        super::decl::call_return_type(self.prog, info)
    }

    fn call_indirect(&mut self, callee: &'a Expr, args: &'a [Expr], expr: &Expr) -> Type {
        let ty = self.lower_expr(callee);
        let func = match &ty {
            Type::Ptr(inner) => match &**inner {
                Type::Func(f) => Some(f.clone()),
                _ => None,
            },
            Type::Func(f) => Some(f.clone()),
            _ => None,
        };
        if func.is_none() {
            let what = self.prog.structs.describe(&ty);
            self.type_error(expr.span, format!("cannot call {what}"), "not a function");
        }
        for (i, arg) in args.iter().enumerate() {
            let from = self.lower_expr(arg);
            if let Some(param) = func.as_ref().and_then(|f| f.params.get(i)) {
                self.convert(&from, param);
            }
        }
        self.emit(Instr::CallPtr(args.len() as u8));
        func.map_or(Type::INT, |f| f.ret.clone())
    }

    fn arity_error(
        &mut self,
        name: &str,
        min: usize,
        max: Option<usize>,
        found: usize,
        expr: &Expr,
        help: Option<String>,
    ) {
        let plural = |n: usize| if n == 1 { "argument" } else { "arguments" };
        let expected = match max {
            Some(0) => "no arguments".to_string(),
            Some(m) if m == min => format!("{min} {}", plural(min)),
            Some(m) => format!("{min} to {m} arguments"),
            None => format!("at least {min} {}", plural(min)),
        };
        let found = match found {
            0 => "none were".to_string(),
            1 => "1 was".to_string(),
            n => format!("{n} were"),
        };
        let err = CheckError::Arity {
            name: name.to_string(),
            expected,
            found,
            span: self.miette(expr.span),
            help,
        };
        self.error(err);
    }

    fn signature_of(&self, name: &str, ty: &FuncType) -> Option<String> {
        let structs = &self.prog.structs;
        let mut params: Vec<String> = ty.params.iter().map(|p| structs.describe(p)).collect();
        if ty.variadic {
            params.push("...".into());
        }
        if params.is_empty() {
            params.push("void".into());
        }
        Some(format!(
            "`{name}` is declared as `{} {name}({})`",
            structs.describe(&ty.ret),
            params.join(", ")
        ))
    }
}
