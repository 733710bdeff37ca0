//! An ordinary pipe (`pipe(2)`, `pipe(7)`): a bounded byte buffer with counts of open read
//! and write ends and the processes waiting on it.

use std::collections::VecDeque;

/// `PIPE_BUF`: writes of at most this many bytes are atomic (POSIX.1-2017 `write`).
pub const PIPE_BUF: usize = 4096;

/// One pipe.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Pipe {
    buffer: VecDeque<u8>,
    capacity: usize,
    /// Descriptors (in all processes) open on the read end.
    pub readers: u32,
    /// Descriptors (in all processes) open on the write end.
    pub writers: u32,
    /// Processes blocked reading it (may hold stale entries; checked on wake-up).
    pub waiting_readers: Vec<u32>,
    /// Processes blocked writing it (may hold stale entries; checked on wake-up).
    pub waiting_writers: Vec<u32>,
}

/// What a `read` of a pipe does now.
#[derive(Debug, PartialEq, Eq)]
pub enum PipeRead {
    /// These bytes (at least one).
    Data(Vec<u8>),
    /// End of file: empty and no write end open anywhere.
    Eof,
    /// Empty with a writer: the reader blocks.
    Empty,
}

/// What a `write` to a pipe does now.
#[derive(Debug, PartialEq, Eq)]
pub enum PipeWrite {
    /// This many bytes went into the buffer (all that was asked, or for a write larger than
    /// `PIPE_BUF`, as many as fit).
    Wrote(usize),
    /// Not enough room: the writer blocks.
    Full,
    /// No read end is open: `SIGPIPE` / `EPIPE`.
    Broken,
}

impl Pipe {
    /// An empty pipe holding at most `capacity` bytes, with one read and one write end.
    pub fn new(capacity: usize) -> Pipe {
        Pipe {
            capacity: capacity.max(1),
            readers: 1,
            writers: 1,
            ..Pipe::default()
        }
    }

    /// Reads at most `len` bytes (`len` 0 reads nothing and returns an empty `Data`).
    pub fn read(&mut self, len: usize) -> PipeRead {
        if self.buffer.is_empty() {
            return if len == 0 {
                PipeRead::Data(Vec::new())
            } else if self.writers == 0 {
                PipeRead::Eof
            } else {
                PipeRead::Empty
            };
        }
        let n = len.min(self.buffer.len());
        PipeRead::Data(self.buffer.drain(..n).collect())
    }

    /// Writes `data`, all at once if it is at most `PIPE_BUF` bytes (atomic), otherwise as
    /// much as fits.
    pub fn write(&mut self, data: &[u8]) -> PipeWrite {
        if self.readers == 0 {
            return PipeWrite::Broken;
        }
        let room = self.capacity - self.buffer.len();
        let atomic = data.len() <= PIPE_BUF.min(self.capacity);
        let n = if atomic {
            if room < data.len() {
                return PipeWrite::Full;
            }
            data.len()
        } else {
            if room == 0 {
                return PipeWrite::Full;
            }
            room.min(data.len())
        };
        self.buffer.extend(&data[..n]);
        PipeWrite::Wrote(n)
    }

    /// Whether a `read` of `len` bytes would block now: empty, with a write end open.
    pub fn read_blocks(&self, len: usize) -> bool {
        self.buffer.is_empty() && len > 0 && self.writers > 0
    }

    /// Whether a `write` of `len` bytes would block now, by the rules of [`Pipe::write`].
    pub fn write_blocks(&self, len: usize) -> bool {
        if self.readers == 0 {
            return false;
        }
        let room = self.capacity - self.buffer.len();
        if len <= PIPE_BUF.min(self.capacity) {
            room < len
        } else {
            room == 0
        }
    }

    /// Keeps in the wait queues only the processes for which `waits` holds, each once and in
    /// index order (the explorer's canonical form: the order only decides who retries
    /// first, which the explorer leaves to the schedule).
    pub(super) fn retain_waiting(&mut self, mut waits: impl FnMut(u32) -> bool) {
        for queue in [&mut self.waiting_readers, &mut self.waiting_writers] {
            queue.sort_unstable();
            queue.dedup();
            queue.retain(|&q| waits(q));
        }
    }

    /// Frees the buffer once no end is open.
    pub fn release_if_closed(&mut self) {
        if self.readers == 0 && self.writers == 0 {
            self.buffer = VecDeque::new();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_blocks_while_empty_and_a_writer_exists() {
        let mut pipe = Pipe::new(16);
        assert_eq!(pipe.read(4), PipeRead::Empty);
        pipe.writers = 0;
        assert_eq!(pipe.read(4), PipeRead::Eof);
    }

    #[test]
    fn read_returns_what_is_there_in_order() {
        let mut pipe = Pipe::new(16);
        assert_eq!(pipe.write(b"hello"), PipeWrite::Wrote(5));
        assert_eq!(pipe.read(3), PipeRead::Data(b"hel".to_vec()));
        assert_eq!(pipe.read(10), PipeRead::Data(b"lo".to_vec()));
        assert_eq!(pipe.read(10), PipeRead::Empty);
    }

    #[test]
    fn small_writes_are_atomic() {
        let mut pipe = Pipe::new(8);
        assert_eq!(pipe.write(b"abcde"), PipeWrite::Wrote(5));
        assert_eq!(pipe.write(b"fghi"), PipeWrite::Full);
        assert_eq!(pipe.write(b"fgh"), PipeWrite::Wrote(3));
        assert_eq!(pipe.write(b"x"), PipeWrite::Full);
    }

    #[test]
    fn large_writes_may_be_split() {
        let mut pipe = Pipe::new(65536);
        let data = vec![7u8; 70_000];
        assert_eq!(pipe.write(&data), PipeWrite::Wrote(65536));
        assert_eq!(pipe.write(&data[65536..]), PipeWrite::Full);
        assert!(matches!(pipe.read(10_000), PipeRead::Data(d) if d.len() == 10_000));
        assert_eq!(pipe.write(&data[65536..]), PipeWrite::Wrote(70_000 - 65536));
    }

    #[test]
    fn write_without_readers_is_broken() {
        let mut pipe = Pipe::new(16);
        pipe.readers = 0;
        assert_eq!(pipe.write(b"x"), PipeWrite::Broken);
    }

    #[test]
    fn data_outlives_the_writers() {
        let mut pipe = Pipe::new(16);
        pipe.write(b"ab");
        pipe.writers = 0;
        assert_eq!(pipe.read(8), PipeRead::Data(b"ab".to_vec()));
        assert_eq!(pipe.read(8), PipeRead::Eof);
    }
}
