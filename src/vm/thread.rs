//! One thread of control: a call stack kept in two vectors (slots and operand stacks in one,
//! frame headers in the other, so `fork` copies two buffers) and what it waits for.

use super::request::{Reply, Request};
use super::value::{Ptr, Value};
use crate::ir::FuncId;

/// What happens when a frame returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OnReturn {
    /// Push the value for the caller.
    Value,
    /// An `atexit` handler finished: continue `exit`.
    Exit,
    /// A signal handler finished: the interrupted code goes on (the value is dropped).
    Resume,
    /// A thread's start function returned: `pthread_exit(value)`.
    Thread,
}

/// One activation: the function, where it is, where its slots start on the value stack.
///
/// Layout on the value stack from `base`: the function's `slots`, then one pointer per frame
/// object, then its operand stack.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Frame {
    /// The function running.
    pub func: FuncId,
    /// Index of the next instruction.
    pub pc: u32,
    /// First slot on the value stack.
    pub base: u32,
    /// Where its operand stack starts (after slots and frame-object pointers).
    pub operands: u32,
    /// What its return does.
    pub on_return: OnReturn,
}

/// What the thread does next, besides running code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Job {
    /// Run the code of the top frame.
    Run,
    /// Write `left` more bytes of stream `stream`'s buffer, then do `then`.
    Flush {
        /// 1 = stdout, 2 = stderr (0 = stdin, never written).
        stream: u8,
        /// Bytes still to write from the front of its buffer.
        left: u32,
        /// What follows.
        then: Then,
    },
    /// Continue `exit`: `atexit` handlers, then flushing, then `_exit`.
    Exiting,
    /// Asked to `_exit` or die: never runs again.
    Dead,
}

/// What follows a stdio flush.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Then {
    /// The library call returns this value.
    Return(Value),
    /// `exit` goes on.
    Exit,
    /// The code goes on where it was (the interrupted call runs again).
    Resume,
    /// Flush this stream too (`fflush(NULL)`), then the call returns 0.
    Flush(u8),
    /// The process kills itself with this signal (`assert` failing: `abort` after the
    /// message).
    Die(i32),
}

/// How to apply the kernel's reply to the pending request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OnReply {
    /// The call returns the reply's value (`-1` and `errno` on error).
    Return,
    /// The call returns `NULL` on error instead of `-1`.
    ReturnPointer,
    /// `wait`: store the status through this pointer (if not NULL) and return the pid.
    Wait(Value),
    /// `read`: copy the data to this buffer and return the count.
    Read(Ptr),
    /// `pipe`: store both descriptors in this `int[2]`.
    Pipe(Ptr),
    /// `msgrcv`: store the type and text at this buffer and return the text's length.
    Msgrcv(Ptr),
    /// `sigaction`: store the previous handler at this `struct sigaction` (if not NULL)
    /// and return 0.
    Sigaction(Option<Ptr>),
    /// `sigprocmask`/`sigpending`: store the mask replied (bit `n` for signal `n`) into this
    /// `sigset_t`, if not NULL, and return 0.
    Sigset(Option<Ptr>),
    /// `receive`/`try_receive`: store the message (a `long`) here and return 0.
    Message(Ptr),
    /// A stdio flush's `write`: the job goes on.
    Flushed,
    /// A shared-memory access was granted: re-run the instruction.
    Shared,
    /// `stdin`'s buffer was refilled (empty data: end of file): re-run the call.
    Refill,
    /// A `pthread_mutex_*` call: returns 0 or the error number (not `-1` and `errno`).
    ErrorNumber,
    /// `pthread_create`: store the new thread's id here and return 0 (or the error number).
    ThreadCreate(Ptr),
    /// `pthread_join`: store the thread's exit value through this `void **` (if not NULL)
    /// and return 0 (or the error number).
    Join(Value),
    /// `sem_getvalue`: store the value in this `int` and return 0.
    Getvalue(Ptr),
}

/// A thread: call stack, pending request, and what to do next.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Thread {
    /// Slots, frame-object pointers and operand stacks of all frames.
    pub stack: Vec<Value>,
    /// Frame headers, innermost last.
    pub frames: Vec<Frame>,
    /// The request it waits at.
    pub pending: Option<Request>,
    /// How to apply the answer to `pending`.
    pub on_reply: OnReply,
    /// The answer, applied when it runs next.
    pub reply: Option<Reply>,
    /// What it does next.
    pub job: Job,
    /// The kernel granted the shared-memory access the current instruction makes.
    pub shared_granted: bool,
    /// Signal handlers to run before the code goes on: `(handler, signal number)`.
    pub signals: Vec<(FuncId, i32)>,
    /// A blocked call set aside while a signal handler runs (`SA_RESTART`): it is made
    /// again when the handler's frame returns to this many frames.
    pub restart: Option<Box<(Request, OnReply, u32)>>,
}

impl Thread {
    /// A thread with an empty stack.
    pub fn new() -> Thread {
        Thread {
            stack: Vec::with_capacity(64),
            frames: Vec::with_capacity(8),
            pending: None,
            on_reply: OnReply::Return,
            reply: None,
            job: Job::Run,
            shared_granted: false,
            signals: Vec::new(),
            restart: None,
        }
    }

    /// Pops the operand on top.
    #[inline]
    pub fn pop(&mut self) -> Value {
        self.stack
            .pop()
            .expect("IR invariant: operand stack underflow")
    }

    /// Pushes an operand.
    #[inline]
    pub fn push(&mut self, v: Value) {
        self.stack.push(v);
    }

    /// The innermost frame.
    #[inline]
    pub fn frame(&self) -> &Frame {
        self.frames
            .last()
            .expect("IR invariant: a running thread has a frame")
    }

    /// Waits at `request`, applying its reply with `on_reply`.
    pub fn wait_for(&mut self, request: Request, on_reply: OnReply) {
        self.pending = Some(request);
        self.on_reply = on_reply;
    }
}

impl Clone for Thread {
    /// `fork` clones every thread; the copy gets a little spare stack room so that the
    /// child's first calls do not reallocate at once.
    fn clone(&self) -> Thread {
        let mut stack = Vec::with_capacity(self.stack.len() + 16);
        stack.extend_from_slice(&self.stack);
        let mut frames = Vec::with_capacity(self.frames.len() + 2);
        frames.extend_from_slice(&self.frames);
        Thread {
            stack,
            frames,
            pending: self.pending.clone(),
            on_reply: self.on_reply,
            reply: self.reply.clone(),
            job: self.job,
            shared_granted: self.shared_granted,
            signals: self.signals.clone(),
            restart: self.restart.clone(),
        }
    }
}
