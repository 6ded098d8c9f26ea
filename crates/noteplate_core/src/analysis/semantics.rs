//! The semantic model of a template: which kind each section is (and why), which billing codes
//! are declared, which payer profile applies. Rules, hovers and completions all read this, so a
//! heading means the same thing everywhere.

use crate::rulepack::{MatchConfidence, RulePack, contains_any, contains_phrase, normalize_phrase};
use crate::syntax::{Document, Inline, Line, Span};

use std::sync::Arc;

use super::Settings;
use super::lexicon::FxHashMap;

#[derive(Debug, Clone, PartialEq)]
pub struct Semantics {
    /// One entry per `Document::sections`, same order; shared with the analysis memo's parts (a
    /// keystroke copies a pointer per section, not its kind's strings).
    pub sections: Vec<Arc<SectionInfo>>,
    /// Labelled lines and fields that show a kind inside another section
    /// (`Response to treatment: {improved|same|worse}` under an Assessment heading).
    pub elements: Vec<Element>,
    pub codes: Vec<DeclaredCode>,
    /// The payer profile name from `payer:` or the settings' default, lower-cased.
    pub payer: Option<String>,
    /// The note type: `type:` from the front matter (lower-cased), else inferred from the codes
    /// or the template's name (`note_type_reason` says which).
    pub note_type: Option<String>,
    pub note_type_reason: NoteTypeReason,
    /// Section kinds provided by `@include`d fragments (filled by the caller that resolved them).
    pub included_kinds: Vec<String>,
    /// The front matter names the template (`template:`): a template of its own, not a fragment.
    pub named: bool,
}

/// The element kind of a date of service (not a section kind: no heading has it), so that
/// `has_kind` and `@include`d fragments treat it like the sections.
pub const DATE_OF_SERVICE: &str = "date-of-service";

/// Where the note type came from.
#[derive(Debug, Clone, PartialEq)]
pub enum NoteTypeReason {
    /// `type:` in the front matter.
    Declared,
    /// This declared code belongs to the type (`97161` is an evaluation).
    Code(String),
    /// The template's name contains this phrase ("initial evaluation").
    Name(String),
    /// Nothing declares or names a type, and the template's sections show all the kinds the type
    /// lists in `shows` (history, examination findings and goals: an evaluation).
    Sections,
    /// Nothing says.
    Unknown,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SectionInfo {
    /// The section kind id, if the heading was recognised.
    pub kind: Option<String>,
    /// Further kinds a combined title names (`A/P` is an assessment and a plan).
    pub also: Vec<String>,
    pub reason: KindReason,
    /// A low-confidence guess when the heading has no kind: the `uncertain-heading` hint.
    pub guess: Option<String>,
    /// The heading's title normalised (`normalize_phrase`), for `duplicate-section`: worked out
    /// once per distinct heading with the rest, not per section of every template.
    pub title_words: String,
}

/// Why a section has the kind it has.
#[derive(Debug, Clone, PartialEq)]
pub enum KindReason {
    /// `{#kind}` on the heading.
    Attribute,
    /// The title (or one part of it) matched this alias of the kind.
    Alias(String),
    /// The head word of the title (or one part of it) is this word of the kind.
    Word(String),
    /// Nothing matched.
    Unrecognised,
}

/// A labelled line or a field that shows a section kind outside a section of that kind.
#[derive(Debug, Clone, PartialEq)]
pub struct Element {
    /// Shared with the part it was found in (one allocation per distinct part, not per analysis).
    pub kind: std::sync::Arc<str>,
    /// The label (or field name) that says so.
    pub span: Span,
    /// The section the line is in (`None` for the preamble).
    pub section: Option<usize>,
}

/// A section kind that declared codes need.
#[derive(Debug, Clone, PartialEq)]
pub struct NeededKind<'p> {
    pub kind: &'p str,
    /// Indices into `Semantics::codes`.
    pub codes: Vec<usize>,
    /// True when at least one code requires it (error); false when only recommended (warning).
    pub required: bool,
    /// The note type requires it (with or without codes).
    pub by_note_type: bool,
}

/// One item of `codes:`.
#[derive(Debug, Clone, PartialEq)]
pub struct DeclaredCode {
    /// Upper-cased code, e.g. `97140`.
    pub code: String,
    /// Upper-cased modifiers in order, e.g. `["GP", "XS"]`.
    pub modifiers: Vec<String>,
    /// The whole item (`97140-GP`).
    pub span: Span,
    /// Just the code part.
    pub code_span: Span,
}

/// The words at the start of a line that label it: the text before a colon, or before the first
/// field, choice or wildcard, or a short line of text on its own. `None` for prose.
pub fn line_label(text: &str, line: &Line) -> Option<Span> {
    let first_input = first_input(text, line);
    let prefix = Span::new(line.span.start, first_input.unwrap_or(line.span.end));
    // Whether a span has 1 to `limit` words: counting stops past the limit (a line of prose has
    // many, and every line is asked).
    let words_within = |span: Span, limit: usize| {
        let count = count_words_upto(span.text(text), limit + 1);
        count > 0 && count <= limit
    };
    let prefix_text = prefix.text(text);
    if let Some(colon) = prefix_text.find(':') {
        let label = Span::new(prefix.start, prefix.start + colon);
        // "Part 4: Assessment", "Section 2: Goals: ***": a label that is only numbering numbers
        // the words after it, which label the line (up to the next colon).
        if crate::rulepack::is_numbering(label.text(text)) {
            let after = Span::new(label.end + 1, prefix.end);
            let words = after.text(text);
            let end = words.find(':').unwrap_or(words.len());
            let start = words.len() - words.trim_start().len();
            let end = start + words[start..end].trim_end().len();
            let titled = Span::new(after.start + start, after.start + end);
            return words_within(titled, 8).then_some(titled);
        }
        return words_within(label, 8).then_some(label);
    }
    let limit = if first_input.is_some() { 6 } else { 5 };
    let prose = prefix_text.trim_end().ends_with(['.', '?', '!']);
    (!prose && words_within(prefix, limit)).then_some(prefix)
}

