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
        #[label("expected {expected}")]
        span: miette::SourceSpan,
    },
    /// `double d = 2.5;`: floating point is outside the C core the simulator runs.
    #[error("floating-point numbers are not supported")]
    #[diagnostic(
        code(scn::syntax::floating_point),
        help("the simulator runs the integer C of process exercises; scale to integers (e.g. milliseconds) instead")
    )]
    FloatingPoint {
        /// The literal or type.
        #[label("floating point")]
        span: miette::SourceSpan,
    },
    /// `expect proceses == 2;`: a word that names no property of an expectation.
    #[error("`{name}` is not something an expectation can state")]
    #[diagnostic(code(scn::syntax::unknown_property))]
    UnknownProperty {
        /// The word.
        name: String,
        /// Where.
        #[label("not a property")]
        span: miette::SourceSpan,
        /// “did you mean `processes`?”, or the list of properties.
        #[help]
        help: String,
    },
    /// Brackets, blocks or expressions nested deeper than [`super::MAX_NESTING`].
    #[error("nesting deeper than {limit} levels")]
    #[diagnostic(
        code(scn::syntax::too_deep),
        help("split the expression or block into smaller parts")
    )]
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
    /// A preprocessing mistake: a `#if`/`#ifdef` without `#endif`, an `#else`/`#endif`
    /// without `#if`, an `#if` condition that is not an integer constant expression, an
    /// active `#error`, or a macro invocation with the wrong number of arguments
    /// (`#define M(a, b) a` then `M(1)`) or without its `)`.
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
    pub fn unexpected(
        expected: impl Into<String>,
        found: impl Into<String>,
        span: Span,
        len: usize,
    ) -> Self {
        SyntaxError::Unexpected {
            expected: expected.into(),
            found: found.into(),
            span: span.to_miette(len),
        }
    }
}

/// What pest reports as expected, turned into words; then what was found instead.
pub(super) mod words {
    use super::super::parser::Rule;

