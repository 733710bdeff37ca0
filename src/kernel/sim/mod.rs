//! The simulated kernel: process table, scheduler, and the system calls, in memory.

pub mod bin;
