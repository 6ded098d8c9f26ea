//! A document in parts: the preamble (everything before the first heading, front matter
//! included) and each section's own part (its heading line up to the next heading). The grammar
//! is line based and no comment crosses a heading, so what a part shows follows from the part's
//! text alone: its section's kind, the elements its lines show (labels, wording, field names),
//! its first date of service, the findings about its fields and choices, its typed fields, its
//! signature lines, its minutes fields and, for technique sections, what its wording runs say.
//!
//! These facts are remembered per part text ([`PartMemo`], in `analysis::Memo`), with spans
//! relative to the part's start, so that after a keystroke only the edited part is worked out
//! again; the semantic model and the rules read the parts' facts and combine them (work linear
//! in the number of sections and findings, not in the number of lines). A part a comment crosses
//! into or out of (which the grammar does not allow across a heading, but the check is cheap) is
//! worked out each time and not remembered. Findings never depend on the memo: a part's facts
//! are the same whether remembered or worked out (the property tests compare with fresh
//! analyses).

use std::cell::OnceCell;
use std::rc::Rc;
use std::sync::{Arc, OnceLock};

use super::lexicon::{FxHashMap, Lexicon};
use super::rules::{self, RuleMemo};
use super::semantics::{self, NeedsTitle, Recognition, SectionInfo};
use super::{Diagnostic, technique_runs};
use crate::rulepack::{RuleId, RulePack};
use crate::syntax::{Comment, Document, Inline, Line, Span, TextEdit};

