//! `missing-<kind>` (a declared code requires or recommends a section kind that no section has)
//! and `empty-section` (a section of a required kind has no content).

use super::Context;
use crate::analysis::{Diagnostic, Edit, Fix, Related};
use crate::rulepack::RuleId;
use crate::rulepack::{SectionKind, Severity};
use crate::syntax::Span;

pub(super) fn check(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for need in context.semantics.needed_kinds(context.pack) {
        let Some(section_kind) = context.pack.section(need.kind) else {
            continue;
        };
        // Configuration only lets codes require kinds with a `missing-<kind>` rule.
        let Some(rule) = RuleId::missing_section(need.kind) else {
            continue;
        };
        // Name the codes that require the kind; those that only recommend it come second. Only
        // a finding names them, and most needed kinds are there: worked out when one is made.
        let partition = || -> (Vec<usize>, Vec<usize>) {
            need.codes.iter().partition(|&&index| {
                context
                    .pack
                    .code(&context.semantics.codes[index].code)
                    .is_some_and(|code| code.requires.iter().any(|kind| kind == need.kind))
            })
        };
        if context.semantics.has_kind(need.kind) {
            if need.required {
                check_empty(context, out, section_kind, || partition().0);
            }
            continue;
        }
        // A heading that looks like the kind but is not sure: a hint on it, not a missing error.
        let guessed: Vec<usize> = context
            .semantics
            .sections
            .iter()
            .enumerate()
            .filter(|(_, info)| info.guess.as_deref() == Some(need.kind))
            .map(|(index, _)| index)
            .collect();
        if !guessed.is_empty() {
            for index in guessed {
                out.push(uncertain_heading(context, index, section_kind));
            }
            continue;
        }
        let (requiring, recommending) = partition();
        out.push(if need.required && !requiring.is_empty() {
            missing(
                context,
                rule,
                section_kind,
                &requiring,
                &recommending,
                true,
                need.by_note_type,
            )
        } else if need.required {
            missing(context, rule, section_kind, &[], &recommending, true, true)
        } else {
            missing(
                context,
                rule,
                section_kind,
                &recommending,
                &[],
                false,
                false,
            )
        });
    }
}