/// The clauses a prose prompt ends with, right before the line's first input, on a line that
/// has no label (`labels`, its [`line_labels`], is empty): the words after the last clause mark
/// (`.`, `;`, `,`, `:`) before the input, marks right before it left out, and, when a comma comes
/// later in the same sentence, the words after the last sentence mark (`.`, `;`, `:`) too; each
/// when it has at most `PROMPT_CLAUSE_WORDS` words, or any number of them when a colon ends the
/// prompt (a colon says the input answers it). A rule or checklist item written as a sentence
/// ("(3) ... must be signed or initialed by said doctor; ***", a state board's record rule; "(2)
/// A Form #288-F ... that has been signed by the SLP who conducted the AAC evaluation: ***", a
/// Medicaid rule's list of an evaluation's contents) asks for what its last clause names, as
/// "Signed by: ***" does; the rest of the sentence says what the item is about. An item that
/// names what it asks for and then lists its parts asks for its head ("m) Therapist's signature
/// including name, title, and the date of the therapy session. ***", a state Medicaid rule's list
/// of a plan of care's contents; part v): its last comma clause is only the list's last part, so
/// the whole sentence is read as well.
pub fn prompt_clauses(text: &str, line: &Line, labels: &[Span]) -> impl Iterator<Item = Span> {
    let input = if labels.is_empty() {
        first_input(text, line)
    } else {
        None
    };
    input
        .map(|input| {
            let prefix = Span::new(line.span.start, input);
            let before = prefix.text(text);
            let clause_marks: &[char] = &['.', ';', ',', ':'];
            let sentence_marks: &[char] = &['.', ';', ':'];
            let trimmed = before.trim_end().trim_end_matches(clause_marks).trim_end();
            let answered = before.trim_end().ends_with(':');
            let after_last = |marks: &[char]| {
                let start = trimmed.rfind(marks).map_or(0, |at| at + 1);
                let clause = &trimmed[start..];
                let lead = clause.len() - clause.trim_start().len();
                let span = Span::new(prefix.start + start + lead, prefix.start + trimmed.len());
                let count = count_words_upto(span.text(text), PROMPT_CLAUSE_WORDS + 1);
                (count > 0 && (answered || count <= PROMPT_CLAUSE_WORDS)).then_some(span)
            };
            let clause = after_last(clause_marks);
            let sentence = after_last(sentence_marks).filter(|sentence| Some(*sentence) != clause);
            clause.into_iter().chain(sentence)
        })
        .into_iter()
        .flatten()
}

/// The most words [`prompt_clauses`] reads: a clause, not a paragraph.
const PROMPT_CLAUSE_WORDS: usize = 16;

/// The phrases of a sentence-long prompt, on a line with no label (`labels`, its
/// [`line_labels`], is empty) and an input: the prose before the first input, cut at clause marks
/// (`,` `;` `:` `.` `?` `!` brackets and quotes) and at the pack's `prompt_breaks` ("and",
/// "including", "about"...), a leading possessive ("The recipient's") and numbering left out; a
/// relative clause (`prompt_relatives`: "that", "which") stays with the phrase before it.
/// Each phrase of one to [`PROMPT_PHRASE_WORDS`] words is read as a label is
/// ([`line_elements`]): "(5) The recipient's past and current communication skills, including
/// information about past AAC use: ***" asks for "past AAC use", the history; "(4) An explanation
/// of the medical need ..., including the recipient's communication prognosis ...: ***" for the
/// prognosis, the assessment. A label's limits hold for each phrase (a head word only in up to
/// three words), so running prose names little; and a line with a label is read by its label.
/// Only when a colon or a semicolon ends the prompt right before a place to write (a field,
/// `***`, a blank), not a pick list.
pub(crate) fn prompt_phrases(
    text: &str,
    line: &Line,
    labels: &[Span],
    recognition: &crate::rulepack::Recognition,
) -> Vec<Span> {
    let is = |words: &[String], word: &str| words.iter().any(|w| w.eq_ignore_ascii_case(word));
    let mut phrases = Vec::new();
    if !labels.is_empty() {
        return phrases;
    }
    // A place to write right after the prompt: a pick list after a statement answers who or
    // which ("PT Care Plan and Evaluation was communicated to and agreed upon by {Patient|...}" is
    // no plan).
    let Some(input) = super::inputs::inputs(text, line).next() else {
        return phrases;
    };
    if matches!(input, super::inputs::Input::Choice(..)) {
        return phrases;
    }
    let input = input.span().start;
    let start = line.span.start;
    let Some(prompt) = text.get(start..input) else {
        return phrases;
    };
    // An item of a list that asks for something ends with a colon or a semicolon right before its
    // input; without one, words before a blank are as often a sentence with a blank in it, or a
    // statement whose blank says who or when ("... was communicated to and agreed upon by Others
    // {{other}}").
    if !prompt.trim_end().ends_with([':', ';']) {
        return phrases;
    }
    // A question put to the patient or a parent (an intake form's "What concerns do you have with
    // your child's communication?") asks for their account, whatever its words mention.
    if prompt.contains('?') {
        return phrases;
    }
    // Examples ("(e.g. voice, stuttering, articulation)") say what an answer may mention, not
    // what is asked: their words are left out.
    let read = without_examples(prompt);
    let prompt = read.as_ref();
    let marks = |ch: char| {
        matches!(
            ch,
            ',' | ';'
                | ':'
                | '.'
                | '?'
                | '!'
                | '('
                | ')'
                | '['
                | ']'
                | '"'
                | '\u{201c}'
                | '\u{201d}'
        )
    };
    let mut piece_start = 0;
    let pieces = prompt
        .char_indices()
        .filter(|&(_, ch)| marks(ch))
        .map(|(at, ch)| (at, at + ch.len_utf8()))
        .chain(std::iter::once((prompt.len(), prompt.len())));
    for (end, next) in pieces {
        let piece = &prompt[piece_start..end];
        let offset = piece_start;
        piece_start = next;
        // The words of the piece with their offsets, cut at the break words.
        let mut phrase: Vec<(usize, &str)> = Vec::new();
        // Inside a relative clause: its words join the phrase before it, to the piece's end.
        let mut relative = false;
        let words = piece.split_whitespace().map(|word| {
            let at = word.as_ptr() as usize - piece.as_ptr() as usize;
            (offset + at, word)
        });
        for (at, word) in words.chain(std::iter::once((usize::MAX, ""))) {
            relative |= is(&recognition.prompt_relatives, word);
            let breaks_here = word.is_empty() || !relative && is(&recognition.prompt_breaks, word);
            if !breaks_here {
                // A possessive that leads a phrase is whose it is, not what ("The recipient's
                // behavior"); the words before it go with it.
                let possessive = word.ends_with("'s") || word.ends_with("\u{2019}s");
                if possessive && !relative {
                    phrase.clear();
                } else {
                    phrase.push((at, word));
                }
                continue;
            }
            if let (Some(&(first, _)), Some(&(last, word))) = (phrase.first(), phrase.last()) {
                let span = Span::new(start + first, start + last + word.len());
                let count = phrase.len();
                let lone_mark =
                    count == 1 && word.chars().filter(|ch| ch.is_alphanumeric()).count() < 2;
                if count <= PROMPT_PHRASE_WORDS
                    && !lone_mark
                    && !crate::rulepack::is_numbering(span.text(text))
                {
                    phrases.push(span);
                }
            }
            phrase.clear();
        }
    }
    phrases
}

