//! Snapshots of the rendered diagnostics for every file in `tests/bad/check/`: files that
//! parse but are wrong (unknown names and types, wrong argument counts, misplaced
//! statements, bad `config` and `expect` names).

use miette::{GraphicalReportHandler, GraphicalTheme};
use proscenium::scenario::compile;

/// The diagnostics of `text` as the terminal shows them, without colours or Unicode.
fn render(name: &str, text: &str) -> String {
    let diagnostics = match compile(name, text.to_string(), &[]) {
        Ok(_) => return "compiled without errors\n".to_string(),
        Err(d) => d,
    };
    let handler = GraphicalReportHandler::new_themed(GraphicalTheme::none()).with_width(100);
    let mut out = String::new();
    for report in &diagnostics.errors {
        handler
            .render_report(&mut out, report.as_ref())
            .expect("rendering into a String");
    }
    out
}

#[test]
fn bad_programs_get_diagnostics() {
    insta::with_settings!({ snapshot_path => "../../snapshots/check", prepend_module_to_snapshot => false }, {
        insta::glob!("../bad/check", "*.scn", |path| {
            let text = std::fs::read_to_string(path).expect("readable");
            let name = path.file_name().unwrap().to_string_lossy();
            let rendered = render(&name, &text);
            assert_ne!(rendered, "compiled without errors\n", "{name} should not compile");
            insta::assert_snapshot!(rendered);
        });
    });
}

#[test]
fn several_errors_are_reported_together() {
    let text = std::fs::read_to_string("tests/bad/check/several-errors.scn").expect("readable");
    let diagnostics = compile("several-errors.scn", text, &[]).expect_err("has errors");
    assert!(
        diagnostics.count >= 4,
        "got only {} errors",
        diagnostics.count
    );
}
