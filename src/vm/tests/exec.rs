//! System calls: requests built from arguments, replies written back, exec and variables.

use super::{drive, main_image, End};
use crate::calls::Call;
use crate::ir::{Instr, Scalar, StrId};
use crate::vm::{Reply, Request, Value, Vm, VmConfig};

#[test]
fn execlp_collects_its_arguments_and_fails_with_minus_one() {
    let code = vec![
        Instr::Str(StrId(0)),
        Instr::Str(StrId(0)),
        Instr::Str(StrId(1)),
        Instr::Const(0),
        Instr::Call(Call::Execlp, 4),
        Instr::Ret,
    ];
    let mut vm = Vm::new(
        main_image(&[], code, &["ls", "-l"]),
        vec![],
        &VmConfig::default(),
    );
    let mut out = Vec::new();
    let exec = Request::Exec {
        path: b"ls".to_vec(),
        argv: vec![b"ls".to_vec(), b"-l".to_vec()],
        search_path: true,
    };
    assert_eq!(drive(&mut vm, &mut out), End::Stopped(exec));
    vm.resume(0, Reply::Error(2));
    assert_eq!(drive(&mut vm, &mut out), End::Exit(-1));
    assert_eq!(vm.errno, 2);
}

#[test]
fn argv_reaches_main_and_exec_replaces_the_program() {
    // main returns strlen(argv[1]).
    let code = vec![
        Instr::Local(1),
        Instr::Const(1),
        Instr::PtrAdd(8),
        Instr::Load(Scalar::Ptr),
        Instr::Call(Call::Strlen, 1),
        Instr::Ret,
    ];
    let image = main_image(&[], code, &[]);
    let mut vm = Vm::new(
        image.clone(),
        vec![b"p".to_vec(), b"four".to_vec()],
        &VmConfig::default(),
    );
    let mut out = Vec::new();
    assert_eq!(drive(&mut vm, &mut out), End::Exit(4));
    vm.exec(image, vec![b"p".to_vec(), b"sixsix".to_vec()]);
    assert_eq!(drive(&mut vm, &mut out), End::Exit(6));
}

#[test]
fn wait_stores_the_status_and_returns_the_pid() {
    // int s; pid = wait(&s); return WEXITSTATUS(s) + pid - pid;
    let code = vec![
        Instr::FrameAddr(0),
        Instr::Call(Call::Wait, 1),
        Instr::SetLocal(2),
        Instr::FrameAddr(0),
        Instr::Load(Scalar::I32),
        Instr::Call(Call::Wexitstatus, 1),
        Instr::Ret,
    ];
    let mut vm = Vm::new(main_image(&[4], code, &[]), vec![], &VmConfig::default());
    let mut out = Vec::new();
    drive(&mut vm, &mut out);
    vm.resume(
        0,
        Reply::Waited {
            pid: 1001,
            status: 5 << 8,
        },
    );
    assert_eq!(drive(&mut vm, &mut out), End::Exit(5));
}

#[test]
fn pipe_and_read_write_memory() {
    // int fd[2]; pipe(fd); read(fd[0], buf, 4); return buf[1] + fd[1];
    let code = vec![
        Instr::FrameAddr(0),
        Instr::Call(Call::Pipe, 1),
        Instr::Pop,
        Instr::FrameAddr(0),
        Instr::Load(Scalar::I32),
        Instr::FrameAddr(1),
        Instr::Const(4),
        Instr::Call(Call::Read, 3),
        Instr::Pop,
        Instr::FrameAddr(1),
        Instr::Const(1),
        Instr::PtrAdd(1),
        Instr::Load(Scalar::I8),
        Instr::FrameAddr(0),
        Instr::Const(1),
        Instr::PtrAdd(4),
        Instr::Load(Scalar::I32),
        Instr::Arith(crate::ir::ArithOp::Add, Scalar::I32),
        Instr::Ret,
    ];
    let mut vm = Vm::new(main_image(&[8, 4], code, &[]), vec![], &VmConfig::default());
    let mut out = Vec::new();
    assert_eq!(drive(&mut vm, &mut out), End::Stopped(Request::Pipe));
    vm.resume(0, Reply::Fds(3, 4));
    assert_eq!(
        drive(&mut vm, &mut out),
        End::Stopped(Request::Read { fd: 3, len: 4 })
    );
    vm.resume(0, Reply::Data(vec![1, 20]));
    assert_eq!(drive(&mut vm, &mut out), End::Exit(24));
}