/// `prompt` with its examples blanked out (spaces, so offsets hold): from "e.g" or "for example"
/// to the end of the bracket it is in, or to the end of the prompt when it is in none.
fn without_examples(prompt: &str) -> std::borrow::Cow<'_, str> {
    let lower = prompt.to_ascii_lowercase();
    let starts = |from: usize| {
        ["e.g", "for example"]
            .iter()
            .filter_map(|mark| {
                lower[from..]
                    .match_indices(mark)
                    .map(|(at, _)| from + at)
                    .find(|&at| at == 0 || !lower.as_bytes()[at - 1].is_ascii_alphanumeric())
            })
            .min()
    };
    let Some(mut at) = starts(0) else {
        return std::borrow::Cow::Borrowed(prompt);
    };
    let mut bytes = prompt.as_bytes().to_vec();
    loop {
        let before = &lower[..at];
        let open = before.matches(['(', '[']).count() > before.matches([')', ']']).count();
        let end = if open {
            lower[at..]
                .find([')', ']'])
                .map_or(lower.len(), |close| at + close)
        } else {
            lower.len()
        };
        bytes[at..end].fill(b' ');
        match starts(end) {
            Some(next) => at = next,
            None => break,
        }
    }
    // Whole characters were blanked (the marks are ASCII), so the text stays UTF-8.
    std::borrow::Cow::Owned(String::from_utf8(bytes).unwrap_or_else(|_| prompt.to_string()))
}

/// The most words one phrase of a prompt has to be read ([`prompt_phrases`]): a label's limit.
const PROMPT_PHRASE_WORDS: usize = 8;

/// Every label of a line: its [`line_label`], then the [`later_labels`] of a form row. What a
/// line shows by its labels (kinds, a signature) is read from all of them.
pub fn line_labels<'a>(text: &'a str, line: &'a Line) -> impl Iterator<Item = Span> + 'a {
    let first = line_label(text, line);
    first
        .into_iter()
        .chain(first.and_then(|first| inner_label(text, line, first)))
        .chain(later_labels(text, line))
}

/// The label right before a line's first input when a group title comes before it on the line:
/// in `Manual therapy detail: Technique: {{t}}` the first label is the group and "Technique"
/// labels the input (up to six words, ending with a colon right before the input).
fn inner_label(text: &str, line: &Line, first: Span) -> Option<Span> {
    let input = first_input(text, line)?;
    let after = Span::new(first.end.checked_add(1)?, input);
    let between = text.get(after.start..after.end)?;
    let words = between.trim_end().strip_suffix(':')?;
    let start = words.len() - words.trim_start().len();
    let label = Span::new(after.start + start, after.start + words.len());
    let count = count_words_upto(label.text(text), 7);
    (count > 0 && count <= 6 && !label.text(text).contains(':')).then_some(label)
}

/// The labels of a form row after its first (see [`line_label`]): the words between one input
/// and the next that end with a colon, as in `Time in: {{t_in}} Total minutes: {{total}}`, or,
/// without the colon, a table's column header before its cell: up to three words that start
/// with a capital letter, end with no punctuation and are more than one letter, as in
/// `Baseline {{b}} Goal {{g}}` (a table row written on one line; part u). Running words between
/// inputs (`{{sets}} sets of {{reps}}`, `{{a}}, {{b}}`) and a lone letter (`P {{p}}`, the pulse)
/// are no label. Each labels the input after it, as the first label does.
pub fn later_labels<'a>(text: &'a str, line: &'a Line) -> impl Iterator<Item = Span> + 'a {
    let mut after_input: Option<usize> = None;
    super::inputs::inputs(text, line).filter_map(move |input| {
        let input = input.span();
        let label = after_input.and_then(|start| {
            let between = Span::new(start, input.start);
            let trimmed = between.text(text).trim_end();
            let (words, most) = match trimmed.strip_suffix(':') {
                Some(words) => (words, 6),
                None => {
                    let header = trimmed.trim_start();
                    let capital = header.chars().next().is_some_and(char::is_uppercase);
                    let plain = header
                        .chars()
                        .last()
                        .is_some_and(|last| last.is_alphanumeric() || last == ')');
                    // One letter is an abbreviation without its colon (`BP {{bp}} P {{p}}`: the
                    // pulse), not a column header.
                    let letters = header.chars().filter(|c| c.is_alphanumeric()).count();
                    if !(capital && plain && letters > 1) {
                        return None;
                    }
                    (trimmed, 3)
                }
            };
            let start = between.start + (words.len() - words.trim_start().len());
            let label = Span::new(start, between.start + words.len());
            let count = count_words_upto(label.text(text), most + 1);
            (count > 0 && count <= most).then_some(label)
        });
        after_input = Some(input.end);
        label
    })
}

/// Where the first input of `line` ([`super::inputs::inputs`]: a field, a choice, a wildcard,
/// or a blank or a run of check boxes in its text) starts.
fn first_input(text: &str, line: &Line) -> Option<usize> {
    super::inputs::inputs(text, line)
        .next()
        .map(|input| input.span().start)
}

/// `text.split_whitespace().take(most).count()`, byte by byte while the text is ASCII.
fn count_words_upto(text: &str, most: usize) -> usize {
    let mut count = 0;
    let mut in_word = false;
    for byte in text.bytes() {
        if !byte.is_ascii() {
            // Unicode whitespace may follow: count by characters.
            return text.split_whitespace().take(most).count();
        }
        // `char::is_whitespace` for ASCII: space, tab, line feed, vertical tab, form feed, return.
        let space = matches!(byte, b' ' | b'\t' | b'\n' | 0x0B | 0x0C | b'\r');
        if !space && !in_word {
            count += 1;
            if count >= most {
                return most;
            }
        }
        in_word = !space;
    }
    count
}

impl Semantics {
    pub fn new(text: &str, document: &Document, pack: &RulePack, settings: &Settings) -> Semantics {
        let parts = super::parts::Parts::fresh(text, document, pack);
        Semantics::from_parts(text, document, pack, settings, &parts)
    }

