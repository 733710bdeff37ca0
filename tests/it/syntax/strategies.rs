//! Strategies for ASTs the parser can produce: C expressions, types and statements.

use proptest::prelude::*;
use proscenium::syntax::ast::*;
use proscenium::syntax::span::Span;

pub fn span() -> Span {
    Span::default()
}

pub fn ident(name: &str) -> Ident {
    Ident {
        name: name.to_string(),
        span: span(),
    }
}

pub fn ex(kind: ExprKind) -> Expr {
    Expr {
        kind,
        span: span(),
        id: ExprId(0),
    }
}

pub fn name() -> impl Strategy<Value = Ident> {
    prop::sample::select(vec![
        "a", "b", "x", "value", "counter", "config", "program", "spawn", "expect", "fd",
    ])
    .prop_map(ident)
}

pub fn bytes() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(any::<u8>(), 0..8)
}

pub fn text() -> impl Strategy<Value = String> {
    "[ -~\\n\\té]{0,10}"
}

fn leaf() -> impl Strategy<Value = Expr> {
    prop_oneof![
        any::<i64>().prop_map(|n| ex(ExprKind::Int(n))),
        bytes().prop_map(|b| ex(ExprKind::Str(b))),
        name().prop_map(|n| ex(ExprKind::Name(n))),
    ]
}

fn bin_op() -> impl Strategy<Value = BinOp> {
    use BinOp::*;
    prop::sample::select(vec![
        Mul, Div, Rem, Add, Sub, Shl, Shr, Lt, Gt, Le, Ge, Eq, Ne, BitAnd, BitXor, BitOr, And, Or,
    ])
}

fn un_op() -> impl Strategy<Value = UnOp> {
    use UnOp::*;
    prop::sample::select(vec![Neg, Plus, Not, BitNot, Deref, AddrOf])
}

/// Types the parser reads the same everywhere: keywords, built-in typedefs, struct tags.
fn base_type() -> impl Strategy<Value = TypeName> {
    let spec = prop_oneof![
        Just(TypeSpec::Void),
        (
            prop::sample::select(vec![
                IntKind::Char,
                IntKind::Short,
                IntKind::Int,
                IntKind::Long
            ]),
            prop::sample::select(vec![Signedness::Signed, Signedness::Unsigned])
        )
            .prop_map(|(k, s)| TypeSpec::Int(k, s)),
        Just(TypeSpec::Int(IntKind::Bool, Signedness::Unsigned)),
        prop::sample::select(vec!["pid_t", "size_t", "sem_t"])
            .prop_map(|n| TypeSpec::Named(ident(n))),
        any::<bool>().prop_map(|is_union| TypeSpec::Struct(StructSpec {
            is_union,
            tag: Some(ident("msg")),
            fields: None,
            span: span()
        })),
    ];
    spec.prop_map(|s| TypeName::Base(s, span()))
}

pub fn type_name() -> impl Strategy<Value = TypeName> {
    base_type().prop_recursive(3, 8, 2, |inner| {
        prop_oneof![
            inner.clone().prop_map(|t| TypeName::Pointer(Box::new(t))),
            (inner.clone(), prop::option::of(0i64..9)).prop_map(|(t, n)| {
                TypeName::Array(Box::new(t), n.map(|n| Box::new(ex(ExprKind::Int(n)))))
            }),
            (
                inner.clone(),
                prop::collection::vec(param(inner), 0..3),
                any::<bool>()
            )
                .prop_map(|(r, ps, v)| TypeName::Pointer(Box::new(
                    TypeName::Function(Box::new(r), ps.clone(), v && !ps.is_empty())
                ))),
        ]
    })
}

pub fn param(ty: impl Strategy<Value = TypeName>) -> impl Strategy<Value = Param> {
    (ty, prop::option::of(name())).prop_map(|(ty, name)| Param {
        ty: avoid_void(ty),
        name,
        span: span(),
    })
}

/// `void` alone is not a parameter (it means "no parameters").
pub fn avoid_void(ty: TypeName) -> TypeName {
    match ty {
        TypeName::Base(TypeSpec::Void, s) => {
            TypeName::Pointer(Box::new(TypeName::Base(TypeSpec::Void, s)))
        }
        other => other,
    }
}

