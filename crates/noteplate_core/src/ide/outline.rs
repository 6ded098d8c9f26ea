//! Outline and folding: sections as a tree of symbols; folding ranges for sections, the front
//! matter and comments.

use crate::syntax::{Parse, Span};

#[derive(Debug, Clone, PartialEq)]
pub struct Symbol {
    pub name: String,
    /// The section kind, shown as detail.
    pub detail: Option<String>,
    /// Heading to end of section.
    pub span: Span,
    /// The heading line.
    pub selection: Span,
    pub children: Vec<Symbol>,
}

pub fn symbols(text: &str, parse: &Parse, kinds: &[Option<String>]) -> Vec<Symbol> {
    let sections = &parse.document.sections;
    let mut is_child = vec![false; sections.len()];
    for section in sections {
        for &child in &section.children {
            if let Some(flag) = is_child.get_mut(child) {
                *flag = true;
            }
        }
    }
    fn build(index: usize, text: &str, parse: &Parse, kinds: &[Option<String>]) -> Symbol {
        let section = &parse.document.sections[index];
        let title = section.heading.title.text(text);
        Symbol {
            name: if title.is_empty() {
                "(untitled)".to_string()
            } else {
                title.to_string()
            },
            detail: kinds.get(index).cloned().flatten(),
            span: Span::new(
                section.heading.span.start,
                trim_trailing_breaks(text, section.end),
            ),
            selection: section.heading.span,
            children: section
                .children
                .iter()
                .map(|&child| build(child, text, parse, kinds))
                .collect(),
        }
    }
    (0..sections.len())
        .filter(|&index| !is_child[index])
        .map(|index| build(index, text, parse, kinds))
        .collect()
}

fn trim_trailing_breaks(text: &str, end: usize) -> usize {
    let end = end.min(text.len());
    let mut trimmed = end;
    while trimmed > 0 && matches!(text.as_bytes()[trimmed - 1], b'\n' | b'\r') {
        trimmed -= 1;
    }
    trimmed
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FoldKind {
    Section,
    FrontMatter,
    Comment,
}

/// Byte spans to fold; the server drops the ones that cover a single line.
pub fn folding(text: &str, parse: &Parse) -> Vec<(Span, FoldKind)> {
    let document = &parse.document;
    let mut folds = Vec::new();
    if let Some(front_matter) = &document.front_matter {
        folds.push((front_matter.span, FoldKind::FrontMatter));
    }
    for section in &document.sections {
        folds.push((
            Span::new(
                section.heading.span.start,
                trim_trailing_breaks(text, section.end),
            ),
            FoldKind::Section,
        ));
    }
    for comment in &document.comments {
        folds.push((comment.span, FoldKind::Comment));
    }
    folds.sort_by_key(|(span, _)| span.start);
    folds
}
