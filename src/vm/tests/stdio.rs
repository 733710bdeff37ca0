//! stdio: glibc's printf output and line / full / unbuffered flushing, across fork and exit.

use super::{drive, func, image, main_image, printf, run, run_with, End};
use crate::calls::Call;
use crate::ir::{FuncId, Instr, StrId};
use crate::vm::{BufMode, NoEnv, Reply, Request, Value, Vm, VmConfig};

fn text(out: &[(i32, String)]) -> String {
    out.iter().map(|(_, s)| s.as_str()).collect()
}

#[test]
fn printf_matches_glibc() {
    let fmt =
        "[%d|%5d|%-5d|%05d|%+d|% d|%.3d|%x|%X|%#x|%#o|%o|%u|%ld|%hhd|%hd|%c|%5s|%-5s|%.2s|%%]\n";
    let args = [
        42, 42, 42, -42, 5, 5, 7, 255, 255, 255, 8, 8, -1, -5, 300, 70000, 'z' as i64,
    ];
    let mut pushes: Vec<Instr> = args.iter().map(|&n| Instr::Const(n)).collect();
    pushes.extend([
        Instr::Str(StrId(1)),
        Instr::Str(StrId(1)),
        Instr::Str(StrId(2)),
    ]);
    let mut code = printf(0, pushes, 20);
    let fmt2 = "[%s|%p|%10p|%*d|%-*d|%.*s|%#X|%05s|%5c|%lu|%lld|%zu|%.0d|%08.3d|%-08d]\n";
    let pushes2 = vec![
        Instr::Const(0),
        Instr::Const(0),
        Instr::Const(0),
        Instr::Const(4),
        Instr::Const(7),
        Instr::Const(4),
        Instr::Const(7),
        Instr::Const(2),
        Instr::Str(StrId(4)),
        Instr::Const(0),
        Instr::Str(StrId(1)),
        Instr::Const('q' as i64),
        Instr::Const(-1),
        Instr::Const(-9),
        Instr::Const(3),
        Instr::Const(0),
        Instr::Const(5),
        Instr::Const(9),
    ];
    code.extend(printf(3, pushes2, 18));
    code.extend([Instr::Const(0), Instr::Ret]);
    let (out, end) = run(main_image(&[], code, &[fmt, "ab", "abc", fmt2, "xyz"]));
    assert_eq!(end, End::Exit(0));
    assert_eq!(
        text(&out),
        "[42|   42|42   |-0042|+5| 5|007|ff|FF|0xff|010|10|4294967295|-5|44|4464|z|   ab|ab   |ab|%]\n\
         [(null)|(nil)|     (nil)|   7|7   |xy|0|   ab|    q|18446744073709551615|-9|3||     005|9       ]\n"
    );
}

#[test]
fn line_buffering_writes_through_the_last_newline() {
    let mut code = printf(0, vec![], 0);
    code.extend(printf(1, vec![], 0));
    code.extend([Instr::Const(3), Instr::Ret]);
    let (out, end) = run(main_image(&[], code, &["a\nb", "c\nd\ne"]));
    assert_eq!(end, End::Exit(3));
    let expected = [(1, "a\n"), (1, "bc\nd\n"), (1, "e")];
    assert_eq!(out, expected.map(|(fd, s)| (fd, s.to_string())));
}

#[test]
fn full_buffering_writes_whole_buffers() {
    let mut code = printf(0, vec![], 0);
    code.extend([Instr::Const(0), Instr::Ret]);
    let config = VmConfig {
        stdout: BufMode::Full,
        buffer_size: 4,
        ..VmConfig::default()
    };
    let (out, _) = run_with(main_image(&[], code, &["abcdefghij"]), &config);
    let expected = [(1, "abcd"), (1, "efgh"), (1, "ij")];
    assert_eq!(out, expected.map(|(fd, s)| (fd, s.to_string())));
}

