//! Reader for plain-text forms (`Label: ____` blanks, `[ ] a  [ ] b` choices). Not built yet: issue 13.

use super::{ImportError, Imported};

/// Reads plain text into a template.
pub fn import(_input: &str) -> Result<Imported, ImportError> {
    Err(ImportError {
        line: 1,
        column: 1,
        message: "importing from plain is not built yet".to_string(),
    })
}
