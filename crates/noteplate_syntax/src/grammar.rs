//! The pest parser generated from `grammar/note.pest`, and the conversion of its pairs into tree
//! nodes for one line at a time. Offsets coming out of here are absolute (the caller passes where
//! the line starts).

use pest::Parser;
use pest::iterators::Pair;
use pest_derive::Parser;

use super::fast;
use super::tree::{Attribute, Choice, CodeRef, Field, Heading, Inline, Span, SyntaxError};

#[derive(Parser)]
#[grammar = "../../../grammar/note.pest"]
struct NoteParser;

fn span_of(pair: &Pair<'_, Rule>, base: usize) -> Span {
    let span = pair.as_span();
    Span::new(base + span.start(), base + span.end())
}

/// Parses a run of inline content (a line, or the part of a line outside comments).
///
/// This is the busiest rule by far, so clean lines (nearly all of them) go through the
/// hand-written transcription of the `inline` rule in `fast.rs`, which reads a line cleanly or
/// bails. A line it bails on (one with a mistake) is parsed by pest, the only writer of syntax
/// errors and the authority for how a line recovers.
pub(super) fn parse_inline(
    text: &str,
    base: usize,
    items: &mut Vec<Inline>,
    errors: &mut Vec<SyntaxError>,
    fast_path: bool,
) {
    let items_before = items.len();
    if !fast_path || !fast::inline(text, base, items) {
        items.truncate(items_before);
        parse_inline_with_pest(text, base, items, errors);
    }
}

/// The `inline` rule through pest: used for lines with mistakes, and the reference
/// [`fast::inline`] is tested against.
pub(super) fn parse_inline_with_pest(
    text: &str,
    base: usize,
    items: &mut Vec<Inline>,
    errors: &mut Vec<SyntaxError>,
) {
    // The grammar's searches stop at the next brace (a malformed field at the next `{{`, a choice
    // at the next `{`), so pest reads a line in work linear in its length: counted as such.
    crate::work::count(text.len());
    let pairs = match NoteParser::parse(Rule::inline, text) {
        Ok(mut pairs) => pairs.next().map(|inline| inline.into_inner()),
        Err(_) => None,
    };
    let Some(pairs) = pairs else {
        // The inline rule accepts any input, so this is unreachable in practice; keep the text.
        items.push(Inline::Text(Span::new(base, base + text.len())));
        errors.push(SyntaxError {
            span: Span::new(base, base + text.len()),
            message: "this line could not be read; check its braces".to_string(),
        });
        return;
    };
    for pair in pairs {
        let span = span_of(&pair, base);
        match pair.as_rule() {
            Rule::text => push_text(items, span),
            Rule::escape => items.push(Inline::Escape(span)),
            Rule::wildcard => items.push(Inline::Wildcard(span)),
            Rule::field => {
                let mut name = Span::empty(span.start + 2);
                let mut ty = None;
                for part in pair.into_inner() {
                    match part.as_rule() {
                        Rule::field_name => name = span_of(&part, base),
                        Rule::field_type => ty = Some(span_of(&part, base)),
                        _ => {}
                    }
                }
                items.push(Inline::Field(Field { span, name, ty }));
            }
            Rule::choice => {
                let options = pair
                    .into_inner()
                    .filter(|part| part.as_rule() == Rule::choice_option)
                    .map(|part| span_of(&part, base))
                    .collect();
                items.push(Inline::Choice(Choice { span, options }));
            }
            Rule::malformed_field => {
                push_text(items, span);
                errors.push(malformed_field(span, span.text_in(text, base)));
            }
            Rule::unclosed_field => {
                push_text(items, span);
                errors.push(unclosed_field(span));
            }
            Rule::unclosed_choice => {
                push_text(items, span);
                errors.push(unclosed_choice(span));
            }
            Rule::stray_close => {
                push_text(items, span);
                errors.push(stray_close(span));
            }
            _ => {}
        }
    }
}

/// `{{...}}` closed but not `name` or `name:type`; `written` is the whole of it.
fn malformed_field(span: Span, written: &str) -> SyntaxError {
    SyntaxError {
        span,
        message: format!(
            "`{written}` is not a field; write `{{{{name}}}}` or `{{{{name:type}}}}` with a name of letters, digits and `_`"
        ),
    }
}

fn unclosed_field(span: Span) -> SyntaxError {
    SyntaxError {
        span,
        message: "this `{{` opens a field that is not closed on the same line; close it with `}}`"
            .to_string(),
    }
}

fn unclosed_choice(span: Span) -> SyntaxError {
    SyntaxError {
        span,
        message: "this `{` opens a choice that is not closed on the same line; close it with `}` (options are separated by `|`), or write `\\{` for a literal brace".to_string(),
    }
}

