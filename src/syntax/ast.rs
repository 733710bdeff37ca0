//! The abstract syntax tree of a scenario: the C program, its `program` images and the
//! declarative parts (`expect`, `config`, `scenario`).

use super::span::Span;

/// A whole `.scn` or `.c` file.
///
/// ```c
/// #include <stdio.h>
/// int main() { fork(); return 0; }
/// expect processes == 2;
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    /// The C program of the initial process, in source order.
    pub items: Vec<Item>,
    /// `program "/bin/x" { … }` images that `exec*` can run.
    pub programs: Vec<ProgramBlock>,
    /// `file "path" = "contents";`: regular files present at the start.
    pub files: Vec<FileDecl>,
    /// `expect …;` statements, top level and inside `scenario { }`.
    pub expects: Vec<Expect>,
    /// `config { key = value; … }` entries, in source order (later ones win).
    pub config: Vec<ConfigEntry>,
    /// `scenario "title" { … }` metadata, if present.
    pub meta: Option<Meta>,
}

/// `file "foobar.txt" = "foobar";`: a regular file that exists before the first process
/// runs, for programs that open or `exec` on files (`wc p3.c`, CS:APP's `foobar.txt`).
#[derive(Clone, Debug, PartialEq)]
pub struct FileDecl {
    /// The path, as `open` names it.
    pub path: String,
    /// The contents, escapes decoded.
    pub contents: String,
    /// The whole declaration.
    pub span: Span,
}

/// `program "/bin/hello" { int main() { … } }`: what an exec'd path does in the simulator.
#[derive(Clone, Debug, PartialEq)]
pub struct ProgramBlock {
    /// The path given to `exec*`, e.g. `/bin/hello`.
    pub path: String,
    /// The C items of that program; it must define `main`.
    pub items: Vec<Item>,
    /// The whole block.
    pub span: Span,
}

/// `scenario "title" { source "…"; question "…"; expect …; config { … } }`.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Meta {
    /// The title string.
    pub title: String,
    /// `source "OSC 10e, figure 3.8";`
    pub source: Option<String>,
    /// `question "How many processes are created?";`
    pub question: Option<String>,
    /// The `scenario` keyword and title.
    pub span: Span,
}

/// One top-level C item.
#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    /// `#define NAME value` or `#define NAME(a, b) body`.
    Define(Define),
    /// `struct tag { fields };`, `union tag { … };` or `enum tag { A, B = 3 };` on its own.
    TypeDecl(TypeSpec, Span),
    /// `typedef struct { … } item;`
    Typedef(Typedef),
    /// `int value = 5, nums[5] = {0};` at file scope.
    Global(Declaration),
    /// `int f(int a);`: a prototype, checked against the definition if there is one.
    Prototype(FunctionSig),
    /// `int main() { … }`.
    Function(Function),
}

/// `#define NAME value` (object-like) or `#define NAME(a, b) body` (function-like).
///
/// Macros are textual (C11 6.10.3): the preprocessor expands them before parsing, so the
/// items of the program already hold the expanded code; the directive is kept so the
/// program prints back as written.
#[derive(Clone, Debug, PartialEq)]
pub struct Define {
    /// The macro name.
    pub name: Ident,
    /// `Some` for a function-like macro: its parameter names.
    pub params: Option<Vec<Ident>>,
    /// The replacement list.
    pub body: MacroBody,
    /// The whole directive line.
    pub span: Span,
}

/// The replacement list of a `#define`.
#[derive(Clone, Debug, PartialEq)]
pub enum MacroBody {
    /// The tokens as written, one space wherever there was whitespace and comments
    /// dropped: `#define SQ(x) x * x`, `#define BEGIN {`.
    Text(String),
    /// `#define FLAG` with nothing after it.
    Empty,
}

/// `typedef TYPE NAME;`, e.g. `typedef struct { int x; } item;`.
#[derive(Clone, Debug, PartialEq)]
pub struct Typedef {
    /// The declared type (a declarator may add `*` or `[N]`).
    pub ty: TypeName,
    /// The new name.
    pub name: Ident,
    /// The whole declaration.
    pub span: Span,
}

