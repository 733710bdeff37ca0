//! One memory object: its bytes, the tagged values (pointers, pids) stored in them, what
//! kind of object it is, and the made-up addresses `%p` shows.

use super::memory::Memory;
use super::value::{RegionId, Value};
use crate::ir::FuncId;
use smallvec::SmallVec;

/// What a memory object is, for fault messages and `%p` addresses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RegionKind {
    /// The image's global data region.
    Globals,
    /// The `index`th memory object of a frame of function `func`.
    Frame {
        /// The function whose frame it belongs to.
        func: FuncId,
        /// Which of its `frame_objects`.
        index: u16,
    },
    /// A `malloc` block.
    Heap,
    /// An `argv` string or the `argv` array.
    Argv,
    /// An attachment of kernel shared object `object` (bytes live in the kernel).
    Shared {
        /// Kernel id of the object.
        object: u32,
        /// Its size in bytes.
        size: u32,
    },
}

/// A pointer-like value stored in memory: `width` bytes at `offset` hold `value`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Provenance {
    /// First byte.
    pub offset: u32,
    /// Bytes covered.
    pub width: u8,
    /// The tagged value (pointer, function or pid).
    pub value: Value,
}

/// One memory object: its bytes and the tagged values stored in them (sorted by offset).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Region {
    /// What it is.
    pub kind: RegionKind,
    /// The bytes (empty for shared objects).
    pub bytes: Vec<u8>,
    /// Tagged values stored in `bytes`, sorted by offset, never overlapping.
    pub pointers: SmallVec<[Provenance; 2]>,
}

impl Region {
    /// A zeroed region of `size` bytes.
    pub fn zeroed(kind: RegionKind, size: usize) -> Region {
        Region {
            kind,
            bytes: vec![0; size],
            pointers: SmallVec::new(),
        }
    }

    /// Size in bytes.
    pub fn len(&self) -> u32 {
        match self.kind {
            RegionKind::Shared { size, .. } => size,
            _ => self.bytes.len() as u32,
        }
    }

    /// Forgets tagged values overlapping `offset..offset + len`.
    pub fn clear_provenance(&mut self, offset: u32, len: u32) {
        let end = offset.saturating_add(len);
        self.pointers
            .retain(|p| p.offset + u32::from(p.width) <= offset || p.offset >= end);
    }

    /// Remembers `value` stored at `offset` (after [`Region::clear_provenance`]).
    pub fn set_provenance(&mut self, offset: u32, width: u8, value: Value) {
        let at = self.pointers.partition_point(|p| p.offset < offset);
        self.pointers.insert(
            at,
            Provenance {
                offset,
                width,
                value,
            },
        );
    }

    /// The tagged value stored exactly at `offset`, if any.
    pub fn provenance_at(&self, offset: u32) -> Option<Provenance> {
        self.pointers
            .binary_search_by_key(&offset, |p| p.offset)
            .ok()
            .map(|i| self.pointers[i])
    }
}

/// The made-up address of a value as `%p` prints it and as its bytes are stored: stable per
/// region, in the ranges Linux uses (heap and data near `0x5555…`, stack near `0x7ffe…`).
pub fn address(value: Value, memory: Option<&Memory>) -> u64 {
    match value {
        Value::Int(n) | Value::Pid(n) => n as u64,
        Value::Func(f) => 0x5555_5555_1000 + u64::from(f.0) * 0x40,
        Value::Ptr(p) => {
            let id = p.region.0;
            let base = if id & RegionId::STATIC != 0 {
                0x5555_5555_6000 + (u64::from(id & !RegionId::STATIC) << 12)
            } else {
                let kind = memory.and_then(|m| m.region(p.region)).map(|r| r.kind);
                let top = match kind {
                    Some(RegionKind::Frame { .. } | RegionKind::Argv) => 0x7ffe_0000_0000,
                    Some(RegionKind::Shared { .. }) => 0x7f00_0000_0000,
                    _ => 0x5555_5556_0000,
                };
                top + (u64::from(id) << 20)
            };
            base + u64::from(p.offset)
        }
    }
}
