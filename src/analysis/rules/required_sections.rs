//! `missing-<kind>` (a declared code requires or recommends a section kind that no section has)
//! and `empty-section` (a section of a required kind has no content).

use super::Context;
use crate::analysis::{Diagnostic, Edit, Fix, Related};
use crate::rulepack::{SectionKind, Severity};
use crate::syntax::Span;

pub(super) fn check(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for need in context.semantics.needed_kinds(context.pack) {
        let Some(section_kind) = context.pack.section(need.kind) else {
            continue;
        };
        // Name the codes that require the kind; those that only recommend it come second.
        let (requiring, recommending): (Vec<usize>, Vec<usize>) =
            need.codes.iter().partition(|&&index| {
                context
                    .pack
                    .code(&context.semantics.codes[index].code)
                    .is_some_and(|code| code.requires.iter().any(|kind| kind == need.kind))
            });
        if context.semantics.has_kind(need.kind) {
            if need.required {
                check_empty(context, out, section_kind, &requiring);
            }
            continue;
        }
        out.push(if need.required {
            missing(context, section_kind, &requiring, &recommending, true)
        } else {
            missing(context, section_kind, &recommending, &[], false)
        });
    }
}

fn code_list(context: &Context<'_>, code_indices: &[usize]) -> String {
    let names: Vec<String> = code_indices
        .iter()
        .map(|&index| format!("`{}`", context.semantics.codes[index].code))
        .collect();
    match names.as_slice() {
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
        [] => String::new(),
    }
}

/// `code_indices` are the codes the message names (those that require the kind, or when none
/// does, those that recommend it); `also_recommending` are codes that only recommend a kind
/// others require.
fn missing(
    context: &Context<'_>,
    section_kind: &SectionKind,
    code_indices: &[usize],
    also_recommending: &[usize],
    required: bool,
) -> Diagnostic {
    let codes = &context.semantics.codes;
    let anchor = codes[code_indices[0]].span;
    let verb = match (code_indices.len(), required) {
        (1, true) => "requires",
        (_, true) => "require",
        (_, false) => "should have",
    };
    let message = format!(
        "{} {verb} {} \"{}\" section; add `## {}` (or mark an existing heading with `{{#{}}}`)",
        code_list(context, code_indices),
        if section_kind
            .title
            .starts_with(['A', 'E', 'I', 'O', 'U', 'a', 'e', 'i', 'o', 'u'])
        {
            "an"
        } else {
            "a"
        },
        section_kind.title,
        section_kind.title,
        section_kind.kind,
    );
    let rule = format!("missing-{}", section_kind.kind);
    let mut diagnostic = context.diagnostic(&rule, anchor, message);
    if !required {
        diagnostic.severity = diagnostic.severity.min(Severity::Warning);
    }
    for &index in &code_indices[1..] {
        diagnostic.related.push(Related {
            span: codes[index].span,
            message: format!("`{}` also needs this section", codes[index].code),
        });
    }
    for &index in also_recommending {
        diagnostic.related.push(Related {
            span: codes[index].span,
            message: format!("`{}` recommends this section too", codes[index].code),
        });
    }
    diagnostic.fix = Some(insert_section_fix(context, section_kind));
    diagnostic
}

/// Inserts `## Title` and the kind's skeleton before the first section whose kind comes later in
/// the pack's order (so necessity lands before technique, technique before response), or at the
/// end of the document.
pub(crate) fn insert_section_fix(context: &Context<'_>, section_kind: &SectionKind) -> Fix {
    let document = &context.parse.document;
    let rank = |kind: &str| context.pack.sections.iter().position(|s| s.kind == kind);
    let own_rank = rank(&section_kind.kind);
    let kinded: Vec<(usize, usize)> = context
        .semantics
        .sections
        .iter()
        .enumerate()
        .filter_map(|(index, info)| Some((index, rank(info.kind.as_deref()?)?)))
        .collect();
    let level = kinded
        .first()
        .map(|&(index, _)| document.sections[index].heading.level)
        .unwrap_or(2);
    let before = kinded
        .iter()
        .find(|&&(index, other_rank)| {
            Some(other_rank) > own_rank && document.sections[index].heading.level == level
        })
        .map(|&(index, _)| document.sections[index].heading.span.start);

    let newline = context.line_break();
    let heading = format!("{} {}", "#".repeat(level as usize), section_kind.title);
    let body = section_kind.skeleton.trim_end().replace('\n', newline);
    let (offset, new_text) = match before {
        Some(offset) => (
            offset,
            format!("{heading}{newline}{body}{newline}{newline}"),
        ),
        None => {
            // At the end, but before an unclosed comment (text inside it would be ignored).
            let end = document
                .comments
                .last()
                .filter(|c| !c.closed)
                .map_or(context.text.len(), |c| c.span.start);
            let text = &context.text[..end];
            let separator = if text.is_empty() {
                String::new()
            } else if let Some(without_last_break) = strip_line_break(text) {
                if strip_line_break(without_last_break).is_some() {
                    String::new()
                } else {
                    newline.to_string()
                }
            } else {
                newline.repeat(2)
            };
            (
                text.len(),
                format!("{separator}{heading}{newline}{body}{newline}"),
            )
        }
    };
    Fix {
        title: format!("Add section \"{}\"", section_kind.title),
        edits: vec![Edit {
            span: Span::empty(offset),
            new_text,
        }],
        safe: true,
    }
}

fn check_empty(
    context: &Context<'_>,
    out: &mut Vec<Diagnostic>,
    section_kind: &SectionKind,
    code_indices: &[usize],
) {
    let document = &context.parse.document;
    for index in context.semantics.sections_of_kind(&section_kind.kind) {
        let section = &document.sections[index];
        // Content anywhere below the heading counts, however deeply nested.
        let has_content = !section.lines.is_empty()
            || document.sections[index + 1..]
                .iter()
                .take_while(|nested| nested.heading.span.start < section.end)
                .any(|nested| !nested.lines.is_empty());
        if has_content {
            continue;
        }
        let mut diagnostic = context.diagnostic(
            "empty-section",
            section.heading.span,
            format!(
                "the \"{}\" section is empty but {} {} it; write what the note must record here ({})",
                section.heading.title.text(context.text),
                code_list(context, code_indices),
                if code_indices.len() == 1 { "needs" } else { "need" },
                section_kind.description.trim_end_matches('.'),
            ),
        );
        let newline = context.line_break();
        diagnostic.fix = Some(Fix {
            title: format!("Fill \"{}\" with a skeleton", section_kind.title),
            edits: vec![Edit {
                span: Span::empty(section.heading.span.end),
                new_text: format!(
                    "{newline}{}",
                    section_kind.skeleton.trim_end().replace('\n', newline)
                ),
            }],
            safe: true,
        });
        out.push(diagnostic);
    }
}

/// `text` without its final line break, or `None` if it does not end with one.
fn strip_line_break(text: &str) -> Option<&str> {
    text.strip_suffix("\r\n")
        .or_else(|| text.strip_suffix('\n'))
        .or_else(|| text.strip_suffix('\r'))
}
