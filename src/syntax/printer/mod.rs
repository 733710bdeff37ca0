//! Prints an AST back as source text that parses to the same AST (round-trip tested).
//! Expressions are fully parenthesised; statements go one per line.

mod c;
mod expr;
mod scenario;

use super::ast::Scenario;

/// The scenario as source text.
pub fn print(scenario: &Scenario) -> String {
    let mut out = String::new();
    for item in &scenario.items {
        c::item(&mut out, item);
    }
    for program in &scenario.programs {
        out.push_str(&format!(
            "program {} {{\n",
            c::quote(program.path.as_bytes())
        ));
        for item in &program.items {
            c::item(&mut out, item);
        }
        out.push_str("}\n");
    }
    for file in &scenario.files {
        out.push_str(&format!(
            "file {} = {};\n",
            c::quote(file.path.as_bytes()),
            c::quote(file.contents.as_bytes())
        ));
    }
    scenario::meta(&mut out, scenario);
    out
}
