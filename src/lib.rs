//! Proscenium: run scenarios of operating-system processes on a simulated kernel (one
//! schedule or every schedule) or on the real one, and report what happened.
//!
//! The pipeline, one module per stage, data flowing one way:
//!
//! ```text
//! source → syntax (pest) → check (diagnostics) → ir (lowering) → vm (one process)
//!        → kernel::sim | kernel::os → run (one schedule) → expect → report → cli
//! ```

pub mod calls;
pub mod check;
pub mod cli;
pub mod config;
pub mod conform;
pub mod errno;
pub mod expect;
pub mod explore;
pub mod ir;
pub mod kernel;
pub mod outcome;
pub mod report;
pub mod run;
pub mod scenario;
pub mod syntax;
pub mod vm;
