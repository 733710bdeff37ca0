//! Checks of the declarative parts: `config { }` entries, `file` declarations and the names
//! `expect` statements use (processes and variables).

use super::{did_you_mean, CheckError};
use crate::config::{Config, ConfigError, KEYS};
use crate::ir::{Image, Scalar};
use crate::syntax::ast::{ConfigEntry, ConfigValue, Expect, FileDecl, Property};

/// Applies `entries` to `config`, reporting unknown keys (with a suggestion) and bad values
/// (with the accepted ones).
pub fn check_config(
    entries: &[ConfigEntry],
    config: &mut Config,
    source_len: usize,
) -> Vec<CheckError> {
    let mut errors = Vec::new();
    for entry in entries {
        let value = match &entry.value {
            ConfigValue::Word(w) | ConfigValue::Str(w) => w.clone(),
            ConfigValue::Int(n) => n.to_string(),
        };
        if let Err(err) = config.set(&entry.key.name, &value) {
            let span = entry.span.to_miette(source_len);
            errors.push(match err {
                ConfigError::UnknownKey(key) => CheckError::Config {
                    message: format!("unknown config key `{key}`"),
                    span,
                    help: did_you_mean(&key, KEYS.iter().map(|(k, _)| *k))
                        .or_else(|| Some(format!("known keys: {}", key_list()))),
                },
                ConfigError::BadValue {
                    key,
                    expected,
                    value,
                } => CheckError::Config {
                    message: format!("`{key}` cannot be `{value}`"),
                    span,
                    help: Some(format!("`{key}` takes {expected}")),
                },
            });
        }
    }
    errors
}

/// Checks `file` declarations: a path must name a file (not be empty or end in `/`) and
/// stay where the scenario runs (relative, no `..` component: on the real backend the file
/// is written into the run's directory, the processes' working directory). A second declaration of a path replaces the first.
pub fn check_files(files: &[FileDecl], source_len: usize) -> Vec<CheckError> {
    (files.iter())
        .filter_map(|file| {
            let path = &file.path;
            let message = if path.is_empty() {
                "an empty path does not name a file".to_string()
            } else if path.ends_with('/') {
                format!("`{path}` does not name a file")
            } else if path.starts_with('/') {
                format!("`{path}` is absolute: a declared file lives in the directory the scenario runs in")
            } else if path.split('/').any(|part| part == "..") {
                format!("`{path}` leaves the directory the scenario runs in")
            } else if path.contains('\0') {
                format!("`{path}` contains a NUL byte")
            } else {
                return None;
            };
            Some(CheckError::File {
                message,
                span: file.span.to_miette(source_len),
                help: Some("a file path is a name such as `foobar.txt` or `data/in.txt`".into()),
            })
        })
        .collect()
}

fn key_list() -> String {
    KEYS.iter().map(|(k, _)| *k).collect::<Vec<_>>().join(", ")
}

/// Checks the names in `expects`: process references must be `main`, a tree path under it
/// (`main.1.2`) or a `spawn` name of the program; variables must exist in the image.
/// Returns the errors and the variable names to watch at exit.
pub fn check_expects(
    expects: &[Expect],
    image: &Image,
    spawn_names: &[String],
    source_len: usize,
) -> (Vec<CheckError>, Vec<String>) {
    let mut errors = Vec::new();
    let mut watched = Vec::new();
    for expect in expects {
        let procs = match &expect.prop {
            Property::Exit(Some(p), ..)
            | Property::Signaled(Some(p), ..)
            | Property::Children(p, ..) => vec![p],
            Property::Var(p, var, ..) => {
                let variables: Vec<(&str, Option<Scalar>)> = image
                    .globals
                    .iter()
                    .map(|g| (g.name.as_str(), g.scalar))
                    .chain(
                        image
                            .functions
                            .iter()
                            .flat_map(|f| f.locals.iter().map(|l| (l.0.as_str(), l.2))),
                    )
                    .collect();
                let known: Vec<&str> = variables.iter().map(|v| v.0).collect();
                let integer = variables
                    .iter()
                    .any(|(n, s)| *n == var.name && s.is_some_and(|s| s != Scalar::Ptr));
                if integer {
                    if !watched.contains(&var.name) {
                        watched.push(var.name.clone());
                    }
                } else if known.contains(&var.name.as_str()) {
                    errors.push(CheckError::Expect {
                        message: format!("`{}` is not an integer variable", var.name),
                        span: var.span.to_miette(source_len),
                        help: Some(
                            "an expectation compares integers; for an array element, copy it into an integer variable".into(),
                        ),
                    });
                } else {
                    errors.push(CheckError::Expect {
                        message: format!("no variable `{}` in the program", var.name),
                        span: var.span.to_miette(source_len),
                        help: did_you_mean(&var.name, known),
                    });
                }
                vec![p]
            }
            _ => vec![],
        };
        for p in procs {
            let root = p.path.first().map(String::as_str).unwrap_or("");
            let tail_ok = p.path[1..]
                .iter()
                .all(|c| c.parse::<u32>().is_ok_and(|n| n >= 1));
            let root_ok = root == "main" || spawn_names.iter().any(|s| s == root);
            if !root_ok || !tail_ok {
                let mut names: Vec<&str> = vec!["main"];
                names.extend(spawn_names.iter().map(String::as_str));
                errors.push(CheckError::Expect {
                    message: format!("no process can be named `{}`", p.path.join(".")),
                    span: p.span.to_miette(source_len),
                    help: did_you_mean(root, names).or_else(|| {
                        Some("name processes `main`, `main.1` (its first child), `main.1.2`, … or by a `spawn` name".into())
                    }),
                });
            }
        }
    }
    (errors, watched)
}