    /// [`Semantics::new`] from what each part of the document shows (`parts.rs`: remembered per
    /// part text by the caller's memo; the result never depends on it). Besides the front matter,
    /// only the parts' facts are read: the work is linear in the document's sections and elements,
    /// not in its lines.
    pub(crate) fn from_parts(
        text: &str,
        document: &Document,
        pack: &RulePack,
        settings: &Settings,
        parts: &super::parts::Parts,
    ) -> Semantics {
        let sections: Vec<Arc<SectionInfo>> = parts
            .sections()
            .map(|part| {
                part.facts
                    .info
                    .clone()
                    .unwrap_or_else(|| Arc::new(SectionInfo::unrecognised()))
            })
            .collect();
        let mut elements =
            Vec::with_capacity(parts.iter().map(|part| part.element_count()).sum::<usize>() + 1);
        for part in parts.iter() {
            part.for_each_element(|kind, span| {
                elements.push(Element {
                    kind: kind.clone(),
                    span,
                    section: part.section,
                })
            });
        }
        // The first date of service in the document (none in signature sections).
        if let Some((part, span)) = parts
            .iter()
            .find_map(|part| Some((part, part.facts.date_of_service?)))
        {
            elements.push(Element {
                kind: DATE_OF_SERVICE.into(),
                span: span.shifted(part.start),
                section: part.section,
            });
        }

        let mut codes = Vec::new();
        let mut payer = None;
        let mut note_type = None;
        let mut template_name = None;
        if let Some(front_matter) = &document.front_matter {
            for entry in &front_matter.entries {
                let key = entry.key.text(text).to_ascii_lowercase();
                match key.as_str() {
                    "codes" => codes.extend(entry.codes.iter().map(|code| {
                        DeclaredCode {
                            code: code.code.text(text).to_ascii_uppercase(),
                            modifiers: code
                                .modifiers
                                .iter()
                                .map(|modifier| modifier.text(text).to_ascii_uppercase())
                                .collect(),
                            span: code.span,
                            code_span: code.code,
                        }
                    })),
                    "payer" if !entry.value.is_empty() => {
                        payer = Some(entry.value.text(text).trim().to_ascii_lowercase())
                    }
                    "type" if !entry.value.is_empty() => {
                        note_type = Some(entry.value.text(text).trim().to_ascii_lowercase())
                    }
                    "template" if !entry.value.is_empty() => {
                        template_name = Some(entry.value.text(text))
                    }
                    _ => {}
                }
            }
        }
        if payer.is_none() {
            payer = settings.default_payer.clone();
        }
        let named = template_name.is_some();
        let (note_type, note_type_reason) = match note_type {
            // `type: Initial Evaluation` means `evaluation`, as a template name would.
            Some(declared) if pack.note_type(&declared).is_none() => {
                match infer_note_type(pack, &[], std::iter::once(declared.as_str())) {
                    (Some(id), _) => (Some(id), NoteTypeReason::Declared),
                    (None, _) => (Some(declared), NoteTypeReason::Declared),
                }
            }
            Some(declared) => (Some(declared), NoteTypeReason::Declared),
            None => {
                let first_title = document
                    .sections
                    .first()
                    .filter(|section| section.heading.level == 1)
                    .map(|section| section.heading.title.text(text));
                infer_note_type(pack, &codes, template_name.into_iter().chain(first_title))
            }
        };
        let mut semantics = Semantics {
            sections,
            elements,
            codes,
            payer,
            note_type,
            note_type_reason,
            included_kinds: Vec::new(),
            named,
        };
        // A note that nothing types (no `type:`, no typed code, no type in its name) is of the
        // first type whose `shows` kinds its sections all show: a "Report" with history,
        // examination findings and goals is an evaluation.
        if semantics.note_type.is_none()
            && semantics.is_note()
            && let Some(shown) = pack.note_types.iter().find(|note_type| {
                !note_type.shows.is_empty()
                    && note_type.shows.iter().all(|kind| semantics.has_kind(kind))
            })
        {
            semantics.note_type = Some(shown.id.clone());
            semantics.note_type_reason = NoteTypeReason::Sections;
        }
        semantics
    }

    /// Whether the template is a note of its own (it has a note type, bills codes or names itself
    /// with `template:`), rather than a fragment: the basic elements (date of service, signature)
    /// apply to notes only.
    pub fn is_note(&self) -> bool {
        self.note_type.is_some() || !self.codes.is_empty() || self.named
    }

    /// Whether any section (at any level), labelled line, or `@include`d fragment has this kind.
    pub fn has_kind(&self, kind: &str) -> bool {
        self.has_kind_where(kind, |_| true, |_| true)
    }

    /// [`Self::has_kind`], counting only the sections (by index) and labelled lines that `keep_section`
    /// and `keep_element` accept; an `@include`d fragment's kind always counts. The one walk over
    /// everything that can show a kind, for a rule that must set some of them aside.
    pub fn has_kind_where(
        &self,
        kind: &str,
        keep_section: impl Fn(usize) -> bool,
        keep_element: impl Fn(&Element) -> bool,
    ) -> bool {
        self.sections_of_kind(kind).any(keep_section)
            || self
                .elements
                .iter()
                .any(|element| &*element.kind == kind && keep_element(element))
            || self.included_kinds.iter().any(|included| included == kind)
    }

    /// Every kind the template shows (its sections, labelled lines, date of service and
    /// fragments), sorted and once each: what it provides to a template that includes it.
    pub fn kinds_present(&self) -> Vec<String> {
        let mut kinds: Vec<String> = self
            .sections
            .iter()
            .flat_map(|section| section.kind.iter().chain(&section.also).cloned())
            .chain(self.elements.iter().map(|element| element.kind.to_string()))
            .chain(self.included_kinds.iter().cloned())
            .collect();
        kinds.sort();
        kinds.dedup();
        kinds
    }

    /// Indices of the sections of this kind (as their kind or one of the kinds their title names).
    pub fn sections_of_kind<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = usize> + 'a {
        self.sections
            .iter()
            .enumerate()
            .filter(move |(_, section)| section.is(kind))
            .map(|(index, _)| index)
    }

    /// Section kinds the declared codes and the note type need, in the pack's section order:
    /// (kind, indices into `codes` of the codes that need it, whether any of them or the note type
    /// requires rather than recommends it, whether the note type does).
    pub fn needed_kinds<'p>(&self, pack: &'p RulePack) -> Vec<NeededKind<'p>> {
        let mut needs: Vec<NeededKind<'p>> = Vec::new();
        let mut need = |kind: &'p str, code: Option<usize>, required: bool| {
            let entry = match needs.iter().position(|need| need.kind == kind) {
                Some(at) => &mut needs[at],
                None => {
                    needs.push(NeededKind {
                        kind,
                        codes: Vec::new(),
                        required: false,
                        by_note_type: false,
                    });
                    needs.last_mut().expect("just pushed")
                }
            };
            // Codes come in declaration order, so a repeat is always the last one pushed.
            match code {
                Some(index) if entry.codes.last() != Some(&index) => entry.codes.push(index),
                Some(_) => {}
                None => entry.by_note_type |= required,
            }
            entry.required |= required;
        };
        for (index, declared) in self.codes.iter().enumerate() {
            crate::work::count(1);
            let Some(code) = pack.code(&declared.code) else {
                continue;
            };
            for kind in &code.requires {
                need(kind, Some(index), true);
            }
            for kind in &code.recommends {
                need(kind, Some(index), false);
            }
        }
        if let Some(note_type) = self.note_type.as_deref().and_then(|id| pack.note_type(id)) {
            for kind in &note_type.requires {
                need(kind, None, true);
            }
            for kind in &note_type.recommends {
                need(kind, None, false);
            }
        }
        needs.sort_by_key(|need| pack.section_rank(need.kind));
        needs
    }

    /// Whether daily treatment-note elements apply: `type: daily`, or a template that bills codes
    /// (fragments and other code-less files are not notes of their own) with no `type:` under a
    /// payer profile whose notes are daily by default.
    pub fn is_daily_note(&self, pack: &RulePack) -> bool {
        match self.note_type.as_deref() {
            Some(note_type) => pack
                .note_type(note_type)
                .is_some_and(|note_type| note_type.minute_totals),
            None if self.codes.is_empty() => false,
            None => self
                .payer
                .as_deref()
                .and_then(|payer| pack.payer(payer))
                .is_some_and(|profile| profile.daily_note_by_default),
        }
    }

    pub fn declares(&self, code: &str) -> bool {
        self.codes.iter().any(|declared| declared.code == code)
    }

    /// The first declared code that bills `treatment` (`Code::treatment` in the pack).
    pub fn declared_treatment(
        &self,
        pack: &RulePack,
        treatment: crate::rulepack::Treatment,
    ) -> Option<&DeclaredCode> {
        self.codes.iter().find(|declared| {
            pack.code(&declared.code)
                .is_some_and(|code| code.treatment == Some(treatment))
        })
    }
}

