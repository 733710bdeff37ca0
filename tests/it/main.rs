//! The integration tests: one crate, one module per area. Tests that run scenarios run the
//! real `scn` binary (through [`test::Test`]) or the simulator in-process (it never forks).

mod test;

mod check;
mod cli;
mod conform;
mod docs;
mod explore;
mod laws;
mod os;
mod os_mailbox;
mod os_threads;
mod scenarios;
mod syntax;
mod threads;
