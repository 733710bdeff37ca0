//! Types: declaration specifiers (`static unsigned long`, `struct msg { … }`, `pid_t`) and
//! declarators (`*argv[]`, `(*handler)(int)`), read inside out as C does (C11 6.7.6).

use super::builder::Builder;
use super::{Pair, Rule};
use crate::syntax::ast::{
    EnumSpec, Field, Ident, IntKind, Param, Signedness, Storage, StructSpec, TypeName, TypeSpec,
};
use crate::syntax::span::Span;
use crate::syntax::SyntaxError;

/// The parts of a `decl_specs` pair that matter.
pub(super) struct Specs {
    /// `static` / `extern`.
    pub storage: Storage,
    /// The base type with its span.
    pub base: TypeName,
}

impl Builder<'_> {
    /// Reads `static const unsigned long`, `struct s { … }`, `item`, … into a base type.
    pub(super) fn parse_decl_specs(&self, pair: Pair<'_>) -> Result<Specs, SyntaxError> {
        let mut storage = Storage::default();
        let mut base = None;
        for part in pair.into_inner() {
            let span = self.span(&part);
            let spec = match part.as_rule() {
                Rule::storage => {
                    storage.is_static |= part.as_str().starts_with("static");
                    storage.is_extern |= part.as_str().starts_with("extern");
                    continue;
                }
                Rule::q_word => continue,
                Rule::int_spec => int_spec(part),
                Rule::void_spec => TypeSpec::Void,
                Rule::named_type => {
                    TypeSpec::Named(self.ident(&part.into_inner().next().expect("name")))
                }
                Rule::struct_spec => TypeSpec::Struct(self.parse_struct(part)?),
                Rule::enum_spec => TypeSpec::Enum(self.parse_enum(part)?),
                rule => unreachable!("specifier rule {rule:?}"),
            };
            base = Some(TypeName::Base(spec, span));
        }
        let base = base.expect("the grammar requires a base type");
        Ok(Specs { storage, base })
    }

    /// `struct tag { fields }`, `union { … }` or `struct tag`.
    fn parse_struct(&self, pair: Pair<'_>) -> Result<StructSpec, SyntaxError> {
        let span = self.span(&pair);
        let mut spec = StructSpec {
            is_union: false,
            tag: None,
            fields: None,
            span,
        };
        for part in pair.into_inner() {
            match part.as_rule() {
                Rule::k_union => spec.is_union = true,
                Rule::ident => spec.tag = Some(self.ident(&part)),
                Rule::struct_body => spec.fields = Some(self.parse_fields(part)?),
                _ => {}
            }
        }
        Ok(spec)
    }

    /// The member declarations of a struct body, one [`Field`] per declarator.
    fn parse_fields(&self, pair: Pair<'_>) -> Result<Vec<Field>, SyntaxError> {
        let mut fields = Vec::new();
        for decl in pair.into_inner() {
            let span = self.span(&decl);
            self.nested(span, || {
                let mut parts = decl.into_inner();
                let specs = self.parse_decl_specs(parts.next().expect("field type"))?;
                for declarator in parts.filter(|p| p.as_rule() == Rule::declarator) {
                    let (name, ty) = self.parse_declarator(declarator, specs.base.clone())?;
                    fields.push(Field { ty, name, span });
                }
                Ok(())
            })?;
        }
        Ok(fields)
    }

    /// `enum tag { A, B = 3 }` or `enum tag`.
    fn parse_enum(&self, pair: Pair<'_>) -> Result<EnumSpec, SyntaxError> {
        let span = self.span(&pair);
        let mut spec = EnumSpec {
            tag: None,
            variants: None,
            span,
        };
        for part in pair.into_inner() {
            match part.as_rule() {
                Rule::ident => spec.tag = Some(self.ident(&part)),
                Rule::enum_body => {
                    let mut variants = Vec::new();
                    for enumerator in part.into_inner() {
                        let mut inner = enumerator.into_inner();
                        let name = self.ident(&inner.next().expect("enumerator name"));
                        let value = inner.next().map(|e| self.parse_expr(e)).transpose()?;
                        variants.push((name, value));
                    }
                    spec.variants = Some(variants);
                }
                _ => {}
            }
        }
        Ok(spec)
    }

    /// Applies a `declarator` to `base`: the declared name and its full type.
    pub(super) fn parse_declarator(
        &self,
        pair: Pair<'_>,
        base: TypeName,
    ) -> Result<(Ident, TypeName), SyntaxError> {
        let span = self.span(&pair);
        self.nested(span, || {
            let mut ty = base;
            for part in pair.into_inner() {
                match part.as_rule() {
                    Rule::pointer => ty = TypeName::Pointer(Box::new(ty)),
                    Rule::direct_decl => return self.parse_direct_decl(part, ty),
                    rule => unreachable!("declarator rule {rule:?}"),
                }
            }
            unreachable!("a declarator has a direct part")
        })
    }

    /// `name[N](params)` or `(inner)[N]`: suffixes bind to the type first, then the inner
    /// declarator wraps the result.
    fn parse_direct_decl(
        &self,
        pair: Pair<'_>,
        base: TypeName,
    ) -> Result<(Ident, TypeName), SyntaxError> {
        let mut parts = pair.into_inner();
        let head = parts.next().expect("direct declarator head");
        let ty = self.apply_suffixes(parts.collect(), base)?;
        match head.as_rule() {
            Rule::ident => Ok((self.ident(&head), ty)),
            _ => self.parse_declarator(head, ty),
        }
    }

    /// Applies `[N]` and `(params)` suffixes, the rightmost innermost.
    fn apply_suffixes(
        &self,
        suffixes: Vec<Pair<'_>>,
        base: TypeName,
    ) -> Result<TypeName, SyntaxError> {
        let mut ty = base;
        for suffix in suffixes.into_iter().rev() {
            ty = match suffix.as_rule() {
                Rule::array_suffix => {
                    let len = suffix
                        .into_inner()
                        .next()
                        .map(|e| self.parse_expr(e))
                        .transpose()?;
                    TypeName::Array(Box::new(ty), len.map(Box::new))
                }
                Rule::param_suffix => {
                    let (params, variadic) = match suffix.into_inner().next() {
                        Some(params) => self.parse_params(params)?,
                        None => (Vec::new(), false),
                    };
                    TypeName::Function(Box::new(ty), params, variadic)
                }
                rule => unreachable!("suffix rule {rule:?}"),
            };
        }
        Ok(ty)
    }

    /// A parameter list: `(void)` is empty, `...` makes it variadic.
    fn parse_params(&self, pair: Pair<'_>) -> Result<(Vec<Param>, bool), SyntaxError> {
        let mut params = Vec::new();
        let mut variadic = false;
        for part in pair.into_inner() {
            match part.as_rule() {
                Rule::param => params.push(self.parse_param(part)?),
                Rule::ellipsis => variadic = true,
                _ => {}
            }
        }
        Ok((params, variadic))
    }

    /// One parameter: `char *argv[]`, `int`, `void (*)(int)`.
    fn parse_param(&self, pair: Pair<'_>) -> Result<Param, SyntaxError> {
        let span = self.span(&pair);
        let mut parts = pair.into_inner();
        let specs = self.parse_decl_specs(parts.next().expect("param type"))?;
        let (ty, name) = match parts.next() {
            Some(d) if d.as_rule() == Rule::declarator => {
                let (name, ty) = self.parse_declarator(d, specs.base)?;
                (ty, Some(name))
            }
            Some(d) => (self.parse_abstract(d, specs.base)?, None),
            None => (specs.base, None),
        };
        Ok(Param { ty, name, span })
    }

    /// An abstract declarator (`*`, `[10]`, `(*)(int)`) applied to `base`.
    fn parse_abstract(&self, pair: Pair<'_>, base: TypeName) -> Result<TypeName, SyntaxError> {
        let span = self.span(&pair);
        self.nested(span, || {
            let mut ty = base;
            for part in pair.into_inner() {
                match part.as_rule() {
                    Rule::pointer => ty = TypeName::Pointer(Box::new(ty)),
                    Rule::direct_abstract => return self.parse_direct_abstract(part, ty),
                    rule => unreachable!("abstract declarator rule {rule:?}"),
                }
            }
            Ok(ty)
        })
    }

    fn parse_direct_abstract(
        &self,
        pair: Pair<'_>,
        base: TypeName,
    ) -> Result<TypeName, SyntaxError> {
        let mut parts: Vec<Pair<'_>> = pair.into_inner().collect();
        let inner = match parts.first() {
            Some(p) if p.as_rule() == Rule::abstract_decl => Some(parts.remove(0)),
            _ => None,
        };
        let ty = self.apply_suffixes(parts, base)?;
        match inner {
            Some(inner) => self.parse_abstract(inner, ty),
            None => Ok(ty),
        }
    }

    /// A type name as in casts and `sizeof`: `char *`, `struct sockaddr *`, `int [3]`.
    pub(super) fn parse_type_name(&self, pair: Pair<'_>) -> Result<TypeName, SyntaxError> {
        let mut parts = pair.into_inner();
        let specs = self.parse_decl_specs(parts.next().expect("type specifiers"))?;
        match parts.next() {
            Some(pointers) if pointers.as_rule() == Rule::pointers => {
                let pointer = |ty| TypeName::Pointer(Box::new(ty));
                Ok(pointers.into_inner().fold(specs.base, |ty, _| pointer(ty)))
            }
            Some(abstract_decl) => self.parse_abstract(abstract_decl, specs.base),
            None => Ok(specs.base),
        }
    }

    /// The type of a `cast` prefix: a full type name or a plain typedef name.
    pub(super) fn parse_cast_type(&self, pair: Pair<'_>) -> Result<TypeName, SyntaxError> {
        let inner = pair.into_inner().next().expect("cast holds a type");
        if inner.as_rule() == Rule::type_name {
            return self.parse_type_name(inner);
        }
        let name = inner
            .into_inner()
            .find(|p| p.as_rule() == Rule::ident)
            .expect("type name");
        let span: Span = self.span(&name);
        Ok(TypeName::Base(TypeSpec::Named(self.ident(&name)), span))
    }
}

/// `unsigned long int`, `char`, `signed`, `_Bool`: width and signedness (LP64).
fn int_spec(pair: Pair<'_>) -> TypeSpec {
    let mut kind = IntKind::Int;
    let mut sign = Signedness::Signed;
    for word in pair.into_inner().map(|w| w.as_str().trim()) {
        match word {
            "unsigned" => sign = Signedness::Unsigned,
            "char" => kind = IntKind::Char,
            "short" => kind = IntKind::Short,
            "long" => kind = IntKind::Long,
            "_Bool" | "bool" => kind = IntKind::Bool,
            _ => {}
        }
    }
    if kind == IntKind::Bool {
        sign = Signedness::Unsigned;
    }
    TypeSpec::Int(kind, sign)
}
