//! C expressions: pest's Pratt parser over the flat operand/operator sequence of an `expr`,
//! with C's precedence and associativity.

use std::sync::LazyLock;

use pest::pratt_parser::{Assoc, Op, PrattParser};

use super::builder::Builder;
use super::{Pair, Rule, MAX_NESTING};
use crate::syntax::ast::{BinOp, Expr, ExprKind, IntKind, Signedness, TypeName, TypeSpec, UnOp};
use crate::syntax::span::Span;
use crate::syntax::SyntaxError;

/// C's operator table, loosest first (C11 6.5).
static PRATT: LazyLock<PrattParser<Rule>> = LazyLock::new(|| {
    let infix = |rule| Op::infix(rule, Assoc::Left);
    PrattParser::new()
        .op(infix(Rule::comma))
        .op(Op::infix(Rule::assign_op, Assoc::Right))
        .op(Op::infix(Rule::ternary, Assoc::Right))
        .op(infix(Rule::or))
        .op(infix(Rule::and))
        .op(infix(Rule::bit_or))
        .op(infix(Rule::bit_xor))
        .op(infix(Rule::bit_and))
        .op(infix(Rule::eq) | infix(Rule::ne))
        .op(infix(Rule::lt) | infix(Rule::gt) | infix(Rule::le) | infix(Rule::ge))
        .op(infix(Rule::shl) | infix(Rule::shr))
        .op(infix(Rule::add) | infix(Rule::sub))
        .op(infix(Rule::mul) | infix(Rule::div) | infix(Rule::rem))
        .op([
            Rule::pre_inc,
            Rule::pre_dec,
            Rule::neg,
            Rule::plus,
            Rule::not,
            Rule::bit_not,
            Rule::deref,
            Rule::addr_of,
            Rule::sizeof_op,
            Rule::cast,
        ]
        .into_iter()
        .map(Op::prefix)
        .reduce(|a, b| a | b)
        .expect("prefix operators"))
        .op([
            Rule::call,
            Rule::index,
            Rule::member,
            Rule::arrow,
            Rule::post_inc,
            Rule::post_dec,
        ]
        .into_iter()
        .map(Op::postfix)
        .reduce(|a, b| a | b)
        .expect("postfix operators"))
});

/// An expression being built, with the height of its tree.
struct Built {
    expr: Expr,
    height: usize,
    /// The parentheses around `expr` when it is exactly a parenthesised expression.
    paren: Option<Span>,
}

type BuiltResult = Result<Built, SyntaxError>;

