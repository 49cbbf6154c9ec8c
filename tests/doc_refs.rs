//! Every document clause the contracts cite exists in the document, and every quote is the
//! document's own words: a reader who follows a failure's clause finds it, and a vendor can
//! check the quote it rests on. The documents ship inside the repository, in docs/seeds/.

mod common;

use std::path::PathBuf;

fn seeds() -> PathBuf {
    common::root().join("docs/seeds")
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

/// Whitespace runs as one space: the documents are flattened web pages, and a quote may join
/// their lines.
fn normalize(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Every quote of a suite, with where it sits.
fn suite_quotes(suite: &conform::contract::SuiteFile) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut push = |at: String, q: &Option<String>| {
        if let Some(q) = q {
            out.push((at, q.clone()));
        }
    };
    push("auth".into(), &suite.auth.quote().map(String::from));
    push("errors".into(), &suite.errors.quote);
    push("negative".into(), &suite.negative.quote);
    for t in &suite.status_tables {
        push(format!("status table {}", t.name), &t.quote);
    }
    for e in &suite.endpoints {
        push(format!("endpoint {}", e.id), &e.quote);
        for (code, r) in &e.responses {
            push(format!("endpoint {} response {code}", e.id), &r.quote);
        }
        for p in &e.params {
            push(format!("endpoint {} param {}", e.id, p.name), &p.quote);
        }
    }
    for c in &suite.cases {
        push(format!("case {}", c.name), &c.quote);
        for (i, st) in c.steps.iter().enumerate() {
            push(format!("case {} step {i}", c.name), &st.quote);
            for a in &st.asserts {
                push(format!("case {} assert {}", c.name, a.id), &a.quote);
            }
        }
    }
    out
}

fn schema_quotes(value: &serde_json::Value, at: String, out: &mut Vec<(String, String)>) {
    match value {
        serde_json::Value::Object(map) => {
            if let Some(q) = map.get(conform::contract::QUOTE_KEY) {
                out.push((
                    at.clone(),
                    q.as_str().unwrap_or("(not a string)").to_string(),
                ));
            }
            for (k, v) in map {
                schema_quotes(v, format!("{at}/{k}"), out);
            }
        }
        serde_json::Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                schema_quotes(v, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

/// The check behind "every failure quotes the document": each quote of the suites and the
/// schemas is in its document, word for word.
fn quote_problems(contract: &conform::contract::Contract, text: &str) -> (usize, Vec<String>) {
    let text = normalize(text);
    let mut quotes = suite_quotes(&contract.suite);
    for file in contract.schemas.files() {
        schema_quotes(
            contract.schemas.raw(file).unwrap(),
            format!("schema {file}#"),
            &mut quotes,
        );
    }
    let mut problems = Vec::new();
    for (at, quote) in &quotes {
        for part in quote.split(conform::generate::QUOTE_SEPARATOR) {
            if part.trim().is_empty() || !text.contains(&normalize(part)) {
                problems.push(format!(
                    "{}: {at}: {quote:?} is not in the document",
                    contract.name()
                ));
            }
        }
    }
    (quotes.len(), problems)
}

#[test]
fn every_quote_is_verbatim_in_its_document() {
    let mut checked = 0;
    let mut problems = Vec::new();
    for contract in common::contracts().iter() {
        let text = std::fs::read_to_string(seeds().join(&contract.suite.document)).unwrap();
        let (n, p) = quote_problems(contract, &text);
        checked += n;
        problems.extend(p);
    }
    assert!(checked > 150, "{checked} quotes");
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn the_quote_check_can_fail() {
    let contract = &common::contracts()[0];
    let (_, problems) = quote_problems(contract, "nothing of what the contract quotes");
    assert!(!problems.is_empty());
}

/// Every rule of the shipped suites says where it comes from: stated (a quote) or decided (a
/// reason). A rule with neither would fail a target on nobody's word.
#[test]
fn every_rule_of_the_shipped_suites_is_stated_or_decided() {
    let mut problems = Vec::new();
    for contract in common::contracts().iter() {
        let s = &contract.suite;
        let name = s.name.as_str();
        let mut need = |at: String, quote: bool, decided: bool| {
            if quote == decided {
                problems.push(format!(
                    "{name}: {at}: {}",
                    if quote {
                        "both quoted and decided"
                    } else {
                        "neither quoted nor decided"
                    }
                ));
            }
        };
        need("auth".into(), s.auth.quote().is_some(), false);
        need(
            "errors".into(),
            s.errors.quote.is_some() || s.errors.decided.is_some(),
            false,
        );
        for t in &s.status_tables {
            need(
                format!("table {}", t.name),
                t.quote.is_some(),
                t.decided.is_some(),
            );
        }
        if !s.negative.status.is_empty() {
            need(
                "negative".into(),
                s.negative.quote.is_some(),
                s.negative.decided.is_some(),
            );
        }
        for e in &s.endpoints {
            need(format!("endpoint {}", e.id), e.quote.is_some(), false);
            for (code, r) in &e.responses {
                need(
                    format!("endpoint {} response {code}", e.id),
                    r.quote.is_some(),
                    false,
                );
            }
        }
        for c in &s.cases {
            need(
                format!("case {}", c.name),
                c.quote.is_some(),
                c.decided.is_some(),
            );
            for a in c.steps.iter().flat_map(|st| st.asserts.iter()) {
                let decided = a.decided.is_some() || c.decided.is_some();
                need(
                    format!("case {} assert {}", c.name, a.id),
                    a.quote.is_some(),
                    decided,
                );
            }
        }
        for file in contract.schemas.files() {
            let root = contract.schemas.raw(file).unwrap();
            let annotated = root.get(conform::contract::QUOTE_KEY).is_some()
                || root
                    .get(conform::contract::DECIDED_KEY)
                    .is_some_and(|d| d.is_string());
            if !annotated && !file.starts_with("defs") {
                problems.push(format!("{name}: schema {file}: its root has no x-quote"));
            }
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}
