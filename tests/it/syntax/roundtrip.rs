//! Laws: the parser never panics, and printing any AST the parser can produce parses back
//! to the same AST (spans and expression ids aside).

use proptest::prelude::*;
use proscenium::syntax::ast::*;

use super::strategies::{
    avoid_void, block, bytes, declaration, ex, ident, name, param, span, stmt, text, type_name,
};
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

fn define() -> impl Strategy<Value = Define> {
    let params = || prop::collection::vec(name(), 0..3);
    // Replacement lists are token text: C or not, balanced or not (`#define BEGIN {`).
    let token = prop::sample::select(vec![
        "x", "a", "1", "0x1F", "+", "*", "(", ")", "{", "}", ";", ",", "\"s, t\"", "'c'", "do",
        "while", "#", "##", "->",
    ]);
    let body = prop::collection::vec(token, 1..8).prop_map(|ts| MacroBody::Text(ts.join(" ")));
    prop_oneof![
        body.clone().prop_map(|b| (None, b)),
        Just((None, MacroBody::Empty)),
        (params(), body).prop_map(|(ps, b)| (Some(ps), b)),
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
        (cmp.clone(), n).prop_map(|(c, n)| Property::Processes(c, n)),
        (eq_ne, bytes()).prop_map(|(c, b)| Property::Output(c, b)),
        bytes().prop_map(Property::OutputContains),
        bytes().prop_map(Property::OutputLine),
        prop::collection::vec(bytes(), 0..3).prop_map(Property::Outputs),
        (cmp.clone(), n).prop_map(|(c, n)| Property::Outcomes(c, n)),
        (prop::option::of(proc_ref()), cmp.clone(), n)
            .prop_map(|(p, c, n)| Property::Exit(p, c, n)),
        (prop::option::of(proc_ref()), cmp.clone(), n)
            .prop_map(|(p, c, n)| Property::Signaled(p, c, n)),
        (cmp.clone(), n).prop_map(|(c, n)| Property::Zombies(c, n)),
        (cmp.clone(), n).prop_map(|(c, n)| Property::Orphans(c, n)),
        Just(Property::Deadlock),
        Just(Property::NoDeadlock),
        (proc_ref(), name(), cmp.clone(), n).prop_map(|(p, v, c, n)| Property::Var(p, v, c, n)),
        (proc_ref(), cmp.clone(), n).prop_map(|(p, c, n)| Property::Children(p, c, n)),
        (cmp, n).prop_map(|(c, n)| Property::Depth(c, n)),
        text().prop_map(Property::Tree),
        (
            text(),
            prop::sample::select(vec![CmpOp::Eq, CmpOp::Ne]),
            bytes()
        )
            .prop_map(|(p, c, b)| Property::File(p, c, b)),
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
    let file = (text(), text()).prop_map(|(path, contents)| FileDecl {
        path,
        contents,
        span: span(),
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
        prop::collection::vec(file, 0..2),
        prop::collection::vec(expect, 0..4),
        prop::collection::vec(config_entry(), 0..3),
        prop::option::of(meta),
    )
        .prop_map(|(items, programs, files, expects, config, meta)| Scenario {
            items,
            programs,
            files,
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

/// The seed programs, for mutation.
fn seeds() -> Vec<String> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/seeds");
    let mut texts: Vec<String> = std::fs::read_dir(dir)
        .expect("fixtures")
        .map(|e| std::fs::read_to_string(e.expect("entry").path()).expect("readable"))
        .collect();
    texts.sort();
    texts
}

proptest! {
    #[test]
    fn mutated_seeds_never_panic(
        pick in any::<prop::sample::Index>(),
        cut in any::<prop::sample::Index>(),
        len in 0usize..40,
        insert in prop::sample::select(vec!["", "{", "}", "(", ")", ";", "\"", "'", "/*", "#if 0\n", "*", "else ", "case 1:"]),
    ) {
        let texts = seeds();
        let text = pick.get(&texts);
        let chars: Vec<char> = text.chars().collect();
        let at = cut.index(chars.len() + 1);
        let end = (at + len).min(chars.len());
        let mutated: String = chars[..at].iter().chain(insert.chars().collect::<Vec<_>>().iter()).chain(chars[end..].iter()).collect();
        let _ = parse(&mutated);
    }
}