/// `uncertain-heading`: the title looks like the kind only by one of its words.
fn uncertain_heading(
    context: &Context<'_>,
    index: usize,
    section_kind: &SectionKind,
) -> Diagnostic {
    let heading = &context.parse.document.sections[index].heading;
    let title = heading.title.text(context.text);
    let mut diagnostic = context.diagnostic(
        RuleId::UncertainHeading,
        heading.span,
        format!(
            "\"{title}\" may be where the note records {}; if it is, mark it so noteplate counts it",
            section_kind.what
        ),
    );
    diagnostic.fix = Some(Fix {
        title: format!("Mark \"{title}\" as the {} section", section_kind.title),
        edits: vec![Edit {
            span: Span::empty(heading.title.end),
            new_text: format!(" {{#{}}}", section_kind.kind),
        }],
        safe: false,
    });
    diagnostic
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

/// How a finding names the note type ("an evaluation"), when it has one the pack knows: worked
/// out once per analysis (`Context::note_type_phrase`).
pub(super) fn note_type_phrase(context: &Context<'_>) -> Option<String> {
    context
        .note_type_phrase
        .get_or_init(|| work_out_note_type_phrase(context))
        .clone()
}

fn work_out_note_type_phrase(context: &Context<'_>) -> Option<String> {
    let note_type = context.note_type()?;
    let title = note_type.title.to_lowercase();
    let article = if title.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    Some(format!("{article} {title}"))
}

/// Where findings about the whole note sit: the `type:` entry, else the first code, else
/// `template:`, else the first heading, else the start of the document.
pub(super) fn note_anchor(context: &Context<'_>) -> Span {
    let text = context.text;
    let document = &context.parse.document;
    let entry = |key| {
        document
            .front_matter
            .as_ref()
            .and_then(|front_matter| front_matter.entry(text, key))
            .map(|entry| entry.span)
    };
    entry("type")
        .or_else(|| context.semantics.codes.first().map(|code| code.span))
        .or_else(|| entry("template"))
        .or_else(|| document.sections.first().map(|s| s.heading.span))
        .unwrap_or(Span::empty(0))
}

/// `code_indices` are the codes the message names (those that require the kind, or when none
/// does, those that recommend it); `also_recommending` are codes that only recommend a kind
/// others require. `by_note_type`: the note type requires it too.
fn missing(
    context: &Context<'_>,
    rule: RuleId,
    section_kind: &SectionKind,
    code_indices: &[usize],
    also_recommending: &[usize],
    required: bool,
    by_note_type: bool,
) -> Diagnostic {
    let codes = &context.semantics.codes;
    // The note type is named only when no code is (and the note type needs the kind).
    let who = if !code_indices.is_empty() {
        code_list(context, code_indices)
    } else if by_note_type {
        note_type_phrase(context).unwrap_or_else(|| "this note".to_string())
    } else {
        "this note".to_string()
    };
    let verb = match (code_indices.len(), required) {
        (0 | 1, true) => "needs",
        (_, true) => "need",
        (_, false) => "should show",
    };
    let article = if section_kind
        .title
        .starts_with(['A', 'E', 'I', 'O', 'U', 'a', 'e', 'i', 'o', 'u'])
    {
        "an"
    } else {
        "a"
    };
    let message = format!(
        "{who} {verb} {}, and the template has no place for it; add {article} \"{}\" section",
        section_kind.what, section_kind.title,
    );
    let anchor = code_indices
        .first()
        .map_or_else(|| note_anchor(context), |&index| codes[index].span);
    let mut diagnostic = context.diagnostic(rule, anchor, message);
    if !required {
        diagnostic.severity = diagnostic.severity.min(Severity::Warning);
    }
    for &index in code_indices.iter().skip(1) {
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

/// The skeleton that fits the declared codes: the kind's skeleton for the first declared code
/// family that has one, else its general skeleton.
fn skeleton<'s>(context: &Context<'_>, section_kind: &'s SectionKind) -> &'s str {
    let families = context.code_families.get_or_init(|| {
        context
            .semantics
            .codes
            .iter()
            .filter_map(|declared| context.pack.code(&declared.code)?.family.as_deref())
            .collect()
    });
    families
        .iter()
        .find_map(|&family| section_kind.skeletons.get(family))
        .unwrap_or(&section_kind.skeleton)
}

/// Inserts `## Title` and the kind's skeleton where the pack's canonical order puts it: after the
/// last section (at the level of the first recognised heading) whose kind comes earlier in
/// `sections.toml`, else before the first whose kind comes later, else at the end of the
/// document but before its signature line.
pub(crate) fn insert_section_fix(context: &Context<'_>, section_kind: &SectionKind) -> Fix {
    let document = &context.parse.document;
    let rank = |kind: &str| context.pack.section_rank(kind);
    let own_rank = rank(&section_kind.kind);
    let kinded = context.ranked_sections.get_or_init(|| {
        context
            .semantics
            .sections
            .iter()
            .enumerate()
            .filter_map(|(index, info)| Some((index, rank(info.kind.as_deref()?)?)))
            .collect()
    });
    let level = kinded
        .first()
        .map(|&(index, _)| document.sections[index].heading.level)
        .unwrap_or(2);
    let at_level = |index: usize| document.sections[index].heading.level == level;
    let after_earlier = kinded
        .iter()
        .rev()
        .find(|&&(index, other_rank)| Some(other_rank) < own_rank && at_level(index))
        .and_then(|&(index, _)| {
            // The next heading at this level or above, whatever its kind.
            document.sections[index + 1..]
                .iter()
                .find(|next| next.heading.level <= level)
                .map(|next| next.heading.span.start)
        });
    let before_later = || {
        kinded
            .iter()
            .find(|&&(index, other_rank)| Some(other_rank) > own_rank && at_level(index))
            .map(|&(index, _)| document.sections[index].heading.span.start)
    };
    let before = if kinded
        .iter()
        .any(|&(index, other_rank)| Some(other_rank) < own_rank && at_level(index))
    {
        after_earlier
    } else {
        before_later()
    }
    .or_else(|| signature_line_start(context));

    let newline = context.line_break();
    let mut heading = String::with_capacity(usize::from(level) + 1 + section_kind.title.len());
    heading.extend(std::iter::repeat_n('#', usize::from(level)));
    heading.push(' ');
    heading.push_str(&section_kind.title);
    let body = with_line_breaks(skeleton(context, section_kind).trim_end(), newline);
    let (offset, new_text) = match before {
        Some(offset) => (
            offset,
            concat(&[&heading, newline, &body, newline, newline]),
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
                concat(&[&separator, &heading, newline, &body, newline]),
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

/// The pieces joined, in a string allocated once at its full length: `format!` grows its string
/// piece by piece, and a fix's text (a section's skeleton) is hundreds of bytes, made for most
/// templates of a corpus.
fn concat(pieces: &[&str]) -> String {
    let mut joined = String::with_capacity(pieces.iter().map(|piece| piece.len()).sum());
    for piece in pieces {
        joined.push_str(piece);
    }
    joined
}

/// Where a section added at the end must go instead: before the signature section or the first
/// signature line after the last heading, so nothing lands below the clinician's signature.
fn signature_line_start(context: &Context<'_>) -> Option<usize> {
    let document = &context.parse.document;
    let semantics = context.semantics;
    if let Some(index) = semantics.sections_of_kind("signature").next() {
        return Some(document.sections[index].heading.span.start);
    }
    let last_heading = document.sections.last().map_or(0, |s| s.heading.span.end);
    semantics
        .elements
        .iter()
        .filter(|element| &*element.kind == "signature" && element.span.start > last_heading)
        .map(|element| crate::syntax::line_start(context.text, element.span.start))
        .next()
}

/// `code_indices` gives the codes that require the kind (asked only for a finding).
fn check_empty(
    context: &Context<'_>,
    out: &mut Vec<Diagnostic>,
    section_kind: &SectionKind,
    code_indices: impl Fn() -> Vec<usize>,
) {
    let document = &context.parse.document;
    for index in context.semantics.sections_of_kind(&section_kind.kind) {
        let section = &document.sections[index];
        if has_content(document, index)
            || titles_a_flat_group(
                context.text,
                document,
                context.semantics,
                index,
                &section_kind.kind,
            )
            || recorded_elsewhere(document, context.semantics, index, &section_kind.kind)
        {
            continue;
        }
        let code_indices = code_indices();
        let mut diagnostic = context.diagnostic(
            RuleId::EmptySection,
            section.heading.span,
            format!(
                "the \"{}\" section is empty but {} {} it; write what the note must record here ({})",
                section.heading.title.text(context.text),
                if code_indices.is_empty() {
                    note_type_phrase(context).unwrap_or_else(|| "the note".to_string())
                } else {
                    code_list(context, &code_indices)
                },
                if code_indices.len() > 1 { "need" } else { "needs" },
                section_kind.description.trim_end_matches('.'),
            ),
        );
        let newline = context.line_break();
        diagnostic.fix = Some(Fix {
            title: format!("Fill \"{}\" with a skeleton", section_kind.title),
            edits: vec![Edit {
                span: Span::empty(section.heading.span.end),
                new_text: concat(&[
                    newline,
                    &with_line_breaks(section_kind.skeleton.trim_end(), newline),
                ]),
            }],
            safe: true,
        });
        out.push(diagnostic);
    }
}

/// Whether the section has content anywhere below its heading, however deeply nested.
fn has_content(document: &crate::syntax::Document, index: usize) -> bool {
    let section = &document.sections[index];
    !section.lines.is_empty()
        || document.sections[index + 1..]
            .iter()
            .take_while(|nested| nested.heading.span.start < section.end)
            .any(|nested| !nested.lines.is_empty())
}

/// Whether another section of the kind has content: then the empty heading leaves no gap a
/// reviewer would see. It is a group's title whose parts have other kinds (a form's "ADL
/// Training" over "Functional Mobility" and "Balance", written at one level) or a stray title,
/// and the kind's content is in the other section. A labelled line elsewhere is not enough: in
/// `Manual therapy: {{m}} min` under the time, "manual therapy" names the technique's minutes, not
/// the technique. A heading that is the only section of its kind and has nothing under it is
/// still an empty section.
fn recorded_elsewhere(
    document: &crate::syntax::Document,
    semantics: &crate::analysis::semantics::Semantics,
    index: usize,
    kind: &str,
) -> bool {
    semantics
        .sections_of_kind(kind)
        .any(|other| other != index && has_content(document, other))
}

/// Whether a heading is written as a label, ending in a colon (`### Subjective:`).
fn written_as_label(text: &str, heading: &crate::syntax::Heading) -> bool {
    heading.title.text(text).ends_with(':')
}

/// Whether an empty section titles the sections written after it at its own level, as forms
/// often are flat: `## Goals` then `## Short-Term Goals` with the fields is the same as the
/// second heading nested under the first. The following sections are its parts while they read
/// as its parts: they have no kind or its kind (`## Response` then `## Plan` is still an empty
/// response); or their lines show its kind (`## History` then `## Pain Assessment` with the
/// onset and the mechanism); or they are written as labels under a title that is not
/// (`## Clinical Assessment` then `## Subjective:` and `## Objective:`: the form's parts kept
/// their colons, its titles had none). The document's first heading, at the first level, titles
/// all the sections after it at that level, as it does when they are nested under it.
fn titles_a_flat_group(
    text: &str,
    document: &crate::syntax::Document,
    semantics: &crate::analysis::semantics::Semantics,
    index: usize,
    kind: &str,
) -> bool {
    let level = document.sections[index].heading.level;
    let label_parts = !written_as_label(text, &document.sections[index].heading);
    let document_title = index == 0 && level == 1;
    let shows_kind = |part: &crate::syntax::Section| {
        let extent = part.heading.span.end..part.end;
        semantics
            .elements
            .iter()
            .any(|element| &*element.kind == kind && extent.contains(&element.span.start))
    };
    let mut next = index + 1;
    let mut end = document.sections[index].end;
    while let Some(part) = document.sections.get(next) {
        if part.heading.span.start < end {
            next += 1; // nested under the previous one
            continue;
        }
        let info = &semantics.sections[next];
        let a_part = document_title
            || info.kind.is_none()
            || info.is(kind)
            || (label_parts && written_as_label(text, &part.heading))
            || shows_kind(part);
        if part.heading.level != level || !a_part {
            return false;
        }
        if has_content(document, next) {
            return true;
        }
        end = part.end;
        next += 1;
    }
    false
}

/// `text` without its final line break, or `None` if it does not end with one.
fn strip_line_break(text: &str) -> Option<&str> {
    text.strip_suffix("\r\n")
        .or_else(|| text.strip_suffix('\n'))
        .or_else(|| text.strip_suffix('\r'))
}

/// `text` (a skeleton from the pack, written with `\n`) with the document's line breaks: most
/// documents use `\n`, and then the text is used as it is (no copy per fix).
fn with_line_breaks<'t>(text: &'t str, newline: &str) -> std::borrow::Cow<'t, str> {
    if newline == "\n" {
        std::borrow::Cow::Borrowed(text)
    } else {
        std::borrow::Cow::Owned(text.replace('\n', newline))
    }
}
