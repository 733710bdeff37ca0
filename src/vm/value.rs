//! Scalar values as the VM holds them in slots and on its operand stack.

use crate::ir::FuncId;

/// Identifies one memory object of a process (a global data region, a frame's arrays, a
/// `malloc` block, an attached shared segment) or a static one (string literals).
///
/// Ids below [`RegionId::STATIC`] index the process's region table; ids with the top bit set
/// are the image's string literals (read-only). Ids 1–3 are the `FILE` objects of `stdin`,
/// `stdout` and `stderr` (never dereferenced), 4 the global data region.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RegionId(pub u32);

impl RegionId {
    /// The null object (no region): a null pointer has no provenance.
    pub const NULL: RegionId = RegionId(0);
    /// Stream objects: `stdin` is `STREAMS.0 + 0`, `stdout` `+ 1`, `stderr` `+ 2`.
    pub const STREAMS: RegionId = RegionId(1);
    /// The image's global data region.
    pub const GLOBALS: RegionId = RegionId(4);
    /// First id of a dynamic object (frames, heap, shared attachments).
    pub const FIRST_DYNAMIC: u32 = 5;
    /// Top bit: a string literal of the running image (`STATIC | str_id`).
    pub const STATIC: u32 = 1 << 31;
}

/// A pointer: an object and a byte offset into it (C provenance, bounds-checked on access).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Ptr {
    /// The object pointed into.
    pub region: RegionId,
    /// Byte offset; may be one past the end (valid to form, not to dereference).
    pub offset: u32,
}

/// A value in a slot or on the operand stack.
///
/// Integers are kept sign- or zero-extended to 64 bits after wrapping to their C type.
/// `Pid` is an integer that came from the kernel as a process id (`fork`, `getpid`, `wait`):
/// it behaves as an `int` everywhere, but printing it lets reports compare outputs up to pid
/// numbering.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Value {
    /// An integer of any C integer type.
    Int(i64),
    /// A process id (also an `int`).
    Pid(i64),
    /// A pointer to data.
    Ptr(Ptr),
    /// A pointer to a function of the running image.
    Func(FuncId),
}

impl Value {
    /// The integer 0 (also a null pointer constant).
    pub const ZERO: Value = Value::Int(0);

    /// The value as an integer: pids are their number, pointers and functions have no
    /// integer value (`None`).
    pub fn as_int(self) -> Option<i64> {
        match self {
            Value::Int(n) | Value::Pid(n) => Some(n),
            Value::Ptr(_) | Value::Func(_) => None,
        }
    }

    /// C truth: non-zero integers and any pointer or function are true.
    pub fn is_true(self) -> bool {
        match self {
            Value::Int(n) | Value::Pid(n) => n != 0,
            Value::Ptr(_) | Value::Func(_) => true,
        }
    }
}
