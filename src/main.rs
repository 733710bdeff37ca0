//! The `scn` command: everything happens in [`proscenium::cli`].

/// mimalloc, except for `scn run --backend os` (see [`proscenium::kernel::os::Allocator`]):
/// a simulated run allocates and frees small program states by the million (one per
/// process), where glibc spends a quarter of the time consolidating free chunks.
#[global_allocator]
static ALLOCATOR: proscenium::kernel::os::Allocator = proscenium::kernel::os::Allocator;

fn main() {
    std::process::exit(proscenium::cli::main());
}