#[test]
fn fork_returns_pid_to_parent_and_zero_to_child() {
    let code = vec![Instr::Call(Call::Fork, 0), Instr::Ret];
    let mut vm = Vm::new(main_image(&[], code, &[]), vec![], &VmConfig::default());
    let mut out = Vec::new();
    drive(&mut vm, &mut out);
    let mut child = vm.clone();
    assert_eq!(vm, child);
    vm.resume(0, Reply::Pid(1001));
    child.resume(0, Reply::Value(Value::ZERO));
    assert_eq!(drive(&mut vm, &mut out), End::Exit(1001));
    assert_eq!(drive(&mut child, &mut out), End::Exit(0));
}

#[test]
fn variable_reads_globals() {
    let code = vec![
        Instr::Const(5),
        Instr::SetGlobal(1),
        Instr::Call(Call::Getppid, 0),
        Instr::Ret,
    ];
    let image = main_image(&[], code, &[]);
    let mut img = std::rc::Rc::try_unwrap(image).expect("one owner");
    img.globals.push(crate::ir::GlobalVar {
        name: "value".into(),
        place: crate::ir::Place::Slot(1),
        scalar: Some(Scalar::I32),
    });
    let mut vm = Vm::new(std::rc::Rc::new(img), vec![], &VmConfig::default());
    let mut out = Vec::new();
    assert_eq!(drive(&mut vm, &mut out), End::Stopped(Request::Getppid));
    assert_eq!(vm.variable("value"), Some(5));
    assert_eq!(vm.variable("missing"), None);
}

/// `cargo test --release -- --ignored fork_throughput`: a million fork + exit cycles.
#[test]
#[ignore]
fn fork_throughput() {
    let code = vec![
        Instr::Call(Call::Fork, 0),
        Instr::Pop,
        Instr::Const(0),
        Instr::Ret,
    ];
    let mut vm = Vm::new(
        main_image(&[16], code, &[]),
        vec![b"p".to_vec()],
        &VmConfig::default(),
    );
    let mut out = Vec::new();
    drive(&mut vm, &mut out);
    let start = std::time::Instant::now();
    for _ in 0..1_048_576 {
        let mut child = vm.clone();
        child.resume(0, Reply::Value(Value::ZERO));
        let mut budget = 1000;
        let event = child.run(0, &mut crate::vm::NoEnv, &mut budget);
        assert_eq!(
            event,
            crate::vm::Event::Request(Request::Exit { status: 0 })
        );
    }
    eprintln!("{:?}", start.elapsed());
}

#[test]
fn string_functions_and_sprintf() {
    // char b[16]; strcpy(b, "abc"); strcat(b, "def"); sprintf(b + 6, "%d", 42);
    // return strlen(b) * 100 + (strchr(b, 'd') - b) * 10 + (strcmp("a", "b") < 0);
    use crate::ir::{ArithOp::*, CmpOp};
    let code = vec![
        Instr::FrameAddr(0),
        Instr::Str(StrId(0)),
        Instr::Call(Call::Strcpy, 2),
        Instr::Pop,
        Instr::FrameAddr(0),
        Instr::Str(StrId(1)),
        Instr::Call(Call::Strcat, 2),
        Instr::Pop,
        Instr::FrameAddr(0),
        Instr::Const(6),
        Instr::PtrAdd(1),
        Instr::Str(StrId(2)),
        Instr::Const(42),
        Instr::Call(Call::Sprintf, 3),
        Instr::Pop,
        Instr::FrameAddr(0),
        Instr::Call(Call::Strlen, 1),
        Instr::Const(100),
        Instr::Arith(Mul, Scalar::I64),
        Instr::FrameAddr(0),
        Instr::Const(i64::from(b'd')),
        Instr::Call(Call::Strchr, 2),
        Instr::FrameAddr(0),
        Instr::PtrDiff(1),
        Instr::Const(10),
        Instr::Arith(Mul, Scalar::I64),
        Instr::Arith(Add, Scalar::I64),
        Instr::Str(StrId(3)),
        Instr::Str(StrId(4)),
        Instr::Call(Call::Strcmp, 2),
        Instr::Const(0),
        Instr::Cmp(CmpOp::Lt, Scalar::I32),
        Instr::Arith(Add, Scalar::I64),
        Instr::Ret,
    ];
    let image = main_image(&[16], code, &["abc", "def", "%d", "a", "b"]);
    let mut vm = Vm::new(image, vec![], &VmConfig::default());
    let mut out = Vec::new();
    assert_eq!(drive(&mut vm, &mut out), End::Exit(831));
}

