//! Printing C items and statements.

use super::expr::{declarator, expr, expr_no_comma};
use crate::syntax::ast::{
    Block, Declaration, Designator, FunctionSig, Initializer, Item, MacroBody, Stmt, TypeName,
};

pub(super) use super::expr::quote;

/// Prints one top-level item followed by a newline.
pub(super) fn item(out: &mut String, item: &Item) {
    match item {
        Item::Define(define) => {
            let params = match &define.params {
                Some(ps) => format!(
                    "({})",
                    ps.iter()
                        .map(|p| p.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                None => String::new(),
            };
            let body = match &define.body {
                MacroBody::Text(text) => format!(" {text}"),
                MacroBody::Empty => String::new(),
            };
            out.push_str(&format!("#define {}{params}{body}\n", define.name.name));
        }
        Item::TypeDecl(spec, _) => {
            let base = TypeName::Base(spec.clone(), Default::default());
            out.push_str(&format!("{};\n", declarator(&base, "")));
        }
        Item::Typedef(t) => {
            out.push_str(&format!("typedef {};\n", declarator(&t.ty, &t.name.name)))
        }
        Item::Global(d) => out.push_str(&format!("{}\n", declaration(d))),
        Item::Prototype(sig) => out.push_str(&format!("{};\n", signature(sig))),
        Item::Function(f) => {
            out.push_str(&format!("{} {}\n", signature(&f.sig), block(&f.body, 0)))
        }
    }
}

fn signature(sig: &FunctionSig) -> String {
    let ty = TypeName::Function(Box::new(sig.ret.clone()), sig.params.clone(), sig.variadic);
    declarator(&ty, &sig.name.name)
}

/// `static int a = 1, *p;`: the declarators share the first one's base type.
fn declaration(d: &Declaration) -> String {
    let mut text = String::new();
    if d.storage.is_static {
        text.push_str("static ");
    }
    if d.storage.is_extern {
        text.push_str("extern ");
    }
    let parts: Vec<String> = d
        .declarators
        .iter()
        .enumerate()
        .map(|(i, decl)| {
            let full = declarator(&decl.ty, &decl.name.name);
            let shown = if i == 0 {
                full
            } else {
                strip_base(&decl.ty, &full)
            };
            match &decl.init {
                Some(init) => format!("{shown} = {}", initializer(init)),
                None => shown,
            }
        })
        .collect();
    text.push_str(&parts.join(", "));
    text.push(';');
    text
}

/// The declarator part of `full` without the base type's text in front.
fn strip_base(ty: &TypeName, full: &str) -> String {
    let base = declarator(base_of(ty), "");
    full.strip_prefix(&base)
        .unwrap_or(full)
        .trim_start()
        .to_string()
}

fn base_of(ty: &TypeName) -> &TypeName {
    match ty {
        TypeName::Base(..) => ty,
        TypeName::Pointer(inner) | TypeName::Array(inner, _) | TypeName::Function(inner, ..) => {
            base_of(inner)
        }
    }
}

fn initializer(init: &Initializer) -> String {
    match init {
        Initializer::Expr(e) => expr_no_comma(e),
        Initializer::List(entries, _) => {
            let entries: Vec<String> = entries
                .iter()
                .map(|(designator, value)| match designator {
                    Some(Designator::Index(i)) => {
                        format!("[{}] = {}", expr_no_comma(i), initializer(value))
                    }
                    Some(Designator::Field(f)) => format!(".{} = {}", f.name, initializer(value)),
                    None => initializer(value),
                })
                .collect();
            format!("{{ {} }}", entries.join(", "))
        }
    }
}

fn block(b: &Block, depth: usize) -> String {
    let mut text = String::from("{\n");
    for s in &b.stmts {
        text.push_str(&"    ".repeat(depth + 1));
        text.push_str(&stmt_text(s, depth + 1));
        text.push('\n');
    }
    text.push_str(&"    ".repeat(depth));
    text.push('}');
    text
}

/// One statement at indentation `depth` (nested lines are indented further).
fn stmt_text(s: &Stmt, depth: usize) -> String {
    let sub = |s: &Stmt| stmt_text(s, depth);
    match s {
        Stmt::Decl(d) => declaration(d),
        Stmt::Expr(e) => format!("{};", expr(e)),
        Stmt::Empty(_) => ";".to_string(),
        Stmt::Block(b) => block(b, depth),
        Stmt::If {
            cond,
            then,
            otherwise,
            ..
        } => {
            let then = sub(then);
            match otherwise {
                Some(o) => format!("if ({}) {then} else {}", expr(cond), sub(o)),
                None => format!("if ({}) {then}", expr(cond)),
            }
        }
        Stmt::While { cond, body, .. } => format!("while ({}) {}", expr(cond), sub(body)),
        Stmt::DoWhile { body, cond, .. } => format!("do {} while ({});", sub(body), expr(cond)),
        Stmt::For {
            init,
            cond,
            step,
            body,
            ..
        } => {
            let init = init.as_ref().map_or(";".to_string(), |i| sub(i));
            let cond = cond.as_ref().map(expr).unwrap_or_default();
            let step = step.as_ref().map(expr).unwrap_or_default();
            format!("for ({init} {cond}; {step}) {}", sub(body))
        }
        Stmt::Switch {
            scrutinee, body, ..
        } => format!("switch ({}) {}", expr(scrutinee), sub(body)),
        Stmt::Case { value, body, .. } => format!("case {}: {}", expr_no_comma(value), sub(body)),
        Stmt::Default { body, .. } => format!("default: {}", sub(body)),
        Stmt::Break(_) => "break;".to_string(),
        Stmt::Continue(_) => "continue;".to_string(),
        Stmt::Return(Some(e), _) => format!("return {};", expr(e)),
        Stmt::Return(None, _) => "return;".to_string(),
        Stmt::Spawn { name, body, .. } => format!("spawn {} {}", name.name, block(body, depth)),
    }
}
