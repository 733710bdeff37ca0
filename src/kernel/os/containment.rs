//! Containment: nothing of a run outlives it. The supervisor is single-threaded before it
//! forks, is a child subreaper (prctl(2) `PR_SET_CHILD_SUBREAPER`) so every orphan comes to
//! it, handles Ctrl-C and termination through a `signalfd`, and at the end kills until no
//! descendant remains; the run's directory and System V objects are removed.

use nix::errno::Errno;
use nix::sys::signal::{kill, SigSet, SigmaskHow, Signal};
use nix::sys::signalfd::{SfdFlags, SignalFd};
use nix::unistd::Pid;
use std::path::{Path, PathBuf};

/// Whether this process has exactly one thread (`Threads:` in `/proc/self/status`): `fork`
/// is only safe for the interpreter when no other thread holds a lock. A thread that was
/// just joined (the parser runs on one) may take a moment to leave the count, so this
/// looks again for up to 100 ms.
pub fn single_threaded() -> bool {
    let one = || {
        let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
        status
            .lines()
            .find_map(|line| line.strip_prefix("Threads:"))
            .is_some_and(|n| n.trim() == "1")
    };
    for _ in 0..100 {
        if one() {
            return true;
        }
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    false
}

/// The signals the supervisor takes through its `signalfd` instead of their handlers.
fn supervised() -> SigSet {
    let mut set = SigSet::empty();
    for signal in [
        Signal::SIGCHLD,
        Signal::SIGINT,
        Signal::SIGTERM,
        Signal::SIGHUP,
        Signal::SIGQUIT,
    ] {
        set.add(signal);
    }
    set
}

/// The supervisor's signals: blocked, and readable from a descriptor.
#[derive(Debug)]
pub struct Signals {
    /// Delivers `SIGCHLD`, `SIGINT`, `SIGTERM`, `SIGHUP` and `SIGQUIT`.
    pub fd: SignalFd,
    previous: SigSet,
}

impl Signals {
    /// Blocks the supervised signals and opens the `signalfd` for them.
    ///
    /// # Errors
    /// The errno of `sigprocmask(2)` or `signalfd(2)`.
    pub fn take() -> nix::Result<Signals> {
        let mut previous = SigSet::empty();
        nix::sys::signal::sigprocmask(
            SigmaskHow::SIG_BLOCK,
            Some(&supervised()),
            Some(&mut previous),
        )?;
        let fd = SignalFd::with_flags(
            &supervised(),
            SfdFlags::SFD_NONBLOCK | SfdFlags::SFD_CLOEXEC,
        )?;
        Ok(Signals { fd, previous })
    }

    /// In a child: the signal mask the supervisor had before [`Signals::take`] (a blocked
    /// mask would survive `exec`).
    pub fn restore_in_child(&self) {
        let _ = nix::sys::signal::sigprocmask(SigmaskHow::SIG_SETMASK, Some(&self.previous), None);
    }

    /// Unblocks the supervised signals again (after the run).
    pub fn release(self) {
        drop(self.fd);
        let _ = nix::sys::signal::sigprocmask(SigmaskHow::SIG_SETMASK, Some(&self.previous), None);
    }
}

/// Makes this process the reaper of its descendants' orphans.
///
/// # Errors
/// The `prctl(2)` errno.
pub fn become_subreaper() -> nix::Result<()> {
    nix::sys::prctl::set_child_subreaper(true)
}

/// Every live descendant of `root`, parents before children, from
/// `/proc/<pid>/task/<tid>/children`. Unlike a process group, this finds processes that
/// called `setsid` or `setpgid`.
pub fn descendants(root: Pid) -> Vec<Pid> {
    let mut found = Vec::new();
    let mut queue = vec![root];
    while let Some(pid) = queue.pop() {
        for child in children(pid) {
            found.push(child);
            queue.push(child);
        }
    }
    found
}

/// The children of `pid`, over all its threads.
fn children(pid: Pid) -> Vec<Pid> {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for task in tasks.flatten() {
        let list = std::fs::read_to_string(task.path().join("children")).unwrap_or_default();
        out.extend(
            list.split_whitespace()
                .filter_map(|n| n.parse().ok())
                .map(Pid::from_raw),
        );
    }
    out
}

/// The parent pid of live (or zombie) `pid`, from `/proc/<pid>/stat`.
pub fn parent_of(pid: i64) -> Option<i64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after_name = &stat[stat.rfind(')')? + 1..];
    after_name.split_whitespace().nth(1)?.parse().ok()
}

/// Sends `SIGKILL` to every live descendant of this process; `false` when there was none.
/// Call it with reaping in between until it returns `false`: a process may fork before the
/// signal lands.
pub fn kill_descendants() -> bool {
    let all = descendants(nix::unistd::getpid());
    for &pid in &all {
        match kill(pid, Signal::SIGKILL) {
            Ok(()) | Err(Errno::ESRCH) => {}
            Err(_) => {}
        }
    }
    !all.is_empty()
}

/// The run's private directory (`/tmp/scn-XXXXXX`, mode 0700): the scenario's working
/// directory, where its FIFOs and socket files live. Removed with everything in it when
/// dropped.
#[derive(Debug)]
pub struct RunDir {
    path: PathBuf,
}

