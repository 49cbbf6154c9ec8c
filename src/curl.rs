//! A curl command line that reproduces a request, with secrets as `$ENV` references.

use crate::http::Outgoing;
use crate::redact::ScopedRedactor;

/// `curl ...` for `out`, a request of `redactor`'s contract; each secret becomes `"$NAME"` so
/// the line runs after `export NAME=...`.
pub fn command(out: &Outgoing, redactor: &ScopedRedactor) -> String {
    let mut parts = vec![
        "curl".to_string(),
        "-sS".to_string(),
        "-i".to_string(),
        "-X".to_string(),
        out.method.clone(),
        quote(&out.url),
    ];
    for (k, v) in &out.headers {
        parts.push("-H".to_string());
        parts.push(quote(&format!("{k}: {v}")));
    }
    if let Some(body) = &out.body {
        parts.push("--data-raw".to_string());
        parts.push(quote(&String::from_utf8_lossy(body)));
    }
    let line = parts.join(" ");
    // Inside single quotes a secret is swapped for: close quote, "$NAME", reopen quote.
    redactor.apply_with(&line, |name| format!("'\"${name}\"'"))
}

/// Single-quotes for a POSIX shell.
fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::redact::Redactor;

    #[test]
    fn secrets_become_env_references() {
        let r = Redactor::new().scoped("tss");
        r.add("sekrit-token", "TSS_TOKEN");
        let out = Outgoing {
            method: "POST".into(),
            url: "http://h/x".into(),
            headers: vec![("Authorization".into(), "Bearer sekrit-token".into())],
            body: Some(br#"{"a":"it's"}"#.to_vec()),
        };
        assert_eq!(
            command(&out, &r),
            r#"curl -sS -i -X POST 'http://h/x' -H 'Authorization: Bearer '"$TSS_TOKEN"'' --data-raw '{"a":"it'\''s"}'"#
        );
    }
}