impl SectionInfo {
    fn unrecognised() -> SectionInfo {
        SectionInfo {
            kind: None,
            also: Vec::new(),
            reason: KindReason::Unrecognised,
            guess: None,
            title_words: String::new(),
        }
    }

    /// Whether the section has this kind, as its own or as one its title also names.
    pub fn is(&self, kind: &str) -> bool {
        self.kind.as_deref() == Some(kind) || self.also.iter().any(|also| also == kind)
    }
}

pub(super) fn section_info(
    text: &str,
    section: &crate::syntax::Section,
    pack: &RulePack,
) -> SectionInfo {
    SectionInfo {
        title_words: normalize_phrase(section.heading.title.text(text)),
        ..section_kind(text, section, pack)
    }
}

/// [`section_info`] but its `title_words`.
fn section_kind(text: &str, section: &crate::syntax::Section, pack: &RulePack) -> SectionInfo {
    if let Some(attribute) = &section.heading.attribute {
        let kind = attribute.kind.text(text).to_ascii_lowercase();
        let known = pack.section(&kind);
        return SectionInfo {
            kind: known.map(|_| kind),
            also: known.map_or(Vec::new(), |section| section.counts_as.clone()),
            reason: if known.is_some() {
                KindReason::Attribute
            } else {
                KindReason::Unrecognised
            },
            guess: None,
            title_words: String::new(),
        };
    }
    let matches = pack.classify_heading(section.heading.title.text(text));
    let mut sure = matches
        .iter()
        .filter(|found| found.confidence > MatchConfidence::Low);
    match sure.next() {
        Some(best) => SectionInfo {
            kind: Some(best.section.kind.clone()),
            // The best match's kind comes first and once: the others are what it and the other
            // sure matches stand for.
            also: kinds_standing_for(std::iter::once(best).chain(sure).cloned())
                .into_iter()
                .skip(1)
                .collect(),
            reason: if best.confidence == MatchConfidence::High {
                KindReason::Alias(best.alias.to_string())
            } else {
                KindReason::Word(best.alias.to_string())
            },
            guess: None,
            title_words: String::new(),
        },
        None => SectionInfo {
            kind: None,
            also: Vec::new(),
            reason: KindReason::Unrecognised,
            guess: matches.first().map(|found| found.section.kind.clone()),
            title_words: String::new(),
        },
    }
}

/// What the semantic model recognises in a text of its own (a heading line, a label, a line's
/// wording, a field name, a line under a title), remembered across analyses with one pack, so
/// that after a keystroke only the changed lines are recognised again. Kept in
/// [`super::Memo`]; emptied when the pack changes or the memo outgrows the document.
#[derive(Default)]
pub(crate) struct Recognition {
    generation: Option<u64>,
    /// Entries kept whatever the document's size (`Memo::remember_at_least`).
    pub(super) floor: usize,
    /// heading line -> its section info
    pub(super) sections: FxHashMap<Box<str>, Arc<SectionInfo>>,
    /// label -> the kinds it names
    labels: FxHashMap<Box<str>, Vec<String>>,
    /// field name -> the kinds it names (high confidence only)
    names: FxHashMap<Box<str>, Vec<String>>,
    /// line (without comments in it) -> everything it shows (`parts::LineFacts`): one lookup
    /// per line for its elements, date of service, signature and minutes
    pub(super) lines: FxHashMap<Box<str>, std::sync::Arc<super::parts::LineFacts>>,
    /// The same, shared with the memos of other threads (`Memo::share_lines`), when it is.
    pub(super) shared: Option<super::parts::SharedLines>,
}

/// Entries kept per line of the document (and at least this many) before the memo is emptied.
const RECOGNITION_PER_LINE: usize = 4;
const RECOGNITION_MINIMUM: usize = 4_096;

impl Recognition {
    /// Empties the memo if it was filled with another pack or has grown past a multiple of the
    /// document's size (a long session edits many lines).
    pub(super) fn prepare(&mut self, pack: &RulePack, document: &Document) {
        let lines = document.sections.len() + document.lines().count();
        let limit = RECOGNITION_MINIMUM
            .max(self.floor)
            .max(RECOGNITION_PER_LINE * lines);
        let size = self.sections.len() + self.labels.len() + self.names.len() + self.lines.len();
        if self.generation != Some(pack.generation()) || size > limit {
            *self = Recognition {
                generation: Some(pack.generation()),
                floor: self.floor,
                shared: self.shared.take(),
                ..Recognition::default()
            };
        }
    }
}

/// Looks `key` up in `memo`, computing and remembering it when missing, and hands it to `then`.
/// A remembered key (the usual case: every unchanged line, every keystroke) costs one lookup.
fn remembered<V, R>(
    memo: &mut FxHashMap<Box<str>, V>,
    key: &str,
    compute: impl FnOnce() -> V,
    then: impl FnOnce(&V) -> R,
) -> R {
    if let Some(value) = memo.get(key) {
        return then(value);
    }
    let value = compute();
    let result = then(&value);
    memo.insert(key.into(), value);
    result
}

/// The kinds a line's wording shows.
fn wording_kinds(text: &str, line: &Line, pack: &RulePack) -> Vec<String> {
    let wording = line_wording(text, line);
    // Naming a manual technique ("myofascial release") shows the technique, wherever it is.
    let technique = pack
        .techniques_in(&wording)
        .any(|technique| technique.billing != crate::rulepack::Billing::Elsewhere);
    technique
        .then_some("technique")
        .into_iter()
        .chain(pack.kinds_in(&wording).map(|kind| kind.kind.as_str()))
        .map(str::to_string)
        .collect()
}

