//! Lowering of a checked translation unit to one [`Image`]: types and names are resolved here,
//! and every semantic mistake becomes a [`CheckError`].

mod call;
mod consteval;
mod decl;
mod expr;
mod func;
mod global;
mod init;
mod liveness;
mod lvalue;
mod stmt;

use crate::check::{CheckError, FuncType, Structs, Type};
use crate::ir::{FuncId, Function, GlobalInit, GlobalVar, Image, Instr, StrId};
use crate::syntax::ast::{self, Item};
use crate::syntax::span::Span;
use indexmap::IndexMap;
use rustc_hash::{FxHashMap, FxHashSet};
use std::rc::Rc;

/// Lowers the C `items` of one program (the scenario's own, or a `program "/path"` block)
/// to an executable image.
///
/// `path` names the image, `file` the source file (`__FILE__`); `source_len` is the length of the source the spans point into.
/// `pinned` names locals of `main` that are read when the process exits (`expect main.x`):
/// they are never cleared as dead.
///
/// # Errors
/// Every [`CheckError`] found (unknown names and types, wrong argument counts, misplaced
/// `break`, non-constant array sizes, no `main`, …), in source order.
pub fn lower(
    items: &[Item],
    path: &str,
    file: &str,
    span: Span,
    source_len: usize,
    pinned: &[String],
) -> Result<Image, Vec<CheckError>> {
    let mut program = Program::new(source_len);
    program.file = file.to_string();
    program.pinned = pinned.to_vec();
    program.declare_all(items);
    program.define_all(items);
    let entry = program.start_function(span);
    let errno_slot = match program.globals.get("errno").map(|g| g.place) {
        Some(crate::ir::Place::Slot(slot)) => Some(slot),
        _ => None,
    };
    if !program.errors.is_empty() {
        return Err(program.errors);
    }
    let functions = program
        .functions
        .into_iter()
        .map(|f| f.expect("every declared function is defined or reported"))
        .collect();
    Ok(Image {
        path: path.to_string(),
        functions,
        entry,
        strings: program.strings,
        global_slots: program.global_slots,
        data: program.data,
        data_pointers: program.data_pointers,
        globals: program.global_vars,
        errno_slot,
    })
}

/// A named global: where it lives and its type.
#[derive(Clone, Debug)]
pub(super) struct GlobalSym {
    pub place: crate::ir::Place,
    pub ty: Type,
}

/// A function known by name: its id and type (`defined` once its body is seen).
#[derive(Clone, Debug)]
pub(super) struct FuncSym {
    pub id: FuncId,
    pub ty: Rc<FuncType>,
    pub defined: bool,
    pub span: Span,
}

/// Everything known at file scope while lowering one program.
pub(super) struct Program {
    pub source_len: usize,
    /// The source file's name, as `__FILE__` gives it.
    pub file: String,
    pub structs: Structs,
    pub struct_tags: FxHashMap<String, crate::check::StructId>,
    pub typedefs: FxHashMap<String, Type>,
    pub enum_consts: FxHashMap<String, i64>,
    pub globals: FxHashMap<String, GlobalSym>,
    pub funcs: IndexMap<String, FuncSym>,
    pub functions: Vec<Option<Function>>,
    pub strings: Vec<Box<[u8]>>,
    pub string_ids: FxHashMap<Vec<u8>, StrId>,
    pub global_slots: Vec<GlobalInit>,
    pub data: Vec<u8>,
    pub data_pointers: Vec<(u32, GlobalInit)>,
    pub global_vars: Vec<GlobalVar>,
    /// Names whose address is taken anywhere (`&name`): such globals live in memory.
    pub address_taken: FxHashSet<String>,
    pub errors: Vec<CheckError>,
    /// Counter for naming `static` locals uniquely.
    pub statics: u32,
    /// Locals of `main` read at exit by expectations: never cleared as dead.
    pub pinned: Vec<String>,
}

