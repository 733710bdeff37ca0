//! Liveness of scalar slots, and `Kill` instructions before every call so that states which
//! differ only in dead locals are equal (the explorer merges them).

use crate::calls::Call;
use crate::ir::{Instr, Slot};
use crate::syntax::span::Span;

/// A set of slots as a bit vector.
#[derive(Clone, PartialEq, Eq)]
struct Bits(Vec<u64>);

impl Bits {
    fn new(slots: usize) -> Bits {
        Bits(vec![0; slots.div_ceil(64).max(1)])
    }
    fn set(&mut self, s: Slot) {
        self.0[s as usize / 64] |= 1 << (s % 64);
    }
    fn clear(&mut self, s: Slot) {
        self.0[s as usize / 64] &= !(1 << (s % 64));
    }
    fn has(&self, s: Slot) -> bool {
        self.0[s as usize / 64] & (1 << (s % 64)) != 0
    }
    fn union_with(&mut self, other: &Bits) -> bool {
        let mut changed = false;
        for (a, b) in self.0.iter_mut().zip(&other.0) {
            let next = *a | *b;
            changed |= next != *a;
            *a = next;
        }
        changed
    }
}

fn successors(code: &[Instr], i: usize) -> impl Iterator<Item = usize> {
    let next = (i + 1 < code.len()).then_some(i + 1);
    let (a, b) = match code[i] {
        Instr::Jump(t) => (Some(t as usize), None),
        Instr::JumpIf(t) | Instr::JumpIfNot(t) => (next, Some(t as usize)),
        Instr::Ret | Instr::Trap(_) => (None, None),
        Instr::Call(c, _) if never_returns(c) => (None, None),
        _ => (next, None),
    };
    a.into_iter().chain(b)
}

/// Whether a call never returns to its caller: `exit(3)`, `_exit(2)`, `abort(3)`,
/// `pthread_exit(3)`.
fn never_returns(call: Call) -> bool {
    matches!(
        call,
        Call::Exit | Call::UnderscoreExit | Call::Abort | Call::PthreadExit
    )
}

/// Whether the process may be suspended at this instruction: a call, which may reach a
/// system call, `spawn`, or an access to memory, which may be shared memory (a load and a
/// store there are visible actions).
fn may_yield(instr: &Instr) -> bool {
    matches!(
        instr,
        Instr::Call(..)
            | Instr::CallFunc(..)
            | Instr::CallPtr(_)
            | Instr::Spawn(_)
            | Instr::Load(_)
            | Instr::Store(_)
            | Instr::Copy(_)
            | Instr::Zero(_)
    )
}

/// Inserts `Kill(s)` before each call for every slot `s` that holds a value (was written on
/// some path) but is dead there. Jump targets are remapped. `params` slots are written on
/// entry; `pinned` slots are never killed.
pub(super) fn insert_kills(
    code: Vec<Instr>,
    spans: Vec<Span>,
    slots: u16,
    params: u16,
    pinned: &[Slot],
) -> (Vec<Instr>, Vec<Span>) {
    let n = code.len();
    if n == 0 || slots == 0 {
        return (code, spans);
    }
    let live_in = live_in(&code, slots as usize);
    let dirty_in = dirty_in(&code, slots as usize, params);
    let mut kills: Vec<Vec<Slot>> = vec![Vec::new(); n];
    for i in 0..n {
        if may_yield(&code[i]) {
            kills[i] = (0..slots)
                .filter(|&s| dirty_in[i].has(s) && !live_in[i].has(s) && !pinned.contains(&s))
                .collect();
        }
    }
    let mut map = Vec::with_capacity(n + 1);
    let mut out = Vec::with_capacity(n);
    let mut out_spans = Vec::with_capacity(n);
    for i in 0..n {
        map.push(out.len() as u32);
        for &s in &kills[i] {
            out.push(Instr::Kill(s));
            out_spans.push(spans[i]);
        }
        out.push(code[i]);
        out_spans.push(spans[i]);
    }
    map.push(out.len() as u32);
    for instr in &mut out {
        match instr {
            Instr::Jump(t) | Instr::JumpIf(t) | Instr::JumpIfNot(t) => *t = map[*t as usize],
            _ => {}
        }
    }
    (out, out_spans)
}

/// Backward dataflow: slots whose current value may still be read, at each instruction.
fn live_in(code: &[Instr], slots: usize) -> Vec<Bits> {
    let n = code.len();
    let mut live = vec![Bits::new(slots); n];
    let mut changed = true;
    while changed {
        changed = false;
        for i in (0..n).rev() {
            let mut set = Bits::new(slots);
            for s in successors(code, i) {
                set.union_with(&live[s]);
            }
            match code[i] {
                Instr::Local(s) => set.set(s),
                Instr::SetLocal(s) | Instr::Kill(s) => set.clear(s),
                _ => {}
            }
            if set != live[i] {
                live[i] = set;
                changed = true;
            }
        }
    }
    live
}

/// Forward dataflow: slots that may hold a non-zero value, at each instruction.
fn dirty_in(code: &[Instr], slots: usize, params: u16) -> Vec<Bits> {
    let n = code.len();
    let mut dirty_in = vec![Bits::new(slots); n];
    for p in 0..params {
        dirty_in[0].set(p);
    }
    let mut changed = true;
    while changed {
        changed = false;
        for i in 0..n {
            let mut out = dirty_in[i].clone();
            match code[i] {
                Instr::SetLocal(s) => out.set(s),
                Instr::Kill(s) => out.clear(s),
                _ => {}
            }
            for s in successors(code, i) {
                changed |= dirty_in[s].union_with(&out);
            }
        }
    }
    dirty_in
}
