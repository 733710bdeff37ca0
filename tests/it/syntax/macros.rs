//! Macros are textual, as in C: the exam traps give C's answers when the program runs, and
//! diagnostics inside an expansion point at the invocation in the source.

use proscenium::run::{run, RunOptions};
use proscenium::scenario::compile;
use proscenium::syntax::ast::Item;
use proscenium::syntax::{parse, SyntaxError};

/// What `main` of `source` prints when it runs (the simulator runs in-process).
fn output(source: &str) -> String {
    let scenario = compile("macros.c", source.to_string(), &[])
        .unwrap_or_else(|d| panic!("does not compile: {d:?}\n{source}"));
    let outcome = run(&scenario, &RunOptions::default()).expect("no schedule is replayed");
    String::from_utf8(outcome.terminal()).expect("text output")
}

/// `source`'s defines followed by `int main() { body return 0; }`.
fn program(defines: &str, body: &str) -> String {
    format!("#include <stdio.h>\n{defines}\nint main() {{\n{body}\n    return 0;\n}}\n")
}

#[test]
fn macro_arguments_are_pasted_not_parenthesised() {
    let defines = "#define SQUARE(x) x * x\n#define D(x) x + x";
    let body = "printf(\"%d %d %d\\n\", SQUARE(1 + 2), 3 * D(2), 100 / SQUARE(2));";
    assert_eq!(output(&program(defines, body)), "5 8 100\n");
}

#[test]
fn macro_arguments_with_side_effects_are_evaluated_each_time_they_appear() {
    let defines = "#define MAX(a, b) ((a) > (b) ? (a) : (b))";
    let body = "int i = 5, j = 3;\n    int m = MAX(i++, j);\n    printf(\"%d %d\\n\", m, i);";
    assert_eq!(output(&program(defines, body)), "6 7\n");
}

#[test]
fn stringizing_and_pasting() {
    let defines = "#define STR(x) #x\n#define XSTR(x) STR(x)\n#define CAT(a, b) a##b\n#define N 10";
    let body = "int xy = 42;\n    printf(\"%s|%s|%s|%d|%d\\n\", STR(a  +  \"b\"), STR(N), XSTR(N), CAT(x, y), CAT(1, 2));";
    assert_eq!(output(&program(defines, body)), "a + \"b\"|N|10|42|12\n");
}

#[test]
fn macros_used_in_other_macros_and_never_inside_themselves() {
    let defines = "#define ONE 1\n#define TWO (ONE + ONE)\n#define TWICE(x) ((x) * TWO)";
    let body =
        "int value = 4;\n#define value value + 1\n    printf(\"%d %d\\n\", TWICE(TWO + 1), value);";
    assert_eq!(output(&program(defines, body)), "6 5\n");
}

#[test]
fn a_function_like_macro_name_without_parentheses_is_not_expanded() {
    let defines = "#define f(x) ((x) * 100)";
    let body = "int f = 7;\n    printf(\"%d %d\\n\", f, f(2));";
    assert_eq!(output(&program(defines, body)), "7 200\n");
}

#[test]
fn conditions_expand_macros_and_evaluate_c_expressions() {
    let defines = "#define BUFFER_SIZE 10\n#define DEBUG";
    let body = "#if BUFFER_SIZE > 5 && defined(DEBUG) && !defined NDEBUG\n    printf(\"big\\n\");\n#elif BUFFER_SIZE > 1\n    printf(\"small\\n\");\n#else\n    printf(\"none\\n\");\n#endif\n#if UNDEFINED_NAME || (BUFFER_SIZE * 2 - 20)\n    printf(\"wrong\\n\");\n#endif";
    assert_eq!(output(&program(defines, body)), "big\n");
}

#[test]
fn statement_macros_and_macros_that_are_only_braces() {
    let defines = "#define SWAP(a, b) do { int t = a; a = b; b = t; } while (0)\n#define BEGIN {\n#define END }";
    let body = "int a = 1, b = 2;\n    if (a < b) BEGIN SWAP(a, b); END else SWAP(a, b);\n    printf(\"%d %d\\n\", a, b);";
    assert_eq!(output(&program(defines, body)), "2 1\n");
}

#[test]
fn undef_and_redefinition_replace_a_macro() {
    let body = "#define N 1\n    int a = N;\n#undef N\n#define N 2\n    int b = N;\n#define N 3\n    printf(\"%d %d %d\\n\", a, b, N);";
    assert_eq!(output(&program("", body)), "1 2 3\n");
}

