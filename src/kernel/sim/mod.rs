//! The simulated kernel: process table, scheduler, and the system calls, in memory.
//!
//! Deterministic: the same scenario, configuration and schedule give the same outcome. One
//! CPU, a virtual clock, and pids handed out in creation order from `config.first_pid`.

pub mod bin;
mod clock;
mod end;
mod explorable;
mod files;
mod kernel;
mod pcb;
mod pipe;
mod process;
mod schedule;
mod scheduler;

pub use explorable::{EndKey, Explorable, Fate};
pub use kernel::{Kernel, Machine, Options};
pub use pcb::INIT_PID;
pub use schedule::{Schedule, ScheduleError};

#[cfg(test)]
mod tests;
