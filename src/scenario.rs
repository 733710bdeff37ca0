//! A compiled scenario: its program images, expectations and settings, from a file path.

use crate::check::{self, CheckError};
use crate::config::Config;
use crate::ir::{self, Catalog};
use crate::syntax::{self, ast, span::Span};
use miette::{NamedSource, Report};
use std::rc::Rc;

/// A scenario ready to run: everything after parsing, checking and lowering.
#[derive(Debug)]
pub struct Scenario {
    /// The file it came from, as given on the command line.
    pub path: String,
    /// Its source text (diagnostics and fault reports point into it).
    pub source: String,
    /// The program images `exec` can run; `catalog.main` is the initial process's.
    pub catalog: Catalog,
    /// The `expect` statements, in source order.
    pub expects: Vec<ast::Expect>,
    /// Settings: defaults, then the `config { }` block, then `--config` overrides.
    pub config: Config,
    /// `scenario "title" { … }` metadata.
    pub meta: Option<ast::Meta>,
    /// Variable names the expectations read (`expect main.value == 5` watches `value`).
    pub watched: Vec<String>,
    /// Regular files present when the run starts (`file "path" = "contents";`): path and
    /// contents.
    pub files: Vec<(Vec<u8>, Vec<u8>)>,
}

impl Scenario {
    /// The initial process's `argv`: `argv[0]` as a shell passes it (`./` and the file
    /// stem: `scenarios/three_forks.scn` → `./three_forks`), then `args`, or the scenario's
    /// `config { args = "…"; }` when `args` is empty.
    pub fn argv(&self, args: &[String]) -> Vec<Vec<u8>> {
        let stem = std::path::Path::new(&self.path)
            .file_stem()
            .map_or_else(|| self.path.clone(), |s| s.to_string_lossy().into_owned());
        let args = if args.is_empty() {
            &self.config.args
        } else {
            args
        };
        std::iter::once(format!("./{stem}").into_bytes())
            .chain(args.iter().map(|a| a.clone().into_bytes()))
            .collect()
    }
}

/// Bad input: every diagnostic found, rendered against the source.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("{path}: {count} error(s)")]
pub struct Diagnostics {
    /// The file.
    pub path: String,
    /// How many.
    pub count: usize,
    /// Each error as a miette report with the source attached.
    #[related]
    pub errors: Vec<Report>,
}

impl Diagnostics {
    fn new(path: &str, errors: Vec<Report>) -> Diagnostics {
        Diagnostics {
            path: path.to_string(),
            count: errors.len(),
            errors,
        }
    }
}

/// Reads, parses, checks and lowers the scenario at `path` (`.scn` or plain `.c`), then
/// applies the `overrides` (`--config key=value`) on top of its `config { }` block.
///
/// # Errors
/// [`Diagnostics`] with every problem found: an unreadable file, syntax errors, or check
/// errors (several are reported together).
pub fn load(path: &str, overrides: &[(String, String)]) -> Result<Scenario, Diagnostics> {
    let source = std::fs::read_to_string(path).map_err(|err| {
        Diagnostics::new(path, vec![miette::miette!("cannot read `{path}`: {err}")])
    })?;
    compile(path, source, overrides)
}

/// Compiles scenario `source` (named `path` in diagnostics); see [`load`].
///
/// # Errors
/// As [`load`].
pub fn compile(
    path: &str,
    source: String,
    overrides: &[(String, String)],
) -> Result<Scenario, Diagnostics> {
    let named = || NamedSource::new(path, source.clone());
    let ast = syntax::parse(&source).map_err(|errors| {
        let reports = errors
            .into_iter()
            .map(|e| Report::new(e).with_source_code(named()));
        Diagnostics::new(path, reports.collect())
    })?;
    let len = source.len();
    let mut errors: Vec<CheckError> = Vec::new();
    let pinned: Vec<String> = ast
        .expects
        .iter()
        .filter_map(|e| match &e.prop {
            ast::Property::Var(_, var, ..) => Some(var.name.clone()),
            _ => None,
        })
        .collect();
    let main = lower_or_collect(
        &ast.items,
        ("main", path),
        Span::new(0, 0),
        len,
        &pinned,
        &mut errors,
    );
    let mut programs = indexmap::IndexMap::new();
    for block in &ast.programs {
        if let Some(image) = lower_or_collect(
            &block.items,
            (&block.path, path),
            block.span,
            len,
            &pinned,
            &mut errors,
        ) {
            programs.insert(block.path.clone(), image);
        }
    }
    if main
        .iter()
        .chain(programs.values())
        .any(|image| execs(image))
    {
        let mut all: indexmap::IndexMap<_, _> = builtin_images().into_iter().collect();
        all.extend(programs);
        programs = all;
    }
    let mut config = Config::default();
    errors.extend(check::check_config(&ast.config, &mut config, len));
    errors.extend(check::check_files(&ast.files, len));
    let mut watched = Vec::new();
    if let Some(main) = &main {
        let spawns = spawn_names(&ast);
        let (expect_errors, names) = check::check_expects(&ast.expects, main, &spawns, len);
        errors.extend(expect_errors);
        watched = names;
    }
    let mut reports: Vec<Report> = errors
        .into_iter()
        .map(|e| Report::new(e).with_source_code(named()))
        .collect();
    for (key, value) in overrides {
        if let Err(err) = config.set(key, value) {
            let help = match &err {
                crate::config::ConfigError::UnknownKey(k) => {
                    let keys = crate::config::KEYS.iter().map(|(k, _)| *k);
                    check::did_you_mean(k, keys)
                }
                crate::config::ConfigError::BadValue { .. } => None,
            }
            .unwrap_or_else(|| "see the `config` keys in docs/language.md".to_string());
            reports.push(miette::miette!(
                help = help,
                "--config {key}={value}: {err}"
            ));
        }
    }
    match main {
        Some(main) if reports.is_empty() => Ok(Scenario {
            path: path.to_string(),
            source,
            catalog: Catalog { main, programs },
            expects: ast.expects,
            config,
            meta: ast.meta,
            watched,
            files: (ast.files.into_iter())
                .map(|f| (f.path.into_bytes(), f.contents.into_bytes()))
                .collect(),
        }),
        _ => Err(Diagnostics::new(path, reports)),
    }
}

