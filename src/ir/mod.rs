//! Lowering: the checked AST to [`Image`]s of VM code, one per program (the scenario's own
//! `main` and each `program "/path" { }` block).

mod instr;
mod lower;
pub use lower::lower;

pub use instr::{ArithOp, CmpOp, FuncId, Instr, Scalar, Slot, StrId, Trap};

use crate::syntax::span::Span;
use std::rc::Rc;

/// Everything exec can run in one scenario: the initial program and the `program` blocks,
/// plus the built-in catalogue (`/bin/ls`, `/bin/echo`, …).
#[derive(Debug)]
pub struct Catalog {
    /// The scenario's own program, run by the initial process.
    pub main: Rc<Image>,
    /// Executable images by absolute path (`/bin/ls`). `execlp` also finds them by their
    /// last path component (`ls`), as a `PATH` of `/bin:/usr/bin` would.
    pub programs: indexmap::IndexMap<String, Rc<Image>>,
}

impl Catalog {
    /// The image `exec` runs for `path`: an exact path, or with `search_path` (the `p`
    /// variants) a bare name found in `/bin` or `/usr/bin`. `None` is `ENOENT`.
    pub fn resolve(&self, path: &str, search_path: bool) -> Option<&Rc<Image>> {
        if let Some(image) = self.programs.get(path) {
            return Some(image);
        }
        if search_path && !path.contains('/') {
            for dir in ["/bin/", "/usr/bin/"] {
                if let Some(image) = self.programs.get(&format!("{dir}{path}")) {
                    return Some(image);
                }
            }
        }
        None
    }
}

/// One executable program: its functions, static data and global layout.
#[derive(Debug)]
pub struct Image {
    /// The path it is known by (`/proc/self` for the scenario's own program).
    pub path: String,
    /// All functions; `entry` is the synthetic start routine that calls `main` and then
    /// `exit` with its result.
    pub functions: Vec<Function>,
    /// The start routine: takes `(argc, argv)`.
    pub entry: FuncId,
    /// String literals, each with its terminating NUL.
    pub strings: Vec<Box<[u8]>>,
    /// Scalar globals: their initial values (all constant, as C requires).
    pub global_slots: Vec<GlobalInit>,
    /// The initial bytes of the global data region (arrays, structs, address-taken scalars).
    pub data: Vec<u8>,
    /// Pointers stored in the initial data: `(offset, what they point to)`.
    pub data_pointers: Vec<(u32, GlobalInit)>,
    /// Names of globals for reports and `expect p.var == n`: where each lives.
    pub globals: Vec<GlobalVar>,
    /// The slot of the C library's `errno` when the program names it (an implicit `int`
    /// global the VM keeps up to date).
    pub errno_slot: Option<Slot>,
}

impl Image {
    /// The functions of this image that can run: the entry, the functions whose address a global
    /// holds, and every function those call or take the address of (a handler, a thread's
    /// start, an `atexit` function), by index.
    pub fn reachable(&self) -> Vec<usize> {
        let globals = (self.global_slots.iter())
            .chain(self.data_pointers.iter().map(|(_, init)| init))
            .filter_map(|init| match init {
                GlobalInit::Func(f) => Some(f.0 as usize),
                _ => None,
            });
        let mut seen = vec![false; self.functions.len()];
        let mut todo: Vec<usize> = std::iter::once(self.entry.0 as usize)
            .chain(globals)
            .collect();
        while let Some(f) = todo.pop() {
            if std::mem::replace(&mut seen[f], true) {
                continue;
            }
            todo.extend(
                self.functions[f]
                    .code
                    .iter()
                    .filter_map(|instr| match instr {
                        Instr::CallFunc(FuncId(g), _) | Instr::Func(FuncId(g)) => Some(*g as usize),
                        _ => None,
                    }),
            );
        }
        (0..seen.len()).filter(|&f| seen[f]).collect()
    }
}

/// The initial value of a scalar global or of a pointer stored in global data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GlobalInit {
    /// An integer.
    Int(i64),
    /// The address of a string literal plus an offset.
    Str(StrId, u32),
    /// An address in the global data region.
    Data(u32),
    /// A function pointer.
    Func(FuncId),
}

/// Where a named global lives, for reports and expectations.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GlobalVar {
    /// The C name.
    pub name: String,
    /// Slot or data offset.
    pub place: Place,
    /// How to read it as a scalar (`None` for arrays and structs).
    pub scalar: Option<Scalar>,
}

/// Where a variable lives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    /// A scalar slot (globals: [`Instr::Global`]; locals: [`Instr::Local`]).
    Slot(Slot),
    /// Bytes at an offset of the global data region.
    Data(u32),
    /// The `n`th memory object of a frame.
    Frame(u16),
}

/// One function's code.
#[derive(Debug)]
pub struct Function {
    /// The C name (`main`, `handler`, or `<start>` / `<exit>` for synthetic ones).
    pub name: String,
    /// Number of parameters; they arrive in slots `0..params`.
    pub params: u16,
    /// Total scalar slots (parameters, locals, temporaries).
    pub slots: u16,
    /// Memory objects allocated on entry: sizes in bytes.
    pub frame_objects: Vec<u32>,
    /// The code.
    pub code: Vec<Instr>,
    /// The source span of each instruction (same length as `code`), for fault reports.
    pub spans: Vec<Span>,
    /// Names of locals in the function's outermost scope (for `expect main.var`): where each
    /// lives.
    pub locals: Vec<(String, Place, Option<Scalar>)>,
}
