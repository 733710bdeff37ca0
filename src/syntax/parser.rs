//! The pest grammar driven into the AST, with a Pratt parser for C expressions.

use super::ast::Scenario;
use super::SyntaxError;

/// Deepest nesting of blocks, brackets and expressions the parser accepts; deeper input is a
/// [`SyntaxError::TooDeep`] rather than a stack overflow.
pub const MAX_NESTING: usize = 256;

/// Parses a whole `.scn` or `.c` file.
///
/// # Errors
/// Every syntax error found (the parser recovers at statement and item boundaries where it
/// can, so several errors are reported together).
pub fn parse(source: &str) -> Result<Scenario, Vec<SyntaxError>> {
    let _ = source;
    unimplemented!("parser")
}
