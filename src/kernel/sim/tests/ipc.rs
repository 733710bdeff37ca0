//! IPC through the kernel: FIFO opens that wait for each other, message queues that block
//! and are removed under a waiting receiver, shared memory ids and mappings, signals and
//! mailboxes.

use super::{block, blocked, child, image_running, reply, scenario};
use crate::calls::Call;
use crate::config::Config;
use crate::ir::{Catalog, FuncId, Instr};
use crate::kernel::sim::kernel::{Kernel, Options, Step};
use crate::kernel::sim::pcb::Block;
use crate::outcome::{ProcessState, Termination};
use crate::scenario::Scenario;
use crate::vm::{Event, NoEnv, Reply, Value};

/// A scenario whose program calls `pause()` first, so a test can park a process at a
/// pending request that the kernel may answer.
fn pausing() -> Scenario {
    let image = image_running("/proc/self", vec![Instr::Call(Call::Pause, 0), Instr::Ret]);
    Scenario {
        catalog: Catalog {
            main: image,
            programs: Default::default(),
        },
        ..scenario(Config::default())
    }
}

/// Runs `p`'s VM to its pending request and blocks it on `on`.
fn park(k: &mut Kernel, p: u32, on: Block) {
    let mut budget = 100;
    let event = k.table.live(p).vm.run(0, &mut NoEnv, &mut budget);
    assert!(matches!(event, Event::Request(_)), "parked at a request");
    block(k, p, on);
}

fn performed_then_blocked(step: Step) -> Block {
    match step {
        Step::PerformedThenBlocked(block) => block,
        other => panic!("expected to block after acting, got {other:?}"),
    }
}

fn value(n: i64) -> Reply {
    Reply::Value(Value::Int(n))
}

#[test]
fn a_fifo_reader_waits_for_a_writer() {
    let s = pausing();
    let mut k = Kernel::new(&s, Options::default());
    let writer = child(&mut k, 0);
    assert_eq!(reply(k.mkfifo(b"/tmp/f")), value(0));
    assert_eq!(reply(k.mkfifo(b"/tmp/f")), Reply::Error(17));
    let wait = performed_then_blocked(k.open(0, b"/tmp/f", 0));
    assert_eq!(
        wait.phrase(),
        "open() of a FIFO for reading, until a writer opens it (fd 3)"
    );
    park(&mut k, 0, wait);
    assert_eq!(reply(k.open(writer, b"/tmp/f", 1)), value(3));
    assert_eq!(k.table.get(0).state, ProcessState::Ready);
    assert_eq!(reply(k.write(writer, 3, b"hi")), value(2));
    assert_eq!(reply(k.read(0, 3, 8)), Reply::Data(b"hi".to_vec()));
    assert_eq!(reply(k.unlink(b"/tmp/f")), value(0));
    assert_eq!(reply(k.unlink(b"/tmp/f")), Reply::Error(2));
    reply(k.close(writer, 3));
    assert_eq!(reply(k.read(0, 3, 8)), Reply::Data(Vec::new()));
}

#[test]
fn o_nonblock_never_waits_and_a_lone_writer_gets_enxio() {
    let s = scenario(Config::default());
    let mut k = Kernel::new(&s, Options::default());
    reply(k.mkfifo(b"f"));
    assert_eq!(reply(k.open(0, b"f", 1 | 0o4000)), Reply::Error(6));
    assert_eq!(reply(k.open(0, b"f", 0o4000)), value(3));
    assert_eq!(reply(k.read(0, 3, 1)), Reply::Data(Vec::new()));
    assert_eq!(reply(k.open(0, b"f", 1)), value(4));
    assert_eq!(reply(k.open(0, b"nothing", 0)), Reply::Error(2));
}

#[test]
fn a_receiver_waits_for_its_type_and_sees_the_queue_removed() {
    let s = pausing();
    let mut k = Kernel::new(&s, Options::default());
    let sender = child(&mut k, 0);
    assert_eq!(reply(k.msgget(0, 0o1000)), value(0));
    let wait = blocked(k.msgrcv(0, 0, 64, 2, 0));
    assert_eq!(wait.phrase(), "msgrcv() of type 2 from message queue 0");
    park(&mut k, 0, wait);
    assert_eq!(reply(k.msgsnd(sender, 0, 1, b"one", 0)), value(0));
    assert_eq!(k.table.get(0).state, ProcessState::Ready);
    let wait = blocked(k.msgrcv(0, 0, 64, 2, 0));
    k.table.get_mut(0).state = ProcessState::Running;
    k.block(0, wait);
    assert_eq!(reply(k.msgctl(0, 0)), value(0));
    assert_eq!(k.table.get(0).state, ProcessState::Ready);
    assert_eq!(reply(k.msgsnd(sender, 0, 1, b"x", 0)), Reply::Error(22));
}