/// What one part shows, spans relative to the part's start.
#[derive(Debug)]
pub(crate) struct PartFacts {
    /// The section's kind (`None` for the preamble).
    pub info: Option<std::sync::Arc<SectionInfo>>,
    /// (index of the line in the part, kind, span) of each element shown by a line that is not
    /// remembered (`lines[index]` is `None`), in order; the remembered lines keep their own
    /// ([`Part::for_each_element`] gives them all in order, with no copy per part).
    elements: Vec<(usize, std::sync::Arc<str>, Span)>,
    /// How many elements its remembered lines show: with `elements`, what
    /// [`Part::element_count`] answers without a pass over the lines (the language server asks
    /// on every keystroke, for every part).
    remembered_elements: usize,
    /// The first date of service in its lines (never in a signature section).
    pub date_of_service: Option<Span>,
    /// Findings about single fields and choices (`rules/fields.rs`), in order.
    pub field_findings: Vec<Diagnostic>,
    /// Each typed field of a known type: (name, type in lower case, span of the type).
    pub typed_fields: Vec<(Arc<str>, &'static str, Span)>,
    /// Starts of the lines whose label or field name says signature.
    pub signature_lines: Vec<usize>,
    /// The contexts of the fields that capture minutes, in order (`rules/timed_minutes.rs`).
    pub minutes: Vec<String>,
    /// What its wording runs say, worked out the first time a technique rule asks.
    technique: OnceCell<TechniqueFacts>,
    /// Every element its lines show, in order, spans relative to the part's start: gathered the
    /// first time the semantic model asks of a part kept for later analyses ([`Part::kept`]).
    flat_elements: OnceCell<FlatElements>,
    /// What each of its lines shows (in the order of its lines), `None` for a line a comment
    /// from outside it touches: rules read a line's remembered facts ([`LineFacts::plan`])
    /// through these.
    pub lines: Vec<Option<Arc<LineFacts>>>,
}

/// (kind, span relative to the part's start) of each element of a part, in order.
type FlatElements = Box<[(Arc<str>, Span)]>;

/// What one line shows, whatever the part it is in (when no comment touches it but those wholly
/// inside it), spans relative to the line's start: remembered per distinct line text
/// (`Recognition::lines`), so that a line seen before costs one lookup.
#[derive(Debug)]
pub(crate) struct LineFacts {
    /// (kind, span) of each element it shows, in order (`semantics::line_elements`).
    elements: Vec<(std::sync::Arc<str>, Span)>,
    /// The item that is its date of service, or `Err` when that depends on its section's title.
    date: Result<Option<usize>, NeedsTitle>,
    /// Its label, when the line is a title line that says date of service
    /// (`semantics::title_line_date_of_service`), relative to the line's start.
    title_date: Option<Span>,
    /// Its label or a field name says signature.
    signature: bool,
    /// The contexts of its fields that capture minutes, in order.
    minutes: Vec<String>,
    /// Its findings about single fields and choices (`rules::fields::line_findings`).
    field_findings: Vec<Diagnostic>,
    /// Its typed fields of a known type: (name, type in lower case, span of the type).
    typed_fields: Vec<(Arc<str>, &'static str, Span)>,
    /// What it says to the plan rule, worked out the first time that rule asks.
    plan: OnceLock<PlanLine>,
    /// It shows credentials (`rules::note_elements`), worked out the first time that rule asks.
    credentials: OnceLock<bool>,
    /// What other rules asked of it (`rules::LineAnswers`), each worked out the first time.
    pub answers: rules::LineAnswers,
    /// Its date of service under each section title it was asked under, when `date` depends on
    /// the title ([`LineFacts::date_under`]): kept with the line, so that `check`'s workers,
    /// which share lines, work each (title, line) out once between them.
    titled_dates: std::sync::Mutex<FxHashMap<Box<str>, Option<usize>>>,
}

/// What lines show ([`LineFacts`], by line text), shared by the memos of several threads with one
/// pack: `noteplate check` runs a worker per core, each with its own [`super::Memo`], and a corpus's
/// workers meet most of the same distinct lines, so without it each worked them all out (on
/// 10,000 generated templates, 24,000 first recognitions instead of 17,000). A worker looks here
/// only when its own memo misses, so a line costs one lock per worker at most. A line's facts
/// depend on its text and the pack alone (and what is worked out later inside them, the first
/// time a rule asks, is the same whoever asks), so findings never depend on what is shared.
#[derive(Clone, Default)]
pub struct SharedLines(Arc<std::sync::Mutex<SharedLineMap>>);

#[derive(Default)]
struct SharedLineMap {
    /// The generation of the pack the lines were worked out with (`RulePack::generation`).
    generation: Option<u64>,
    lines: FxHashMap<Box<str>, Arc<LineFacts>>,
}

impl std::fmt::Debug for SharedLines {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SharedLines").finish_non_exhaustive()
    }
}

/// Lines shared before the shared memo is emptied, unless the memos' floor is higher.
const SHARED_LINES_MINIMUM: usize = 4_096;

impl SharedLines {
    /// Whether `other` is this shared memo (not a copy of its contents).
    pub(crate) fn is(&self, other: &SharedLines) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, SharedLineMap> {
        // A thread that panicked while holding the lock left a map that is whole (an insert or a
        // clear either happened or did not), so it stays usable.
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The facts of `line` worked out with the pack of `generation`, if a thread shared them.
    fn get(&self, generation: u64, line: &str) -> Option<Arc<LineFacts>> {
        let map = self.lock();
        if map.generation != Some(generation) {
            return None;
        }
        map.lines.get(line).cloned()
    }

    /// Shares `facts` of `line` (worked out with the pack of `generation`), and gives the facts
    /// shared for it: another thread's, if it shared the line first (they are equal, and what a
    /// rule works out inside them later is then worked out once), else `facts`. Lines of
    /// another pack are forgotten first, and all of them past `limit` entries.
    fn put(
        &self,
        generation: u64,
        line: &str,
        facts: Arc<LineFacts>,
        limit: usize,
    ) -> Arc<LineFacts> {
        let mut map = self.lock();
        if map.generation != Some(generation) || map.lines.len() >= limit.max(SHARED_LINES_MINIMUM)
        {
            map.generation = Some(generation);
            map.lines.clear();
        }
        map.lines.entry(line.into()).or_insert(facts).clone()
    }
}

/// What one line says to `plan-without-frequency` (`rules/plan_of_care.rs`), the same wherever
/// the line is.
#[derive(Debug)]
pub(crate) struct PlanLine {
    /// Its label says frequency or duration of the symptoms (`semantics::describes_symptoms`).
    pub symptoms: bool,
    /// It has a label that says frequency or duration, so its words count as the plan's.
    pub rate_label: bool,
    /// What it adds to the template's label words: a space and its normalised label (when it
    /// has one), then a space and the words of each field name.
    pub label_words: String,
    /// Its whole text normalised, worked out the first time the rule asks ([`PlanLine::words`]:
    /// only plan lines and rate lines are asked, and every line gets a `PlanLine`).
    words: OnceLock<String>,
    /// Its words hold a token of the rate notation ("2w3"), worked out the first time the rule
    /// asks ([`PlanLine::states_notation`]).
    notation: OnceLock<bool>,
}

impl LineFacts {
    fn new(
        text: &str,
        line: &Line,
        pack: &RulePack,
        recognition: &mut Recognition,
        rules_memo: &mut RuleMemo,
    ) -> LineFacts {
        crate::work::count_recognised_line();
        let at = line.span.start;
        let mut elements = Vec::new();
        // The labels once, for the elements and the signature.
        let labels: Vec<Span> = semantics::line_labels(text, line).collect();
        semantics::line_elements(text, line, &labels, pack, recognition, |kind, span| {
            elements.push((kind.into(), Span::new(span.start - at, span.end - at)))
        });
        // `Err` (the answer depends on the section's title) only for a line with an input:
        // `compute` relies on it.
        let date = if semantics::has_input(text, line) {
            semantics::date_of_service_in(text, None, line, pack)
        } else {
            Ok(None)
        };
        let title_date = semantics::title_line_date_of_service(text, line, pack)
            .map(|span| Span::new(span.start - at, span.end - at));
        let mut field_findings = Vec::new();
        let mut typed_fields = Vec::new();
        rules::fields::line_findings(pack, text, line, &mut field_findings, &mut typed_fields);
        for finding in &mut field_findings {
            *finding = moved(finding, at, 0);
        }
        for (_, _, span) in &mut typed_fields {
            *span = Span::new(span.start - at, span.end - at);
        }
        LineFacts {
            elements,
            date,
            title_date,
            signature: rules::note_elements::says_signature(text, line, &labels, pack, rules_memo),
            minutes: rules::timed_minutes::line_minutes(text, line, pack),
            field_findings,
            typed_fields,
            plan: OnceLock::new(),
            credentials: OnceLock::new(),
            answers: Default::default(),
            titled_dates: Default::default(),
        }
    }

