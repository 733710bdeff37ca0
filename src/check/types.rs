//! C types of the checked program, with LP64 sizes and struct layouts (Linux x86-64).

use crate::ir::Scalar;
use crate::syntax::ast::{IntKind, Signedness};
use std::rc::Rc;

/// Index of a struct or union definition in [`Structs`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct StructId(pub u32);

/// A C type after typedefs are resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Type {
    /// `void`.
    Void,
    /// An integer type (enums are `int`).
    Int(IntKind, Signedness),
    /// `T *`.
    Ptr(Rc<Type>),
    /// `T[n]`; `None` for an incomplete array (`int a[]` before its initialiser sizes it).
    Array(Rc<Type>, Option<u32>),
    /// A struct or union.
    Struct(StructId),
    /// A function type (behind `Ptr` for function pointers).
    Func(Rc<FuncType>),
}

/// A function's type: return type, parameter types, variadic.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FuncType {
    /// The return type.
    pub ret: Type,
    /// Parameter types (arrays adjusted to pointers).
    pub params: Vec<Type>,
    /// `...` at the end.
    pub variadic: bool,
}

/// One member of a struct or union.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member {
    /// The member name.
    pub name: String,
    /// Its type.
    pub ty: Type,
    /// Byte offset from the start of the struct (0 for every union member).
    pub offset: u32,
}

/// A struct or union definition with its layout.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StructDef {
    /// The tag, or `<anonymous>`.
    pub name: String,
    /// Members in declaration order; `None` while only declared (`struct s;`).
    pub members: Option<Vec<Member>>,
    /// Size in bytes, padded to the alignment.
    pub size: u32,
    /// Alignment in bytes.
    pub align: u32,
}

/// All struct definitions of one program.
#[derive(Clone, Debug, Default)]
pub struct Structs {
    defs: Vec<StructDef>,
}

impl Structs {
    /// Declares a new (still incomplete) struct named `name`.
    pub fn declare(&mut self, name: &str) -> StructId {
        self.defs.push(StructDef {
            name: name.to_string(),
            members: None,
            size: 0,
            align: 1,
        });
        StructId(self.defs.len() as u32 - 1)
    }

    /// Completes struct `id` with `members` (name, type), laying them out as the x86-64 ABI
    /// does: each member at the next multiple of its alignment (unions: all at 0).
    pub fn define(&mut self, id: StructId, members: Vec<(String, Type)>, is_union: bool) {
        let mut offset = 0u32;
        let mut align = 1u32;
        let mut size = 0u32;
        let mut laid = Vec::with_capacity(members.len());
        for (name, ty) in members {
            let (s, a) = (self.size_of(&ty).unwrap_or(0), self.align_of(&ty));
            align = align.max(a);
            let at = if is_union {
                0
            } else {
                offset.next_multiple_of(a)
            };
            offset = at + s;
            size = size.max(at + s);
            laid.push(Member {
                name,
                ty,
                offset: at,
            });
        }
        let def = &mut self.defs[id.0 as usize];
        def.members = Some(laid);
        def.align = align;
        def.size = size.next_multiple_of(align);
    }

    /// The definition of `id`.
    pub fn get(&self, id: StructId) -> &StructDef {
        &self.defs[id.0 as usize]
    }

    /// Size of `ty` in bytes; `None` for incomplete types, `void` and functions.
    pub fn size_of(&self, ty: &Type) -> Option<u32> {
        match ty {
            Type::Void | Type::Func(_) => None,
            Type::Int(kind, _) => Some(int_size(*kind)),
            Type::Ptr(_) => Some(8),
            Type::Array(elem, n) => Some(self.size_of(elem)?.checked_mul((*n)?)?),
            Type::Struct(id) => {
                let def = self.get(*id);
                def.members.as_ref().map(|_| def.size)
            }
        }
    }

    /// Alignment of `ty` in bytes.
    pub fn align_of(&self, ty: &Type) -> u32 {
        match ty {
            Type::Void | Type::Func(_) => 1,
            Type::Int(kind, _) => int_size(*kind),
            Type::Ptr(_) => 8,
            Type::Array(elem, _) => self.align_of(elem),
            Type::Struct(id) => self.get(*id).align,
        }
    }