impl<'a> Program {
    fn new(source_len: usize) -> Self {
        let mut program = Program {
            source_len,
            file: String::new(),
            structs: Structs::default(),
            struct_tags: FxHashMap::default(),
            typedefs: FxHashMap::default(),
            enum_consts: FxHashMap::default(),
            globals: FxHashMap::default(),
            funcs: IndexMap::new(),
            functions: Vec::new(),
            strings: Vec::new(),
            string_ids: FxHashMap::default(),
            global_slots: Vec::new(),
            data: Vec::new(),
            data_pointers: Vec::new(),
            global_vars: Vec::new(),
            address_taken: FxHashSet::default(),
            errors: Vec::new(),
            statics: 0,
            pinned: Vec::new(),
        };
        program.builtin_typedefs();
        program
    }

    /// The miette span of `span` in this source.
    pub fn miette(&self, span: Span) -> miette::SourceSpan {
        span.to_miette(self.source_len)
    }

    /// Interns a string literal (the NUL is added here).
    pub fn string(&mut self, bytes: &[u8]) -> StrId {
        if let Some(id) = self.string_ids.get(bytes) {
            return *id;
        }
        let id = StrId(self.strings.len() as u32);
        let mut with_nul = bytes.to_vec();
        with_nul.push(0);
        self.strings.push(with_nul.into_boxed_slice());
        self.string_ids.insert(bytes.to_vec(), id);
        id
    }

    /// First pass: macros, types, function signatures and globals, in source order.
    fn declare_all(&mut self, items: &'a [Item]) {
        for item in items {
            collect_address_taken(item, &mut self.address_taken);
        }
        if uses_name(items, "errno") {
            // `errno` is a macro in <errno.h>; here it is an `int` the C library sets.
            let sym = self.allocate_global("errno", Type::INT, None, Span::default());
            self.globals.insert("errno".into(), sym);
        }
        for item in items {
            match item {
                Item::Define(_) => {}
                Item::TypeDecl(spec, span) => {
                    self.resolve_spec(spec, *span);
                }
                Item::Typedef(typedef) => {
                    let ty = self.resolve_type(&typedef.ty);
                    self.typedefs.insert(typedef.name.name.clone(), ty);
                }
                Item::Prototype(sig) => self.declare_function(sig, false),
                Item::Function(function) => self.declare_function(&function.sig, true),
                Item::Global(decl) => self.declare_global(decl),
            }
        }
    }

    /// Second pass: function bodies.
    fn define_all(&mut self, items: &'a [Item]) {
        for item in items {
            if let Item::Function(function) = item {
                let id = self.funcs[function.sig.name.name.as_str()].id;
                let lowered = func::lower_function(self, function);
                self.functions[id.0 as usize] = Some(lowered);
            }
        }
        let missing: Vec<(String, Span)> = self
            .funcs
            .iter()
            .filter(|(_, f)| !f.defined)
            .map(|(name, f)| (name.clone(), f.span))
            .collect();
        for (name, span) in missing {
            // A prototype without a definition: calling it is the error, not declaring it.
            let id = self.funcs[name.as_str()].id;
            self.functions[id.0 as usize] = Some(func::undefined_function(&name, span));
        }
    }

    /// The synthetic entry `<start>(argc, argv)`: calls `main` and exits with its value.
    fn start_function(&mut self, span: Span) -> FuncId {
        let Some(main) = self.funcs.get("main").cloned() else {
            let err = CheckError::NoMain {
                span: self.miette(Span::new(span.start as usize, span.start as usize)),
            };
            self.errors.push(err);
            return FuncId(0);
        };
        let mut code = Vec::new();
        let params = main.ty.params.len();
        for i in 0..params.min(2) {
            code.push(Instr::Local(i as u16));
        }
        for _ in 2..params {
            code.push(Instr::Const(0));
        }
        code.push(Instr::CallFunc(main.id, params as u8));
        code.push(Instr::Call(crate::calls::Call::Exit, 1));
        code.push(Instr::Trap(crate::ir::Trap::Unreachable));
        let id = FuncId(self.functions.len() as u32);
        let spans = vec![main.span; code.len()];
        self.functions.push(Some(Function {
            name: "<start>".into(),
            params: 2,
            slots: 2,
            frame_objects: Vec::new(),
            code,
            spans,
            locals: Vec::new(),
        }));
        id
    }
}

/// Whether any expression of `items` names `name`.
fn uses_name(items: &[Item], name: &str) -> bool {
    let mut found = false;
    for item in items {
        if let Item::Function(function) = item {
            walk_block(&function.body, &mut |e| {
                found |= matches!(&e.kind, ast::ExprKind::Name(i) if i.name == name);
            });
        }
    }
    found
}

