//! Lowering of checked functions to VM code.
