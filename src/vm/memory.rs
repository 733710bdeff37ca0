//! A process's region table (copy-on-write across `fork`) and every access to it: bounds,
//! null, freed and read-only checks, loads and stores keeping pointer provenance.

pub use super::region::{address, Provenance, Region, RegionKind};
use super::value::{Ptr, RegionId, Value};
use super::Env;
use crate::ir::{Image, Place, Scalar};
use smallvec::SmallVec;
use std::rc::Rc;

/// Why an access failed (the interpreter adds the span).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fault {
    /// What kind.
    pub kind: super::FaultKind,
    /// The sentence for the report.
    pub message: String,
}

impl Fault {
    /// A fault of `kind` with `message`.
    pub fn new(kind: super::FaultKind, message: impl Into<String>) -> Fault {
        Fault {
            kind,
            message: message.into(),
        }
    }
}

/// The region table of one process.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Memory {
    /// Indexed by [`RegionId`]; `None` is free (or a stream / null id).
    regions: Vec<Option<Rc<Region>>>,
    /// Bytes held by private regions.
    used: usize,
    /// The lowest free dynamic id (a function of `regions`, kept to allocate in O(1) when
    /// nothing was freed).
    lowest_free: u32,
}

/// Where a checked access lands.
pub enum Target<'a> {
    /// Private bytes of a region.
    Private(&'a Region),
    /// Bytes of a string literal.
    Static(&'a [u8]),
    /// A shared object, reached through the kernel.
    Shared(u32),
}

impl Memory {
    /// A table holding only the global data region of `image`.
    pub fn new(image: &Image) -> Memory {
        let mut globals = Region::zeroed(RegionKind::Globals, image.data.len());
        globals.bytes.copy_from_slice(&image.data);
        for &(offset, init) in &image.data_pointers {
            let value = super::init_value(init);
            if let Value::Ptr(_) | Value::Func(_) = value {
                globals.bytes[offset as usize..offset as usize + 8]
                    .copy_from_slice(&address(value, None).to_le_bytes());
                globals.set_provenance(offset, 8, value);
            }
        }
        let mut regions = vec![None; RegionId::FIRST_DYNAMIC as usize];
        regions[RegionId::GLOBALS.0 as usize] = Some(Rc::new(globals));
        Memory {
            regions,
            used: image.data.len(),
            lowest_free: RegionId::FIRST_DYNAMIC,
        }
    }

    /// Bytes held by private regions.
    pub fn used(&self) -> usize {
        self.used
    }

    /// Allocates a region at the lowest free dynamic id.
    pub fn allocate(&mut self, region: Region) -> RegionId {
        self.used += region.bytes.len();
        let id = self.lowest_free as usize;
        if id == self.regions.len() {
            self.regions.push(None);
        }
        self.regions[id] = Some(Rc::new(region));
        let next = self.regions[id + 1..].iter().position(Option::is_none);
        self.lowest_free = next.map_or(self.regions.len(), |i| id + 1 + i) as u32;
        RegionId(id as u32)
    }

    /// Frees dynamic region `id`; returns the region if it was live.
    pub fn free(&mut self, id: RegionId) -> Option<Rc<Region>> {
        if id.0 < RegionId::FIRST_DYNAMIC {
            return None;
        }
        let region = self.regions.get_mut(id.0 as usize)?.take()?;
        self.used -= region.bytes.len();
        while matches!(self.regions.last(), Some(None))
            && self.regions.len() > RegionId::FIRST_DYNAMIC as usize
        {
            self.regions.pop();
        }
        self.lowest_free = self.lowest_free.min(id.0).min(self.regions.len() as u32);
        Some(region)
    }

    /// The live region `id` (not string literals).
    pub fn region(&self, id: RegionId) -> Option<&Region> {
        self.regions.get(id.0 as usize)?.as_deref()
    }

    /// The live region `id`, unshared for writing.
    pub fn region_mut(&mut self, id: RegionId) -> Option<&mut Region> {
        self.regions
            .get_mut(id.0 as usize)?
            .as_mut()
            .map(Rc::make_mut)
    }

    /// Checks an access of `len` bytes at `ptr` and says where it lands.
    pub fn check<'a>(
        &'a self,
        image: &'a Image,
        ptr: Ptr,
        len: u32,
        write: bool,
    ) -> Result<Target<'a>, Fault> {
        use super::FaultKind::*;
        let id = ptr.region;
        let end = u64::from(ptr.offset) + u64::from(len);
        if id.0 & RegionId::STATIC != 0 {
            let bytes = image
                .strings
                .get((id.0 & !RegionId::STATIC) as usize)
                .map_or(&[][..], |b| &b[..]);
            if write {
                return Err(Fault::new(
                    ReadOnly,
                    "write into a string literal (read-only memory)",
                ));
            }
            if end > bytes.len() as u64 {
                return Err(out_of_bounds(
                    "a string literal",
                    ptr.offset,
                    len,
                    bytes.len() as u32,
                ));
            }
            return Ok(Target::Static(bytes));
        }
        if id == RegionId::NULL {
            return Err(Fault::new(NullPointer, "dereference of a NULL pointer"));
        }
        if (RegionId::STREAMS.0..RegionId::GLOBALS.0).contains(&id.0) {
            return Err(Fault::new(
                BadPointer,
                "a FILE * is not memory the program may access",
            ));
        }
        let Some(region) = self.region(id) else {
            return Err(Fault::new(
                UseAfterFree,
                "access to memory that was freed (or whose function returned)",
            ));
        };
        if end > u64::from(region.len()) {
            let name = self.describe(image, id);
            return Err(out_of_bounds(&name, ptr.offset, len, region.len()));
        }
        Ok(match region.kind {
            RegionKind::Shared { object, .. } => Target::Shared(object),
            _ => Target::Private(region),
        })
    }

    /// A human name for region `id` (“`buf` in `main`”, “a malloc block”).
    pub fn describe(&self, image: &Image, id: RegionId) -> String {
        let Some(region) = self.region(id) else {
            return "a freed object".into();
        };
        match region.kind {
            RegionKind::Globals => "global data".into(),
            RegionKind::Frame { func, index } => {
                let f = &image.functions[func.0 as usize];
                let name = f
                    .locals
                    .iter()
                    .find(|(_, place, _)| *place == Place::Frame(index));
                match name {
                    Some((name, _, _)) => format!("`{name}` in `{}`", f.name),
                    None => format!("a local object of `{}`", f.name),
                }
            }
            RegionKind::Heap => "a malloc block".into(),
            RegionKind::Argv => "argv".into(),
            RegionKind::Shared { .. } => "shared memory".into(),
        }
    }

    /// Whether no region holds a pid.
    pub fn holds_no_pid(&self) -> bool {
        (self.regions.iter().flatten())
            .all(|r| !r.pointers.iter().any(|p| matches!(p.value, Value::Pid(_))))
    }

    /// Replaces every pid a region holds by `new(pid)` ([`crate::vm::Vm::remap_pids`]).
    pub fn remap_pids(&mut self, new: &dyn Fn(i64) -> i64) {
        for region in self.regions.iter_mut().flatten() {
            let held = |p: &Provenance| matches!(p.value, Value::Pid(_));
            if region.pointers.iter().any(held) {
                for p in &mut Rc::make_mut(region).pointers {
                    if let Value::Pid(pid) = &mut p.value {
                        *pid = new(*pid);
                    }
                }
            }
        }
    }

    /// Whether `ptr` points into a shared object: its kernel id.
    pub fn shared_object(&self, ptr: Ptr) -> Option<u32> {
        match self.region(ptr.region)?.kind {
            RegionKind::Shared { object, .. } => Some(object),
            _ => None,
        }
    }

    /// Loads a scalar of type `scalar` at `ptr`.
    pub fn load(
        &self,
        image: &Image,
        env: &mut dyn Env,
        ptr: Ptr,
        scalar: Scalar,
    ) -> Result<Value, Fault> {
        let size = scalar.size();
        let mut raw = [0u8; 8];
        match self.check(image, ptr, size, false)? {
            Target::Static(bytes) => {
                raw[..size as usize].copy_from_slice(&bytes[range(ptr.offset, size)]);
            }
            Target::Shared(object) => {
                raw[..size as usize].copy_from_slice(&shared(env, object, ptr.offset, size)?);
            }
            Target::Private(region) => {
                if let Some(p) = region.provenance_at(ptr.offset) {
                    if let Some(v) = tagged(p, scalar) {
                        return Ok(v);
                    }
                }
                raw[..size as usize].copy_from_slice(&region.bytes[range(ptr.offset, size)]);
            }
        }
        Ok(Value::Int(super::arith::from_bytes(raw, scalar)))
    }

    /// Stores `value` as a scalar of type `scalar` at `ptr`.
    pub fn store(
        &mut self,
        image: &Image,
        env: &mut dyn Env,
        ptr: Ptr,
        scalar: Scalar,
        value: Value,
    ) -> Result<(), Fault> {
        let size = scalar.size();
        let target = self.check(image, ptr, size, true)?;
        let bytes = address(value, Some(self)).to_le_bytes();
        if let Target::Shared(object) = target {
            let dst = shared_mut(env, object, ptr.offset, size)?;
            dst.copy_from_slice(&bytes[..size as usize]);
            return Ok(());
        }
        let region = self.region_mut(ptr.region).expect("checked region is live");
        region.bytes[range(ptr.offset, size)].copy_from_slice(&bytes[..size as usize]);
        if !region.pointers.is_empty() {
            region.clear_provenance(ptr.offset, size);
        }
        let keep = match value {
            Value::Ptr(_) | Value::Func(_) => scalar == Scalar::Ptr,
            Value::Pid(_) => size >= 4,
            Value::Int(_) => false,
        };
        if keep {
            region.set_provenance(ptr.offset, size as u8, value);
        }
        Ok(())
    }

    /// Reads `len` bytes at `ptr`.
    pub fn read(
        &self,
        image: &Image,
        env: &mut dyn Env,
        ptr: Ptr,
        len: u32,
    ) -> Result<Vec<u8>, Fault> {
        Ok(match self.check(image, ptr, len, false)? {
            Target::Static(bytes) => bytes[range(ptr.offset, len)].to_vec(),
            Target::Private(region) => region.bytes[range(ptr.offset, len)].to_vec(),
            Target::Shared(object) => shared(env, object, ptr.offset, len)?,
        })
    }

    /// Reads the NUL-terminated string at `ptr` (without the NUL).
    pub fn read_cstr(&self, image: &Image, env: &mut dyn Env, ptr: Ptr) -> Result<Vec<u8>, Fault> {
        let avail = match self.check(image, ptr, 0, false)? {
            Target::Static(bytes) => bytes.get(ptr.offset as usize..).unwrap_or(&[]).to_vec(),
            Target::Private(region) => region.bytes[ptr.offset as usize..].to_vec(),
            Target::Shared(object) => {
                let size = match self.region(ptr.region).map(|r| r.kind) {
                    Some(RegionKind::Shared { size, .. }) => size,
                    _ => 0,
                };
                shared(env, object, ptr.offset, size - ptr.offset)?
            }
        };
        match avail.iter().position(|&b| b == 0) {
            Some(n) => Ok(avail[..n].to_vec()),
            None => {
                let name = self.describe(image, ptr.region);
                Err(Fault::new(
                    super::FaultKind::OutOfBounds,
                    format!("string in {name} has no terminating NUL before its end"),
                ))
            }
        }
    }

    /// Writes `data` at `ptr` (plain bytes: tagged values there are forgotten).
    pub fn write(
        &mut self,
        image: &Image,
        env: &mut dyn Env,
        ptr: Ptr,
        data: &[u8],
    ) -> Result<(), Fault> {
        let len = data.len() as u32;
        if let Target::Shared(object) = self.check(image, ptr, len, true)? {
            shared_mut(env, object, ptr.offset, len)?.copy_from_slice(data);
            return Ok(());
        }
        let region = self.region_mut(ptr.region).expect("checked region is live");
        region.bytes[range(ptr.offset, len)].copy_from_slice(data);
        region.clear_provenance(ptr.offset, len);
        Ok(())
    }

    /// Copies `len` bytes from `src` to `dst` (overlap allowed), tagged values included.
    pub fn copy(
        &mut self,
        image: &Image,
        env: &mut dyn Env,
        dst: Ptr,
        src: Ptr,
        len: u32,
    ) -> Result<(), Fault> {
        let data = self.read(image, env, src, len)?;
        let tags: SmallVec<[Provenance; 2]> = match self.region(src.region) {
            Some(r) if !r.pointers.is_empty() => r
                .pointers
                .iter()
                .filter(|p| {
                    p.offset >= src.offset && p.offset + u32::from(p.width) <= src.offset + len
                })
                .copied()
                .collect(),
            _ => SmallVec::new(),
        };
        self.write(image, env, dst, &data)?;
        if let Some(region) = self.region_mut(dst.region) {
            for p in tags {
                let at = p.offset - src.offset + dst.offset;
                region.set_provenance(at, p.width, p.value);
            }
        }
        Ok(())
    }
}

