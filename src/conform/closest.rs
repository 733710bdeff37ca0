//! The simulated outcome closest to a real one that is not among them, and how they differ:
//! a line diff of the outputs and the process fates that disagree.

use super::key::OutcomeKey;
use crate::kernel::sim::Fate;
use crate::outcome::Termination;
use serde::{Deserialize, Serialize};

/// One line of a diff of the simulated output against the real one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "side", content = "line", rename_all = "lowercase")]
pub enum DiffLine {
    /// In both.
    Both(String),
    /// Only in the simulated outcome.
    Simulated(String),
    /// Only in the real outcome.
    Real(String),
}

/// How far apart two outcomes are: lines to edit in the output, plus one per process whose
/// fate differs (or is missing on one side), plus one if the runs ended differently.
pub fn distance(real: &OutcomeKey, simulated: &OutcomeKey) -> usize {
    let (a, b) = (lines(&real.output), lines(&simulated.output));
    let output = strsim::generic_levenshtein(&a, &b);
    let fates = fate_differences(&simulated.end.fates, &real.end.fates).len();
    let end = usize::from(
        real.end.deadlock != simulated.end.deadlock || real.end.halt != simulated.end.halt,
    );
    output + fates + end
}

/// The index in `simulated` of the outcome closest to `real` (the first of equals).
pub fn closest(real: &OutcomeKey, simulated: &[&OutcomeKey]) -> Option<usize> {
    (simulated.iter().enumerate())
        .min_by_key(|(i, s)| (distance(real, s), *i))
        .map(|(i, _)| i)
}

fn lines(output: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(output)
        .split_inclusive('\n')
        .map(str::to_string)
        .collect()
}

/// The outputs line by line, as a longest-common-subsequence diff (simulated first).
pub fn diff(simulated: &[u8], real: &[u8]) -> Vec<DiffLine> {
    let (a, b) = (lines(simulated), lines(real));
    // lcs[i][j]: length of the longest common subsequence of a[i..] and b[j..].
    let mut lcs = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            out.push(DiffLine::Both(a[i].clone()));
            (i, j) = (i + 1, j + 1);
        } else if j == b.len() || (i < a.len() && lcs[i + 1][j] >= lcs[i][j + 1]) {
            out.push(DiffLine::Simulated(a[i].clone()));
            i += 1;
        } else {
            out.push(DiffLine::Real(b[j].clone()));
            j += 1;
        }
    }
    out
}

/// One way a process's fate differs: `(process, what, simulated, real)`.
pub type FateDifference = (String, &'static str, String, String);

/// Every field of every process's fate that differs between `simulated` and `real`
/// (both sorted by name, as in an end key); a process on one side only is one difference.
pub fn fate_differences(simulated: &[Fate], real: &[Fate]) -> Vec<FateDifference> {
    let mut out = Vec::new();
    let names: std::collections::BTreeSet<&str> = (simulated.iter().chain(real))
        .map(|f| f.name.as_str())
        .collect();
    for name in names {
        let find = |side: &[Fate]| side.iter().find(|f| f.name == name).map(fields);
        match (find(simulated), find(real)) {
            (Some(s), Some(r)) => {
                for ((what, sv), (_, rv)) in s.into_iter().zip(r) {
                    if sv != rv {
                        out.push((name.to_string(), what, sv, rv));
                    }
                }
            }
            (s, _) => {
                let (present, absent) = ("exists".to_string(), "absent".to_string());
                let (sv, rv) = if s.is_some() {
                    (present, absent)
                } else {
                    (absent, present)
                };
                out.push((name.to_string(), "process", sv, rv));
            }
        }
    }
    out
}

/// A fate's fields, named, as text.
fn fields(f: &Fate) -> Vec<(&'static str, String)> {
    let opt = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".to_string());
    let termination = match f.termination {
        None => "still running".to_string(),
        Some(Termination::Exited(code)) => format!("exited {code}"),
        Some(Termination::Signaled(signal)) => format!("killed by signal {signal}"),
    };
    let parent = if f.parent.is_empty() {
        "-".to_string()
    } else {
        f.parent.clone()
    };
    vec![
        ("program", f.program.clone()),
        ("termination", termination),
        ("parent", parent),
        ("adopted by", opt(&f.adopted_by)),
        ("zombie", f.zombie.to_string()),
        ("reaped by", opt(&f.reaped_by)),
        (
            "fault",
            f.fault.as_ref().map_or("-".to_string(), |x| x.to_string()),
        ),
        ("blocked on", opt(&f.blocked_on)),
        ("variables", format!("{:?}", f.variables)),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_keeps_common_lines_and_marks_the_rest() {
        let d = diff(b"a\nb\nc\n", b"a\nc\nd\n");
        assert_eq!(
            d,
            vec![
                DiffLine::Both("a\n".into()),
                DiffLine::Simulated("b\n".into()),
                DiffLine::Both("c\n".into()),
                DiffLine::Real("d\n".into()),
            ]
        );
    }
}