#[test]
fn message_queue_keys_and_capacity() {
    let s = scenario(Config::default());
    let mut k = Kernel::new(&s, Options::default());
    assert_eq!(reply(k.msgget(77, 0)), Reply::Error(2));
    assert_eq!(reply(k.msgget(77, 0o1000)), value(0));
    assert_eq!(reply(k.msgget(77, 0)), value(0));
    assert_eq!(reply(k.msgget(77, 0o3000)), Reply::Error(17));
    assert_eq!(reply(k.msgget(0, 0)), value(1));
    let big = vec![1u8; 8192];
    assert_eq!(reply(k.msgsnd(0, 0, 5, &big, 0)), value(0));
    assert_eq!(reply(k.msgsnd(0, 0, 5, &big, 0)), value(0));
    assert_eq!(reply(k.msgsnd(0, 0, 5, b"x", 0o4000)), Reply::Error(11));
    assert_eq!(
        blocked(k.msgsnd(0, 0, 5, b"x", 0)),
        Block::Msgsnd { msqid: 0 }
    );
    assert_eq!(reply(k.msgrcv(0, 0, 10, 5, 0)), Reply::Error(7));
    let Reply::Data(data) = reply(k.msgrcv(0, 0, 10, 5, 0o10000)) else {
        panic!("a truncated message");
    };
    assert_eq!(data.len(), 8 + 10);
    assert_eq!(data[..8], 5i64.to_le_bytes());
}

#[test]
fn shared_memory_segments_are_found_by_key_and_mapped() {
    let s = scenario(Config::default());
    let mut k = Kernel::new(&s, Options::default());
    assert_eq!(reply(k.shmget(5, 100, 0o1000)), value(0));
    assert_eq!(reply(k.shmget(5, 50, 0)), value(0));
    assert_eq!(reply(k.shmget(5, 200, 0)), Reply::Error(22));
    assert_eq!(reply(k.shmget(5, 10, 0o3000)), Reply::Error(17));
    let Reply::Value(Value::Ptr(ptr)) = reply(k.shmat(0, 0)) else {
        panic!("shmat gives a pointer");
    };
    assert_eq!(ptr.offset, 0);
    assert_eq!(reply(k.shmctl(0, 0)), value(0));
    assert_eq!(reply(k.shmat(0, 0)), Reply::Error(22));
    assert_eq!(reply(k.shmget(5, 10, 0)), Reply::Error(2));
    assert_eq!(reply(k.unmap(0, Value::Ptr(ptr))), value(0));
    assert_eq!(reply(k.unmap(0, Value::Ptr(ptr))), Reply::Error(22));
}

#[test]
fn posix_shared_memory_is_named_sized_and_mapped() {
    use crate::kernel::sim::shm::Mmap;
    let s = scenario(Config::default());
    let mut k = Kernel::new(&s, Options::default());
    assert_eq!(reply(k.shm_open(0, b"/OS", 0)), Reply::Error(2));
    assert_eq!(reply(k.shm_open(0, b"/OS", 0o100 | 2)), value(3));
    assert_eq!(reply(k.ftruncate(0, 3, 4096)), value(0));
    assert_eq!(k.ipc.shm.objects[0].len(), 4096);
    assert_eq!(reply(k.shm_open(0, b"OS", 0)), value(4));
    let map = |fd, prot| Mmap {
        length: 4096,
        prot,
        flags: 1,
        fd,
        offset: 0,
    };
    assert!(matches!(
        reply(k.mmap(0, &map(3, 3))),
        Reply::Value(Value::Ptr(_))
    ));
    assert_eq!(reply(k.mmap(0, &map(4, 3))), Reply::Error(13));
    assert!(matches!(
        reply(k.mmap(0, &map(4, 1))),
        Reply::Value(Value::Ptr(_))
    ));
    assert_eq!(reply(k.mmap(0, &map(1, 1))), Reply::Error(22));
    assert_eq!(reply(k.shm_unlink(b"OS")), value(0));
    assert_eq!(reply(k.shm_unlink(b"OS")), Reply::Error(2));
}