fn range(offset: u32, len: u32) -> std::ops::Range<usize> {
    offset as usize..offset as usize + len as usize
}

/// An access of `len` bytes from `offset` that does not fit in an object of `size` bytes:
/// the message names the first byte past the end (`strcpy` into `char b[4]` of a longer
/// string overflows at byte 4, not at byte 0 where the copy starts).
fn out_of_bounds(name: &str, offset: u32, len: u32, size: u32) -> Fault {
    let message = if len <= 1 || offset >= size {
        format!("access at byte {offset} of {name}, which has {size} bytes")
    } else {
        let last = u64::from(offset) + u64::from(len) - 1;
        format!(
            "{len} bytes from byte {offset} reach byte {last} of {name}, which has {size} bytes"
        )
    };
    Fault::new(super::FaultKind::OutOfBounds, message)
}

fn tagged(p: Provenance, scalar: Scalar) -> Option<Value> {
    match p.value {
        Value::Ptr(_) | Value::Func(_) if scalar == Scalar::Ptr => Some(p.value),
        Value::Pid(n) if scalar.size() == u32::from(p.width) => Some(Value::Pid(n)),
        _ => None,
    }
}

fn shared(env: &mut dyn Env, object: u32, offset: u32, len: u32) -> Result<Vec<u8>, Fault> {
    Ok(shared_mut(env, object, offset, len)?.to_vec())
}

