//! The directive lines: `#define`, `#undef` and the conditionals.

use super::condition::evaluate;
use super::expand::Macro;
use super::headers;
use super::run_with;
use super::tokens::{tokenize, Kind, Token};
use super::{Conditional, RawDefine, State};
use crate::syntax::span::Span;
use crate::syntax::SyntaxError;

impl State<'_> {
    /// Acts on one directive `word` whose arguments start at `args`.
    pub(super) fn directive(
        &mut self,
        word: &str,
        args: usize,
        span: Span,
    ) -> Result<(), SyntaxError> {
        let (tokens, _) = tokenize(self.source, args, span.end as usize);
        let active = self.active();
        let first_name = tokens
            .first()
            .filter(|t| t.kind == Kind::Ident)
            .map(|t| t.text.to_string());
        match word {
            "define" if active => self.define(tokens, span)?,
            "undef" if active => {
                self.macros.remove(first_name.as_deref().unwrap_or(""));
            }
            "if" => {
                let taking = active && self.condition(tokens, span)?;
                self.push(active, taking, span);
            }
            "ifdef" | "ifndef" => {
                let defined = first_name.is_some_and(|n| self.macros.contains_key(&n));
                self.push(active, defined == (word == "ifdef"), span);
            }
            "elif" => {
                let outer = self.stack.last().is_some_and(|c| c.outer);
                let pending = self.stack.last().is_some_and(|c| !c.taken);
                let value = outer && pending && self.condition(tokens, span)?;
                let open = self.open(span, "`#elif` without `#if`")?;
                open.taking = !open.taken && value;
                open.taken |= open.taking;
            }
            "else" => {
                let open = self.open(span, "`#else` without `#if`")?;
                open.taking = !open.taken;
                open.taken = true;
            }
            "include" if active => self.include(&tokens, span)?,
            "error" if active => {
                let message: Vec<&str> = tokens.iter().map(|t| &*t.text).collect();
                return Err(self.error(&format!("#error {}", message.join(" ")), span));
            }
            "endif" if self.stack.pop().is_none() => {
                return Err(self.error("`#endif` without `#if`", span));
            }
            _ => {}
        }
        Ok(())
    }

    /// `#include <name>` or `#include "name"`: a built-in header's lines are preprocessed
    /// here, with the macros defined so far, and stand for the directive in the output;
    /// any other header declares only what is known without it.
    fn include(&mut self, tokens: &[Token], span: Span) -> Result<(), SyntaxError> {
        let spelled = spell(tokens);
        let name = spelled.trim_matches(|c| matches!(c, '<' | '>' | '"' | ' '));
        let Some(header) = headers::find(name) else {
            return Ok(());
        };
        let macros = std::mem::take(&mut self.macros);
        let (preprocessed, macros) = run_with(header, macros).map_err(|error| {
            let reason = format!("in the built-in header `{name}`: {error}");
            self.error(&reason, span)
        })?;
        self.macros = macros;
        self.out.produce(&preprocessed.text, span, Some(name));
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

    /// Whether an `#if`/`#elif` condition holds (is not 0).
    fn condition(&self, tokens: Vec<Token>, span: Span) -> Result<bool, SyntaxError> {
        let text: Vec<&str> = tokens.iter().map(|t| &*t.text).collect();
        evaluate(tokens.clone(), &self.macros)
            .map(|value| value != 0)
            .map_err(|why| {
                let reason = format!("cannot evaluate `#if {}`: {why}", text.join(" "));
                self.error(&reason, span)
            })
    }

    /// Records `#define NAME body` or `#define NAME(a, b) body`; a redefinition replaces.
    fn define(&mut self, tokens: Vec<Token>, span: Span) -> Result<(), SyntaxError> {
        let mut rest = tokens.into_iter().peekable();
        let Some(name) = rest.next().filter(|t| t.kind == Kind::Ident) else {
            return Err(self.error("`#define` needs a name", span));
        };
        // A `(` right after the name, with no space, makes a function-like macro.
        let params = match rest.next_if(|t| t.is("(") && !t.space) {
            Some(_) => Some(self.params(&mut rest, span)?),
            None => None,
        };
        let body: Vec<Token> = rest.collect();
        let body_text = spell(&body);
        self.macros.insert(
            name.text.to_string(),
            Macro {
                params: params
                    .as_ref()
                    .map(|ps| ps.iter().map(|(p, _)| p.clone()).collect()),
                body,
            },
        );
        self.defines.push(RawDefine {
            name: (name.text.to_string(), name.origin),
            params,
            body_text,
            span,
        });
        Ok(())
    }

    /// The parameter names of a function-like macro after its `(`, up to its `)`.
    fn params(
        &self,
        rest: &mut impl Iterator<Item = Token>,
        span: Span,
    ) -> Result<Vec<(String, Span)>, SyntaxError> {
        let mut params = Vec::new();
        loop {
            let Some(token) = rest.next() else {
                return Err(self.error("`#define NAME(` without `)`", span));
            };
            if token.is(")") && params.is_empty() {
                return Ok(params);
            }
            if token.kind != Kind::Ident && !token.is("...") {
                let reason = format!("`{}` is not a macro parameter name", token.text);
                return Err(self.error(&reason, token.origin));
            }
            params.push((token.text.to_string(), token.origin));
            match rest.next() {
                Some(t) if t.is(")") => return Ok(params),
                Some(t) if t.is(",") => {}
                _ => return Err(self.error("expected `,` or `)` after a macro parameter", span)),
            }
        }
    }
}

/// The tokens spelled with one space wherever there was whitespace.
fn spell(tokens: &[Token]) -> String {
    let mut text = String::new();
    for (i, token) in tokens.iter().enumerate() {
        if i > 0 && token.space {
            text.push(' ');
        }
        text.push_str(&token.text);
    }
    text
}
