//! Descriptors and pipes through the kernel: redirection, blocking and waking, `SIGPIPE`,
//! and large writes.

use super::{block, blocked, child, reply, scenario};
use crate::config::Config;
use crate::kernel::sim::kernel::{Kernel, Options, Step};
use crate::outcome::{OutputChunk, ProcessState, Termination};
use crate::vm::{Reply, Value};

#[test]
fn pipes_carry_bytes_and_wake_readers() {
    let s = scenario(Config::default());
    let mut k = Kernel::new(&s, Options::default());
    assert_eq!(reply(k.pipe(0)), Reply::Fds(3, 4));
    let c = child(&mut k, 0);
    reply(k.close(c, 4));
    let read = blocked(k.read(c, 3, 10));
    assert_eq!(read.phrase(), "read() from an empty pipe (fd 3)");
    block(&mut k, c, read);
    assert_eq!(reply(k.write(0, 4, b"hi")), Reply::Value(Value::Int(2)));
    assert_eq!(k.table.get(c).state, ProcessState::Ready);
    assert_eq!(reply(k.read(c, 3, 10)), Reply::Data(b"hi".to_vec()));
    let wait = blocked(k.read(c, 3, 10));
    block(&mut k, c, wait);
    reply(k.close(0, 4));
    assert_eq!(k.table.get(c).state, ProcessState::Ready);
    assert_eq!(reply(k.read(c, 3, 10)), Reply::Data(Vec::new()));
    assert_eq!(reply(k.write(c, 3, b"x")), Reply::Error(9));
}

#[test]
fn writing_to_a_pipe_without_readers_is_sigpipe() {
    let s = scenario(Config::default());
    let mut k = Kernel::new(&s, Options::default());
    reply(k.pipe(0));
    reply(k.close(0, 3));
    assert!(matches!(k.write(0, 4, b"x"), Step::Performed));
    let termination = k.table.record(0).termination;
    assert_eq!(termination, Some(Termination::Signaled(13)));
}

#[test]
fn large_writes_go_in_parts_as_room_frees() {
    let s = scenario(Config {
        pipe_capacity: 8,
        ..Config::default()
    });
    let mut k = Kernel::new(&s, Options::default());
    reply(k.pipe(0));
    let data = b"0123456789";
    let Step::PerformedThenBlocked(rest) = k.write(0, 4, data) else {
        panic!("a write larger than the pipe goes in parts");
    };
    assert_eq!(rest.phrase(), "write() to a full pipe (fd 4)");
    block(&mut k, 0, rest);
    assert_eq!(reply(k.read(0, 3, 3)), Reply::Data(b"012".to_vec()));
    assert_eq!(k.table.get(0).state, ProcessState::Ready);
    assert_eq!(reply(k.write(0, 4, data)), Reply::Value(Value::Int(10)));
    assert_eq!(reply(k.read(0, 3, 20)), Reply::Data(b"3456789".to_vec()));
}

#[test]
fn descriptors_redirect_and_report_errors() {
    let s = scenario(Config::default());
    let mut k = Kernel::new(&s, Options::default());
    reply(k.pipe(0));
    assert_eq!(reply(k.write(0, 2, b"e")), Reply::Value(Value::Int(1)));
    assert_eq!(reply(k.dup2(0, 4, 1)), Reply::Value(Value::Int(1)));
    reply(k.write(0, 1, b"x"));
    assert_eq!(
        k.output,
        [OutputChunk {
            process: 0,
            fd: 2,
            bytes: b"e".to_vec()
        }]
    );
    assert_eq!(reply(k.read(0, 3, 4)), Reply::Data(b"x".to_vec()));
    assert_eq!(reply(k.isatty(0, 1)), Reply::Error(25));
    assert_eq!(reply(k.isatty(0, 2)), Reply::Value(Value::Int(1)));
    assert_eq!(reply(k.dup(0, 2)), Reply::Value(Value::Int(5)));
    for bad in [k.close(0, 9), k.dup(0, 9), k.dup2(0, 9, 1), k.isatty(0, -1)] {
        assert_eq!(reply(bad), Reply::Error(9));
    }
    assert_eq!(reply(k.read(0, 0, 4)), Reply::Data(Vec::new()));
}
