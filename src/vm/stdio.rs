//! The `FILE` buffers of `stdin`, `stdout` and `stderr` (glibc semantics: the mode is chosen
//! at a stream's first output from whether its descriptor is a terminal, `setvbuf(3)`
//! overrides it), deciding how many buffered bytes each output must write out now.

use super::{BufMode, VmConfig};

/// One stream's buffer.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Stream {
    /// Bytes written by the program, not yet handed to `write(2)`.
    pub buf: Vec<u8>,
    /// The buffering mode, once chosen (first output or `setvbuf`).
    pub mode: Option<BufMode>,
    /// Buffer size set by `setvbuf` (bytes); 0 = the configured default.
    pub size: u32,
    /// Input only: end of file (or an error) was seen; sticky, as in glibc 2.28+.
    pub eof: bool,
}

/// Bytes `stdin` asks `read(2)` for when its buffer runs dry (glibc's buffer size).
pub const STDIN_READ: usize = 4096;

/// The three standard streams and what the process knows of its terminals.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Stdio {
    /// `stdin`, `stdout`, `stderr`.
    pub streams: [Stream; 3],
    /// Bit `fd` set: descriptor `fd` (below 64) is a terminal.
    pub tty: u64,
}

impl Default for Stdio {
    fn default() -> Self {
        Stdio {
            streams: Default::default(),
            tty: 0b111,
        }
    }
}

impl Stdio {
    /// Whether `fd` is a terminal, as far as the C library knows.
    pub fn is_tty(&self, fd: i32) -> bool {
        (0..64).contains(&fd) && self.tty & (1 << fd) != 0
    }

    /// Records whether `fd` is a terminal.
    pub fn set_tty(&mut self, fd: i32, is_tty: bool) {
        if (0..64).contains(&fd) {
            if is_tty {
                self.tty |= 1 << fd;
            } else {
                self.tty &= !(1 << fd);
            }
        }
    }

    /// The mode of stream `n`, choosing it now if this is its first output.
    ///
    /// glibc: a stream on a terminal is line buffered (here: the configured mode), on a pipe
    /// or file fully buffered; `stderr` off a terminal is unbuffered, as glibc always makes it.
    pub fn mode(&mut self, n: u8, config: &VmConfig) -> BufMode {
        let tty = self.is_tty(i32::from(n));
        let stream = &mut self.streams[n as usize];
        *stream.mode.get_or_insert(match (n, tty) {
            (2, true) => config.stderr,
            (2, false) => BufMode::Unbuffered,
            (_, true) => config.stdout,
            (_, false) => BufMode::Full,
        })
    }

    /// The buffer size of stream `n` in bytes.
    pub fn size(&self, n: u8, config: &VmConfig) -> usize {
        match self.streams[n as usize].size {
            0 => config.buffer_size.max(1),
            size => size as usize,
        }
    }

    /// Appends `data` to stream `n` and returns how many bytes from the front of its buffer
    /// must be written now.
    pub fn output(&mut self, n: u8, data: &[u8], config: &VmConfig) -> usize {
        let mode = self.mode(n, config);
        let size = self.size(n, config);
        let buf = &mut self.streams[n as usize].buf;
        buf.extend_from_slice(data);
        let full = buf.len() / size * size;
        match mode {
            BufMode::Unbuffered => buf.len(),
            BufMode::Full => full,
            BufMode::Line => match data.iter().rposition(|&b| b == b'\n') {
                Some(i) => (buf.len() - data.len() + i + 1).max(full),
                None => full,
            },
        }
    }

    /// How many bytes the next `write` of stream `n` takes, `left` being still due: fully
    /// buffered streams write whole buffers, others everything at once.
    pub fn chunk(&mut self, n: u8, left: usize, config: &VmConfig) -> usize {
        match self.mode(n, config) {
            BufMode::Full => left.min(self.size(n, config)),
            _ => left,
        }
    }

    /// Adds what a `read(2)` of `stdin` returned (nothing: end of file).
    pub fn refill(&mut self, data: &[u8]) {
        let stdin = &mut self.streams[0];
        stdin.eof |= data.is_empty();
        stdin.buf.extend_from_slice(data);
    }

    /// `getchar`: the next byte of `stdin`, `Some(None)` at end of file, `None` if the
    /// buffer must be refilled first.
    pub fn getchar(&mut self) -> Option<Option<u8>> {
        let stdin = &mut self.streams[0];
        if stdin.buf.is_empty() {
            return stdin.eof.then_some(None);
        }
        Some(Some(stdin.buf.remove(0)))
    }

    /// `fgets` with room for `room` bytes before the NUL: the line (with its newline, at
    /// most `room` bytes), `Some(empty)` at end of file, `None` if the buffer must be
    /// refilled first.
    pub fn fgets(&mut self, room: usize) -> Option<Vec<u8>> {
        let stdin = &mut self.streams[0];
        let newline = stdin.buf.iter().position(|&b| b == b'\n');
        let take = match newline {
            Some(i) => (i + 1).min(room),
            None if stdin.buf.len() >= room || stdin.eof => stdin.buf.len().min(room),
            None => return None,
        };
        Some(stdin.buf.drain(..take).collect())
    }

    /// Sets stream `n`'s mode (`setvbuf`): `_IOFBF` 0, `_IOLBF` 1, `_IONBF` 2. Returns
    /// whether `mode` was valid.
    pub fn setvbuf(&mut self, n: u8, mode: i64, size: u64) -> bool {
        let stream = &mut self.streams[n as usize];
        stream.mode = Some(match mode {
            0 => BufMode::Full,
            1 => BufMode::Line,
            2 => BufMode::Unbuffered,
            _ => return false,
        });
        if size > 0 {
            stream.size = size.min(1 << 30) as u32;
        }
        true
    }
}
