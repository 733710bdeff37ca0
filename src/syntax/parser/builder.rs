//! The state shared while pest pairs are turned into AST nodes: where the current pest
//! input starts in the file, the next expression id, the typedef names seen so far and the
//! nesting depth.

use std::cell::{Cell, RefCell};

use rustc_hash::FxHashSet;

use super::{Pair, MAX_NESTING};
use crate::calls::BUILTIN_TYPEDEFS;
use crate::syntax::ast::{Expr, ExprId, ExprKind, Ident};
use crate::syntax::span::Span;
use crate::syntax::SyntaxError;

/// Builds AST nodes from pest pairs of one file.
pub(super) struct Builder<'s> {
    /// The preprocessed text of the whole file (directives blanked).
    text: &'s str,
    /// Byte offset in `text` where the pest input of the pairs being built starts.
    base: Cell<usize>,
    /// The id of the next expression.
    next_id: Cell<u32>,
    /// Typedef names declared so far (the built-in ones are always known).
    typedefs: RefCell<FxHashSet<String>>,
    /// Current nesting of recursive building calls.
    depth: Cell<usize>,
}

impl<'s> Builder<'s> {
    /// A builder for the preprocessed file `text`.
    pub(super) fn new(text: &'s str) -> Builder<'s> {
        Builder {
            text,
            base: Cell::new(0),
            next_id: Cell::new(0),
            typedefs: RefCell::new(FxHashSet::default()),
            depth: Cell::new(0),
        }
    }

    /// The preprocessed text of the file.
    pub(super) fn text(&self) -> &'s str {
        self.text
    }

    /// Sets where the pest input of the next pairs starts in the file.
    pub(super) fn set_base(&self, base: usize) {
        self.base.set(base);
    }

    /// Where the current pest input starts in the file.
    pub(super) fn base(&self) -> usize {
        self.base.get()
    }

    /// The file span of a pair.
    pub(super) fn span(&self, pair: &Pair<'_>) -> Span {
        let span = pair.as_span();
        let base = self.base.get();
        Span::new(base + span.start(), base + span.end())
    }

    /// The identifier a pair spells.
    pub(super) fn ident(&self, pair: &Pair<'_>) -> Ident {
        Ident {
            name: pair.as_str().to_string(),
            span: self.span(pair),
        }
    }

    /// A new expression with the next id.
    pub(super) fn expr(&self, kind: ExprKind, span: Span) -> Expr {
        let id = self.next_id.get();
        self.next_id.set(id + 1);
        Expr {
            kind,
            span,
            id: ExprId(id),
        }
    }

    /// Whether `name` is a typedef name here (built in, or declared earlier in the file).
    pub(super) fn is_typedef(&self, name: &str) -> bool {
        BUILTIN_TYPEDEFS.iter().any(|(n, _)| *n == name) || self.typedefs.borrow().contains(name)
    }

    /// Records a `typedef` name so later declarations using it parse as declarations.
    pub(super) fn declare_typedef(&self, name: &str) {
        self.typedefs.borrow_mut().insert(name.to_string());
    }

    /// A [`SyntaxError::Unexpected`] at `span`.
    pub(super) fn unexpected(&self, expected: &str, found: &str, span: Span) -> SyntaxError {
        SyntaxError::unexpected(expected, found, span, self.text.len())
    }

    /// A [`SyntaxError::Literal`] at `span`.
    pub(super) fn literal_error(&self, reason: impl Into<String>, span: Span) -> SyntaxError {
        SyntaxError::Literal {
            reason: reason.into(),
            span: span.to_miette(self.text.len()),
        }
    }

    /// Runs `build` one nesting level deeper, failing with [`SyntaxError::TooDeep`] past
    /// [`MAX_NESTING`] so deeply nested input never exhausts the stack.
    pub(super) fn nested<T>(
        &self,
        span: Span,
        build: impl FnOnce() -> Result<T, SyntaxError>,
    ) -> Result<T, SyntaxError> {
        let depth = self.depth.get();
        if depth >= MAX_NESTING {
            return Err(SyntaxError::TooDeep {
                limit: MAX_NESTING,
                span: span.to_miette(self.text.len()),
            });
        }
        self.depth.set(depth + 1);
        let result = build();
        self.depth.set(depth);
        result
    }