/// The elements one content line shows: its label's kinds, its wording's, its field names'
/// (high confidence only), in that order, each handed to `push` with the span that shows it.
/// Labels and field names are remembered by their text; the wording is worked out each time
/// (`parts.rs` remembers what a whole line shows). `labels` are the line's [`line_labels`], read
/// once by the caller for this and for the signature (`note_elements::says_signature`).
pub(super) fn line_elements(
    text: &str,
    line: &Line,
    labels: &[Span],
    pack: &RulePack,
    memo: &mut Recognition,
    mut push: impl FnMut(&str, Span),
) {
    // A title line is read as a heading is: by its title alone, so a phrase inside it
    // ("tolerance" in "Projected Work Tolerance:", a findings title) adds no kind, and a title
    // that names no kind shows none by its wording either ("Progress Towards Goals:" is no more the
    // goals than the heading "Progress Towards Goals" is).
    let mut titled = false;
    // A symptom row (`Frequency: {Less than daily|Daily|All the time}` under a pain history) is
    // not the plan's frequency, so it shows no plan either (the label alone is remembered; the
    // row's options decide). The same for every label of the line: worked out once, and only
    // when a label says plan.
    let mut symptom_row: Option<bool> = None;
    for &label in labels {
        // A title line (`3. Evaluation of the musculoskeletal system through examination:` with
        // nothing after it) titles the lines below it, as a heading does: it is read as a heading
        // title (sure matches only). Its memo key keeps the colon, which no other label has.
        let title = is_title_line(text, line, label);
        // Whether the label is a content line naming only generic technique wording (worked out
        // only when the label says technique).
        let mut generic_only: Option<bool> = None;
        let key = if title {
            Span::new(label.start, label.end + 1)
        } else {
            label
        };
        remembered(
            &mut memo.labels,
            key.text(text),
            || {
                if !title {
                    return label_kinds(pack, label.text(text));
                }
                kinds_standing_for(
                    pack.classify_heading(label.text(text))
                        .into_iter()
                        .filter(|found| found.confidence > MatchConfidence::Low),
                )
            },
            |kinds: &Vec<String>| {
                titled |= title;
                for kind in kinds {
                    if kind == "plan"
                        && *symptom_row.get_or_insert_with(|| describes_symptoms(text, line, pack))
                    {
                        continue;
                    }
                    // A content line that only names a code by its generic wording ("3. Manual
                    // therapy (97140)" in a plan's list; part v) names no technique: it asks for
                    // none (no input) and says none, as `vague-technique` reads the same words in
                    // a technique section. A heading or title line so named still titles the
                    // techniques under it, and a prompt ("Manual therapy: {{mt}}") asks for them.
                    if kind == "technique"
                        && !title
                        && *generic_only
                            .get_or_insert_with(|| names_only_vague(text, line, label, pack))
                    {
                        continue;
                    }
                    push(kind, label);
                }
            },
        );
    }
    // A sentence-long prompt with no label shows what its phrases name, each read as a label.
    for phrase in prompt_phrases(text, line, labels, &pack.recognition) {
        remembered(
            &mut memo.labels,
            phrase.text(text),
            || label_kinds(pack, phrase.text(text)),
            |kinds: &Vec<String>| {
                for kind in kinds {
                    if kind == "plan"
                        && *symptom_row.get_or_insert_with(|| describes_symptoms(text, line, pack))
                    {
                        continue;
                    }
                    push(kind, phrase);
                }
            },
        );
    }
    if !titled {
        for kind in wording_kinds(text, line, pack) {
            push(&kind, line.span);
        }
    }
    for item in &line.items {
        let Inline::Field(field) = item else { continue };
        let name = field.name.text(text);
        remembered(
            &mut memo.names,
            name,
            || {
                let words = field_words(name);
                // A one-letter name abbreviates too many things to show a section: `{{p}}` is
                // as often the pulse as the plan, `{{a}}` the age, `{{s}}` the sex, `{{o}}` other.
                if one_letter(&words) {
                    return Vec::new();
                }
                pack.classify_label(&words)
                    .into_iter()
                    .filter(|found| found.confidence == MatchConfidence::High)
                    .map(|found| found.section.kind.clone())
                    .collect()
            },
            |kinds: &Vec<String>| kinds.iter().for_each(|kind| push(kind, field.name)),
        );
    }
}

/// Whether `label`, on a `line` with no input, is only the pack's generic technique wording
/// (`vague`: "manual therapy", "soft tissue work"), numbers (a list number, a code) left out.
fn names_only_vague(text: &str, line: &Line, label: Span, pack: &RulePack) -> bool {
    if has_input(text, line) {
        return false;
    }
    let words = normalize_phrase(label.text(text));
    let words: Vec<&str> = words
        .split_whitespace()
        .filter(|word| !word.chars().all(|c| c.is_ascii_digit()))
        .collect();
    !words.is_empty() && pack.vague.contains(&words.join(" "))
}

/// The kinds a label means (`RulePack::classify_label`), each with the kinds it stands for.
fn label_kinds(pack: &RulePack, label: &str) -> Vec<String> {
    kinds_standing_for(pack.classify_label(label))
}

/// The kinds of `found`, each followed by the kinds it stands for, once each: a label or title
/// stands for what its kind stands for, as a heading does (`Objective:` holds the examination
/// findings).
fn kinds_standing_for<'pack>(
    found: impl IntoIterator<Item = crate::rulepack::SectionMatch<'pack>>,
) -> Vec<String> {
    let mut kinds: Vec<String> = Vec::new();
    for found in found {
        let stands_for = found.section.counts_as.iter();
        for kind in std::iter::once(&found.section.kind).chain(stands_for) {
            if !kinds.contains(kind) {
                kinds.push(kind.clone());
            }
        }
    }
    kinds
}

/// Whether `label` is the whole of `line` but a colon after it: a title line, with no input. Such
/// a line titles the lines right below it, as a heading does its section.
pub(crate) fn is_title_line(text: &str, line: &Line, label: Span) -> bool {
    label.start == line.span.start
        && line
            .items
            .iter()
            .all(|item| matches!(item, Inline::Text(_) | Inline::Escape(_)))
        && text[label.end..line.span.end].trim_end() == ":"
}

/// Whether `line` has a place to write (a field, a wildcard or a blank of underscores): only
/// those are dates of service.
pub(crate) fn has_input(text: &str, line: &Line) -> bool {
    super::inputs::inputs(text, line)
        .any(|input| !matches!(input, super::inputs::Input::Choice(..)))
}

