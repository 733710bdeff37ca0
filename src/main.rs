//! The `scn` command: everything happens in [`proscenium::cli`].

fn main() {
    std::process::exit(proscenium::cli::main());
}
