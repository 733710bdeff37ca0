//! Calls, returns, requests and faults of a thread: frames pushed and popped (with their
//! memory objects), library and system calls dispatched, their outcomes carried out.

use super::arith;
use super::memory::{Fault, Region, RegionKind};
use super::thread::{Frame, Job, OnReply, OnReturn, Then};
use super::value::{Ptr, RegionId, Value};
use super::{Env, Event, FaultKind, Request, RuntimeFault, Vm};
use crate::calls::Call;
use crate::ir::FuncId;
use crate::syntax::span::Span;
use smallvec::SmallVec;

/// What a library or system call did.
pub enum Outcome {
    /// Returned this value.
    Value(Value),
    /// Buffered output on stream `stream`, `left` bytes of which must be written now; then
    /// `then` (usually: the call returns a value).
    Output {
        /// 1 or 2.
        stream: u8,
        /// Bytes to write from the front of the buffer.
        left: usize,
        /// What follows the writes.
        then: Then,
    },
    /// Needs the kernel.
    Request(Request, OnReply),
    /// `exit(status)`.
    Exit(i32),
    /// The process kills itself with this signal (`abort`).
    Die(i32),
    /// `stdin`'s buffer must be refilled by a `read(2)` first; the call then runs again.
    Refill,
}

/// Whether the loop goes on with the (possibly new) top frame or stops.
pub(super) enum Flow {
    Next,
    Stop(Event),
}

impl Vm {
    /// Sets the program counter of thread `t`'s top frame.
    pub(super) fn set_pc(&mut self, t: usize, pc: usize) {
        if let Some(frame) = self.threads[t].frames.last_mut() {
            frame.pc = pc as u32;
        }
    }

    /// Before an access through `ptrs`: if one points into shared memory and the kernel has
    /// not granted this instruction's access yet, asks for it (the instruction runs again).
    pub(super) fn shared_gate(
        &mut self,
        t: usize,
        pc: usize,
        ptrs: &[Value],
        len: u32,
        write: bool,
    ) -> Option<Event> {
        let (object, offset) = self.shared_target(ptrs)?;
        let request = Request::Shared {
            object,
            offset,
            len,
            write,
        };
        self.ask_access(t, pc, request)
    }

    /// The first of `ptrs` that points into a shared object: the object's kernel id and the
    /// offset.
    fn shared_target(&self, ptrs: &[Value]) -> Option<(u32, u32)> {
        ptrs.iter().find_map(|v| match v {
            Value::Ptr(p) => self.memory.shared_object(*p).map(|o| (o, p.offset)),
            _ => None,
        })
    }

    /// Asks the kernel for the memory access `request` of the instruction at `pc` (which
    /// then runs again), unless it was just granted.
    fn ask_access(&mut self, t: usize, pc: usize, request: Request) -> Option<Event> {
        if std::mem::take(&mut self.threads[t].shared_granted) {
            return None;
        }
        self.set_pc(t, pc - 1);
        match self.request(t, request, OnReply::Shared) {
            Flow::Stop(event) => Some(event),
            Flow::Next => None,
        }
    }

    /// Before an access through `ptrs` by an instruction: shared memory as in
    /// [`Vm::shared_gate`], and while the process has more than one live thread any of its
    /// own writable memory, which the other threads see ([`Request::Memory`]).
    pub(super) fn memory_gate(
        &mut self,
        t: usize,
        pc: usize,
        ptrs: &[Value],
        len: u32,
        write: bool,
    ) -> Option<Event> {
        if self.shared_target(ptrs).is_some() || !self.threaded() {
            return self.shared_gate(t, pc, ptrs, len, write);
        }
        let private = ptrs.iter().find_map(|v| match v {
            Value::Ptr(p) if p.region.0 & RegionId::STATIC == 0 => {
                (p.region.0 >= RegionId::GLOBALS.0).then_some(*p)
            }
            _ => None,
        })?;
        self.thread_gate(t, pc, private.region.0, private.offset, len, write)
    }

