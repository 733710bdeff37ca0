//! Checking: names, types and everything else about a parsed scenario that can be wrong
//! before it runs, reported as miette diagnostics with "did you mean" suggestions.
//!
//! Name resolution and typing happen as the lowering walks the program (`ir::lower`), which
//! reports through [`CheckError`]; this module owns the type model, the errors, the
//! suggestions, and the checks of the declarative parts (`expect`, `config`).

mod error;
mod scenario;
mod types;

pub use crate::syntax::did_you_mean;
pub use error::CheckError;
pub use scenario::{check_config, check_expects, check_files};
pub use types::{FuncType, Member, StructDef, StructId, Structs, Type};