#[test]
fn default_actions_terminate_or_ignore() {
    let s = scenario(Config::default());
    let mut k = Kernel::new(&s, Options::default());
    let a = child(&mut k, 0);
    let b = child(&mut k, 0);
    assert_eq!(reply(k.kill(0, 1002, 17)), value(0));
    assert!(k.table.get(b).live.is_some());
    assert_eq!(reply(k.kill(0, 1001, 15)), value(0));
    assert_eq!(
        k.table.record(a).termination,
        Some(Termination::Signaled(15))
    );
    assert_eq!(reply(k.kill(0, 1001, 0)), value(0), "a zombie still exists");
    assert_eq!(reply(k.kill(0, 4242, 9)), Reply::Error(3));
    assert_eq!(reply(k.signal(b, 9, Value::Int(1))), Reply::Error(22));
    reply(k.signal(b, 2, Value::Int(1)));
    reply(k.kill(0, 1002, 2));
    assert!(k.table.get(b).live.is_some());
    assert!(matches!(k.raise(0, 6), Step::Performed));
    assert_eq!(
        k.table.record(0).termination,
        Some(Termination::Signaled(6))
    );
}

#[test]
fn a_caught_signal_interrupts_pause_and_merges_while_pending() {
    let s = pausing();
    let mut k = Kernel::new(&s, Options::default());
    let c = child(&mut k, 0);
    let handler = Value::Func(FuncId(0));
    assert_eq!(reply(k.signal(c, 10, handler)), value(0));
    assert_eq!(reply(k.signal(c, 10, handler)), Reply::Value(handler));
    let pause = performed_then_blocked(k.pause());
    assert_eq!(pause.phrase(), "pause() for a signal");
    park(&mut k, c, pause);
    reply(k.kill(0, 1001, 10));
    reply(k.kill(0, 1001, 10));
    assert_eq!(k.table.get(c).state, ProcessState::Ready);
    assert_eq!(k.table.live(c).signals.pending, 1 << 10);
}

#[test]
fn a_handled_sigchld_reaches_the_parent_of_an_exiting_child() {
    let s = scenario(Config::default());
    let mut k = Kernel::new(&s, Options::default());
    let c = child(&mut k, 0);
    reply(k.signal(0, 17, Value::Func(FuncId(0))));
    k.exit(c, 0);
    assert_eq!(k.table.live(0).signals.pending, 1 << 17);
}

#[test]
fn alarms_report_the_seconds_left() {
    let s = scenario(Config::default());
    let mut k = Kernel::new(&s, Options::default());
    assert_eq!(reply(k.alarm(0, 5)), value(0));
    k.clock.now = 1_500_000;
    assert_eq!(reply(k.alarm(0, 0)), value(4));
    assert_eq!(k.table.live(0).signals.alarm, None);
}

#[test]
fn a_rendezvous_sender_waits_until_its_message_is_received() {
    let s = pausing();
    let mut k = Kernel::new(&s, Options::default());
    let c = child(&mut k, 0);
    assert_eq!(reply(k.mailbox(0)), value(1));
    assert_eq!(reply(k.mailbox_send(c, 1, 9, false)), Reply::Error(11));
    let wait = performed_then_blocked(k.mailbox_send(c, 1, 42, true));
    assert_eq!(
        wait.phrase(),
        "send() to mailbox 1 until a receiver takes the message"
    );
    park(&mut k, c, wait);
    assert_eq!(reply(k.mailbox_receive(0, 1, true)), value(42));
    assert_eq!(k.table.get(c).state, ProcessState::Ready);
    assert_eq!(reply(k.mailbox_receive(0, 1, false)), Reply::Error(11));
}

#[test]
fn a_bounded_mailbox_blocks_senders_while_full() {
    let s = scenario(Config::default());
    let mut k = Kernel::new(&s, Options::default());
    assert_eq!(reply(k.mailbox(1)), value(1));
    assert_eq!(reply(k.mailbox(-2)), Reply::Error(22));
    assert_eq!(reply(k.mailbox_send(0, 1, 1, true)), value(0));
    assert_eq!(reply(k.mailbox_send(0, 1, 2, false)), Reply::Error(11));
    let full = blocked(k.mailbox_send(0, 1, 2, true));
    assert_eq!(full.phrase(), "send() to full mailbox 1");
    assert_eq!(reply(k.mailbox_receive(0, 1, false)), value(1));
    assert_eq!(reply(k.mailbox_send(0, 7, 1, true)), Reply::Error(22));
    let empty = blocked(k.mailbox_receive(0, 1, true));
    assert_eq!(empty.phrase(), "receive() from empty mailbox 1");
}