    /// A readable spelling of `ty` for diagnostics (`char *`, `int[5]`, `struct msg`).
    pub fn describe(&self, ty: &Type) -> String {
        match ty {
            Type::Void => "void".into(),
            Type::Int(kind, sign) => {
                let base = match kind {
                    IntKind::Bool => "_Bool",
                    IntKind::Char => "char",
                    IntKind::Short => "short",
                    IntKind::Int => "int",
                    IntKind::Long => "long",
                };
                match sign {
                    Signedness::Unsigned => format!("unsigned {base}"),
                    Signedness::Signed => base.into(),
                }
            }
            Type::Ptr(inner) => match &**inner {
                Type::Func(_) => "function pointer".into(),
                other => format!("{} *", self.describe(other)),
            },
            Type::Array(elem, Some(n)) => format!("{}[{n}]", self.describe(elem)),
            Type::Array(elem, None) => format!("{}[]", self.describe(elem)),
            Type::Struct(id) => format!("struct {}", self.get(*id).name),
            Type::Func(_) => "function".into(),
        }
    }
}

fn int_size(kind: IntKind) -> u32 {
    match kind {
        IntKind::Bool | IntKind::Char => 1,
        IntKind::Short => 2,
        IntKind::Int => 4,
        IntKind::Long => 8,
    }
}

impl Type {
    /// `int`.
    pub const INT: Type = Type::Int(IntKind::Int, Signedness::Signed);
    /// `long`.
    pub const LONG: Type = Type::Int(IntKind::Long, Signedness::Signed);
    /// `unsigned long` (`size_t`).
    pub const SIZE: Type = Type::Int(IntKind::Long, Signedness::Unsigned);
    /// `char`.
    pub const CHAR: Type = Type::Int(IntKind::Char, Signedness::Signed);

    /// `T *` for this `T`.
    pub fn pointer_to(self) -> Type {
        Type::Ptr(Rc::new(self))
    }

    /// `void *`.
    pub fn void_ptr() -> Type {
        Type::Void.pointer_to()
    }

    /// How a value of this type is held in a slot or memory; `None` for arrays, structs,
    /// `void` and functions (which are not scalars).
    pub fn scalar(&self) -> Option<Scalar> {
        Some(match self {
            Type::Int(kind, sign) => {
                let signed = *sign == Signedness::Signed;
                match (kind, signed) {
                    (IntKind::Bool, _) => Scalar::U8,
                    (IntKind::Char, true) => Scalar::I8,
                    (IntKind::Char, false) => Scalar::U8,
                    (IntKind::Short, true) => Scalar::I16,
                    (IntKind::Short, false) => Scalar::U16,
                    (IntKind::Int, true) => Scalar::I32,
                    (IntKind::Int, false) => Scalar::U32,
                    (IntKind::Long, true) => Scalar::I64,
                    (IntKind::Long, false) => Scalar::U64,
                }
            }
            Type::Ptr(_) => Scalar::Ptr,
            _ => return None,
        })
    }

    /// Whether this is an integer type.
    pub fn is_int(&self) -> bool {
        matches!(self, Type::Int(..))
    }

    /// Whether this is a pointer (or an array, which decays to one).
    pub fn is_pointer_like(&self) -> bool {
        matches!(self, Type::Ptr(_) | Type::Array(..))
    }

    /// The pointed-to (or element) type of a pointer or array.
    pub fn pointee(&self) -> Option<&Type> {
        match self {
            Type::Ptr(inner) | Type::Array(inner, _) => Some(inner),
            _ => None,
        }
    }

    /// The type after array-to-pointer and function-to-pointer decay (C11 6.3.2.1).
    pub fn decay(&self) -> Type {
        match self {
            Type::Array(elem, _) => Type::Ptr(elem.clone()),
            Type::Func(_) => Type::Ptr(Rc::new(self.clone())),
            other => other.clone(),
        }
    }

    /// The integer promotion of this type (C11 6.3.1.1): narrower than `int` becomes `int`.
    pub fn promoted(&self) -> Type {
        match self {
            Type::Int(IntKind::Bool | IntKind::Char | IntKind::Short, _) => Type::INT,
            other => other.clone(),
        }
    }

    /// The common type of two integer operands (usual arithmetic conversions, C11 6.3.1.8).
    pub fn common(a: &Type, b: &Type) -> Type {
        match (a.promoted(), b.promoted()) {
            (Type::Int(ka, sa), Type::Int(kb, sb)) => {
                let kind = if ka == IntKind::Long || kb == IntKind::Long {
                    IntKind::Long
                } else {
                    IntKind::Int
                };
                let unsigned = (ka == kind && sa == Signedness::Unsigned)
                    || (kb == kind && sb == Signedness::Unsigned);
                let sign = if unsigned {
                    Signedness::Unsigned
                } else {
                    Signedness::Signed
                };
                Type::Int(kind, sign)
            }
            _ => Type::LONG,
        }
    }
}
