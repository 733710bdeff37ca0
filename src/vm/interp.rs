//! The instruction loop: runs one thread's code until a request, a fault or the end of the
//! step budget, plus calls, returns and faults.

use super::arith;
use super::memory::{Fault, Region, RegionKind};
use super::thread::{Frame, Job, OnReply, OnReturn};
use super::value::{Ptr, Value};
use super::{Env, Event, FaultKind, Request, RuntimeFault, Vm};
use crate::calls::Call;
use crate::ir::{FuncId, Instr, Trap};
use crate::syntax::span::Span;
use smallvec::SmallVec;
use std::rc::Rc;

/// What a library or system call did.
pub enum Outcome {
    /// Returned this value.
    Value(Value),
    /// Buffered output on stream `stream`, `left` bytes of which must be written now; then
    /// the call returns `ret`.
    Output {
        /// 1 or 2.
        stream: u8,
        /// Bytes to write from the front of the buffer.
        left: usize,
        /// The call's return value.
        ret: Value,
    },
    /// Needs the kernel.
    Request(Request, OnReply),
    /// `exit(status)`.
    Exit(i32),
    /// The process kills itself with this signal (`abort`).
    Die(i32),
}

/// Whether the loop goes on with the (possibly new) top frame or stops.
enum Flow {
    Next,
    Stop(Event),
}

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
                        let v = self.globals[s as usize];
                        th.push(v);
                    }
                    Instr::SetGlobal(s) => self.globals[s as usize] = th.pop(),
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
                        if let Some(event) = self.shared_gate(t, pc, &[p], s.size(), false) {
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
                        if let Some(event) = self.shared_gate(t, pc, &[p], s.size(), true) {
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
                        if let Some(event) = self.shared_gate(t, pc, &[d, s], len, true) {
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
                        if let Some(event) = self.shared_gate(t, pc, &[d], len, true) {
                            return Some(event);
                        }
                        self.threads[t].pop();
                        let dst = attempt!(self, t, pc, span(pc), as_ptr(d));
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

    /// Sets the program counter of thread `t`'s top frame.
    fn set_pc(&mut self, t: usize, pc: usize) {
        if let Some(frame) = self.threads[t].frames.last_mut() {
            frame.pc = pc as u32;
        }
    }

    /// Before an access through `ptrs`: if one points into shared memory and the kernel has
    /// not granted this instruction's access yet, asks for it (the instruction runs again).
    fn shared_gate(
        &mut self,
        t: usize,
        pc: usize,
        ptrs: &[Value],
        len: u32,
        write: bool,
    ) -> Option<Event> {
        let shared = ptrs.iter().find_map(|v| match v {
            Value::Ptr(p) => self.memory.shared_object(*p).map(|o| (o, p.offset)),
            _ => None,
        });
        let (object, offset) = shared?;
        let th = &mut self.threads[t];
        if std::mem::take(&mut th.shared_granted) {
            return None;
        }
        self.set_pc(t, pc - 1);
        let request = Request::Shared {
            object,
            offset,
            len,
            write,
        };
        match self.request(t, request, OnReply::Shared) {
            Flow::Stop(event) => Some(event),
            Flow::Next => None,
        }
    }

    /// Waits at `request`.
    fn request(&mut self, t: usize, request: Request, on_reply: OnReply) -> Flow {
        let th = &mut self.threads[t];
        if matches!(request, Request::Exit { .. } | Request::Die { .. }) {
            th.job = Job::Dead;
        }
        th.wait_for(request.clone(), on_reply);
        Flow::Stop(Event::Request(request))
    }

    fn callee(&self, v: Value) -> Result<FuncId, Fault> {
        match v {
            Value::Func(f) if (f.0 as usize) < self.image.0.functions.len() => Ok(f),
            Value::Int(0) => Err(Fault::new(
                FaultKind::BadCall,
                "call through a NULL function pointer",
            )),
            _ => Err(Fault::new(
                FaultKind::BadCall,
                "call through something that is not a function",
            )),
        }
    }

    /// Pushes a frame for `f`, whose `argc` arguments are on top of the stack.
    pub(super) fn enter(
        &mut self,
        t: usize,
        f: FuncId,
        argc: usize,
        on_return: OnReturn,
    ) -> Result<(), Fault> {
        let func = &self.image.0.functions[f.0 as usize];
        let th = &mut self.threads[t];
        if th.frames.len() >= self.config.max_call_depth {
            return Err(Fault::new(
                FaultKind::StackOverflow,
                format!(
                    "calls nested deeper than {} (runaway recursion in `{}`?)",
                    self.config.max_call_depth, func.name
                ),
            ));
        }
        let bytes: usize = func.frame_objects.iter().map(|&s| s as usize).sum();
        if self.memory.used() + bytes > self.config.max_memory {
            return Err(Fault::new(
                FaultKind::StackOverflow,
                format!(
                    "the frame of `{}` needs {bytes} bytes beyond the memory limit",
                    func.name
                ),
            ));
        }
        let base = th
            .stack
            .len()
            .checked_sub(argc)
            .expect("IR invariant: call arguments on the stack");
        th.stack.resize(base + func.slots as usize, Value::ZERO);
        for (index, &size) in func.frame_objects.iter().enumerate() {
            let kind = RegionKind::Frame {
                func: f,
                index: index as u16,
            };
            let region = self.memory.allocate(Region::zeroed(kind, size as usize));
            th.push(Value::Ptr(Ptr { region, offset: 0 }));
        }
        th.frames.push(Frame {
            func: f,
            pc: 0,
            base: base as u32,
            operands: th.stack.len() as u32,
            on_return,
        });
        Ok(())
    }

    /// Returns `v` from the top frame of thread `t`.
    fn ret(&mut self, t: usize, v: Value) -> Flow {
        let th = &mut self.threads[t];
        let frame = th.frames.pop().expect("IR invariant: return with a frame");
        let slots = self.image.0.functions[frame.func.0 as usize].slots as usize;
        let objects = frame.base as usize + slots..frame.operands as usize;
        for object in &th.stack[objects] {
            if let Value::Ptr(p) = object {
                self.memory.free(p.region);
            }
        }
        th.stack.truncate(frame.base as usize);
        match frame.on_return {
            OnReturn::Exit => th.job = Job::Exiting,
            OnReturn::Value if th.frames.is_empty() => {
                self.exit_status = v.as_int().unwrap_or(0) as i32;
                th.job = Job::Exiting;
            }
            OnReturn::Value => th.push(v),
        }
        Flow::Next
    }

    /// Performs library or system call `call` with the `argc` arguments on top of the stack.
    fn call(
        &mut self,
        t: usize,
        call: Call,
        argc: usize,
        env: &mut dyn Env,
    ) -> Result<Flow, Fault> {
        let th = &self.threads[t];
        let n = th.stack.len();
        let args: SmallVec<[Value; 8]> = th.stack[n - argc..].iter().copied().collect();
        let pc = th.frame().pc as usize;
        if let Some(event) = self.shared_gate(t, pc, &args, 1, true) {
            return Ok(Flow::Stop(event));
        }
        self.threads[t].stack.truncate(n - argc);
        let outcome = self.library(t, call, &args, env)?;
        Ok(self.finish(t, outcome))
    }

    /// Carries out what a call did.
    fn finish(&mut self, t: usize, outcome: Outcome) -> Flow {
        let th = &mut self.threads[t];
        match outcome {
            Outcome::Value(v) => {
                th.push(v);
                Flow::Next
            }
            Outcome::Output { left: 0, ret, .. } => {
                th.push(ret);
                Flow::Next
            }
            Outcome::Output { stream, left, ret } => {
                th.job = Job::Flush {
                    stream,
                    left: left as u32,
                    then: super::thread::Then::Return(ret),
                };
                Flow::Next
            }
            Outcome::Request(request, on_reply) => self.request(t, request, on_reply),
            Outcome::Exit(status) => {
                self.exit_status = status;
                th.job = Job::Exiting;
                Flow::Next
            }
            Outcome::Die(signal) => self.request(t, Request::Die { signal }, OnReply::Return),
        }
    }

    /// Kills thread `t`'s process with `fault` at `span`: [`Request::Die`] is pending.
    pub(super) fn fault(&mut self, t: usize, fault: Fault, span: Span) -> Event {
        let th = &mut self.threads[t];
        th.job = Job::Dead;
        th.wait_for(
            Request::Die {
                signal: fault.kind.signal(),
            },
            OnReply::Return,
        );
        Event::Fault(RuntimeFault {
            kind: fault.kind,
            message: fault.message,
            span,
        })
    }

    /// Like [`Vm::fault`], at the call thread `t` last made.
    pub(super) fn fault_here(&mut self, t: usize, fault: Fault) -> Event {
        let span = self.threads[t]
            .frames
            .last()
            .and_then(|f| {
                let func = &self.image.0.functions[f.func.0 as usize];
                func.spans.get((f.pc as usize).saturating_sub(1)).copied()
            })
            .unwrap_or_default();
        self.fault(t, fault, span)
    }
}

/// The value a `Store` of type `s` writes: integers wrapped, pointers kept.
fn store_value(s: crate::ir::Scalar, v: Value) -> Result<Value, Fault> {
    match (v, s) {
        (Value::Int(n), _) => Ok(Value::Int(arith::wrap(n, s))),
        (Value::Pid(n), _) => Ok(Value::Pid(arith::wrap(n, s))),
        _ => arith::convert(s, v),
    }
}
