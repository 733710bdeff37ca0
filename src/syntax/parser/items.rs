//! Top-level C items: functions, prototypes, globals, typedefs, tag declarations and the
//! `#define`s found by the preprocessor.

use super::builder::Builder;
use super::statements::declares_tag;
use super::{Pair, Rule};
use crate::syntax::ast::{
    Define, Function, FunctionSig, Ident, Item, MacroBody, Scenario, TypeName, TypeSpec, Typedef,
};
use crate::syntax::preprocess::RawDefine;
use crate::syntax::span::Span;
use crate::syntax::SyntaxError;

impl Builder<'_> {
    /// One C item; a typedef with several names gives one item per name.
    pub(super) fn parse_c_item(&self, pair: Pair<'_>) -> Result<Vec<Item>, SyntaxError> {
        match pair.as_rule() {
            Rule::typedef_decl => self.parse_typedef(pair),
            Rule::func_def | Rule::kr_func => Ok(vec![Item::Function(self.parse_function(pair)?)]),
            Rule::declaration => Ok(vec![self.parse_global(pair)?]),
            rule => unreachable!("item rule {rule:?}"),
        }
    }

    fn parse_typedef(&self, pair: Pair<'_>) -> Result<Vec<Item>, SyntaxError> {
        let span = self.span(&pair);
        let mut parts = pair.into_inner().filter(|p| p.as_rule() != Rule::k_typedef);
        let specs = self.parse_decl_specs(parts.next().expect("typedef type"))?;
        let mut items = Vec::new();
        for declarator in parts.filter(|p| p.as_rule() == Rule::declarator) {
            let (name, ty) = self.parse_declarator(declarator, specs.base.clone())?;
            self.declare_typedef(&name.name);
            items.push(Item::Typedef(Typedef { ty, name, span }));
        }
        Ok(items)
    }

    /// `int main(void) { … }` or K&R `main() { … }` (implicit `int`).
    fn parse_function(&self, pair: Pair<'_>) -> Result<Function, SyntaxError> {
        let span = self.span(&pair);
        let mut parts: Vec<Pair<'_>> = pair.into_inner().collect();
        let body = self.parse_block(parts.pop().expect("function body"))?;
        let declarator = parts.pop().expect("function declarator");
        let base = match parts.pop() {
            Some(specs) => self.parse_decl_specs(specs)?.base,
            None => implicit_int(self.span(&declarator)),
        };
        let head_end = declarator.as_span().end();
        let (name, ty) = self.parse_declarator(declarator, base)?;
        let sig_span = Span::new(span.start as usize, self.base() + head_end);
        let Some(sig) = signature(name, ty, sig_span) else {
            let found = "a declarator that is not a function";
            return Err(self.unexpected("a function declarator such as `main()`", found, sig_span));
        };
        Ok(Function { sig, body, span })
    }

    /// A global declaration, a prototype (`void f(int);`) or a lone `struct s { … };`.
    fn parse_global(&self, pair: Pair<'_>) -> Result<Item, SyntaxError> {
        let span = self.span(&pair);
        let (declaration, base) = self.parse_declaration_and_base(pair)?;
        if declaration.declarators.is_empty() {
            return match declares_tag(&base) {
                Some(spec) => Ok(Item::TypeDecl(spec.clone(), span)),
                None => {
                    let at = Span::new(span.end as usize - 1, span.end as usize);
                    Err(self.unexpected("a name to declare", "`;`", at))
                }
            };
        }
        if let [declarator] = declaration.declarators.as_slice() {
            if declarator.init.is_none() {
                let sig = signature(declarator.name.clone(), declarator.ty.clone(), span);
                if let Some(sig) = sig {
                    return Ok(Item::Prototype(sig));
                }
            }
        }
        Ok(Item::Global(declaration))
    }
}

/// The `#define` the preprocessor found, as an item.
pub(super) fn define(raw: &RawDefine) -> Define {
    let ident = |(name, span): &(String, Span)| Ident {
        name: name.clone(),
        span: *span,
    };
    let body = match raw.body_text.as_str() {
        "" => MacroBody::Empty,
        text => MacroBody::Text(text.to_string()),
    };
    Define {
        name: ident(&raw.name),
        params: raw.params.as_ref().map(|ps| ps.iter().map(ident).collect()),
        body,
        span: raw.span,
    }
}

/// The signature of a declarator of function type: `int main(void)`.
fn signature(name: Ident, ty: TypeName, span: Span) -> Option<FunctionSig> {
    match ty {
        TypeName::Function(ret, params, variadic) => Some(FunctionSig {
            ret: *ret,
            name,
            params,
            variadic,
            span,
        }),
        _ => None,
    }
}

/// The `int` of a K&R function written without a return type.
fn implicit_int(at: Span) -> TypeName {
    let span = Span::new(at.start as usize, at.start as usize);
    TypeName::Base(
        TypeSpec::Int(
            crate::syntax::ast::IntKind::Int,
            crate::syntax::ast::Signedness::Signed,
        ),
        span,
    )
}

/// Puts each `#define` among the items in source order: at file level, or inside the
/// `program` block that contains it; one written inside an item goes just before it.
pub(super) fn place_defines(scenario: &mut Scenario, defines: Vec<Define>) {
    for define in defines {
        let at = define.span.start;
        let program = scenario
            .programs
            .iter_mut()
            .find(|p| p.span.start <= at && at < p.span.end);
        let items = match program {
            Some(program) => &mut program.items,
            None => &mut scenario.items,
        };
        let index = items
            .iter()
            .position(|item| item_span(item).end > at)
            .unwrap_or(items.len());
        items.insert(index, Item::Define(define));
    }
}

/// The span of an item.
fn item_span(item: &Item) -> Span {
    match item {
        Item::Define(d) => d.span,
        Item::TypeDecl(_, span) => *span,
        Item::Typedef(t) => t.span,
        Item::Global(d) => d.span,
        Item::Prototype(sig) => sig.span,
        Item::Function(f) => f.span,
    }
}
