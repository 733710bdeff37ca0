//! The expanded text the parser reads and the map from its byte ranges back to the source,
//! so every span and diagnostic points at what the user wrote.

use std::rc::Rc;

use crate::syntax::span::Span;
use crate::syntax::SyntaxError;

/// One run of expanded text and where it came from.
#[derive(Clone, Debug)]
struct Segment {
    /// Where the run starts in the expanded text.
    out: usize,
    /// Its length in the expanded text.
    len: usize,
    /// The source it stands for.
    source: Span,
    /// Whether the run is the source byte for byte (else it all maps to `source`).
    linear: bool,
    /// The macro whose replacement list made the run, if one did.
    made_by: Option<Rc<str>>,
}

/// Maps byte ranges of the expanded text to byte ranges of the source.
#[derive(Debug, Default)]
pub struct SpanMap {
    segments: Vec<Segment>,
    source_len: usize,
}

/// Builds the expanded text and its [`SpanMap`] together.
#[derive(Debug, Default)]
pub(super) struct Output {
    pub text: String,
    pub map: SpanMap,
}

impl Output {
    /// Appends `source[range]` unchanged.
    pub fn copy(&mut self, source: &str, range: Span) {
        let text = &source[range.start as usize..range.end as usize];
        self.push(text, range, true, None);
    }

    /// Appends `source[range]` with every character but newlines turned into spaces.
    pub fn blank(&mut self, source: &str, range: Span) {
        let text = &source[range.start as usize..range.end as usize];
        let blanked: String = text
            .chars()
            .map(|c| if c == '\n' { '\n' } else { ' ' })
            .collect();
        // Multi-byte characters shrink to one space; only whole runs map linearly.
        let linear = blanked.len() == text.len();
        self.push(&blanked, range, linear, None);
    }

    /// Appends text made by an expansion (by the replacement list of `made_by`, or from an
    /// argument), standing for `origin` as a whole.
    pub fn produce(&mut self, text: &str, origin: Span, made_by: Option<&str>) {
        self.push(text, origin, false, made_by.map(Rc::from));
    }

    fn push(&mut self, text: &str, source: Span, linear: bool, made_by: Option<Rc<str>>) {
        if text.is_empty() {
            return;
        }
        let out = self.text.len();
        self.text.push_str(text);
        if let Some(last) = self.map.segments.last_mut() {
            let follows = last.linear && linear && last.source.end == source.start;
            if follows && last.out + last.len == out {
                last.len += text.len();
                last.source.end = source.end;
                return;
            }
        }
        self.map.segments.push(Segment {
            out,
            len: text.len(),
            source,
            linear,
            made_by,
        });
    }

    /// The finished text and map for a source of `source_len` bytes.
    pub fn finish(mut self, source_len: usize) -> (String, SpanMap) {
        self.map.source_len = source_len;
        (self.text, self.map)
    }
}

impl SpanMap {
    /// The segment holding expanded byte `at`, clamped to the first and last.
    fn segment(&self, at: usize) -> Option<&Segment> {
        let index = self.segments.partition_point(|s| s.out + s.len <= at);
        self.segments.get(index).or_else(|| self.segments.last())
    }

    /// Where expanded byte `at` starts in the source.
    fn start_of(&self, at: usize) -> usize {
        match self.segment(at) {
            Some(s) if s.linear => s.source.start as usize + at.saturating_sub(s.out).min(s.len),
            Some(s) => s.source.start as usize,
            None => at.min(self.source_len),
        }
    }

    /// Where the expanded text up to `at` (exclusive) ends in the source.
    fn end_of(&self, at: usize) -> usize {
        if at == 0 {
            return 0;
        }
        match self.segment(at - 1) {
            Some(s) if s.linear => s.source.start as usize + (at - s.out).min(s.len),
            Some(s) => s.source.end as usize,
            None => at.min(self.source_len),
        }
    }

    /// The source span of the expanded span `span`: a span inside text made by an expansion
    /// covers the whole invocation; an empty span stays empty, just after what precedes it.
    pub fn span(&self, span: Span) -> Span {
        let (start, end) = (span.start as usize, span.end as usize);
        if start == end {
            let at = self.end_of(start);
            return Span::new(at, at);
        }
        let start = self.start_of(start);
        Span::new(start, self.end_of(end).max(start))
    }

    /// `error` with its span moved from the expanded text to the source; what an
    /// [`SyntaxError::Unexpected`] found inside an expansion names the macro.
    pub fn error(&self, error: SyntaxError) -> SyntaxError {
        let len = self.source_len;
        let map = |span: &miette::SourceSpan| {
            let span = Span::new(span.offset(), span.offset() + span.len());
            self.span(span).to_miette(len)
        };
        match error {
            SyntaxError::Unexpected {
                expected,
                found,
                span,
            } => SyntaxError::Unexpected {
                expected,
                found: match self.segment(span.offset()).and_then(|s| s.made_by.as_ref()) {
                    Some(name) => format!("{found} in the expansion of `{name}`"),
                    None => found,
                },
                span: map(&span),
            },
            SyntaxError::FloatingPoint { span } => SyntaxError::FloatingPoint { span: map(&span) },
            SyntaxError::UnknownProperty { name, span, help } => SyntaxError::UnknownProperty {
                name,
                span: map(&span),
                help,
            },
            SyntaxError::TooDeep { limit, span } => SyntaxError::TooDeep {
                limit,
                span: map(&span),
            },
            SyntaxError::Literal { reason, span } => SyntaxError::Literal {
                reason,
                span: map(&span),
            },
            SyntaxError::Directive { reason, span } => SyntaxError::Directive {
                reason,
                span: map(&span),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copied_text_maps_byte_for_byte_and_expansions_as_a_whole() {
        let source = "x = SQ(2);";
        let mut out = Output::default();
        out.copy(source, Span::new(0, 3));
        out.produce(" 2 * 2", Span::new(4, 9), Some("SQ"));
        out.copy(source, Span::new(9, 10));
        let (text, map) = out.finish(source.len());
        assert_eq!(text, "x = 2 * 2;");
        assert_eq!(map.span(Span::new(0, 1)), Span::new(0, 1));
        assert_eq!(map.span(Span::new(4, 9)), Span::new(4, 9));
        assert_eq!(map.span(Span::new(6, 7)), Span::new(4, 9));
        assert_eq!(map.span(Span::new(0, 10)), Span::new(0, 10));
        assert_eq!(map.span(Span::new(9, 9)), Span::new(9, 9));
    }
}
