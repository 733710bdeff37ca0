//! The value of an `#if`/`#elif` condition (C11 6.10.1): `defined` is applied first, then
//! macros expand, then names left over are 0 and the integer constant expression is
//! evaluated with C's operators and precedence.

use super::expand::{expand, Macros};
use super::tokens::{Kind, Token};

/// The value of the condition spelled by `tokens`.
///
/// # Errors
/// A description of what is wrong with the expression.
pub(super) fn evaluate(tokens: Vec<Token>, macros: &Macros) -> Result<i64, String> {
    let tokens = apply_defined(tokens, macros)?;
    let tokens = expand(tokens, macros).map_err(|e| e.reason)?;
    let mut parser = Parser { tokens, at: 0 };
    let value = parser.conditional()?;
    match parser.tokens.get(parser.at) {
        None => Ok(value),
        Some(extra) => Err(format!("unexpected `{}`", extra.text)),
    }
}

/// Replaces `defined NAME` and `defined ( NAME )` with `1` or `0`.
fn apply_defined(tokens: Vec<Token>, macros: &Macros) -> Result<Vec<Token>, String> {
    let mut out = Vec::new();
    let mut rest = tokens.into_iter().peekable();
    while let Some(token) = rest.next() {
        if !(token.kind == Kind::Ident && &*token.text == "defined") {
            out.push(token);
            continue;
        }
        let parenthesised = rest.next_if(|t| t.is("(")).is_some();
        let name = rest
            .next()
            .filter(|t| t.kind == Kind::Ident)
            .ok_or("`defined` needs a macro name")?;
        if parenthesised && rest.next().is_none_or(|t| !t.is(")")) {
            return Err("`defined(` needs its `)`".to_string());
        }
        let value = if macros.contains_key(&*name.text) {
            "1"
        } else {
            "0"
        };
        out.push(Token {
            kind: Kind::Number,
            text: value.into(),
            ..token
        });
    }
    Ok(out)
}

/// A precedence-climbing evaluator over the expanded tokens.
struct Parser {
    tokens: Vec<Token>,
    at: usize,
}

/// The binary operators by precedence level, loosest first.
const LEVELS: &[&[&str]] = &[
    &["||"],
    &["&&"],
    &["|"],
    &["^"],
    &["&"],
    &["==", "!="],
    &["<", ">", "<=", ">="],
    &["<<", ">>"],
    &["+", "-"],
    &["*", "/", "%"],
];

impl Parser {
    fn eat(&mut self, text: &str) -> bool {
        let found = self.tokens.get(self.at).is_some_and(|t| t.is(text));
        self.at += usize::from(found);
        found
    }

    fn conditional(&mut self) -> Result<i64, String> {
        let cond = self.binary(0)?;
        if !self.eat("?") {
            return Ok(cond);
        }
        let then = self.conditional()?;
        if !self.eat(":") {
            return Err("`?` without `:`".to_string());
        }
        let otherwise = self.conditional()?;
        Ok(if cond != 0 { then } else { otherwise })
    }

    fn binary(&mut self, level: usize) -> Result<i64, String> {
        let Some(ops) = LEVELS.get(level) else {
            return self.unary();
        };
        let mut left = self.binary(level + 1)?;
        while let Some(op) = ops.iter().find(|op| self.eat(op)) {
            let right = self.binary(level + 1)?;
            left = apply(op, left, right)?;
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<i64, String> {
        for op in ["-", "+", "!", "~"] {
            if self.eat(op) {
                let value = self.unary()?;
                return Ok(match op {
                    "-" => value.wrapping_neg(),
                    "+" => value,
                    "!" => i64::from(value == 0),
                    _ => !value,
                });
            }
        }
        if self.eat("(") {
            let value = self.conditional()?;
            return if self.eat(")") {
                Ok(value)
            } else {
                Err("missing `)`".to_string())
            };
        }
        let Some(token) = self.tokens.get(self.at) else {
            return Err("the expression ends early".to_string());
        };
        self.at += 1;
        match token.kind {
            // Names that are not macros are 0 (C11 6.10.1p4).
            Kind::Ident => Ok(0),
            Kind::Number => number(&token.text),
            Kind::Literal if token.text.starts_with('\'') => character(&token.text),
            _ => Err(format!("unexpected `{}`", token.text)),
        }
    }
}

/// `left op right` for a binary operator of [`LEVELS`].
fn apply(op: &str, left: i64, right: i64) -> Result<i64, String> {
    Ok(match op {
        "||" => i64::from(left != 0 || right != 0),
        "&&" => i64::from(left != 0 && right != 0),
        "|" => left | right,
        "^" => left ^ right,
        "&" => left & right,
        "==" => i64::from(left == right),
        "!=" => i64::from(left != right),
        "<" => i64::from(left < right),
        ">" => i64::from(left > right),
        "<=" => i64::from(left <= right),
        ">=" => i64::from(left >= right),
        "<<" => left.wrapping_shl(right as u32),
        ">>" => left.wrapping_shr(right as u32),
        "+" => left.wrapping_add(right),
        "-" => left.wrapping_sub(right),
        "*" => left.wrapping_mul(right),
        "/" | "%" if right == 0 => return Err("division by zero".to_string()),
        "/" => left.wrapping_div(right),
        _ => left.wrapping_rem(right),
    })
}

/// The value of an integer constant: decimal, `0x` hex or `0` octal, suffixes ignored.
fn number(text: &str) -> Result<i64, String> {
    let digits = text.trim_end_matches(['u', 'U', 'l', 'L']);
    let (digits, radix) = match digits
        .strip_prefix("0x")
        .or_else(|| digits.strip_prefix("0X"))
    {
        Some(hex) => (hex, 16),
        None if digits.len() > 1 && digits.starts_with('0') => (&digits[1..], 8),
        None => (digits, 10),
    };
    u64::from_str_radix(digits, radix)
        .map(|v| v as i64)
        .map_err(|_| format!("`{text}` is not an integer constant"))
}

/// The value of a simple character constant such as `'a'` or `'\n'`.
fn character(text: &str) -> Result<i64, String> {
    let inner = &text[1..text.len().saturating_sub(1).max(1)];
    let value = match inner.as_bytes() {
        [byte] => *byte,
        [b'\\', b'n'] => b'\n',
        [b'\\', b't'] => b'\t',
        [b'\\', b'0'] => 0,
        [b'\\', other] => *other,
        _ => return Err(format!("cannot evaluate the character constant {text}")),
    };
    Ok(i64::from(value))
}

#[cfg(test)]
mod tests {
    use super::super::tokens::tokenize;
    use super::*;

    fn value(text: &str) -> Result<i64, String> {
        let (tokens, _) = tokenize(text, 0, text.len());
        evaluate(tokens, &Macros::default())
    }

    #[test]
    fn conditions_use_c_precedence() {
        assert_eq!(value("1 + 2 * 3 == 7"), Ok(1));
        assert_eq!(value("UNKNOWN || (4 >> 1) - 2"), Ok(0));
        assert_eq!(value("!defined(X) && 0x10 > 010 ? 5 : 6"), Ok(5));
        assert!(value("1 +").is_err());
    }
}
