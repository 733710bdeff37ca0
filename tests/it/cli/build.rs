//! Hand-built outcomes and expectations for the front-end tests.

use proscenium::outcome::{End, Outcome, OutputChunk, ProcessRecord, Termination};
use proscenium::syntax::ast::{Expect, Mode, Property};
use proscenium::syntax::span::Span;

/// A process record created by `creator` (an index), exited 0 and reaped by its creator.
pub fn process(name: &str, pid: i64, creator: Option<usize>) -> ProcessRecord {
    ProcessRecord {
        pid,
        name: name.to_string(),
        creator,
        program: "main".to_string(),
        termination: Some(Termination::Exited(0)),
        ppid: 999,
        orphaned: false,
        adopted_by: None,
        zombie_at_end: false,
        zombie_micros: 0,
        reaped_by: None,
        fault: None,
        blocked_on: None,
        variables: Vec::new(),
        context_switches: 1,
        history: Vec::new(),
        threads: 0,
    }
}

/// An outcome of processes whose creators are `creators[i]` (index 0 must be `None`),
/// named by tree position, pids from 1000, that finished and printed `output` from main.
pub fn outcome(creators: &[Option<usize>], output: &str) -> Outcome {
    let mut processes: Vec<ProcessRecord> = Vec::new();
    let mut kids = vec![0usize; creators.len()];
    for (i, creator) in creators.iter().enumerate() {
        let name = match creator {
            None => "main".to_string(),
            Some(c) => {
                kids[*c] += 1;
                format!("{}.{}", processes[*c].name, kids[*c])
            }
        };
        let mut p = process(&name, 1000 + i as i64, *creator);
        if let Some(c) = creator {
            p.ppid = 1000 + *c as i64;
            p.reaped_by = Some(p.ppid);
        }
        processes.push(p);
    }
    Outcome {
        processes,
        output: chunks(output),
        end: End::Finished,
        context_switches: creators.len() as u64 * 2,
        steps: creators.len() as u64 * 5,
        clock_micros: 0,
        schedule: "p0 p1".to_string(),
        unsupported: Vec::new(),
        files: Vec::new(),
    }
}

/// `text` as one stdout chunk written by the initial process (none if empty).
pub fn chunks(text: &str) -> Vec<OutputChunk> {
    if text.is_empty() {
        return Vec::new();
    }
    vec![OutputChunk {
        process: 0,
        fd: 1,
        bytes: text.as_bytes().to_vec(),
    }]
}

/// `main` forks twice; its first child forks once: `*(*(*) *)`.
pub fn small_tree() -> Outcome {
    outcome(&[None, Some(0), Some(1), Some(0)], "hello\n")
}

/// Expectations written into one source text, so each has a real span.
#[derive(Default)]
pub struct Expects {
    /// The source holding every statement, one per line.
    pub source: String,
    /// The statements.
    pub list: Vec<Expect>,
}

impl Expects {
    /// Adds `text` (the statement as written) meaning `mode prop`.
    pub fn add(mut self, text: &str, mode: Mode, prop: Property) -> Expects {
        let start = self.source.len();
        self.source.push_str(text);
        let span = Span::new(start, self.source.len());
        self.source.push('\n');
        self.list.push(Expect { mode, prop, span });
        self
    }
}
