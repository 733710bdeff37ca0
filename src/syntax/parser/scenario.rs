//! The declarative parts: `expect …;`, `config { … }`, `scenario "…" { … }` and
//! `program "/path" { … }`.

use super::builder::Builder;
use super::{Pair, Rule};
use crate::calls::{self, Constant};
use crate::syntax::ast::{
    CmpOp, ConfigEntry, ConfigValue, Expect, FileDecl, Meta, Mode, ProcRef, ProgramBlock, Property,
    Scenario,
};
use crate::syntax::SyntaxError;

impl Builder<'_> {
    /// `expect [may|always|never] PROPERTY;`.
    pub(super) fn parse_expect(&self, pair: Pair<'_>) -> Result<Expect, SyntaxError> {
        let span = self.span(&pair);
        let mut mode = Mode::Always;
        let mut prop = None;
        for part in pair.into_inner() {
            match part.as_rule() {
                Rule::k_expect | Rule::semi => {}
                Rule::mode => {
                    mode = match part.as_str() {
                        "may" => Mode::May,
                        "never" => Mode::Never,
                        _ => Mode::Always,
                    }
                }
                _ => prop = Some(self.parse_property(part)?),
            }
        }
        let prop = prop.expect("the grammar requires a property");
        Ok(Expect { mode, prop, span })
    }

    fn parse_property(&self, pair: Pair<'_>) -> Result<Property, SyntaxError> {
        let rule = pair.as_rule();
        let parts: Vec<Pair<'_>> = pair.into_inner().collect();
        let find = |r: Rule| parts.iter().find(|p| p.as_rule() == r).cloned();
        let cmp = || {
            find(Rule::cmp)
                .or(find(Rule::eq_ne))
                .map(|p| cmp_op(p.as_str()))
        };
        let cmp = cmp().unwrap_or(CmpOp::Eq);
        let value = || self.parse_value(&find(Rule::value).expect("value"));
        let proc = || find(Rule::proc_ref).map(|p| self.proc_ref(&p));
        let text = || self.parse_strings(find(Rule::strings).expect("string"));
        Ok(match rule {
            Rule::p_processes => Property::Processes(cmp, value()?),
            Rule::p_output => Property::Output(cmp, text()?),
            Rule::p_output_contains => Property::OutputContains(text()?),
            Rule::p_output_line => Property::OutputLine(text()?),
            Rule::p_outputs => {
                let strings = parts.iter().filter(|p| p.as_rule() == Rule::strings);
                Property::Outputs(
                    strings
                        .map(|s| self.parse_strings(s.clone()))
                        .collect::<Result<_, _>>()?,
                )
            }
            Rule::p_outcomes => Property::Outcomes(cmp, value()?),
            Rule::p_exit => Property::Exit(proc(), cmp, value()?),
            Rule::p_signaled => Property::Signaled(proc(), cmp, value()?),
            Rule::p_zombies => Property::Zombies(cmp, value()?),
            Rule::p_orphans => Property::Orphans(cmp, value()?),
            Rule::p_deadlock => Property::Deadlock,
            Rule::p_no_deadlock => Property::NoDeadlock,
            Rule::p_children => Property::Children(proc().expect("process"), cmp, value()?),
            Rule::p_depth => Property::Depth(cmp, value()?),
            Rule::p_tree => Property::Tree(self.parse_text(find(Rule::strings).expect("tree"))?),
            Rule::p_file => {
                let mut strings = parts.iter().filter(|p| p.as_rule() == Rule::strings);
                let path = self.parse_text(strings.next().expect("path").clone())?;
                let contents = self.parse_strings(strings.next().expect("contents").clone())?;
                Property::File(path, cmp, contents)
            }
            Rule::p_var => {
                let var = self.ident(&find(Rule::ident).expect("variable"));
                Property::Var(proc().expect("process"), var, cmp, value()?)
            }
            rule => unreachable!("property rule {rule:?}"),
        })
    }

    /// `main`, `main.1.2`, `b`.
    fn proc_ref(&self, pair: &Pair<'_>) -> ProcRef {
        ProcRef {
            path: pair.as_str().split('.').map(str::to_string).collect(),
            span: self.span(pair),
        }
    }

    /// A number (`-1`, `0x10`) or a constant name such as `SIGKILL`.
    fn parse_value(&self, pair: &Pair<'_>) -> Result<i64, SyntaxError> {
        let span = self.span(pair);
        let text = pair.as_str();
        let (negative, body) = match text.strip_prefix('-') {
            Some(body) => (true, body),
            None => (false, text),
        };
        let value = if body.starts_with(|c: char| c.is_ascii_digit()) {
            self.number_value(body, span)?
        } else {
            match calls::constant(body) {
                Some(Constant::Int(value)) => value,
                _ => {
                    return Err(self.literal_error(
                        format!("`{body}` is not a number or a known constant"),
                        span,
                    ))
                }
            }
        };
        Ok(if negative {
            value.wrapping_neg()
        } else {
            value
        })
    }

    /// `config { key = value; … }`.
    pub(super) fn parse_config(&self, pair: Pair<'_>) -> Result<Vec<ConfigEntry>, SyntaxError> {
        let entries = pair
            .into_inner()
            .filter(|p| p.as_rule() == Rule::config_entry);
        entries
            .map(|entry| self.parse_config_entry(entry))
            .collect()
    }

    fn parse_config_entry(&self, pair: Pair<'_>) -> Result<ConfigEntry, SyntaxError> {
        let span = self.span(&pair);
        let mut parts = pair.into_inner();
        let key = self.ident(&parts.next().expect("config key"));
        let value_pair = parts.next().expect("config value");
        let value = match value_pair.as_rule() {
            Rule::config_int => match value_pair.as_str().parse() {
                Ok(value) => ConfigValue::Int(value),
                Err(_) => {
                    return Err(self
                        .literal_error("integer does not fit in 64 bits", self.span(&value_pair)))
                }
            },
            Rule::strings => ConfigValue::Str(self.parse_text(value_pair)?),
            _ => ConfigValue::Word(value_pair.as_str().to_string()),
        };
        Ok(ConfigEntry { key, value, span })
    }

    /// `scenario "title" { source "…"; question "…"; expect …; config { … } }`.
    pub(super) fn parse_scenario_block(
        &self,
        pair: Pair<'_>,
        scenario: &mut Scenario,
    ) -> Result<(), SyntaxError> {
        let mut meta = Meta::default();
        let mut head_end = None;
        for part in pair.into_inner() {
            let part_span = self.span(&part);
            match part.as_rule() {
                Rule::k_scenario => meta.span = part_span,
                Rule::strings if head_end.is_none() => {
                    head_end = Some(part_span);
                    meta.title = self.parse_text(part)?;
                }
                Rule::meta_source => meta.source = Some(self.parse_text(last_strings(part))?),
                Rule::meta_question => meta.question = Some(self.parse_text(last_strings(part))?),
                Rule::expect_stmt => scenario.expects.push(self.parse_expect(part)?),
                Rule::config_block => scenario.config.extend(self.parse_config(part)?),
                _ => {}
            }
        }
        meta.span = meta.span.to(head_end.unwrap_or(meta.span));
        scenario.meta = Some(meta);
        Ok(())
    }

    /// `file "path" = "contents";`.
    pub(super) fn parse_file(&self, pair: Pair<'_>) -> Result<FileDecl, SyntaxError> {
        let span = self.span(&pair);
        let mut texts = Vec::new();
        for part in pair.into_inner() {
            if part.as_rule() == Rule::strings {
                texts.push(self.parse_text(part)?);
            }
        }
        let contents = texts.pop().unwrap_or_default();
        let path = texts.pop().unwrap_or_default();
        Ok(FileDecl {
            path,
            contents,
            span,
        })
    }

    /// `program "/bin/x" { C items }`.
    pub(super) fn parse_program(&self, pair: Pair<'_>) -> Result<ProgramBlock, SyntaxError> {
        let span = self.span(&pair);
        let mut path = String::new();
        let mut items = Vec::new();
        for part in pair.into_inner() {
            match part.as_rule() {
                Rule::k_program => {}
                Rule::strings => path = self.parse_text(part)?,
                _ => items.extend(self.parse_c_item(part)?),
            }
        }
        Ok(ProgramBlock { path, items, span })
    }
}

/// The `strings` pair of a `source "…";` line.
fn last_strings(pair: Pair<'_>) -> Pair<'_> {
    pair.into_inner()
        .find(|p| p.as_rule() == Rule::strings)
        .expect("a string")
}

/// The comparison an operator spells.
fn cmp_op(text: &str) -> CmpOp {
    match text {
        "==" => CmpOp::Eq,
        "!=" => CmpOp::Ne,
        "<" => CmpOp::Lt,
        "<=" => CmpOp::Le,
        ">" => CmpOp::Gt,
        _ => CmpOp::Ge,
    }
}
