//! Exit codes: the one mapping, and `scn` run in-process.

use proscenium::cli::{exit_code, run_cli, Conclusion};

fn scn(args: &[&str]) -> (i32, String, String) {
    let args: Vec<String> = std::iter::once("scn")
        .chain(args.iter().copied())
        .map(str::to_string)
        .collect();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = run_cli(&args, &mut out, &mut err);
    (
        code,
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap(),
    )
}

#[test]
fn each_conclusion_has_its_code() {
    let ran = |limit_hit, failed| Conclusion::Ran { limit_hit, failed };
    assert_eq!(exit_code(ran(false, 0)), 0);
    assert_eq!(exit_code(ran(false, 2)), 1);
    assert_eq!(exit_code(ran(true, 0)), 3);
    assert_eq!(exit_code(ran(true, 1)), 3);
    assert_eq!(exit_code(Conclusion::BadInput), 2);
    assert_eq!(exit_code(Conclusion::Internal), 4);
}

#[test]
fn help_lists_the_exit_codes_and_succeeds() {
    let (code, out, _) = scn(&["--help"]);
    assert_eq!(code, 0);
    assert!(out.contains("Exit codes:"), "{out}");
    assert!(out.contains("3  a limit was hit"), "{out}");
}

#[test]
fn bad_arguments_are_bad_input() {
    let (code, _, err) = scn(&["run", "x.scn", "--backend", "vax"]);
    assert_eq!(code, 2);
    assert!(err.contains("possible values: sim, os"), "{err}");
    let (code, _, err) = scn(&["run", "x.scn", "--config", "stdout=sometimes"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("`stdout` takes line | full | unbuffered"),
        "{err}"
    );
    let (code, _, err) = scn(&["run", "x.scn", "--config", "colour=on"]);
    assert_eq!(code, 2);
    assert!(err.contains("unknown config key `colour`"), "{err}");
    let (code, _, _) = scn(&["explore", "x.scn"]);
    assert_eq!(code, 2);
}

#[test]
fn a_scenario_that_cannot_be_loaded_is_bad_input() {
    let (code, out, err) = scn(&["run", "tests/no-such-file.scn"]);
    assert_eq!(code, 2);
    assert_eq!(out, "");
    assert!(err.contains("tests/no-such-file.scn: 1 error"), "{err}");
}

#[test]
fn flags_become_config_overrides_after_config() {
    use clap::Parser;
    use proscenium::cli::{Cli, Command};
    let cli = Cli::try_parse_from([
        "scn",
        "run",
        "f.scn",
        "--config",
        "policy=random",
        "--policy",
        "round-robin",
        "--quantum",
        "3",
        "--max-processes",
        "64",
        "a",
        "-n",
    ])
    .unwrap();
    let Command::Run(run) = cli.command else {
        panic!("`scn run` parses as the run command");
    };
    assert_eq!(run.args, ["a", "-n"]);
    let overrides = run.overrides();
    let pairs: Vec<(&str, &str)> = overrides
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        pairs,
        [
            ("policy", "random"),
            ("policy", "round-robin"),
            ("quantum", "3"),
            ("max_processes", "64")
        ]
    );
}

#[test]
fn diagnostics_render_every_error_against_the_source_then_a_count() {
    use miette::{LabeledSpan, NamedSource};
    use proscenium::cli::{render_diagnostics, Colour};
    use proscenium::scenario::Diagnostics;
    let source = "int main() {\n    fork(;\n    retrun 0;\n}\n";
    let error = |at: &str, message: &str| {
        let start = source.find(at).unwrap();
        miette::miette!(
            labels = vec![LabeledSpan::at(start..start + at.len(), "here")],
            "{message}"
        )
        .with_source_code(NamedSource::new("bad.scn", source.to_string()))
    };
    let diagnostics = Diagnostics {
        path: "bad.scn".to_string(),
        count: 2,
        errors: vec![
            error("(;", "expected an argument or `)`"),
            error("retrun", "unknown name `retrun`"),
        ],
    };
    let text = render_diagnostics(&diagnostics, Colour::Off);
    assert!(!text.contains('\u{1b}'), "no colour codes");
    insta::with_settings!({ snapshot_path => "../../../snapshots/report", prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!("diagnostics.txt", text);
    });
}

#[test]
fn an_option_among_the_programs_arguments_gets_a_note() {
    let dir = std::env::temp_dir().join(format!("scn-note-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("argc.c");
    std::fs::write(&file, "#include <stdio.h>\nint main(int argc, char **argv) { printf(\"%d\\n\", argc); return 0; }\n").unwrap();
    let path = file.to_str().unwrap();
    let (code, out, err) = scn(&["run", path, "7", "--policy", "random"]);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(code, 0);
    assert!(out.contains("│ 4"), "the program got every argument: {out}");
    assert!(
        err.contains("note: `--policy` comes after the scenario file"),
        "{err}"
    );
    assert!(err.contains("argv[2]"), "{err}");
    assert!(
        !err.contains("`random`"),
        "only option names get a note: {err}"
    );
}
