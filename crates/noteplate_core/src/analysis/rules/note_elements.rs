//! The basic elements of every note (payer-rules.md R1 and R5, sources S7, S15, S17): the date of
//! service (`missing-date`), the signature (`missing-signature`) and the clinician's credentials
//! beside it (`signature-without-credentials`). They apply to every note, whatever its type: a
//! template that declares codes or whose note type is declared or recognised (`Semantics::is_note`).
//! The words that show each element are data (`[elements]` in `rulepack/notes.toml`).

use super::required_sections::{insert_section_fix, note_anchor, note_type_phrase};
use super::{Context, RuleMemo};
use crate::analysis::semantics::{
    DATE_OF_SERVICE, date_input_in, field_words, line_labels, prompt_clauses,
};
use crate::analysis::{Diagnostic, Edit, Fix};
use crate::rulepack::{RuleId, RulePack};
use crate::rulepack::{contains_any, normalize_phrase};
use crate::syntax::{Inline, Line, Span};

pub(super) fn check(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let semantics = context.semantics;
    if !semantics.is_note() {
        return;
    }
    let anchor = note_anchor(context);
    // Named only in a finding (most templates have none of these).
    let who = || note_type_phrase(context).unwrap_or_else(|| "every note".to_string());

    if !semantics.has_kind(DATE_OF_SERVICE) && !dated_by_note_type(context) {
        let mut diagnostic = context.diagnostic(
            RuleId::MissingDate,
            anchor,
            format!(
                "{} must show the date of service, and the template has no place for it; add a date-of-service line near the top",
                who()
            ),
        );
        let (at, prefix, suffix) = date_insertion(context);
        diagnostic.fix = Some(Fix {
            title: "Add a date-of-service field".into(),
            edits: vec![Edit {
                span: Span::empty(at),
                new_text: format!(
                    "{prefix}{}{suffix}",
                    context.pack.elements.date_of_service_line
                ),
            }],
            safe: true,
        });
        out.push(diagnostic);
    }

    // Whether "physician" and the like name another signer on this note (by its codes): asked
    // once, and on most notes (no such words can count) no signature words are read again.
    let others = context.pack.unless_billed_holds(
        "signature",
        semantics
            .codes
            .iter()
            .map(|declared| declared.code.as_str()),
    );
    let signature_lines = signature_lines(context, others);
    if signature_lines.is_empty() && !has_signature(context, others) {
        let mut diagnostic = context.diagnostic(
            RuleId::MissingSignature,
            anchor,
            format!(
                "{} must be signed by the clinician with their credentials, and the template has no place for a signature; add a \"Signature\" section",
                who()
            ),
        );
        diagnostic.fix = context
            .pack
            .section("signature")
            .map(|kind| insert_section_fix(context, kind));
        out.push(diagnostic);
    } else if !signature_lines.is_empty() && !credentials_near(context, &signature_lines) {
        let first = signature_lines[0];
        let elements = &context.pack.elements;
        let mut diagnostic = context.diagnostic(
            RuleId::SignatureWithoutCredentials,
            first.span,
            format!(
                "the signature has no place for the clinician's credentials ({}...); payers want the professional designation beside the name",
                elements.designation_examples.join(", ")
            ),
        );
        diagnostic.fix = Some(Fix {
            title: "Add a credentials choice to the signature".into(),
            edits: vec![Edit {
                span: Span::empty(first.span.end),
                new_text: format!(", {{{}}}", elements.designation_choice.join("|")),
            }],
            safe: false,
        });
        out.push(diagnostic);
    }
}

