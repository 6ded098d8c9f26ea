//! `noteplate/render`: the open document as the HTML page `noteplate export --to html` writes
//! (`interop::html`), for the editors' previews, with its findings listed at the top. Made from
//! the same analysis the diagnostics come from, of the document's current text (saved or not).
//!
//! `@include` lines are shown as notes naming the fragment rather than inlined: the CLI inlines
//! fragments from disk before exporting; the preview shows the document being edited.

use serde::Serialize;

use super::documents::Snapshot;
use crate::interop::{self, html, model::Template};

#[derive(Debug, Serialize)]
pub struct Rendered {
    /// The whole page, self-contained (inline styles, no scripts, no external resources).
    pub html: String,
    /// The document version the page shows.
    pub version: i32,
}

pub fn render(snapshot: &Snapshot) -> Rendered {
    let text = &snapshot.text;
    let template = Template::from_parts(
        text,
        &snapshot.parse,
        &snapshot.semantics,
        &snapshot.config.pack,
    );
    let findings: Vec<String> = snapshot
        .diagnostics
        .iter()
        .map(|diagnostic| {
            let (line, _) = interop::position(text, diagnostic.span.start);
            html::finding(line, diagnostic.severity.as_str(), &diagnostic.message)
        })
        .collect();
    let html = match html::export(&template, &findings) {
        Ok(html) => html,
        // The HTML writer refuses nothing today; should it, the page says why.
        Err(error) => format!(
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Preview</title></head><body><main><p>{}</p></main></body></html>\n",
            html::escape(&error.message)
        ),
    };
    Rendered {
        html,
        version: snapshot.revision.version,
    }
}
