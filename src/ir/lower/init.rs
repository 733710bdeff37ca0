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
                } else if is_zero_initializer(e) {
                    // glibc's `PTHREAD_MUTEX_INITIALIZER` is an all-zero braced list, and the
                    // object starts zeroed.
                } else {
                    self.init_error(
                        e.span,
                        "a char array takes a string literal or a braced list",
                    );
                }
            }
            (Type::Array(..) | Type::Struct(_), Initializer::List(items, _)) => {
                let mut pos = 0;
                self.fill(ty, items, &mut pos, offset, true, out);
                if let Some((_, item)) = items.get(pos) {
                    let what = if matches!(ty, Type::Struct(_)) {
                        "struct"
                    } else {
                        "array"
                    };
                    self.init_error(
                        init_span(item),
                        &format!("too many initialisers for the {what}"),
                    );
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
            (_, Initializer::Expr(expr)) => self.init_error(
                expr.span,
                "an array is initialised with a braced list `{ … }`",
            ),
        }
    }

    /// Fills the aggregate `ty` at `offset` from `items[*pos..]` (C11 6.7.9): each element
    /// or member takes a braced item of its own, or, for a nested aggregate written without
    /// braces (`int m[2][2] = {1, 2, 3, 4}`, `struct s v = {0}`), as many items as it needs.
    /// Designators are honoured in the braced list itself (`top`); inside an elided
    /// sub-aggregate one ends it.
    fn fill(
        &mut self,
        ty: &Type,
        items: &'a [(Option<Designator>, Initializer)],
        pos: &mut usize,
        offset: u32,
        top: bool,
        out: &mut Vec<InitItem<'a>>,
    ) {
        let slots: Vec<(u32, Type)> = match ty {
            Type::Array(elem, size) => {
                let elem_size = self.structs.size_of(elem).unwrap_or(0);
                let n = size.unwrap_or(u32::MAX).min(1 << 20);
                let elem = (**elem).clone();
                return self.fill_array(&elem, elem_size, n, items, pos, offset, top, out);
            }
            Type::Struct(id) => {
                let members = self.structs.get(*id).members.clone().unwrap_or_default();
                members.into_iter().map(|m| (m.offset, m.ty)).collect()
            }
            _ => vec![(0, ty.clone())],
        };
        let names: Vec<String> = match ty {
            Type::Struct(id) => self
                .structs
                .get(*id)
                .members
                .iter()
                .flatten()
                .map(|m| m.name.clone())
                .collect(),
            _ => Vec::new(),
        };
        let mut index = 0usize;
        while let Some((designator, _)) = items.get(*pos) {
            if let Some(designator) = designator {
                if !top {
                    return;
                }
                match designator {
                    Designator::Field(name) => match names.iter().position(|n| *n == name.name) {
                        Some(i) => index = i,
                        None => {
                            self.init_error(name.span, "no such member");
                            *pos = items.len();
                            return;
                        }
                    },
                    Designator::Index(e) => {
                        self.init_error(e.span, "an index designator in a struct initialiser");
                        *pos = items.len();
                        return;
                    }
                }
            }
            let Some((member_offset, member_ty)) = slots.get(index).cloned() else {
                return;
            };
            self.fill_one(&member_ty, items, pos, offset + member_offset, out);
            index += 1;
        }
    }

    fn fill_array(
        &mut self,
        elem: &Type,
        elem_size: u32,
        n: u32,
        items: &'a [(Option<Designator>, Initializer)],
        pos: &mut usize,
        offset: u32,
        top: bool,
        out: &mut Vec<InitItem<'a>>,
    ) {
        let mut index = 0u32;
        while let Some((designator, _)) = items.get(*pos) {
            if let Some(designator) = designator {
                if !top {
                    return;
                }
                match designator {
                    Designator::Index(e) => index = self.const_int(e).unwrap_or(0).max(0) as u32,
                    Designator::Field(name) => {
                        self.init_error(name.span, "a member designator in an array initialiser");
                        *pos = items.len();
                        return;
                    }
                }
            }
            if index >= n {
                return;
            }
            self.fill_one(elem, items, pos, offset + index * elem_size, out);
            index += 1;
        }
    }

    /// One element or member from the item at `*pos`: its own braced list or scalar, or
    /// (brace elision) a run of items for a nested aggregate.
    fn fill_one(
        &mut self,
        ty: &Type,
        items: &'a [(Option<Designator>, Initializer)],
        pos: &mut usize,
        offset: u32,
        out: &mut Vec<InitItem<'a>>,
    ) {
        let item = &items[*pos].1;
        let aggregate = matches!(ty, Type::Array(..) | Type::Struct(_));
        let string_for_chars = matches!((ty, item), (Type::Array(e, _), Initializer::Expr(Expr { kind: ExprKind::Str(_), .. })) if is_char(e));
        let elided = aggregate && matches!(item, Initializer::Expr(_)) && !string_for_chars;
        if elided {
            self.fill(ty, items, pos, offset, false, out);
        } else {
            self.flatten_init(ty, item, offset, out);
            *pos += 1;
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

/// Whether `e` is a library initialiser macro that stands for an all-zero object
/// (`pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;`, `PTHREAD_COND_INITIALIZER`).
fn is_zero_initializer(e: &Expr) -> bool {
    matches!(&e.kind, ExprKind::Name(name)
        if name.name == "PTHREAD_MUTEX_INITIALIZER" || name.name == "PTHREAD_COND_INITIALIZER")
}
