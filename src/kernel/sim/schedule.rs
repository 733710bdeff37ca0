//! The replayable schedule notation of `--schedule`: which process performed each visible
//! action, run-length encoded as `main*3 main.1*2 main*1`; `main:block` is a step in which
//! `main` tries its request and blocks.

use std::fmt;

/// A schedule: runs of consecutive visible actions by one process, named by its tree name.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Schedule {
    /// `(process name, number of actions ≥ 1)` in order.
    pub runs: Vec<(String, u64)>,
}

/// Why a schedule could not be replayed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, miette::Diagnostic)]
pub enum ScheduleError {
    /// The text is not in the notation (`name*count` tokens separated by spaces).
    #[error("bad schedule token `{token}`: {reason}")]
    #[diagnostic(
        code(scn::schedule::syntax),
        help("write runs as `name*count`, e.g. `main*3 main.1*2`")
    )]
    Syntax {
        /// The offending token.
        token: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The program diverged from the schedule: the named process cannot perform the next
    /// action at that point.
    #[error("schedule diverges at action {step}: `{name}` {reason}")]
    #[diagnostic(code(scn::schedule::diverged))]
    Diverged {
        /// The visible action (0-based) that could not be replayed.
        step: u64,
        /// The process the schedule names.
        name: String,
        /// Why it cannot run (`does not exist`, `is blocked: wait() for a child`).
        reason: String,
    },
}

impl Schedule {
    /// Parses the notation; a bare `name` is one action.
    ///
    /// # Errors
    /// [`ScheduleError::Syntax`] for an empty name or a count that is not a positive integer.
    pub fn parse(text: &str) -> Result<Schedule, ScheduleError> {
        let runs = text
            .split_whitespace()
            .map(parse_run)
            .collect::<Result<_, _>>()?;
        Ok(Schedule { runs })
    }

    /// Appends one action by `name`, extending the last run when it is the same process.
    pub fn push(&mut self, name: &str) {
        match self.runs.last_mut() {
            Some((last, n)) if last == name => *n += 1,
            _ => self.runs.push((name.to_string(), 1)),
        }
    }

    /// Total actions.
    pub fn len(&self) -> u64 {
        self.runs.iter().map(|(_, n)| n).sum()
    }

    /// Whether it has no action.
    pub fn is_empty(&self) -> bool {
        self.runs.is_empty()
    }
}

fn parse_run(token: &str) -> Result<(String, u64), ScheduleError> {
    let bad = |reason: &str| ScheduleError::Syntax {
        token: token.to_string(),
        reason: reason.to_string(),
    };
    let (name, count) = match token.rsplit_once('*') {
        Some((name, count)) => {
            let count = count
                .parse::<u64>()
                .map_err(|_| bad("the count is not a number"))?;
            (name, count)
        }
        None => (token, 1),
    };
    if name.is_empty() {
        return Err(bad("no process name"));
    }
    if count == 0 {
        return Err(bad("a run has at least one action"));
    }
    Ok((name.to_string(), count))
}

impl fmt::Display for Schedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, (name, n)) in self.runs.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            write!(f, "{name}*{n}")?;
        }
        Ok(())
    }
}

/// The suffix of a step in which the process tries its request and blocks.
pub const BLOCKS: &str = ":block";

/// A schedule being replayed: the next forced choice.
#[derive(Debug)]
pub struct Replay {
    runs: std::vec::IntoIter<(String, u64)>,
    current: Option<(String, u64)>,
}

impl Replay {
    /// Replays `schedule` from its first action.
    pub fn new(schedule: Schedule) -> Replay {
        let mut runs = schedule.runs.into_iter();
        let current = runs.next();
        Replay { runs, current }
    }

    /// The process that must perform the next action; `None` once the schedule is used up
    /// (the policy decides from then on).
    pub fn next_name(&self) -> Option<&str> {
        let name = self.current.as_ref().map(|(name, _)| name.as_str())?;
        Some(name.strip_suffix(BLOCKS).unwrap_or(name))
    }

    /// Whether the next action is written `name:block`: the process tries its request
    /// and blocks (not a visible action; the explorer writes it where it decides an
    /// outcome, e.g. whether a signal interrupts the call or comes before it).
    pub fn blocks(&self) -> bool {
        (self.current.as_ref()).is_some_and(|(name, _)| name.ends_with(BLOCKS))
    }

    /// The forced action was performed.
    pub fn advance(&mut self) {
        if let Some((_, n)) = &mut self.current {
            *n -= 1;
            if *n == 0 {
                self.current = self.runs.next();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_runs_and_bare_names() {
        let s = Schedule::parse(" main*3  main.1 b*2 ").unwrap();
        let expected = [("main", 3), ("main.1", 1), ("b", 2)];
        assert_eq!(s.runs, expected.map(|(n, c)| (n.to_string(), c)));
        assert_eq!(s.to_string(), "main*3 main.1*1 b*2");
        assert_eq!(s.len(), 6);
    }

    #[test]
    fn refuses_bad_tokens() {
        for text in ["main*0", "main*x", "*3", "main*-1"] {
            assert!(
                matches!(Schedule::parse(text), Err(ScheduleError::Syntax { .. })),
                "{text}"
            );
        }
    }

    #[test]
    fn push_merges_consecutive_actions() {
        let mut s = Schedule::default();
        for name in ["main", "main", "main.1", "main"] {
            s.push(name);
        }
        assert_eq!(s.to_string(), "main*2 main.1*1 main*1");
    }

    #[test]
    fn replay_yields_each_action_in_turn() {
        let mut r = Replay::new(Schedule::parse("a*2 b").unwrap());
        let mut seen = Vec::new();
        while let Some(name) = r.next_name() {
            seen.push(name.to_string());
            r.advance();
        }
        assert_eq!(seen, ["a", "a", "b"]);
    }

    #[test]
    fn a_blocking_step_names_its_process() {
        let mut r = Replay::new(Schedule::parse("main main.1:block*2 main").unwrap());
        let mut seen = Vec::new();
        while let Some(name) = r.next_name() {
            seen.push((name.to_string(), r.blocks()));
            r.advance();
        }
        let expected = [
            ("main", false),
            ("main.1", true),
            ("main.1", true),
            ("main", false),
        ];
        assert_eq!(seen, expected.map(|(n, b)| (n.to_string(), b)));
    }

    proptest! {
        #[test]
        fn print_then_parse_round_trips(names in prop::collection::vec("main(\\.[1-9]){0,3}|[a-z]{1,4}", 0..20)) {
            let mut s = Schedule::default();
            for name in &names {
                s.push(name);
            }
            prop_assert_eq!(Schedule::parse(&s.to_string()).unwrap(), s.clone());
            prop_assert_eq!(s.len(), names.len() as u64);
        }
    }
}
