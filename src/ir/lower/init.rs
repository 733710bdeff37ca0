//! Initialisers: `= expr`, `= "text"` for char arrays and braced lists with designators,
//! flattened to the scalar stores they stand for.

use super::Program;
use crate::check::{CheckError, Type};
use crate::syntax::ast::{Designator, Expr, ExprKind, Initializer};
use crate::syntax::span::Span;

/// One store an initialiser performs: a scalar at `offset`, or the bytes of a string
/// literal into a char array of `size` bytes.
pub(super) enum InitItem<'a> {
    /// `offset` bytes into the object, a scalar of type `ty` from `expr`.
    Scalar {
        offset: u32,
        ty: Type,
        expr: &'a Expr,
    },
    /// `struct point p = q;`: a whole struct copied from `expr` (`size` bytes).
    Object {
        offset: u32,
        size: u32,
        expr: &'a Expr,
    },
    /// `char buf[size] = "text"`: the literal's bytes (with its NUL if it fits).
    Bytes {
        offset: u32,
        size: u32,
        bytes: &'a [u8],
    },
}

impl<'a> Program {
    /// The complete type of a declared object: `int a[] = {1, 2}` is `int[2]`,
    /// `char s[] = "hi"` is `char[3]`.
    pub(super) fn complete_type(&mut self, ty: Type, init: Option<&Initializer>) -> Type {
        let Type::Array(elem, None) = &ty else {
            return ty;
        };
        let len = match init {
            Some(Initializer::Expr(Expr {
                kind: ExprKind::Str(bytes),
                ..
            })) => bytes.len() as u32 + 1,
            Some(Initializer::List(items, _)) => {
                let mut next = 0u32;
                let mut len = 0u32;
                for (designator, _) in items {
                    if let Some(Designator::Index(e)) = designator {
                        next = self.const_int(e).unwrap_or(0).max(0) as u32;
                    }
                    next += 1;
                    len = len.max(next);
                }
                len
            }
            _ => return ty,
        };
        Type::Array(elem.clone(), Some(len))
    }

    /// Flattens `init` for an object of type `ty` at `offset` into `out`.
    pub(super) fn flatten_init(
        &mut self,
        ty: &Type,
        init: &'a Initializer,
        offset: u32,
        out: &mut Vec<InitItem<'a>>,
    ) {
        match (ty, init) {
            (Type::Array(elem, Some(size)), Initializer::Expr(e)) if is_char(elem) => {
                if let ExprKind::Str(bytes) = &e.kind {
                    out.push(InitItem::Bytes {
                        offset,
                        size: *size,
                        bytes,
                    });
                } else {
                    self.init_error(e.span, "a char array is initialised with a string literal");
                }
            }
            (Type::Array(elem, size), Initializer::List(items, _)) => {
                let elem_size = self.structs.size_of(elem).unwrap_or(0);
                let mut index = 0u32;
                for (designator, item) in items {
                    if let Some(Designator::Index(e)) = designator {
                        index = self.const_int(e).unwrap_or(0).max(0) as u32;
                    }
                    if size.is_some_and(|n| index >= n) {
                        self.init_error(init_span(item), "too many initialisers for the array");
                        return;
                    }
                    self.flatten_init(elem, item, offset + index * elem_size, out);
                    index += 1;
                }
            }
            (Type::Struct(id), Initializer::List(items, _)) => {
                let members = self.structs.get(*id).members.clone().unwrap_or_default();
                let mut index = 0usize;
                for (designator, item) in items {
                    if let Some(Designator::Field(name)) = designator {
                        match members.iter().position(|m| m.name == name.name) {
                            Some(i) => index = i,
                            None => {
                                self.init_error(name.span, "no such member");
                                return;
                            }
                        }
                    }
                    let Some(member) = members.get(index) else {
                        self.init_error(init_span(item), "too many initialisers for the struct");
                        return;
                    };
                    self.flatten_init(&member.ty, item, offset + member.offset, out);
                    index += 1;
                }
            }
            (_, Initializer::List(items, span)) => match items.first() {
                Some((None, item)) if items.len() == 1 => self.flatten_init(ty, item, offset, out),
                _ => self.init_error(*span, "a scalar is initialised with one value"),
            },
            (_, Initializer::Expr(expr)) if ty.scalar().is_some() => out.push(InitItem::Scalar {
                offset,
                ty: ty.clone(),
                expr,
            }),
            (Type::Struct(_), Initializer::Expr(expr)) => out.push(InitItem::Object {
                offset,
                size: self.structs.size_of(ty).unwrap_or(0),
                expr,
            }),
            (_, Initializer::Expr(expr)) => {
                self.init_error(expr.span, "this object is initialised with a braced list")
            }
        }
    }

    fn init_error(&mut self, span: Span, message: &str) {
        self.errors.push(CheckError::Type {
            message: message.to_string(),
            span: self.miette(span),
            label: "here".into(),
            help: None,
        });
    }
}

fn is_char(ty: &Type) -> bool {
    matches!(ty, Type::Int(crate::syntax::ast::IntKind::Char, _))
}

fn init_span(init: &Initializer) -> Span {
    match init {
        Initializer::Expr(e) => e.span,
        Initializer::List(_, span) => *span,
    }
}
