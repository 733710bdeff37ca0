//! Macro expansion as C11 6.10.3 describes it: arguments are macro-expanded before they are
//! substituted (except next to `#` and `##`), `#` stringizes, `##` pastes, the result is
//! rescanned, and a macro is never expanded inside its own expansion (Prosser's hide sets).

use std::collections::VecDeque;
use std::rc::Rc;

use rustc_hash::FxHashMap;

use super::tokens::{respell, Kind, Token};
use crate::syntax::span::Span;

/// One `#define`d macro.
#[derive(Clone, Debug)]
pub(super) struct Macro {
    /// `Some` for a function-like macro: its parameter names (`...` last if variadic).
    pub params: Option<Vec<String>>,
    /// The replacement list.
    pub body: Vec<Token>,
}

/// The macros defined at some point of the file, by name.
pub(super) type Macros = FxHashMap<String, Macro>;

/// Expansion stops past this many tokens, so a macro that doubles itself at every level
/// cannot exhaust memory.
const MAX_TOKENS: usize = 1 << 20;

/// Why an invocation could not be expanded, and where it is.
#[derive(Debug)]
pub(super) struct ExpandError {
    pub reason: String,
    pub span: Span,
}

/// The tokens with every macro invocation replaced by its expansion.
///
/// # Errors
/// An invocation without its closing `)`, with the wrong number of arguments, or an
/// expansion too large.
pub(super) fn expand(tokens: Vec<Token>, macros: &Macros) -> Result<Vec<Token>, ExpandError> {
    let mut input: VecDeque<Token> = tokens.into();
    let mut out = Vec::new();
    while let Some(token) = input.pop_front() {
        let Some(replaced) = replacement(&token, &mut input, macros)? else {
            out.push(token);
            continue;
        };
        if input.len() + replaced.len() + out.len() > MAX_TOKENS {
            let reason = format!("the expansion of `{}` is too large", token.text);
            return Err(ExpandError {
                reason,
                span: token.origin,
            });
        }
        // The replacement is rescanned together with the rest of the input.
        for replacement in replaced.into_iter().rev() {
            input.push_front(replacement);
        }
    }
    Ok(out)
}

/// The replacement of `token` if it starts a macro invocation, whose arguments are taken
/// from `input`; `None` if it is not one.
fn replacement(
    token: &Token,
    input: &mut VecDeque<Token>,
    macros: &Macros,
) -> Result<Option<Vec<Token>>, ExpandError> {
    let found = (token.kind == Kind::Ident && !token.hide.contains(&token.text))
        .then(|| macros.get(&*token.text))
        .flatten();
    let Some(found) = found else {
        return Ok(None);
    };
    let Some(params) = &found.params else {
        let hide = hide_with(&token.hide, &token.text);
        return substitute(found, token, &[], hide, macros).map(Some);
    };
    // A function-like macro's name without `(` after it is an ordinary name.
    if !input.front().is_some_and(|t| t.is("(")) {
        return Ok(None);
    }
    let (args, close) = arguments(input, token)?;
    let args = match_params(params, args, token)?;
    let hide: Rc<[Rc<str>]> = token
        .hide
        .iter()
        .filter(|h| close.hide.contains(h))
        .cloned()
        .collect();
    let mut name = token.clone();
    name.origin = token.origin.to(close.origin);
    substitute(found, &name, &args, hide_with(&hide, &token.text), macros).map(Some)
}

/// `hide` with `name` added.
fn hide_with(hide: &Rc<[Rc<str>]>, name: &Rc<str>) -> Rc<[Rc<str>]> {
    hide.iter().cloned().chain([name.clone()]).collect()
}

/// Takes the arguments of an invocation whose `(` is next in `input`, split at commas
/// outside parentheses, and the closing `)`.
fn arguments(
    input: &mut VecDeque<Token>,
    name: &Token,
) -> Result<(Vec<Vec<Token>>, Token), ExpandError> {
    input.pop_front();
    let mut args = vec![Vec::new()];
    let mut depth = 0usize;
    while let Some(token) = input.pop_front() {
        if token.is(")") && depth == 0 {
            return Ok((args, token));
        }
        if token.is(",") && depth == 0 {
            args.push(Vec::new());
            continue;
        }
        if token.is("(") {
            depth += 1;
        } else if token.is(")") {
            depth -= 1;
        }
        args.last_mut().expect("one argument at least").push(token);
    }
    Err(ExpandError {
        reason: format!(
            "unterminated invocation of macro `{}`: missing `)`",
            name.text
        ),
        span: name.origin,
    })
}

/// The arguments for `params`: `()` is no argument for a macro without parameters, and
/// the arguments for `...` are joined into one.
fn match_params(
    params: &[String],
    mut args: Vec<Vec<Token>>,
    name: &Token,
) -> Result<Vec<Vec<Token>>, ExpandError> {
    if params.is_empty() && args.len() == 1 && args[0].is_empty() {
        return Ok(Vec::new());
    }
    let variadic = params.last().is_some_and(|p| p == "...");
    if variadic && args.len() >= params.len() {
        let rest = args.split_off(params.len() - 1);
        let mut joined = Vec::new();
        for (i, arg) in rest.into_iter().enumerate() {
            if i > 0 {
                joined.extend(respell(",", &name_comma(name)));
            }
            joined.extend(arg);
        }
        args.push(joined);
    }
    if variadic && args.len() == params.len() - 1 {
        args.push(Vec::new());
    }
    if args.len() != params.len() {
        let reason = format!(
            "macro `{}` takes {} argument{}, given {}",
            name.text,
            params.len(),
            if params.len() == 1 { "" } else { "s" },
            args.len()
        );
        return Err(ExpandError {
            reason,
            span: name.origin,
        });
    }
    Ok(args)
}