fn stray_close(span: Span) -> SyntaxError {
    SyntaxError {
        span,
        message: "this `}` closes nothing; remove it, or write `\\}` for a literal brace"
            .to_string(),
    }
}

/// Adjacent text runs (text, then a rejected brace, then text) are merged into one.
pub(super) fn push_text(items: &mut Vec<Inline>, span: Span) {
    if let Some(Inline::Text(previous)) = items.last_mut()
        && previous.end == span.start
    {
        previous.end = span.end;
        return;
    }
    items.push(Inline::Text(span));
}

trait SpanTextIn {
    fn text_in(self, text: &str, base: usize) -> &str;
}

impl SpanTextIn for Span {
    fn text_in(self, text: &str, base: usize) -> &str {
        text.get(self.start - base..self.end - base).unwrap_or("")
    }
}

/// Parses a heading line. `text` is the line without its line break. Through the hand-written
/// reading of the `heading` rule (`fast.rs`) when `fast_path`, and pest for the lines it bails on
/// (a heading without a title, which pest reports).
pub(super) fn parse_heading(
    text: &str,
    base: usize,
    errors: &mut Vec<SyntaxError>,
    fast_path: bool,
) -> Heading {
    match fast_path.then(|| fast::heading(text, base)).flatten() {
        Some(heading) => heading,
        None => parse_heading_with_pest(text, base, errors),
    }
}

fn missing_title(line: Span) -> SyntaxError {
    SyntaxError {
        span: line,
        message: "this heading has no title; write one after the `#` marks, e.g. `## Response`"
            .to_string(),
    }
}

/// The `heading` rule through pest: the fallback of [`parse_heading`] and its reference in tests.
pub(super) fn parse_heading_with_pest(
    text: &str,
    base: usize,
    errors: &mut Vec<SyntaxError>,
) -> Heading {
    let line = Span::new(base, base + text.len());
    let level = text.bytes().take_while(|&byte| byte == b'#').count().min(6) as u8;
    let mut heading = Heading {
        span: line,
        level,
        title: Span::empty(base + level as usize),
        attribute: None,
    };
    let Ok(mut pairs) = NoteParser::parse(Rule::heading, text) else {
        // The scanner only sends lines that start like a heading; anything odd after the marker
        // is part of the title, so this branch only guards against surprises.
        heading.title = Span::new(base + level as usize, line.end);
        return heading;
    };
    if let Some(root) = pairs.next() {
        for part in root.into_inner() {
            match part.as_rule() {
                Rule::heading_title => heading.title = span_of(&part, base),
                Rule::attribute => {
                    let kind = part
                        .clone()
                        .into_inner()
                        .next()
                        .map(|kind| span_of(&kind, base))
                        .unwrap_or(Span::empty(base));
                    heading.attribute = Some(Attribute {
                        span: span_of(&part, base),
                        kind,
                    });
                }
                _ => {}
            }
        }
    }
    if heading.title.is_empty() && heading.attribute.is_none() {
        errors.push(missing_title(line));
    }
    heading
}

/// Parses an `@include` line; the path span, or `None` (and an error) when no path follows.
pub(super) fn parse_include(
    text: &str,
    base: usize,
    errors: &mut Vec<SyntaxError>,
) -> Option<Span> {
    let path = NoteParser::parse(Rule::include_line, text)
        .ok()
        .and_then(|mut pairs| pairs.next())
        .and_then(|root| {
            root.into_inner()
                .find(|part| part.as_rule() == Rule::include_path)
        })
        .map(|part| span_of(&part, base));
    if path.is_none() {
        errors.push(SyntaxError {
            span: Span::new(base, base + text.trim_end().len()),
            message: "`@include` needs a path to a fragment, e.g. `@include shared/response.note`"
                .to_string(),
        });
    }
    path
}

/// Parses a front-matter line into (key, value). `None` (and an error) when it is not `key: value`.
pub(super) fn parse_entry(
    text: &str,
    base: usize,
    errors: &mut Vec<SyntaxError>,
    fast_path: bool,
) -> Option<(Span, Span)> {
    // Well-formed entries need no pest (`fast.rs`); pest reports the others.
    fast_path
        .then(|| fast::entry(text, base))
        .flatten()
        .or_else(|| parse_entry_with_pest(text, base, errors))
}

