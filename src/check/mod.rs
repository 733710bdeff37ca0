//! Checking: names, types and everything else about a parsed scenario that can be wrong
//! before it runs, reported as miette diagnostics with "did you mean" suggestions.
