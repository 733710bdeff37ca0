//! Links `scn` as a position-dependent executable: a PIE's thousands of relative
//! relocations are applied at every start, and the pages they write are private copies that
//! every `fork` of the real backend then copies the page tables of.

fn main() {
    println!("cargo:rustc-link-arg-bins=-no-pie");
}