impl Builder<'_> {
    /// Builds an `expr` or `assign_expr` pair.
    pub(super) fn parse_expr(&self, pair: Pair<'_>) -> Result<Expr, SyntaxError> {
        let span = self.span(&pair);
        self.nested(span, || {
            let built = PRATT
                .map_primary(|p| self.parse_primary(p))
                .map_prefix(|op, rhs| self.parse_prefix(op, rhs?))
                .map_postfix(|lhs, op| self.parse_postfix(lhs?, op))
                .map_infix(|lhs, op, rhs| self.parse_infix(lhs?, op, rhs?))
                .parse(pair.into_inner())?;
            Ok(built.expr)
        })
    }

    /// A node of `kind` over `span` whose tallest child is `height` high.
    fn node(&self, kind: ExprKind, span: Span, height: usize) -> BuiltResult {
        if height + 1 >= MAX_NESTING {
            return Err(SyntaxError::TooDeep {
                limit: MAX_NESTING,
                span: span.to_miette(self.text().len()),
            });
        }
        Ok(Built {
            expr: self.expr(kind, span),
            height: height + 1,
            paren: None,
        })
    }

    fn parse_primary(&self, pair: Pair<'_>) -> BuiltResult {
        let span = self.span(&pair);
        let kind = match pair.as_rule() {
            Rule::number => {
                let value = ExprKind::Int(self.parse_number(&pair)?);
                match suffix_type(pair.as_str()) {
                    // `1L`, `10u`: the suffix's type, as the cast it is equivalent to.
                    Some((kind, sign)) => ExprKind::Cast(
                        TypeName::Base(TypeSpec::Int(kind, sign), span),
                        Box::new(self.expr(value, span)),
                    ),
                    None => value,
                }
            }
            Rule::char_lit => ExprKind::Int(self.parse_char(&pair)?),
            Rule::strings => ExprKind::Str(self.parse_strings(pair)?),
            Rule::unterminated => return Err(self.literal_error("missing closing quote", span)),
            Rule::ident => ExprKind::Name(self.ident(&pair)),
            Rule::paren => {
                let inner = pair.into_inner().next().expect("paren holds an expr");
                let expr = self.parse_expr(inner)?;
                return Ok(Built {
                    expr,
                    height: 1,
                    paren: Some(span),
                });
            }
            Rule::sizeof_type => self.parse_sizeof_type(pair)?,
            rule => unreachable!("primary rule {rule:?}"),
        };
        Ok(Built {
            expr: self.expr(kind, span),
            height: 1,
            paren: None,
        })
    }

    /// `sizeof(T)`, or `sizeof(x)` when `x` names no type.
    fn parse_sizeof_type(&self, pair: Pair<'_>) -> Result<ExprKind, SyntaxError> {
        let type_pair = pair.into_inner().find(|p| p.as_rule() == Rule::type_name);
        let ty = self.parse_type_name(type_pair.expect("sizeof holds a type"))?;
        if let TypeName::Base(TypeSpec::Named(name), span) = &ty {
            if !self.is_typedef(&name.name) {
                let operand = self.expr(ExprKind::Name(name.clone()), *span);
                return Ok(ExprKind::SizeofExpr(Box::new(operand)));
            }
        }
        Ok(ExprKind::SizeofType(ty))
    }

    fn parse_prefix(&self, op: Pair<'_>, rhs: Built) -> BuiltResult {
        let span = self.span(&op).to(rhs.expr.span);
        if op.as_rule() == Rule::cast {
            return self.parse_cast(op, rhs, span);
        }
        let operand = Box::new(rhs.expr);
        let kind = match op.as_rule() {
            Rule::pre_inc => ExprKind::PreIncDec(true, operand),
            Rule::pre_dec => ExprKind::PreIncDec(false, operand),
            Rule::neg => ExprKind::Unary(UnOp::Neg, operand),
            Rule::plus => ExprKind::Unary(UnOp::Plus, operand),
            Rule::not => ExprKind::Unary(UnOp::Not, operand),
            Rule::bit_not => ExprKind::Unary(UnOp::BitNot, operand),
            Rule::deref => ExprKind::Unary(UnOp::Deref, operand),
            Rule::addr_of => ExprKind::Unary(UnOp::AddrOf, operand),
            Rule::sizeof_op => ExprKind::SizeofExpr(operand),
            rule => unreachable!("prefix rule {rule:?}"),
        };
        self.node(kind, span, rhs.height)
    }

    fn parse_cast(&self, op: Pair<'_>, rhs: Built, span: Span) -> BuiltResult {
        let ty = self.parse_cast_type(op)?;
        self.node(ExprKind::Cast(ty, Box::new(rhs.expr)), span, rhs.height)
    }

    /// `(T)(x)` with `T` a typedef name declared in the file: the grammar reads every
    /// `(name)(…)` as a call, so the typedef ones become the cast they are. The cast takes
    /// over the discarded name's id, keeping ids dense.
    fn typedef_cast(&self, lhs: &Built, op: &Pair<'_>) -> Option<Result<Built, SyntaxError>> {
        let ExprKind::Name(name) = &lhs.expr.kind else {
            return None;
        };
        if lhs.paren.is_none()
            || !self.is_typedef(&name.name)
            || op.clone().into_inner().count() != 1
        {
            return None;
        }
        let arg = op.clone().into_inner().next().map(|a| self.parse_expr(a))?;
        Some(arg.map(|arg| {
            let span = lhs.expr.span.to(self.span(op));
            let ty = TypeName::Base(TypeSpec::Named(name.clone()), name.span);
            let expr = Expr {
                kind: ExprKind::Cast(ty, Box::new(arg)),
                span,
                id: lhs.expr.id,
            };
            Built {
                expr,
                height: lhs.height + 1,
                paren: None,
            }
        }))
    }

    fn parse_postfix(&self, lhs: Built, op: Pair<'_>) -> BuiltResult {
        if op.as_rule() == Rule::call {
            if let Some(cast) = self.typedef_cast(&lhs, &op) {
                return cast;
            }
        }
        let span = lhs.expr.span.to(self.span(&op));
        let operand = Box::new(lhs.expr);
        let mut height = lhs.height;
        let kind = match op.as_rule() {
            Rule::call => {
                let args = op.clone().into_inner().map(|a| self.parse_expr(a));
                ExprKind::Call(operand, args.collect::<Result<_, _>>()?)
            }
            Rule::index => {
                let index = self.parse_expr(op.clone().into_inner().next().expect("index"))?;
                height += 1;
                ExprKind::Index(operand, Box::new(index))
            }
            Rule::member => ExprKind::Member(operand, self.last_ident(&op)),
            Rule::arrow => ExprKind::Arrow(operand, self.last_ident(&op)),
            Rule::post_inc => ExprKind::PostIncDec(true, operand),
            Rule::post_dec => ExprKind::PostIncDec(false, operand),
            rule => unreachable!("postfix rule {rule:?}"),
        };
        self.node(kind, span, height)
    }

    fn parse_infix(&self, lhs: Built, op: Pair<'_>, rhs: Built) -> BuiltResult {
        let height = lhs.height.max(rhs.height);
        let span = lhs.expr.span.to(rhs.expr.span);
        let (l, r) = (Box::new(lhs.expr), Box::new(rhs.expr));
        let kind = match op.as_rule() {
            Rule::comma => ExprKind::Comma(l, r),
            Rule::assign_op => ExprKind::Assign(compound_op(op.as_str()), l, r),
            Rule::ternary => {
                let middle = self.parse_expr(op.clone().into_inner().next().expect("ternary"))?;
                ExprKind::Conditional(l, Box::new(middle), r)
            }
            rule => ExprKind::Binary(binary_op(rule), l, r),
        };
        self.node(kind, span, height)
    }

    /// The identifier at the end of a `.field` or `->field` pair.
    fn last_ident(&self, pair: &Pair<'_>) -> crate::syntax::ast::Ident {
        let ident = pair
            .clone()
            .into_inner()
            .last()
            .expect("member names a field");
        self.ident(&ident)
    }
}

