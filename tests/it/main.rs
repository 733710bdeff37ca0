//! The integration tests: one crate, one module per area, each running the real `scn` binary.

mod test;

mod docs;
mod scenarios;
