//! Semantic errors: each a miette diagnostic with a stable code, a labelled span and help.

use miette::SourceSpan;

/// A mistake found after parsing: an unknown name, a wrong call, a misplaced statement.
///
/// Each variant's doc shows a minimal scenario that triggers it.
#[derive(Clone, Debug, PartialEq, thiserror::Error, miette::Diagnostic)]
pub enum CheckError {
    /// `int main() { return valeu; }`
    #[error("`{name}` is not declared")]
    #[diagnostic(code(scn::check::undefined))]
    Undefined {
        /// The unknown name.
        name: String,
        /// Where it is used.
        #[label("not declared")]
        span: SourceSpan,
        /// “did you mean `value`?”
        #[help]
        help: Option<String>,
    },
    /// `pit_t pid;`
    #[error("unknown type `{name}`")]
    #[diagnostic(code(scn::check::unknown_type))]
    UnknownType {
        /// The unknown type name.
        name: String,
        /// Where.
        #[label("not a type")]
        span: SourceSpan,
        /// “did you mean `pid_t`?”
        #[help]
        help: Option<String>,
    },
    /// `fork(1);`
    #[error("`{name}` takes {expected}, but {found} given")]
    #[diagnostic(code(scn::check::arity))]
    Arity {
        /// The function.
        name: String,
        /// “no arguments”, “1 argument”, “at least 2 arguments”.
        expected: String,
        /// “1 was”, “3 were”.
        found: String,
        /// The call.
        #[label("here")]
        span: SourceSpan,
        /// The C signature.
        #[help]
        help: Option<String>,
    },
    /// `int main() { break; }`
    #[error("`{keyword}` outside of {place}")]
    #[diagnostic(code(scn::check::misplaced))]
    Misplaced {
        /// `break`, `continue`, `case`, `default`.
        keyword: String,
        /// “a loop or switch”, “a loop”, “a switch”.
        place: String,
        /// Where.
        #[label("not allowed here")]
        span: SourceSpan,
    },
    /// `config { stdot = full; }`
    #[error("{message}")]
    #[diagnostic(code(scn::check::config))]
    Config {
        /// What is wrong.
        message: String,
        /// The entry.
        #[label("here")]
        span: SourceSpan,
        /// Suggestion or the accepted values.
        #[help]
        help: Option<String>,
    },
    /// `file "../x" = "…";`: a path that is empty, names a directory or leaves the run's
    /// directory.
    #[error("{message}")]
    #[diagnostic(code(scn::check::file))]
    File {
        /// What is wrong.
        message: String,
        /// The declaration.
        #[label("here")]
        span: SourceSpan,
        /// What a path may be.
        #[help]
        help: Option<String>,
    },
    /// `expect main.valeu == 5;` or `expect exit(c) == 0;` with no process `c`.
    #[error("{message}")]
    #[diagnostic(code(scn::check::expect))]
    Expect {
        /// What is wrong.
        message: String,
        /// Where.
        #[label("here")]
        span: SourceSpan,
        /// Suggestion.
        #[help]
        help: Option<String>,
    },
    /// `int x; x.y = 1;`, `5 = x;`, `*3`: an operation on a value of the wrong kind.
    #[error("{message}")]
    #[diagnostic(code(scn::check::type_error))]
    Type {
        /// What is wrong.
        message: String,
        /// Where.
        #[label("{label}")]
        span: SourceSpan,
        /// Short label.
        label: String,
        /// How to fix it, if known.
        #[help]
        help: Option<String>,
    },
    /// `int f() {} int f() {}`: two definitions of one name.
    #[error("`{name}` is defined twice")]
    #[diagnostic(code(scn::check::redefined))]
    Redefined {
        /// The name.
        name: String,
        /// The second definition.
        #[label("defined again here")]
        span: SourceSpan,
    },
    /// A file with no `main`.
    #[error("no `main` function")]
    #[diagnostic(
        code(scn::check::no_main),
        help("the initial process runs `int main() {{ … }}`; define one")
    )]
    NoMain {
        /// The start of the file (or the `program` block).
        #[label("in this program")]
        span: SourceSpan,
    },
    /// `int a[n];` with `n` a variable, or a `case` label that is not a constant.
    #[error("{what} must be a constant")]
    #[diagnostic(code(scn::check::not_constant))]
    NotConstant {
        /// “an array size”, “a case label”, “a global initialiser”.
        what: String,
        /// Where.
        #[label("not a constant")]
        span: SourceSpan,
    },
}