#[test]
fn stdout_to_a_pipe_is_fully_buffered_and_stderr_unbuffered() {
    let mut code = printf(0, vec![], 0);
    code.extend([
        Instr::Stream(2),
        Instr::Str(StrId(1)),
        Instr::Call(Call::Fprintf, 2),
        Instr::Pop,
        Instr::Const(0),
        Instr::Ret,
    ]);
    let mut vm = Vm::new(
        main_image(&[], code, &["out\n", "err"]),
        vec![],
        &VmConfig::default(),
    );
    vm.set_tty(1, false);
    let mut out = Vec::new();
    assert_eq!(drive(&mut vm, &mut out), End::Exit(0));
    assert_eq!(out, [(2, "err".to_string()), (1, "out\n".to_string())]);
}

#[test]
fn printf_returns_its_count_not_writes() {
    let mut code = printf(0, vec![], 0);
    code.pop();
    code.push(Instr::Ret);
    let mut vm = Vm::new(
        main_image(&[], code, &["hello\n"]),
        vec![],
        &VmConfig::default(),
    );
    let mut budget = 1000;
    let event = vm.run(0, &mut NoEnv, &mut budget);
    let write = Request::Write {
        fd: 1,
        data: b"hello\n".to_vec(),
    };
    assert_eq!(event, crate::vm::Event::Request(write));
    vm.resume(0, Reply::Value(Value::Int(99)));
    let mut out = Vec::new();
    assert_eq!(drive(&mut vm, &mut out), End::Exit(6));
}

#[test]
fn buffered_output_is_copied_by_fork() {
    let mut code = printf(0, vec![], 0);
    code.extend([
        Instr::Call(Call::Fork, 0),
        Instr::Pop,
        Instr::Const(0),
        Instr::Ret,
    ]);
    let mut parent = Vm::new(main_image(&[], code, &["A"]), vec![], &VmConfig::default());
    let mut out = Vec::new();
    assert_eq!(
        drive(&mut parent, &mut out),
        End::Stopped(Request::Fork { name: None })
    );
    let mut child = parent.clone();
    parent.resume(0, Reply::Pid(1001));
    child.resume(0, Reply::Value(Value::ZERO));
    assert_eq!(drive(&mut parent, &mut out), End::Exit(0));
    assert_eq!(drive(&mut child, &mut out), End::Exit(0));
    assert_eq!(text(&out), "AA");
}

#[test]
fn exit_runs_atexit_handlers_in_reverse_then_flushes() {
    let handler = |s: u32| {
        let mut code = printf(s, vec![], 0);
        code.extend([Instr::Const(0), Instr::Ret]);
        func("h", 0, 1, &[], code)
    };
    let mut code = vec![
        Instr::Func(FuncId(2)),
        Instr::Call(Call::Atexit, 1),
        Instr::Pop,
        Instr::Func(FuncId(3)),
        Instr::Call(Call::Atexit, 1),
        Instr::Pop,
    ];
    code.extend(printf(0, vec![], 0));
    code.extend([Instr::Const(7), Instr::Call(Call::Exit, 1)]);
    let main = func("main", 2, 4, &[], code);
    let img = image(
        vec![main, handler(1), handler(2)],
        &["main ", "one ", "two "],
    );
    let (out, end) = run(img);
    assert_eq!(end, End::Exit(7));
    assert_eq!(out, [(1, "main two one ".to_string())]);
}

#[test]
fn underscore_exit_and_abort_discard_buffers() {
    let mut code = printf(0, vec![], 0);
    code.extend([Instr::Const(3), Instr::Call(Call::UnderscoreExit, 1)]);
    let (out, end) = run(main_image(&[], code, &["lost"]));
    assert!(out.is_empty());
    assert_eq!(end, End::Exit(3));
    let mut code = printf(0, vec![], 0);
    code.push(Instr::Call(Call::Abort, 0));
    let (out, end) = run(main_image(&[], code, &["lost"]));
    assert!(out.is_empty());
    assert_eq!(end, End::Stopped(Request::Die { signal: 6 }));
}

