//! Printing the declarative parts: `scenario`, `expect`, `config`.

use super::c::quote;
use crate::syntax::ast::{CmpOp, ConfigValue, Expect, Mode, ProcRef, Property, Scenario};

/// Prints the `scenario` block, the expectations and the `config` block.
pub(super) fn meta(out: &mut String, scenario: &Scenario) {
    if let Some(meta) = &scenario.meta {
        out.push_str(&format!("scenario {} {{\n", quote(meta.title.as_bytes())));
        if let Some(source) = &meta.source {
            out.push_str(&format!("    source {};\n", quote(source.as_bytes())));
        }
        if let Some(question) = &meta.question {
            out.push_str(&format!("    question {};\n", quote(question.as_bytes())));
        }
        out.push_str("}\n");
    }
    for expect in &scenario.expects {
        out.push_str(&format!("{}\n", expect_text(expect)));
    }
    if !scenario.config.is_empty() {
        out.push_str("config {\n");
        for entry in &scenario.config {
            let value = match &entry.value {
                ConfigValue::Word(word) => word.clone(),
                ConfigValue::Int(n) => n.to_string(),
                ConfigValue::Str(text) => quote(text.as_bytes()),
            };
            out.push_str(&format!("    {} = {value};\n", entry.key.name));
        }
        out.push_str("}\n");
    }
}

/// `expect may output contains "x";`.
fn expect_text(expect: &Expect) -> String {
    let mode = match expect.mode {
        Mode::Always => "",
        Mode::May => "may ",
        Mode::Never => "never ",
    };
    format!("expect {mode}{};", property(&expect.prop))
}

fn property(prop: &Property) -> String {
    let arg = |p: &Option<ProcRef>| {
        p.as_ref()
            .map(|p| format!("({})", p.path.join(".")))
            .unwrap_or_default()
    };
    match prop {
        Property::Processes(op, n) => format!("processes {} {n}", cmp(*op)),
        Property::Output(op, text) => format!("output {} {}", cmp(*op), quote(text)),
        Property::OutputContains(text) => format!("output contains {}", quote(text)),
        Property::OutputLine(text) => format!("output has line {}", quote(text)),
        Property::Outputs(all) => {
            let all: Vec<String> = all.iter().map(|t| quote(t)).collect();
            format!("outputs == {{ {} }}", all.join(", "))
        }
        Property::Outcomes(op, n) => format!("outcomes {} {n}", cmp(*op)),
        Property::Exit(p, op, n) => format!("exit{} {} {n}", arg(p), cmp(*op)),
        Property::Signaled(p, op, n) => format!("signaled{} {} {n}", arg(p), cmp(*op)),
        Property::Zombies(op, n) => format!("zombies {} {n}", cmp(*op)),
        Property::Orphans(op, n) => format!("orphans {} {n}", cmp(*op)),
        Property::Deadlock => "deadlock".to_string(),
        Property::NoDeadlock => "no deadlock".to_string(),
        Property::Var(p, var, op, n) => {
            format!("{}.{} {} {n}", p.path.join("."), var.name, cmp(*op))
        }
        Property::Children(p, op, n) => format!("children({}) {} {n}", p.path.join("."), cmp(*op)),
        Property::Depth(op, n) => format!("depth {} {n}", cmp(*op)),
        Property::Tree(tree) => format!("tree == {}", quote(tree.as_bytes())),
        Property::File(path, op, text) => {
            format!(
                "file({}) {} {}",
                quote(path.as_bytes()),
                cmp(*op),
                quote(text)
            )
        }
    }
}

fn cmp(op: CmpOp) -> &'static str {
    match op {
        CmpOp::Eq => "==",
        CmpOp::Ne => "!=",
        CmpOp::Lt => "<",
        CmpOp::Le => "<=",
        CmpOp::Gt => ">",
        CmpOp::Ge => ">=",
    }
}
