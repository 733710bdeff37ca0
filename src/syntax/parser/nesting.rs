//! A cheap scan run before pest: brackets nested deeper than [`MAX_NESTING`], or more
//! operators and parentheses in one statement than the expression parser may recurse
//! through, are a [`SyntaxError::TooDeep`] instead of a stack overflow; a literal missing its closing quote
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
    scan(source).map_err(|(at, end, unterminated)| {
        let span = Span::new(at, end).to_miette(source.len());
        match unterminated {
            true => SyntaxError::Literal {
                reason: "missing closing quote".to_string(),
                span,
            },
            false => SyntaxError::TooDeep {
                limit: MAX_NESTING,
                span,
            },
        }
    })
}

/// The scan: `Err((start, end, is_unterminated_literal))` at the first problem.
fn scan(source: &str) -> Result<(), (usize, usize, bool)> {
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
                let end = || source[at..].find('\n').map_or(source.len(), |i| at + i);
                at = skip_literal(bytes, at).ok_or_else(|| (at, end(), true))?;
                continue;
            }
            b'(' | b'[' | b'{' => {
                open.push(byte);
                if open.len() > MAX_NESTING {
                    return Err((at, at + 1, false));
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
        } else if b"+-*/%<>=!&|^~?:(".contains(&byte) {
            operators += 1;
            if operators > MAX_NESTING {
                return Err((at, at + 1, false));
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

fn find(source: &str, from: usize, needle: &str) -> Option<usize> {
    source.get(from..)?.find(needle).map(|i| from + i)
}
