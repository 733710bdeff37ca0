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
    } else if after("file").is_some_and(|r| r.starts_with('"')) {
        Rule::file_decl
    } else {
        return None;
    };
    ScnParser::parse(rule, rest).err()?;
    let error = super::detailed_error(rule, rest);
    let error = builder.pest_error(&error, start);
    let vague =
        matches!(&error, SyntaxError::Unexpected { expected, .. } if expected == "something else");
    if rule != Rule::expect_stmt || !vague {
        return Some(error);
    }
    Some(property_error(builder, start))
}

/// The words that start an expectation's property (`expect processes == 2;`).
const PROPERTIES: &[&str] = &[
    "processes",
    "output",
    "outputs",
    "outcomes",
    "exit",
    "signaled",
    "zombies",
    "orphans",
    "deadlock",
    "no",
    "children",
    "depth",
    "tree",
];

/// "expected an expectation" at the first word after `expect` and its mode; an unknown
/// word there gets a suggestion.
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

/// Further mistakes in the body of a broken function: statements are read one by one from
/// the first statement boundary after the error at `error_at` up to `end`, the end of the
/// item. Closing braces and a leading `else` are stepped over, so one mistake is not
/// reported again as a cascade.
pub(super) fn statement_errors(
    builder: &Builder<'_>,
    error_at: usize,
    end: usize,
) -> Vec<SyntaxError> {
    let text = builder.text();
    let mut errors = Vec::new();
    let mut at = next_boundary(text, error_at, end);
    while at < end {
        let rest = &text[at..end];
        let trimmed = rest.trim_start_matches(|c: char| c.is_whitespace() || c == '}');
        let start = at + (rest.len() - trimmed.len());
        let body = trimmed
            .strip_prefix("else")
            .filter(|r| !r.starts_with(|c: char| c.is_alphanumeric() || c == '_'));
        let start = body.map_or(start, |b| end - b.len());
        if start >= end || text[start..end].trim().is_empty() {
            break;
        }
        match ScnParser::parse(Rule::stmt_unit, &text[start..end]) {
            Ok(mut pairs) => at = start + pairs.next().map_or(1, |p| p.as_span().end().max(1)),
            Err(error) => {
                let error_at = start + error_position(&error);
                errors.push(builder.pest_error(
                    &super::detailed_error(Rule::stmt_unit, &text[start..end]),
                    start,
                ));
                at = next_boundary(text, error_at, end);
            }
        }
    }
    errors
}

/// Where a pest error points, relative to its input.
pub(super) fn error_position(error: &pest::error::Error<Rule>) -> usize {
    match error.location {
        pest::error::InputLocation::Pos(at) | pest::error::InputLocation::Span((at, _)) => at,
    }
}

/// The index just after the first `;`, `{` or `}` at or after `from` (outside literals and
/// comments), or `end`.
fn next_boundary(text: &str, from: usize, end: usize) -> usize {
    let bytes = text.as_bytes();
    let mut at = from;
    while at < end {
        match bytes[at] {
            b'"' | b'\'' => {
                at = skip_quoted(bytes, at);
                continue;
            }
            b'/' if bytes.get(at + 1) == Some(&b'/') => {
                at = text[at..].find('\n').map_or(end, |i| at + i);
                continue;
            }
            b';' | b'{' | b'}' => return at + 1,
            _ => at += 1,
        }
    }
    end
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

/// An "expected an expectation" error at an unknown word becomes
/// [`SyntaxError::UnknownProperty`] with the closest property as a suggestion
/// (`expect proceses == 2;` → did you mean `processes`?).
pub(super) fn refine(error: SyntaxError, text: &str) -> SyntaxError {
    let SyntaxError::Unexpected { expected, span, .. } = &error else {
        return error;
    };
    if let Some(float) = floating_point_near(text, span.offset()) {
        return SyntaxError::FloatingPoint {
            span: float.to_miette(text.len()),
        };
    }
    if !expected.starts_with("an expectation") {
        return error;
    }
    let at = span.offset().min(text.len());
    let word: String = text[at..]
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    let is_name = word.starts_with(|c: char| c.is_alphabetic() || c == '_');
    let is_variable = text[at + word.len()..].starts_with('.');
    if !is_name || is_variable || PROPERTIES.contains(&word.as_str()) {
        return error;
    }
    let help =
        crate::syntax::did_you_mean(&word, PROPERTIES.iter().copied()).unwrap_or_else(|| {
            format!(
                "an expectation states one of: {}, or `PROCESS.VARIABLE`",
                PROPERTIES.join(", ")
            )
        });
    SyntaxError::UnknownProperty {
        span: Span::new(at, at + word.len()).to_miette(text.len()),
        name: word,
        help,
    }
}

/// A floating-point literal (`3.14`, `2.5e3`) or type (`double`, `float`) at or just before
/// byte `at`, where a parse error stopped.
fn floating_point_near(text: &str, at: usize) -> Option<Span> {
    let at = at.min(text.len());
    let start = (text[..at].char_indices().rev())
        .find(|&(_, c)| !(c.is_ascii_alphanumeric() || c == '.' || c == '_'))
        .map_or(0, |(i, c)| i + c.len_utf8());
    let end = text[at..]
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '_'))
        .map_or(text.len(), |i| at + i);
    let word = &text[start..end];
    let is_float_literal = word.starts_with(|c: char| c.is_ascii_digit())
        && word.contains('.')
        && word
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | 'f' | 'F'));
    let is_float_type = matches!(word, "double" | "float");
    (is_float_literal || is_float_type).then(|| Span::new(start, end))
}
