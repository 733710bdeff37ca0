//! Runtime faults: what makes a C process crash, reported as a result, never a panic.

use crate::syntax::span::Span;

/// What went wrong in the scenario's code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FaultKind {
    /// `*p` with `p == NULL` (`int *p = 0; *p = 1;`).
    NullPointer,
    /// An access outside the object the pointer points into (`char b[4]; b[4] = 0;`).
    OutOfBounds,
    /// An access to a freed or unmapped object (`free(p); *p = 1;`, `shmdt(p); p[0];`).
    UseAfterFree,
    /// A store into a string literal (`char *s = "hi"; s[0] = 'H';`).
    ReadOnly,
    /// An integer used as a pointer, or a pointer used where an integer is needed.
    BadPointer,
    /// `x / 0` or `x % 0` (`SIGFPE`).
    DivisionByZero,
    /// Calls nested deeper than the limit (runaway recursion) or frames over the memory
    /// limit (`SIGSEGV`).
    StackOverflow,
    /// A call through something that is not a function.
    BadCall,
    /// `free` of a pointer not returned by `malloc`, or freed twice (glibc aborts).
    BadFree,
    /// Control fell off the end of a non-`void` function whose value was used.
    MissingReturn,
    /// The process needs more memory than `max_memory` (a `malloc` or a frame beyond it):
    /// the simulator's limit, not the program's fault; the run stops, reported as a limit.
    MemoryLimit,
}

impl FaultKind {
    /// The signal that kills the process, as on Linux.
    pub fn signal(self) -> i32 {
        match self {
            FaultKind::DivisionByZero => 8, // SIGFPE
            FaultKind::BadFree => 6,        // SIGABRT
            _ => 11,                        // SIGSEGV
        }
    }
}

/// A fault in a running scenario, with the source span of the instruction that faulted.
#[derive(
    Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, thiserror::Error, miette::Diagnostic,
)]
#[error("{message}")]
#[diagnostic(code(scn::runtime::fault))]
pub struct RuntimeFault {
    /// What kind of fault.
    pub kind: FaultKind,
    /// A sentence for the report (“index 4 is past the end of `b` (4 bytes)”).
    pub message: String,
    /// The code that faulted.
    pub span: Span,
}
