//! Globals and `static` locals: where each lives (a scalar slot, or bytes of the data
//! region) and its initial value, which C requires to be constant.

use super::consteval::Const;
use super::init::InitItem;
use super::{GlobalSym, Program};
use crate::check::{CheckError, Type};
use crate::ir::{GlobalInit, GlobalVar, Place};
use crate::syntax::ast::{Declaration, Initializer};
use crate::syntax::span::Span;

impl<'a> Program {
    /// Declares every variable of a file-scope declaration.
    pub(super) fn declare_global(&mut self, decl: &'a Declaration) {
        for d in &decl.declarators {
            let ty = self.resolve_type(&d.ty);
            if let Type::Func(f) = &ty {
                // `int f(int);` written as a declaration: a prototype.
                let _ = f;
                continue;
            }
            if self.globals.contains_key(&d.name.name) && d.init.is_none() {
                continue; // a tentative definition repeated (`int x; int x;`)
            }
            let sym = self.allocate_global(&d.name.name, ty, d.init.as_ref(), d.span);
            self.globals.insert(d.name.name.clone(), sym);
        }
    }

    /// Allocates a global (or `static` local, under a unique `name`) and lays down its
    /// initial value.
    pub(super) fn allocate_global(
        &mut self,
        name: &str,
        ty: Type,
        init: Option<&'a Initializer>,
        span: Span,
    ) -> GlobalSym {
        let ty = self.complete_type(ty, init);
        let scalar = ty.scalar();
        let in_slot = scalar.is_some() && !self.address_taken.contains(name);
        let place = if in_slot {
            let slot = self.global_slots.len() as u16;
            let value = match init {
                Some(init) => self.scalar_init(&ty, init),
                None => GlobalInit::Int(0),
            };
            self.global_slots.push(value);
            Place::Slot(slot)
        } else {
            let Some(size) = self.structs.size_of(&ty) else {
                let message = format!("`{name}` has an incomplete type");
                self.errors.push(CheckError::Type {
                    message,
                    span: self.miette(span),
                    label: "size unknown".into(),
                    help: Some("give the array a size or an initialiser".into()),
                });
                return GlobalSym {
                    place: Place::Data(0),
                    ty,
                };
            };
            let align = self.structs.align_of(&ty) as usize;
            let offset = self.data.len().next_multiple_of(align);
            self.data.resize(offset + size as usize, 0);
            if let Some(init) = init {
                let mut items = Vec::new();
                self.flatten_init(&ty, init, offset as u32, &mut items);
                for item in items {
                    self.write_data(item);
                }
            }
            Place::Data(offset as u32)
        };
        self.global_vars.push(GlobalVar {
            name: name.to_string(),
            place,
            scalar,
        });
        GlobalSym { place, ty }
    }

    fn scalar_init(&mut self, ty: &Type, init: &'a Initializer) -> GlobalInit {
        let mut items = Vec::new();
        self.flatten_init(ty, init, 0, &mut items);
        match items.first() {
            Some(InitItem::Scalar { expr, .. }) => match self.const_value(expr, 0) {
                Some(Const::Int(n)) => GlobalInit::Int(wrap(ty, n)),
                Some(Const::Addr(addr)) => addr,
                None => {
                    let span = self.miette(expr.span);
                    self.errors.push(CheckError::NotConstant {
                        what: "a global initialiser".into(),
                        span,
                    });
                    GlobalInit::Int(0)
                }
            },
            _ => GlobalInit::Int(0),
        }
    }

    fn write_data(&mut self, item: InitItem<'a>) {
        match item {
            InitItem::Bytes {
                offset,
                size,
                bytes,
            } => {
                let n = (bytes.len() + 1).min(size as usize);
                let mut with_nul = bytes.to_vec();
                with_nul.push(0);
                let at = offset as usize;
                self.data[at..at + n].copy_from_slice(&with_nul[..n]);
            }
            InitItem::Object { expr, .. } => {
                let span = self.miette(expr.span);
                self.errors.push(CheckError::NotConstant {
                    what: "a global initialiser".into(),
                    span,
                });
            }
            InitItem::Scalar { offset, ty, expr } => match self.const_value(expr, 0) {
                Some(Const::Int(n)) => {
                    let size = ty.scalar().map_or(8, |s| s.size()) as usize;
                    let at = offset as usize;
                    let bytes = wrap(&ty, n).to_le_bytes();
                    self.data[at..at + size].copy_from_slice(&bytes[..size]);
                }
                Some(Const::Addr(addr)) => self.data_pointers.push((offset, addr)),
                None => {
                    let span = self.miette(expr.span);
                    self.errors.push(CheckError::NotConstant {
                        what: "a global initialiser".into(),
                        span,
                    });
                }
            },
        }
    }
}

/// `n` converted to the integer type `ty` (C11 6.3.1.3: wraps modulo 2^width), sign- or
/// zero-extended back to 64 bits.
pub(super) fn wrap(ty: &Type, n: i64) -> i64 {
    use crate::ir::Scalar::*;
    match ty.scalar() {
        Some(I8) => n as i8 as i64,
        Some(U8) => n as u8 as i64,
        Some(I16) => n as i16 as i64,
        Some(U16) => n as u16 as i64,
        Some(I32) => n as i32 as i64,
        Some(U32) => n as u32 as i64,
        _ => n,
    }
}