    /// The item of the line (`line`, of `text`, the line these facts were worked out for or
    /// one with the same text) that is its date of service under a section titled `title`
    /// (`semantics::date_of_service_in`), worked out once per title.
    fn date_under(&self, text: &str, title: &str, line: &Line, pack: &RulePack) -> Option<usize> {
        // A thread that panicked while holding the lock left a map that is whole.
        let mut dates = self
            .titled_dates
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(&found) = dates.get(title) {
            return found;
        }
        let found = semantics::date_of_service_in(text, Some(title), line, pack).unwrap_or(None);
        dates.insert(title.into(), found);
        found
    }

    /// Whether the line shows credentials: `shows` of the line, worked out once.
    pub fn credentials(&self, shows: impl FnOnce() -> bool) -> bool {
        *self.credentials.get_or_init(shows)
    }

    /// What the line (`line`, of `text`, the line these facts were worked out for or one with
    /// the same text) says to the plan rule.
    pub fn plan(&self, text: &str, line: &Line, pack: &RulePack) -> &PlanLine {
        self.plan.get_or_init(|| PlanLine::new(text, line, pack))
    }

    /// Adds what the line shows to `facts` (of a part in which the line starts at `at`), and
    /// gives its date of service.
    fn add_to(&self, facts: &mut PartFacts, at: usize) -> Result<Option<usize>, NeedsTitle> {
        let shift = |span: Span| Span::new(span.start + at, span.end + at);
        facts.remembered_elements += self.elements.len();
        if self.signature {
            facts.signature_lines.push(at);
        }
        facts.minutes.extend(self.minutes.iter().cloned());
        facts.field_findings.extend(
            self.field_findings
                .iter()
                .map(|finding| moved(finding, 0, at)),
        );
        facts.typed_fields.extend(
            self.typed_fields
                .iter()
                .map(|(name, ty, span)| (name.clone(), *ty, shift(*span))),
        );
        self.date
    }
}

/// A line's [`PlanLine`]: remembered with the line, or worked out for a line a comment from
/// outside it touches.
pub(crate) enum PlanOf<'s> {
    Remembered(&'s PlanLine),
    Fresh(Box<PlanLine>),
}

impl std::ops::Deref for PlanOf<'_> {
    type Target = PlanLine;
    fn deref(&self) -> &PlanLine {
        match self {
            PlanOf::Remembered(plan) => plan,
            PlanOf::Fresh(plan) => plan,
        }
    }
}

impl PlanLine {
    pub fn new(text: &str, line: &Line, pack: &RulePack) -> PlanLine {
        let elements = &pack.elements;
        let label = semantics::line_label(text, line)
            .map(|label| crate::rulepack::normalize_phrase(label.text(text)));
        let rate_label = label.as_deref().is_some_and(|label| {
            crate::rulepack::contains_any(label, &elements.frequency_labels)
                || crate::rulepack::contains_any(label, &elements.duration_labels)
        });
        // `semantics::labels_symptoms`, whose first test is `rate_label`.
        let symptoms = rate_label
            && label
                .as_deref()
                .is_some_and(|label| semantics::says_symptoms(text, line, label, pack));
        let mut label_words = String::new();
        if let Some(label) = &label {
            label_words.push(' ');
            label_words.push_str(label);
        }
        for item in &line.items {
            if let Inline::Field(field) = item {
                label_words.push(' ');
                semantics::field_words_into(field.name.text(text), &mut label_words);
            }
        }
        PlanLine {
            symptoms,
            rate_label,
            label_words,
            words: OnceLock::new(),
            notation: OnceLock::new(),
        }
    }

    /// The whole text of `line` (the line this was worked out for, or one with its text)
    /// normalised.
    pub fn words(&self, text: &str, line: &Line) -> &str {
        self.words.get_or_init(|| {
            let whole = line.span.text(text);
            if !whole.contains("<!--") {
                return crate::rulepack::normalize_phrase(whole);
            }
            // A comment on the line is no part of the note ("- <!-- completed sessions vs total
            // planned -->" states no duration): only the line's items, which leave it out.
            let mut words = String::with_capacity(whole.len());
            let mut normalizer = crate::rulepack::PhraseNormalizer::default();
            for item in &line.items {
                normalizer.push(" ", &mut words);
                normalizer.push(item.span().text(text), &mut words);
            }
            words
        })
    }

    /// Whether [`PlanLine::words`] hold a token of the pack's rate notation
    /// (`rules::plan_of_care::states_rate_notation`). A token never spans two lines' words
    /// (the plan rule joins them with a space), so the template's plan words hold one exactly
    /// when one of their lines' words does.
    pub fn states_notation(&self, text: &str, line: &Line, pack: &RulePack) -> bool {
        *self.notation.get_or_init(|| {
            rules::plan_of_care::states_rate_notation(
                self.words(text, line),
                &pack.elements.rate_notation,
            )
        })
    }
}

/// What a part's wording runs say, when it is (in) a technique section.
#[derive(Debug)]
pub(crate) struct TechniqueFacts {
    /// `unknown-technique` findings, in order.
    pub findings: Vec<Diagnostic>,
    /// Every technique named: (index into `RulePack::techniques`, span, generic wording).
    pub mentions: Vec<(usize, Span, bool)>,
    /// A `{{x:technique}}` field.
    pub technique_field: bool,
}

/// One part of the analysed document and its facts.
pub(crate) struct Part<'d> {
    /// Where the part starts: 0 for the preamble, else its heading's start.
    pub start: usize,
    /// Its section (`None` for the preamble).
    pub section: Option<usize>,
    /// Its own content lines.
    pub lines: &'d [Line],
    pub facts: Rc<PartFacts>,
    /// Its facts are remembered for later analyses (by text, or by position after an edit: the
    /// language server's parts, not `noteplate check`'s).
    pub kept: bool,
}

