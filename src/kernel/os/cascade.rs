//! Cascading termination on the real kernel (`config { cascading_termination = on; }`, the
//! seed notes' "some operating systems do not allow a child to exist if its parent has
//! terminated"): Linux has none, so a process that ends first kills its descendants with
//! `SIGKILL`, deepest first, as the simulator does.

use super::containment::descendants;
use super::process::Process;
use super::record::Record;
use nix::sys::signal::{kill, Signal};
use nix::unistd::{getpid, Pid};
use std::time::Duration;

/// How often a dying descendant is looked at until it is a zombie.
const POLL: Duration = Duration::from_micros(200);

impl Process<'_> {
    /// With cascading termination, kills every live descendant (deepest first, each a
    /// zombie before its parent is killed, so none is orphaned on the way) and tells the
    /// supervisor of each before this process ends.
    pub(super) fn cascade(&mut self) {
        if !self.scenario.config.cascading_termination {
            return;
        }
        loop {
            let live: Vec<Pid> = (descendants(getpid()).into_iter())
                .filter(|&p| !is_dead(p))
                .collect();
            if live.is_empty() {
                return;
            }
            // Parents come before their children in the list: the last are the deepest.
            for &pid in live.iter().rev() {
                if kill(pid, Signal::SIGKILL).is_ok() {
                    while !is_dead(pid) {
                        std::thread::sleep(POLL);
                    }
                    self.report(&Record::Cascaded {
                        pid: i64::from(pid.as_raw()),
                    });
                }
            }
        }
    }
}

/// Whether `pid` is a zombie or gone, from `/proc/<pid>/stat`.
fn is_dead(pid: Pid) -> bool {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return true;
    };
    let state = stat
        .rfind(')')
        .and_then(|i| stat[i + 1..].split_whitespace().next());
    matches!(state, Some("Z" | "X") | None)
}
