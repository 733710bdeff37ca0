//! Statements and blocks, including `spawn name { … }` and the declaration/expression
//! choice C's typedef names make necessary.

use pest::Parser as _;

use super::builder::Builder;
use super::{Pair, Rule, ScnParser};
use crate::syntax::ast::{Block, Declaration, Declarator, Initializer, Stmt, TypeName, TypeSpec};
use crate::syntax::SyntaxError;

impl Builder<'_> {
    /// `{ stmt… }`. The nesting it adds is counted by [`Builder::parse_stmt`].
    pub(super) fn parse_block(&self, pair: Pair<'_>) -> Result<Block, SyntaxError> {
        let span = self.span(&pair);
        let stmts = pair.into_inner().map(|s| self.parse_stmt(s));
        Ok(Block {
            stmts: stmts.collect::<Result<_, _>>()?,
            span,
        })
    }

    /// Any statement pair.
    pub(super) fn parse_stmt(&self, pair: Pair<'_>) -> Result<Stmt, SyntaxError> {
        let span = self.span(&pair);
        self.nested(span, || {
            let stmt = match pair.as_rule() {
                Rule::compound => Stmt::Block(self.parse_block(pair)?),
                Rule::declaration => return self.parse_decl_stmt(pair),
                Rule::expr_stmt => Stmt::Expr(self.parse_expr(first(pair))?),
                Rule::empty_stmt => Stmt::Empty(span),
                Rule::break_stmt => Stmt::Break(span),
                Rule::continue_stmt => Stmt::Continue(span),
                Rule::return_stmt => Stmt::Return(self.parse_opt_expr(pair, Rule::expr)?, span),
                Rule::if_stmt => self.parse_if(pair)?,
                Rule::while_stmt | Rule::switch_stmt => self.parse_while_switch(pair)?,
                Rule::do_stmt => self.parse_do(pair)?,
                Rule::for_stmt => self.parse_for(pair)?,
                Rule::case_stmt | Rule::default_stmt => self.parse_label(pair)?,
                Rule::spawn_stmt => self.parse_spawn(pair)?,
                rule => unreachable!("statement rule {rule:?}"),
            };
            Ok(stmt)
        })
    }

    /// The first child of `pair` with rule `rule`, as an expression, if any.
    fn parse_opt_expr(
        &self,
        pair: Pair<'_>,
        rule: Rule,
    ) -> Result<Option<crate::syntax::ast::Expr>, SyntaxError> {
        pair.into_inner()
            .find(|p| p.as_rule() == rule)
            .map(|e| self.parse_expr(e))
            .transpose()
    }

    fn parse_if(&self, pair: Pair<'_>) -> Result<Stmt, SyntaxError> {
        let span = self.span(&pair);
        let mut parts = significant(pair);
        let cond = self.parse_expr(parts.next().expect("if condition"))?;
        let then = Box::new(self.parse_stmt(parts.next().expect("then branch"))?);
        let otherwise = parts
            .next()
            .map(|s| self.parse_stmt(s))
            .transpose()?
            .map(Box::new);
        Ok(Stmt::If {
            cond,
            then,
            otherwise,
            span,
        })
    }

    fn parse_while_switch(&self, pair: Pair<'_>) -> Result<Stmt, SyntaxError> {
        let span = self.span(&pair);
        let rule = pair.as_rule();
        let mut parts = significant(pair);
        let cond = self.parse_expr(parts.next().expect("condition"))?;
        let body = Box::new(self.parse_stmt(parts.next().expect("body"))?);
        Ok(match rule {
            Rule::while_stmt => Stmt::While { cond, body, span },
            _ => Stmt::Switch {
                scrutinee: cond,
                body,
                span,
            },
        })
    }

    fn parse_do(&self, pair: Pair<'_>) -> Result<Stmt, SyntaxError> {
        let span = self.span(&pair);
        let mut parts = significant(pair);
        let body = Box::new(self.parse_stmt(parts.next().expect("do body"))?);
        let cond = self.parse_expr(parts.next().expect("do condition"))?;
        Ok(Stmt::DoWhile { body, cond, span })
    }

    fn parse_for(&self, pair: Pair<'_>) -> Result<Stmt, SyntaxError> {
        let span = self.span(&pair);
        let mut parts = significant(pair);
        let init = first(parts.next().expect("for init"));
        let init = match init.as_rule() {
            Rule::empty_stmt => None,
            _ => Some(Box::new(self.parse_stmt(init)?)),
        };
        let cond = parts.next().expect("for condition").into_inner().next();
        let cond = cond.map(|e| self.parse_expr(e)).transpose()?;
        let step = parts.next().expect("for step").into_inner().next();
        let step = step.map(|e| self.parse_expr(e)).transpose()?;
        let body = Box::new(self.parse_stmt(parts.next().expect("for body"))?);
        Ok(Stmt::For {
            init,
            cond,
            step,
            body,
            span,
        })
    }

    /// `case value: stmt` / `default: stmt`; a label right before `}` labels `;`.
    fn parse_label(&self, pair: Pair<'_>) -> Result<Stmt, SyntaxError> {
        let span = self.span(&pair);
        let is_case = pair.as_rule() == Rule::case_stmt;
        let mut parts = significant(pair);
        let value = if is_case {
            Some(self.parse_expr(parts.next().expect("case value"))?)
        } else {
            None
        };
        let body = match parts.next() {
            Some(stmt) => self.parse_stmt(stmt)?,
            None => Stmt::Empty(crate::syntax::span::Span::new(
                span.end as usize,
                span.end as usize,
            )),
        };
        let body = Box::new(body);
        Ok(match value {
            Some(value) => Stmt::Case { value, body, span },
            None => Stmt::Default { body, span },
        })
    }

    fn parse_spawn(&self, pair: Pair<'_>) -> Result<Stmt, SyntaxError> {
        let span = self.span(&pair);
        let mut parts = significant(pair);
        let name = self.ident(&parts.next().expect("spawn name"));
        let body = self.parse_block(parts.next().expect("spawn body"))?;
        Ok(Stmt::Spawn { name, body, span })
    }

    /// A declaration statement, unless its type is a name no typedef declared and the text
    /// also reads as an expression (`f(x);`, `a * b;`): then it is that expression.
    fn parse_decl_stmt(&self, pair: Pair<'_>) -> Result<Stmt, SyntaxError> {
        if let Some(stmt) = self.reread_as_expr(&pair)? {
            return Ok(stmt);
        }
        Ok(Stmt::Decl(self.parse_declaration(pair)?))
    }

    fn reread_as_expr(&self, pair: &Pair<'_>) -> Result<Option<Stmt>, SyntaxError> {
        let specs = pair
            .clone()
            .into_inner()
            .next()
            .expect("declaration specifiers");
        let mut named = specs
            .into_inner()
            .filter(|p| p.as_rule() == Rule::named_type);
        let Some(named) = named.next() else {
            return Ok(None);
        };
        if self.is_typedef(named.as_str()) {
            return Ok(None);
        }
        let Ok(mut pairs) = ScnParser::parse(Rule::expr_only, pair.as_str()) else {
            return Ok(None);
        };
        let stmt = pairs
            .next()
            .and_then(|p| p.into_inner().next())
            .expect("expression statement");
        let base = self.base() + pair.as_span().start();
        self.with_base(base, || self.parse_stmt(stmt)).map(Some)
    }

    /// `static int a = 1, *p, buf[10] = "hi";`.
    pub(super) fn parse_declaration(&self, pair: Pair<'_>) -> Result<Declaration, SyntaxError> {
        self.parse_declaration_and_base(pair)
            .map(|(declaration, _)| declaration)
    }

    /// A declaration and its base type (for `struct s { … };`, which declares no name).
    pub(super) fn parse_declaration_and_base(
        &self,
        pair: Pair<'_>,
    ) -> Result<(Declaration, TypeName), SyntaxError> {
        let span = self.span(&pair);
        let mut parts = pair.into_inner();
        let specs = self.parse_decl_specs(parts.next().expect("declaration specifiers"))?;
        let mut declarators = Vec::new();
        for init_decl in parts.filter(|p| p.as_rule() == Rule::init_declarator) {
            declarators.push(self.parse_init_declarator(init_decl, &specs.base)?);
        }
        let declaration = Declaration {
            storage: specs.storage,
            declarators,
            span,
        };
        Ok((declaration, specs.base))
    }

    fn parse_init_declarator(
        &self,
        pair: Pair<'_>,
        base: &TypeName,
    ) -> Result<Declarator, SyntaxError> {
        let span = self.span(&pair);
        let mut parts = pair.into_inner();
        let (name, ty) = self.parse_declarator(parts.next().expect("declarator"), base.clone())?;
        let init = parts
            .next()
            .map(|i| self.parse_initializer(i))
            .transpose()?;
        Ok(Declarator {
            name,
            ty,
            init,
            span,
        })
    }

    /// `= expr` or `= { a, [3] = b, .f = c }`.
    fn parse_initializer(&self, pair: Pair<'_>) -> Result<Initializer, SyntaxError> {
        let span = self.span(&pair);
        if pair.as_rule() != Rule::init_list {
            return Ok(Initializer::Expr(self.parse_expr(pair)?));
        }
        self.nested(span, || {
            let mut entries = Vec::new();
            for entry in pair.into_inner() {
                let mut parts: Vec<Pair<'_>> = entry.into_inner().collect();
                let value = self.parse_initializer(parts.pop().expect("initializer value"))?;
                let designator = parts.pop().map(|d| self.parse_designator(d)).transpose()?;
                entries.push((designator, value));
            }
            Ok(Initializer::List(entries, span))
        })
    }

    fn parse_designator(
        &self,
        pair: Pair<'_>,
    ) -> Result<crate::syntax::ast::Designator, SyntaxError> {
        use crate::syntax::ast::Designator;
        let inner = first(pair.clone());
        Ok(match pair.as_rule() {
            Rule::index_designator => Designator::Index(self.parse_expr(inner)?),
            _ => Designator::Field(self.ident(&inner)),
        })
    }
}

/// Whether a declaration's base type is a struct, union or enum (for `struct s { … };`).
pub(super) fn declares_tag(ty: &TypeName) -> Option<&TypeSpec> {
    match ty {
        TypeName::Base(spec @ (TypeSpec::Struct(_) | TypeSpec::Enum(_)), _) => Some(spec),
        _ => None,
    }
}

/// The first inner pair.
fn first(pair: Pair<'_>) -> Pair<'_> {
    pair.into_inner().next().expect("a rule with one child")
}

/// The inner pairs without keywords and `;`.
fn significant(pair: Pair<'_>) -> impl Iterator<Item = Pair<'_>> {
    pair.into_inner().filter(|p| {
        !matches!(
            p.as_rule(),
            Rule::k_if
                | Rule::k_else
                | Rule::k_while
                | Rule::k_do
                | Rule::k_for
                | Rule::k_switch
                | Rule::k_case
                | Rule::k_default
                | Rule::k_spawn
                | Rule::semi
        )
    })
}
