//! The instruction loop: runs one thread's code until a request, a fault or the end of the
//! step budget.

use super::arith;
use super::call::{store_value, Flow};
use super::memory::Fault;
use super::thread::{Job, OnReply, OnReturn};
use super::value::{Ptr, Value};
use super::{Env, Event, FaultKind, Request, Vm};
use crate::ir::{Instr, Trap};
use std::rc::Rc;

/// The pointer a value holds, for an access.
pub fn as_ptr(v: Value) -> Result<Ptr, Fault> {
    match v {
        Value::Ptr(p) => Ok(p),
        Value::Int(0) => Err(Fault::new(
            FaultKind::NullPointer,
            "dereference of a NULL pointer",
        )),
        Value::Int(n) | Value::Pid(n) => Err(Fault::new(
            FaultKind::BadPointer,
            format!("the integer {n} used as a pointer"),
        )),
        Value::Func(_) => Err(Fault::new(
            FaultKind::BadPointer,
            "a function pointer used as a data pointer",
        )),
    }
}

macro_rules! attempt {
    ($vm:ident, $t:ident, $pc:ident, $span:expr, $e:expr) => {
        match $e {
            Ok(v) => v,
            Err(fault) => {
                $vm.set_pc($t, $pc - 1);
                return Some($vm.fault($t, fault, $span));
            }
        }
    };
}

