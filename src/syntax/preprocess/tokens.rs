//! C preprocessing tokens (C11 6.4): identifiers, pp-numbers, character and string
//! literals, punctuators and single other characters, with whitespace and comments kept
//! as the gaps between them.

use std::rc::Rc;

use crate::syntax::span::Span;

/// What kind of preprocessing token a [`Token`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    /// `count`, `_x1`: may name a macro.
    Ident,
    /// `10`, `0x1F`, `1e+5`: a pp-number.
    Number,
    /// `"text"` or `'c'`: never expanded inside.
    Literal,
    /// `+`, `->`, `##`, `(`.
    Punct,
    /// Any other single character (`@`, a stray `\`).
    Other,
}

/// One preprocessing token and where it came from.
#[derive(Clone, Debug)]
pub(super) struct Token {
    /// The kind.
    pub kind: Kind,
    /// The spelling.
    pub text: Rc<str>,
    /// Where it was written; for text made by an expansion, the whole invocation.
    pub origin: Span,
    /// Whether `text` is exactly the source at `origin` (so it maps byte for byte).
    pub verbatim: bool,
    /// Whether it went through a macro expansion (as replacement or as an argument).
    pub expanded: bool,
    /// The whitespace and comments before it in the source (empty when expanded).
    pub gap: Span,
    /// Whether whitespace came before it (for `#` stringizing).
    pub space: bool,
    /// The macros that must not expand this token again (C's "painted blue" rule).
    pub hide: Rc<[Rc<str>]>,
    /// The macro whose replacement list made this token, if one did.
    pub made_by: Option<Rc<str>>,
}

impl Token {
    /// Whether the token is the punctuator `text`.
    pub fn is(&self, text: &str) -> bool {
        self.kind == Kind::Punct && &*self.text == text
    }
}

/// The punctuators of C11 6.4.6, longest first so the longest match wins.
const PUNCTUATORS: &[&str] = &[
    "%:%:", "...", "<<=", ">>=", "->", "++", "--", "<<", ">>", "<=", ">=", "==", "!=", "&&", "||",
    "*=", "/=", "%=", "+=", "-=", "&=", "^=", "|=", "##", "<:", ":>", "<%", "%>", "%:", "[", "]",
    "(", ")", "{", "}", ".", "&", "*", "+", "-", "~", "!", "/", "%", "<", ">", "^", "|", "?", ":",
    ";", "=", ",", "#",
];

/// The tokens of `source[start..end]`, and the gap after the last one.
pub(super) fn tokenize(source: &str, start: usize, end: usize) -> (Vec<Token>, Span) {
    let bytes = source.as_bytes();
    let mut tokens = Vec::new();
    let mut at = start;
    loop {
        let gap_start = at;
        at = skip_gap(bytes, at, end);
        let gap = Span::new(gap_start, at);
        if at >= end {
            return (tokens, gap);
        }
        let (kind, len) = token_at(&bytes[at..end]);
        tokens.push(Token {
            kind,
            text: source[at..at + len].into(),
            origin: Span::new(at, at + len),
            verbatim: true,
            expanded: false,
            gap,
            space: !gap.is_empty(),
            hide: Rc::from([]),
            made_by: None,
        });
        at += len;
    }
}

/// Where the whitespace, comments and line continuations starting at `at` end.
fn skip_gap(bytes: &[u8], mut at: usize, end: usize) -> usize {
    while at < end {
        let rest = &bytes[at..end];
        at += if rest[0].is_ascii_whitespace() {
            1
        } else if rest.starts_with(b"\\\n") {
            2
        } else if rest.starts_with(b"\\\r\n") {
            3
        } else if rest.starts_with(b"//") {
            rest.iter().position(|b| *b == b'\n').unwrap_or(rest.len())
        } else if rest.starts_with(b"/*") {
            rest.windows(2)
                .skip(2)
                .position(|w| w == b"*/")
                .map_or(rest.len(), |i| i + 4)
        } else if rest.starts_with("\u{FEFF}".as_bytes()) {
            3
        } else {
            return at;
        };
    }
    end
}

/// The kind and byte length of the token at the start of `rest` (never empty).
fn token_at(rest: &[u8]) -> (Kind, usize) {
    let first = rest[0];
    if first.is_ascii_alphabetic() || first == b'_' {
        let len = rest
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
            .count();
        return (Kind::Ident, len);
    }
    if first.is_ascii_digit() || (first == b'.' && rest.get(1).is_some_and(u8::is_ascii_digit)) {
        return (Kind::Number, number_len(rest));
    }
    if first == b'"' || first == b'\'' {
        return (Kind::Literal, literal_len(rest));
    }
    if let Some(p) = PUNCTUATORS.iter().find(|p| rest.starts_with(p.as_bytes())) {
        return (Kind::Punct, p.len());
    }
    // A UTF-8 sequence is as long as its first byte says.
    let len = match first {
        0xF0.. => 4,
        0xE0.. => 3,
        0xC0.. => 2,
        _ => 1,
    };
    (Kind::Other, len.min(rest.len()))
}

/// The length of the pp-number at the start of `rest` (`1e+5`, `0x1Fu`, `3.14`).
fn number_len(rest: &[u8]) -> usize {
    let mut len = 1;
    while len < rest.len() {
        let byte = rest[len];
        let exponent = matches!(rest[len - 1], b'e' | b'E' | b'p' | b'P');
        let signed_exponent = exponent && (byte == b'+' || byte == b'-');
        if !(byte.is_ascii_alphanumeric() || byte == b'_' || byte == b'.' || signed_exponent) {
            break;
        }
        len += 1;
    }
    len
}

/// The length of the literal at the start of `rest`, up to its closing quote or the end of
/// the line (an unterminated literal is left for the parser to report).
fn literal_len(rest: &[u8]) -> usize {
    let quote = rest[0];
    let mut len = 1;
    while len < rest.len() && rest[len] != b'\n' {
        if rest[len] == b'\\' && len + 1 < rest.len() {
            len += 2;
            continue;
        }
        len += 1;
        if rest[len - 1] == quote {
            return len;
        }
    }
    len.min(rest.len())
}

/// The tokens of `text`, a spelling made by `##`, all given `like`'s origin.
pub(super) fn respell(text: &str, like: &Token) -> Vec<Token> {
    let (tokens, _) = tokenize(text, 0, text.len());
    tokens
        .into_iter()
        .enumerate()
        .map(|(i, t)| Token {
            origin: like.origin,
            verbatim: false,
            expanded: true,
            gap: Span::default(),
            space: i == 0 && like.space,
            hide: like.hide.clone(),
            made_by: like.made_by.clone(),
            ..t
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spell(text: &str) -> Vec<String> {
        let (tokens, _) = tokenize(text, 0, text.len());
        tokens.iter().map(|t| t.text.to_string()).collect()
    }

    #[test]
    fn tokens_are_c_preprocessing_tokens() {
        assert_eq!(
            spell("a+++b /* c */ \"x, y\" 1e+5 'q' ->x ## y // z"),
            ["a", "++", "+", "b", "\"x, y\"", "1e+5", "'q'", "->", "x", "##", "y"]
        );
        assert_eq!(spell("x\\\n y"), ["x", "y"]);
    }
}
