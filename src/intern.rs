//! Shared copies of the texts that thousands of cases repeat (clauses, reasons, quotes).
//!
//! A long run holds a check result per check per step of every case; each cites a clause that
//! a few dozen texts cover. Interned, such a text is one allocation for the run, and a check
//! holds a pointer to it, so what a case keeps in memory does not grow with the words of the
//! clauses it cites.

use std::collections::HashSet;
use std::sync::{Arc, Mutex, OnceLock};

/// The shared copy of `text`.
pub fn intern(text: &str) -> Arc<str> {
    static TEXTS: OnceLock<Mutex<HashSet<Arc<str>>>> = OnceLock::new();
    let mut texts = TEXTS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    if let Some(t) = texts.get(text) {
        return t.clone();
    }
    let t: Arc<str> = Arc::from(text);
    texts.insert(t.clone());
    t
}

/// Reads a text as its shared copy: for `#[serde(deserialize_with = "crate::intern::read")]` on
/// fields whose values repeat from case to case (a contract's name, an endpoint, a clause), so a
/// report read back shares them as the run that wrote it did.
pub fn read<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Arc<str>, D::Error> {
    let text = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
    Ok(intern(&text))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_same_text_is_one_allocation() {
        let a = super::intern("tss.md > Update profile");
        let b = super::intern(&String::from("tss.md > Update profile"));
        assert!(std::sync::Arc::ptr_eq(&a, &b));
        assert_eq!(&*a, "tss.md > Update profile");
    }
}
