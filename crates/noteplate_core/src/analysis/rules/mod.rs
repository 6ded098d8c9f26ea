//! The rules, one file per family. Each family is a function that reads a [`Context`] and pushes
//! diagnostics; none of them knows about the others.

mod code_pairs;
pub(super) mod environment;
pub(super) mod fields;
mod front_matter;
mod includes;
pub(super) mod note_elements;
pub(crate) mod plan_of_care;
mod region;
mod required_sections;
mod response;
mod structure;
mod syntax_errors;
mod technique_wording;
mod techniques;
pub(super) mod timed_minutes;

use std::rc::Rc;

use crate::rulepack::{NoteType, RuleId, RulePack};
use crate::syntax::Span;

use super::lexicon;
use super::parts::{Part, Parts};
use super::{Diagnostic, Fix, Semantics};

pub(super) struct Context<'a> {
    pub text: &'a str,
    pub parse: &'a Parse,
    pub pack: &'a RulePack,
    pub semantics: &'a Semantics,
    pub includes: &'a super::Includes,
    /// The pack's lexicon tables, from the caller's memo.
    pub lexicon: Rc<lexicon::Lexicon>,
    /// The document's parts and what each shows (`parts.rs`): rules read these instead of
    /// walking every line.
    pub parts: &'a Parts<'a>,
    /// The conflicting field types of the last analysis (the caller's memo).
    pub conflicts: &'a std::cell::RefCell<fields::Conflicts>,
    /// [`Context::sections_of_kind_nested`] per kind asked for, worked out once per analysis.
    pub nested: std::cell::RefCell<Vec<(String, Rc<[usize]>)>>,
    /// `required_sections::note_type_phrase`, worked out once per analysis: several rules name
    /// the note type in their findings, a template often in several.
    pub note_type_phrase: std::cell::OnceCell<Option<String>>,
    /// (section index, rank in the pack's canonical order) of each section of a known kind, in
    /// order, for `required_sections::insert_section_fix`: worked out once per analysis (a
    /// template missing several sections gets a fix for each).
    pub ranked_sections: std::cell::OnceCell<Vec<(usize, usize)>>,
    /// The families of the declared codes the pack knows, in order (duplicates kept), for the
    /// skeleton of an inserted section: worked out once per analysis.
    pub code_families: std::cell::OnceCell<Vec<&'a str>>,
}

use crate::syntax::Parse;

/// What rules work out from a text of its own, remembered across analyses with one pack (in
/// `analysis::Memo`), emptied when the pack changes or the memo outgrows the document. Read
/// while a part's facts are worked out (`parts.rs`).
#[derive(Default)]
pub(crate) struct RuleMemo {
    generation: Option<u64>,
    /// Entries kept whatever the document's size (`Memo::remember_at_least`).
    pub floor: usize,
    /// label -> whether it says signature
    pub signature_labels: lexicon::FxHashMap<Box<str>, bool>,
    /// field name -> whether it says signature
    pub signature_fields: lexicon::FxHashMap<Box<str>, bool>,
}

impl RuleMemo {
    /// Empties the memo for another pack, or when it holds more than four entries per line of
    /// the document (and at least 4,096, or the memo's floor).
    pub fn prepare(&mut self, pack: &RulePack, lines: usize) {
        let size = self.signature_labels.len() + self.signature_fields.len();
        if self.generation != Some(pack.generation()) || size > self.floor.max(4_096).max(4 * lines)
        {
            *self = RuleMemo {
                generation: Some(pack.generation()),
                floor: self.floor,
                ..RuleMemo::default()
            };
        }
    }
}

/// What rules ask of a single line, remembered with the line's facts (`parts::LineFacts`, one
/// per distinct line text): each answer depends on the line's text alone, and the same lines
/// recur across templates (a corpus of 10,000 templates has about 24,000 distinct lines), so a
/// rule that asked again of every line of every template normalised the same words thousands of
/// times. Read through [`Context::line_answer`].
#[derive(Debug, Default)]
pub(crate) struct LineAnswers {
    /// The line is open-ended (`response::open_ended`).
    pub open_ended: std::sync::OnceLock<bool>,
    /// The line captures a body region (`region::line_captures_region`).
    pub captures_region: std::sync::OnceLock<bool>,
    /// The words of the line's date inputs a note type's own dates are looked for in
    /// (`note_elements::date_input_words`).
    pub date_input_words: std::sync::OnceLock<Box<[String]>>,
}

/// A diagnostic for `rule` at its default severity from the pack.
pub(super) fn diagnostic(
    pack: &RulePack,
    rule: RuleId,
    span: Span,
    message: impl Into<String>,
) -> Diagnostic {
    Diagnostic {
        rule,
        severity: pack.severity(rule),
        message: message.into(),
        span,
        fix: None,
        related: Vec::new(),
    }
}