impl Vm {
    /// Runs thread `t`'s code (its job is [`Job::Run`]) until it stops (`Some`) or its job
    /// changes (`None`: a flush or `exit` goes on).
    pub(super) fn interpret(
        &mut self,
        t: usize,
        env: &mut dyn Env,
        budget: &mut u64,
    ) -> Option<Event> {
        let image = Rc::clone(&self.image.0);
        loop {
            let frame = *self.threads[t].frame();
            let func = &image.functions[frame.func.0 as usize];
            let code = &func.code[..];
            let span = |pc: usize| func.spans.get(pc - 1).copied().unwrap_or_default();
            let base = frame.base as usize;
            let mut pc = frame.pc as usize;
            let flow = loop {
                if *budget == 0 {
                    self.set_pc(t, pc);
                    return Some(Event::Budget);
                }
                *budget -= 1;
                // Falling off the end of a function returns `int 0` (as `void` functions do).
                let instr = code.get(pc).copied().unwrap_or(Instr::Ret);
                if pc >= code.len() {
                    self.threads[t].push(Value::ZERO);
                }
                pc += 1;
                let th = &mut self.threads[t];
                match instr {
                    Instr::Const(n) => th.push(Value::Int(n)),
                    Instr::Str(id) => th.push(Value::Ptr(Ptr {
                        region: super::RegionId(super::RegionId::STATIC | id.0),
                        offset: 0,
                    })),
                    Instr::Func(f) => th.push(Value::Func(f)),
                    Instr::Stream(n) => th.push(Value::Ptr(Ptr {
                        region: super::RegionId(super::RegionId::STREAMS.0 + u32::from(n.min(2))),
                        offset: 0,
                    })),
                    Instr::Local(s) => {
                        let v = th.stack[base + s as usize];
                        th.push(v);
                    }
                    Instr::SetLocal(s) => {
                        let v = th.pop();
                        th.stack[base + s as usize] = v;
                    }
                    Instr::Kill(s) => th.stack[base + s as usize] = Value::ZERO,
                    Instr::Global(s) => {
                        if let Some(event) = self.global_gate(t, pc, s.into(), false) {
                            return Some(event);
                        }
                        let v = self.globals[s as usize];
                        self.threads[t].push(v);
                    }
                    Instr::SetGlobal(s) => {
                        if let Some(event) = self.global_gate(t, pc, s.into(), true) {
                            return Some(event);
                        }
                        self.globals[s as usize] = self.threads[t].pop();
                    }
                    Instr::FrameAddr(n) => {
                        let v = th.stack[base + func.slots as usize + n as usize];
                        th.push(v);
                    }
                    Instr::GlobalAddr(offset) => th.push(Value::Ptr(Ptr {
                        region: super::RegionId::GLOBALS,
                        offset,
                    })),
                    Instr::Load(s) => {
                        let p = *th
                            .stack
                            .last()
                            .expect("IR invariant: operand stack underflow");
                        if let Some(event) = self.memory_gate(t, pc, &[p], s.size(), false) {
                            return Some(event);
                        }
                        let ptr = attempt!(self, t, pc, span(pc), as_ptr(p));
                        let v =
                            attempt!(self, t, pc, span(pc), self.memory.load(&image, env, ptr, s));
                        *self.threads[t].stack.last_mut().expect("checked above") = v;
                    }
                    Instr::Store(s) => {
                        let n = th.stack.len();
                        let p = th.stack[n - 2];
                        if let Some(event) = self.memory_gate(t, pc, &[p], s.size(), true) {
                            return Some(event);
                        }
                        let th = &mut self.threads[t];
                        let v = th.pop();
                        th.pop();
                        let ptr = attempt!(self, t, pc, span(pc), as_ptr(p));
                        let v = attempt!(self, t, pc, span(pc), store_value(s, v));
                        attempt!(
                            self,
                            t,
                            pc,
                            span(pc),
                            self.memory.store(&image, env, ptr, s, v)
                        );
                    }
                    Instr::Copy(len) => {
                        let n = th.stack.len();
                        let (d, s) = (th.stack[n - 2], th.stack[n - 1]);
                        if let Some(event) = self.memory_gate(t, pc, &[d, s], len, true) {
                            return Some(event);
                        }
                        self.threads[t].stack.truncate(n - 2);
                        let dst = attempt!(self, t, pc, span(pc), as_ptr(d));
                        let src = attempt!(self, t, pc, span(pc), as_ptr(s));
                        attempt!(
                            self,
                            t,
                            pc,
                            span(pc),
                            self.memory.copy(&image, env, dst, src, len)
                        );
                    }
                    Instr::Zero(len) => {
                        let d = *th
                            .stack
                            .last()
                            .expect("IR invariant: operand stack underflow");
                        if let Some(event) = self.memory_gate(t, pc, &[d], len, true) {
                            return Some(event);
                        }
                        self.threads[t].pop();
                        let dst = attempt!(self, t, pc, span(pc), as_ptr(d));
                        attempt!(
                            self,
                            t,
                            pc,
                            span(pc),
                            self.memory.check(&image, dst, len, true).map(|_| ())
                        );
                        let zeros = vec![0u8; len as usize];
                        attempt!(
                            self,
                            t,
                            pc,
                            span(pc),
                            self.memory.write(&image, env, dst, &zeros)
                        );
                    }
                    Instr::Arith(op, s) => {
                        let b = th.pop();
                        let a = th.pop();
                        let v = attempt!(self, t, pc, span(pc), arith::arith(op, s, a, b));
                        self.threads[t].push(v);
                    }
                    Instr::Cmp(op, s) => {
                        let b = th.pop();
                        let a = th.pop();
                        th.push(arith::compare(op, s, a, b));
                    }
                    Instr::Neg(s) => {
                        let a = th.pop();
                        let v = attempt!(self, t, pc, span(pc), arith::neg(s, a));
                        self.threads[t].push(v);
                    }
                    Instr::BitNot(s) => {
                        let a = th.pop();
                        let v = attempt!(self, t, pc, span(pc), arith::bit_not(s, a));
                        self.threads[t].push(v);
                    }
                    Instr::Not => {
                        let a = th.pop();
                        th.push(Value::Int(i64::from(!a.is_true())));
                    }
                    Instr::Convert(s) => {
                        let a = th.pop();
                        let v = attempt!(self, t, pc, span(pc), arith::convert(s, a));
                        self.threads[t].push(v);
                    }
                    Instr::PtrAdd(size) => {
                        let n = th.pop();
                        let p = th.pop();
                        let v = attempt!(self, t, pc, span(pc), arith::ptr_add(p, n, size));
                        self.threads[t].push(v);
                    }
                    Instr::PtrDiff(size) => {
                        let q = th.pop();
                        let p = th.pop();
                        let v = attempt!(self, t, pc, span(pc), arith::ptr_diff(p, q, size));
                        self.threads[t].push(v);
                    }
                    Instr::Dup => {
                        let v = *th
                            .stack
                            .last()
                            .expect("IR invariant: operand stack underflow");
                        th.push(v);
                    }
                    Instr::Pop => {
                        th.pop();
                    }
                    Instr::Swap => {
                        let n = th.stack.len();
                        th.stack.swap(n - 1, n - 2);
                    }
                    Instr::Jump(target) => pc = target as usize,
                    Instr::JumpIf(target) => {
                        if th.pop().is_true() {
                            pc = target as usize;
                        }
                    }
                    Instr::JumpIfNot(target) => {
                        if !th.pop().is_true() {
                            pc = target as usize;
                        }
                    }
                    Instr::CallFunc(f, argc) => {
                        self.set_pc(t, pc);
                        let entered = self.enter(t, f, argc.into(), OnReturn::Value);
                        attempt!(self, t, pc, span(pc), entered);
                        break Flow::Next;
                    }
                    Instr::CallPtr(argc) => {
                        let n = th.stack.len();
                        let callee = th.stack.remove(n - usize::from(argc) - 1);
                        self.set_pc(t, pc);
                        let f = attempt!(self, t, pc, span(pc), self.callee(callee));
                        let entered = self.enter(t, f, argc.into(), OnReturn::Value);
                        attempt!(self, t, pc, span(pc), entered);
                        break Flow::Next;
                    }
                    Instr::Call(call, argc) => {
                        self.set_pc(t, pc);
                        match self.call(t, call, argc.into(), env) {
                            Ok(Flow::Next) => {}
                            Ok(flow) => break flow,
                            Err(fault) => {
                                self.set_pc(t, pc - 1);
                                return Some(self.fault(t, fault, span(pc)));
                            }
                        }
                        if self.threads[t].job != Job::Run {
                            break Flow::Next;
                        }
                    }
                    Instr::Spawn(id) => {
                        self.set_pc(t, pc);
                        let name = image.strings.get(id.0 as usize).map(|s| {
                            let s = s.strip_suffix(&[0]).unwrap_or(s);
                            String::from_utf8_lossy(s).into_owned()
                        });
                        break self.request(t, Request::Fork { name }, OnReply::Return);
                    }
                    Instr::Ret => {
                        let v = th.pop();
                        self.set_pc(t, pc);
                        break self.ret(t, v);
                    }
                    Instr::Trap(trap) => {
                        let (kind, message) = match trap {
                            Trap::MissingReturn => (
                                FaultKind::MissingReturn,
                                format!(
                                    "control reached the end of `{}` without a return value",
                                    func.name
                                ),
                            ),
                            Trap::Unreachable => (
                                FaultKind::BadCall,
                                "control reached unreachable code".to_string(),
                            ),
                        };
                        self.set_pc(t, pc - 1);
                        return Some(self.fault(t, Fault::new(kind, message), span(pc)));
                    }
                }
            };
            match flow {
                Flow::Next if self.threads[t].job == Job::Run => {}
                Flow::Next => return None,
                Flow::Stop(event) => return Some(event),
            }
        }
    }
}
