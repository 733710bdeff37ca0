//! The allocator of the `scn` process: mimalloc, except in `scn run --backend os`, whose
//! interpreter forks for every scenario process and so uses the C library's `malloc`, chosen
//! before the first allocation from the command line.
//!
//! mimalloc is the fast choice for the simulator, which allocates and frees program states
//! by the million. A real run allocates little, but every `fork` copies the page tables of
//! the heap and links each of its mappings into the child: mimalloc's reserved arena and
//! its metadata are two more mappings, and its one page per size class spreads a small heap
//! over several hundred KiB. With `malloc` and one arena growing by `brk`, a scenario
//! process of a small scenario has 224 KiB of private memory instead of 644 KiB, and two
//! mappings fewer.

use std::alloc::{GlobalAlloc, Layout, System};
use std::ffi::{c_char, c_int, CStr};
use std::sync::atomic::{AtomicBool, Ordering};

/// Set (once, before `main` and before any allocation) when this process is a real run.
static REAL_RUN: AtomicBool = AtomicBool::new(false);

/// The global allocator of `scn` (`#[global_allocator]` in `main.rs`): mimalloc, or the C
/// library's `malloc` for `scn run --backend os`. The choice is made before anything is
/// allocated and never changes, so every block is freed by the allocator that made it.
#[derive(Clone, Copy, Debug, Default)]
pub struct Allocator;

fn real_run() -> bool {
    REAL_RUN.load(Ordering::Relaxed)
}

// SAFETY: every call is forwarded to one of two allocators that uphold the GlobalAlloc
// contract, always the same one for the life of the process (see `choose`).
unsafe impl GlobalAlloc for Allocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if real_run() {
            // SAFETY: forwarded as received.
            unsafe { System.alloc(layout) }
        } else {
            // SAFETY: forwarded as received.
            unsafe { mimalloc::MiMalloc.alloc(layout) }
        }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if real_run() {
            // SAFETY: forwarded as received.
            unsafe { System.alloc_zeroed(layout) }
        } else {
            // SAFETY: forwarded as received.
            unsafe { mimalloc::MiMalloc.alloc_zeroed(layout) }
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if real_run() {
            // SAFETY: `ptr` came from the same allocator (the choice never changes).
            unsafe { System.dealloc(ptr, layout) }
        } else {
            // SAFETY: as above.
            unsafe { mimalloc::MiMalloc.dealloc(ptr, layout) }
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if real_run() {
            // SAFETY: `ptr` came from the same allocator (the choice never changes).
            unsafe { System.realloc(ptr, layout, new_size) }
        } else {
            // SAFETY: as above.
            unsafe { mimalloc::MiMalloc.realloc(ptr, layout, new_size) }
        }
    }
}

/// Whether `args` (`argv`, the program name first) ask for `scn run --backend os`.
pub fn is_real_run<'a>(args: impl IntoIterator<Item = &'a [u8]>) -> bool {
    let mut args = args.into_iter().skip(1);
    if args.next() != Some(b"run".as_slice()) {
        return false;
    }
    let mut after_backend = false;
    for arg in args {
        if arg == b"--" {
            return false;
        }
        if (after_backend && arg == b"os") || arg == b"--backend=os" {
            return true;
        }
        after_backend = arg == b"--backend";
    }
    false
}

/// Chooses the allocator from the command line; the C library runs it with `argc`, `argv`
/// and `envp`, as it runs every `.init_array` entry, before `main` and before anything is
/// allocated.
extern "C" fn choose(argc: c_int, argv: *const *const c_char, _envp: *const *const c_char) {
    if argv.is_null() || argc <= 0 {
        return;
    }
    // SAFETY: the C library passes the `argc` NUL-terminated strings of the command line,
    // which live as long as the process.
    let argv = unsafe { std::slice::from_raw_parts(argv, argc as usize) };
    // SAFETY: as above; a null entry is skipped.
    let args = (argv.iter().filter(|a| !a.is_null())).map(|a| unsafe { CStr::from_ptr(*a) });
    if is_real_run(args.map(CStr::to_bytes)) {
        REAL_RUN.store(true, Ordering::Relaxed);
        // SAFETY: mallopt only changes the C library's allocator parameters. Big blocks
        // come from the same `brk` heap rather than from a mapping each.
        unsafe { libc::mallopt(libc::M_MMAP_THRESHOLD, 64 << 20) };
    }
}

/// The `.init_array` entry that runs [`choose`].
#[used]
#[link_section = ".init_array"]
static CHOOSE: extern "C" fn(c_int, *const *const c_char, *const *const c_char) = choose;

#[cfg(test)]
mod tests {
    use super::is_real_run;

    fn real(line: &str) -> bool {
        is_real_run(line.split(' ').map(str::as_bytes))
    }

    #[test]
    fn only_run_on_the_os_backend_is_a_real_run() {
        assert!(real("scn run --backend os a.c"));
        assert!(real("scn run a.c --backend=os"));
        assert!(real("scn run --timeout 3 --backend os a.c"));
        assert!(!real("scn run a.c"));
        assert!(!real("scn run --backend sim a.c"));
        assert!(!real("scn explore --backend os a.c"));
        assert!(!real("scn conform os"));
        assert!(!real("scn run a.c -- --backend os"));
        assert!(!real("scn"));
    }
}
