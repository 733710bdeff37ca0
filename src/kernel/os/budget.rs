//! The process budget: one counter in memory shared by every process of the run
//! (`MAP_SHARED`), so a `fork` anywhere in the tree can tell whether the run may grow.
//!
//! Root is not limited by `RLIMIT_NPROC`, so the interpreter counts processes itself.

use nix::sys::mman::{mmap_anonymous, munmap, MapFlags, ProtFlags};
use std::num::NonZeroUsize;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicU64, Ordering};

/// A shared count of the processes created in the run, with its limit.
#[derive(Debug)]
pub struct Budget {
    counter: NonNull<AtomicU64>,
    limit: u64,
}

impl Budget {
    /// A budget of `limit` processes, the initial one already counted. Must be made before
    /// the first `fork` so every process shares the same page.
    ///
    /// # Errors
    /// The `mmap(2)` error.
    pub fn new(limit: u64) -> nix::Result<Budget> {
        let len = NonZeroUsize::new(size_of::<AtomicU64>()).expect("non-zero size");
        // SAFETY: a fresh anonymous mapping at an address the kernel picks aliases no Rust
        // object; it is page-aligned, so aligned for an AtomicU64, and zero-filled, which is
        // a valid AtomicU64.
        let page = unsafe {
            mmap_anonymous(
                None,
                len,
                ProtFlags::PROT_READ | ProtFlags::PROT_WRITE,
                MapFlags::MAP_SHARED,
            )?
        };
        let counter = page.cast::<AtomicU64>();
        let budget = Budget { counter, limit };
        budget.shared().store(1, Ordering::SeqCst);
        Ok(budget)
    }

    fn shared(&self) -> &AtomicU64 {
        // SAFETY: `counter` points into the mapping made in `new`, which lives until `drop`;
        // other processes touch it only through atomic operations.
        unsafe { self.counter.as_ref() }
    }

    /// Counts one more process and returns its ticket (the initial process has 0, each
    /// new one the next number); `None` (and nothing counted that matters) if that would
    /// exceed the limit.
    pub fn take(&self) -> Option<usize> {
        let ticket = self.shared().fetch_add(1, Ordering::SeqCst);
        (ticket < self.limit).then_some(ticket as usize)
    }
}

impl Drop for Budget {
    fn drop(&mut self) {
        // SAFETY: the mapping was made in `new` with this length, and no reference to it
        // outlives `self`.
        let _ = unsafe { munmap(self.counter.cast(), size_of::<AtomicU64>()) };
    }
}
