//! Semantic-token classification for clients without the TextMate grammar: headings (with their
//! kind as a modifier), fields, field types, choices, wildcards, comments, front-matter keys and
//! billing codes.

use crate::analysis::Semantics;
use crate::syntax::{Inline, Parse, Span};

/// Token types, in legend order.
pub const TOKEN_TYPES: &[&str] = &[
    "heading", "field", "type", "choice", "wildcard", "comment", "property", "number", "operator",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenType {
    Heading = 0,
    Field = 1,
    FieldType = 2,
    Choice = 3,
    Wildcard = 4,
    Comment = 5,
    Key = 6,
    Code = 7,
    Escape = 8,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub span: Span,
    pub ty: TokenType,
    /// For headings: the index of the section kind in the pack (the modifier bit), if any.
    pub kind_index: Option<usize>,
}

/// Tokens in document order, never overlapping.
pub fn tokens(parse: &Parse, semantics: &Semantics, kind_order: &[String]) -> Vec<Token> {
    let document = &parse.document;
    let mut out = Vec::new();
    let token = |span, ty| Token {
        span,
        ty,
        kind_index: None,
    };
    if let Some(front_matter) = &document.front_matter {
        for entry in &front_matter.entries {
            out.push(token(entry.key, TokenType::Key));
            for code in &entry.codes {
                out.push(token(code.span, TokenType::Code));
            }
        }
    }
    for (index, section) in document.sections.iter().enumerate() {
        let kind_index = semantics.sections[index]
            .kind
            .as_ref()
            .and_then(|kind| kind_order.iter().position(|known| known == kind));
        out.push(Token {
            span: section.heading.span,
            ty: TokenType::Heading,
            kind_index,
        });
    }
    for line in document.lines() {
        for item in &line.items {
            match item {
                Inline::Field(field) => match field.ty {
                    Some(ty) => {
                        out.push(token(
                            Span::new(field.span.start, ty.start),
                            TokenType::Field,
                        ));
                        out.push(token(ty, TokenType::FieldType));
                        out.push(token(Span::new(ty.end, field.span.end), TokenType::Field));
                    }
                    None => out.push(token(field.span, TokenType::Field)),
                },
                Inline::Choice(choice) => out.push(token(choice.span, TokenType::Choice)),
                Inline::Wildcard(span) => out.push(token(*span, TokenType::Wildcard)),
                Inline::Escape(span) => out.push(token(*span, TokenType::Escape)),
                Inline::Text(_) => {}
            }
        }
    }
    for comment in &document.comments {
        out.push(token(comment.span, TokenType::Comment));
    }
    out.sort_by_key(|token| token.span.start);
    out.dedup_by(|later, earlier| later.span.start < earlier.span.end);
    out
}