/// A date field, or a field or wildcard labelled as a date, whose label (the words before it on
/// its line, else its section's title) or name says date of service and nothing that makes it
/// another date (onset, next visit, target); a field that is not typed `date` must say "date" or
/// "DOS" in so many words. Dates in the signature section are the signature's (`parts.rs` does
/// not look for them there), and the first one in the document counts.
///
/// `Err(NeedsTitle)` when `title` is `None` and the answer depends on it (an input with no
/// words before it is reached before any date of service), so that what a line says may be
/// remembered by its text alone for every other line.
pub(super) fn date_of_service_in(
    text: &str,
    title: Option<&str>,
    line: &Line,
    pack: &RulePack,
) -> Result<Option<usize>, NeedsTitle> {
    let elements = &pack.elements;
    date_input_in(text, title, line, pack, |words| {
        contains_any(words, &elements.date_of_service)
            && !contains_any(words, &elements.not_date_of_service)
    })
}

/// The index in `inputs::inputs(text, line)` of the first date input (a field typed `date`, or an input whose
/// label or name says a date) whose words, its label and its field name normalised, pass
/// `accept`: the one reading of "what a date input is labelled" that the date of service and
/// the note types' own dates ([`crate::rulepack::NoteType::dates_of_service`]) share.
pub(crate) fn date_input_in(
    text: &str,
    title: Option<&str>,
    line: &Line,
    pack: &RulePack,
    accept: impl Fn(&str) -> bool,
) -> Result<Option<usize>, NeedsTitle> {
    let elements = &pack.elements;
    // The title is the label of an input with no words before it (normalised when first needed).
    let mut title_words: Option<String> = None;
    // The words that label an input are those between the previous input and it.
    let mut label_start = line.span.start;
    // An input's words, "{label} {name}", written into one buffer for every input of the line
    // (this runs for each line seen for the first time: no copy per label, name and join).
    let mut words = String::new();
    for (index, input) in super::inputs::inputs(text, line).enumerate() {
        let (span, name, typed_date) = match input {
            super::inputs::Input::Field(field) => (
                field.span,
                Some(field.name.text(text)),
                field
                    .ty
                    .is_some_and(|ty| ty.text(text).eq_ignore_ascii_case("date")),
            ),
            // `***`, or a form's blank kept as underscores (`Date: ________`).
            super::inputs::Input::Blank(span) => (span, None, false),
            // A pick list is an input too: the words before it label it, not the date after it
            // (`Type: {Re-evaluation|Discharge} | Date: {{date:date}}` is dated by "Date", not
            // by a "discharge" that names the choice's options).
            super::inputs::Input::Choice(span, _) => {
                label_start = span.end;
                continue;
            }
        };
        words.clear();
        // Room for any input's words at the first (no growth while they are written).
        words.reserve(2 * line.span.len());
        // A column bar ends the cell before it: in `Type: Re-evaluation / Discharge | Date:
        // {{d}}` (a pick list written as text) the date's label is "Date".
        let before = Span::new(label_start, span.start).text(text);
        let cell = before.rfind('|').map_or(before, |bar| &before[bar + 1..]);
        crate::rulepack::PhraseNormalizer::default().push(cell, &mut words);
        label_start = span.end;
        if words.is_empty() {
            let title = title.ok_or(NeedsTitle)?;
            words.push_str(title_words.get_or_insert_with(|| normalize_phrase(title)));
        }
        words.push(' ');
        if let Some(name) = name {
            field_words_into(name, &mut words);
        }
        let words = words.as_str();
        let says_date = typed_date || contains_any(words, &elements.date_words);
        if says_date && accept(words) {
            return Ok(Some(index));
        }
    }
    Ok(None)
}

/// A title line (its label and a colon, nothing after: `DATE OF EVALUATION:` in a typed report's
/// header) whose label says a date of service and nothing that makes it another date: the date
/// is typed after the label, as it is written on a paper form's blank. The label's span, when the
/// line is one. A title line titles the lines below it ([`is_title_line`]), and a date's title
/// line is a place for the date whatever follows it (another label, a heading, the date itself).
pub(crate) fn title_line_date_of_service(text: &str, line: &Line, pack: &RulePack) -> Option<Span> {
    let label = line_label(text, line)?;
    if has_input(text, line) || !is_title_line(text, line, label) {
        return None;
    }
    let words = normalize_phrase(label.text(text));
    let elements = &pack.elements;
    (contains_any(&words, &elements.date_words)
        && contains_any(&words, &elements.date_of_service)
        && !contains_any(&words, &elements.not_date_of_service))
    .then_some(label)
}

/// [`date_of_service_in`] could not answer without the section's title.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct NeedsTitle;

/// Whether normalised field words are a single letter (`p`, `A`).
fn one_letter(words: &str) -> bool {
    let mut letters = words.chars().filter(|ch| !ch.is_whitespace() && *ch != '_');
    letters.next().is_some_and(char::is_alphabetic) && letters.next().is_none()
}

/// A `Frequency:` or `Duration:` line about the symptoms, not the plan: its label or its options
/// say one of `symptom_words` (`Frequency: {Less than daily|Daily|All the time}` in a pain
/// assessment, `Duration of symptoms:`). Such a line is neither the plan's frequency or duration
/// (`plan-without-frequency`) nor a plan line.
pub(crate) fn describes_symptoms(text: &str, line: &Line, pack: &RulePack) -> bool {
    line_label(text, line)
        .is_some_and(|label| labels_symptoms(text, line, &normalize_phrase(label.text(text)), pack))
}

/// [`describes_symptoms`] for a line whose label, normalised, is `label` (for a caller that
/// normalised it already).
pub(crate) fn labels_symptoms(text: &str, line: &Line, label: &str, pack: &RulePack) -> bool {
    let elements = &pack.elements;
    if !contains_any(label, &elements.frequency_labels)
        && !contains_any(label, &elements.duration_labels)
    {
        return false;
    }
    says_symptoms(text, line, label, pack)
}

/// The second half of [`labels_symptoms`], for a caller that knows the label says frequency or
/// duration: the label or the line's options say one of the symptom words.
pub(crate) fn says_symptoms(text: &str, line: &Line, label: &str, pack: &RulePack) -> bool {
    let elements = &pack.elements;
    contains_any(label, &elements.symptom_words)
        || super::inputs::inputs(text, line).any(|input| match input {
            // `{Daily|Constant}`, or `[ ] Daily [ ] Constant` on a paper form.
            super::inputs::Input::Choice(_, options) => options.iter().any(|option| {
                contains_any(
                    &normalize_phrase(option.text(text)),
                    &elements.symptom_words,
                )
            }),
            _ => false,
        })
}

/// The words of a line a reader sees (its text and choice options), normalised.
fn line_wording(text: &str, line: &Line) -> String {
    // Normalised piece by piece: the same as normalising the pieces joined by spaces, with no
    // joined copy.
    let mut wording = String::with_capacity(line.span.len());
    let mut normalizer = crate::rulepack::PhraseNormalizer::default();
    for item in &line.items {
        let spans: &[Span] = match item {
            Inline::Text(span) => std::slice::from_ref(span),
            Inline::Choice(choice) => &choice.options,
            _ => continue,
        };
        for span in spans {
            normalizer.push(" ", &mut wording);
            normalizer.push(span.text(text), &mut wording);
        }
    }
    wording
}