#[test]
fn a_stream_connection_waits_in_the_backlog_until_accepted() {
    let s = pausing();
    let mut k = Kernel::new(&s, Options::default());
    let client = child(&mut k, 0);
    assert_eq!(reply(k.socket(0, 1, 1)), value(3));
    assert_eq!(reply(k.socket(0, 2, 1)), Reply::Error(97));
    assert_eq!(reply(k.bind(0, 3, b"/s")), value(0));
    assert_eq!(reply(k.bind(0, 3, b"/t")), Reply::Error(22));
    assert_eq!(reply(k.listen(0, 3, 0)), value(0));
    let accept = blocked(k.accept(0, 3));
    assert_eq!(accept.phrase(), "accept() of a connection (fd 3)");
    park(&mut k, 0, accept);
    assert_eq!(reply(k.socket(client, 1, 1)), value(3));
    assert_eq!(reply(k.connect(client, 3, b"/s")), value(0));
    assert_eq!(k.table.get(0).state, ProcessState::Ready);
    assert_eq!(reply(k.socket(client, 1, 1)), value(4));
    assert_eq!(
        blocked(k.connect(client, 4, b"/s")).phrase(),
        "connect() to a socket whose backlog is full (fd 4)"
    );
    assert_eq!(reply(k.accept(0, 3)), value(4));
    assert_eq!(reply(k.write(client, 3, b"hello")), value(5));
    assert_eq!(reply(k.read(0, 4, 2)), Reply::Data(b"he".to_vec()));
    reply(k.close(client, 3));
    assert_eq!(reply(k.read(0, 4, 8)), Reply::Data(b"llo".to_vec()));
    assert_eq!(reply(k.read(0, 4, 8)), Reply::Data(Vec::new()));
    assert!(matches!(k.write(0, 4, b"x"), Step::Performed), "SIGPIPE");
}

#[test]
fn datagrams_keep_their_boundaries() {
    let s = scenario(Config::default());
    let mut k = Kernel::new(&s, Options::default());
    assert_eq!(reply(k.socketpair(0, 1, 2)), Reply::Fds(3, 4));
    assert_eq!(reply(k.write(0, 3, b"one")), value(3));
    assert_eq!(reply(k.write(0, 3, b"two")), value(3));
    assert_eq!(reply(k.read(0, 4, 64)), Reply::Data(b"one".to_vec()));
    assert_eq!(reply(k.read(0, 4, 1)), Reply::Data(b"t".to_vec()));
    let empty = blocked(k.read(0, 4, 64));
    assert_eq!(empty.phrase(), "recv() from a socket with no data (fd 4)");
    reply(k.close(0, 4));
    assert_eq!(reply(k.write(0, 3, b"x")), Reply::Error(111));
}

#[test]
fn direct_naming_receives_only_from_the_named_sender() {
    let s = scenario(Config::default());
    let mut k = Kernel::new(&s, Options::default());
    let a = child(&mut k, 0);
    let b = child(&mut k, 0);
    assert_eq!(reply(k.send_to_process(a, 1000, 1)), value(0));
    assert_eq!(reply(k.send_to_process(b, 1000, 2)), value(0));
    assert_eq!(reply(k.receive_from_process(0, 1002, true)), value(2));
    assert_eq!(
        reply(k.receive_from_process(0, 1002, false)),
        Reply::Error(11)
    );
    let wait = blocked(k.receive_from_process(0, 1002, true));
    assert_eq!(wait.phrase(), "receive() of a message from process 1002");
    assert_eq!(reply(k.receive_from_process(0, 1001, true)), value(1));
    k.exit(a, 0);
    assert_eq!(reply(k.send_to_process(0, 1001, 5)), Reply::Error(3));
}

#[test]
fn ignoring_sigchld_leaves_no_zombies() {
    let s = scenario(Config::default());
    let mut k = Kernel::new(&s, Options::default());
    let c = child(&mut k, 0);
    reply(k.signal(0, 17, Value::Int(1)));
    k.exit(c, 0);
    assert!(!k.table.get(c).zombie);
    assert_eq!(reply(k.waitpid(0, -1, 0)), Reply::Error(10));
}

proptest::proptest! {
    /// Non-blocking sends and receives on a mailbox of any capacity behave as a bounded
    /// FIFO queue: nothing lost, nothing duplicated, order kept.
    #[test]
    fn a_mailbox_is_a_bounded_fifo(
        capacity in 1i64..5,
        ops in proptest::collection::vec(proptest::option::of(0i64..100), 0..40),
    ) {
        let s = scenario(Config::default());
        let mut k = Kernel::new(&s, Options::default());
        reply(k.mailbox(capacity));
        let mut model = std::collections::VecDeque::new();
        for op in ops {
            match op {
                Some(m) => {
                    let fits = (model.len() as i64) < capacity;
                    let expected = if fits { value(0) } else { Reply::Error(11) };
                    proptest::prop_assert_eq!(reply(k.mailbox_send(0, 1, m, false)), expected);
                    if fits {
                        model.push_back(m);
                    }
                }
                None => {
                    let expected = model.pop_front().map_or(Reply::Error(11), value);
                    proptest::prop_assert_eq!(reply(k.mailbox_receive(0, 1, false)), expected);
                }
            }
        }
    }
}
