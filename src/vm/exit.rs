//! `exit(3)` and stdio flushing as a thread's jobs: `atexit` handlers in reverse order of
//! registration, then `stdout` and `stderr` flushed, then `_exit`; a flush writes its
//! buffer one `write(2)` request at a time.

use super::thread::{Job, OnReply, OnReturn, Then};
use super::{Event, Request, Value, Vm};

impl Vm {
    /// The next step of `exit`: an `atexit` handler's frame (`None`, the thread runs it), a
    /// flush (`None`, the flush job goes on) or the final [`Request::Exit`].
    pub(super) fn continue_exit(&mut self, t: usize) -> Option<Event> {
        if let Some(handler) = self.atexit.pop() {
            if let Err(fault) = self.enter(t, handler, 0, OnReturn::Exit) {
                return Some(self.fault_here(t, fault));
            }
            self.threads[t].job = Job::Run;
            return None;
        }
        for stream in [1u8, 2] {
            let left = self.stdio.streams[stream as usize].buf.len();
            if left > 0 {
                self.threads[t].job = Job::Flush {
                    stream,
                    left: left as u32,
                    then: Then::Exit,
                };
                return None;
            }
        }
        let request = Request::Exit {
            status: self.exit_status,
        };
        let th = &mut self.threads[t];
        th.job = Job::Dead;
        th.wait_for(request.clone(), OnReply::Return);
        Some(Event::Request(request))
    }

    /// The next step of a flush: a [`Request::Write`] of the next chunk, or (all written) the
    /// call returning / `exit` going on (`None`).
    pub(super) fn continue_flush(&mut self, t: usize) -> Option<Event> {
        let Job::Flush { stream, left, then } = self.threads[t].job else {
            unreachable!("continue_flush runs only during a flush job");
        };
        let buffered = self.stdio.streams[stream as usize].buf.len();
        let left = (left as usize).min(buffered);
        if left == 0 {
            let th = &mut self.threads[t];
            match then {
                Then::Return(v) => {
                    th.job = Job::Run;
                    th.push(v);
                }
                Then::Exit => th.job = Job::Exiting,
                Then::Resume => th.job = Job::Run,
                Then::Die(signal) => {
                    let request = Request::Die { signal };
                    th.job = Job::Dead;
                    th.wait_for(request.clone(), OnReply::Return);
                    return Some(Event::Request(request));
                }
                Then::Flush(stream) => {
                    th.job = Job::Flush {
                        stream,
                        left: self.stdio.streams[stream as usize].buf.len() as u32,
                        then: Then::Return(Value::ZERO),
                    }
                }
            }
            return None;
        }
        let n = self.stdio.chunk(stream, left, &self.config);
        let data: Vec<u8> = self.stdio.streams[stream as usize].buf.drain(..n).collect();
        let request = Request::Write {
            fd: i32::from(stream),
            data,
        };
        let th = &mut self.threads[t];
        th.job = Job::Flush {
            stream,
            left: (left - n) as u32,
            then,
        };
        th.wait_for(request.clone(), OnReply::Flushed);
        Some(Event::Request(request))
    }
}