impl RunDir {
    /// Creates a fresh directory under `/tmp` (a short path: socket names must fit
    /// `sun_path`).
    ///
    /// # Errors
    /// The `mkdtemp(3)` errno.
    pub fn create() -> nix::Result<RunDir> {
        let path = nix::unistd::mkdtemp("/tmp/scn-XXXXXX")?;
        Ok(RunDir { path })
    }

    /// Its path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Writes the scenario's declared files (`file "path" = "…";`), `./` and leading `/`
    /// dropped: every one lives in the run directory, the processes' working directory.
    ///
    /// # Errors
    /// The errno of a failed write.
    pub fn write_files(&self, files: &[(Vec<u8>, Vec<u8>)]) -> nix::Result<()> {
        use std::os::unix::ffi::OsStrExt;
        for (path, contents) in files {
            let mut relative = path.as_slice();
            while let Some(rest) = relative
                .strip_prefix(b"./")
                .or_else(|| relative.strip_prefix(b"/"))
            {
                relative = rest;
            }
            let target = self.path.join(std::ffi::OsStr::from_bytes(relative));
            if let Some(parent) = target.parent() {
                std::fs::create_dir_all(parent).map_err(io_errno)?;
            }
            std::fs::write(&target, contents).map_err(io_errno)?;
        }
        Ok(())
    }

    /// The regular files directly in the directory, by name, with their contents (not
    /// `.stdin`, the terminal input the run was given).
    pub fn regular_files(&self) -> Vec<crate::outcome::FileRecord> {
        let Ok(entries) = std::fs::read_dir(&self.path) else {
            return Vec::new();
        };
        let mut files: Vec<crate::outcome::FileRecord> = (entries.flatten())
            .filter(|e| e.file_type().is_ok_and(|t| t.is_file()) && e.file_name() != ".stdin")
            .filter_map(|e| {
                Some(crate::outcome::FileRecord {
                    path: e.file_name().to_string_lossy().into_owned(),
                    contents: std::fs::read(e.path()).ok()?,
                })
            })
            .collect();
        files.sort_by(|a, b| a.path.cmp(&b.path));
        files
    }
}

/// The errno of an I/O error (`EIO` if it has none).
fn io_errno(error: std::io::Error) -> nix::errno::Errno {
    nix::errno::Errno::from_raw(error.raw_os_error().unwrap_or(libc::EIO))
}

impl Drop for RunDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// Removes the FIFOs and socket files the run made outside its directory (a scenario may
/// bind `/tmp/name`) and its POSIX shared memory objects (`/dev/shm/scn-<pid>-name`);
/// anything at those paths that is not of that kind any more is left alone.
pub fn remove_made(paths: &[String]) {
    use std::os::unix::fs::FileTypeExt;
    for path in paths {
        let Ok(meta) = std::fs::symlink_metadata(path) else {
            continue;
        };
        let shm_object = path.starts_with("/dev/shm/scn-") && meta.file_type().is_file();
        if meta.file_type().is_fifo() || meta.file_type().is_socket() || shm_object {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// System V IPC objects (message queues, semaphore sets, shared memory segments) the
/// scenario created: the kernel keeps them after every process is gone, so the supervisor
/// removes each one (`IPC_RMID`) at the end of the run.
#[derive(Debug, Default)]
pub struct SysvObjects {
    /// `(kind, id)` in creation order.
    objects: Vec<(SysvKind, i32)>,
}

/// Which System V facility an object belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum SysvKind {
    /// `msgget(2)`.
    MessageQueue,
    /// `semget(2)`.
    SemaphoreSet,
    /// `shmget(2)`.
    SharedMemory,
    /// A message queue that carries a mailbox or a process's direct messages (not numbered
    /// among the scenario's own queues).
    Mailbox,
}

impl SysvKind {
    /// The kind whose `as u8` is `code`.
    pub fn from_code(code: u8) -> Option<SysvKind> {
        [
            SysvKind::MessageQueue,
            SysvKind::SemaphoreSet,
            SysvKind::SharedMemory,
            SysvKind::Mailbox,
        ]
        .into_iter()
        .find(|k| *k as u8 == code)
    }
}

impl SysvObjects {
    /// Notes an object a scenario process created.
    pub fn record(&mut self, kind: SysvKind, id: i32) {
        self.objects.push((kind, id));
    }

    /// The place of `id` among the objects of `kind` the run created (0 for the first),
    /// which is the id the simulator gives it.
    pub fn index_of(&self, kind: SysvKind, id: i32) -> Option<usize> {
        (self.objects.iter())
            .filter(|(k, _)| *k == kind)
            .position(|(_, i)| *i == id)
    }

    /// Removes every recorded object (already removed ones fail quietly).
    pub fn remove_all(&mut self) {
        for (kind, id) in self.objects.drain(..) {
            // SAFETY: IPC_RMID takes no buffer (a null pointer is allowed); an id that no
            // longer exists makes the call fail with EINVAL.
            let _ = unsafe {
                match kind {
                    SysvKind::MessageQueue | SysvKind::Mailbox => {
                        libc::msgctl(id, libc::IPC_RMID, std::ptr::null_mut())
                    }
                    SysvKind::SemaphoreSet => libc::semctl(id, 0, libc::IPC_RMID),
                    SysvKind::SharedMemory => {
                        libc::shmctl(id, libc::IPC_RMID, std::ptr::null_mut())
                    }
                }
            };
        }
    }
}
