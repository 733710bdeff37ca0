//! Unit tests of the VM on hand-built images, driven by a minimal kernel stand-in.

mod exec;
mod faults;
mod stdio;

use super::{Env, Event, NoEnv, Reply, Request, RuntimeFault, Vm, VmConfig};
use crate::calls::Call;
use crate::ir::{FuncId, Function, Image, Instr, Scalar};
use crate::syntax::span::Span;
use std::rc::Rc;

/// A function with `code`, `params` parameters, `slots` slots and frame objects of these
/// sizes; instruction `i` has span `i..i+1`.
pub fn func(name: &str, params: u16, slots: u16, objects: &[u32], code: Vec<Instr>) -> Function {
    let spans = (0..code.len()).map(|i| Span::new(i, i + 1)).collect();
    Function {
        name: name.into(),
        params,
        slots,
        frame_objects: objects.to_vec(),
        code,
        spans,
        locals: Vec::new(),
    }
}

/// An image whose entry calls `functions[0]` as `main(argc, argv)` and exits with its
/// result; `functions[i]` is `FuncId(i + 1)`.
pub fn image(functions: Vec<Function>, strings: &[&str]) -> Rc<Image> {
    let start = func(
        "<start>",
        2,
        2,
        &[],
        vec![
            Instr::Local(0),
            Instr::Local(1),
            Instr::CallFunc(FuncId(1), 2),
            Instr::Call(Call::Exit, 1),
        ],
    );
    let mut all = vec![start];
    all.extend(functions);
    Rc::new(Image {
        path: "/proc/self".into(),
        functions: all,
        entry: FuncId(0),
        strings: strings
            .iter()
            .map(|s| {
                let mut b = s.as_bytes().to_vec();
                b.push(0);
                b.into_boxed_slice()
            })
            .collect(),
        global_slots: vec![crate::ir::GlobalInit::Int(0); 4],
        data: Vec::new(),
        data_pointers: Vec::new(),
        globals: Vec::new(),
        errno_slot: None,
    })
}

/// `main` with `code` (2 params, 8 slots, frame objects of these sizes).
pub fn main_image(objects: &[u32], code: Vec<Instr>, strings: &[&str]) -> Rc<Image> {
    image(vec![func("main", 2, 8, objects, code)], strings)
}

/// How a driven process ended.
#[derive(Debug, PartialEq, Eq)]
pub enum End {
    /// `_exit(status)`.
    Exit(i32),
    /// A fault.
    Fault(RuntimeFault),
    /// Stopped at a request the stand-in does not answer.
    Stopped(Request),
}

/// Runs `vm` answering writes (recorded as `(fd, text)`), `getpid` (1000) and shared
/// grants, until it exits, faults, or makes another request.
pub fn drive(vm: &mut Vm, out: &mut Vec<(i32, String)>) -> End {
    loop {
        let mut budget = 100_000;
        match vm.run(0, &mut NoEnv, &mut budget) {
            Event::Request(Request::Write { fd, data }) => {
                let n = data.len() as i64;
                out.push((fd, String::from_utf8_lossy(&data).into_owned()));
                vm.resume(0, Reply::Value(super::Value::Int(n)));
            }
            Event::Request(Request::Getpid) => vm.resume(0, Reply::Pid(1000)),
            Event::Request(Request::Exit { status }) => return End::Exit(status),
            Event::Request(other) => return End::Stopped(other),
            Event::Fault(fault) => return End::Fault(fault),
            Event::Budget => panic!("budget ran out"),
        }
    }
}

/// Runs `image` to its end with `config`: the writes and how it ended.
pub fn run_with(image: Rc<Image>, config: &VmConfig) -> (Vec<(i32, String)>, End) {
    let mut vm = Vm::new(image, vec![b"prog".to_vec()], config);
    let mut out = Vec::new();
    let end = drive(&mut vm, &mut out);
    (out, end)
}

/// Runs `image` with the default configuration.
pub fn run(image: Rc<Image>) -> (Vec<(i32, String)>, End) {
    run_with(image, &VmConfig::default())
}

/// Code for `printf(strings[fmt], <values pushed by args>)`; `args` push `argc` values.
pub fn printf(fmt: u32, args: Vec<Instr>, argc: u8) -> Vec<Instr> {
    let mut code = vec![Instr::Str(crate::ir::StrId(fmt))];
    code.extend(args);
    code.push(Instr::Call(Call::Printf, argc + 1));
    code.push(Instr::Pop);
    code
}

#[test]
fn arithmetic_wraps_to_the_instruction_type() {
    use crate::ir::ArithOp::*;
    let mut code = Vec::new();
    for (a, b, op, s) in [
        (i64::from(i32::MAX), 1, Add, Scalar::I32),
        (255, 1, Add, Scalar::U8),
        (-7, 2, Div, Scalar::I32),
        (-7, 2, Rem, Scalar::I32),
        (-1, 28, Shr, Scalar::U32),
        (-16, 2, Shr, Scalar::I32),
        (1, 31, Shl, Scalar::I32),
        (100, 100, Mul, Scalar::I8),
    ] {
        code.extend(printf(
            0,
            vec![Instr::Const(a), Instr::Const(b), Instr::Arith(op, s)],
            1,
        ));
    }
    code.extend([Instr::Const(0), Instr::Ret]);
    let (out, end) = run(main_image(&[], code, &["%ld "]));
    assert_eq!(end, End::Exit(0));
    let text: String = out.iter().map(|(_, s)| s.as_str()).collect();
    assert_eq!(text, "-2147483648 0 -3 -1 15 -4 -2147483648 16 ");
}

