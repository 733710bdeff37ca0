//! Control records: what scenario processes tell the supervisor about themselves (forks,
//! exec, reaping, their end), one datagram each, in a compact binary form.

use super::containment::SysvKind;
use crate::outcome::Termination;
use crate::syntax::span::Span;
use crate::vm::{FaultKind, RuntimeFault};

/// One fact a scenario process reports. The sender's pid travels with the datagram
/// (`SCM_CREDENTIALS`), so records do not carry it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Record {
    /// The sender forked `child` (its `spawn` name, if any); records of one sender arrive in
    /// fork order, which numbers its children.
    Forked {
        /// The new process's pid.
        child: i64,
        /// `Some` for `spawn name { }`.
        spawn: Option<String>,
    },
    /// The sender now runs `program` (`exec` succeeded, or is about to replace the process
    /// with a real binary).
    Program {
        /// `main`, or the program's path.
        program: String,
    },
    /// The sender reaped `child` with `waitpid(2)`; `status` is the raw wait status.
    Reaped {
        /// The reaped child.
        child: i64,
        /// The wait status `waitpid` stored.
        status: i32,
    },
    /// The sender is about to end (`_exit` or death by a signal).
    Ended {
        /// How.
        termination: Termination,
        /// The fault that kills it, if it crashed.
        fault: Option<RuntimeFault>,
        /// The watched variables' values at the end.
        variables: Vec<(String, i64)>,
    },
    /// A `fork` of the sender would exceed the process budget: stop the run.
    Limit,
    /// The sender created a System V object, which must not outlive the run.
    Sysv {
        /// Which facility.
        kind: SysvKind,
        /// Its id.
        id: i32,
    },
    /// The sender made a FIFO or a socket file at `path` (absolute), which must not
    /// outlive the run.
    Made {
        /// Where.
        path: String,
    },
    /// The sender killed `pid`, its descendant, by cascading termination before ending
    /// itself (`pid` is a zombie now).
    Cascaded {
        /// The killed process.
        pid: i64,
    },
    /// The sender made `call`, which this backend does not carry out (it failed with
    /// `ENOSYS`): the report names it.
    Unsupported {
        /// The C name.
        call: String,
    },
    /// The sender needs more memory than `max_memory`: stop the run (the fault says where).
    MemoryLimit {
        /// The fault at the allocation.
        fault: RuntimeFault,
    },
    /// The sender created a thread (`pthread_create`).
    Thread,
    /// The sender is about to block until another process acts (or a signal comes): what
    /// each of its threads waits for, by thread number (0 alone: a process without
    /// threads), each in the simulator's words; `None` for the call its slot in the wait
    /// table names.
    Blocked {
        /// `(thread number, phrase)` in thread order.
        threads: Vec<(u32, Option<String>)>,
    },
}

/// Every fault kind, indexed by its code on the wire.
const FAULT_KINDS: [FaultKind; 11] = [
    FaultKind::NullPointer,
    FaultKind::OutOfBounds,
    FaultKind::UseAfterFree,
    FaultKind::ReadOnly,
    FaultKind::BadPointer,
    FaultKind::DivisionByZero,
    FaultKind::StackOverflow,
    FaultKind::BadCall,
    FaultKind::BadFree,
    FaultKind::MissingReturn,
    FaultKind::MemoryLimit,
];

impl Record {
    /// The datagram for this record, on the stack when it is short (as nearly all are): a
    /// process that forks, waits and exits allocates nothing to report it, so touches no
    /// allocator page it shares with its parent.
    pub fn encode(&self) -> Datagram {
        let mut out = Writer(Datagram::new());
        match self {
            Record::Forked { child, spawn } => {
                out.byte(b'F');
                out.int(*child);
                out.text(spawn.as_deref().unwrap_or(""));
                out.byte(u8::from(spawn.is_some()));
            }
            Record::Program { program } => {
                out.byte(b'P');
                out.text(program);
            }
            Record::Reaped { child, status } => {
                out.byte(b'R');
                out.int(*child);
                out.int(i64::from(*status));
            }
            Record::Ended {
                termination,
                fault,
                variables,
            } => {
                out.byte(b'E');
                out.termination(*termination);
                out.fault(fault.as_ref());
                out.int(variables.len() as i64);
                for (name, value) in variables {
                    out.text(name);
                    out.int(*value);
                }
            }
            Record::Limit => out.byte(b'L'),
            Record::Made { path } => {
                out.byte(b'N');
                out.text(path);
            }
            Record::Sysv { kind, id } => {
                out.byte(b'S');
                out.byte(*kind as u8);
                out.int(i64::from(*id));
            }
            Record::Cascaded { pid } => {
                out.byte(b'C');
                out.int(*pid);
            }
            Record::Unsupported { call } => {
                out.byte(b'U');
                out.text(call);
            }
            Record::MemoryLimit { fault } => {
                out.byte(b'M');
                out.fault(Some(fault));
            }
            Record::Thread => out.byte(b'T'),
            Record::Blocked { threads } => {
                out.byte(b'B');
                out.int(threads.len() as i64);
                for (thread, phrase) in threads {
                    out.int(i64::from(*thread));
                    out.byte(u8::from(phrase.is_some()));
                    out.text(phrase.as_deref().unwrap_or(""));
                }
            }
        }
        out.0
    }

