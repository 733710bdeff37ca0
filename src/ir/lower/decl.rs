//! Types as written (specifiers, declarators, typedefs, structs, enums) resolved to [`Type`]s,
//! and function signatures registered by name.

use super::{FuncSym, Program};
use crate::check::{did_you_mean, CheckError, FuncType, Type};
use crate::ir::FuncId;
use crate::syntax::ast::{self, IntKind, Signedness, TypeName, TypeSpec};
use crate::syntax::span::Span;
use std::rc::Rc;

impl Program {
    /// Registers the typedef names every scenario knows (`pid_t`, `size_t`, `sem_t`, …).
    pub(super) fn builtin_typedefs(&mut self) {
        for (name, desc) in crate::calls::BUILTIN_TYPEDEFS {
            self.typedefs
                .insert((*name).to_string(), builtin_type(desc));
        }
        // The textbook's `item` is left for scenarios to define.
        for (tag, members) in crate::calls::BUILTIN_STRUCTS {
            let id = self.structs.declare(tag);
            let members = members
                .iter()
                .map(|(name, desc)| ((*name).to_string(), builtin_type(desc)))
                .collect();
            self.structs.define(id, members, false);
            self.struct_tags.insert((*tag).to_string(), id);
        }
    }

    /// Resolves a full type as written.
    pub(super) fn resolve_type(&mut self, ty: &TypeName) -> Type {
        match ty {
            TypeName::Base(spec, span) => self.resolve_spec(spec, *span),
            TypeName::Pointer(inner) => self.resolve_type(inner).pointer_to(),
            TypeName::Array(elem, len) => {
                let elem = self.resolve_type(elem);
                // After an error in the size, go on with one element rather than report
                // the same array again as incomplete.
                let len = len.as_ref().map(|e| self.array_len(e).unwrap_or(1));
                Type::Array(Rc::new(elem), len)
            }
            TypeName::Function(ret, params, variadic) => {
                let ret = self.resolve_type(ret);
                let params = self.resolve_params(params);
                Type::Func(Rc::new(FuncType {
                    ret,
                    params,
                    variadic: *variadic,
                }))
            }
        }
    }

    fn array_len(&mut self, expr: &ast::Expr) -> Option<u32> {
        match self.const_int(expr) {
            Some(n) if (0..=(1 << 28)).contains(&n) => Some(n as u32),
            Some(_) => {
                self.errors.push(CheckError::Type {
                    message: "array size out of range".into(),
                    span: self.miette(expr.span),
                    label: "size".into(),
                    help: Some("sizes from 0 to 268435456 elements are accepted".into()),
                });
                None
            }
            None => {
                let span = self.miette(expr.span);
                self.errors.push(CheckError::NotConstant {
                    what: "an array size".into(),
                    span,
                });
                None
            }
        }
    }

    /// Parameter types with arrays and functions adjusted to pointers (C11 6.7.6.3).
    pub(super) fn resolve_params(&mut self, params: &[ast::Param]) -> Vec<Type> {
        let mut out: Vec<Type> = params
            .iter()
            .map(|p| self.resolve_type(&p.ty).decay())
            .collect();
        if out.len() == 1 && out[0] == Type::Void {
            out.clear();
        }
        out
    }

    /// Resolves a base type specifier; struct, union and enum bodies are defined here.
    pub(super) fn resolve_spec(&mut self, spec: &TypeSpec, _span: Span) -> Type {
        match spec {
            TypeSpec::Void => Type::Void,
            TypeSpec::Int(kind, sign) => Type::Int(*kind, *sign),
            TypeSpec::Named(ident) => match self.typedefs.get(&ident.name) {
                Some(ty) => ty.clone(),
                None => {
                    let help = did_you_mean(&ident.name, self.typedefs.keys().map(String::as_str));
                    self.errors.push(CheckError::UnknownType {
                        name: ident.name.clone(),
                        span: self.miette(ident.span),
                        help,
                    });
                    Type::INT
                }
            },
            TypeSpec::Struct(s) => self.resolve_struct(s),
            TypeSpec::Enum(e) => {
                self.resolve_enum(e);
                Type::INT
            }
        }
    }

