//! Outcomes in words: quoted bytes, signal names and how a process ended, shared by
//! expectation details and reports.

use crate::calls::{Constant, CONSTANTS};
use crate::outcome::{Limit, Termination};

/// The bytes as a C string literal: `"PARENT: value = 5\n"`, with `\n \t \r \" \\` and
/// `\xNN` for other non-printable bytes.
pub fn c_string(bytes: &[u8]) -> String {
    let mut out = String::from("\"");
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '\n' => out.push_str("\\n"),
                '\t' => out.push_str("\\t"),
                '\r' => out.push_str("\\r"),
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                c if c.is_control() => out.push_str(&format!("\\x{:02x}", c as u32)),
                c => out.push(c),
            }
        }
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02x}"));
        }
    }
    out.push('"');
    out
}

/// The name of signal `number` on Linux x86-64 (`11` → `SIGSEGV`), if it has one.
pub fn signal_name(number: i32) -> Option<&'static str> {
    CONSTANTS
        .iter()
        .find(|(name, value)| {
            name.starts_with("SIG")
                && !name.starts_with("SIG_")
                && *value == Constant::Int(i64::from(number))
        })
        .map(|(name, _)| *name)
}

/// `SIGSEGV (signal 11)`, or `signal 42` for a number with no name.
pub fn signal(number: i32) -> String {
    match signal_name(number) {
        Some(name) => format!("{name} (signal {number})"),
        None => format!("signal {number}"),
    }
}

/// How a process ended, as a report says it: `exited 0`, `killed by SIGSEGV (signal 11)`,
/// or `still running` when it had not ended.
pub fn termination(termination: Option<Termination>) -> String {
    match termination {
        Some(Termination::Exited(code)) => format!("exited {code}"),
        Some(Termination::Signaled(sig)) => format!("killed by {}", signal(sig)),
        None => "had not finished".to_string(),
    }
}

/// `1 process`, `2 processes`: a count with its noun in the right number.
pub fn count(n: usize, singular: &str, plural: &str) -> String {
    if n == 1 {
        format!("{n} {singular}")
    } else {
        format!("{n} {plural}")
    }
}

/// A limit and its value as the user sets it: `the process limit (max_processes = 64)`.
pub fn limit(limit: Limit, value: u64) -> String {
    let (what, setting) = match limit {
        Limit::Processes => ("process limit", "max_processes"),
        Limit::Steps => ("step limit", "max_steps"),
        Limit::Memory => ("memory limit", "max_memory"),
        Limit::States => ("state limit", "--max-states"),
        Limit::Outputs => (
            "state limit while counting distinct outputs",
            "--max-states",
        ),
        Limit::Depth => ("depth limit", "--max-depth"),
        Limit::Time => ("time limit", "--timeout"),
        Limit::Unsupported => return "a call `scn explore` does not model yet".to_string(),
    };
    format!("the {what} ({setting} = {value})")
}
