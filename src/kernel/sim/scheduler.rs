//! The CPU scheduler: the ready queue, the running process and the policies of
//! `config.policy` (FCFS, round robin, random), counting context switches.

use crate::config::{Config, ForkRuns, Policy};
use std::collections::VecDeque;

/// One CPU and its ready queue.
#[derive(Debug)]
pub struct Scheduler {
    policy: Policy,
    quantum: u64,
    fork_runs: ForkRuns,
    ready: VecDeque<u32>,
    running: Option<u32>,
    slice: u64,
    last: Option<u32>,
    rng: fastrand::Rng,
    /// Context switches so far (the CPU went to a different process than the last one).
    pub switches: u64,
}

/// The scheduler's choice for the next visible action.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Dispatch {
    /// The process that runs.
    pub process: u32,
    /// The running process it took the CPU from (now Ready), if any.
    pub preempted: Option<u32>,
    /// Whether this is a context switch (a different process than the last one to run).
    pub switched: bool,
}

impl Scheduler {
    /// An idle CPU under the policy and settings of `config`.
    pub fn new(config: &Config) -> Scheduler {
        Scheduler {
            policy: config.policy,
            quantum: config.quantum.max(1),
            fork_runs: config.fork_runs,
            ready: VecDeque::new(),
            running: None,
            slice: 0,
            last: None,
            rng: fastrand::Rng::with_seed(config.seed),
            switches: 0,
        }
    }

    /// Whether no process is ready or running.
    pub fn is_idle(&self) -> bool {
        self.running.is_none() && self.ready.is_empty()
    }

    /// Puts `p` at the tail of the ready queue.
    pub fn make_ready(&mut self, p: u32) {
        self.ready.push_back(p);
    }

    /// A new child `child` of the running process is ready. Under `fifo` with
    /// `fork_runs = child` it takes the CPU and the parent goes to the head of the queue;
    /// returns the preempted parent then.
    pub fn forked(&mut self, child: u32) -> Option<u32> {
        if self.policy == Policy::Fifo && self.fork_runs == ForkRuns::Child {
            if let Some(parent) = self.running.take() {
                self.ready.push_front(parent);
                self.ready.push_front(child);
                return Some(parent);
            }
        }
        self.ready.push_back(child);
        None
    }

    /// The running process left the CPU (it blocked or terminated).
    pub fn leave(&mut self) {
        self.running = None;
    }

    /// A visible action of the running process was performed.
    pub fn performed(&mut self) {
        self.slice += 1;
    }

    /// Removes `p` (killed) from the ready queue or the CPU.
    pub fn remove(&mut self, p: u32) {
        if self.running == Some(p) {
            self.running = None;
        } else if let Some(i) = self.ready.iter().position(|&q| q == p) {
            self.ready.remove(i);
        }
    }

    /// Picks the process for the next visible action by the policy; `None` when idle.
    pub fn next(&mut self) -> Option<Dispatch> {
        let keep = match self.policy {
            Policy::Fifo => self.running.is_some(),
            Policy::RoundRobin => self.running.is_some() && self.slice < self.quantum,
            Policy::Random => false,
        };
        if keep {
            return self.running.map(|p| self.dispatch(p, None));
        }
        let preempted = self.running.take();
        if let Some(p) = preempted {
            self.ready.push_back(p);
        }
        let p = match self.policy {
            Policy::Random if !self.ready.is_empty() => {
                let i = self.rng.usize(..self.ready.len());
                self.ready.swap_remove_back(i)?
            }
            _ => self.ready.pop_front()?,
        };
        Some(self.dispatch(p, preempted.filter(|&q| q != p)))
    }

    /// Gives the CPU to `p`, which must be running or ready (a replayed schedule's choice);
    /// `None` if it is neither.
    pub fn take(&mut self, p: u32) -> Option<Dispatch> {
        if self.running == Some(p) {
            return Some(self.dispatch(p, None));
        }
        let i = self.ready.iter().position(|&q| q == p)?;
        self.ready.remove(i);
        let preempted = self.running.take();
        if let Some(q) = preempted {
            self.ready.push_back(q);
        }
        Some(self.dispatch(p, preempted))
    }

