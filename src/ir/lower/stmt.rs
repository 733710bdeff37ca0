//! Statements: declarations of locals, control flow, `switch`, `return` and `spawn`.

use super::func::{Breakable, FnCx, Local};
use super::init::InitItem;
use crate::calls::Call;
use crate::check::{CheckError, Type};
use crate::ir::{CmpOp, Instr, Scalar};
use crate::syntax::ast::{self, Stmt};

impl<'p, 'a> FnCx<'p> {
    /// Lowers one statement.
    pub fn lower_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::Decl(decl) => self.lower_decl(decl),
            Stmt::Expr(e) => {
                self.span = e.span;
                self.lower_discard(e);
            }
            Stmt::Empty(_) => {}
            Stmt::Block(b) => self.lower_block(b),
            Stmt::If {
                cond,
                then,
                otherwise,
                ..
            } => {
                self.span = cond.span;
                self.lower_cond(cond);
                let skip = self.emit(Instr::JumpIfNot(0));
                self.lower_scoped(then);
                match otherwise {
                    Some(other) => {
                        let end = self.emit(Instr::Jump(0));
                        let here = self.here();
                        self.patch(skip, here);
                        self.lower_scoped(other);
                        let here = self.here();
                        self.patch(end, here);
                    }
                    None => {
                        let here = self.here();
                        self.patch(skip, here);
                    }
                }
            }
            Stmt::While { cond, body, .. } => {
                let top = self.here();
                self.span = cond.span;
                self.lower_cond(cond);
                let exit = self.emit(Instr::JumpIfNot(0));
                self.lower_loop_body(body, top, Some(exit));
            }
            Stmt::DoWhile { body, cond, .. } => {
                let top = self.here();
                self.breakables.push(Breakable {
                    breaks: Vec::new(),
                    continues: Vec::new(),
                    is_switch: false,
                });
                self.lower_scoped(body);
                let check = self.here();
                self.span = cond.span;
                self.lower_cond(cond);
                self.emit(Instr::JumpIf(top as u32));
                self.close_breakable(check);
            }
            Stmt::For {
                init,
                cond,
                step,
                body,
                ..
            } => self.lower_for(init.as_deref(), cond.as_ref(), step.as_ref(), body),
            Stmt::Switch {
                scrutinee, body, ..
            } => self.lower_switch(scrutinee, body),
            Stmt::Case { body, span, .. } | Stmt::Default { body, span } => {
                let key = stmt as *const Stmt as usize;
                let here = self.here();
                match self.case_labels.last_mut().and_then(|m| m.get_mut(&key)) {
                    Some(slot) => *slot = here,
                    None => {
                        let keyword = if matches!(stmt, Stmt::Case { .. }) {
                            "case"
                        } else {
                            "default"
                        };
                        let err = CheckError::Misplaced {
                            keyword: keyword.into(),
                            place: "a switch".into(),
                            span: self.miette(*span),
                        };
                        self.error(err);
                    }
                }
                self.lower_stmt(body);
            }
            Stmt::Break(span) => self.lower_jump_out(*span, true),
            Stmt::Continue(span) => self.lower_jump_out(*span, false),
            Stmt::Return(value, span) => self.lower_return(value.as_ref(), *span),
            Stmt::Spawn { name, body, span } => {
                self.span = *span;
                let id = self.prog.string(name.name.as_bytes());
                self.emit(Instr::Spawn(id));
                let parent = self.emit(Instr::JumpIf(0));
                self.lower_block(body);
                self.emit(Instr::Const(0));
                self.emit(Instr::Call(Call::Exit, 1));
                let here = self.here();
                self.patch(parent, here);
            }
        }
    }

    /// A statement that is the body of `if`/`while`/…: its declarations are scoped to it.
    fn lower_scoped(&mut self, stmt: &'a Stmt) {
        self.scopes.push(Default::default());
        self.lower_stmt(stmt);
        self.scopes.pop();
    }

    fn lower_loop_body(&mut self, body: &'a Stmt, continue_to: usize, exit: Option<usize>) {
        self.breakables.push(Breakable {
            breaks: exit.into_iter().collect(),
            continues: Vec::new(),
            is_switch: false,
        });
        self.lower_scoped(body);
        self.emit(Instr::Jump(continue_to as u32));
        self.close_breakable(continue_to);
    }

    /// Patches the innermost loop's `continue`s to `continue_to` and `break`s to here.
    fn close_breakable(&mut self, continue_to: usize) {
        let b = self.breakables.pop().expect("a breakable was pushed");
        let here = self.here();
        for at in b.breaks {
            self.patch(at, here);
        }
        for at in b.continues {
            self.patch(at, continue_to);
        }
    }

    fn lower_for(
        &mut self,
        init: Option<&'a Stmt>,
        cond: Option<&'a ast::Expr>,
        step: Option<&'a ast::Expr>,
        body: &'a Stmt,
    ) {
        self.scopes.push(Default::default());
        if let Some(init) = init {
            self.lower_stmt(init);
        }
        let top = self.here();
        let exit = cond.map(|c| {
            self.span = c.span;
            self.lower_cond(c);
            self.emit(Instr::JumpIfNot(0))
        });
        self.breakables.push(Breakable {
            breaks: exit.into_iter().collect(),
            continues: Vec::new(),
            is_switch: false,
        });
        self.lower_scoped(body);
        let step_at = self.here();
        if let Some(step) = step {
            self.span = step.span;
            self.lower_discard(step);
        }
        self.emit(Instr::Jump(top as u32));
        self.close_breakable(step_at);
        self.scopes.pop();
    }

    fn lower_switch(&mut self, scrutinee: &'a ast::Expr, body: &'a Stmt) {
        self.span = scrutinee.span;
        let ty = self.lower_expr(scrutinee);
        let scalar = ty.promoted().scalar().unwrap_or(Scalar::I64);
        let temp = self.new_slot();
        self.emit(Instr::SetLocal(temp));
        let mut labels = Vec::new();
        collect_cases(body, &mut labels);
        let mut dispatch = Vec::new();
        let mut default = None;
        for label in &labels {
            match label {
                Stmt::Case { value, .. } => {
                    let Some(v) = self.prog.const_int(value) else {
                        let span = self.miette(value.span);
                        self.error(CheckError::NotConstant {
                            what: "a case label".into(),
                            span,
                        });
                        continue;
                    };
                    self.emit(Instr::Local(temp));
                    self.emit(Instr::Const(v));
                    self.emit(Instr::Cmp(CmpOp::Eq, scalar));
                    dispatch.push((self.emit(Instr::JumpIf(0)), *label as *const Stmt as usize));
                }
                _ => default = Some(*label as *const Stmt as usize),
            }
        }
        let fallback = self.emit(Instr::Jump(0));
        let keys = labels
            .iter()
            .map(|s| (*s as *const Stmt as usize, usize::MAX));
        self.case_labels.push(keys.collect());
        self.breakables.push(Breakable {
            breaks: Vec::new(),
            continues: Vec::new(),
            is_switch: true,
        });
        self.lower_scoped(body);
        let positions = self.case_labels.pop().expect("pushed above");
        let end = self.here();
        for (at, key) in dispatch {
            self.patch(at, positions[&key]);
        }
        let fallback_target = default.map_or(end, |k| positions[&k]);
        self.patch(fallback, fallback_target);
        let b = self.breakables.pop().expect("pushed above");
        for at in b.breaks {
            self.patch(at, end);
        }
        // `continue` inside a switch belongs to the enclosing loop.
        if let Some(outer) = self.breakables.iter_mut().rev().find(|b| !b.is_switch) {
            outer.continues.extend(b.continues);
        }
    }

    fn lower_jump_out(&mut self, span: crate::syntax::span::Span, is_break: bool) {
        self.span = span;
        let at = self.emit(Instr::Jump(0));
        let target = if is_break {
            self.breakables.last_mut()
        } else {
            self.breakables.iter_mut().rev().find(|b| !b.is_switch)
        };
        match target {
            Some(b) if is_break => b.breaks.push(at),
            Some(b) => b.continues.push(at),
            None => {
                let (keyword, place) = if is_break {
                    ("break", "a loop or switch")
                } else {
                    ("continue", "a loop")
                };
                let err = CheckError::Misplaced {
                    keyword: keyword.into(),
                    place: place.into(),
                    span: self.miette(span),
                };
                self.error(err);
            }
        }
    }

    fn lower_return(&mut self, value: Option<&'a ast::Expr>, span: crate::syntax::span::Span) {
        self.span = span;
        match value {
            Some(e) if matches!(self.ret, Type::Struct(_)) => {
                let size = self.prog.structs.size_of(&self.ret.clone()).unwrap_or(0);
                self.emit(Instr::Local(0));
                self.lower_raw(e);
                self.emit(Instr::Copy(size));
                self.emit(Instr::Local(0));
            }
            Some(e) => {
                let ty = self.lower_expr(e);
                let ret = self.ret.clone();
                self.convert(&ty, &ret);
            }
            None => {
                self.emit(Instr::Const(0));
            }
        }
        self.emit(Instr::Ret);
    }

    fn lower_decl(&mut self, decl: &'a ast::Declaration) {
        self.span = decl.span;
        for d in &decl.declarators {
            let ty = self.prog.resolve_type(&d.ty);
            if matches!(ty, Type::Func(_)) {
                continue; // a local prototype
            }
            if decl.storage.is_static || decl.storage.is_extern {
                self.declare_static(d, ty, decl.storage.is_extern);
                continue;
            }
            let ty = self.prog.complete_type(ty, d.init.as_ref());
            self.span = d.span;
            match ty.scalar() {
                Some(_) if !self.address_taken.contains(&d.name.name) => {
                    let slot = self.new_slot();
                    if let Some(init) = &d.init {
                        self.init_scalar_slot(slot, &ty, init);
                    }
                    self.bind(&d.name.name, Local::Slot(slot, ty));
                }
                _ => self.declare_frame_object(d, ty),
            }
        }
    }

    fn declare_static(&mut self, d: &'a ast::Declarator, ty: Type, is_extern: bool) {
        if is_extern {
            if let Some(g) = self.prog.globals.get(&d.name.name).cloned() {
                self.bind(&d.name.name, Local::Static(g));
            }
            return;
        }
        self.prog.statics += 1;
        let name = format!("{}#{}", d.name.name, self.prog.statics);
        let sym = self
            .prog
            .allocate_global(&name, ty, d.init.as_ref(), d.span);
        self.bind(&d.name.name, Local::Static(sym));
    }

    fn init_scalar_slot(&mut self, slot: u16, ty: &Type, init: &'a ast::Initializer) {
        let mut items = Vec::new();
        self.prog.flatten_init(ty, init, 0, &mut items);
        if let Some(InitItem::Scalar { expr, .. }) = items.first() {
            let from = self.lower_expr(expr);
            self.convert(&from, ty);
            self.emit(Instr::SetLocal(slot));
        }
    }

    fn declare_frame_object(&mut self, d: &'a ast::Declarator, ty: Type) {
        let Some(size) = self.prog.structs.size_of(&ty) else {
            self.type_error(
                d.span,
                format!("`{}` has an incomplete type", d.name.name),
                "size unknown",
            );
            return;
        };
        let obj = self.new_frame_object(size);
        // Bind first: an initialiser may mention the object (`int a[2] = {1, a[0]}`).
        self.bind(&d.name.name, Local::Frame(obj, ty.clone()));
        let Some(init) = &d.init else { return };
        let mut items = Vec::new();
        self.prog.flatten_init(&ty, init, 0, &mut items);
        if matches!(ty, Type::Array(..) | Type::Struct(_)) {
            self.emit(Instr::FrameAddr(obj));
            self.emit(Instr::Zero(size));
        }
        for item in items {
            self.lower_init_item(obj, item);
        }
    }

    fn lower_init_item(&mut self, obj: u16, item: InitItem<'a>) {
        self.emit(Instr::FrameAddr(obj));
        match item {
            InitItem::Scalar { offset, ty, expr } => {
                self.emit(Instr::Const(offset as i64));
                self.emit(Instr::PtrAdd(1));
                let from = self.lower_expr(expr);
                self.convert(&from, &ty);
                self.emit(Instr::Store(
                    ty.scalar().expect("flattened items are scalars"),
                ));
            }
            InitItem::Object { offset, size, expr } => {
                self.emit(Instr::Const(offset as i64));
                self.emit(Instr::PtrAdd(1));
                self.lower_raw(expr);
                self.emit(Instr::Copy(size));
            }
            InitItem::Bytes {
                offset,
                size,
                bytes,
            } => {
                self.emit(Instr::Const(offset as i64));
                self.emit(Instr::PtrAdd(1));
                let id = self.prog.string(bytes);
                self.emit(Instr::Str(id));
                let n = (bytes.len() as u32 + 1).min(size);
                self.emit(Instr::Copy(n));
            }
        }
    }
}

/// The `case` and `default` statements of one switch body, in order, not descending into
/// nested switches.
fn collect_cases<'a>(stmt: &'a Stmt, out: &mut Vec<&'a Stmt>) {
    match stmt {
        Stmt::Case { body, .. } | Stmt::Default { body, .. } => {
            out.push(stmt);
            collect_cases(body, out);
        }
        Stmt::Block(b) => b.stmts.iter().for_each(|s| collect_cases(s, out)),
        Stmt::If {
            then, otherwise, ..
        } => {
            collect_cases(then, out);
            if let Some(o) = otherwise {
                collect_cases(o, out);
            }
        }
        Stmt::While { body, .. } | Stmt::DoWhile { body, .. } | Stmt::For { body, .. } => {
            collect_cases(body, out)
        }
        _ => {}
    }
}
