//! The syntax stage: seeds parse, the parser never panics, print → parse round-trips,
//! precedence, and diagnostics for bad input.

use proscenium::syntax::{parse, print};

#[test]
#[ignore = "manual: SCN_FILE=path cargo test -- --ignored show"]
fn show() {
    let path = std::env::var("SCN_FILE").expect("SCN_FILE");
    let text = std::fs::read_to_string(path).expect("readable");
    match parse(&text) {
        Ok(s) => println!("{}", print(&s)),
        Err(errors) => {
            for e in errors {
                println!(
                    "{:?}",
                    miette::Report::new(e).with_source_code(text.clone())
                );
            }
        }
    }
}

#[test]
#[ignore = "manual: lists which seed fixtures fail"]
fn seeds_report() {
    let mut paths: Vec<_> = std::fs::read_dir("tests/fixtures/seeds").unwrap().map(|e| e.unwrap().path()).collect();
    paths.sort();
    for path in paths {
        let text = std::fs::read_to_string(&path).unwrap();
        if let Err(errors) = parse(&text) {
            println!("##### {}", path.display());
            for e in errors {
                println!("{:?}", miette::Report::new(e).with_source_code(text.clone()));
            }
        }
    }
}