    fn resolve_struct(&mut self, spec: &ast::StructSpec) -> Type {
        let tag = spec.tag.as_ref().map(|t| t.name.clone());
        let id = match tag.as_ref().and_then(|t| self.struct_tags.get(t)) {
            Some(id) if spec.fields.is_none() || self.structs.get(*id).members.is_none() => *id,
            _ => {
                let id = self
                    .structs
                    .declare(tag.as_deref().unwrap_or("<anonymous>"));
                if let Some(t) = &tag {
                    self.struct_tags.insert(t.clone(), id);
                }
                id
            }
        };
        if let Some(fields) = &spec.fields {
            let members: Vec<(String, Type)> = fields
                .iter()
                .map(|f| (f.name.name.clone(), self.resolve_type(&f.ty)))
                .collect();
            self.structs.define(id, members, spec.is_union);
        }
        Type::Struct(id)
    }

    fn resolve_enum(&mut self, spec: &ast::EnumSpec) {
        let mut next = 0i64;
        for (name, value) in spec.variants.iter().flatten() {
            if let Some(expr) = value {
                match self.const_int(expr) {
                    Some(v) => next = v,
                    None => {
                        let span = self.miette(expr.span);
                        self.errors.push(CheckError::NotConstant {
                            what: "an enumerator value".into(),
                            span,
                        });
                    }
                }
            }
            self.enum_consts.insert(name.name.clone(), next);
            next += 1;
        }
    }

    /// Registers a function signature (a prototype or a definition).
    pub(super) fn declare_function(&mut self, sig: &ast::FunctionSig, defined: bool) {
        let ret = self.resolve_type(&sig.ret);
        let params = self.resolve_params(&sig.params);
        let ty = Rc::new(FuncType {
            ret,
            params,
            variadic: sig.variadic,
        });
        let name = sig.name.name.clone();
        if let Some(existing) = self.funcs.get_mut(&name) {
            if defined && existing.defined {
                let span = sig.name.span.to_miette(self.source_len);
                self.errors.push(CheckError::Redefined { name, span });
                return;
            }
            if defined {
                existing.defined = true;
                existing.ty = ty;
                existing.span = sig.name.span;
            }
            return;
        }
        let id = FuncId(self.functions.len() as u32);
        self.functions.push(None);
        self.funcs.insert(
            name,
            FuncSym {
                id,
                ty,
                defined,
                span: sig.name.span,
            },
        );
    }
}

/// The type a built-in typedef stands for, from its description in
/// [`crate::calls::BUILTIN_TYPEDEFS`].
fn builtin_type(desc: &str) -> Type {
    if let Some(rest) = desc.strip_prefix("char[") {
        let n: u32 = rest
            .trim_end_matches(']')
            .parse()
            .expect("builtin array size");
        return Type::Array(Rc::new(Type::CHAR), Some(n));
    }
    if desc == "void (*)(int)" {
        return Type::Func(Rc::new(FuncType {
            ret: Type::Void,
            params: vec![Type::INT],
            variadic: false,
        }))
        .pointer_to();
    }
    let unsigned = desc.starts_with("unsigned");
    let sign = if unsigned {
        Signedness::Unsigned
    } else {
        Signedness::Signed
    };
    let kind = match desc.trim_start_matches("unsigned ") {
        "char" => IntKind::Char,
        "short" => IntKind::Short,
        "int" => IntKind::Int,
        "long" => IntKind::Long,
        other => unreachable!("builtin typedef base `{other}` is one of char/short/int/long"),
    };
    Type::Int(kind, sign)
}

/// The return type of a library call, read from its C signature in the catalogue
/// (`"char *strcpy(…)"` → `char *`).
pub(super) fn call_return_type(program: &Program, info: &crate::calls::CallInfo) -> Type {
    let before = info.signature.split(info.name).next().unwrap_or("int");
    let stars = before.matches('*').count();
    let base = before.replace('*', "");
    let base = base.trim();
    let mut ty = match base {
        "void" => Type::Void,
        "int" | "unsigned int" => Type::INT,
        "long" => Type::LONG,
        "char" => Type::CHAR,
        other => program.typedefs.get(other).cloned().unwrap_or(Type::INT),
    };
    for _ in 0..stars {
        ty = ty.pointer_to();
    }
    ty
}
