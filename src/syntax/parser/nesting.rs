//! A cheap scan run before pest: brackets nested deeper than [`MAX_NESTING`], or more
//! operators in one statement than the expression parser may recurse through, are a
//! [`SyntaxError::TooDeep`] instead of a stack overflow; a literal missing its closing quote
//! is reported here, where it is plain, rather than as the confusion it causes later.

use super::MAX_NESTING;
use crate::syntax::span::Span;
use crate::syntax::SyntaxError;

/// Checks bracket depth and operator runs, skipping comments and literals.
///
/// # Errors
/// [`SyntaxError::TooDeep`] at the first bracket or operator past the limit;
/// [`SyntaxError::Literal`] for a string or character literal not closed on its line.
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
                at = skip_literal(bytes, at).ok_or_else(|| unterminated(at, source))?;
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

/// The index just past a string or character literal starting at `start`, or `None` when
/// the line ends first.
fn skip_literal(bytes: &[u8], start: usize) -> Option<usize> {
    let quote = bytes[start];
    let mut at = start + 1;
    while at < bytes.len() && bytes[at] != b'\n' {
        match bytes[at] {
            b'\\' => at += 2,
            b if b == quote => return Some(at + 1),
            _ => at += 1,
        }
    }
    None
}

fn unterminated(at: usize, source: &str) -> SyntaxError {
    let end = source[at..].find('\n').map_or(source.len(), |i| at + i);
    SyntaxError::Literal {
        reason: "missing closing quote".to_string(),
        span: Span::new(at, end).to_miette(source.len()),
    }
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