/// The operator of a compound assignment (`+=` is `Add`), `None` for `=`.
fn compound_op(text: &str) -> Option<BinOp> {
    let op = match text {
        "+=" => BinOp::Add,
        "-=" => BinOp::Sub,
        "*=" => BinOp::Mul,
        "/=" => BinOp::Div,
        "%=" => BinOp::Rem,
        "<<=" => BinOp::Shl,
        ">>=" => BinOp::Shr,
        "&=" => BinOp::BitAnd,
        "^=" => BinOp::BitXor,
        "|=" => BinOp::BitOr,
        _ => return None,
    };
    Some(op)
}

/// The binary operator a grammar rule stands for.
fn binary_op(rule: Rule) -> BinOp {
    match rule {
        Rule::or => BinOp::Or,
        Rule::and => BinOp::And,
        Rule::bit_or => BinOp::BitOr,
        Rule::bit_xor => BinOp::BitXor,
        Rule::bit_and => BinOp::BitAnd,
        Rule::eq => BinOp::Eq,
        Rule::ne => BinOp::Ne,
        Rule::lt => BinOp::Lt,
        Rule::gt => BinOp::Gt,
        Rule::le => BinOp::Le,
        Rule::ge => BinOp::Ge,
        Rule::shl => BinOp::Shl,
        Rule::shr => BinOp::Shr,
        Rule::add => BinOp::Add,
        Rule::sub => BinOp::Sub,
        Rule::mul => BinOp::Mul,
        Rule::div => BinOp::Div,
        Rule::rem => BinOp::Rem,
        rule => unreachable!("binary rule {rule:?}"),
    }
}

/// The type an integer suffix gives a literal (C11 6.4.4.1): `u` → `unsigned int`, `l`/`ll`
/// → `long`, `ul`/`ull` → `unsigned long`; `None` without a suffix.
fn suffix_type(text: &str) -> Option<(IntKind, Signedness)> {
    let lower = text.to_ascii_lowercase();
    let suffix: String = lower
        .chars()
        .rev()
        .take_while(|c| *c == 'u' || *c == 'l')
        .collect();
    if suffix.is_empty() {
        return None;
    }
    let sign = if suffix.contains('u') {
        Signedness::Unsigned
    } else {
        Signedness::Signed
    };
    let kind = if suffix.contains('l') {
        IntKind::Long
    } else {
        IntKind::Int
    };
    Some((kind, sign))
}