impl Part<'_> {
    /// Calls `each` with the kind and the span (in the document) of every element the part's
    /// lines show, in order. A part kept for later analyses gathers them once into its facts,
    /// so that the language server, which asks for every part on every keystroke, walks only
    /// elements and not every line of the document; other parts (`noteplate check`'s, met once)
    /// read them from the lines' facts with no copy. Inlined into its callers: a call per part
    /// and an element handed through a closure cost the keystroke at 20,000 lines 35,000
    /// instructions more when the compiler stopped inlining it on its own.
    #[inline]
    pub fn for_each_element(&self, mut each: impl FnMut(&std::sync::Arc<str>, Span)) {
        if !self.kept {
            return self.walk_elements(each);
        }
        let at = self.start;
        let flat = self.facts.flat_elements.get_or_init(|| {
            let mut flat = Vec::with_capacity(self.element_count());
            self.walk_elements(|kind, span| {
                flat.push((kind.clone(), Span::new(span.start - at, span.end - at)))
            });
            flat.into()
        });
        for (kind, span) in flat.iter() {
            each(kind, span.shifted(at));
        }
    }

    /// [`Part::for_each_element`] read from the remembered lines' facts and the part's own.
    fn walk_elements(&self, mut each: impl FnMut(&std::sync::Arc<str>, Span)) {
        let mut fresh = self.facts.elements.iter().peekable();
        for (index, (line, facts)) in self.lines.iter().zip(&self.facts.lines).enumerate() {
            match facts {
                Some(facts) => {
                    let at = line.span.start;
                    for (kind, span) in &facts.elements {
                        each(kind, Span::new(span.start + at, span.end + at));
                    }
                }
                None => {
                    while let Some((_, kind, span)) =
                        fresh.next_if(|(line_index, _, _)| *line_index == index)
                    {
                        each(kind, span.shifted(self.start));
                    }
                }
            }
        }
    }

    /// How many elements [`Part::for_each_element`] gives.
    pub fn element_count(&self) -> usize {
        self.facts.elements.len() + self.facts.remembered_elements
    }
}

/// The parts of a document in order: the preamble, then one per section.
pub(crate) struct Parts<'d> {
    parts: Vec<Part<'d>>,
}

/// What analyses remember per part text, for one pack and lexicon.
#[derive(Default)]
pub(crate) struct PartMemo {
    generation: Option<u64>,
    lexicon: Option<Rc<Lexicon>>,
    facts: FxHashMap<Box<str>, Rc<PartFacts>>,
    /// The parts of the last analysis, when its caller named its text ([`Since`]).
    last: Option<LastParts>,
    /// What the caller says about the next analysis's text (`Memo::expect_edit`).
    pub(crate) since: Option<Since>,
    /// Parts are not looked up or remembered by their text (`Memo::remember_parts`).
    pub(crate) not_by_text: bool,
}

/// The caller's word about the next analysis's text (`Memo::expect_text`): its name, and that
/// it is the text named `since.0` (the last one analysed with this memo, if the memo remembers
/// it by that name) with the edit `since.1` applied. Parts outside the edit are then taken from
/// the last analysis by position, with no hashing of their text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Since {
    pub current: u64,
    pub since: Option<(u64, TextEdit)>,
}

/// The parts of the last analysis and the name and length of its text.
struct LastParts {
    name: u64,
    len: usize,
    /// (start, end, whether it is a section's part, facts) in document order. Only parts whose
    /// facts may be remembered (no comment crosses their bounds).
    parts: Vec<(usize, usize, bool, Rc<PartFacts>)>,
}

impl LastParts {
    /// The facts of the old part `start..end` (a section's or the preamble), if it was one.
    /// `cursor` is where the last search stopped: parts are looked for in document order.
    fn find(
        &self,
        cursor: &mut usize,
        start: usize,
        end: usize,
        section: bool,
    ) -> Option<&Rc<PartFacts>> {
        while self.parts.get(*cursor).is_some_and(|part| part.0 < start) {
            *cursor += 1;
        }
        match self.parts.get(*cursor) {
            Some((found, found_end, is_section, facts))
                if *found == start && *found_end == end && *is_section == section =>
            {
                Some(facts)
            }
            _ => None,
        }
    }
}

/// Parts remembered per part of the document (and at least this many) before the memo is
/// emptied: a long session edits many parts.
const PARTS_PER_PART: usize = 4;
const PARTS_MINIMUM: usize = 4_096;

impl PartMemo {
    fn prepare(&mut self, pack: &RulePack, lexicon: Option<&Rc<Lexicon>>, parts: usize) {
        let same_lexicon = match (&self.lexicon, lexicon) {
            (Some(known), Some(lexicon)) => Rc::ptr_eq(known, lexicon),
            (known, lexicon) => known.is_none() && lexicon.is_none(),
        };
        if self.generation != Some(pack.generation())
            || !same_lexicon
            || self.facts.len() > PARTS_MINIMUM.max(PARTS_PER_PART * parts)
        {
            *self = PartMemo {
                generation: Some(pack.generation()),
                lexicon: lexicon.cloned(),
                facts: FxHashMap::default(),
                last: None,
                since: None,
                not_by_text: self.not_by_text,
            };
        }
    }
}

