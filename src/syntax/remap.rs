//! Moving every span of a parsed [`Scenario`] through a function, from the expanded text
//! the parser read to the source the user wrote; expression ids stay as they are.

use super::ast::*;
use super::span::Span;

/// A node whose spans can be moved.
pub(super) trait Remap {
    /// Replaces every span `s` in the node with `map(s)`.
    fn remap(&mut self, map: &dyn Fn(Span) -> Span);
}

impl Remap for Span {
    fn remap(&mut self, map: &dyn Fn(Span) -> Span) {
        *self = map(*self);
    }
}

impl<T: Remap> Remap for Vec<T> {
    fn remap(&mut self, map: &dyn Fn(Span) -> Span) {
        self.iter_mut().for_each(|x| x.remap(map));
    }
}

impl<T: Remap> Remap for Option<T> {
    fn remap(&mut self, map: &dyn Fn(Span) -> Span) {
        if let Some(x) = self {
            x.remap(map);
        }
    }
}

impl<T: Remap> Remap for Box<T> {
    fn remap(&mut self, map: &dyn Fn(Span) -> Span) {
        (**self).remap(map);
    }
}

impl<A: Remap, B: Remap> Remap for (A, B) {
    fn remap(&mut self, map: &dyn Fn(Span) -> Span) {
        self.0.remap(map);
        self.1.remap(map);
    }
}

/// Spans of structs: each listed field is remapped.
macro_rules! remap_fields {
    ($($ty:ty => $($field:ident),*;)*) => {$(
        impl Remap for $ty {
            fn remap(&mut self, map: &dyn Fn(Span) -> Span) {
                $(self.$field.remap(map);)*
            }
        }
    )*};
}

remap_fields! {
    Scenario => items, programs, files, expects, config, meta;
    ProgramBlock => items, span;
    FileDecl => span;
    Meta => span;
    Define => name, params, span;
    Typedef => ty, name, span;
    Ident => span;
    StructSpec => tag, fields, span;
    Field => ty, name, span;
    EnumSpec => tag, variants, span;
    Declaration => declarators, span;
    Declarator => name, ty, init, span;
    FunctionSig => ret, name, params, span;
    Param => ty, name, span;
    Function => sig, body, span;
    Block => stmts, span;
    Expr => kind, span;
    Expect => prop, span;
    ProcRef => span;
    ConfigEntry => key, span;
}

impl Remap for Item {
    fn remap(&mut self, map: &dyn Fn(Span) -> Span) {
        match self {
            Item::Define(d) => d.remap(map),
            Item::TypeDecl(spec, span) => {
                spec.remap(map);
                span.remap(map);
            }
            Item::Typedef(t) => t.remap(map),
            Item::Global(d) => d.remap(map),
            Item::Prototype(sig) => sig.remap(map),
            Item::Function(f) => f.remap(map),
        }
    }
}

impl Remap for TypeSpec {
    fn remap(&mut self, map: &dyn Fn(Span) -> Span) {
        match self {
            TypeSpec::Void | TypeSpec::Int(..) => {}
            TypeSpec::Named(name) => name.remap(map),
            TypeSpec::Struct(s) => s.remap(map),
            TypeSpec::Enum(e) => e.remap(map),
        }
    }
}

impl Remap for TypeName {
    fn remap(&mut self, map: &dyn Fn(Span) -> Span) {
        match self {
            TypeName::Base(spec, span) => {
                spec.remap(map);
                span.remap(map);
            }
            TypeName::Pointer(inner) => inner.remap(map),
            TypeName::Array(inner, len) => {
                inner.remap(map);
                len.remap(map);
            }
            TypeName::Function(ret, params, _) => {
                ret.remap(map);
                params.remap(map);
            }
        }
    }
}

impl Remap for Initializer {
    fn remap(&mut self, map: &dyn Fn(Span) -> Span) {
        match self {
            Initializer::Expr(e) => e.remap(map),
            Initializer::List(entries, span) => {
                entries.remap(map);
                span.remap(map);
            }
        }
    }
}

impl Remap for Designator {
    fn remap(&mut self, map: &dyn Fn(Span) -> Span) {
        match self {
            Designator::Index(e) => e.remap(map),
            Designator::Field(name) => name.remap(map),
        }
    }
}

impl Remap for Stmt {
    fn remap(&mut self, map: &dyn Fn(Span) -> Span) {
        match self {
            Stmt::Decl(d) => d.remap(map),
            Stmt::Expr(e) => e.remap(map),
            Stmt::Empty(span) | Stmt::Break(span) | Stmt::Continue(span) => span.remap(map),
            Stmt::Block(b) => b.remap(map),
            Stmt::If {
                cond,
                then,
                otherwise,
                span,
            } => {
                cond.remap(map);
                then.remap(map);
                otherwise.remap(map);
                span.remap(map);
            }
            Stmt::While { cond, body, span } | Stmt::DoWhile { body, cond, span } => {
                cond.remap(map);
                body.remap(map);
                span.remap(map);
            }
            Stmt::For {
                init,
                cond,
                step,
                body,
                span,
            } => {
                init.remap(map);
                cond.remap(map);
                step.remap(map);
                body.remap(map);
                span.remap(map);
            }
            Stmt::Switch {
                scrutinee: value,
                body,
                span,
            }
            | Stmt::Case { value, body, span } => {
                value.remap(map);
                body.remap(map);
                span.remap(map);
            }
            Stmt::Default { body, span } => {
                body.remap(map);
                span.remap(map);
            }
            Stmt::Return(value, span) => {
                value.remap(map);
                span.remap(map);
            }
            Stmt::Spawn { name, body, span } => {
                name.remap(map);
                body.remap(map);
                span.remap(map);
            }
        }
    }
}

impl Remap for ExprKind {
    fn remap(&mut self, map: &dyn Fn(Span) -> Span) {
        match self {
            ExprKind::Int(_) | ExprKind::Str(_) => {}
            ExprKind::Name(name) => name.remap(map),
            ExprKind::Binary(_, a, b)
            | ExprKind::Assign(_, a, b)
            | ExprKind::Comma(a, b)
            | ExprKind::Index(a, b) => {
                a.remap(map);
                b.remap(map);
            }
            ExprKind::Unary(_, a)
            | ExprKind::PreIncDec(_, a)
            | ExprKind::PostIncDec(_, a)
            | ExprKind::SizeofExpr(a) => a.remap(map),
            ExprKind::Conditional(a, b, c) => {
                a.remap(map);
                b.remap(map);
                c.remap(map);
            }
            ExprKind::Call(callee, args) => {
                callee.remap(map);
                args.remap(map);
            }
            ExprKind::Member(a, field) | ExprKind::Arrow(a, field) => {
                a.remap(map);
                field.remap(map);
            }
            ExprKind::Cast(ty, a) => {
                ty.remap(map);
                a.remap(map);
            }
            ExprKind::SizeofType(ty) => ty.remap(map),
        }
    }
}

impl Remap for Property {
    fn remap(&mut self, map: &dyn Fn(Span) -> Span) {
        match self {
            Property::Exit(proc, ..) | Property::Signaled(proc, ..) => proc.remap(map),
            Property::Var(proc, name, ..) => {
                proc.remap(map);
                name.remap(map);
            }
            Property::Children(proc, ..) => proc.remap(map),
            _ => {}
        }
    }
}
