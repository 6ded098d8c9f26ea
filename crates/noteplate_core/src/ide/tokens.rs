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

/// The tokens of [`tokens`] that overlap `range` (a token touching it at one end does not), for
/// `semanticTokens/range`.
pub fn tokens_in(
    parse: &Parse,
    semantics: &Semantics,
    kind_order: &[String],
    range: Span,
) -> Vec<Token> {
    let mut found = tokens(parse, semantics, kind_order);
    found.retain(|token| token.span.start < range.end && range.start < token.span.end);
    found
}

/// One edit turning a previous token list into the current one: replace `delete` items from
/// `start` with `current[insert]`. Both ends that did not change are kept, so a keystroke's
/// edit covers only the tokens between the first and the last that changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenDelta {
    pub start: usize,
    pub delete: usize,
    pub insert: std::ops::Range<usize>,
}

/// The edit from `previous` to `current` (items compared as wholes, e.g. encoded tokens);
/// `None` when they are equal.
pub fn delta<T: PartialEq>(previous: &[T], current: &[T]) -> Option<TokenDelta> {
    let prefix = previous
        .iter()
        .zip(current)
        .take_while(|(a, b)| a == b)
        .count();
    if prefix == previous.len() && prefix == current.len() {
        return None;
    }
    let longest_suffix = previous.len().min(current.len()) - prefix;
    let suffix = previous
        .iter()
        .rev()
        .zip(current.iter().rev())
        .take(longest_suffix)
        .take_while(|(a, b)| a == b)
        .count();
    Some(TokenDelta {
        start: prefix,
        delete: previous.len() - prefix - suffix,
        insert: prefix..current.len() - suffix,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn apply<T: Clone>(previous: &[T], current: &[T], edit: &TokenDelta) -> Vec<T> {
        let mut out = previous.to_vec();
        out.splice(
            edit.start..edit.start + edit.delete,
            current[edit.insert.clone()].iter().cloned(),
        );
        out
    }

    #[test]
    fn delta_covers_only_the_changed_middle() {
        assert_eq!(delta(&[1, 2, 3], &[1, 2, 3]), None);
        assert_eq!(
            delta(&[1, 2, 3, 4], &[1, 9, 4]),
            Some(TokenDelta {
                start: 1,
                delete: 2,
                insert: 1..2
            })
        );
        // A repeated item is not counted in both the prefix and the suffix.
        assert_eq!(
            delta(&[7, 7], &[7, 7, 7]),
            Some(TokenDelta {
                start: 2,
                delete: 0,
                insert: 2..3
            })
        );
        assert_eq!(
            delta::<u8>(&[], &[1]).map(|d| (d.start, d.delete)),
            Some((0, 0))
        );
    }

    proptest! {
        #[test]
        fn applying_the_delta_gives_the_current_list(
            previous in proptest::collection::vec(0u8..4, 0..40),
            current in proptest::collection::vec(0u8..4, 0..40),
        ) {
            match delta(&previous, &current) {
                None => prop_assert_eq!(&previous, &current),
                Some(edit) => {
                    prop_assert!(edit.start + edit.delete <= previous.len());
                    prop_assert_eq!(apply(&previous, &current, &edit), current);
                }
            }
        }
    }

    #[test]
    fn range_tokens_are_the_overlapping_ones() {
        let text = "---\ncodes: 97140\n---\n## Technique {#technique}\n- {a|b} {{x:minutes}}\n<!-- c\nd -->\n";
        let parse = crate::syntax::parse(text);
        let pack = crate::rulepack::RulePack::embedded();
        let semantics = Semantics::new(
            text,
            &parse.document,
            &pack,
            &crate::analysis::Settings::default(),
        );
        let kinds: Vec<String> = pack.sections.iter().map(|s| s.kind.clone()).collect();
        let all = tokens(&parse, &semantics, &kinds);
        let line = text.find("- {a").unwrap();
        let range = Span::new(line, line + 6);
        let found = tokens_in(&parse, &semantics, &kinds, range);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].ty, TokenType::Choice);
        let everything = tokens_in(&parse, &semantics, &kinds, Span::new(0, text.len()));
        assert_eq!(everything, all);
    }
}