/// A template token for the commas rejoining variadic arguments.
fn name_comma(name: &Token) -> Token {
    let mut comma = name.clone();
    comma.space = false;
    comma
}

/// The index of parameter `token` names, if any.
fn param_index(params: &[String], token: &Token) -> Option<usize> {
    let name = if &*token.text == "__VA_ARGS__" {
        "..."
    } else {
        &token.text
    };
    (token.kind == Kind::Ident)
        .then(|| params.iter().position(|p| p == name))
        .flatten()
}

/// The replacement of `found` invoked as `name` (whose origin is the whole invocation) with
/// `args`, every token hidden from the macros in `hide`.
fn substitute(
    found: &Macro,
    name: &Token,
    args: &[Vec<Token>],
    hide: Rc<[Rc<str>]>,
    macros: &Macros,
) -> Result<Vec<Token>, ExpandError> {
    let params = found.params.as_deref().unwrap_or(&[]);
    let body = &found.body;
    let mut out: Vec<Token> = Vec::new();
    // Whether the last operand of a `##` so far was an empty argument (a placemarker).
    let mut placemarker = false;
    let mut i = 0;
    while i < body.len() {
        let token = &body[i];
        let next_param = body.get(i + 1).and_then(|t| param_index(params, t));
        let pasting_next = body.get(i + 1).is_some_and(|t| t.is("##"));
        let stringized =
            next_param.filter(|_| found.params.is_some() && (token.is("#") || token.is("%:")));
        if let Some(p) = stringized {
            out.push(stringize(&args[p], name, token.space));
            placemarker = false;
            i += 2;
        } else if token.is("##") && i + 1 < body.len() {
            let rhs = match next_param {
                Some(p) => args[p].clone(),
                None => vec![body_token(&body[i + 1], name)],
            };
            paste(&mut out, rhs, placemarker, name);
            placemarker = false;
            i += 2;
        } else if let Some(p) = param_index(params, token) {
            let arg = argument(&args[p], token, pasting_next, macros)?;
            placemarker = arg.is_empty();
            out.extend(arg);
            i += 1;
        } else {
            out.push(body_token(token, name));
            placemarker = false;
            i += 1;
        }
    }
    for token in &mut out {
        token.hide = token.hide.iter().chain(hide.iter()).cloned().collect();
    }
    Ok(out)
}

/// What `arg` becomes where `param` is written in a replacement list: the tokens as written
/// next to `##`, else fully macro-expanded first (C11 6.10.3.1).
fn argument(
    arg: &[Token],
    param: &Token,
    pasting: bool,
    macros: &Macros,
) -> Result<Vec<Token>, ExpandError> {
    let arg = if pasting {
        arg.to_vec()
    } else {
        expand(arg.to_vec(), macros)?
    };
    let placed = arg.into_iter().enumerate().map(|(i, token)| Token {
        expanded: true,
        gap: Span::default(),
        space: if i == 0 { param.space } else { token.space },
        ..token
    });
    Ok(placed.collect())
}

/// A token of a replacement list as it appears in the expansion of `name`.
fn body_token(token: &Token, name: &Token) -> Token {
    Token {
        origin: name.origin,
        verbatim: false,
        expanded: true,
        gap: Span::default(),
        made_by: Some(name.text.clone()),
        ..token.clone()
    }
}

/// Pastes the last token of `out` with the first of `rhs` (C11 6.10.3.3).
fn paste(out: &mut Vec<Token>, rhs: Vec<Token>, placemarker: bool, name: &Token) {
    let mut rhs = rhs.into_iter();
    let Some(first) = rhs.next() else { return };
    match out.pop() {
        Some(lhs) if !placemarker => {
            let spelling = format!("{}{}", lhs.text, first.text);
            let mut like = body_token(&lhs, name);
            like.hide = lhs.hide.clone();
            out.extend(respell(&spelling, &like));
        }
        lhs => {
            out.extend(lhs);
            out.push(body_token(&first, name));
        }
    }
    out.extend(rhs.map(|t| Token {
        expanded: true,
        gap: Span::default(),
        ..t
    }));
}

/// The string literal `#arg` makes: the argument's spelling with one space where there
/// was whitespace, `"` and `\` escaped inside literals (C11 6.10.3.2).
fn stringize(arg: &[Token], name: &Token, space: bool) -> Token {
    let mut text = String::from("\"");
    for (i, token) in arg.iter().enumerate() {
        if i > 0 && token.space {
            text.push(' ');
        }
        if token.kind == Kind::Literal {
            text.push_str(&token.text.replace('\\', "\\\\").replace('"', "\\\""));
        } else {
            text.push_str(&token.text);
        }
    }
    text.push('"');
    Token {
        kind: Kind::Literal,
        text: text.into(),
        space,
        ..body_token(name, name)
    }
}
