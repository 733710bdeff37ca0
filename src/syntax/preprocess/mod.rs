//! The preprocessor (C11 6.10): `#include` (ignored), `#define`/`#undef`, `#error`, the
//! conditionals `#if`/`#ifdef`/`#ifndef`/`#elif`/`#else`/`#endif`, and textual macro
//! expansion of the lines in between, giving the text the parser reads and a [`SpanMap`]
//! back to the source.

mod condition;
mod directives;
mod expand;
mod spanmap;
mod tokens;

pub use spanmap::SpanMap;

use expand::{expand, Macros};
use spanmap::Output;
use tokens::tokenize;

use super::span::Span;
use super::SyntaxError;

/// The expanded text the parser reads, its map to the source, and the `#define`s.
#[derive(Debug)]
pub(super) struct Preprocessed {
    /// Directive and excluded lines blanked, macro invocations replaced by their expansion.
    pub text: String,
    /// From byte ranges of `text` to byte ranges of the source.
    pub map: SpanMap,
    /// The `#define`s in included regions, in source order.
    pub defines: Vec<RawDefine>,
}

/// One `#define` line as written.
#[derive(Debug)]
pub(super) struct RawDefine {
    /// The macro name and its span.
    pub name: (String, Span),
    /// The parameters of a function-like macro.
    pub params: Option<Vec<(String, Span)>>,
    /// The replacement list spelled with single spaces, comments dropped.
    pub body_text: String,
    /// The whole directive.
    pub span: Span,
}

/// One open `#if`/`#ifdef`/`#ifndef`.
struct Conditional {
    /// Whether the enclosing region is included.
    outer: bool,
    /// Whether the current branch is included.
    taking: bool,
    /// Whether some branch was already taken (for `#elif`/`#else`).
    taken: bool,
    /// Where the `#if` is.
    span: Span,
}

/// Runs the directives and expands the macros of `source`.
///
/// # Errors
/// [`SyntaxError::Directive`] for an unbalanced `#else`/`#endif`, a missing `#endif`, an
/// `#if` condition that is not an integer constant expression, a malformed `#define`, an
/// included `#error`, or a macro invocation without its `)` or with the wrong number of
/// arguments.
pub(super) fn run(source: &str) -> Result<Preprocessed, SyntaxError> {
    let mut state = State {
        source,
        out: Output::default(),
        defines: Vec::new(),
        macros: Macros::default(),
        stack: Vec::new(),
        pending: None,
    };
    let mut start = 0;
    while start < source.len() {
        let end = logical_line_end(source, start);
        state.line(start, end)?;
        start = end + 1;
    }
    state.flush(source.len())?;
    if let Some(open) = state.stack.last() {
        return Err(state.error("`#if` without `#endif`", open.span));
    }
    let (text, map) = state.out.finish(source.len());
    Ok(Preprocessed {
        text,
        map,
        defines: state.defines,
    })
}

/// The index of the newline ending the logical line at `start` (backslash-newline joins).
fn logical_line_end(source: &str, start: usize) -> usize {
    let bytes = source.as_bytes();
    let mut at = start;
    while at < bytes.len() {
        if bytes[at] == b'\n' && !(at > start && bytes[at - 1] == b'\\') {
            return at;
        }
        at += 1;
    }
    bytes.len()
}

struct State<'s> {
    source: &'s str,
    out: Output,
    defines: Vec<RawDefine>,
    macros: Macros,
    stack: Vec<Conditional>,
    /// Where the run of included code lines not yet expanded starts.
    pending: Option<usize>,
}

impl State<'_> {
    fn active(&self) -> bool {
        self.stack.last().is_none_or(|c| c.outer && c.taking)
    }

    fn error(&self, reason: &str, span: Span) -> SyntaxError {
        SyntaxError::Directive {
            reason: reason.to_string(),
            span: span.to_miette(self.source.len()),
        }
    }

    /// Handles the logical line `start..end` (`end` is its newline or the end of file).
    fn line(&mut self, start: usize, end: usize) -> Result<(), SyntaxError> {
        let with_newline = Span::new(start, (end + 1).min(self.source.len()));
        let text = &self.source[start..end];
        let indent = text.len() - text.trim_start_matches([' ', '\t', '\u{FEFF}']).len();
        if !text[indent..].starts_with('#') {
            if self.active() {
                self.pending.get_or_insert(start);
            } else {
                self.flush(start)?;
                self.out.blank(self.source, with_newline);
            }
            return Ok(());
        }
        self.flush(start)?;
        let after_hash = start + indent + 1;
        let rest = &self.source[after_hash..end];
        let word_start = after_hash + (rest.len() - rest.trim_start_matches([' ', '\t']).len());
        let word_len = self.source[word_start..end]
            .bytes()
            .take_while(u8::is_ascii_alphabetic)
            .count();
        let word = &self.source[word_start..word_start + word_len];
        let span = Span::new(start + indent, end);
        self.directive(word, word_start + word_len, span)?;
        self.out.blank(self.source, with_newline);
        Ok(())
    }

    /// Expands the pending code lines, which end at `end`.
    fn flush(&mut self, end: usize) -> Result<(), SyntaxError> {
        let Some(start) = self.pending.take() else {
            return Ok(());
        };
        let (tokens, trailing) = tokenize(self.source, start, end);
        let expanded = expand(tokens, &self.macros).map_err(|e| self.error(&e.reason, e.span))?;
        for token in expanded {
            if !token.expanded {
                self.out.copy(self.source, token.gap);
                self.out.copy(self.source, token.origin);
                continue;
            }
            let before = Span::new(token.origin.start as usize, token.origin.start as usize);
            self.out.produce(" ", before);
            if token.verbatim {
                self.out.copy(self.source, token.origin);
            } else {
                self.out.produce(&token.text, token.origin);
            }
        }
        self.out.copy(self.source, trailing);
        Ok(())
    }
}
