//! The virtual clock (microseconds) and the queue of sleeping processes (`sleep(3)`).
//!
//! Time stands still while any process is ready: it jumps to the earliest wake-up only when
//! the CPU would otherwise be idle, so runs are deterministic and never wait for real time.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// The clock and its sleepers.
#[derive(Debug, Default)]
pub struct Clock {
    /// Virtual time now, in microseconds since the run started.
    pub now: u64,
    /// `(wake-up time, process)`, earliest first; ties wake in the order they slept.
    sleepers: BinaryHeap<Reverse<(u64, u64, u32)>>,
    sequence: u64,
}

impl Clock {
    /// Process `p` sleeps for `micros`; returns its wake-up time.
    pub fn sleep(&mut self, p: u32, micros: u64) -> u64 {
        let until = self.now.saturating_add(micros);
        self.sleepers.push(Reverse((until, self.sequence, p)));
        self.sequence += 1;
        until
    }

    /// The earliest sleeper for which `still_asleep(process, until)` holds (entries of
    /// processes killed meanwhile are dropped), without removing it.
    pub fn earliest(&mut self, still_asleep: impl Fn(u32, u64) -> bool) -> Option<u64> {
        while let Some(&Reverse((until, _, p))) = self.sleepers.peek() {
            if still_asleep(p, until) {
                return Some(until);
            }
            self.sleepers.pop();
        }
        None
    }

    /// Advances the clock to `until` and returns every process due by then, in order.
    pub fn advance_to(&mut self, until: u64) -> Vec<(u32, u64)> {
        self.now = self.now.max(until);
        let mut due = Vec::new();
        while let Some(&Reverse((t, _, p))) = self.sleepers.peek() {
            if t > self.now {
                break;
            }
            self.sleepers.pop();
            due.push((p, t));
        }
        due
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wakes_earliest_first_and_ties_in_order() {
        let mut clock = Clock::default();
        assert_eq!(clock.sleep(0, 2_000_000), 2_000_000);
        clock.sleep(1, 1_000_000);
        clock.sleep(2, 1_000_000);
        let t = clock.earliest(|_, _| true).unwrap();
        assert_eq!(t, 1_000_000);
        assert_eq!(clock.advance_to(t), [(1, t), (2, t)]);
        assert_eq!(clock.now, 1_000_000);
        assert_eq!(clock.sleep(3, 500_000), 1_500_000);
        assert_eq!(clock.earliest(|p, _| p != 3), Some(2_000_000));
        assert_eq!(clock.advance_to(2_000_000), [(0, 2_000_000)]);
    }
}
