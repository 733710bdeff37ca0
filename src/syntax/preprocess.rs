//! The preprocessor lines: `#include` (ignored), `#define`/`#undef` (collected for the
//! parser) and `#if 0`/`#if 1`/`#ifdef`/`#ifndef`/`#else`/`#endif`, whose excluded lines are
//! blanked with spaces so every span still points into the original text.

use rustc_hash::FxHashSet;

use super::span::Span;
use super::SyntaxError;

/// The source with every directive line and excluded line blanked, and the `#define`s.
#[derive(Debug)]
pub(super) struct Preprocessed {
    /// Same length and line structure as the source.
    pub text: String,
    /// The `#define`s in included regions, in source order.
    pub defines: Vec<RawDefine>,
}

/// One `#define` line as written, before its body is parsed.
#[derive(Debug)]
pub(super) struct RawDefine {
    /// The macro name and its span.
    pub name: (String, Span),
    /// The parameters of a function-like macro.
    pub params: Option<Vec<(String, Span)>>,
    /// Where the replacement text starts (its text keeps the file's offsets).
    pub body: Span,
    /// The replacement text, line continuations turned into spaces.
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

/// Blanks directives and excluded lines and collects `#define`s.
///
/// # Errors
/// [`SyntaxError::Directive`] for an unbalanced `#else`/`#endif`, a missing `#endif`, or an
/// `#if` condition other than a number or `defined(NAME)`.
pub(super) fn run(source: &str) -> Result<Preprocessed, SyntaxError> {
    let mut state = State {
        source,
        out: source.as_bytes().to_vec(),
        defines: Vec::new(),
        defined: FxHashSet::default(),
        stack: Vec::new(),
    };
    let mut start = 0;
    while start < source.len() {
        let end = logical_line_end(source, start);
        state.line(start, end)?;
        start = end + 1;
    }
    if let Some(open) = state.stack.last() {
        return Err(state.error("`#if` without `#endif`", open.span));
    }
    let text = String::from_utf8(state.out).expect("blanking keeps UTF-8 valid");
    Ok(Preprocessed {
        text,
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
    out: Vec<u8>,
    defines: Vec<RawDefine>,
    defined: FxHashSet<String>,
    stack: Vec<Conditional>,
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

    fn blank(&mut self, start: usize, end: usize) {
        for byte in &mut self.out[start..end] {
            if *byte != b'\n' {
                *byte = b' ';
            }
        }
    }

    /// Handles the logical line `start..end`.
    fn line(&mut self, start: usize, end: usize) -> Result<(), SyntaxError> {
        let text = &self.source[start..end];
        let indent = text.len() - text.trim_start_matches([' ', '\t', '\u{FEFF}']).len();
        if !text[indent..].starts_with('#') {
            if !self.active() {
                self.blank(start, end);
            }
            return Ok(());
        }
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
        self.blank(start, end);
        Ok(())
    }

    /// Acts on one directive `word` whose arguments start at `args`.
    fn directive(&mut self, word: &str, args: usize, span: Span) -> Result<(), SyntaxError> {
        let arg_text = self.source[args..span.end as usize].trim();
        let active = self.active();
        match word {
            "define" if active => self.define(args, span)?,
            "undef" if active => {
                self.defined.remove(first_word(arg_text));
            }
            "if" => {
                let taking = active && self.condition(arg_text, span)?;
                self.push(active, taking, span);
            }
            "ifdef" | "ifndef" => {
                let defined = self.defined.contains(first_word(arg_text));
                self.push(active, defined == (word == "ifdef"), span);
            }
            "elif" => {
                let outer = self.stack.last().is_some_and(|c| c.outer);
                let value = outer && self.condition(arg_text, span)?;
                let open = self.open(span, "`#elif` without `#if`")?;
                open.taking = !open.taken && value;
                open.taken |= open.taking;
            }
            "else" => {
                let open = self.open(span, "`#else` without `#if`")?;
                open.taking = !open.taken;
                open.taken = true;
            }
            "endif" if self.stack.pop().is_none() => {
                return Err(self.error("`#endif` without `#if`", span));
            }
            _ => {}
        }
        Ok(())
    }

    fn push(&mut self, outer: bool, taking: bool, span: Span) {
        self.stack.push(Conditional {
            outer,
            taking,
            taken: taking,
            span,
        });
    }

    fn open(&mut self, span: Span, reason: &str) -> Result<&mut Conditional, SyntaxError> {
        if self.stack.is_empty() {
            return Err(self.error(reason, span));
        }
        Ok(self.stack.last_mut().expect("checked non-empty"))
    }

    /// The value of an `#if` condition: a number, `defined(NAME)`, `defined NAME`, or `!` of one.
    fn condition(&self, text: &str, span: Span) -> Result<bool, SyntaxError> {
        let text = text.split("//").next().unwrap_or("").trim();
        if let Some(rest) = text.strip_prefix('!') {
            return self.condition(rest, span).map(|v| !v);
        }
        if let Some(rest) = text.strip_prefix("defined") {
            let name = rest
                .trim()
                .trim_start_matches('(')
                .trim_end_matches(')')
                .trim();
            return Ok(self.defined.contains(name));
        }
        if let Ok(value) = text.parse::<i64>() {
            return Ok(value != 0);
        }
        let reason =
            format!("cannot evaluate `#if {text}`: only numbers and `defined(NAME)` are supported");
        Err(self.error(&reason, span))
    }

    /// Records `#define NAME body` or `#define NAME(a, b) body`.
    fn define(&mut self, args: usize, span: Span) -> Result<(), SyntaxError> {
        let end = span.end as usize;
        let text = &self.source[args..end];
        let name_start = args + (text.len() - text.trim_start().len());
        let name_len = self.source[name_start..end]
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
            .count();
        if name_len == 0 {
            return Err(self.error("`#define` needs a name", span));
        }
        let name = self.source[name_start..name_start + name_len].to_string();
        let name_span = Span::new(name_start, name_start + name_len);
        let mut body_start = name_start + name_len;
        let params = if self.source[body_start..end].starts_with('(') {
            let (params, after) = self.params(body_start + 1, span)?;
            body_start = after;
            Some(params)
        } else {
            None
        };
        let body_text = self.source[body_start..end].replace("\\\n", "  ");
        self.defined.insert(name.clone());
        self.defines.push(RawDefine {
            name: (name, name_span),
            params,
            body: Span::new(body_start, end),
            body_text,
            span,
        });
        Ok(())
    }

    /// The parameter names of a function-like macro after its `(`, and where the body starts.
    fn params(
        &self,
        start: usize,
        span: Span,
    ) -> Result<(Vec<(String, Span)>, usize), SyntaxError> {
        let end = span.end as usize;
        let Some(close) = self.source[start..end].find(')') else {
            return Err(self.error("`#define NAME(` without `)`", span));
        };
        let mut params = Vec::new();
        let mut at = start;
        for part in self.source[start..start + close].split(',') {
            let trimmed = part.trim();
            let offset = at + (part.len() - part.trim_start().len());
            at += part.len() + 1;
            if trimmed.is_empty() {
                continue;
            }
            if !trimmed
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_')
            {
                let reason = format!("`{trimmed}` is not a macro parameter name");
                return Err(self.error(&reason, span));
            }
            params.push((
                trimmed.to_string(),
                Span::new(offset, offset + trimmed.len()),
            ));
        }
        Ok((params, start + close + 1))
    }
}

/// The first word of a directive's arguments (`#ifdef NAME // comment`).
fn first_word(text: &str) -> &str {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .next()
        .unwrap_or("")
}