/// An identifier with its span.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Ident {
    /// The name as written.
    pub name: String,
    /// Where it is written.
    pub span: Span,
}

/// A base type as written before declarators: `unsigned long`, `struct msg`, `pid_t`.
#[derive(Clone, Debug, PartialEq)]
pub enum TypeSpec {
    /// `void`.
    Void,
    /// `char`, `short`, `int`, `long`, `long long`, with `unsigned`/`signed`; also `_Bool`/`bool`.
    Int(IntKind, Signedness),
    /// A typedef name, including the built-in ones (`pid_t`, `size_t`, `sem_t`, …).
    Named(Ident),
    /// `struct tag`, or `struct tag { … }`/`struct { … }` defining it in place.
    Struct(StructSpec),
    /// `enum tag { A, B = 3 }` or `enum tag`.
    Enum(EnumSpec),
}

/// Integer widths of the C core, in the LP64 model (Linux x86-64).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IntKind {
    /// `_Bool` / `bool`, 1 byte.
    Bool,
    /// `char`, 1 byte.
    Char,
    /// `short`, 2 bytes.
    Short,
    /// `int`, 4 bytes.
    Int,
    /// `long` and `long long`, 8 bytes.
    Long,
}

/// Whether an integer type is signed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Signedness {
    /// `signed` or the default.
    Signed,
    /// `unsigned`.
    Unsigned,
}

/// `struct tag { fields }`, `union tag { fields }` or a reference `struct tag`.
#[derive(Clone, Debug, PartialEq)]
pub struct StructSpec {
    /// `true` for `union`.
    pub is_union: bool,
    /// The tag, absent for `struct { … }`.
    pub tag: Option<Ident>,
    /// `Some` when the body is given here.
    pub fields: Option<Vec<Field>>,
    /// From the keyword to the closing brace or tag.
    pub span: Span,
}

/// One member declaration inside a struct: `char msg_text[100];`.
#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    /// The full type of the member.
    pub ty: TypeName,
    /// The member name.
    pub name: Ident,
    /// The whole member declaration.
    pub span: Span,
}

/// `enum tag { A, B = 3 }`.
#[derive(Clone, Debug, PartialEq)]
pub struct EnumSpec {
    /// The tag, if any.
    pub tag: Option<Ident>,
    /// `Some` when the enumerators are given here.
    pub variants: Option<Vec<(Ident, Option<Expr>)>>,
    /// The whole specifier.
    pub span: Span,
}

/// A full type: a base type plus the declarator's pointers, arrays and function shape,
/// e.g. `char *argv[]` is `Array(Pointer(char), None)`.
#[derive(Clone, Debug, PartialEq)]
pub enum TypeName {
    /// The base type, with `const`/`volatile` dropped.
    Base(TypeSpec, Span),
    /// `T *`.
    Pointer(Box<TypeName>),
    /// `T [N]` or `T []` (length from the initialiser, or a parameter).
    Array(Box<TypeName>, Option<Box<Expr>>),
    /// `R (*)(params)`: the type of a function; behind a `Pointer` for function pointers.
    Function(Box<TypeName>, Vec<Param>, bool),
}

/// One declaration statement: `static const int a = 1, *p, buf[10] = "hi";`.
#[derive(Clone, Debug, PartialEq)]
pub struct Declaration {
    /// `static`, `extern`, `const` as written (the simulator treats them as C does where it
    /// matters: `static` locals keep their value across calls).
    pub storage: Storage,
    /// One entry per declarator.
    pub declarators: Vec<Declarator>,
    /// The whole declaration including the `;`.
    pub span: Span,
}

/// Storage-class specifiers that change meaning.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Storage {
    /// `static`.
    pub is_static: bool,
    /// `extern`.
    pub is_extern: bool,
}

