//! Syntax errors: miette diagnostics with a labelled span and what was expected, in words.

use super::span::Span;

/// A mistake in the text of a scenario, found by the parser.
#[derive(Clone, Debug, PartialEq, thiserror::Error, miette::Diagnostic)]
pub enum SyntaxError {
    /// The parser met something it cannot read, e.g. `int main( { }`.
    #[error("expected {expected}, found {found}")]
    #[diagnostic(code(scn::syntax::unexpected))]
    Unexpected {
        /// What would have been accepted here, in words (“an expression or `;`”).
        expected: String,
        /// What is there instead (“`{`”, “end of file”).
        found: String,
        /// Where.
        #[label("{expected} expected here")]
        span: miette::SourceSpan,
    },
    /// Brackets, blocks or expressions nested deeper than [`super::MAX_NESTING`].
    #[error("nesting deeper than {limit} levels")]
    #[diagnostic(code(scn::syntax::too_deep), help("split the expression or block into smaller parts"))]
    TooDeep {
        /// The limit.
        limit: usize,
        /// Where the limit was crossed.
        #[label("too deep")]
        span: miette::SourceSpan,
    },
    /// A malformed literal: `'ab'`, `0x`, `"\q"`, an integer that overflows 64 bits.
    #[error("invalid literal: {reason}")]
    #[diagnostic(code(scn::syntax::literal))]
    Literal {
        /// Why it is invalid.
        reason: String,
        /// Where.
        #[label("here")]
        span: miette::SourceSpan,
    },
    /// A `#if`/`#ifdef` without `#endif`, or an `#else`/`#endif` without `#if`.
    #[error("{reason}")]
    #[diagnostic(code(scn::syntax::directive))]
    Directive {
        /// What is wrong.
        reason: String,
        /// Where.
        #[label("here")]
        span: miette::SourceSpan,
    },
}

impl SyntaxError {
    /// Convenience: an [`SyntaxError::Unexpected`] at `span` in a source of `len` bytes.
    pub fn unexpected(expected: impl Into<String>, found: impl Into<String>, span: Span, len: usize) -> Self {
        SyntaxError::Unexpected {
            expected: expected.into(),
            found: found.into(),
            span: span.to_miette(len),
        }
    }
}
