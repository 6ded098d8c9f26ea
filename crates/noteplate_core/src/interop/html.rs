//! Writer for a self-contained HTML page that looks like the form a clinician fills in. Not
//! built yet: issue 13.

use super::{ExportError, model::Template};

/// Writes a template as one HTML page; `findings` (already worded, in document order) are listed
/// at the top when given.
pub fn export(_template: &Template, _findings: &[String]) -> Result<String, ExportError> {
    Err(ExportError {
        message: "exporting to html is not built yet".to_string(),
    })
}
