//! Process calls: `fork(2)`, `_exit(2)` and death by a signal, `waitpid(2)`, `execve(2)`,
//! `sleep(3)`, with zombies, orphans and their adoption by init or a subreaper.

use super::end::read_variables;
use super::kernel::{Kernel, Step};
use super::pcb::{new_record, Block, Live, INIT_PID};
use crate::config::Reaper;
use crate::errno::{ECHILD, ENOENT};
use crate::outcome::{Limit, ProcessState, Termination};
use crate::vm::{Reply, Value, Vm};
use std::rc::Rc;

/// `WNOHANG`: `waitpid` returns 0 at once instead of blocking.
pub const WNOHANG: i32 = 1;
/// `SIGKILL`: how cascading termination ends descendants.
pub const SIGKILL: i32 = 9;

impl Kernel<'_> {
    /// `fork()`: a copy of `p` (memory, stdio buffers, descriptors) that gets 0 while `p`
    /// gets its pid. Stops the run at `max_processes`.
    pub(super) fn fork(&mut self, p: u32, spawn: Option<&str>) -> Step {
        if self.table.pcbs.len() as u64 >= self.scenario.config.max_processes {
            return Step::Limit(Limit::Processes);
        }
        let parent = self.table.live(p);
        let mut vm = parent.vm.clone();
        vm.keep_only_thread(parent.thread());
        vm.resume(0, Reply::Value(Value::ZERO));
        let child = self.new_child(p, vm, spawn);
        let pid = self.table.pid(child);
        Step::Reply(Reply::Pid(pid))
    }

    /// Adds a child of `p` running `vm`, with copies of `p`'s descriptors, and makes it
    /// ready (first, under `fork_runs = child`).
    pub(super) fn new_child(&mut self, p: u32, vm: Vm, spawn: Option<&str>) -> u32 {
        let parent = self.table.live(p);
        parent.forks += 1;
        let n = parent.forks;
        let fds = parent.fds.clone();
        let signals = parent.signals.forked();
        for file in fds.files() {
            self.file_opened(file);
        }
        let name = self.table.child_name(p, n, spawn);
        let pid = self.table.next_pid();
        let program = self.table.record(p).program.clone();
        let record = new_record(pid, name, Some(p as usize), program, self.table.pid(p));
        let child = self.table.insert(record, Some(p), Live::new(vm, fds));
        self.table.live(child).signals = signals;
        let parent = self.table.live(p);
        parent.children.push(child);
        parent.live_children += 1;
        self.created(child);
        if let Some(parent) = self.scheduler.forked(child) {
            self.set_state(parent, ProcessState::Ready);
        }
        child
    }

    /// `_exit(status)`: only the low 8 bits reach the parent.
    pub(super) fn exit(&mut self, p: u32, status: i32) -> Step {
        self.terminate(p, Termination::Exited(status & 0xff));
        Step::Performed
    }

    /// Death by `signal` (`abort`, a fault).
    pub(super) fn die(&mut self, p: u32, signal: i32) -> Step {
        self.terminate(p, Termination::Signaled(signal));
        Step::Performed
    }

    /// Ends `p` and, with `cascading_termination`, every live descendant first (by
    /// `SIGKILL`, deepest first so none of them is orphaned on the way).
    pub(super) fn terminate(&mut self, p: u32, termination: Termination) {
        if self.scenario.config.cascading_termination {
            for d in self.descendants(p).into_iter().rev() {
                self.end_process(d, Termination::Signaled(SIGKILL));
            }
        }
        self.end_process(p, termination);
    }

    /// Live descendants of `p`, parents before their children.
    fn descendants(&self, p: u32) -> Vec<u32> {
        let mut found = Vec::new();
        let mut stack = vec![p];
        while let Some(q) = stack.pop() {
            let Some(live) = self.table.get(q).live.as_ref() else {
                continue;
            };
            for &c in &live.children {
                let child = self.table.get(c);
                if child.parent == Some(q) && child.live.is_some() {
                    found.push(c);
                    stack.push(c);
                }
            }
        }
        found
    }

    /// Terminates `p` alone: records how, reads the watched variables, closes its
    /// descriptors, drops its program state, hands its children on and leaves a zombie.
    fn end_process(&mut self, p: u32, termination: Termination) {
        if self.table.get(p).live.is_none() {
            return;
        }
        self.close_all(p);
        if matches!(
            self.table.get(p).state,
            ProcessState::Running | ProcessState::Ready
        ) {
            self.scheduler.remove(p);
        }
        self.set_state(p, ProcessState::Terminated);
        self.table.alive -= 1;
        self.table.get_mut(p).exited_at = self.clock.now;
        let live = self.table.get_mut(p).live.take().expect("checked above");
        let record = self.table.record_mut(p);
        record.termination = Some(termination);
        record.variables = read_variables(&live.vm, &self.scenario.watched);
        let children = live.children.clone();
        drop(live);
        self.reparent_children(p, &children);
        self.become_zombie(p);
        self.notify_parent(p);
    }

    /// Who adopts the orphans of `p`: the initial process when it is the subreaper and
    /// alive, else init (`None`).
    fn reaper_for(&self, p: u32) -> Option<u32> {
        let main_alive = self.table.get(0).live.is_some();
        (self.scenario.config.orphans == Reaper::Main && p != 0 && main_alive).then_some(0)
    }

    /// Hands the children of exiting `p` to the reaper: live ones become orphans, zombies
    /// are reaped by init or wait for the subreaper.
    fn reparent_children(&mut self, p: u32, children: &[u32]) {
        let reaper = self.reaper_for(p);
        let reaper_pid = reaper.map_or(INIT_PID, |r| self.table.pid(r));
        for &c in children {
            let child = self.table.get_mut(c);
            let reaped = child.live.is_none() && !child.zombie;
            if child.parent != Some(p) || reaped {
                continue;
            }
            child.parent = reaper;
            let (zombie, alive) = (child.zombie, child.live.is_some());
            let record = self.table.record_mut(c);
            record.ppid = reaper_pid;
            if alive {
                record.orphaned = true;
                record.adopted_by = Some(reaper_pid);
            }
            match reaper {
                None if zombie => self.reap_by_init(c),
                None => {}
                Some(r) => {
                    let adopter = self.table.live(r);
                    adopter.children.push(c);
                    if zombie {
                        adopter.zombies.insert(c);
                        self.wake_waiting_parent(r, c);
                    } else {
                        adopter.live_children += 1;
                    }
                }
            }
        }
    }

    /// Terminated `p` waits for its parent's `wait`; init reaps at once, and the shell
    /// reaps the initial process.
    fn become_zombie(&mut self, p: u32) {
        match self.table.get(p).parent {
            None if p == 0 => {}
            None => self.reap_by_init(p),
            Some(q) => {
                self.table.get_mut(p).zombie = true;
                let parent = self.table.live(q);
                parent.zombies.insert(p);
                parent.live_children -= 1;
                self.wake_waiting_parent(q, p);
            }
        }
    }

    fn reap_by_init(&mut self, c: u32) {
        self.table.get_mut(c).zombie = false;
        let zombie_micros = self.clock.now - self.table.get(c).exited_at;
        let record = self.table.record_mut(c);
        record.reaped_by = Some(INIT_PID);
        record.zombie_micros = zombie_micros;
    }

    /// Wakes `q` if it is blocked in a `wait` that child `c` satisfies.
    fn wake_waiting_parent(&mut self, q: u32, c: u32) {
        let pid = self.table.pid(c);
        if let Some(Block::Wait { pid: awaited }) = self.table.live(q).block {
            if awaited <= 0 || awaited == pid {
                self.wake(q);
            }
        }
    }

    /// `waitpid(pid, &status, options)`: reaps a zombie child (the oldest for `pid <= 0`),
    /// blocks while matching children live (0 with `WNOHANG`), `ECHILD` if none match.
    pub(super) fn waitpid(&mut self, p: u32, pid: i64, options: i32) -> Step {
        let (zombie, waiting) = if pid > 0 {
            match self
                .table
                .index_of(pid)
                .filter(|&c| self.is_unreaped_child(p, c))
            {
                Some(c) if self.table.get(c).zombie => (Some(c), false),
                Some(_) => (None, true),
                None => (None, false),
            }
        } else {
            let live = self.table.live(p);
            (live.zombies.first().copied(), live.live_children > 0)
        };
        if let Some(c) = zombie {
            return Step::Reply(self.reap(p, c));
        }
        match (waiting, options & WNOHANG != 0) {
            (false, _) => Step::Reply(Reply::Error(ECHILD)),
            (true, true) => Step::Reply(Reply::Value(Value::ZERO)),
            (true, false) => Step::Blocked(Block::Wait { pid }),
        }
    }

    pub(super) fn is_unreaped_child(&self, p: u32, c: u32) -> bool {
        let child = self.table.get(c);
        child.parent == Some(p) && (child.live.is_some() || child.zombie)
    }

    /// `p` reaps its zombie child `c`: the zombie is gone, its status returned.
    fn reap(&mut self, p: u32, c: u32) -> Reply {
        self.table.live(p).zombies.remove(&c);
        let reaper = self.table.pid(p);
        self.table.get_mut(c).zombie = false;
        let zombie_micros = self.clock.now - self.table.get(c).exited_at;
        let child = self.table.record_mut(c);
        child.reaped_by = Some(reaper);
        child.zombie_micros = zombie_micros;
        let status = child.termination.map_or(0, Termination::wait_status);
        Reply::Waited {
            pid: child.pid,
            status,
        }
    }

    /// `execve(path, argv)`: on success the image is replaced (descriptors stay, stdio
    /// buffers are lost); a path that names no program fails with `ENOENT`.
    pub(super) fn exec(
        &mut self,
        p: u32,
        path: &[u8],
        argv: &[Vec<u8>],
        search_path: bool,
    ) -> Step {
        let catalog = &self.scenario.catalog;
        let path = String::from_utf8_lossy(path);
        let Some(image) = catalog.resolve(&path, search_path) else {
            return Step::Reply(Reply::Error(ENOENT));
        };
        let program = if Rc::ptr_eq(image, &catalog.main) {
            "main".to_string()
        } else {
            image.path.clone()
        };
        let live = self.table.live(p);
        live.vm.exec(image.clone(), argv.to_vec());
        live.threads = Default::default();
        live.signals.exec();
        for fd in 0..=2 {
            let tty = live.fds.get(fd) == Some(super::files::OpenFile::Terminal);
            live.vm.set_tty(fd, tty);
        }
        self.table.record_mut(p).program = program;
        Step::Performed
    }

    /// `sleep`: `p` waits until the virtual clock has advanced by `micros`.
    pub(super) fn sleep(&mut self, p: u32, micros: u64) -> Step {
        if micros == 0 {
            return Step::Reply(Reply::Value(Value::ZERO));
        }
        let until = self.clock.sleep(p, micros);
        Step::PerformedThenBlocked(Block::Sleep { until })
    }
}