/// The memos a part's facts are worked out with.
pub(crate) struct Memos<'m> {
    pub parts: &'m mut PartMemo,
    pub recognition: &'m mut Recognition,
    pub rules: &'m mut RuleMemo,
}

impl<'d> Parts<'d> {
    /// The parts of `document` (a parse of `text`), worked out without any memo.
    pub fn fresh(text: &str, document: &'d Document, pack: &RulePack) -> Parts<'d> {
        Parts::build(
            text,
            document,
            pack,
            None,
            Memos {
                parts: &mut PartMemo::default(),
                recognition: &mut Recognition::default(),
                rules: &mut RuleMemo::default(),
            },
        )
    }

    /// The parts of `document` (a parse of `text`), each from the memo when its text was seen
    /// with this pack (and `lexicon`, the one technique facts will be worked out with), else
    /// worked out (and remembered).
    pub fn build(
        text: &str,
        document: &'d Document,
        pack: &RulePack,
        lexicon: Option<&Rc<Lexicon>>,
        memos: Memos<'_>,
    ) -> Parts<'d> {
        let Memos {
            parts: memo,
            recognition,
            rules,
        } = memos;
        let sections = &document.sections;
        let since = memo.since.take();
        memo.prepare(pack, lexicon, sections.len() + 1);
        // The last analysis's parts, when the caller says this text is its text after `edit`.
        let last = memo.last.take();
        let reuse = match (since.and_then(|since| since.since), last) {
            (Some((previous, edit)), Some(last))
                if previous == last.name
                    && edit.start <= edit.old_end
                    && edit.start <= edit.new_end
                    && edit.old_end <= last.len
                    && last.len - edit.old_end + edit.new_end == text.len() =>
            {
                Some((edit, last))
            }
            _ => None,
        };
        let mut remembered = Vec::with_capacity(if since.is_some() {
            sections.len() + 1
        } else {
            0
        });
        let mut cursor = 0;
        let mut comment_cursor = 0;
        recognition.prepare(pack, document);
        let lines = document.preamble.len()
            + sections
                .iter()
                .map(|section| section.lines.len())
                .sum::<usize>();
        rules.prepare(pack, lines);
        let end_of = |index: usize| {
            sections
                .get(index)
                .map_or(text.len(), |section| section.heading.span.start)
        };
        let mut parts = Vec::with_capacity(sections.len() + 1);
        for section in std::iter::once(None).chain((0..sections.len()).map(Some)) {
            let (start, end, lines) = match section {
                None => (0, end_of(0), document.preamble.as_slice()),
                Some(index) => (
                    sections[index].heading.span.start,
                    end_of(index + 1),
                    sections[index].lines.as_slice(),
                ),
            };
            let key = text.get(start..end.max(start)).unwrap_or("");
            let compute = |recognition: &mut Recognition, rules: &mut RuleMemo| {
                Rc::new(compute(
                    text,
                    document,
                    section,
                    start,
                    lines,
                    pack,
                    recognition,
                    rules,
                ))
            };
            // A part wholly before or after the edit has the text it had in the last analysis
            // (at the same place, or shifted by the edit's length), so it shows what it showed.
            let unchanged = reuse.as_ref().and_then(|(edit, last)| {
                if end <= edit.start {
                    last.find(&mut cursor, start, end, section.is_some())
                } else if start >= edit.new_end {
                    let old = |offset: usize| offset - edit.new_end + edit.old_end;
                    last.find(&mut cursor, old(start), old(end), section.is_some())
                } else {
                    None
                }
            });
            let rememberable = comments_inside(&document.comments, &mut comment_cursor, start, end);
            let kept = rememberable && (!memo.not_by_text || unchanged.is_some());
            let facts = if !kept {
                compute(recognition, rules)
            } else if let Some(facts) = unchanged {
                facts.clone()
            } else {
                // A section's facts have its kind, the preamble's none: the same text never
                // stands for both, but a remembered part must be the same kind of part.
                crate::work::count_part_lookup();
                match memo.facts.get(key) {
                    Some(facts) if facts.info.is_some() == section.is_some() => facts.clone(),
                    Some(_) => compute(recognition, rules),
                    None => {
                        let facts = compute(recognition, rules);
                        memo.facts.insert(key.into(), facts.clone());
                        facts
                    }
                }
            };
            if since.is_some() && rememberable {
                remembered.push((start, end, section.is_some(), facts.clone()));
            }
            parts.push(Part {
                start,
                section,
                lines,
                facts,
                kept,
            });
        }
        memo.last = since.map(|since| LastParts {
            name: since.current,
            len: text.len(),
            parts: remembered,
        });
        Parts { parts }
    }

    /// Every part in document order, the preamble first.
    pub fn iter(&self) -> std::slice::Iter<'_, Part<'d>> {
        self.parts.iter()
    }

    /// The sections' parts, in the order of `Document::sections`.
    pub fn sections(&self) -> std::slice::Iter<'_, Part<'d>> {
        self.parts[1..].iter()
    }

