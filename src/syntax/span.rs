//! Byte spans into scenario source, `Copy` and independent of the parser.

use serde::Serialize;

/// A half-open byte range `start..end` into the source text of one file.
///
/// Spans are our own type so that no `pest::Span<'_>` (which borrows the source) outlives
/// the parser; they are converted to miette spans in exactly one place, [`Span::to_miette`],
/// which clamps at the end of the file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Span {
    /// First byte, inclusive.
    pub start: u32,
    /// Last byte, exclusive.
    pub end: u32,
}

impl Span {
    /// The span `start..end` (bytes).
    pub fn new(start: usize, end: usize) -> Span {
        Span {
            start: start as u32,
            end: end.max(start) as u32,
        }
    }

    /// The smallest span covering both `self` and `other`.
    pub fn to(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    /// Length in bytes.
    pub fn len(self) -> usize {
        (self.end - self.start) as usize
    }

    /// Whether the span covers no byte.
    pub fn is_empty(self) -> bool {
        self.start == self.end
    }

    /// The miette span for a source of `source_len` bytes, clamped so it never points past
    /// the end of the file.
    pub fn to_miette(self, source_len: usize) -> miette::SourceSpan {
        let start = (self.start as usize).min(source_len);
        let end = (self.end as usize).min(source_len).max(start);
        (start, end - start).into()
    }
}