/// Lowers one program: the image at `path`, written in source file `file`.
fn lower_or_collect(
    items: &[ast::Item],
    (path, file): (&str, &str),
    span: Span,
    len: usize,
    pinned: &[String],
    errors: &mut Vec<CheckError>,
) -> Option<Rc<ir::Image>> {
    match ir::lower(items, path, file, span, len, pinned) {
        Ok(image) => Some(Rc::new(image)),
        Err(errs) => {
            errors.extend(errs);
            None
        }
    }
}

thread_local! {
    /// The built-in programs, compiled once per thread (images are immutable and shared).
    static BUILTINS: Vec<(String, Rc<ir::Image>)> = crate::kernel::sim::bin::PROGRAMS
        .iter()
        .map(|(path, source)| (path.to_string(), Rc::new(builtin_image(path, source))))
        .collect();
}

/// Whether `image` calls one of the `exec` family: only then can the built-in programs run,
/// so a scenario that never calls it is not given them (compiling them is most of the
/// start-up of a small scenario, and their images would weigh on every real `fork`).
fn execs(image: &ir::Image) -> bool {
    use crate::calls::Call;
    (image.functions.iter().flat_map(|f| f.code.iter())).any(|instr| {
        matches!(
            instr,
            ir::Instr::Call(
                Call::Execl
                    | Call::Execlp
                    | Call::Execle
                    | Call::Execv
                    | Call::Execvp
                    | Call::Execve,
                _
            )
        )
    })
}

/// The built-in programs by path (`/bin/ls`, …).
fn builtin_images() -> Vec<(String, Rc<ir::Image>)> {
    BUILTINS.with(Clone::clone)
}

/// Compiles one of the built-in programs; they are part of this crate, so an error in one
/// is a bug here, not in the scenario.
fn builtin_image(path: &str, source: &str) -> ir::Image {
    let ast = syntax::parse(source)
        .unwrap_or_else(|e| panic!("built-in program {path} does not parse: {e:?}"));
    let file = path.rsplit('/').next().unwrap_or(path);
    ir::lower(&ast.items, path, file, Span::new(0, 0), source.len(), &[])
        .unwrap_or_else(|e| panic!("built-in program {path} does not check: {e:?}"))
}

/// Names given by `spawn name { }` anywhere in the program.
fn spawn_names(ast: &ast::Scenario) -> Vec<String> {
    fn visit(stmt: &ast::Stmt, out: &mut Vec<String>) {
        use ast::Stmt;
        match stmt {
            Stmt::Spawn { name, body, .. } => {
                out.push(name.name.clone());
                body.stmts.iter().for_each(|s| visit(s, out));
            }
            Stmt::Block(b) => b.stmts.iter().for_each(|s| visit(s, out)),
            Stmt::If {
                then, otherwise, ..
            } => {
                visit(then, out);
                if let Some(o) = otherwise {
                    visit(o, out);
                }
            }
            Stmt::While { body, .. }
            | Stmt::DoWhile { body, .. }
            | Stmt::For { body, .. }
            | Stmt::Switch { body, .. }
            | Stmt::Case { body, .. }
            | Stmt::Default { body, .. } => visit(body, out),
            _ => {}
        }
    }
    let mut out = Vec::new();
    for item in &ast.items {
        if let ast::Item::Function(f) = item {
            f.body.stmts.iter().for_each(|s| visit(s, &mut out));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::compile;

    #[test]
    fn argv0_is_the_file_stem_then_the_arguments_or_the_configured_ones() {
        let scenario = compile(
            "scenarios/three_forks.scn",
            "int main() { return 0; }".into(),
            &[],
        )
        .unwrap();
        assert_eq!(scenario.argv(&[]), vec![b"./three_forks".to_vec()]);
        let args = vec!["a".to_string()];
        assert_eq!(
            scenario.argv(&args),
            vec![b"./three_forks".to_vec(), b"a".to_vec()]
        );
        let with_config = compile(
            "race.c",
            "int main() { return 0; }\nconfig { args = \"x y\"; }".into(),
            &[],
        )
        .unwrap();
        assert_eq!(
            with_config.argv(&[]),
            vec![b"./race".to_vec(), b"x".to_vec(), b"y".to_vec()]
        );
    }
}
