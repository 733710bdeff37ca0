//! The simulated kernel: process table, scheduler, and the system calls, in memory.
//!
//! Deterministic: the same scenario, configuration and schedule give the same outcome. One
//! CPU, a virtual clock, and pids handed out in creation order from `config.first_pid`.

pub mod bin;
mod clock;
mod cond;
mod end;
mod explorable;
mod fifo;
mod files;
mod footprint;
mod forks;
mod interleave;
mod ipc;
mod kernel;
mod mailbox;
mod msgqueue;
mod namespace;
mod pcb;
mod pipe;
mod process;
mod regular;
mod schedule;
mod scheduler;
mod shared;
mod shm;
mod sigmask;
mod signal;
mod socket;
mod socket_io;
mod symmetry;
mod sync;
mod thread;

pub use explorable::{fates_of, terminal_output, EndKey, Explorable, Fate, Move};
pub use kernel::{Kernel, Machine, Options};
pub use pcb::{format_micros, Block, INIT_PID};
pub use schedule::{Schedule, ScheduleError, BLOCKS};

#[cfg(test)]
mod tests;