/// Whether the note's type has dates of its own (a discharge summary's discharge date) and the
/// template has an input for one of them.
fn dated_by_note_type(context: &Context<'_>) -> bool {
    let Some(note_type) = context.note_type() else {
        return false;
    };
    if note_type.dates_of_service.is_empty() {
        return false;
    }
    let accept = |words: &[String]| {
        words
            .iter()
            .any(|words| contains_any(words, &note_type.dates_of_service))
    };
    // Every line of the template is asked, and the same lines recur across templates: the words
    // of each distinct line's date inputs are found once (`LineAnswers`).
    context.parts.iter().any(|part| {
        part.lines
            .iter()
            .enumerate()
            .any(|(at, line)| match part.facts.lines.get(at) {
                Some(Some(facts)) => accept(
                    facts
                        .answers
                        .date_input_words
                        .get_or_init(|| date_input_words(context, line)),
                ),
                _ => accept(&date_input_words(context, line)),
            })
    })
}

/// The words (label and field name, normalised) of each date input of `line` that
/// [`date_input_in`] with no title would offer to its `accept`, in order: those before the first
/// input with no label of its own (with no title to stand in for it, the search ends there). The
/// line has a date input of a note type when one of these words passes that note type's test.
fn date_input_words(context: &Context<'_>, line: &Line) -> Box<[String]> {
    let offered = std::cell::RefCell::new(Vec::new());
    let _ = date_input_in(context.text, None, line, context.pack, |words| {
        offered.borrow_mut().push(words.to_string());
        false
    });
    offered.into_inner().into_boxed_slice()
}

/// The lines that hold the clinician's signature: lines of signature sections and lines whose
/// label or field names say signature (each part found its own with [`says_signature`]), but not
/// another signer's on this note ([`another_signer`]).
fn signature_lines<'a>(context: &Context<'a>, others: bool) -> Vec<&'a Line> {
    let document = &context.parse.document;
    let mut lines: Vec<&Line> = context
        .sections_of_kind_nested("signature")
        .iter()
        .filter(|&&index| !(others && another_signers_section(context, index)))
        .flat_map(|&index| document.sections[index].lines.iter())
        .collect();
    let mut taken: rustc_hash::FxHashSet<usize> =
        lines.iter().map(|line| line.span.start).collect();
    for part in context.parts.iter() {
        for &start in &part.facts.signature_lines {
            let start = part.start + start;
            let at = part.lines.partition_point(|line| line.span.start < start);
            if let Some(line) = part.lines.get(at)
                && !(others && signed_by_another(context, line))
                && taken.insert(start)
            {
                lines.push(line);
            }
        }
    }
    lines.sort_by_key(|line| line.span.start);
    lines
}

/// Whether the template has a place for the clinician's signature other than a line: a section
/// or an element of the signature kind that is not another signer's on this note, or a fragment
/// that provides one.
fn has_signature(context: &Context<'_>, others: bool) -> bool {
    let text = context.text;
    context.semantics.has_kind_where(
        "signature",
        |index| !(others && another_signers_section(context, index)),
        // An element's span is a label or a field name: read as a field name, which splits
        // `md_signature` and `MDSignature` and reads a label as `normalize_phrase` does.
        |element| !(others && another_signer(context, &field_words(element.span.text(text)))),
    )
}

/// Whether the normalised words of a title, label or field name say another signer's signature,
/// on a note where the signature kind's `not_words_unless_billed` hold (asked of its codes first):
/// "Physician signature" on a PT evaluation is the certifying physician's. The `not_words` that
/// hold on every note were applied when the words were recognised.
fn another_signer(context: &Context<'_>, words: &str) -> bool {
    context.pack.not_this_kind_unless_billed("signature", words)
}

/// Whether section `index` is a signature section only by a title that names another signer on
/// this note (a `{#signature}` attribute is the author's word and always counts).
fn another_signers_section(context: &Context<'_>, index: usize) -> bool {
    let info = &context.semantics.sections[index];
    let heading = &context.parse.document.sections[index].heading;
    !matches!(
        info.reason,
        crate::analysis::semantics::KindReason::Attribute
    ) && another_signer(context, &normalize_phrase(heading.title.text(context.text)))
}

