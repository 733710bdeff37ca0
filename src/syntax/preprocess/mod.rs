//! The preprocessor (C11 6.10): `#include` (the built-in headers that define macros or
//! functions are read, every other header is known already), `#define`/`#undef`, `#error`,
//! the conditionals `#if`/`#ifdef`/`#ifndef`/`#elif`/`#else`/`#endif`, `__LINE__`, and
//! textual macro expansion of the lines in between, giving the text the parser reads and a
//! [`SpanMap`] back to the source.

mod condition;
mod directives;
mod expand;
mod headers;
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
    run_with(source, Macros::default()).map(|(preprocessed, _)| preprocessed)
}

/// [`run`] with `macros` defined before the first line; also gives the macros defined
/// after the last one (what an included header adds).
fn run_with(source: &str, macros: Macros) -> Result<(Preprocessed, Macros), SyntaxError> {
    let mut state = State {
        source,
        out: Output::default(),
        defines: Vec::new(),
        macros,
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
    let preprocessed = Preprocessed {
        text,
        map,
        defines: state.defines,
    };
    Ok((preprocessed, state.macros))
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
            if token.kind == tokens::Kind::Ident && &*token.text == "__LINE__" {
                // C11 6.10.8.1: the line of the source line, or of the invocation it is in.
                let at = token.origin.start as usize;
                let line = 1 + self.source.as_bytes()[..at]
                    .iter()
                    .filter(|&&b| b == b'\n')
                    .count();
                self.out.copy(self.source, token.gap);
                self.out.produce(&format!(" {line}"), token.origin, None);
                continue;
            }
            if !token.expanded {
                self.out.copy(self.source, token.gap);
                self.out.copy(self.source, token.origin);
                continue;
            }
            let before = Span::new(token.origin.start as usize, token.origin.start as usize);
            let made_by = token.made_by.as_deref();
            self.out.produce(" ", before, made_by);
            if token.verbatim {
                self.out.copy(self.source, token.origin);
            } else {
                self.out.produce(&token.text, token.origin, made_by);
            }
        }
        self.out.copy(self.source, trailing);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The expanded text of `source` with whitespace removed.
    fn expanded(source: &str) -> String {
        let text = run(source).expect("preprocesses").text;
        text.split_whitespace().collect()
    }

    #[test]
    fn the_examples_of_c11_6_10_3_5_expand_as_the_standard_says() {
        let defines = "#define x 3\n#define f(a) f(x * (a))\n#undef x\n#define x 2\n#define g f\n#define z z[0]\n#define h g(~\n#define m(a) a(w)\n#define w 0,1\n#define t(a) a\n#define p() int\n#define q(x) x\n#define r(x,y) x ## y\n#define str(x) # x\n";
        let uses = "f(y+1) + f(f(z)) % t(t(g)(0) + t)(1);\ng(x+(3,4)-w) | h 5) & m\n(f)^m(m);\np() i[q()] = { q(1), r(2,3), r(4,), r(,5), r(,) };\nchar c[2][6] = { str(hello), str() };\n";
        let expected = "f(2 * (y+1)) + f(2 * (f(2 * (z[0])))) % f(2 * (0)) + t(1);\
            f(2 * (2+(3,4)-0,1)) | f(2 * (~ 5)) & f(2 * (0,1))^m(0,1);\
            int i[] = { 1, 23, 4, 5, };\
            char c[2][6] = { \"hello\", \"\" };";
        let expected: String = expected.split_whitespace().collect();
        assert_eq!(expanded(&format!("{defines}{uses}")), expected);
    }

    #[test]
    fn literals_and_unknown_names_are_left_alone() {
        assert_eq!(
            expanded("#define N 5\nchar *s = \"N\"; int n = N + NN + 'N';"),
            "char*s=\"N\";intn=5+NN+'N';"
        );
    }

    #[test]
    fn line_gives_the_line_of_the_invocation() {
        assert_eq!(
            expanded("int a = __LINE__;\n\nint b = __LINE__;"),
            "inta=1;intb=3;"
        );
    }

    #[test]
    fn assert_h_defines_assert_unless_ndebug_was_defined_first() {
        let on = expanded("#include <assert.h>\nassert(x > 0);");
        assert!(on.contains("__assert_fail(\"x>0\""), "{on}");
        let off = expanded("#define NDEBUG\n#include <assert.h>\nassert(x > 0);");
        assert!(off.ends_with("*/((void)0);"), "{off}");
    }

    #[test]
    fn a_builtin_header_included_twice_defines_its_functions_once() {
        let twice = expanded("#include \"csapp.h\"\n#include \"csapp.h\"\n");
        assert_eq!(twice.matches("pid_tFork(void)").count(), 1);
        assert_eq!(expanded("#include \"mine.h\"\nint x;"), "intx;");
    }

    #[test]
    fn excluded_lines_are_blanked_and_keep_their_place() {
        let source = "#if 0\nbad(\n#endif\nint x;\n";
        let out = run(source).expect("preprocesses");
        assert_eq!(out.text.len(), source.len());
        assert_eq!(out.map.span(Span::new(18, 24)), Span::new(18, 24));
    }
}
