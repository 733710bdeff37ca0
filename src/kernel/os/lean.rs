//! Keeping the interpreter cheap to fork: every real `fork` copies the page tables of the
//! memory the interpreter has touched and every mapping it holds, and both processes then
//! copy each page they write, so the run starts from as little touched memory as it can.

/// Makes this process lean before a real run compiles and forks anything: no transparent
/// huge pages (prctl(2) `PR_SET_THP_DISABLE`; a huge page is 2 MiB to clear when first
/// touched and makes a small heap look large to every process of the run), and a single
/// `malloc` arena in the C library (mallopt(3) `M_ARENA_MAX`), so a short-lived thread
/// such as the parser's leaves no arena of its own to map, lock and copy at every `fork`.
/// Call it first thing; both settings only cost time, never change what a run does.
pub fn prepare() {
    let _ = nix::sys::prctl::set_thp_disable(true);
    // SAFETY: mallopt only changes the C library's allocator parameters; it is called
    // before this process starts any thread of its own.
    unsafe { libc::mallopt(libc::M_ARENA_MAX, 1) };
}