    /// The part of section `index`.
    pub fn section(&self, index: usize) -> &Part<'d> {
        &self.parts[index + 1]
    }

    /// The position of the part a content line starting at `offset` belongs to.
    fn part_at(&self, offset: usize) -> usize {
        // The preamble starts at 0 too, and comes first.
        self.parts
            .partition_point(|part| part.start <= offset)
            .saturating_sub(1)
    }

    /// Every content line in document order (as `Document::lines`) with what it says to the
    /// plan rule: its remembered [`PlanLine`], or one worked out now for a line a comment touches.
    pub fn plan_lines<'s>(
        &'s self,
        text: &'s str,
        pack: &'s RulePack,
    ) -> impl Iterator<Item = (&'d Line, PlanOf<'s>)> + 's {
        self.parts.iter().flat_map(move |part| {
            part.lines.iter().enumerate().map(move |(at, line)| {
                let plan = match part.facts.lines.get(at) {
                    Some(Some(facts)) => PlanOf::Remembered(facts.plan(text, line, pack)),
                    _ => PlanOf::Fresh(Box::new(PlanLine::new(text, line, pack))),
                };
                (line, plan)
            })
        })
    }

    /// What `line` (a content line of this document) says to the plan rule.
    pub fn plan_of<'s>(&'s self, text: &str, line: &Line, pack: &RulePack) -> PlanOf<'s> {
        match self.facts_of(line) {
            Some(facts) => PlanOf::Remembered(facts.plan(text, line, pack)),
            None => PlanOf::Fresh(Box::new(PlanLine::new(text, line, pack))),
        }
    }

    /// The remembered facts of `line` (a content line of this document), `None` for a line a
    /// comment touches.
    pub fn facts_of(&self, line: &Line) -> Option<&LineFacts> {
        let offset = line.span.start;
        let part = &self.parts[self.part_at(offset)];
        let at = part
            .lines
            .partition_point(|other| other.span.start < offset);
        match (part.lines.get(at), part.facts.lines.get(at)) {
            (Some(found), Some(Some(facts))) if found.span == line.span => Some(facts),
            _ => None,
        }
    }

    /// The last content line that starts at or before `offset`.
    pub fn line_at(&self, offset: usize) -> Option<&'d Line> {
        self.line_from(self.part_at(offset), offset)
    }

    /// [`Parts::line_at`] for an offset known to be in `section`'s part (`None`: the preamble),
    /// as an element's is: no search for the part.
    pub fn line_in(&self, section: Option<usize>, offset: usize) -> Option<&'d Line> {
        let part = section.map_or(0, |index| index + 1);
        match self.parts.get(part) {
            Some(found)
                if found.start <= offset
                    && self
                        .parts
                        .get(part + 1)
                        .is_none_or(|next| next.start > offset) =>
            {
                self.line_from(part, offset)
            }
            _ => self.line_at(offset),
        }
    }

    /// The last content line that starts at or before `offset`, looking in `part` and the parts
    /// before it.
    fn line_from(&self, mut part: usize, offset: usize) -> Option<&'d Line> {
        loop {
            let lines = self.parts[part].lines;
            let at = lines.partition_point(|line| line.span.start <= offset);
            if let Some(at) = at.checked_sub(1) {
                return Some(&lines[at]);
            }
            part = part.checked_sub(1)?;
        }
    }

    /// The content line just before `line` in its own part (no heading between them), if any.
    pub fn line_before(&self, line: &Line) -> Option<&'d Line> {
        let lines = self.parts[self.part_at(line.span.start)].lines;
        let at = lines.partition_point(|other| other.span.start < line.span.start);
        lines.get(at.checked_sub(1)?)
    }

    /// The content lines right below `line` in its own part, up to the first blank line or title
    /// line (`semantics::is_title_line`): what a title line titles.
    pub fn block_under<'s>(
        &'s self,
        text: &'s str,
        line: &Line,
    ) -> impl Iterator<Item = &'d Line> + 's {
        let lines = self.parts[self.part_at(line.span.start)].lines;
        let at = lines.partition_point(|other| other.span.start <= line.span.start);
        let mut end = line.span.end;
        lines[at..].iter().take_while(move |below| {
            let gap = &text[end.min(below.span.start)..below.span.start];
            // A line between them with nothing but spaces (a comment line is not blank).
            let mut between = gap.split('\n');
            between.next_back();
            let blank = between.skip(1).any(|piece| piece.trim().is_empty());
            let title = super::semantics::line_label(text, below)
                .is_some_and(|label| super::semantics::is_title_line(text, below, label));
            end = below.span.end;
            !blank && !title
        })
    }

    /// The content lines from the one starting at `offset` (or the first after it) to the end of
    /// the document.
    pub fn lines_from(&self, offset: usize) -> impl Iterator<Item = &'d Line> + '_ {
        let part = self.part_at(offset);
        self.parts[part..].iter().flat_map(move |part| {
            let at = part.lines.partition_point(|line| line.span.start < offset);
            part.lines[at..].iter()
        })
    }
}

impl Part<'_> {
    /// What this part's wording runs say (worked out once per remembered part).
    pub fn technique(&self, text: &str, pack: &RulePack, lexicon: &Lexicon) -> &TechniqueFacts {
        self.facts
            .technique
            .get_or_init(|| technique_facts(text, self.start, self.lines, pack, lexicon))
    }
}

