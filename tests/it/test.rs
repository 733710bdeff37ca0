//! The `Test` builder: runs the real `scn` binary from the crate root and captures its exit
//! code, stdout and stderr.

use std::ffi::OsString;
use std::io::Read;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// Longest one `scn` run may take before the test kills it and fails.
const TIME_LIMIT: Duration = Duration::from_secs(300);

/// One invocation of `scn`, built up with arguments and then run.
#[derive(Debug)]
pub struct Test {
    args: Vec<OsString>,
    dir: PathBuf,
}

/// What one run of `scn` did.
#[derive(Debug)]
pub struct Output {
    /// The exit code (`-1` if it was killed by a signal).
    pub code: i32,
    /// Standard output, lossily decoded.
    pub stdout: String,
    /// Standard error, lossily decoded.
    pub stderr: String,
}

impl Test {
    /// A run of `scn` with no arguments, in the crate root (so relative scenario paths in
    /// reports are the same on every machine).
    pub fn new() -> Self {
        Test {
            args: Vec::new(),
            dir: PathBuf::from(env!("CARGO_MANIFEST_DIR")),
        }
    }

    /// Appends one argument.
    pub fn arg(mut self, arg: impl Into<OsString>) -> Self {
        self.args.push(arg.into());
        self
    }

    /// Appends several arguments.
    pub fn args<I: IntoIterator<Item = S>, S: Into<OsString>>(mut self, args: I) -> Self {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    /// Runs `scn` to completion and captures what it did.
    ///
    /// # Panics
    /// If the binary cannot be started or runs longer than [`TIME_LIMIT`].
    pub fn run(self) -> Output {
        let mut child = Command::new(env!("CARGO_BIN_EXE_scn"))
            .args(&self.args)
            .current_dir(&self.dir)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the scn binary starts");
        // Drain both pipes on their own threads so a chatty run cannot fill a pipe and stall.
        let stdout = drain(child.stdout.take().expect("stdout is piped"));
        let stderr = drain(child.stderr.take().expect("stderr is piped"));
        let code = wait_with_limit(&mut child, &self.args);
        Output {
            code,
            stdout: stdout.join().expect("stdout reader"),
            stderr: stderr.join().expect("stderr reader"),
        }
    }
}

fn drain(mut pipe: impl Read + Send + 'static) -> thread::JoinHandle<String> {
    thread::spawn(move || {
        let mut bytes = Vec::new();
        pipe.read_to_end(&mut bytes).expect("read from scn");
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

fn wait_with_limit(child: &mut Child, args: &[OsString]) -> i32 {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("wait for scn") {
            return status.code().unwrap_or(-1);
        }
        if start.elapsed() > TIME_LIMIT {
            child.kill().expect("kill scn");
            child.wait().expect("reap scn");
            panic!("scn {args:?} ran longer than {TIME_LIMIT:?}");
        }
        thread::sleep(Duration::from_millis(5));
    }
}

impl Output {
    /// The plain-text form snapshots keep: exit code, then stdout, then stderr.
    pub fn report(&self) -> String {
        format!(
            "exit: {}\n--- stdout\n{}\n--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}