/// A field name as words: `stg_targetDate` is "stg target date", `date1` is "date 1".
pub fn field_words(name: &str) -> String {
    let mut words = String::with_capacity(name.len() + 4);
    field_words_into(name, &mut words);
    words
}

/// [`field_words`] of `name` appended to `words`.
pub(crate) fn field_words_into(name: &str, words: &mut String) {
    if !name.is_ascii() {
        words.push_str(&field_words_by_char(name));
        return;
    }
    // The same in one pass for an ASCII name (almost all): a case or digit change is a
    // separator, as punctuation is, and the words are written normalised as they are read.
    // Each byte is classed once; the words are at most the name and a space per byte.
    #[derive(Clone, Copy, PartialEq)]
    enum Class {
        Lower,
        Upper,
        Digit,
        Other,
    }
    words.reserve(2 * name.len());
    let (mut wrote_word, mut pending_space) = (false, false);
    let mut previous = Class::Other;
    for byte in name.bytes() {
        let class = match byte {
            b'a'..=b'z' => Class::Lower,
            b'A'..=b'Z' => Class::Upper,
            b'0'..=b'9' => Class::Digit,
            _ => Class::Other,
        };
        if class == Class::Other {
            pending_space = true;
            previous = class;
            continue;
        }
        // A lower-case letter before an upper-case one, or a letter next to a digit.
        let boundary = matches!(
            (previous, class),
            (Class::Lower, Class::Upper)
                | (Class::Lower | Class::Upper, Class::Digit)
                | (Class::Digit, Class::Lower | Class::Upper)
        );
        if (pending_space || boundary) && wrote_word {
            words.push(' ');
        }
        pending_space = false;
        wrote_word = true;
        words.push(char::from(byte.to_ascii_lowercase()));
        previous = class;
    }
}

/// [`field_words`] of any name, character by character.
fn field_words_by_char(name: &str) -> String {
    let mut words = String::with_capacity(name.len() + 4);
    let mut previous: Option<char> = None;
    for ch in name.chars() {
        if let Some(before) = previous {
            let case_change = before.is_lowercase() && ch.is_uppercase();
            let digit_change = before.is_alphabetic() != ch.is_alphabetic()
                && before.is_alphanumeric()
                && ch.is_alphanumeric();
            if case_change || digit_change {
                words.push(' ');
            }
        }
        words.push(ch);
        previous = Some(ch);
    }
    normalize_phrase(&words)
}

/// The note type the codes or the template's name show, if any.
fn infer_note_type<'t>(
    pack: &RulePack,
    codes: &[DeclaredCode],
    names: impl Iterator<Item = &'t str>,
) -> (Option<String>, NoteTypeReason) {
    for declared in codes {
        if let Some(note_type) = pack
            .note_types
            .iter()
            .find(|note_type| note_type.codes.iter().any(|c| c == &declared.code))
        {
            return (
                Some(note_type.id.clone()),
                NoteTypeReason::Code(declared.code.clone()),
            );
        }
    }
    // Every (type, phrase) the names contain; a phrase inside a longer one found too does not count.
    let mut found: Vec<(usize, &str)> = Vec::new();
    for name in names {
        let name = normalize_phrase(name);
        for (index, note_type) in pack.note_types.iter().enumerate() {
            // Phrases that count only where they begin the name ("Note SOAP").
            for word in &note_type.leading_words {
                let rest = name.strip_prefix(word.as_str());
                if rest.is_some_and(|rest| rest.is_empty() || rest.starts_with(' ')) {
                    found.push((index, word.as_str()));
                }
            }
            // The pack's words are normalised when it is loaded. One pass over the name for all
            // of a type's words first: most names hold none of them (a name was read once per
            // word, about 37 M instructions of `check` on the generated corpus): `contains_any`
            // is `contains_phrase` of any phrase (a proptest in `lookup.rs` holds it to that).
            if !contains_any(&name, &note_type.words) {
                continue;
            }
            for word in &note_type.words {
                if contains_phrase(&name, word) {
                    found.push((index, word.as_str()));
                }
            }
        }
    }
    let best = found
        .iter()
        .filter(|(_, word)| {
            !found
                .iter()
                .any(|(_, other)| other.len() > word.len() && contains_phrase(other, word))
        })
        .min_by_key(|(index, _)| *index)
        .map(|(index, word)| (pack.note_types[*index].id.as_str(), *word));
    match best {
        Some((id, word)) => (Some(id.to_string()), NoteTypeReason::Name(word.to_string())),
        None => (None, NoteTypeReason::Unknown),
    }
}

#[cfg(test)]
mod tests {
    use super::{count_words_upto, field_words, field_words_by_char};

    /// The one-pass reading of an ASCII field name agrees with the general one.
    #[test]
    fn field_words_of_an_ascii_name_agree_with_the_general_reading() {
        for name in [
            "stg_targetDate",
            "date1",
            "DOS",
            "visitsPerWeek",
            "a",
            "_x__Y9z_",
            "HTTPServer2go",
            "",
            "-",
            "plan of care",
            "freq/dur",
        ] {
            assert_eq!(field_words(name), field_words_by_char(name), "{name}");
        }
        // Every name of up to four characters from letters of both cases, digits and
        // separators.
        let alphabet = ['a', 'Z', 'b', 'Q', '1', '0', '_', ' ', '-'];
        let mut names = vec![String::new()];
        for _ in 0..4 {
            let longer: Vec<String> = names
                .iter()
                .flat_map(|name| alphabet.iter().map(move |ch| format!("{name}{ch}")))
                .collect();
            for name in &longer {
                assert_eq!(field_words(name), field_words_by_char(name), "{name:?}");
            }
            names = longer;
        }
        assert_eq!(field_words("stg_targetDate"), "stg target date");
        assert_eq!(field_words("date1"), "date 1");
    }

    /// The byte-wise count agrees with `split_whitespace` (capped), ASCII or not.
    #[test]
    fn counting_words_up_to_a_limit_agrees_with_split_whitespace() {
        let texts = [
            "",
            "   ",
            "Pain",
            "Pain level",
            "  Pain\tlevel \r\n now\x0b x\x0cy ",
            "Schmerz\u{a0}Stufe jetzt",
            "café  job requires prolonged standing and lifting up to 20 lb",
            "a b c d e f g h i j k",
            "\u{2003}lead\u{2003}",
        ];
        for text in texts {
            for most in 1..12 {
                assert_eq!(
                    count_words_upto(text, most),
                    text.split_whitespace().take(most).count(),
                    "{text:?} up to {most}"
                );
            }
        }
    }
}