/// `*p = &x`, `buf[10] = "hi"`, `fd[2]`: a name, its full type and an optional initialiser.
#[derive(Clone, Debug, PartialEq)]
pub struct Declarator {
    /// The declared name.
    pub name: Ident,
    /// The full type (base type plus this declarator's `*`, `[N]`).
    pub ty: TypeName,
    /// `= value`.
    pub init: Option<Initializer>,
    /// From the name to the end of the initialiser.
    pub span: Span,
}

/// The right-hand side of `=` in a declaration.
#[derive(Clone, Debug, PartialEq)]
pub enum Initializer {
    /// `= expr`.
    Expr(Expr),
    /// `= { a, b, [3] = c, .field = d }`.
    List(Vec<(Option<Designator>, Initializer)>, Span),
}

/// `[3] =` or `.field =` inside a braced initialiser.
#[derive(Clone, Debug, PartialEq)]
pub enum Designator {
    /// `[index] = …`.
    Index(Expr),
    /// `.field = …`.
    Field(Ident),
}

/// A function's signature: `int main(int argc, char *argv[])`.
#[derive(Clone, Debug, PartialEq)]
pub struct FunctionSig {
    /// The return type (`int` when omitted, as K&R `main() { }` is).
    pub ret: TypeName,
    /// The function name.
    pub name: Ident,
    /// Parameters; `(void)` is an empty list.
    pub params: Vec<Param>,
    /// `true` for `(int n, ...)`.
    pub variadic: bool,
    /// From the return type to the closing parenthesis.
    pub span: Span,
}

/// One parameter: `char *argv[]`, or just a type in a prototype: `int`.
#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    /// The parameter type (arrays are adjusted to pointers by the checker, as C does).
    pub ty: TypeName,
    /// The name; absent in prototypes like `void f(int);`.
    pub name: Option<Ident>,
    /// The whole parameter.
    pub span: Span,
}

/// `int f(int a) { … }`.
#[derive(Clone, Debug, PartialEq)]
pub struct Function {
    /// Return type, name and parameters.
    pub sig: FunctionSig,
    /// The body.
    pub body: Block,
    /// The whole definition.
    pub span: Span,
}

/// `{ stmt… }`.
#[derive(Clone, Debug, PartialEq)]
pub struct Block {
    /// The statements in order.
    pub stmts: Vec<Stmt>,
    /// From `{` to `}`.
    pub span: Span,
}

/// A statement.
#[derive(Clone, Debug, PartialEq)]
pub enum Stmt {
    /// `int i = 0, j;` (also `struct s x;`, `typedef` is not allowed in blocks).
    Decl(Declaration),
    /// `expr;`
    Expr(Expr),
    /// `;`
    Empty(Span),
    /// `{ … }`
    Block(Block),
    /// `if (cond) then else otherwise`.
    If {
        /// The condition.
        cond: Expr,
        /// The `then` branch.
        then: Box<Stmt>,
        /// The `else` branch.
        otherwise: Option<Box<Stmt>>,
        /// The whole statement.
        span: Span,
    },
    /// `while (cond) body`.
    While {
        /// The condition, tested before each iteration.
        cond: Expr,
        /// The loop body.
        body: Box<Stmt>,
        /// The whole statement.
        span: Span,
    },
    /// `do body while (cond);`.
    DoWhile {
        /// The loop body.
        body: Box<Stmt>,
        /// The condition, tested after each iteration.
        cond: Expr,
        /// The whole statement.
        span: Span,
    },
    /// `for (init; cond; step) body`; `init` may declare (`for (int i = 0; …)`).
    For {
        /// A declaration or expression statement, or `None` for `for (;…`.
        init: Option<Box<Stmt>>,
        /// The condition; `None` means forever.
        cond: Option<Expr>,
        /// The step expression.
        step: Option<Expr>,
        /// The loop body.
        body: Box<Stmt>,
        /// The whole statement.
        span: Span,
    },
    /// `switch (scrutinee) { case 1: … default: … }`.
    Switch {
        /// The value switched on.
        scrutinee: Expr,
        /// The body, whose statements may carry `case`/`default` labels.
        body: Box<Stmt>,
        /// The whole statement.
        span: Span,
    },
    /// `case value: stmt` inside a `switch` body.
    Case {
        /// The constant expression.
        value: Expr,
        /// The labelled statement.
        body: Box<Stmt>,
        /// The label through the statement.
        span: Span,
    },
    /// `default: stmt` inside a `switch` body.
    Default {
        /// The labelled statement.
        body: Box<Stmt>,
        /// The label through the statement.
        span: Span,
    },
    /// `break;`
    Break(Span),
    /// `continue;`
    Continue(Span),
    /// `return;` or `return expr;`.
    Return(Option<Expr>, Span),
    /// `spawn name { … }`: fork; the child, named `name` in reports, runs the block and
    /// exits with status 0; the parent goes on after the block.
    Spawn {
        /// The child's name, used in reports and expectations.
        name: Ident,
        /// What the child runs.
        body: Block,
        /// The whole statement.
        span: Span,
    },
}

