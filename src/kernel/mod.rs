//! Kernels: what answers the VM's requests. `sim` is deterministic and in memory; `os`
//! makes real system calls.

pub mod os;
pub mod sim;