    /// Runs `build` with the pest input starting at `base`, restoring the old base after.
    pub(super) fn with_base<T>(&self, base: usize, build: impl FnOnce() -> T) -> T {
        let old = self.base.replace(base);
        let result = build();
        self.base.set(old);
        result
    }
}

impl Builder<'_> {
    /// The [`SyntaxError`] for a pest failure in input that starts at `base` in the file.
    pub(super) fn pest_error(
        &self,
        error: &pest::error::Error<super::Rule>,
        base: usize,
    ) -> SyntaxError {
        self.pest_error_in(error, base, &self.text[base..], "end of file")
    }

    /// [`Builder::pest_error`] for a failure in `view`, the text pest read, which starts at
    /// `base` in the file; reaching its end is described as `end`.
    pub(super) fn pest_error_in(
        &self,
        error: &pest::error::Error<super::Rule>,
        base: usize,
        view: &str,
        end: &str,
    ) -> SyntaxError {
        use crate::syntax::error::words;
        use pest::error::{ErrorVariant, InputLocation};
        let at = base
            + match error.location {
                InputLocation::Pos(at) => at,
                InputLocation::Span((at, _)) => at,
            };
        let positives = match &error.variant {
            ErrorVariant::ParsingError { positives, .. } => positives.clone(),
            ErrorVariant::CustomError { .. } => {
                return SyntaxError::TooDeep {
                    limit: MAX_NESTING,
                    span: Span::new(at, at + 1).to_miette(self.text.len()),
                };
            }
        };
        // With error detail, pest knows the furthest point reached, literal tokens included
        // (`while x` fails at `x`, where only `(` was tried).
        let (at, positives, tokens) = match error.parse_attempts() {
            Some(attempts)
                if base + attempts.max_position >= at
                    && attempts
                        .expected_tokens()
                        .iter()
                        .any(|t| words::names_token(&t.to_string())) =>
            {
                let deepest = attempts
                    .call_stacks()
                    .into_iter()
                    .filter_map(|s| s.deepest.get_rule().copied());
                let mut rules: Vec<super::Rule> = deepest.collect();
                if base + attempts.max_position == at {
                    rules.extend(positives);
                }
                let tokens = attempts
                    .expected_tokens()
                    .iter()
                    .map(ToString::to_string)
                    .collect();
                (base + attempts.max_position, rules, tokens)
            }
            _ => (at, positives, Vec::new()),
        };
        let expected = words::expected(&positives, &tokens);
        let rel = (at - base).min(view.len());
        let found = match words::found(view, rel) {
            found if found == "end of file" => end.to_string(),
            found => found,
        };
        let token_start = at + (view[rel..].len() - view[rel..].trim_start().len());
        let span = if expected.starts_with("`;`") || found == end {
            let before = base + last_token_end(view, 0, rel);
            Span::new(before, before)
        } else {
            let len = found.len().saturating_sub(2).max(1);
            Span::new(token_start, (token_start + len).min(base + view.len()))
        };
        self.unexpected(&expected, &found, span)
    }
}

/// Where the last token before `at` ends, scanning from `from` past comments and literals
/// (so a missing `;` is shown right after the code, not after a trailing comment).
fn last_token_end(text: &str, from: usize, at: usize) -> usize {
    let bytes = text.as_bytes();
    let at = at.min(bytes.len());
    let mut end = from;
    let mut i = from;
    while i < at {
        let rest = &bytes[i..at];
        if rest.starts_with(b"//") {
            i += rest.iter().position(|b| *b == b'\n').unwrap_or(rest.len());
        } else if rest.starts_with(b"/*") {
            i += rest
                .windows(2)
                .skip(2)
                .position(|w| w == b"*/")
                .map_or(rest.len(), |j| j + 4);
        } else if bytes[i] == b'"' || bytes[i] == b'\'' {
            let quote = bytes[i];
            i += 1;
            while i < at && bytes[i] != quote && bytes[i] != b'\n' {
                i += if bytes[i] == b'\\' { 2 } else { 1 };
            }
            i = (i + 1).min(at);
            end = i;
        } else {
            if !bytes[i].is_ascii_whitespace() {
                end = i + 1;
            }
            i += 1;
        }
    }
    end
}