/// An expression, with a unique [`ExprId`] so later stages can attach facts (types,
/// resolved names) in side tables.
#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    /// What kind of expression.
    pub kind: ExprKind,
    /// Where it is written.
    pub span: Span,
    /// Unique within one [`Scenario`]; assigned by the parser in order.
    pub id: ExprId,
}

/// Index of an expression within its scenario, dense from 0.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ExprId(pub u32);

/// The expression forms of the C core.
#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// `42`, `0x1F`, `017`, `10L`, `'a'` (character constants are `int`s in C).
    Int(i64),
    /// `"hello\n"`, adjacent literals already concatenated, escapes already decoded.
    Str(Vec<u8>),
    /// A name: variable, function, enumerator, macro or built-in constant (`NULL`, `stdout`).
    Name(Ident),
    /// `a op b` for the binary operators other than assignment and comma.
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// `op a` for prefix operators.
    Unary(UnOp, Box<Expr>),
    /// `a = b`, `a += b`, …; `None` for plain `=`.
    Assign(Option<BinOp>, Box<Expr>, Box<Expr>),
    /// `++a` / `--a` (`true` = increment).
    PreIncDec(bool, Box<Expr>),
    /// `a++` / `a--` (`true` = increment).
    PostIncDec(bool, Box<Expr>),
    /// `c ? a : b`.
    Conditional(Box<Expr>, Box<Expr>, Box<Expr>),
    /// `a, b`.
    Comma(Box<Expr>, Box<Expr>),
    /// `f(args)`; the callee is usually a `Name`, may be any expression (function pointer).
    Call(Box<Expr>, Vec<Expr>),
    /// `a[i]`.
    Index(Box<Expr>, Box<Expr>),
    /// `s.field`.
    Member(Box<Expr>, Ident),
    /// `p->field`.
    Arrow(Box<Expr>, Ident),
    /// `(type) expr`.
    Cast(TypeName, Box<Expr>),
    /// `sizeof(type)`.
    SizeofType(TypeName),
    /// `sizeof expr` / `sizeof(expr)`.
    SizeofExpr(Box<Expr>),
}

/// Binary operators, also used for compound assignment (`+=` is `Assign(Some(Add), …)`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinOp {
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `%`
    Rem,
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `<<`
    Shl,
    /// `>>`
    Shr,
    /// `<`
    Lt,
    /// `>`
    Gt,
    /// `<=`
    Le,
    /// `>=`
    Ge,
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `&`
    BitAnd,
    /// `^`
    BitXor,
    /// `|`
    BitOr,
    /// `&&`, short-circuit.
    And,
    /// `||`, short-circuit.
    Or,
}

impl BinOp {
    /// How the operator is written in C (`Shl` → `<<`).
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Rem => "%",
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Shl => "<<",
            BinOp::Shr => ">>",
            BinOp::Lt => "<",
            BinOp::Gt => ">",
            BinOp::Le => "<=",
            BinOp::Ge => ">=",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::BitAnd => "&",
            BinOp::BitXor => "^",
            BinOp::BitOr => "|",
            BinOp::And => "&&",
            BinOp::Or => "||",
        }
    }
}