/// Records every name used as `&name` in `item`, so those variables live in memory.
fn collect_address_taken(item: &Item, out: &mut FxHashSet<String>) {
    let mut visit = |expr: &ast::Expr| {
        if let ast::ExprKind::Unary(ast::UnOp::AddrOf, inner) = &expr.kind {
            if let ast::ExprKind::Name(ident) = &inner.kind {
                out.insert(ident.name.clone());
            }
        }
    };
    match item {
        Item::Function(function) => walk_block(&function.body, &mut visit),
        Item::Global(decl) => walk_decl(decl, &mut visit),
        _ => {}
    }
}

/// Calls `f` on every expression in `block`, outermost first.
pub(super) fn walk_block(block: &ast::Block, f: &mut dyn FnMut(&ast::Expr)) {
    for stmt in &block.stmts {
        walk_stmt(stmt, f);
    }
}

fn walk_decl(decl: &ast::Declaration, f: &mut dyn FnMut(&ast::Expr)) {
    for d in &decl.declarators {
        if let Some(init) = &d.init {
            walk_init(init, f);
        }
    }
}

fn walk_init(init: &ast::Initializer, f: &mut dyn FnMut(&ast::Expr)) {
    match init {
        ast::Initializer::Expr(e) => walk_expr(e, f),
        ast::Initializer::List(items, _) => {
            for (_, item) in items {
                walk_init(item, f);
            }
        }
    }
}

/// Calls `f` on every expression in `stmt`, outermost first.
pub(super) fn walk_stmt(stmt: &ast::Stmt, f: &mut dyn FnMut(&ast::Expr)) {
    use ast::Stmt;
    match stmt {
        Stmt::Decl(decl) => walk_decl(decl, f),
        Stmt::Expr(e) => walk_expr(e, f),
        Stmt::Empty(_) | Stmt::Break(_) | Stmt::Continue(_) => {}
        Stmt::Block(b) => walk_block(b, f),
        Stmt::If {
            cond,
            then,
            otherwise,
            ..
        } => {
            walk_expr(cond, f);
            walk_stmt(then, f);
            if let Some(o) = otherwise {
                walk_stmt(o, f);
            }
        }
        Stmt::While { cond, body, .. } | Stmt::DoWhile { body, cond, .. } => {
            walk_expr(cond, f);
            walk_stmt(body, f);
        }
        Stmt::For {
            init,
            cond,
            step,
            body,
            ..
        } => {
            if let Some(i) = init {
                walk_stmt(i, f);
            }
            for e in cond.iter().chain(step.iter()) {
                walk_expr(e, f);
            }
            walk_stmt(body, f);
        }
        Stmt::Switch {
            scrutinee, body, ..
        } => {
            walk_expr(scrutinee, f);
            walk_stmt(body, f);
        }
        Stmt::Case { value, body, .. } => {
            walk_expr(value, f);
            walk_stmt(body, f);
        }
        Stmt::Default { body, .. } => walk_stmt(body, f),
        Stmt::Return(e, _) => {
            if let Some(e) = e {
                walk_expr(e, f);
            }
        }
        Stmt::Spawn { body, .. } => walk_block(body, f),
    }
}

/// Calls `f` on `expr` and every subexpression, outermost first.
pub(super) fn walk_expr(expr: &ast::Expr, f: &mut dyn FnMut(&ast::Expr)) {
    use ast::ExprKind as K;
    f(expr);
    match &expr.kind {
        K::Int(_) | K::Str(_) | K::Name(_) | K::SizeofType(_) => {}
        K::Binary(_, a, b) | K::Assign(_, a, b) | K::Comma(a, b) | K::Index(a, b) => {
            walk_expr(a, f);
            walk_expr(b, f);
        }
        K::Unary(_, a)
        | K::PreIncDec(_, a)
        | K::PostIncDec(_, a)
        | K::Member(a, _)
        | K::Arrow(a, _)
        | K::Cast(_, a)
        | K::SizeofExpr(a) => walk_expr(a, f),
        K::Conditional(c, a, b) => {
            walk_expr(c, f);
            walk_expr(a, f);
            walk_expr(b, f);
        }
        K::Call(callee, args) => {
            walk_expr(callee, f);
            for a in args {
                walk_expr(a, f);
            }
        }
    }
}
