//! After a broken top-level item: a sharper error for the declarative parts, and where
//! parsing resumes (past the end of the item, found by balancing braces).

use pest::Parser as _;

use super::builder::Builder;
use super::{Rule, ScnParser};
use crate::syntax::span::Span;
use crate::syntax::SyntaxError;

/// For a broken item that starts like `expect `, `config {`, `scenario "` or `program "`,
/// the error of reading it as that part only (not also as a C declaration).
pub(super) fn declarative_error(builder: &Builder<'_>, at: usize) -> Option<SyntaxError> {
    let text = builder.text();
    let start = at + (text[at..].len() - text[at..].trim_start().len());
    let rest = &text[start..];
    let after = |word: &str| rest.strip_prefix(word).map(str::trim_start);
    let rule = if after("expect").is_some_and(|r| r.len() < rest.len() - 6) {
        Rule::expect_stmt
    } else if after("config").is_some_and(|r| r.starts_with('{')) {
        Rule::config_block
    } else if after("scenario").is_some_and(|r| r.starts_with('"')) {
        Rule::scenario_block
    } else if after("program").is_some_and(|r| r.starts_with('"')) {
        Rule::program_block
    } else {
        return None;
    };
    let error = ScnParser::parse(rule, rest).err()?;
    let error = builder.pest_error(&error, start);
    let vague =
        matches!(&error, SyntaxError::Unexpected { expected, .. } if expected == "something else");
    if rule != Rule::expect_stmt || !vague {
        return Some(error);
    }
    Some(property_error(builder, start))
}

/// "expected an expectation" at the first word after `expect` and its mode.
fn property_error(builder: &Builder<'_>, start: usize) -> SyntaxError {
    let text = builder.text();
    let mut at = start + "expect".len();
    for _ in 0..2 {
        at += text[at..].len() - text[at..].trim_start().len();
        let word = text[at..]
            .split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .next()
            .unwrap_or("");
        if !matches!(word, "may" | "always" | "never") {
            break;
        }
        at += word.len();
    }
    let found = super::super::error::words::found(text, at);
    let len = found.len().saturating_sub(2).max(1);
    let span = Span::new(at, (at + len).min(text.len()));
    builder.unexpected("an expectation such as `processes == 2`", &found, span)
}

/// The index after the broken item starting at or after `from`: after its first `;` at
/// brace depth 0, or after the `}` that closes its first top-level brace.
pub(super) fn skip_item(text: &str, from: usize) -> usize {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut at = from;
    while at < bytes.len() {
        match bytes[at] {
            b'"' | b'\'' => {
                at = skip_quoted(bytes, at);
                continue;
            }
            b'/' if bytes.get(at + 1) == Some(&b'/') => {
                at = text[at..].find('\n').map_or(bytes.len(), |i| at + i);
                continue;
            }
            b'/' if bytes.get(at + 1) == Some(&b'*') => {
                at = text[at + 2..]
                    .find("*/")
                    .map_or(bytes.len(), |i| at + i + 4);
                continue;
            }
            b'{' => depth += 1,
            b'}' if depth <= 1 => return at + 1,
            b'}' => depth -= 1,
            b';' if depth == 0 => return at + 1,
            _ => {}
        }
        at += 1;
    }
    bytes.len().max(from + 1)
}

/// The index after a quoted literal starting at `start`, or the end of its line.
fn skip_quoted(bytes: &[u8], start: usize) -> usize {
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
