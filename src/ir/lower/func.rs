//! One function being lowered: its code, scalar slots, frame objects, scopes and the
//! targets of `break`/`continue`.

use super::{GlobalSym, Program};
use crate::check::{CheckError, Type};
use crate::ir::{Function, Instr, Place, Slot};
use crate::syntax::ast;
use crate::syntax::span::Span;
use rustc_hash::{FxHashMap, FxHashSet};

/// Where a local name lives.
#[derive(Clone, Debug)]
pub(super) enum Local {
    /// A scalar in a slot.
    Slot(Slot, Type),
    /// A memory object of the frame.
    Frame(u16, Type),
    /// A `static` local: a global under another name.
    Static(GlobalSym),
}

/// The jump lists of one enclosing loop or switch.
pub(super) struct Breakable {
    pub breaks: Vec<usize>,
    pub continues: Vec<usize>,
    /// `switch` bodies take `break` but not `continue`.
    pub is_switch: bool,
}

/// The lowering state of one function.
pub(super) struct FnCx<'p> {
    pub prog: &'p mut Program,
    pub code: Vec<Instr>,
    pub spans: Vec<Span>,
    pub slots: u16,
    pub frame_objects: Vec<u32>,
    pub scopes: Vec<FxHashMap<String, Local>>,
    pub breakables: Vec<Breakable>,
    pub ret: Type,
    pub span: Span,
    /// The function's name (`__func__`, C11 6.4.2.2).
    pub name: String,
    /// Names whose address is taken in this function: their locals live in memory.
    pub address_taken: FxHashSet<String>,
    /// `case`/`default` labels of the innermost switch: statement address → code index.
    pub case_labels: Vec<FxHashMap<usize, usize>>,
    /// Locals of the outermost scope, for `expect main.x`.
    pub outer_locals: Vec<(String, Place, Option<crate::ir::Scalar>)>,
}

/// Lowers one function definition.
pub(super) fn lower_function(prog: &mut Program, function: &ast::Function) -> Function {
    let sym = prog.funcs[function.sig.name.name.as_str()].clone();
    let mut address_taken = FxHashSet::default();
    super::walk_block(&function.body, &mut |e| {
        if let ast::ExprKind::Unary(ast::UnOp::AddrOf, inner) = &e.kind {
            if let ast::ExprKind::Name(ident) = &inner.kind {
                address_taken.insert(ident.name.clone());
            }
        }
    });
    let mut cx = FnCx {
        prog,
        code: Vec::new(),
        spans: Vec::new(),
        slots: 0,
        frame_objects: Vec::new(),
        scopes: vec![FxHashMap::default()],
        breakables: Vec::new(),
        ret: sym.ty.ret.clone(),
        span: function.sig.span,
        name: function.sig.name.name.clone(),
        address_taken,
        case_labels: Vec::new(),
        outer_locals: Vec::new(),
    };
    // A function returning a struct gets the caller's buffer for it as a hidden first
    // argument (as the x86-64 ABI's `sret`), so the value outlives the callee's frame.
    let sret = u16::from(matches!(sym.ty.ret, Type::Struct(_)));
    let params = sym.ty.params.len() as u16 + sret;
    cx.slots = params;
    for (i, (param, ty)) in function
        .sig
        .params
        .iter()
        .zip(sym.ty.params.iter())
        .enumerate()
    {
        if let Some(name) = &param.name {
            cx.bind_param(&name.name, i as Slot + sret, ty.clone());
        }
    }
    cx.lower_block_stmts(&function.body);
    cx.span = function.body.span;
    cx.emit(Instr::Const(0));
    cx.emit(Instr::Ret);
    let pinned: Vec<Slot> = if function.sig.name.name == "main" {
        cx.outer_locals
            .iter()
            .filter(|(name, _, _)| cx.prog.pinned.contains(name))
            .filter_map(|(_, place, _)| match place {
                Place::Slot(s) => Some(*s),
                _ => None,
            })
            .collect()
    } else {
        Vec::new()
    };
    let (code, spans) = super::liveness::insert_kills(cx.code, cx.spans, cx.slots, params, &pinned);
    Function {
        name: function.sig.name.name.clone(),
        params,
        slots: cx.slots,
        frame_objects: cx.frame_objects,
        code,
        spans,
        locals: cx.outer_locals,
    }
}