#[test]
fn strcpy_overflow_faults() {
    let code = vec![
        Instr::FrameAddr(0),
        Instr::Str(StrId(0)),
        Instr::Call(Call::Strcpy, 2),
        Instr::Ret,
    ];
    let image = main_image(&[4], code, &["toolong"]);
    let mut vm = Vm::new(image, vec![], &VmConfig::default());
    let End::Fault(fault) = drive(&mut vm, &mut Vec::new()) else {
        panic!("no fault")
    };
    assert_eq!(fault.kind, crate::vm::FaultKind::OutOfBounds);
}

#[test]
fn malloc_beyond_the_limit_stops_at_the_memory_limit() {
    let code = vec![
        Instr::Const(1 << 20),
        Instr::Call(Call::Malloc, 1),
        Instr::Not,
        Instr::Ret,
    ];
    let config = VmConfig {
        max_memory: 1000,
        ..VmConfig::default()
    };
    let mut vm = Vm::new(main_image(&[], code, &[]), vec![], &config);
    let End::Fault(fault) = drive(&mut vm, &mut Vec::new()) else {
        panic!("no fault")
    };
    assert_eq!(fault.kind, crate::vm::FaultKind::MemoryLimit);
}

#[test]
fn malloc_of_an_impossible_size_returns_null() {
    let code = vec![
        Instr::Const(1 << 40),
        Instr::Call(Call::Malloc, 1),
        Instr::Not,
        Instr::Ret,
    ];
    let mut vm = Vm::new(main_image(&[], code, &[]), vec![], &VmConfig::default());
    assert_eq!(drive(&mut vm, &mut Vec::new()), End::Exit(1));
    assert_eq!(vm.errno, 12);
}

#[test]
fn main_locals_are_readable_at_exit() {
    let code = vec![
        Instr::Const(5),
        Instr::SetLocal(3),
        Instr::FrameAddr(0),
        Instr::Const(9),
        Instr::Store(Scalar::I32),
        Instr::Const(0),
        Instr::Ret,
    ];
    let mut main = super::func("main", 2, 4, &[4], code);
    main.locals
        .push(("value".into(), crate::ir::Place::Slot(3), Some(Scalar::I32)));
    main.locals
        .push(("cell".into(), crate::ir::Place::Frame(0), Some(Scalar::I32)));
    let mut vm = Vm::new(super::image(vec![main], &[]), vec![], &VmConfig::default());
    assert_eq!(drive(&mut vm, &mut Vec::new()), End::Exit(0));
    assert_eq!(vm.variable("value"), Some(5));
    assert_eq!(vm.variable("main.cell"), Some(9));
    assert_eq!(vm.variable("other.value"), None);
}

#[test]
fn a_delivered_signal_runs_its_handler_then_the_interrupted_code() {
    // handler(sig) { g = sig; }  main() { pause-like getppid(); return g; }
    let handler = super::func(
        "on_alarm",
        1,
        1,
        &[],
        vec![
            Instr::Local(0),
            Instr::SetGlobal(1),
            Instr::Const(0),
            Instr::Ret,
        ],
    );
    let main = super::func(
        "main",
        2,
        2,
        &[],
        vec![
            Instr::Call(Call::Getppid, 0),
            Instr::Pop,
            Instr::Global(1),
            Instr::Ret,
        ],
    );
    let mut vm = Vm::new(
        super::image(vec![main, handler], &[]),
        vec![],
        &VmConfig::default(),
    );
    let mut out = Vec::new();
    assert_eq!(drive(&mut vm, &mut out), End::Stopped(Request::Getppid));
    vm.resume(0, Reply::Error(4));
    vm.deliver_signal(0, crate::ir::FuncId(2), 14);
    assert_eq!(drive(&mut vm, &mut out), End::Exit(14));
}