pub fn expr() -> impl Strategy<Value = Expr> {
    leaf().prop_recursive(4, 24, 3, |e| {
        let boxed = e.clone();
        let b = move || boxed.clone().prop_map(Box::new);
        prop_oneof![
            (bin_op(), b(), b()).prop_map(|(op, l, r)| ex(ExprKind::Binary(op, l, r))),
            (un_op(), b()).prop_map(|(op, a)| ex(ExprKind::Unary(op, a))),
            (
                prop::option::of(bin_op().prop_filter("compound", |o| !matches!(
                    o,
                    BinOp::And
                        | BinOp::Or
                        | BinOp::Lt
                        | BinOp::Gt
                        | BinOp::Le
                        | BinOp::Ge
                        | BinOp::Eq
                        | BinOp::Ne
                ))),
                b(),
                b()
            )
                .prop_map(|(op, l, r)| ex(ExprKind::Assign(op, l, r))),
            (any::<bool>(), b()).prop_map(|(i, a)| ex(ExprKind::PreIncDec(i, a))),
            (any::<bool>(), b()).prop_map(|(i, a)| ex(ExprKind::PostIncDec(i, a))),
            (b(), b(), b()).prop_map(|(c, x, y)| ex(ExprKind::Conditional(c, x, y))),
            (b(), b()).prop_map(|(x, y)| ex(ExprKind::Comma(x, y))),
            (b(), prop::collection::vec(e.clone(), 0..3))
                .prop_map(|(f, args)| ex(ExprKind::Call(f, args))),
            (b(), b()).prop_map(|(x, i)| ex(ExprKind::Index(x, i))),
            (b(), name()).prop_map(|(x, f)| ex(ExprKind::Member(x, f))),
            (b(), name()).prop_map(|(x, f)| ex(ExprKind::Arrow(x, f))),
            (type_name(), b()).prop_map(|(t, x)| ex(ExprKind::Cast(t, x))),
            type_name().prop_map(|t| ex(ExprKind::SizeofType(t))),
            b().prop_map(|x| ex(ExprKind::SizeofExpr(x))),
        ]
    })
}

pub fn declaration() -> impl Strategy<Value = Declaration> {
    let declarator = (name(), prop::option::of(0u8..3), prop::option::of(expr()));
    (
        base_type(),
        any::<bool>(),
        prop::collection::vec(declarator, 1..3),
    )
        .prop_map(|(base, is_static, ds)| {
            let base = avoid_void(base);
            let declarators = ds
                .into_iter()
                .map(|(name, shape, init)| {
                    let ty = match shape {
                        Some(0) => TypeName::Pointer(Box::new(base.clone())),
                        Some(n) => TypeName::Array(
                            Box::new(base.clone()),
                            Some(Box::new(ex(ExprKind::Int(i64::from(n))))),
                        ),
                        None => base.clone(),
                    };
                    let init = init.map(|e| {
                        if shape.is_some_and(|n| n > 0) {
                            Initializer::List(
                                vec![
                                    (None, Initializer::Expr(e.clone())),
                                    (
                                        Some(Designator::Index(ex(ExprKind::Int(1)))),
                                        Initializer::Expr(e),
                                    ),
                                ],
                                span(),
                            )
                        } else {
                            Initializer::Expr(e)
                        }
                    });
                    Declarator {
                        name,
                        ty,
                        init,
                        span: span(),
                    }
                })
                .collect();
            Declaration {
                storage: Storage {
                    is_static,
                    is_extern: false,
                },
                declarators,
                span: span(),
            }
        })
}

pub fn block(stmts: Vec<Stmt>) -> Block {
    Block {
        stmts,
        span: span(),
    }
}

pub fn stmt() -> impl Strategy<Value = Stmt> {
    let leaf = prop_oneof![
        expr().prop_map(Stmt::Expr),
        Just(Stmt::Empty(span())),
        Just(Stmt::Break(span())),
        Just(Stmt::Continue(span())),
        prop::option::of(expr()).prop_map(|e| Stmt::Return(e, span())),
        declaration().prop_map(Stmt::Decl),
    ];
    leaf.prop_recursive(3, 16, 3, |s| {
        let boxed = s.clone();
        let b = move || boxed.clone().prop_map(Box::new);
        prop_oneof![
            prop::collection::vec(s.clone(), 0..3).prop_map(|ss| Stmt::Block(block(ss))),
            (
                expr(),
                prop::collection::vec(s.clone(), 0..2),
                prop::option::of(b())
            )
                .prop_map(|(cond, then, otherwise)| {
                    let then = Box::new(Stmt::Block(block(then)));
                    Stmt::If {
                        cond,
                        then,
                        otherwise,
                        span: span(),
                    }
                }),
            (expr(), b()).prop_map(|(cond, body)| Stmt::While {
                cond,
                body,
                span: span()
            }),
            (b(), expr()).prop_map(|(body, cond)| Stmt::DoWhile {
                body,
                cond,
                span: span()
            }),
            (
                prop::option::of(prop_oneof![
                    expr().prop_map(Stmt::Expr),
                    declaration().prop_map(Stmt::Decl)
                ]),
                prop::option::of(expr()),
                prop::option::of(expr()),
                b()
            )
                .prop_map(|(init, cond, step, body)| Stmt::For {
                    init: init.map(Box::new),
                    cond,
                    step,
                    body,
                    span: span()
                }),
            (expr(), b()).prop_map(|(scrutinee, body)| Stmt::Switch {
                scrutinee,
                body,
                span: span()
            }),
            (expr(), b()).prop_map(|(value, body)| Stmt::Case {
                value,
                body,
                span: span()
            }),
            b().prop_map(|body| Stmt::Default { body, span: span() }),
            (name(), prop::collection::vec(s.clone(), 0..3)).prop_map(|(name, ss)| Stmt::Spawn {
                name,
                body: block(ss),
                span: span()
            }),
        ]
    })
}
