//! Reader (and, where the format has one, writer) for markdown. Not built yet: issue 13.

use super::{ExportError, ImportError, Imported, model::Template};

/// Reads markdown text into a template.
pub fn import(_input: &str) -> Result<Imported, ImportError> {
    Err(ImportError {
        line: 1,
        column: 1,
        message: "importing from markdown is not built yet".to_string(),
    })
}

/// Writes a template as markdown.
pub fn export(_template: &Template) -> Result<String, ExportError> {
    Err(ExportError {
        message: "exporting to markdown is not built yet".to_string(),
    })
}