/// The `fm_entry` rule through pest: the fallback of [`parse_entry`] and its reference in tests.
pub(super) fn parse_entry_with_pest(
    text: &str,
    base: usize,
    errors: &mut Vec<SyntaxError>,
) -> Option<(Span, Span)> {
    let Ok(mut pairs) = NoteParser::parse(Rule::fm_entry, text) else {
        let trimmed_start = text.len() - text.trim_start().len();
        errors.push(SyntaxError {
            span: Span::new(base + trimmed_start, base + text.trim_end().len()),
            message: "front-matter lines are `key: value` (e.g. `codes: 97140-GP`); close the front matter with a `---` line".to_string(),
        });
        return None;
    };
    let root = pairs.next()?;
    let mut key = Span::empty(base);
    let mut value = Span::empty(base + text.len());
    for part in root.into_inner() {
        match part.as_rule() {
            Rule::fm_key => key = span_of(&part, base),
            Rule::fm_value => {
                let raw = span_of(&part, base);
                let raw_text = part.as_str();
                let trimmed = raw_text.trim_end();
                value = Span::new(raw.start, raw.start + trimmed.len());
            }
            _ => {}
        }
    }
    Some((key, value))
}

/// Parses the comma-separated items of a `codes:` value: well-formed ones through the fast path
/// when `fast_path`, every other one through pest (which reports it).
pub(super) fn parse_codes(
    text: &str,
    base: usize,
    errors: &mut Vec<SyntaxError>,
    fast_path: bool,
) -> Vec<CodeRef> {
    let mut codes = Vec::new();
    let mut offset = 0;
    for piece in text.split(',') {
        let leading = piece.len() - piece.trim_start().len();
        let item = piece.trim();
        let item_start = base + offset + leading;
        offset += piece.len() + 1;
        if item.is_empty() {
            continue;
        }
        // Well-formed codes need no pest (`fast.rs`); pest reports the others.
        if fast_path && let Some((code, modifiers)) = fast::code_item(item, item_start) {
            codes.push(CodeRef {
                span: Span::new(item_start, item_start + item.len()),
                code,
                modifiers,
            });
            continue;
        }
        match NoteParser::parse(Rule::code_item, item) {
            Ok(mut pairs) => {
                let Some(root) = pairs.next() else { continue };
                let mut code = CodeRef {
                    span: Span::new(item_start, item_start + item.len()),
                    code: Span::empty(item_start),
                    modifiers: Vec::new(),
                };
                for part in root.into_inner() {
                    match part.as_rule() {
                        Rule::code => code.code = span_of(&part, item_start),
                        Rule::modifier => code.modifiers.push(span_of(&part, item_start)),
                        _ => {}
                    }
                }
                codes.push(code);
            }
            Err(_) => errors.push(SyntaxError {
                span: Span::new(item_start, item_start + item.len()),
                message: format!(
                    "`{item}` is not a billing code; write five letters or digits with optional two-character modifiers, e.g. `97140` or `97140-GP-XS`, separated by commas"
                ),
            }),
        }
    }
    codes
}

#[cfg(test)]
mod tests {
    use super::*;
    use pest::{consumes_to, parses_to};

    #[test]
    fn grammar_parses_a_field_with_type() {
        parses_to! {
            parser: NoteParser,
            input: "{{ pain : number }}",
            rule: Rule::field,
            tokens: [field(0, 19, [field_name(3, 7), field_type(10, 16)])]
        };
    }

    #[test]
    fn grammar_parses_a_choice_with_an_empty_option() {
        parses_to! {
            parser: NoteParser,
            input: "{a||b}",
            rule: Rule::choice,
            tokens: [choice(0, 6, [choice_option(1, 2), choice_option(3, 3), choice_option(4, 5)])]
        };
    }

    #[test]
    fn grammar_parses_heading_with_attribute() {
        parses_to! {
            parser: NoteParser,
            input: "## Why skilled care {#necessity}",
            rule: Rule::heading,
            tokens: [heading(0, 32, [heading_marker(0, 2), heading_title(3, 19), attribute(20, 32, [attribute_kind(22, 31)]), EOI(32, 32)])]
        };
    }

    #[test]
    fn grammar_parses_code_with_modifiers() {
        parses_to! {
            parser: NoteParser,
            input: "97140-GP-XS",
            rule: Rule::code_item,
            tokens: [code_item(0, 11, [code(0, 5), modifier(6, 8), modifier(9, 11), EOI(11, 11)])]
        };
    }

    #[test]
    fn inline_rule_accepts_any_text() {
        for input in [
            "{{",
            "}",
            "{",
            "{{a",
            "a}}b{",
            "***{x|",
            "\\",
            "\\{",
            "{|}",
            "é{{µ:°}}",
        ] {
            assert!(NoteParser::parse(Rule::inline, input).is_ok(), "{input:?}");
        }
    }
}
