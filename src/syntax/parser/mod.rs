//! The pest grammar (`grammar/scn.pest`) driven into the AST, one top-level item at a time
//! so that a mistake in one item does not hide mistakes in the next.

mod builder;
mod expressions;
mod items;
mod literals;
mod nesting;
mod recovery;
mod scenario;
mod statements;
mod types;

use pest::Parser as _;

use super::ast::{Item, Scenario};
use super::preprocess::{self, Preprocessed};
use super::remap::Remap;
use super::SyntaxError;
use builder::Builder;

/// Deepest nesting of blocks, brackets and expressions the parser accepts; deeper input is a
/// [`SyntaxError::TooDeep`] rather than a stack overflow.
pub const MAX_NESTING: usize = 256;

/// The parser generated from `grammar/scn.pest`.
#[derive(pest_derive::Parser)]
#[grammar = "../grammar/scn.pest"]
pub(super) struct ScnParser;

/// One pest pair of the scenario grammar.
pub(super) type Pair<'i> = pest::iterators::Pair<'i, Rule>;

/// Parses a whole `.scn` or `.c` file.
///
/// # Errors
/// Every syntax error found (the parser recovers at item boundaries, so several errors are
/// reported together).
pub fn parse(source: &str) -> Result<Scenario, Vec<SyntaxError>> {
    // Building a tree MAX_NESTING levels deep recurses that deep (unoptimised builds use
    // several kilobytes a level); a thread with a known stack makes that safe whatever
    // stack the caller runs on. Only the pages used are committed.
    const PARSE_STACK: usize = 64 << 20;
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("scn-parse".to_string())
            .stack_size(PARSE_STACK)
            .spawn_scoped(scope, || parse_here(source))
            .expect("the parser thread starts")
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

/// [`parse`] on the current thread: preprocess, parse the expanded text, then move every
/// span and error back to the source.
fn parse_here(source: &str) -> Result<Scenario, Vec<SyntaxError>> {
    let Preprocessed { text, map, defines } = preprocess::run(source).map_err(|e| vec![e])?;
    nesting::check(&text).map_err(|e| vec![map.error(e)])?;
    let builder = Builder::new(&text);
    let mut scenario = Scenario {
        items: Vec::new(),
        programs: Vec::new(),
        files: Vec::new(),
        expects: Vec::new(),
        config: Vec::new(),
        meta: None,
    };
    let mut errors = Vec::new();
    parse_items(&builder, &mut scenario, &mut errors);
    if !errors.is_empty() {
        let mut errors: Vec<SyntaxError> = errors
            .into_iter()
            .map(|e| map.error(recovery::refine(e, &text)))
            .collect();
        errors.sort_by_key(error_start);
        return Err(errors);
    }
    scenario.remap(&|span| map.span(span));
    items::place_defines(&mut scenario, defines.iter().map(items::define).collect());
    Ok(scenario)
}

/// Parses the top-level items in order, recording the first error of each broken item and
/// going on after it.
fn parse_items(builder: &Builder<'_>, scenario: &mut Scenario, errors: &mut Vec<SyntaxError>) {
    let text = builder.text();
    let mut at = 0;
    while at < text.len() {
        match ScnParser::parse(Rule::unit, &text[at..]) {
            Ok(mut pairs) => {
                let unit = pairs.next().expect("the unit rule always yields one pair");
                let consumed = unit.as_span().end();
                let Some(item) = unit.into_inner().find(|p| p.as_rule() != Rule::EOI) else {
                    break;
                };
                builder.set_base(at);
                if let Err(error) = builder.add_top_item(item, scenario) {
                    errors.push(error);
                }
                at += consumed.max(1);
            }
            Err(error) => {
                let end = recovery::skip_item(text, at);
                match recovery::declarative_error(builder, at) {
                    Some(error) => errors.push(error),
                    None => {
                        errors
                            .push(builder.pest_error(&detailed_error(Rule::unit, &text[at..]), at));
                        let error_at = at + recovery::error_position(&error);
                        if text[at..error_at].contains('{') {
                            errors.extend(recovery::statement_errors(builder, error_at, end));
                        }
                    }
                }
                at = end;
            }
        }
    }
}

/// Parses `input` again with pest's error detail on (the literal tokens it expected), which
/// slows parsing, so it is switched on only to describe a failure.
///
/// The switch is process-wide; the lock keeps two such parses from turning it off under
/// each other. A parse elsewhere that sees it on only collects more detail.
pub(super) fn detailed_error(rule: Rule, input: &str) -> pest::error::Error<Rule> {
    static DETAIL: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _guard = DETAIL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    pest::set_error_detail(true);
    let result = ScnParser::parse(rule, input);
    pest::set_error_detail(false);
    result.expect_err("the input failed to parse before")
}

/// Where an error points, for reporting errors in source order.
fn error_start(error: &SyntaxError) -> usize {
    match error {
        SyntaxError::Unexpected { span, .. }
        | SyntaxError::TooDeep { span, .. }
        | SyntaxError::Literal { span, .. }
        | SyntaxError::Directive { span, .. }
        | SyntaxError::UnknownProperty { span, .. }
        | SyntaxError::FloatingPoint { span } => span.offset(),
    }
}

impl Builder<'_> {
    /// Adds one parsed top-level item (C item, `expect`, `config`, `scenario`, `program`).
    fn add_top_item(&self, pair: Pair<'_>, scenario: &mut Scenario) -> Result<(), SyntaxError> {
        match pair.as_rule() {
            Rule::expect_stmt => scenario.expects.push(self.parse_expect(pair)?),
            Rule::config_block => scenario.config.extend(self.parse_config(pair)?),
            Rule::scenario_block => self.parse_scenario_block(pair, scenario)?,
            Rule::program_block => scenario.programs.push(self.parse_program(pair)?),
            Rule::file_decl => scenario.files.push(self.parse_file(pair)?),
            _ => {
                let items: Vec<Item> = self.parse_c_item(pair)?;
                scenario.items.extend(items);
            }
        }
        Ok(())
    }
}
