//! Every JSON example of the documents (cleaned of placeholders) validates against its schema:
//! one trial per file under tests/examples/<contract>/.

use std::path::Path;

use conform::contract::SchemaSet;
use libtest_mimic::{Arguments, Failed, Trial};
use serde_json::Value;

fn main() {
    let args = Arguments::from_args();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut trials = Vec::new();
    let mut contracts: Vec<_> = std::fs::read_dir(root.join("tests/examples"))
        .expect("tests/examples")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    contracts.sort();
    for dir in contracts {
        let contract = dir.file_name().unwrap().to_string_lossy().into_owned();
        let files = read_schemas(&root.join("schemas").join(&contract));
        let schemas =
            std::sync::Arc::new(SchemaSet::compile(&contract, &files).expect("schemas compile"));
        let mut examples: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        examples.sort();
        assert!(!examples.is_empty(), "no examples for {contract}");
        for path in examples {
            let schemas = schemas.clone();
            let name = format!(
                "{contract}::{}",
                path.file_stem().unwrap().to_string_lossy()
            );
            trials.push(Trial::test(name, move || check(&schemas, &path)));
        }
    }
    // 24 examples: every JSON example and curl body of the four documents (see each file's "doc").
    assert!(
        trials.len() >= 24,
        "expected every document example, found {}",
        trials.len()
    );
    libtest_mimic::run(&args, trials).exit();
}

fn read_schemas(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

fn check(schemas: &SchemaSet, path: &Path) -> Result<(), Failed> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let example: Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    let schema = example["schema"]
        .as_str()
        .ok_or("example has no \"schema\"")?;
    if example["doc"].as_str().is_none_or(|d| d.is_empty()) {
        return Err("example has no \"doc\" clause".into());
    }
    schemas
        .validate(schema, &example["instance"])
        .map_err(|violations| {
            let lines: Vec<String> = violations.iter().map(|v| v.to_string()).collect();
            Failed::from(format!("{schema}:\n{}", lines.join("\n")))
        })
}
