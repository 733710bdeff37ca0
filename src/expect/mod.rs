//! Expectations: evaluating `expect` statements on one outcome or on all of them.
