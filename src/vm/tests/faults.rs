//! Faults: bad pointers, division by zero, bad frees and runaway recursion end the process
//! with a report and a pending `Die`.

use super::{func, image, main_image, run, End};
use crate::calls::Call;
use crate::ir::{ArithOp, FuncId, Instr, Scalar, StrId};
use crate::vm::{FaultKind, Request, Vm, VmConfig};

fn fault_of(code: Vec<Instr>, objects: &[u32]) -> crate::vm::RuntimeFault {
    match run(main_image(objects, code, &["hi"])).1 {
        End::Fault(fault) => fault,
        other => panic!("expected a fault, got {other:?}"),
    }
}

#[test]
fn null_dereference_faults_with_sigsegv_pending() {
    let code = vec![Instr::Const(0), Instr::Load(Scalar::I32), Instr::Ret];
    let mut vm = Vm::new(
        main_image(&[], code, &[]),
        vec![b"p".to_vec()],
        &VmConfig::default(),
    );
    let mut out = Vec::new();
    let End::Fault(fault) = super::drive(&mut vm, &mut out) else {
        panic!("no fault")
    };
    assert_eq!(fault.kind, FaultKind::NullPointer);
    assert_eq!((fault.span.start, fault.span.end), (1, 2));
    assert_eq!(vm.pending(0), Some(&Request::Die { signal: 11 }));
}

#[test]
fn out_of_bounds_names_the_object() {
    let code = vec![
        Instr::FrameAddr(0),
        Instr::Const(4),
        Instr::PtrAdd(1),
        Instr::Const(1),
        Instr::Store(Scalar::I8),
        Instr::Const(0),
        Instr::Ret,
    ];
    let mut main = func("main", 2, 8, &[4], code);
    main.locals
        .push(("b".into(), crate::ir::Place::Frame(0), None));
    let End::Fault(fault) = run(image(vec![main], &[])).1 else {
        panic!("no fault")
    };
    assert_eq!(fault.kind, FaultKind::OutOfBounds);
    assert!(fault.message.contains("`b` in `main`"), "{}", fault.message);
    assert!(fault.message.contains("byte 4"), "{}", fault.message);
}

#[test]
fn use_after_free_and_double_free() {
    let malloc_free = vec![
        Instr::Const(4),
        Instr::Call(Call::Malloc, 1),
        Instr::SetLocal(2),
        Instr::Local(2),
        Instr::Call(Call::Free, 1),
        Instr::Pop,
    ];
    let mut load = malloc_free.clone();
    load.extend([Instr::Local(2), Instr::Load(Scalar::I32), Instr::Ret]);
    assert_eq!(fault_of(load, &[]).kind, FaultKind::UseAfterFree);
    let mut twice = malloc_free;
    twice.extend([Instr::Local(2), Instr::Call(Call::Free, 1), Instr::Ret]);
    let fault = fault_of(twice, &[]);
    assert_eq!(fault.kind, FaultKind::BadFree);
    assert!(fault.message.contains("double free"));
}

#[test]
fn store_into_a_string_literal_is_read_only() {
    let code = vec![
        Instr::Str(StrId(0)),
        Instr::Const(i64::from(b'H')),
        Instr::Store(Scalar::I8),
        Instr::Const(0),
        Instr::Ret,
    ];
    assert_eq!(fault_of(code, &[]).kind, FaultKind::ReadOnly);
}

#[test]
fn division_by_zero_is_sigfpe() {
    let code = vec![
        Instr::Const(1),
        Instr::Const(0),
        Instr::Arith(ArithOp::Div, Scalar::I32),
        Instr::Ret,
    ];
    let fault = fault_of(code, &[]);
    assert_eq!(fault.kind, FaultKind::DivisionByZero);
    assert_eq!(fault.kind.signal(), 8);
}

#[test]
fn runaway_recursion_overflows_the_stack() {
    let recurse = func(
        "main",
        2,
        2,
        &[16],
        vec![
            Instr::Const(0),
            Instr::Const(0),
            Instr::CallFunc(FuncId(1), 2),
            Instr::Ret,
        ],
    );
    let config = VmConfig {
        max_call_depth: 50,
        ..VmConfig::default()
    };
    let End::Fault(fault) = super::run_with(image(vec![recurse], &[]), &config).1 else {
        panic!("no fault")
    };
    assert_eq!(fault.kind, FaultKind::StackOverflow);
}

#[test]
fn pointer_converted_to_int_is_bad_but_null_stays_null() {
    let code = vec![Instr::FrameAddr(0), Instr::Convert(Scalar::I64), Instr::Ret];
    assert_eq!(fault_of(code, &[4]).kind, FaultKind::BadPointer);
    let code = vec![
        Instr::Const(0),
        Instr::Convert(Scalar::Ptr),
        Instr::Not,
        Instr::Ret,
    ];
    assert_eq!(run(main_image(&[], code, &[])).1, End::Exit(1));
}

#[test]
fn returned_frame_objects_are_freed() {
    // f returns the address of its array; main reads through it.
    let f = func("f", 0, 1, &[8], vec![Instr::FrameAddr(0), Instr::Ret]);
    let main = func(
        "main",
        2,
        2,
        &[],
        vec![
            Instr::CallFunc(FuncId(2), 0),
            Instr::Load(Scalar::I32),
            Instr::Ret,
        ],
    );
    let End::Fault(fault) = run(image(vec![main, f], &[])).1 else {
        panic!("no fault")
    };
    assert_eq!(fault.kind, FaultKind::UseAfterFree);
}

#[test]
fn huge_lengths_fault_instead_of_allocating() {
    for call in [Call::Memset, Call::Memcpy] {
        let code = vec![
            Instr::FrameAddr(0),
            Instr::FrameAddr(0),
            Instr::Const(-1),
            Instr::Call(call, 3),
            Instr::Ret,
        ];
        assert_eq!(fault_of(code, &[8]).kind, FaultKind::OutOfBounds);
    }
}