    /// The record in `bytes`, or `None` if they are not one.
    pub fn decode(bytes: &[u8]) -> Option<Record> {
        let mut input = Reader(bytes);
        let record = match input.byte()? {
            b'F' => {
                let child = input.int()?;
                let name = input.text()?;
                let spawn = (input.byte()? == 1).then_some(name);
                Record::Forked { child, spawn }
            }
            b'P' => Record::Program {
                program: input.text()?,
            },
            b'R' => Record::Reaped {
                child: input.int()?,
                status: input.int()? as i32,
            },
            b'E' => {
                let termination = input.termination()?;
                let fault = input.fault()?;
                let count = input.int()?;
                let mut variables = Vec::new();
                for _ in 0..count {
                    variables.push((input.text()?, input.int()?));
                }
                Record::Ended {
                    termination,
                    fault,
                    variables,
                }
            }
            b'L' => Record::Limit,
            b'N' => Record::Made {
                path: input.text()?,
            },
            b'S' => Record::Sysv {
                kind: SysvKind::from_code(input.byte()?)?,
                id: input.int()? as i32,
            },
            b'C' => Record::Cascaded { pid: input.int()? },
            b'U' => Record::Unsupported {
                call: input.text()?,
            },
            b'M' => Record::MemoryLimit {
                fault: input.fault()??,
            },
            b'T' => Record::Thread,
            b'B' => {
                let count = input.int()?;
                let mut threads = Vec::new();
                for _ in 0..count {
                    let thread = u32::try_from(input.int()?).ok()?;
                    let known = input.byte()? == 1;
                    let phrase = input.text()?;
                    threads.push((thread, known.then_some(phrase)));
                }
                Record::Blocked { threads }
            }
            _ => return None,
        };
        input.0.is_empty().then_some(record)
    }
}

/// An encoded record.
pub type Datagram = smallvec::SmallVec<[u8; 128]>;

struct Writer(Datagram);

impl Writer {
    fn byte(&mut self, b: u8) {
        self.0.push(b);
    }

    fn int(&mut self, n: i64) {
        self.0.extend_from_slice(&n.to_le_bytes());
    }

    fn text(&mut self, s: &str) {
        self.int(s.len() as i64);
        self.0.extend_from_slice(s.as_bytes());
    }

    fn termination(&mut self, t: Termination) {
        match t {
            Termination::Exited(code) => {
                self.byte(b'x');
                self.int(i64::from(code));
            }
            Termination::Signaled(signal) => {
                self.byte(b's');
                self.int(i64::from(signal));
            }
        }
    }

    fn fault(&mut self, fault: Option<&RuntimeFault>) {
        let Some(fault) = fault else {
            return self.byte(0);
        };
        let code = FAULT_KINDS.iter().position(|k| *k == fault.kind);
        self.byte(code.map_or(0xff, |c| c as u8 + 1));
        self.int(i64::from(fault.span.start));
        self.int(i64::from(fault.span.end));
        self.text(&fault.message);
    }
}

struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn byte(&mut self) -> Option<u8> {
        let (&b, rest) = self.0.split_first()?;
        self.0 = rest;
        Some(b)
    }

    fn int(&mut self) -> Option<i64> {
        let bytes = self.0.get(..8)?;
        self.0 = &self.0[8..];
        Some(i64::from_le_bytes(bytes.try_into().ok()?))
    }

    fn text(&mut self) -> Option<String> {
        let len = usize::try_from(self.int()?).ok()?;
        let bytes = self.0.get(..len)?;
        self.0 = &self.0[len..];
        String::from_utf8(bytes.to_vec()).ok()
    }

    fn termination(&mut self) -> Option<Termination> {
        match self.byte()? {
            b'x' => Some(Termination::Exited(self.int()? as i32)),
            b's' => Some(Termination::Signaled(self.int()? as i32)),
            _ => None,
        }
    }

    fn fault(&mut self) -> Option<Option<RuntimeFault>> {
        let code = self.byte()?;
        if code == 0 {
            return Some(None);
        }
        // A kind this build does not list still kills with SIGSEGV; report it as such.
        let kind = FAULT_KINDS
            .get(usize::from(code) - 1)
            .copied()
            .unwrap_or(FaultKind::BadPointer);
        let start = self.int()? as usize;
        let end = self.int()? as usize;
        let message = self.text()?;
        Some(Some(RuntimeFault {
            kind,
            message,
            span: Span::new(start, end),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_record_survives_the_wire() {
        let records = [
            Record::Forked {
                child: 4242,
                spawn: Some("worker".into()),
            },
            Record::Forked {
                child: 7,
                spawn: None,
            },
            Record::Program {
                program: "/bin/ls".into(),
            },
            Record::Reaped {
                child: 99,
                status: 3 << 8,
            },
            Record::Ended {
                termination: Termination::Signaled(11),
                fault: Some(RuntimeFault {
                    kind: FaultKind::OutOfBounds,
                    message: "index 4".into(),
                    span: Span::new(3, 9),
                }),
                variables: vec![("x".into(), -5)],
            },
            Record::Limit,
            Record::Sysv {
                kind: SysvKind::SharedMemory,
                id: 65539,
            },
            Record::Made {
                path: "/tmp/scn-x/chan".into(),
            },
            Record::MemoryLimit {
                fault: RuntimeFault {
                    kind: FaultKind::MemoryLimit,
                    message: "malloc".into(),
                    span: Span::new(1, 2),
                },
            },
            Record::Thread,
            Record::Blocked {
                threads: vec![(1, None), (2, Some("pthread_join() of thread 3".into()))],
            },
        ];
        for record in records {
            assert_eq!(Record::decode(&record.encode()), Some(record));
        }
    }

    #[test]
    fn output_bytes_are_not_records() {
        assert_eq!(Record::decode(b"hello\n"), None);
        assert_eq!(Record::decode(b""), None);
    }
}
