//! A memo of inline parses by their text, for parsing many documents that share lines (a
//! template library repeats its rows, labels and fields from template to template).
//!
//! A value owned by whoever parses (`check` keeps one per worker); [`crate::parse_with_memo`]
//! gives exactly what [`crate::parse`] gives, tree and errors, only with less work for a line
//! read before. What an inline piece parses to does not depend on where it stands: its items and
//! errors are remembered with spans relative to the piece's start and moved to where it stands
//! now on every use.

use rustc_hash::FxHashMap;

use super::grammar::{parse_inline, push_text};
use super::tree::{Choice, Field, Inline, Span, SyntaxError};

/// Pieces remembered before the memo starts over (about 100 bytes each, so a few MB).
const DEFAULT_LIMIT: usize = 32_768;

/// The inline parses of the pieces of lines read before. See the module documentation.
#[derive(Debug)]
pub struct LineMemo {
    pieces: FxHashMap<Box<str>, Remembered>,
    limit: usize,
    /// Reused for each piece not seen before.
    items: Vec<Inline>,
    errors: Vec<SyntaxError>,
}

/// One piece's parse, spans relative to its start.
#[derive(Debug)]
struct Remembered {
    items: Box<[Inline]>,
    errors: Box<[SyntaxError]>,
}

impl Default for LineMemo {
    fn default() -> LineMemo {
        LineMemo::with_limit(DEFAULT_LIMIT)
    }
}

impl LineMemo {
    /// A memo that forgets everything once it holds `limit` pieces (at least one).
    pub fn with_limit(limit: usize) -> LineMemo {
        LineMemo {
            pieces: FxHashMap::default(),
            limit: limit.max(1),
            items: Vec::new(),
            errors: Vec::new(),
        }
    }

    /// Pieces remembered now.
    pub fn len(&self) -> usize {
        self.pieces.len()
    }

    pub fn is_empty(&self) -> bool {
        self.pieces.is_empty()
    }

    /// [`parse_inline`] with the fast path, through the memo: appends `text`'s items and errors
    /// at `base`, exactly as parsing it there would.
    pub(super) fn inline(
        &mut self,
        text: &str,
        base: usize,
        items: &mut Vec<Inline>,
        errors: &mut Vec<SyntaxError>,
    ) {
        if let Some(remembered) = self.pieces.get(text) {
            replay(remembered, base, items, errors);
            return;
        }
        self.items.clear();
        self.errors.clear();
        parse_inline(text, 0, &mut self.items, &mut self.errors, true);
        let remembered = Remembered {
            items: self.items.as_slice().into(),
            errors: self.errors.as_slice().into(),
        };
        replay(&remembered, base, items, errors);
        if self.pieces.len() >= self.limit {
            self.pieces.clear();
        }
        self.pieces.insert(text.into(), remembered);
    }
}

impl LineMemo {
    /// [`LineMemo::inline`] for a piece that is all of a line's content (no comment in the line,
    /// the usual case): its items in a vector of their own, sized exactly for a piece read
    /// before, as `inline` would append them to an empty vector. The parse moves them into the
    /// line as they are, instead of through a reused buffer and a copy per line.
    pub(super) fn inline_alone(
        &mut self,
        text: &str,
        base: usize,
        errors: &mut Vec<SyntaxError>,
    ) -> Vec<Inline> {
        if let Some(remembered) = self.pieces.get(text) {
            // Allocated at its size at once (`reserve_exact` on an empty vector went through the
            // general growth path: about 100 instructions per line occurrence).
            let mut items = Vec::with_capacity(remembered.items.len());
            replay(remembered, base, &mut items, errors);
            items
        } else {
            let mut items = Vec::new();
            self.inline(text, base, &mut items, errors);
            items
        }
    }
}

/// Appends a remembered parse moved to `base`. The first item is appended as the parser appends
/// text (merged into text ending where it starts), the rest as they are.
fn replay(
    remembered: &Remembered,
    base: usize,
    items: &mut Vec<Inline>,
    errors: &mut Vec<SyntaxError>,
) {
    let shift = |span: Span| span.shifted(base);
    items.reserve(remembered.items.len());
    for (n, item) in remembered.items.iter().enumerate() {
        let moved = match item {
            Inline::Text(span) if n == 0 => {
                push_text(items, shift(*span));
                continue;
            }
            Inline::Text(span) => Inline::Text(shift(*span)),
            Inline::Escape(span) => Inline::Escape(shift(*span)),
            Inline::Wildcard(span) => Inline::Wildcard(shift(*span)),
            Inline::Field(field) => Inline::Field(Field {
                span: shift(field.span),
                name: shift(field.name),
                ty: field.ty.map(shift),
            }),
            Inline::Choice(choice) => Inline::Choice(Choice {
                span: shift(choice.span),
                options: choice.options.iter().copied().map(shift).collect(),
            }),
        };
        items.push(moved);
    }
    errors.extend(remembered.errors.iter().map(|error| SyntaxError {
        span: shift(error.span),
        message: error.message.clone(),
    }));
}
