//! The instruction set of the VM: a stack machine over typed scalar slots and byte memory.

use crate::calls::Call;

/// Index of a function within one [`super::Image`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FuncId(pub u32);

/// Index of a string literal within one [`super::Image`]'s static data.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StrId(pub u32);

/// A scalar slot: an index into the current frame's locals or the image's scalar globals.
pub type Slot = u16;

/// How a scalar is stored in memory: its width in bytes and signedness, or a pointer.
///
/// Arithmetic results are wrapped to their C type's width with these (LP64: `int` is 4
/// bytes, `long` and pointers 8).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scalar {
    /// `signed char` / `char` (glibc x86-64 `char` is signed).
    I8,
    /// `unsigned char`, `bool`.
    U8,
    /// `short`.
    I16,
    /// `unsigned short`.
    U16,
    /// `int`, `pid_t`, `key_t`.
    I32,
    /// `unsigned int`, `mode_t`.
    U32,
    /// `long`, `ssize_t`.
    I64,
    /// `unsigned long`, `size_t`.
    U64,
    /// Any pointer (8 bytes, keeps its provenance in memory).
    Ptr,
}

impl Scalar {
    /// Size in bytes.
    pub fn size(self) -> u32 {
        match self {
            Scalar::I8 | Scalar::U8 => 1,
            Scalar::I16 | Scalar::U16 => 2,
            Scalar::I32 | Scalar::U32 => 4,
            Scalar::I64 | Scalar::U64 | Scalar::Ptr => 8,
        }
    }

    /// Whether the integer is signed (pointers count as unsigned).
    pub fn is_signed(self) -> bool {
        matches!(self, Scalar::I8 | Scalar::I16 | Scalar::I32 | Scalar::I64)
    }
}

/// Arithmetic and bitwise operators on two integers; the [`Scalar`] on [`Instr::Arith`] says
/// the C type the result is wrapped to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ArithOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`, truncating; division by zero is a fault (SIGFPE).
    Div,
    /// `%`; by zero is a fault (SIGFPE).
    Rem,
    /// `<<`
    Shl,
    /// `>>`, arithmetic for signed types.
    Shr,
    /// `&`
    And,
    /// `|`
    Or,
    /// `^`
    Xor,
}

/// Comparison operators; the result is the `int` 0 or 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
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

/// Why a process is stopped by the code itself (as a C program would crash).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Trap {
    /// Control reached the end of a non-`void` function whose value is then used.
    MissingReturn,
    /// A `switch`/`case` shape the lowering could not place (never expected).
    Unreachable,
}

/// One VM instruction. Stack effects are written `[before] -> [after]`, top of stack last.
///
/// Everything here is local computation (not a scheduling point) except [`Instr::Call`] of a
/// [`crate::calls::CallKind::System`] call, and loads/stores that touch shared memory, which
/// the VM turns into requests to the kernel.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Instr {
    /// `[] -> [int]`
    Const(i64),
    /// `[] -> [ptr]`: pointer to the first byte of a string literal (read-only static data).
    Str(StrId),
    /// `[] -> [func]`: a function pointer, e.g. a handler passed to `signal`/`atexit`.
    Func(FuncId),
    /// `[] -> [FILE *]`: `stdin` (0), `stdout` (1) or `stderr` (2).
    Stream(u8),
    /// `[] -> [v]`: read local slot.
    Local(Slot),
    /// `[v] -> []`: write local slot.
    SetLocal(Slot),
    /// `[] -> []`: the local is dead from here on; reset it to `int 0` so states that differ
    /// only in dead values are equal (liveness, computed by lowering).
    Kill(Slot),
    /// `[] -> [v]`: read a scalar global slot.
    Global(Slot),
    /// `[v] -> []`: write a scalar global slot.
    SetGlobal(Slot),
    /// `[] -> [ptr]`: address of the `n`th memory object of the current frame (arrays,
    /// structs and scalars whose address is taken), allocated on entry.
    FrameAddr(u16),
    /// `[] -> [ptr]`: address `offset` bytes into the image's global data region.
    GlobalAddr(u32),
    /// `[ptr] -> [v]`: load a scalar of that type from memory.
    Load(Scalar),
    /// `[ptr, v] -> []`: store a scalar (converted to that type) into memory.
    Store(Scalar),
    /// `[dst, src] -> []`: copy `n` bytes (struct assignment, array initialisation).
    Copy(u32),
    /// `[dst] -> []`: set `n` bytes to zero (initialisers shorter than their object).
    Zero(u32),
    /// `[a, b] -> [a op b]` wrapped to the scalar type.
    Arith(ArithOp, Scalar),
    /// `[a, b] -> [0|1]`, comparing as the scalar type (signed or unsigned); pointers compare
    /// by address within one object.
    Cmp(CmpOp, Scalar),
    /// `[a] -> [-a]` wrapped to the type.
    Neg(Scalar),
    /// `[a] -> [~a]` wrapped to the type.
    BitNot(Scalar),
    /// `[a] -> [!a]` (`int` 0 or 1; a non-null pointer is true).
    Not,
    /// `[a] -> [a]` converted to the scalar type (truncation, sign or zero extension;
    /// pointers are kept as pointers by [`Scalar::Ptr`] and integers become pointers only if
    /// they are 0).
    Convert(Scalar),
    /// `[ptr, n] -> [ptr + n * size]`.
    PtrAdd(u32),
    /// `[p, q] -> [(p - q) / size]` for two pointers into the same object.
    PtrDiff(u32),
    /// `[v] -> [v, v]`
    Dup,
    /// `[v] -> []`
    Pop,
    /// `[a, b] -> [b, a]`
    Swap,
    /// `[] -> []`: continue at instruction index.
    Jump(u32),
    /// `[c] -> []`: jump if `c` is true (non-zero or non-null).
    JumpIf(u32),
    /// `[c] -> []`: jump if `c` is false.
    JumpIfNot(u32),
    /// `[args…] -> [ret]`: call a function of this image with `argc` arguments; a `void`
    /// function returns `int 0`.
    CallFunc(FuncId, u8),
    /// `[func, args…] -> [ret]`: call through a function pointer.
    CallPtr(u8),
    /// `[args…] -> [ret]`: call a library function or system call with `argc` arguments.
    Call(Call, u8),
    /// `[] -> [pid or 0]`: `spawn name { … }`: fork, naming the child with the string.
    Spawn(StrId),
    /// `[v] -> (returns v to the caller)`.
    Ret,
    /// Stop the process with a fault.
    Trap(Trap),
}