#[test]
fn unsigned_compare_and_pid_arithmetic() {
    use crate::ir::CmpOp::*;
    let code = vec![
        Instr::Const(-1),
        Instr::Const(1),
        Instr::Cmp(Gt, Scalar::U32),
        Instr::Const(-1),
        Instr::Const(1),
        Instr::Cmp(Gt, Scalar::I32),
        Instr::Arith(crate::ir::ArithOp::Sub, Scalar::I32),
        Instr::Ret,
    ];
    let (_, end) = run(main_image(&[], code, &[]));
    assert_eq!(end, End::Exit(1));
}

#[test]
fn kill_makes_states_equal() {
    let config = VmConfig::default();
    let with = |code: Vec<Instr>| {
        let mut code = code;
        code.extend([Instr::Call(Call::Getppid, 0), Instr::Ret]);
        let mut vm = Vm::new(main_image(&[], code, &[]), vec![b"p".to_vec()], &config);
        let mut out = Vec::new();
        assert_eq!(drive(&mut vm, &mut out), End::Stopped(Request::Getppid));
        vm
    };
    let a = with(vec![Instr::Const(5), Instr::SetLocal(3), Instr::Kill(3)]);
    let b = with(vec![Instr::Const(6), Instr::SetLocal(3), Instr::Kill(3)]);
    let c = with(vec![Instr::Const(6), Instr::SetLocal(3)]);
    assert_eq!(a.threads[0].stack, b.threads[0].stack);
    assert_ne!(b.threads[0].stack, c.threads[0].stack);
}

#[test]
fn same_state_by_different_paths_hashes_equal() {
    use crate::ir::ArithOp::Add;
    use std::hash::BuildHasher;
    // Global 0 picks the path: malloc, free, malloc (long) or just malloc (short); both
    // reach getpid with one block at the same id.
    let long = [
        Instr::Const(8),
        Instr::Call(Call::Malloc, 1),
        Instr::Call(Call::Free, 1),
        Instr::Pop,
        Instr::Const(3),
        Instr::Const(5),
        Instr::Arith(Add, Scalar::I32),
        Instr::SetLocal(4),
        Instr::Kill(4),
    ];
    let short = [
        Instr::Const(8),
        Instr::Call(Call::Malloc, 1),
        Instr::SetLocal(2),
    ];
    let mut code = vec![Instr::Global(0), Instr::JumpIf(0)];
    code.extend(long);
    code.extend([
        Instr::Const(8),
        Instr::Call(Call::Malloc, 1),
        Instr::SetLocal(2),
    ]);
    let tail = code.len() + 1 + short.len();
    code.push(Instr::Jump(tail as u32));
    code[1] = Instr::JumpIf(code.len() as u32);
    code.extend(short);
    code.extend([
        Instr::Const(0),
        Instr::SetGlobal(0),
        Instr::Call(Call::Getppid, 0),
        Instr::Ret,
    ]);
    let image = main_image(&[], code, &[]);
    let config = VmConfig::default();
    let stop = |path: i64| {
        let mut vm = Vm::new(Rc::clone(&image), vec![b"p".to_vec()], &config);
        vm.globals[0] = super::Value::Int(path);
        let mut out = Vec::new();
        assert_eq!(drive(&mut vm, &mut out), End::Stopped(Request::Getppid));
        vm
    };
    let (a, b) = (stop(0), stop(1));
    assert_eq!(a, b);
    let hasher = rustc_hash::FxBuildHasher;
    assert_eq!(hasher.hash_one(&a), hasher.hash_one(&b));
    let mut c = b.clone();
    c.resume(0, Reply::Pid(5));
    assert_ne!(a, c);
}

/// An environment with one shared object, id 7.
pub struct OneShared(pub Vec<u8>);

impl Env for OneShared {
    fn shared(&mut self, object: u32) -> Option<&mut [u8]> {
        (object == 7).then_some(&mut self.0[..])
    }
}

#[test]
fn shared_memory_access_is_a_scheduling_point() {
    let code = vec![
        Instr::Global(0),
        Instr::Const(42),
        Instr::Store(Scalar::I32),
        Instr::Global(0),
        Instr::Load(Scalar::I32),
        Instr::Ret,
    ];
    let mut vm = Vm::new(
        main_image(&[], code, &[]),
        vec![b"p".to_vec()],
        &VmConfig::default(),
    );
    let p = vm.attach_shared(7, 16);
    vm.globals[0] = super::Value::Ptr(p);
    let mut env = OneShared(vec![0; 16]);
    let mut budget = 100;
    for write in [true, false] {
        let event = vm.run(0, &mut env, &mut budget);
        let expected = Request::Shared {
            object: 7,
            offset: 0,
            len: 4,
            write,
        };
        assert_eq!(event, Event::Request(expected));
        vm.resume(0, Reply::Value(super::Value::ZERO));
    }
    assert_eq!(
        vm.run(0, &mut env, &mut budget),
        Event::Request(Request::Exit { status: 42 })
    );
    assert_eq!(&env.0[..4], &[42, 0, 0, 0]);
}