/// Prefix unary operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnOp {
    /// `-a`
    Neg,
    /// `+a`
    Plus,
    /// `!a`
    Not,
    /// `~a`
    BitNot,
    /// `*p`
    Deref,
    /// `&a`
    AddrOf,
}

/// `expect [may|always|never] property;`
#[derive(Clone, Debug, PartialEq)]
pub struct Expect {
    /// In which schedules the property must hold.
    pub mode: Mode,
    /// What must hold.
    pub prop: Property,
    /// The whole statement.
    pub span: Span,
}

/// The quantifier of an expectation over schedules.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// `expect X;` / `expect always X;`: X holds in every schedule.
    Always,
    /// `expect may X;`: X holds in at least one schedule.
    May,
    /// `expect never X;`: X holds in no schedule.
    Never,
}

/// A comparison operator in an expectation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
pub enum CmpOp {
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

/// A process named in an expectation: `main` (the initial process), a `spawn` name, or a
/// tree position such as `main.1.2` (second child of the first child of `main`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ProcRef {
    /// The path as written, e.g. `["main", "1", "2"]` or `["b"]`.
    pub path: Vec<String>,
    /// Where it is written.
    pub span: Span,
}

/// What an `expect` states about one outcome (or, for the set forms, about all of them).
#[derive(Clone, Debug, PartialEq)]
pub enum Property {
    /// `processes == 8`: processes that ever existed, the initial one included.
    Processes(CmpOp, i64),
    /// `output == "…"` / `output != "…"`: the exact terminal output (stdout and stderr as
    /// the terminal shows them).
    Output(CmpOp, Vec<u8>),
    /// `output contains "…"`: a substring of the terminal output.
    OutputContains(Vec<u8>),
    /// `output has line "…"`: one whole line of the terminal output.
    OutputLine(Vec<u8>),
    /// `outputs == { "…", "…" }`: the exact set of possible outputs (set form).
    Outputs(Vec<Vec<u8>>),
    /// `outcomes == 2`: the number of distinct outcomes (set form).
    Outcomes(CmpOp, i64),
    /// `exit == 0` (initial process) or `exit(p) == 0`: the exit status of a process that
    /// exited normally.
    Exit(Option<ProcRef>, CmpOp, i64),
    /// `signaled(p) == SIGKILL`: the signal that killed a process.
    Signaled(Option<ProcRef>, CmpOp, i64),
    /// `zombies == 0`: processes still zombies when the scenario ends.
    Zombies(CmpOp, i64),
    /// `orphans == 1`: processes that were orphaned (reparented) during the run.
    Orphans(CmpOp, i64),
    /// `deadlock`: the run ended with live processes all blocked.
    Deadlock,
    /// `no deadlock`: sugar for `never deadlock`.
    NoDeadlock,
    /// `main.value == 5`, `b.counter != 0`: a variable's value in a process when it exited
    /// (global, or a local of `main` at its `return`).
    Var(ProcRef, Ident, CmpOp, i64),
    /// `children(main) == 3`: how many children a process created.
    Children(ProcRef, CmpOp, i64),
    /// `depth == 3`: the height of the process tree, counting the initial process as 1.
    Depth(CmpOp, i64),
    /// `tree == "*(*(*) *)"`: the shape of the process tree in the report's notation.
    Tree(String),
    /// `file("out.txt") == "…"`: the contents of a regular file at the end (a file that
    /// does not exist equals no text).
    File(String, CmpOp, Vec<u8>),
}

/// `key = value;` inside `config { }`.
#[derive(Clone, Debug, PartialEq)]
pub struct ConfigEntry {
    /// The key, e.g. `stdout`.
    pub key: Ident,
    /// The value.
    pub value: ConfigValue,
    /// The whole entry.
    pub span: Span,
}

/// A configuration value as written.
#[derive(Clone, Debug, PartialEq)]
pub enum ConfigValue {
    /// `full`, `line`, `fifo`.
    Word(String),
    /// `65536`.
    Int(i64),
    /// `"text"`.
    Str(String),
}
