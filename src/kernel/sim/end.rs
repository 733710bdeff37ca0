//! How a run ends: finished or deadlocked, and the outcome built from the process table.

use super::interleave;
use super::kernel::Kernel;
use super::shared::Shared;
use super::thread::blocked_on;
use crate::outcome::{End, Outcome, ProcessRecord};
use crate::vm::Vm;

impl Kernel<'_> {
    /// How the run ends when no process can run: finished, or a deadlock.
    pub(super) fn idle_end(&self) -> End {
        if self.table.alive == 0 {
            return End::Finished;
        }
        let waiting = (self.table.pcbs.iter().enumerate())
            .filter_map(|(i, pcb)| {
                pcb.live.as_ref()?.block?;
                Some((i, blocked_on(&self.table, i as u32)?))
            })
            .collect();
        End::Deadlock { waiting }
    }

    /// The outcome: the final records (zombies, blocked calls, variables of processes still
    /// alive) and the schedule that ran.
    pub(super) fn finish(self, end: End) -> Outcome {
        let schedule = schedule_text(&self.log, &self.table.records);
        // Only processes still alive are blocked (a million finished ones are not).
        let mut blocked: Vec<(usize, String)> = (0..self.table.pcbs.len() as u32)
            .filter_map(|p| Some((p as usize, blocked_on(&self.table, p)?)))
            .collect();
        blocked.reverse();
        let watched = &self.scenario.watched;
        let mut processes: Vec<ProcessRecord> = (self.table.records.into_iter())
            .map(Shared::into_inner)
            .collect();
        // Only zombies and survivors need their record touched (a million finished
        // processes are neither).
        for (p, (record, pcb)) in processes.iter_mut().zip(self.table.pcbs).enumerate() {
            if pcb.zombie {
                record.zombie_at_end = true;
                record.zombie_micros = self.clock.now - pcb.exited_at;
            }
            if let Some(live) = pcb.live {
                if blocked.last().is_some_and(|&(q, _)| q == p) {
                    record.blocked_on = blocked.pop().map(|(_, phrase)| phrase);
                }
                record.variables = read_variables(&live.vm, watched);
            }
        }
        let files = super::regular::files_at_end(&self.ipc);
        Outcome {
            processes,
            files,
            output: self.output,
            end,
            context_switches: self.scheduler.switches,
            steps: self.steps,
            clock_micros: self.clock.now,
            schedule,
            unsupported: self.unsupported.into_iter().map(String::from).collect(),
        }
    }
}

/// The schedule notation (`main*3 main.1*2`) of runs `(process, actions)`, written straight
/// into one string of the exact size: a run of a million processes has millions of runs.
fn schedule_text(log: &[(u32, u64)], records: &[Shared<ProcessRecord>]) -> String {
    let digits = |n: u64| n.checked_ilog10().unwrap_or(0) as usize + 1;
    let name = |choice: u32| -> std::borrow::Cow<'_, str> {
        match interleave::split(choice) {
            (p, 0) => records[p as usize].name.as_str().into(),
            (p, t) => interleave::thread_name(&records[p as usize].name, t).into(),
        }
    };
    let size = log
        .iter()
        .map(|&(p, n)| name(p).len() + digits(n) + 2)
        .sum();
    let mut text = String::with_capacity(size);
    for &(p, n) in log {
        if !text.is_empty() {
            text.push(' ');
        }
        text.push_str(&name(p));
        text.push('*');
        let mut buffer = [0u8; 20];
        let mut rest = n;
        for slot in buffer[..digits(n)].iter_mut().rev() {
            *slot = b'0' + (rest % 10) as u8;
            rest /= 10;
        }
        text.push_str(std::str::from_utf8(&buffer[..digits(n)]).expect("ASCII digits"));
    }
    text
}

/// The scalar values of the `watched` variables that `vm` has.
pub(super) fn read_variables(vm: &Vm, watched: &[String]) -> Vec<(String, i64)> {
    (watched.iter())
        .filter_map(|name| Some((name.clone(), vm.variable(name)?)))
        .collect()
}
