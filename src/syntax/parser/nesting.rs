//! A cheap scan run before pest: brackets nested deeper than [`MAX_NESTING`], or more
//! operators in one statement than the expression parser may recurse through, are a
//! [`SyntaxError::TooDeep`] instead of a stack overflow.

use super::MAX_NESTING;
use crate::syntax::span::Span;
use crate::syntax::SyntaxError;

/// Checks bracket depth and operator runs, skipping comments and literals.
///
/// # Errors
/// [`SyntaxError::TooDeep`] at the first bracket or operator past the limit.
pub(super) fn check(source: &str) -> Result<(), SyntaxError> {
    let bytes = source.as_bytes();
    let mut open: Vec<u8> = Vec::new();
    let mut operators = 0usize;
    let mut at = 0;
    while at < bytes.len() {
        let byte = bytes[at];
        match byte {
            b'/' if bytes.get(at + 1) == Some(&b'*') => {
                at = find(source, at + 2, "*/").map_or(bytes.len(), |end| end + 2);
                continue;
            }
            b'/' if bytes.get(at + 1) == Some(&b'/') => {
                at = find(source, at, "\n").unwrap_or(bytes.len());
                continue;
            }
            b'"' | b'\'' => {
                at = skip_literal(bytes, at);
                continue;
            }
            b'(' | b'[' | b'{' => {
                open.push(byte);
                if open.len() > MAX_NESTING {
                    return Err(too_deep(at, source.len()));
                }
            }
            b')' | b']' | b'}' => {
                open.pop();
            }
            _ => {}
        }
        let statement_end =
            matches!(byte, b';' | b'{' | b'}') || (byte == b',' && open.last() == Some(&b'{'));
        if statement_end {
            operators = 0;
        } else if b"+-*/%<>=!&|^~?:".contains(&byte) {
            operators += 1;
            if operators > MAX_NESTING {
                return Err(too_deep(at, source.len()));
            }
        }
        at += 1;
    }
    Ok(())
}

/// The index just past a string or character literal starting at `start` (or the line end
/// when it is unterminated).
fn skip_literal(bytes: &[u8], start: usize) -> usize {
    let quote = bytes[start];
    let mut at = start + 1;
    while at < bytes.len() && bytes[at] != b'\n' {
        match bytes[at] {
            b'\\' => at += 2,
            b if b == quote => return at + 1,
            _ => at += 1,
        }
    }
    at.min(bytes.len())
}

fn find(source: &str, from: usize, needle: &str) -> Option<usize> {
    source.get(from..)?.find(needle).map(|i| from + i)
}

fn too_deep(at: usize, len: usize) -> SyntaxError {
    SyntaxError::TooDeep {
        limit: MAX_NESTING,
        span: Span::new(at, at + 1).to_miette(len),
    }
}
