//! Snapshots of the rendered diagnostics for every file in `tests/bad/syntax/`.

use miette::{GraphicalReportHandler, GraphicalTheme, NamedSource, Report};
use proscenium::syntax::parse;

/// The diagnostics of `text` as the terminal shows them, without colours or Unicode.
fn render(name: &str, text: &str) -> String {
    let errors = match parse(text) {
        Ok(_) => return "parsed without errors\n".to_string(),
        Err(errors) => errors,
    };
    let handler = GraphicalReportHandler::new_themed(GraphicalTheme::none()).with_width(100);
    let mut out = String::new();
    for error in errors {
        let report = Report::new(error).with_source_code(NamedSource::new(name, text.to_string()));
        handler
            .render_report(&mut out, report.as_ref())
            .expect("rendering into a String");
    }
    out
}

#[test]
fn bad_syntax_diagnostics() {
    insta::with_settings!({ snapshot_path => "../../../snapshots/syntax", prepend_module_to_snapshot => false }, {
        insta::glob!("../../bad/syntax", "*.scn", |path| {
            let text = std::fs::read_to_string(path).expect("readable");
            let name = path.file_name().unwrap().to_string_lossy();
            let rendered = render(&name, &text);
            assert_ne!(rendered, "parsed without errors\n", "{name} should not parse");
            insta::assert_snapshot!(rendered);
        });
    });
}
