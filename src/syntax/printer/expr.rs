//! Printing expressions (fully parenthesised), types with their declarators, and literals.

use crate::syntax::ast::{
    BinOp, Expr, ExprKind, IntKind, Param, Signedness, StructSpec, TypeName, TypeSpec, UnOp,
};

/// An expression, every compound operand in parentheses.
pub(super) fn expr(e: &Expr) -> String {
    let p = |e: &Expr| match &e.kind {
        ExprKind::Name(_) | ExprKind::Str(_) => expr(e),
        ExprKind::Int(n) if *n >= 0 => expr(e),
        _ => format!("({})", expr(e)),
    };
    match &e.kind {
        ExprKind::Int(n) if *n < 0 => format!("{:#x}", *n as u64),
        ExprKind::Int(n) => n.to_string(),
        ExprKind::Str(bytes) => quote(bytes),
        ExprKind::Name(name) => name.name.clone(),
        ExprKind::Binary(op, l, r) => format!("{} {} {}", p(l), BinOp::symbol(*op), p(r)),
        ExprKind::Unary(op, a) => format!("{}{}", un_op(*op), p(a)),
        ExprKind::Assign(op, l, r) => {
            let op = op.map(BinOp::symbol).unwrap_or("");
            format!("{} {op}= {}", p(l), p(r))
        }
        ExprKind::PreIncDec(inc, a) => format!("{}{}", if *inc { "++" } else { "--" }, p(a)),
        ExprKind::PostIncDec(inc, a) => format!("{}{}", p(a), if *inc { "++" } else { "--" }),
        ExprKind::Conditional(c, a, b) => format!("{} ? {} : {}", p(c), p(a), p(b)),
        ExprKind::Comma(a, b) => format!("{}, {}", p(a), p(b)),
        ExprKind::Call(f, args) => {
            let args: Vec<String> = args.iter().map(p).collect();
            format!("{}({})", p(f), args.join(", "))
        }
        ExprKind::Index(a, i) => format!("{}[{}]", p(a), expr(i)),
        ExprKind::Member(a, f) => format!("{}.{}", p(a), f.name),
        ExprKind::Arrow(a, f) => format!("{}->{}", p(a), f.name),
        ExprKind::Cast(ty, a) => format!("({}){}", declarator(ty, ""), p(a)),
        ExprKind::SizeofType(ty) => format!("sizeof({})", declarator(ty, "")),
        ExprKind::SizeofExpr(a) => format!("sizeof {}", p(a)),
    }
}

/// An expression where C allows no top-level comma (initialisers, array lengths, case
/// labels): a comma expression is parenthesised.
pub(super) fn expr_no_comma(e: &Expr) -> String {
    match e.kind {
        ExprKind::Comma(..) => format!("({})", expr(e)),
        _ => expr(e),
    }
}

/// A C string literal for `bytes`, non-printable bytes as three-digit octal escapes.
pub(crate) fn quote(bytes: &[u8]) -> String {
    let mut text = String::from("\"");
    for &b in bytes {
        match b {
            b'"' => text.push_str("\\\""),
            b'\\' => text.push_str("\\\\"),
            b'\n' => text.push_str("\\n"),
            b'\t' => text.push_str("\\t"),
            0x20..=0x7E => text.push(char::from(b)),
            _ => text.push_str(&format!("\\{b:03o}")),
        }
    }
    text.push('"');
    text
}

/// `ty` declaring `name` (empty for an abstract type): `char *argv[]`, `void (*)(int)`.
pub(super) fn declarator(ty: &TypeName, name: &str) -> String {
    let mut inner = name.to_string();
    let mut ty = ty;
    loop {
        match ty {
            TypeName::Base(spec, _) => {
                let base = type_spec(spec);
                return if inner.is_empty() {
                    base
                } else {
                    format!("{base} {inner}")
                };
            }
            TypeName::Pointer(t) => {
                inner = match **t {
                    TypeName::Array(..) | TypeName::Function(..) => format!("(*{inner})"),
                    _ => format!("*{inner}"),
                };
                ty = t;
            }
            TypeName::Array(t, len) => {
                let len = len.as_ref().map(|l| expr_no_comma(l)).unwrap_or_default();
                inner = format!("{inner}[{len}]");
                ty = t;
            }
            TypeName::Function(ret, params, variadic) => {
                inner = format!("{inner}({})", param_list(params, *variadic));
                ty = ret;
            }
        }
    }
}

fn param_list(params: &[Param], variadic: bool) -> String {
    let mut parts: Vec<String> = params
        .iter()
        .map(|p| declarator(&p.ty, p.name.as_ref().map_or("", |n| n.name.as_str())))
        .collect();
    if variadic {
        parts.push("...".to_string());
    }
    if parts.is_empty() {
        return "void".to_string();
    }
    parts.join(", ")
}

fn type_spec(spec: &TypeSpec) -> String {
    match spec {
        TypeSpec::Void => "void".to_string(),
        TypeSpec::Int(kind, sign) => {
            let word = match kind {
                IntKind::Bool => return "_Bool".to_string(),
                IntKind::Char => "char",
                IntKind::Short => "short",
                IntKind::Int => "int",
                IntKind::Long => "long",
            };
            match sign {
                Signedness::Unsigned => format!("unsigned {word}"),
                Signedness::Signed => word.to_string(),
            }
        }
        TypeSpec::Named(name) => name.name.clone(),
        TypeSpec::Struct(s) => struct_spec(s),
        TypeSpec::Enum(e) => {
            let mut text = String::from("enum");
            if let Some(tag) = &e.tag {
                text.push_str(&format!(" {}", tag.name));
            }
            if let Some(variants) = &e.variants {
                let vs: Vec<String> = variants
                    .iter()
                    .map(|(n, v)| match v {
                        Some(v) => format!("{} = {}", n.name, expr_no_comma(v)),
                        None => n.name.clone(),
                    })
                    .collect();
                text.push_str(&format!(" {{ {} }}", vs.join(", ")));
            }
            text
        }
    }
}

fn struct_spec(s: &StructSpec) -> String {
    let mut text = String::from(if s.is_union { "union" } else { "struct" });
    if let Some(tag) = &s.tag {
        text.push_str(&format!(" {}", tag.name));
    }
    if let Some(fields) = &s.fields {
        text.push_str(" {");
        for f in fields {
            text.push_str(&format!(" {};", declarator(&f.ty, &f.name.name)));
        }
        text.push_str(" }");
    }
    text
}

fn un_op(op: UnOp) -> &'static str {
    match op {
        UnOp::Neg => "-",
        UnOp::Plus => "+",
        UnOp::Not => "!",
        UnOp::BitNot => "~",
        UnOp::Deref => "*",
        UnOp::AddrOf => "&",
    }
}
