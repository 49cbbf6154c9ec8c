//! Every document clause the contracts cite exists in the document: a reader who follows a
//! failure's clause finds it. The documents live in ../shared/seeds/.

mod common;

use std::path::PathBuf;

fn seeds() -> PathBuf {
    common::root().join("../shared/seeds")
}

/// A clause `file > Section > Sub (note)` holds when each section is in the document's text
/// (a trailing parenthetical note may be a paraphrase).
fn check_clause(doc_text: &str, clause: &str) -> Result<(), String> {
    for part in clause.split(" > ") {
        let part = part.trim();
        let bare = match part.rfind(" (") {
            Some(i) if part.ends_with(')') => &part[..i],
            _ => part,
        };
        if !doc_text.contains(part) && !doc_text.contains(bare) {
            return Err(format!("{clause:?}: {bare:?} is not in the document"));
        }
    }
    Ok(())
}

#[test]
fn every_cited_clause_is_in_its_document() {
    let mut problems = Vec::new();
    let mut checked = 0;
    for contract in common::contracts().iter() {
        let suite = &contract.suite;
        let text = std::fs::read_to_string(seeds().join(&suite.document))
            .unwrap_or_else(|e| panic!("{}: {e}", suite.document));
        let mut clauses = vec![suite.errors.doc.clone(), suite.auth.doc().to_string()];
        clauses.extend(suite.status_tables.iter().map(|t| t.doc.clone()));
        for e in &suite.endpoints {
            clauses.push(e.doc.clone());
            clauses.extend(e.responses.values().map(|r| r.doc.clone()));
            clauses.extend(
                e.params
                    .iter()
                    .map(|p| p.doc.clone())
                    .filter(|d| !d.is_empty()),
            );
        }
        clauses.extend(suite.cases.iter().map(|c| c.doc.clone()));
        clauses.extend(
            suite
                .cases
                .iter()
                .flat_map(|c| c.steps.iter())
                .flat_map(|s| s.asserts.iter())
                .map(|a| a.doc.clone()),
        );
        for clause in clauses {
            checked += 1;
            if let Err(e) = check_clause(&text, &clause) {
                problems.push(format!("{}: {e}", suite.name));
            }
        }
    }
    for entry in walk(&common::root().join("tests/examples")) {
        let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&entry).unwrap()).unwrap();
        let doc = v["doc"].as_str().unwrap_or_default();
        let (file, clause) = doc.split_once(" > ").unwrap_or((doc, ""));
        let text = std::fs::read_to_string(seeds().join(file)).unwrap_or_default();
        checked += 1;
        if text.is_empty() {
            problems.push(format!("{}: unknown document {file:?}", entry.display()));
        } else if let Err(e) = check_clause(&text, clause) {
            problems.push(format!("{}: {e}", entry.display()));
        }
    }
    assert!(checked > 50, "{checked}");
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn the_clause_check_can_fail() {
    assert!(check_clause(
        "Change Password\nParameters",
        "Change Password > Parameters"
    )
    .is_ok());
    assert!(check_clause("Change Password", "Change Password > Nonexistent").is_err());
}

fn walk(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out.sort();
    out
}