    /// How a grammar rule is named in a message, or `None` for rules too small to name.
    fn describe(rule: Rule) -> Option<&'static str> {
        use Rule::*;
        Some(match rule {
            semi => "`;`",
            expr | assign_expr | number | char_lit | strings | string | unterminated | paren
            | sizeof_type | pre_inc | pre_dec | neg | plus | not | bit_not | deref | addr_of
            | sizeof_op | cast | plain_type => "an expression",
            ident => "a name",
            decl_specs | storage | q_word | int_word | int_spec | void_spec | named_type
            | struct_spec | enum_spec | k_typedef | typedef_decl | func_def | declaration
            | kr_func | k_struct | k_union | k_enum | k_void | type_name => "a type or declaration",
            declarator | pointer | direct_decl | init_declarator => "a declarator",
            compound => "a block `{ … }`",
            if_stmt | while_stmt | do_stmt | for_stmt | switch_stmt | case_stmt | default_stmt
            | break_stmt | continue_stmt | return_stmt | spawn_stmt | empty_stmt | expr_stmt
            | k_if | k_for | k_do | k_switch | k_case | k_default | k_break | k_continue
            | k_return | k_spawn => "a statement",
            expect_stmt | k_expect | config_block | k_config | scenario_block | k_scenario
            | program_block | k_program | file_decl | k_file => {
                "`expect`, `config`, `scenario`, `program` or `file`"
            }
            EOI => "end of file",
            p_processes | p_output | p_output_contains | p_output_line | p_outputs | p_outcomes
            | p_exit | p_signaled | p_zombies | p_orphans | p_deadlock | p_no_deadlock
            | p_children | p_depth | p_tree | p_file | p_var | mode | w_processes | w_output
            | w_outputs | w_outcomes | w_exit | w_signaled | w_zombies | w_orphans | w_deadlock
            | w_no | w_children | w_depth | w_tree => "an expectation such as `processes == 2`",
            w_contains | w_has => "`contains` or `has line`",
            w_line => "`line`",
            cmp | eq_ne => "a comparison such as `==`",
            value => "a number or a constant name",
            proc_ref => "a process name",
            config_entry | config_key => "a setting `key = value;`",
            config_int | config_word => "a value",
            params | param | void_params | ellipsis => "a parameter",
            array_suffix => "`[`",
            param_suffix => "`(`",
            enumerator => "an enumerator",
            field_decl => "a member declaration",
            k_while => "`while`",
            meta_source | meta_question | w_source | w_question => "`source` or `question`",
            _ => return None,
        })
    }

    /// Whether a literal token is one a message names (brackets, `;`, `:`, `=`, `,`).
    pub(in super::super) fn names_token(token: &str) -> bool {
        describe_token(token).is_some()
    }

    /// How a literal token is named, or `None` for operators and other low-value tokens.
    fn describe_token(token: &str) -> Option<&'static str> {
        Some(match token {
            ";" => "`;`",
            ")" => "`)`",
            "]" => "`]`",
            "}" => "`}`",
            "{" => "`{`",
            "(" => "`(`",
            ":" => "`:`",
            "=" => "`=`",
            "," => "`,`",
            _ => return None,
        })
    }

    /// What only the declarative parts expect; when one of them is expected, reading the
    /// text as C is unlikely to be what was meant.
    const SCENARIO_WORDS: &[&str] = &[
        "an expectation such as `processes == 2`",
        "`contains` or `has line`",
        "`line`",
        "a comparison such as `==`",
        "a number or a constant name",
        "a process name",
        "a setting `key = value;`",
        "a value",
        "`source` or `question`",
    ];

    /// "an expression or `)`": what was expected, most useful first.
    pub(in super::super) fn expected(positives: &[Rule], tokens: &[String]) -> String {
        let mut names: Vec<&'static str> = Vec::new();
        let rules = positives.iter().filter_map(|r| describe(*r));
        let literals = tokens.iter().filter_map(|t| describe_token(t));
        for name in literals.chain(rules) {
            if !names.contains(&name) {
                names.push(name);
            }
        }
        if names.contains(&"end of file") {
            return "a declaration, a function, `expect`, `config`, `scenario` or `program`"
                .to_string();
        }
        let closers = ["`,`", "`)`", "`]`", "`}`"];
        if names.iter().any(|n| closers[1..].contains(n)) {
            names.retain(|n| closers.contains(n));
        } else if names.contains(&"`(`")
            && names.iter().all(|n| matches!(*n, "`(`" | "a statement"))
        {
            names.retain(|n| *n == "`(`");
        } else if names.contains(&"`=`") && names.iter().any(|n| SCENARIO_WORDS.contains(n)) {
            names.retain(|n| *n == "`=`");
        }
        if !names_has_closer(&names) {
            names.retain(|n| *n != "`,`");
        }
        if names.contains(&"a statement") {
            names.retain(|n| matches!(*n, "a statement" | "`}`"));
        } else if names.iter().any(|n| SCENARIO_WORDS.contains(n)) {
            names.retain(|n| SCENARIO_WORDS.contains(n));
        } else if names.contains(&"`;`") {
            return "`;` after the statement".to_string();
        }
        if names.contains(&"an expression") {
            names.retain(|n| {
                !matches!(
                    *n,
                    "a name" | "a type or declaration" | "a declarator" | "`(`"
                )
            });
        }
        match names.as_slice() {
            [] => "something else".to_string(),
            [one] => one.to_string(),
            [init @ .., last] => format!("{} or {last}", init.join(", ")),
        }
    }

    /// Whether a closing bracket is among the expected names (a `,` is only worth naming
    /// beside one: "`,` or `)`").
    fn names_has_closer(names: &[&str]) -> bool {
        names.iter().any(|n| matches!(*n, "`)`" | "`]`" | "`}`"))
    }

    /// The token at `at` in `text`, quoted, or "end of file".
    pub(in super::super) fn found(text: &str, at: usize) -> String {
        let rest = text.get(at..).unwrap_or("").trim_start();
        let Some(first) = rest.chars().next() else {
            return "end of file".to_string();
        };
        let len = if first.is_alphanumeric() || first == '_' {
            rest.find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(rest.len())
        } else if first == '"' {
            return "a string".to_string();
        } else {
            let ops = [
                "<<=", ">>=", "...", "->", "++", "--", "<<", ">>", "<=", ">=", "==", "!=", "&&",
                "||", "+=", "-=", "*=", "/=",
            ];
            ops.iter()
                .find(|op| rest.starts_with(**op))
                .map_or(first.len_utf8(), |op| op.len())
        };
        let token: String = rest[..len].chars().take(24).collect();
        format!("`{token}`")
    }
}