/// Whether every comment that overlaps `start..end` lies inside it. `cursor` is the first
/// comment not wholly before the part asked about last: parts are asked about in document
/// order, so the comments are walked once per analysis, not searched once per part.
fn comments_inside(comments: &[Comment], cursor: &mut usize, start: usize, end: usize) -> bool {
    while comments
        .get(*cursor)
        .is_some_and(|comment| comment.span.end <= start)
    {
        *cursor += 1;
    }
    let first = *cursor;
    let mut last = first;
    while comments
        .get(last)
        .is_some_and(|comment| comment.span.start < end)
    {
        last += 1;
    }
    if first >= last {
        return true;
    }
    comments[first].span.start >= start && comments[last - 1].span.end <= end
}

/// Whether every comment that touches the line `line` lies wholly inside it, so that which of
/// its bytes are commented out follows from its text alone (none touching it counts).
/// `comments` starts at the first comment that ends after the line's start.
fn comments_within_line(comments: &[Comment], line: Span) -> bool {
    comments
        .iter()
        .take_while(|comment| comment.span.start < line.end)
        .all(|comment| comment.span.start >= line.start && comment.span.end <= line.end)
}

/// Moves every span of `diagnostic` from offset `from` to offset `to`.
pub(crate) fn moved(diagnostic: &Diagnostic, from: usize, to: usize) -> Diagnostic {
    let shift = |span: Span| Span::new(span.start - from + to, span.end - from + to);
    let mut moved = diagnostic.clone();
    moved.span = shift(moved.span);
    if let Some(fix) = &mut moved.fix {
        for edit in &mut fix.edits {
            edit.span = shift(edit.span);
        }
    }
    for related in &mut moved.related {
        related.span = shift(related.span);
    }
    moved
}

#[allow(clippy::too_many_arguments)]
fn compute(
    text: &str,
    document: &Document,
    section: Option<usize>,
    start: usize,
    lines: &[Line],
    pack: &RulePack,
    recognition: &mut Recognition,
    rules_memo: &mut RuleMemo,
) -> PartFacts {
    let relative = |span: Span| Span::new(span.start - start, span.end - start);
    let info = section.map(|index| {
        let section = &document.sections[index];
        let heading = section.heading.span.text(text);
        match recognition.sections.get(heading) {
            Some(info) => info.clone(),
            None => {
                let info = std::sync::Arc::new(semantics::section_info(text, section, pack));
                recognition.sections.insert(heading.into(), info.clone());
                info
            }
        }
    });
    let signature_section = info.as_ref().is_some_and(|info| info.is("signature"));
    let title = section.map_or("", |index| {
        document.sections[index].heading.title.text(text)
    });
    let comments = &document.comments;
    let mut cursor = comments.partition_point(|comment| comment.span.end <= start);
    let mut facts = PartFacts {
        info,
        elements: Vec::new(),
        remembered_elements: 0,
        date_of_service: None,
        field_findings: Vec::new(),
        typed_fields: Vec::new(),
        signature_lines: Vec::new(),
        minutes: Vec::new(),
        technique: OnceCell::new(),
        flat_elements: OnceCell::new(),
        lines: Vec::with_capacity(lines.len()),
    };
    for (line_index, line) in lines.iter().enumerate() {
        crate::work::count_analysed_line();
        while cursor < comments.len() && comments[cursor].span.end <= line.span.start {
            cursor += 1;
        }
        let by_text = comments_within_line(&comments[cursor..], line.span);
        let wants_date = facts.date_of_service.is_none() && !signature_section;
        let title_date: Option<Span>;
        // The line's own date of service, when it does not depend on the title.
        let date = if by_text {
            // What a line shows depends only on its text when no comment touches it, or when
            // those that do lie wholly inside it (a trailing `<!-- note -->`: where they are
            // follows from the line's text alone): one lookup per line for all of it (templates
            // repeat rows, options and blocks, and their trailing comments).
            let line_text = line.span.text(text);
            let at = line.span.start - start;
            let shown = match recognition.lines.get(line_text) {
                Some(shown) => shown.clone(),
                None => {
                    // Another thread's analyses may have worked the line out already.
                    let shared = recognition.shared.clone();
                    let limit = recognition.floor;
                    let generation = pack.generation();
                    let shown = match shared.as_ref().and_then(|s| s.get(generation, line_text)) {
                        Some(shown) => shown,
                        None => {
                            let shown =
                                Arc::new(LineFacts::new(text, line, pack, recognition, rules_memo));
                            match &shared {
                                Some(shared) => shared.put(generation, line_text, shown, limit),
                                None => shown,
                            }
                        }
                    };
                    recognition.lines.insert(line_text.into(), shown.clone());
                    shown
                }
            };
            let date = shown.add_to(&mut facts, at);
            title_date = shown.title_date.map(|span| span.shifted(at));
            facts.lines.push(Some(shown));
            date
        } else {
            title_date = semantics::title_line_date_of_service(text, line, pack).map(relative);
            facts.lines.push(None);
            let labels: Vec<Span> = semantics::line_labels(text, line).collect();
            semantics::line_elements(text, line, &labels, pack, recognition, |kind, span| {
                facts
                    .elements
                    .push((line_index, kind.into(), relative(span)))
            });
            if rules::note_elements::says_signature(text, line, &labels, pack, rules_memo) {
                facts.signature_lines.push(line.span.start - start);
            }
            facts
                .minutes
                .extend(rules::timed_minutes::line_minutes(text, line, pack));
            let (findings, typed) = (facts.field_findings.len(), facts.typed_fields.len());
            rules::fields::line_findings(
                pack,
                text,
                line,
                &mut facts.field_findings,
                &mut facts.typed_fields,
            );
            for finding in &mut facts.field_findings[findings..] {
                *finding = moved(finding, start, 0);
            }
            for (_, _, span) in &mut facts.typed_fields[typed..] {
                *span = relative(*span);
            }
            // Only a line with an input has a date of service (as `LineFacts::new` says).
            if semantics::has_input(text, line) {
                Err(NeedsTitle)
            } else {
                Ok(None)
            }
        };
        if wants_date {
            let index = match date {
                Ok(found) => found,
                Err(NeedsTitle) => match facts.lines.last() {
                    // A remembered line (pushed above) keeps its dates by title.
                    Some(Some(shown)) => shown.date_under(text, title, line, pack),
                    _ => {
                        semantics::date_of_service_in(text, Some(title), line, pack).unwrap_or(None)
                    }
                },
            };
            if let Some(input) =
                index.and_then(|index| super::inputs::inputs(text, line).nth(index))
            {
                facts.date_of_service = Some(relative(input.span()));
            } else if title_date.is_some() {
                facts.date_of_service = title_date;
            }
        }
    }
    facts
}

