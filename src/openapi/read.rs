//! Reading an OpenAPI document as users have it: one entry point, [`read_document`], used by
//! `import openapi`, `run --openapi` and `list --openapi`, that gives the rest of conform a single
//! OpenAPI 3.x JSON value whatever the file was.

use std::path::Path;

use serde_json::Value;

use super::OpenApiError;

/// An OpenAPI 3.x document, read and brought to one JSON value.
#[derive(Debug, Clone)]
pub struct Document {
    /// The document as OpenAPI 3.0/3.1 JSON (a Swagger 2.0 document converted).
    pub value: Value,
    /// What the reading changed or left out, one line each (shown to the user).
    pub notes: Vec<String>,
    /// The file's name, as suites and reports cite the document.
    pub source: String,
}

/// Reads an OpenAPI document from a file.
pub fn read_document(path: &Path) -> Result<Document, OpenApiError> {
    let value = super::read_json(path)?;
    let source = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    let mut notes = Vec::new();
    let value = if value.get("swagger").is_some() {
        let (converted, more) =
            super::swagger2::to_openapi3(&value).map_err(|message| OpenApiError::Invalid {
                origin: source.clone(),
                message,
            })?;
        notes.extend(more);
        converted
    } else {
        value
    };
    Ok(Document {
        value,
        notes,
        source,
    })
}
