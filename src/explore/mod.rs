//! Every schedule: a stateful search over canonical global states whose transitions are
//! labelled with their terminal output, and the analysis of the resulting graph into the
//! distinct outcomes.

pub mod graph;
pub mod outputs;
pub mod search;
pub mod session;
