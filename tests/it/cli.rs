//! The user-facing end: expectations on hand-built outcomes, reports, and exit codes.

mod build;
mod exit;
mod expect;
mod report;
