//! Every ```c example in `docs/` is a complete scenario: `scn run` on it exits 0.

use crate::test::Test;
use std::path::{Path, PathBuf};

/// One fenced ```c block and the heading it sits under.
struct Example {
    heading: String,
    line: usize,
    code: String,
}

/// The ```c blocks of a markdown text, each with the nearest heading above it. Other fenced
/// blocks are skipped whole, so a `#include` inside them is not taken for a heading.
fn examples(markdown: &str) -> Vec<Example> {
    let mut found = Vec::new();
    let mut heading = String::from("(top)");
    let mut open: Option<Example> = None;
    let mut in_other_fence = false;
    for (index, line) in markdown.lines().enumerate() {
        let fence = line.trim_start().starts_with("```");
        if let Some(example) = open.as_mut() {
            if fence {
                found.extend(open.take());
            } else {
                example.code.push_str(line);
                example.code.push('\n');
            }
        } else if in_other_fence {
            in_other_fence = !fence;
        } else if line.trim() == "```c" {
            open = Some(Example {
                heading: heading.clone(),
                line: index + 1,
                code: String::new(),
            });
        } else if fence {
            in_other_fence = true;
        } else if line.starts_with('#') {
            heading = line.trim_start_matches('#').trim().to_string();
        }
    }
    found
}

fn check_examples(doc: &str) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let markdown = std::fs::read_to_string(root.join(doc)).expect("doc is readable");
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(doc.replace(['/', '.'], "-"));
    std::fs::create_dir_all(&dir).expect("example directory");
    let examples = examples(&markdown);
    assert!(!examples.is_empty(), "{doc} has no ```c examples");
    let mut failed = Vec::new();
    for (index, example) in examples.iter().enumerate() {
        let file = dir.join(format!("example-{index:03}.scn"));
        std::fs::write(&file, &example.code).expect("write example");
        let output = Test::new().arg("run").arg(&file).run();
        if output.code != 0 {
            failed.push(format!(
                "{doc}:{} (under \"{}\"):\n{}",
                example.line,
                example.heading,
                output.report()
            ));
        }
    }
    assert!(
        failed.is_empty(),
        "examples that fail:\n\n{}",
        failed.join("\n\n")
    );
}

#[test]
fn language_examples_run() {
    check_examples("docs/language.md");
}

#[test]
fn semantics_examples_run() {
    check_examples("docs/semantics.md");
}

#[test]
fn examples_are_found_with_their_headings() {
    let markdown = "# A\ntext\n```c\nint main() { return 0; }\n```\n## B\n```text\n# no\n```\n```c\nx\ny\n```\n";
    let found = examples(markdown);
    let shape: Vec<_> = found
        .iter()
        .map(|e| (e.heading.as_str(), e.line, e.code.as_str()))
        .collect();
    assert_eq!(
        shape,
        [("A", 3, "int main() { return 0; }\n"), ("B", 10, "x\ny\n")]
    );
}