    /// Which of `ready` threads of the dispatched process performs its next action, given
    /// that thread `current` did the last one: under `fifo` the same thread until it blocks,
    /// under round robin the next one at each new quantum, under `random` any.
    pub fn thread_turn(&mut self, current: u32, ready: &[u32]) -> u32 {
        match self.policy {
            Policy::Fifo => current,
            Policy::RoundRobin if self.slice > 0 => current,
            Policy::RoundRobin => (ready.iter().copied())
                .find(|&u| u > current)
                .unwrap_or(ready[0]),
            Policy::Random => ready[self.rng.usize(..ready.len())],
        }
    }

    fn dispatch(&mut self, p: u32, preempted: Option<u32>) -> Dispatch {
        if self.running != Some(p) {
            self.slice = 0;
        }
        self.running = Some(p);
        let switched = self.last.is_some_and(|q| q != p);
        self.switches += u64::from(switched);
        self.last = Some(p);
        Dispatch {
            process: p,
            preempted,
            switched,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scheduler(policy: Policy, quantum: u64) -> Scheduler {
        Scheduler::new(&Config {
            policy,
            quantum,
            ..Config::default()
        })
    }

    /// Runs `actions` visible actions, each process performing one per dispatch and never
    /// blocking; returns who ran each.
    fn trace(s: &mut Scheduler, actions: usize) -> Vec<u32> {
        (0..actions)
            .map(|_| {
                let d = s.next().expect("a ready process");
                s.performed();
                d.process
            })
            .collect()
    }

    #[test]
    fn fifo_keeps_the_cpu_until_it_is_left() {
        let mut s = scheduler(Policy::Fifo, 1);
        for p in 0..3 {
            s.make_ready(p);
        }
        assert_eq!(trace(&mut s, 3), [0, 0, 0]);
        s.leave();
        assert_eq!(trace(&mut s, 2), [1, 1]);
        s.leave();
        assert_eq!(trace(&mut s, 1), [2]);
        assert_eq!(s.switches, 2);
        s.leave();
        assert!(s.next().is_none());
    }

    #[test]
    fn round_robin_rotates_every_quantum() {
        let mut s = scheduler(Policy::RoundRobin, 2);
        for p in 0..3 {
            s.make_ready(p);
        }
        assert_eq!(trace(&mut s, 8), [0, 0, 1, 1, 2, 2, 0, 0]);
        assert_eq!(s.switches, 3);
    }

    #[test]
    fn fork_runs_child_puts_the_parent_next() {
        let mut s = Scheduler::new(&Config {
            fork_runs: ForkRuns::Child,
            ..Config::default()
        });
        s.make_ready(0);
        s.make_ready(5);
        assert_eq!(s.next().map(|d| d.process), Some(0));
        assert_eq!(s.forked(1), Some(0));
        assert_eq!(s.next().map(|d| d.process), Some(1));
        s.leave();
        assert_eq!(s.next().map(|d| d.process), Some(0));
    }

    #[test]
    fn fork_runs_parent_queues_the_child() {
        let mut s = scheduler(Policy::Fifo, 1);
        s.make_ready(0);
        s.next();
        assert_eq!(s.forked(1), None);
        assert_eq!(trace(&mut s, 2), [0, 0]);
    }

    #[test]
    fn random_is_reproducible_and_fair() {
        let run = |seed| {
            let mut s = Scheduler::new(&Config {
                policy: Policy::Random,
                seed,
                ..Config::default()
            });
            for p in 0..3 {
                s.make_ready(p);
            }
            trace(&mut s, 300)
        };
        assert_eq!(run(7), run(7));
        let counts = run(7).iter().fold([0; 3], |mut c, &p| {
            c[p as usize] += 1;
            c
        });
        assert!(counts.iter().all(|&c| c > 50), "{counts:?}");
    }

    #[test]
    fn take_forces_a_ready_process_and_preempts() {
        let mut s = scheduler(Policy::Fifo, 1);
        s.make_ready(0);
        s.make_ready(1);
        s.next();
        let d = s.take(1).expect("1 is ready");
        assert_eq!((d.process, d.preempted, d.switched), (1, Some(0), true));
        assert!(s.take(7).is_none());
        s.leave();
        assert_eq!(s.next().map(|d| d.process), Some(0));
    }

    #[test]
    fn removed_processes_are_never_picked() {
        let mut s = scheduler(Policy::Fifo, 1);
        s.make_ready(0);
        s.make_ready(1);
        s.remove(0);
        assert_eq!(s.next().map(|d| d.process), Some(1));
        s.remove(1);
        assert!(s.is_idle());
    }
}
