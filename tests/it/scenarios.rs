//! Every scenario under `scenarios/` runs green (`scn run` exits 0) and its report is
//! snapshotted into `snapshots/scenarios/`.

use crate::test::Test;
use std::path::Path;

/// A scenario may name the command-line arguments it needs on a line of its own:
/// `// args: one two`.
fn scenario_args(path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).expect("scenario is readable");
    text.lines()
        .find_map(|line| line.trim().strip_prefix("// args:"))
        .map(|args| args.split_whitespace().map(String::from).collect())
        .unwrap_or_default()
}

#[test]
fn scenarios() {
    // glob! hands out canonical paths; strip a canonical root so reports show `scenarios/…`.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .canonicalize()
        .expect("crate root exists");
    let mut failed = Vec::new();
    insta::with_settings!({
        snapshot_path => "../../snapshots/scenarios",
        prepend_module_to_snapshot => false,
    }, {
        insta::glob!("../../scenarios", "**/*.{scn,c}", |path| {
            let relative = path.strip_prefix(&root).expect("scenario inside the crate");
            let output = Test::new()
                .arg("run")
                .arg(relative)
                .args(scenario_args(path))
                .run();
            if output.code != 0 {
                eprintln!("{} is not green:\n{}", relative.display(), output.report());
                failed.push(relative.display().to_string());
            }
            insta::assert_snapshot!(output.report());
        });
    });
    assert!(failed.is_empty(), "scenarios not green: {failed:#?}");
}
