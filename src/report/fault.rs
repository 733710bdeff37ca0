//! A runtime fault quoted against the source line that caused it, via miette.

use crate::vm::RuntimeFault;
use miette::{GraphicalReportHandler, GraphicalTheme, NamedSource, SourceSpan};

/// A fault with the scenario source attached, so miette can show the line.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[diagnostic()]
#[error("{message}")]
struct Located {
    message: String,
    #[source_code]
    code: NamedSource<String>,
    #[label("here")]
    span: SourceSpan,
}

/// `fault` rendered with the source line it points to: plain text (no colour), 80 columns,
/// so reports stay byte-identical across terminals.
pub fn render(fault: &RuntimeFault, path: &str, source: &str) -> String {
    let located = Located {
        message: fault.message.clone(),
        code: NamedSource::new(path, source.to_string()),
        span: fault.span.to_miette(source.len()),
    };
    let handler =
        GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor()).with_width(80);
    let mut out = String::new();
    if handler.render_report(&mut out, &located).is_err() {
        return fault.message.clone();
    }
    out
}
