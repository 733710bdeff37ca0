//! Laws: the parser never panics, and printing any AST the parser can produce parses back
//! to the same AST (spans and expression ids aside).

use proptest::prelude::*;
use proscenium::syntax::ast::*;
use proscenium::syntax::span::Span;
use proscenium::syntax::{parse, print};

/// The `Debug` text of a scenario with every span and expression id blanked.
pub fn normalise(scenario: &Scenario) -> String {
    let text = format!("{scenario:?}");
    let text = blank_after(&text, "Span { start: ", '}');
    blank_after(&text, "ExprId(", ')')
}

/// Replaces what follows each `marker` up to `close` with nothing.
fn blank_after(text: &str, marker: &str, close: char) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(marker) {
        out.push_str(&rest[..at + marker.len()]);
        rest = &rest[at + marker.len()..];
        let end = rest.find(close).expect("closed");
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

fn span() -> Span {
    Span::default()
}

fn ident(name: &str) -> Ident {
    Ident {
        name: name.to_string(),
        span: span(),
    }
}

fn ex(kind: ExprKind) -> Expr {
    Expr {
        kind,
        span: span(),
        id: ExprId(0),
    }
}

fn name() -> impl Strategy<Value = Ident> {
    prop::sample::select(vec![
        "a", "b", "x", "value", "counter", "config", "program", "spawn", "expect", "fd",
    ])
    .prop_map(ident)
}

fn bytes() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(any::<u8>(), 0..8)
}