/// Whether every label and field name of `line` that says signature names another signer on this
/// note (asked only of the few lines that say signature).
fn signed_by_another(context: &Context<'_>, line: &Line) -> bool {
    let text = context.text;
    // Normalised as `says_signature` reads them.
    let spans: Vec<Span> = line_labels(text, line).collect();
    let prompt: Vec<Span> = prompt_clauses(text, line, &spans).collect();
    let labels = spans
        .into_iter()
        .chain(prompt)
        .map(|label| normalize_phrase(label.text(text)));
    let fields = line.items.iter().filter_map(|item| match item {
        Inline::Field(field) => Some(field_words(field.name.text(text))),
        _ => None,
    });
    let mut said = labels
        .chain(fields)
        .filter(|words| names_signature(context.pack, words))
        .peekable();
    said.peek().is_some() && said.all(|words| another_signer(context, &words))
}

/// Whether normalised `words` say the clinician's signature: a signature word and none of the
/// signature kind's `not_words` ("Parent signature" is someone else's).
fn names_signature(pack: &RulePack, words: &str) -> bool {
    contains_any(words, &pack.elements.signature) && !pack.not_this_kind("signature", words)
}

/// Whether a label, a prose prompt's last clauses ([`prompt_clauses`]) or a field name of `line`
/// says the clinician's signature (not a parent's, the patient's or the referring doctor's: the
/// signature kind's `not_words`). Labels and field names repeat (form rows): each distinct one is
/// read once, and remembered for later analyses (`RuleMemo`). `labels` are the line's
/// `line_labels`, read once by the caller (`parts.rs`) for this and for the line's elements.
pub(crate) fn says_signature(
    text: &str,
    line: &Line,
    labels: &[Span],
    pack: &RulePack,
    memo: &mut RuleMemo,
) -> bool {
    let mut says_signature = |is_field: bool, words: &str| {
        let said = if is_field {
            &mut memo.signature_fields
        } else {
            &mut memo.signature_labels
        };
        if let Some(&says) = said.get(words) {
            return says;
        }
        let normalised = if is_field {
            field_words(words)
        } else {
            normalize_phrase(words)
        };
        // Someone else's signature ("Parent signature") is not the clinician's: the signature
        // kind's `not_words`, as for titles.
        let says = names_signature(pack, &normalised);
        said.insert(words.into(), says);
        says
    };
    // A prose prompt's last clauses read as labels ("... must be signed by said doctor; ***").
    labels
        .iter()
        .copied()
        .chain(prompt_clauses(text, line, labels))
        .any(|label| says_signature(false, label.text(text)))
        || line.items.iter().any(|item| {
            matches!(item, Inline::Field(field) if says_signature(true, field.name.text(text)))
        })
}

/// Whether a signature line, one of the two lines after it or the line just before it (in the
/// same section: "Therapist: name, licence number" above "Signature:") captures credentials.
fn credentials_near(context: &Context<'_>, signature_lines: &[&Line]) -> bool {
    signature_lines.iter().any(|line| {
        context
            .parts
            .lines_from(line.span.start)
            .take(3)
            .chain(context.parts.line_before(line))
            .any(|near| match context.parts.facts_of(near) {
                // What a line shows depends on its text alone: once per distinct line.
                Some(facts) => facts.credentials(|| shows_credentials(context, near)),
                None => shows_credentials(context, near),
            })
    })
}

/// Whether a signature line captures credentials: a label, field name or word that says
/// credentials or names a designation, or a choice of designations.
fn shows_credentials(context: &Context<'_>, line: &Line) -> bool {
    let elements = &context.pack.elements;
    let words = normalize_phrase(&line.span.text(context.text).replace('_', " "));
    contains_any(&words, &elements.credentials) || contains_any(&words, &elements.designations)
}

/// After the first heading line when it is a level-1 title, else after the front matter, else
/// at the very start.
fn date_insertion(context: &Context<'_>) -> (usize, String, String) {
    let newline = context.line_break();
    let document = &context.parse.document;
    if let Some(first) = document.sections.first()
        && first.heading.level == 1
    {
        return (first.heading.span.end, newline.to_string(), String::new());
    }
    if let Some(front_matter) = &document.front_matter {
        return (front_matter.span.end, newline.to_string(), String::new());
    }
    (0, String::new(), newline.to_string())
}