#[test]
fn perror_uses_glibc_messages() {
    let code = vec![
        Instr::Call(Call::Wait, 0),
        Instr::Pop,
        Instr::Str(StrId(0)),
        Instr::Call(Call::Perror, 1),
        Instr::Ret,
    ];
    let mut code = code;
    code.insert(0, Instr::Const(0));
    code[1] = Instr::Call(Call::Wait, 1);
    let mut vm = Vm::new(
        main_image(&[], code, &["wait"]),
        vec![],
        &VmConfig::default(),
    );
    let mut out = Vec::new();
    assert_eq!(
        drive(&mut vm, &mut out),
        End::Stopped(Request::Wait {
            pid: -1,
            options: 0
        })
    );
    vm.resume(0, Reply::Error(10));
    assert_eq!(drive(&mut vm, &mut out), End::Exit(0));
    assert_eq!(out, [(2, "wait: No child processes\n".to_string())]);
}

#[test]
fn stdin_is_read_ahead_by_fgets_and_getchar() {
    // fgets(buf, 8, stdin); return strlen(buf) + getchar() + getchar() at end of input.
    let code = vec![
        Instr::FrameAddr(0),
        Instr::Const(8),
        Instr::Stream(0),
        Instr::Call(Call::Fgets, 3),
        Instr::Call(Call::Strlen, 1),
        Instr::Call(Call::Getchar, 0),
        Instr::Arith(crate::ir::ArithOp::Add, crate::ir::Scalar::I32),
        Instr::Call(Call::Getchar, 0),
        Instr::Arith(crate::ir::ArithOp::Add, crate::ir::Scalar::I32),
        Instr::Ret,
    ];
    let mut vm = Vm::new(main_image(&[8], code, &[]), vec![], &VmConfig::default());
    let mut out = Vec::new();
    let read = Request::Read { fd: 0, len: 4096 };
    assert_eq!(drive(&mut vm, &mut out), End::Stopped(read.clone()));
    vm.resume(0, Reply::Data(b"hello wo".to_vec()));
    assert_eq!(drive(&mut vm, &mut out), End::Stopped(read));
    vm.resume(0, Reply::Data(Vec::new()));
    // "hello w" (7) + 'o' (111) + EOF (-1)
    assert_eq!(drive(&mut vm, &mut out), End::Exit(117));
}

#[test]
fn reading_stdin_flushes_line_buffered_stdout() {
    let mut code = printf(0, vec![], 0);
    code.extend([Instr::Call(Call::Getchar, 0), Instr::Ret]);
    let mut vm = Vm::new(
        main_image(&[], code, &["prompt: "]),
        vec![],
        &VmConfig::default(),
    );
    let mut out = Vec::new();
    let read = Request::Read { fd: 0, len: 4096 };
    assert_eq!(drive(&mut vm, &mut out), End::Stopped(read));
    assert_eq!(out, [(1, "prompt: ".to_string())]);
    vm.resume(0, Reply::Data(b"y".to_vec()));
    assert_eq!(drive(&mut vm, &mut out), End::Exit(i32::from(b'y')));
}

#[test]
fn fflush_null_flushes_both_streams() {
    let mut code = printf(0, vec![], 0);
    code.extend([
        Instr::Stream(2),
        Instr::Str(StrId(1)),
        Instr::Call(Call::Fprintf, 2),
        Instr::Pop,
        Instr::Const(0),
        Instr::Call(Call::Fflush, 1),
        Instr::Call(Call::UnderscoreExit, 1),
    ]);
    let config = VmConfig {
        stdout: BufMode::Full,
        stderr: BufMode::Full,
        ..VmConfig::default()
    };
    let (out, end) = run_with(main_image(&[], code, &["o", "e"]), &config);
    assert_eq!(end, End::Exit(0));
    assert_eq!(out, [(1, "o".to_string()), (2, "e".to_string())]);
}
