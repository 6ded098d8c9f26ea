//! Reader (and, where the format has one, writer) for fhir. Not built yet: issue 13.

use super::{ExportError, ImportError, Imported, model::Template};

/// Reads fhir text into a template.
pub fn import(_input: &str) -> Result<Imported, ImportError> {
    Err(ImportError {
        line: 1,
        column: 1,
        message: "importing from fhir is not built yet".to_string(),
    })
}

/// Writes a template as fhir.
pub fn export(_template: &Template) -> Result<String, ExportError> {
    Err(ExportError {
        message: "exporting to fhir is not built yet".to_string(),
    })
}
