//! The `scn` command: everything happens in [`proscenium::cli`].

/// mimalloc instead of glibc's malloc: a simulated run allocates and frees small program
/// states by the million (one per process), where glibc spends a quarter of the time
/// consolidating free chunks.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    std::process::exit(proscenium::cli::main());
}