/// A finding a part remembered (spans relative to the part), placed in the document at the
/// severity the pack gives its rule now.
pub(super) fn placed(part: &Part<'_>, pack: &RulePack, finding: &Diagnostic) -> Diagnostic {
    let mut placed = super::parts::moved(finding, 0, part.start);
    placed.severity = pack.severity(placed.rule);
    placed
}

impl<'a> Context<'a> {
    /// The note type the template is (declared or recognised), when the pack knows it.
    pub fn note_type(&self) -> Option<&'a NoteType> {
        self.pack.note_type(self.semantics.note_type.as_deref()?)
    }

    /// The parts of every technique section and its subsections, in document order.
    pub fn technique_parts(&self) -> impl Iterator<Item = &Part<'a>> + '_ {
        let indices = self.sections_of_kind_nested("technique");
        (0..indices.len()).map(move |at| self.parts.section(indices[at]))
    }

    /// `work` (a question about `line` that its text alone answers), remembered in the line's
    /// [`LineAnswers`] (`which` picks the answer), or worked out each time for a line a comment
    /// from outside it touches (it has no remembered facts).
    pub fn line_answer(
        &self,
        line: &crate::syntax::Line,
        which: impl FnOnce(&LineAnswers) -> &std::sync::OnceLock<bool>,
        work: impl FnOnce() -> bool,
    ) -> bool {
        match self.parts.facts_of(line) {
            Some(facts) => *which(&facts.answers).get_or_init(work),
            None => work(),
        }
    }

    /// A diagnostic for `rule` at its default severity from the pack.
    pub fn diagnostic(&self, rule: RuleId, span: Span, message: impl Into<String>) -> Diagnostic {
        diagnostic(self.pack, rule, span, message)
    }

    /// Content lines of every technique section, including its subsections.
    pub fn technique_lines(&self) -> Vec<&'a crate::syntax::Line> {
        self.lines_of_kind("technique")
    }

    /// Content lines of every section of `kind`, including subsections.
    pub fn lines_of_kind(&self, kind: &str) -> Vec<&'a crate::syntax::Line> {
        let document = &self.parse.document;
        self.sections_of_kind_nested(kind)
            .iter()
            .flat_map(|&index| document.sections[index].lines.iter())
            .collect()
    }

    /// Indices of every section of `kind` and of the sections nested in them, in order. Several
    /// rules ask for the same kinds: each is worked out once per analysis.
    pub fn sections_of_kind_nested(&self, kind: &str) -> Rc<[usize]> {
        if let Some((_, known)) = self.nested.borrow().iter().find(|(known, _)| known == kind) {
            return known.clone();
        }
        let indices: Rc<[usize]> = self.find_sections_of_kind_nested(kind).into();
        self.nested
            .borrow_mut()
            .push((kind.to_string(), indices.clone()));
        indices
    }

    fn find_sections_of_kind_nested(&self, kind: &str) -> Vec<usize> {
        let document = &self.parse.document;
        let mut indices: Vec<usize> = self.semantics.sections_of_kind(kind).collect();
        // Which sections are already in `indices`, so a long template's scan stays linear.
        let mut included = vec![false; document.sections.len()];
        for &index in &indices {
            included[index] = true;
        }
        let mut cursor = 0;
        while cursor < indices.len() {
            for &child in &document.sections[indices[cursor]].children {
                if !included[child] {
                    included[child] = true;
                    indices.push(child);
                }
            }
            cursor += 1;
        }
        indices.sort_unstable();
        indices
    }

    /// The line break the document already uses, so inserted text matches it
    /// ([`crate::syntax::line_break`]).
    pub fn line_break(&self) -> &'static str {
        crate::syntax::line_break(self.text)
    }
}

pub(super) fn run_all(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    syntax_errors::check(context, out);
    front_matter::check(context, out);
    required_sections::check(context, out);
    structure::check(context, out);
    fields::check(context, out);
    techniques::check(context, out);
    technique_wording::check(context, out);
    timed_minutes::check(context, out);
    note_elements::check(context, out);
    response::check(context, out);
    plan_of_care::check(context, out);
    region::check(context, out);
    code_pairs::check(context, out);
    includes::check(context, out);
}

/// A fix that replaces `span` with `new_text`.
pub(super) fn replace(
    title: impl Into<String>,
    span: Span,
    new_text: impl Into<String>,
    safe: bool,
) -> Fix {
    Fix {
        title: title.into(),
        edits: vec![super::Edit {
            span,
            new_text: new_text.into(),
        }],
        safe,
    }
}