/// A body for a function that was declared but never defined: calling it stops the
/// process with a fault naming it.
pub(super) fn undefined_function(name: &str, span: Span) -> Function {
    Function {
        name: name.to_string(),
        params: 0,
        slots: 0,
        frame_objects: Vec::new(),
        code: vec![Instr::Trap(crate::ir::Trap::MissingReturn)],
        spans: vec![span],
        locals: Vec::new(),
    }
}

impl<'p, 'a> FnCx<'p> {
    /// Appends an instruction at the current source span; returns its index.
    pub fn emit(&mut self, instr: Instr) -> usize {
        self.code.push(instr);
        self.spans.push(self.span);
        self.code.len() - 1
    }

    /// Index of the next instruction.
    pub fn here(&self) -> usize {
        self.code.len()
    }

    /// Points the jump at `at` to `target`.
    pub fn patch(&mut self, at: usize, target: usize) {
        let t = target as u32;
        self.code[at] = match self.code[at] {
            Instr::Jump(_) => Instr::Jump(t),
            Instr::JumpIf(_) => Instr::JumpIf(t),
            Instr::JumpIfNot(_) => Instr::JumpIfNot(t),
            other => unreachable!("patching a non-jump instruction {other:?}"),
        };
    }

    /// A fresh scalar slot.
    pub fn new_slot(&mut self) -> Slot {
        self.slots += 1;
        self.slots - 1
    }

    /// A fresh frame object of `size` bytes.
    pub fn new_frame_object(&mut self, size: u32) -> u16 {
        self.frame_objects.push(size);
        self.frame_objects.len() as u16 - 1
    }

    /// Reports an error.
    pub fn error(&mut self, err: CheckError) {
        self.prog.errors.push(err);
    }

    /// The miette span of `span`.
    pub fn miette(&self, span: Span) -> miette::SourceSpan {
        self.prog.miette(span)
    }

    /// A type error at `span`.
    pub fn type_error(&mut self, span: Span, message: impl Into<String>, label: &str) {
        let err = CheckError::Type {
            message: message.into(),
            span: self.miette(span),
            label: label.into(),
            help: None,
        };
        self.error(err);
    }

    fn bind_param(&mut self, name: &str, slot: Slot, ty: Type) {
        if let Type::Struct(_) = ty {
            // Passed by value: the caller pushed the address of its struct; copy it into
            // this frame so assignments here do not reach the caller's.
            let size = self.prog.structs.size_of(&ty).unwrap_or(0);
            let obj = self.new_frame_object(size);
            self.emit(Instr::FrameAddr(obj));
            self.emit(Instr::Local(slot));
            self.emit(Instr::Copy(size));
            self.bind(name, Local::Frame(obj, ty));
        } else if self.address_taken.contains(name) {
            let size = self.prog.structs.size_of(&ty).unwrap_or(8);
            let obj = self.new_frame_object(size);
            let scalar = ty.scalar().unwrap_or(crate::ir::Scalar::I64);
            self.emit(Instr::FrameAddr(obj));
            self.emit(Instr::Local(slot));
            self.emit(Instr::Store(scalar));
            self.bind(name, Local::Frame(obj, ty));
        } else {
            self.bind(name, Local::Slot(slot, ty));
        }
    }

    /// Binds `name` in the innermost scope.
    pub fn bind(&mut self, name: &str, local: Local) {
        if self.scopes.len() == 1 {
            let (place, scalar) = match &local {
                Local::Slot(s, ty) => (Place::Slot(*s), ty.scalar()),
                Local::Frame(o, ty) => (Place::Frame(*o), ty.scalar()),
                Local::Static(g) => (g.place, g.ty.scalar()),
            };
            self.outer_locals.push((name.to_string(), place, scalar));
        }
        self.scopes
            .last_mut()
            .expect("a function always has a scope")
            .insert(name.to_string(), local);
    }

    /// The innermost local named `name`.
    pub fn lookup_local(&self, name: &str) -> Option<&Local> {
        self.scopes.iter().rev().find_map(|s| s.get(name))
    }

    /// Lowers `{ … }` in a new scope.
    pub fn lower_block(&mut self, block: &'a ast::Block) {
        self.scopes.push(FxHashMap::default());
        self.lower_block_stmts(block);
        self.scopes.pop();
    }

    fn lower_block_stmts(&mut self, block: &'a ast::Block) {
        for stmt in &block.stmts {
            self.lower_stmt(stmt);
        }
    }
}
