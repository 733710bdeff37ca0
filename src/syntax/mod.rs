//! Parsing: source text to the [`ast::Scenario`] with spans, or [`SyntaxError`]s.

pub mod ast;
mod error;
mod parser;
mod preprocess;
mod printer;
mod remap;
pub mod span;
mod suggest;

pub use error::SyntaxError;
pub use parser::{parse, MAX_NESTING};
pub use printer::print;
pub use suggest::did_you_mean;