#[test]
fn variadic_macros_and_literals_stay_untouched() {
    let defines = "#define LOG(fmt, ...) printf(fmt, __VA_ARGS__)\n#define N 9";
    let body = "LOG(\"%d %s %c\\n\", N, \"N\", 'N');";
    assert_eq!(output(&program(defines, body)), "9 N N\n");
}

#[test]
fn spans_of_expanded_code_point_into_the_source() {
    let text = "#define SQUARE(x) x * x\nint main() { return SQUARE(1 + 2); }\n";
    let scenario = parse(text).unwrap();
    let Some(Item::Function(main)) = scenario.items.last() else {
        panic!("main is last")
    };
    let proscenium::syntax::ast::Stmt::Return(Some(value), span) = &main.body.stmts[0] else {
        panic!("a return")
    };
    let at = |s: proscenium::syntax::span::Span| &text[s.start as usize..s.end as usize];
    assert_eq!(at(*span), "return SQUARE(1 + 2);");
    // `1 + 2 * 1 + 2` runs from the first argument token to the last one.
    assert_eq!(at(value.span), "1 + 2");
    let Item::Define(define) = &scenario.items[0] else {
        panic!("the define comes first")
    };
    assert_eq!(at(define.span), "#define SQUARE(x) x * x");
}

#[test]
fn an_error_inside_an_expansion_points_at_the_invocation() {
    let text = "#define BAD(x) (x +)\nint main() {\n    int v = BAD(1);\n    return v;\n}\n";
    let errors = parse(text).unwrap_err();
    let SyntaxError::Unexpected { span, .. } = &errors[0] else {
        panic!("unexpected error kind: {errors:?}")
    };
    assert_eq!(
        errors[0].to_string(),
        "expected an expression, found `)` in the expansion of `BAD`"
    );
    let invocation = text.find("BAD(1)").unwrap();
    assert!(
        span.offset() >= invocation && span.offset() + span.len() <= invocation + 6,
        "{span:?} is not inside `BAD(1)`"
    );
}

#[test]
fn wrong_argument_counts_and_unterminated_invocations_are_errors() {
    for (text, reason) in [
        (
            "#define M(a, b) a\nint x = M(1);\n",
            "macro `M` takes 2 arguments, given 1",
        ),
        (
            "#define M(a) a\nint x = M(1;\n",
            "unterminated invocation of macro `M`: missing `)`",
        ),
    ] {
        let errors = parse(text).unwrap_err();
        assert_eq!(errors[0].to_string(), reason, "{text}");
    }
}

/// The spans written in the `Debug` text of a parsed scenario.
fn spans(debug: &str) -> Vec<(usize, usize)> {
    debug
        .split("Span { start: ")
        .skip(1)
        .map(|rest| {
            let (start, rest) = rest.split_once(", end: ").expect("span fields");
            let end = &rest[..rest.find(' ').expect("span closes")];
            (start.parse().expect("start"), end.parse().expect("end"))
        })
        .collect()
}

/// The byte range an error points at.
fn error_span(error: &SyntaxError) -> (usize, usize) {
    let span = match error {
        SyntaxError::Unexpected { span, .. }
        | SyntaxError::TooDeep { span, .. }
        | SyntaxError::Literal { span, .. }
        | SyntaxError::Directive { span, .. }
        | SyntaxError::UnknownProperty { span, .. }
        | SyntaxError::FloatingPoint { span } => span,
    };
    (span.offset(), span.offset() + span.len())
}

proptest::proptest! {
    /// Whatever the macros expand to, every span of the tree lies inside the source and the
    /// parser does not panic.
    #[test]
    fn spans_of_expanded_programs_stay_inside_the_source(tokens in proptest::collection::vec(
        proptest::sample::select(vec![
            "A", "F(", "G(", "P(", "S(", "x", "1", "(", ")", ",", "+", "*", ";", "{", "}", "\"s\"",
            "##", "#", "\n", "int", "return",
        ]),
        0..40,
    )) {
        let defines = "#define A (x + 1)\n#define F(a) a * a\n#define G(a, b) F(a) + b\n#define P(a, b) a ## b\n#define S(a) #a\n";
        let text = format!("{defines}int main() {{ int x = 1; return {}; }}\n", tokens.join(" "));
        let found = match parse(&text) {
            Ok(scenario) => spans(&format!("{scenario:?}")),
            Err(errors) => errors.iter().map(error_span).collect(),
        };
        for (start, end) in found {
            proptest::prop_assert!(start <= end && end <= text.len(), "{start}..{end} in {text:?}");
        }
    }
}
