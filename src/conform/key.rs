//! What makes two outcomes the same for conformance: the explorer's definition (output with
//! pids renumbered by first appearance, the end as [`EndKey::at_exit`] sees it), applied to
//! a whole [`Outcome`], and a real run's outcome rewritten with the simulator's pids so
//! that the same definition applies to it.

use crate::explore::session::renumber_pids;
use crate::kernel::sim::{fates_of, EndKey, INIT_PID};
use crate::outcome::{End, Outcome, Termination};
use rustc_hash::FxHashMap;

/// One outcome as `scn explore` tells outcomes apart: equal keys are one outcome.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct OutcomeKey {
    /// The terminal output, every pid of the run written `<pid N>` (N by first appearance).
    pub output: Vec<u8>,
    /// What each process came to, by tree name, and how the run ended.
    pub end: EndKey,
}

impl OutcomeKey {
    /// The key of `outcome`, whose pids are the simulator's (`first_pid` for the initial
    /// process, then one more per process in creation order; see [`as_simulated`]).
    pub fn of(outcome: &Outcome, first_pid: i64) -> OutcomeKey {
        let pids = first_pid..first_pid + outcome.processes.len() as i64;
        let mut end = end_key(outcome).at_exit();
        // What a killed process, or one still alive when the run stopped, held is not
        // known on the real kernel: it never reaches the exit path that reports its
        // variables.
        for fate in &mut end.fates {
            if !matches!(fate.termination, Some(Termination::Exited(_))) {
                fate.variables.clear();
            }
        }
        OutcomeKey {
            output: renumber_pids(&outcome.terminal(), &pids),
            end,
        }
    }
}

/// The end key of `outcome`, as `Explorable::end_key` makes it from the same records: pids
/// become tree names (`init` for pid 1, `outside` for a process not of the run), fates are
/// sorted by name.
pub fn end_key(outcome: &Outcome) -> EndKey {
    let fates = fates_of(&outcome.processes);
    let halt = match outcome.end {
        End::Limit { limit, value } => Some((limit, value)),
        _ => None,
    };
    EndKey {
        fates,
        halt,
        deadlock: matches!(outcome.end, End::Deadlock { .. }),
        files: outcome.files.clone(),
    }
}

/// A real run's `outcome` with the pids the simulator would have given: the process created
/// `i`-th gets `first_pid + i`, the initial process's parent (the supervisor) `first_pid -
/// 1` as in the simulator, init stays 1. Pids are rewritten in the records (watched
/// variables included: a variable equal to a pid of the run holds that pid; and what a
/// process is blocked on) and wherever a number in the terminal output equals one (as the
/// explorer renumbers output).
pub fn as_simulated(outcome: &Outcome, first_pid: i64) -> Outcome {
    let mut map: FxHashMap<i64, i64> = FxHashMap::default();
    if let Some(main) = outcome.processes.first() {
        map.insert(main.ppid, first_pid - 1);
    }
    for (i, p) in outcome.processes.iter().enumerate() {
        map.insert(p.pid, first_pid + i as i64);
    }
    map.insert(INIT_PID, INIT_PID);
    let pid = |p: i64| map.get(&p).copied().unwrap_or(p);
    let mut out = outcome.clone();
    for r in &mut out.processes {
        r.pid = pid(r.pid);
        r.ppid = pid(r.ppid);
        r.adopted_by = r.adopted_by.map(pid);
        r.reaped_by = r.reaped_by.map(pid);
        for (_, value) in &mut r.variables {
            *value = pid(*value);
        }
        r.blocked_on = (r.blocked_on.as_deref()).map(|b| rewrite_text(b, &map));
    }
    if let End::Deadlock { waiting } = &mut out.end {
        for (_, what) in waiting {
            *what = rewrite_text(what, &map);
        }
    }
    for chunk in &mut out.output {
        chunk.bytes = rewrite_numbers(&chunk.bytes, &map);
    }
    out
}

/// [`rewrite_numbers`] of a phrase (`waitpid() for child 31926`).
fn rewrite_text(text: &str, map: &FxHashMap<i64, i64>) -> String {
    String::from_utf8_lossy(&rewrite_numbers(text.as_bytes(), map)).into_owned()
}

/// `text` with every decimal number (a maximal run of digits, not starting with `0`) that
/// is a key of `map` replaced by its value: the numbers [`renumber_pids`] takes for pids.
fn rewrite_numbers(text: &[u8], map: &FxHashMap<i64, i64>) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        if !text[i].is_ascii_digit() {
            out.push(text[i]);
            i += 1;
            continue;
        }
        let end = (i..text.len())
            .find(|&j| !text[j].is_ascii_digit())
            .unwrap_or(text.len());
        let digits = &text[i..end];
        let number = (std::str::from_utf8(digits).ok())
            .and_then(|s| s.parse::<i64>().ok())
            .filter(|_| digits[0] != b'0');
        match number.and_then(|n| map.get(&n)) {
            Some(n) => out.extend_from_slice(n.to_string().as_bytes()),
            None => out.extend_from_slice(digits),
        }
        i = end;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_that_are_pids_are_rewritten_whole() {
        let map: FxHashMap<i64, i64> = [(31925, 1000), (31926, 1001)].into_iter().collect();
        let text = rewrite_numbers(b"31926 of 31925 (319250, 031925, 7)", &map);
        assert_eq!(text, b"1001 of 1000 (319250, 031925, 7)");
    }
}