fn technique_facts(
    text: &str,
    start: usize,
    lines: &[Line],
    pack: &RulePack,
    lexicon: &Lexicon,
) -> TechniqueFacts {
    let relative = |span: Span| Span::new(span.start - start, span.end - start);
    let mut facts = TechniqueFacts {
        findings: Vec::new(),
        mentions: Vec::new(),
        technique_field: false,
    };
    for line in lines {
        for item in &line.items {
            let (spans, is_option) = match item {
                Inline::Text(span) => (std::slice::from_ref(span), false),
                Inline::Choice(choice) => (choice.options.as_slice(), true),
                Inline::Field(field) => {
                    facts.technique_field |= field
                        .ty
                        .is_some_and(|ty| ty.text(text).eq_ignore_ascii_case("technique"));
                    continue;
                }
                _ => continue,
            };
            for &span in spans {
                let run = technique_runs::facts(lexicon, pack, span.text(text), is_option);
                for miss in &run.misses {
                    let at = Span::new(span.start + miss.span.start, span.start + miss.span.end);
                    let mut diagnostic = rules::diagnostic(
                        pack,
                        RuleId::UnknownTechnique,
                        at,
                        format!(
                            "`{}` is not in the technique lexicon; did you mean `{}`?",
                            at.text(text),
                            miss.suggestion
                        ),
                    );
                    diagnostic.fix = Some(rules::replace(
                        format!("Replace with `{}`", miss.suggestion),
                        at,
                        miss.suggestion.as_str(),
                        false,
                    ));
                    facts.findings.push(moved(&diagnostic, start, 0));
                }
                if run.unknown_option {
                    let written = span.text(text).trim();
                    let diagnostic = rules::diagnostic(
                        pack,
                        RuleId::UnknownTechnique,
                        span,
                        format!(
                            "`{written}` is not in the technique lexicon, so reviewers may not match it to a billing code; use a lexicon name or add it to the project's rule pack"
                        ),
                    );
                    facts.findings.push(moved(&diagnostic, start, 0));
                }
                for mention in &run.mentions {
                    let at = Span::new(
                        span.start + mention.span.start,
                        span.start + mention.span.end,
                    );
                    facts
                        .mentions
                        .push((mention.technique, relative(at), mention.vague));
                }
            }
        }
    }
    facts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn comment(start: usize, end: usize) -> Comment {
        Comment {
            span: Span::new(start, end),
            body: Span::new(start, end),
            closed: true,
        }
    }

    #[test]
    fn a_line_is_read_by_its_text_when_only_its_own_comments_touch_it() {
        let line = Span::new(10, 30);
        let within = |comments: &[Comment]| comments_within_line(comments, line);
        assert!(within(&[]));
        assert!(within(&[comment(31, 40)]));
        assert!(within(&[comment(10, 15), comment(20, 30), comment(35, 40)]));
        assert!(within(&[comment(30, 40)]));
        assert!(!within(&[comment(5, 12)]));
        assert!(!within(&[comment(25, 35)]));
        assert!(!within(&[comment(12, 14), comment(25, 35)]));
        assert!(!within(&[comment(5, 40)]));
    }

    #[test]
    fn walking_the_comments_along_the_parts_is_searching_them() {
        // Comments inside parts, across a part's start or end, over several parts, at a part's
        // edges; parts of every size, empty ones included.
        let comments = [
            comment(2, 4),
            comment(9, 12),
            comment(15, 16),
            comment(20, 35),
            comment(40, 41),
        ];
        let searched = |start: usize, end: usize| {
            let first = comments.partition_point(|comment| comment.span.end <= start);
            let last = comments.partition_point(|comment| comment.span.start < end);
            first >= last
                || (comments[first].span.start >= start && comments[last - 1].span.end <= end)
        };
        for step in 1..=7 {
            for offset in 0..step {
                let mut starts: Vec<usize> = (offset..45).step_by(step).collect();
                starts.insert(0, 0);
                starts.dedup();
                let mut cursor = 0;
                for (index, &start) in starts.iter().enumerate() {
                    let end = starts.get(index + 1).copied().unwrap_or(45);
                    assert_eq!(
                        comments_inside(&comments, &mut cursor, start, end),
                        searched(start, end),
                        "{start}..{end}"
                    );
                }
            }
        }
    }
}
