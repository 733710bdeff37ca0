//! Integer, character and string literals: checked and decoded (C11 6.4.4, 6.4.5).

use super::builder::Builder;
use super::{Pair, Rule};
use crate::syntax::span::Span;
use crate::syntax::SyntaxError;

impl Builder<'_> {
    /// The value of an integer literal: decimal, `0x` hex or `0` octal, with an optional
    /// `u`/`l`/`ul`/`ll` suffix. Values above `i64::MAX` wrap, as `unsigned long` does.
    pub(super) fn parse_number(&self, pair: &Pair<'_>) -> Result<i64, SyntaxError> {
        self.number_value(pair.as_str(), self.span(pair))
    }

    /// The value of the integer literal `text` written at `span`.
    pub(super) fn number_value(&self, text: &str, span: Span) -> Result<i64, SyntaxError> {
        let digits = text.trim_end_matches(['u', 'U', 'l', 'L']);
        let suffix = &text[digits.len()..];
        if !valid_suffix(suffix) {
            return Err(self.literal_error(format!("bad integer suffix `{suffix}`"), span));
        }
        let (radix, body) =
            if let Some(hex) = digits.strip_prefix("0x").or(digits.strip_prefix("0X")) {
                (16, hex)
            } else if digits.len() > 1 && digits.starts_with('0') {
                (8, &digits[1..])
            } else {
                (10, digits)
            };
        if body.is_empty() || !body.chars().all(|c| c.is_digit(radix)) {
            let reason = format!("`{text}` is not a base-{radix} integer");
            return Err(self.literal_error(reason, span));
        }
        match u64::from_str_radix(body, radix) {
            Ok(value) => Ok(value as i64),
            Err(_) => Err(self.literal_error("integer does not fit in 64 bits", span)),
        }
    }

    /// The value of a character constant such as `'a'`, `'\n'` or `'\x41'` (an `int`, with
    /// `char` signed as on Linux x86-64).
    pub(super) fn parse_char(&self, pair: &Pair<'_>) -> Result<i64, SyntaxError> {
        let span = self.span(pair);
        let text = pair.as_str();
        let bytes =
            decode(&text[1..text.len() - 1]).map_err(|reason| self.literal_error(reason, span))?;
        match bytes.as_slice() {
            [byte] => Ok(i64::from(*byte as i8)),
            [] => Err(self.literal_error("empty character constant", span)),
            _ => Err(self.literal_error("character constant holds more than one character", span)),
        }
    }

    /// The bytes of adjacent string literals, concatenated, escapes decoded.
    pub(super) fn parse_strings(&self, pair: Pair<'_>) -> Result<Vec<u8>, SyntaxError> {
        let mut bytes = Vec::new();
        for part in pair.into_inner().filter(|p| p.as_rule() == Rule::string) {
            let text = part.as_str();
            let decoded = decode(&text[1..text.len() - 1]);
            bytes.extend(decoded.map_err(|reason| self.literal_error(reason, self.span(&part)))?);
        }
        Ok(bytes)
    }

    /// The text of adjacent string literals, for names and paths (`program "/bin/ls"`).
    pub(super) fn parse_text(&self, pair: Pair<'_>) -> Result<String, SyntaxError> {
        let span: Span = self.span(&pair);
        let bytes = self.parse_strings(pair)?;
        String::from_utf8(bytes).map_err(|_| self.literal_error("text is not valid UTF-8", span))
    }
}

/// Whether `suffix` is one of C's integer suffixes (`u`, `l`, `ul`, `lu`, `ll`, `ull`, …).
fn valid_suffix(suffix: &str) -> bool {
    let mixed_long = suffix.contains("lL") || suffix.contains("Ll");
    let known = ["", "u", "l", "ul", "lu", "ll", "ull", "llu"];
    !mixed_long && known.contains(&suffix.to_ascii_lowercase().as_str())
}

/// Decodes the escapes of a literal's body (between its quotes).
fn decode(body: &str) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(body.len());
    let bytes = body.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'\\' {
            out.push(bytes[i]);
            i += 1;
            continue;
        }
        let (byte, used) = decode_escape(&bytes[i + 1..])?;
        out.push(byte);
        i += 1 + used;
    }
    Ok(out)
}

/// Decodes one escape after its backslash: the byte and how many bytes it used.
fn decode_escape(rest: &[u8]) -> Result<(u8, usize), String> {
    let Some(&first) = rest.first() else {
        return Err("a backslash ends the literal".to_string());
    };
    let simple = match first {
        b'n' => b'\n',
        b't' => b'\t',
        b'r' => b'\r',
        b'a' => 0x07,
        b'b' => 0x08,
        b'f' => 0x0C,
        b'v' => 0x0B,
        b'e' => 0x1B,
        b'\\' | b'\'' | b'"' | b'?' => first,
        b'0'..=b'7' => return Ok(octal_escape(rest)),
        b'x' => return hex_escape(&rest[1..]),
        _ => {
            return Err(format!(
                "unknown escape `\\{}`",
                char::from(first).escape_default()
            ))
        }
    };
    Ok((simple, 1))
}

/// `\ooo`: up to three octal digits.
fn octal_escape(rest: &[u8]) -> (u8, usize) {
    let digits = rest
        .iter()
        .take(3)
        .take_while(|b| (b'0'..=b'7').contains(b))
        .count();
    let value = rest[..digits]
        .iter()
        .fold(0u32, |v, b| v * 8 + u32::from(b - b'0'));
    (value as u8, digits)
}

/// `\xhh…`: every following hex digit, the value at most 0xff.
fn hex_escape(rest: &[u8]) -> Result<(u8, usize), String> {
    let digits = rest.iter().take_while(|b| b.is_ascii_hexdigit()).count();
    if digits == 0 {
        return Err("`\\x` without hex digits".to_string());
    }
    let text = std::str::from_utf8(&rest[..digits]).expect("hex digits are ASCII");
    match u32::from_str_radix(text, 16) {
        Ok(value) if value <= 0xFF => Ok((value as u8, digits + 1)),
        _ => Err("hex escape out of range for a character".to_string()),
    }
}