fn text() -> impl Strategy<Value = String> {
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

fn type_name() -> impl Strategy<Value = TypeName> {
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

fn param(ty: impl Strategy<Value = TypeName>) -> impl Strategy<Value = Param> {
    (ty, prop::option::of(name())).prop_map(|(ty, name)| Param {
        ty: avoid_void(ty),
        name,
        span: span(),
    })
}

/// `void` alone is not a parameter (it means "no parameters").
fn avoid_void(ty: TypeName) -> TypeName {
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

fn declaration() -> impl Strategy<Value = Declaration> {
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

fn block(stmts: Vec<Stmt>) -> Block {
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

fn define() -> impl Strategy<Value = Define> {
    let params = || prop::collection::vec(name(), 0..3);
    prop_oneof![
        expr().prop_map(|e| (None, MacroBody::Expr(e))),
        Just((None, MacroBody::Empty)),
        (params(), expr()).prop_map(|(ps, e)| (Some(ps), MacroBody::Expr(e))),
        (params(), stmt()).prop_map(|(ps, s)| (Some(ps), MacroBody::Stmt(Box::new(s)))),
    ]
    .prop_map(|(params, body)| Define {
        name: ident("M"),
        params,
        body,
        span: span(),
    })
}

fn function() -> impl Strategy<Value = Function> {
    let ret = type_name().prop_filter("returns a value type", |t| {
        !matches!(t, TypeName::Array(..) | TypeName::Function(..))
    });
    (
        ret,
        prop::collection::vec(param(type_name()), 0..3),
        any::<bool>(),
        prop::collection::vec(stmt(), 0..4),
    )
        .prop_map(|(ret, params, variadic, stmts)| Function {
            sig: FunctionSig {
                ret,
                name: ident("f"),
                variadic: variadic && !params.is_empty(),
                params,
                span: span(),
            },
            body: block(stmts),
            span: span(),
        })
}

fn item() -> impl Strategy<Value = Item> {
    let global = declaration().prop_map(|mut d| {
        d.storage.is_extern = !d.storage.is_static && d.declarators.len() == 1;
        Item::Global(d)
    });
    prop_oneof![
        define().prop_map(Item::Define),
        global,
        function().prop_map(|f| Item::Prototype(f.sig)),
        function().prop_map(Item::Function),
        type_name().prop_map(|ty| Item::Typedef(Typedef {
            ty,
            name: ident("item_t"),
            span: span()
        })),
        (
            prop::collection::vec((name(), type_name()), 1..3),
            any::<bool>()
        )
            .prop_map(|(fields, is_union)| {
                let fields = fields
                    .into_iter()
                    .map(|(name, ty)| Field {
                        ty: avoid_void(ty),
                        name,
                        span: span(),
                    })
                    .collect();
                Item::TypeDecl(
                    TypeSpec::Struct(StructSpec {
                        is_union,
                        tag: Some(ident("s")),
                        fields: Some(fields),
                        span: span(),
                    }),
                    span(),
                )
            }),
        prop::collection::vec((name(), prop::option::of(0i64..100)), 1..3).prop_map(|vs| {
            let variants = vs
                .into_iter()
                .map(|(n, v)| (n, v.map(|v| ex(ExprKind::Int(v)))))
                .collect();
            Item::TypeDecl(
                TypeSpec::Enum(EnumSpec {
                    tag: Some(ident("e")),
                    variants: Some(variants),
                    span: span(),
                }),
                span(),
            )
        }),
    ]
}

fn proc_ref() -> impl Strategy<Value = ProcRef> {
    (
        prop::sample::select(vec!["main", "b", "child"]),
        prop::collection::vec(1u8..9, 0..3),
    )
        .prop_map(|(head, rest)| {
            let mut path = vec![head.to_string()];
            path.extend(rest.iter().map(u8::to_string));
            ProcRef { path, span: span() }
        })
}

fn property() -> impl Strategy<Value = Property> {
    let cmp = prop::sample::select(vec![
        CmpOp::Eq,
        CmpOp::Ne,
        CmpOp::Lt,
        CmpOp::Le,
        CmpOp::Gt,
        CmpOp::Ge,
    ]);
    let eq_ne = prop::sample::select(vec![CmpOp::Eq, CmpOp::Ne]);
    let n = any::<i64>();
    prop_oneof![
        (cmp.clone(), n.clone()).prop_map(|(c, n)| Property::Processes(c, n)),
        (eq_ne, bytes()).prop_map(|(c, b)| Property::Output(c, b)),
        bytes().prop_map(Property::OutputContains),
        bytes().prop_map(Property::OutputLine),
        prop::collection::vec(bytes(), 0..3).prop_map(Property::Outputs),
        (cmp.clone(), n.clone()).prop_map(|(c, n)| Property::Outcomes(c, n)),
        (prop::option::of(proc_ref()), cmp.clone(), n.clone())
            .prop_map(|(p, c, n)| Property::Exit(p, c, n)),
        (prop::option::of(proc_ref()), cmp.clone(), n.clone())
            .prop_map(|(p, c, n)| Property::Signaled(p, c, n)),
        (cmp.clone(), n.clone()).prop_map(|(c, n)| Property::Zombies(c, n)),
        (cmp.clone(), n.clone()).prop_map(|(c, n)| Property::Orphans(c, n)),
        Just(Property::Deadlock),
        Just(Property::NoDeadlock),
        (proc_ref(), name(), cmp.clone(), n.clone())
            .prop_map(|(p, v, c, n)| Property::Var(p, v, c, n)),
        (proc_ref(), cmp.clone(), n.clone()).prop_map(|(p, c, n)| Property::Children(p, c, n)),
        (cmp, n).prop_map(|(c, n)| Property::Depth(c, n)),
        text().prop_map(Property::Tree),
    ]
}

fn config_entry() -> impl Strategy<Value = ConfigEntry> {
    let value = prop_oneof![
        "[a-z][a-z_-]{0,8}".prop_map(ConfigValue::Word),
        any::<i64>().prop_map(ConfigValue::Int),
        text().prop_map(ConfigValue::Str),
    ];
    ("[a-z_][a-z_]{0,8}", value).prop_map(|(key, value)| ConfigEntry {
        key: ident(&key),
        value,
        span: span(),
    })
}

fn scenario() -> impl Strategy<Value = Scenario> {
    let mode = prop::sample::select(vec![Mode::Always, Mode::May, Mode::Never]);
    let expect = (mode, property()).prop_map(|(mode, prop)| Expect {
        mode,
        prop,
        span: span(),
    });
    let program =
        ("/bin/[a-z]{1,5}", prop::collection::vec(item(), 0..3)).prop_map(|(path, items)| {
            ProgramBlock {
                path,
                items,
                span: span(),
            }
        });
    let meta = (text(), prop::option::of(text()), prop::option::of(text())).prop_map(
        |(title, source, question)| Meta {
            title,
            source,
            question,
            span: span(),
        },
    );
    (
        prop::collection::vec(item(), 0..5),
        prop::collection::vec(program, 0..2),
        prop::collection::vec(expect, 0..4),
        prop::collection::vec(config_entry(), 0..3),
        prop::option::of(meta),
    )
        .prop_map(|(items, programs, expects, config, meta)| Scenario {
            items,
            programs,
            expects,
            config,
            meta,
        })
}

proptest! {
    #[test]
    fn printed_scenarios_parse_back_to_the_same_ast(scenario in scenario()) {
        let printed = print(&scenario);
        let parsed = parse(&printed).map_err(|e| TestCaseError::fail(format!("{printed}\n{e:?}")))?;
        prop_assert_eq!(normalise(&parsed), normalise(&scenario), "printed:\n{}", printed);
    }

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,200}") {
        let _ = parse(&text);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let _ = parse(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn c_like_token_soup_never_panics(tokens in prop::collection::vec(prop::sample::select(vec![
        "int", "x", "(", ")", "{", "}", "[", "]", ";", ",", "=", "*", "&", "-", "++", "?", ":", "\"s\"", "'c'",
        "0x1", "#define A 1\n", "#if 0\n", "#endif\n", "expect", "config", "spawn", "struct", "typedef",
        "sizeof", "return", "if", "else", "for", "while", "case", "default", "\n", "/*", "*/", "//", "...",
    ]), 0..60)) {
        let _ = parse(&tokens.join(" "));
    }
}