fn shared_mut(env: &mut dyn Env, object: u32, offset: u32, len: u32) -> Result<&mut [u8], Fault> {
    let bytes = env.shared(object).ok_or_else(|| {
        Fault::new(
            super::FaultKind::UseAfterFree,
            "access to a shared memory object that no longer exists",
        )
    })?;
    bytes.get_mut(range(offset, len)).ok_or_else(|| {
        Fault::new(
            super::FaultKind::OutOfBounds,
            format!("access at byte {offset} is outside shared memory"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_reused_lowest_first_and_tables_compare_by_content() {
        let image = crate::vm::tests::main_image(&[], Vec::new(), &[]);
        let mut m = Memory::new(&image);
        let fresh = m.clone();
        let block = || Region::zeroed(RegionKind::Heap, 4);
        let ids: Vec<u32> = (0..4).map(|_| m.allocate(block()).0).collect();
        assert_eq!(ids, [5, 6, 7, 8]);
        m.free(RegionId(7));
        m.free(RegionId(6));
        assert_eq!(m.allocate(block()), RegionId(6));
        assert_eq!(m.allocate(block()), RegionId(7));
        assert_eq!(m.allocate(block()), RegionId(9));
        for id in [9, 8, 7, 6, 5] {
            m.free(RegionId(id));
        }
        assert_eq!(m, fresh);
    }

    #[test]
    fn partial_overwrite_drops_a_stored_pointer() {
        let image = crate::vm::tests::main_image(&[], Vec::new(), &[]);
        let mut m = Memory::new(&image);
        let id = m.allocate(Region::zeroed(RegionKind::Heap, 16));
        let at = |offset| Ptr { region: id, offset };
        let target = Value::Ptr(at(8));
        m.store(&image, &mut crate::vm::NoEnv, at(0), Scalar::Ptr, target)
            .unwrap();
        assert_eq!(
            m.load(&image, &mut crate::vm::NoEnv, at(0), Scalar::Ptr)
                .unwrap(),
            target
        );
        m.store(
            &image,
            &mut crate::vm::NoEnv,
            at(4),
            Scalar::U8,
            Value::Int(1),
        )
        .unwrap();
        let loaded = m
            .load(&image, &mut crate::vm::NoEnv, at(0), Scalar::Ptr)
            .unwrap();
        assert!(matches!(loaded, Value::Int(_)), "{loaded:?}");
    }
}