    /// Before an access to scalar global `slot` (see [`Vm::memory_gate`]).
    pub(super) fn global_gate(
        &mut self,
        t: usize,
        pc: usize,
        slot: u32,
        write: bool,
    ) -> Option<Event> {
        if !self.threaded() {
            return None;
        }
        self.thread_gate(t, pc, u32::MAX, slot, 8, write)
    }

    fn thread_gate(
        &mut self,
        t: usize,
        pc: usize,
        region: u32,
        offset: u32,
        len: u32,
        write: bool,
    ) -> Option<Event> {
        let request = Request::Memory {
            region,
            offset,
            len,
            write,
        };
        self.ask_access(t, pc, request)
    }

    /// Whether more than one thread of the process lives (its memory is then shared).
    fn threaded(&self) -> bool {
        self.threads.len() > 1 && self.live_threads() > 1
    }

    /// Waits at `request`.
    pub(super) fn request(&mut self, t: usize, request: Request, on_reply: OnReply) -> Flow {
        let th = &mut self.threads[t];
        if matches!(
            request,
            Request::Exit { .. } | Request::Die { .. } | Request::ThreadExit { .. }
        ) {
            th.job = Job::Dead;
        }
        th.wait_for(request.clone(), on_reply);
        Flow::Stop(Event::Request(request))
    }

    pub(super) fn callee(&self, v: Value) -> Result<FuncId, Fault> {
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
                FaultKind::MemoryLimit,
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
    pub(super) fn ret(&mut self, t: usize, v: Value) -> Flow {
        let th = &mut self.threads[t];
        let frame = th.frames.pop().expect("IR invariant: return with a frame");
        let returns_to_entry = th.frames.len() == 1 && th.frames[0].func == self.image.0.entry;
        if t == 0 && returns_to_entry && frame.on_return == OnReturn::Value {
            // `main`'s frame stays (below the entry's operands) so that `expect main.x` can
            // read its locals at exit; nothing runs in it again.
            self.main_frame = Some(frame);
            th.push(v);
            return Flow::Next;
        }
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
            OnReturn::Resume => {
                let depth = th.frames.len() as u32;
                if let Some(restart) = th.restart.take_if(|r| r.2 == depth) {
                    let (request, on_reply, _) = *restart;
                    th.wait_for(request.clone(), on_reply);
                    return Flow::Stop(Event::Request(request));
                }
            }
            OnReturn::Thread => return self.thread_return(t, v),
            OnReturn::Value if th.frames.is_empty() => {
                self.exit_status = v.as_int().unwrap_or(0) as i32;
                th.job = Job::Exiting;
            }
            OnReturn::Value => th.push(v),
        }
        Flow::Next
    }

    /// Performs library or system call `call` with the `argc` arguments on top of the stack.
    pub(super) fn call(
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
        if let Outcome::Refill = outcome {
            // The call runs again, arguments and all, once stdin's buffer is refilled.
            self.threads[t].stack.extend_from_slice(&args);
            self.set_pc(t, pc - 1);
            // glibc flushes line-buffered output before it reads input.
            let stdout = &self.stdio.streams[1];
            if stdout.mode == Some(super::BufMode::Line) && !stdout.buf.is_empty() {
                self.threads[t].job = Job::Flush {
                    stream: 1,
                    left: stdout.buf.len() as u32,
                    then: Then::Resume,
                };
                return Ok(Flow::Next);
            }
            let read = Request::Read {
                fd: 0,
                len: super::stdio::STDIN_READ,
            };
            return Ok(self.request(t, read, OnReply::Refill));
        }
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
            Outcome::Output {
                left: 0,
                then: Then::Return(ret),
                ..
            } => {
                th.push(ret);
                Flow::Next
            }
            Outcome::Output { stream, left, then } => {
                th.job = Job::Flush {
                    stream,
                    left: left as u32,
                    then,
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
            Outcome::Refill => unreachable!("refills are requested by Vm::call"),
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
pub(super) fn store_value(s: crate::ir::Scalar, v: Value) -> Result<Value, Fault> {
    match (v, s) {
        (Value::Int(n), _) => Ok(Value::Int(arith::wrap(n, s))),
        (Value::Pid(n), _) => Ok(Value::Pid(arith::wrap(n, s))),
        _ => arith::convert(s, v),
    }
}
