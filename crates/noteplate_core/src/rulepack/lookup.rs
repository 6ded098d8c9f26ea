//! Lookup tables built once per pack: heading aliases and technique names, both keyed by their
//! normalised form so that case, punctuation and spacing never matter.

use rustc_hash::{FxHashMap, FxHashSet};

use super::{SectionKind, Technique};

/// Lower-cases, turns every run of punctuation and white space into one space, and trims.
/// `"MEDICAL  NECESSITY:"` and `"medical necessity"` both become `"medical necessity"`.
///
/// The one normalisation of the crate: titles, labels, technique names, element words and the
/// words of a line are all compared in this form ([`PhraseNormalizer`] is the same function over
/// a text given in pieces).
pub fn normalize_phrase(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    PhraseNormalizer::default().push(text, &mut out);
    out
}

/// [`normalize_phrase`] of a text that arrives in pieces (a document normalised only as far as a
/// search needs): `push` each piece in order; what is written is `normalize_phrase` of their
/// concatenation, appended to whatever `out` held before.
#[derive(Debug, Default, Clone, Copy)]
pub struct PhraseNormalizer {
    /// A word was written (a separator is only written between two words).
    wrote_word: bool,
    /// A separator came after the last word (written only if another word follows).
    pending_space: bool,
}

impl PhraseNormalizer {
    pub fn push(&mut self, text: &str, out: &mut String) {
        out.reserve(text.len());
        let bytes = text.as_bytes();
        let mut at = 0;
        while at < bytes.len() {
            let byte = bytes[at];
            if byte.is_ascii() {
                let normal = ASCII_NORMAL[byte as usize];
                if normal == 0 {
                    self.pending_space = true;
                    at += 1;
                    continue;
                }
                if self.pending_space && self.wrote_word {
                    out.push(' ');
                }
                self.pending_space = false;
                self.wrote_word = true;
                // Most of a word is already in normal form (lower-case letters and digits): that
                // run is copied at once instead of a char at a time (this function is behind every
                // label, line and phrase compared, a tenth of `check`'s work on the whole corpus).
                let run = bytes[at..]
                    .iter()
                    .take_while(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit())
                    .count();
                if run > 0 {
                    out.push_str(&text[at..at + run]);
                    at += run;
                } else {
                    out.push(char::from(normal));
                    at += 1;
                }
                continue;
            }
            let Some(ch) = text[at..].chars().next() else {
                break;
            };
            if ch.is_alphanumeric() {
                if self.pending_space && self.wrote_word {
                    out.push(' ');
                }
                self.pending_space = false;
                out.extend(ch.to_lowercase());
                self.wrote_word = true;
            } else {
                self.pending_space = true;
            }
            at += ch.len_utf8();
        }
    }
}

/// For each ASCII byte: its lower case if it is a letter or digit, else 0 (a separator).
const ASCII_NORMAL: [u8; 128] = {
    let mut table = [0; 128];
    let mut byte = 0;
    while byte < 128 {
        let ascii = byte as u8;
        if ascii.is_ascii_alphanumeric() {
            table[byte] = ascii.to_ascii_lowercase();
        }
        byte += 1;
    }
    table
};

/// Whether normalised `words` contain the normalised `phrase` as whole words.
pub fn contains_phrase(words: &str, phrase: &str) -> bool {
    let (bytes, phrase) = (words.as_bytes(), phrase.as_bytes());
    phrase.len() <= bytes.len() && word_starts(bytes).any(|at| phrase_at(bytes, at, phrase))
}

/// Whether normalised `words` contain any of the normalised `phrases` as whole words: one pass
/// over the words; a word start is compared only with the phrases whose first byte is in the
/// bucket of its own (`any_phrase_at_word_start`).
pub fn contains_any(words: &str, phrases: &[String]) -> bool {
    let bytes = words.as_bytes();
    any_phrase_at_word_start(bytes, phrases, |at, phrase| phrase_at(bytes, at, phrase))
}

/// Like [`contains_any`], but a phrase directly followed by one of `not_before` does not count:
/// "sessions" is a duration in "12 sessions" and part of the rate in "2 sessions per week".
pub fn contains_any_not_before(words: &str, phrases: &[String], not_before: &[String]) -> bool {
    let bytes = words.as_bytes();
    any_phrase_at_word_start(bytes, phrases, |at, phrase| {
        let next = at + phrase.len() + 1;
        phrase_at(bytes, at, phrase)
            && !(next < bytes.len()
                && not_before
                    .iter()
                    .any(|rate| phrase_at(bytes, next, rate.as_bytes())))
    })
}

/// Whether `found(at, phrase)` holds for some word start `at` of `bytes` and some phrase that
/// begins with a byte of the same bucket as `bytes[at]` (`found` compares the bytes themselves).
///
/// The phrases are grouped by their first byte, 64 at a time: a bit per phrase in the bucket of
/// its first byte (a letter, a digit, or any other byte). A word start is compared only with the
/// phrases of its bucket, mostly one or two, instead of with every phrase as soon as some phrase
/// shares its first byte: the plan rule scans all of a template's plan and label words with
/// about twenty phrases, and letters such as `d`, `p`, `s` and `w` begin both many of those
/// phrases and many words.
#[inline]
fn any_phrase_at_word_start(
    bytes: &[u8],
    phrases: &[String],
    mut found: impl FnMut(usize, &[u8]) -> bool,
) -> bool {
    if bytes.is_empty() {
        return false;
    }
    phrases.chunks(64).any(|phrases| {
        let mut masks = [0u64; 37];
        for (index, phrase) in phrases.iter().enumerate() {
            // An empty phrase is never found (`phrase_at`): it is in no bucket.
            if let Some(&first) = phrase.as_bytes().first() {
                masks[usize::from(BUCKET[usize::from(first)])] |= 1 << index;
            }
        }
        word_starts(bytes).any(|at| {
            let mut mask = masks[usize::from(BUCKET[usize::from(bytes[at])])];
            while mask != 0 {
                if found(at, phrases[mask.trailing_zeros() as usize].as_bytes()) {
                    return true;
                }
                mask &= mask - 1;
            }
            false
        })
    })
}

/// The bucket of a phrase's or a word's first byte: `a` to `z` are 0 to 25, `0` to `9` are 26
/// to 35, and every other byte is 36 (normalised words hold no other ASCII).
const BUCKET: [u8; 256] = {
    let mut table = [36; 256];
    let mut byte = 0;
    while byte < 26 {
        table[b'a' as usize + byte] = byte as u8;
        byte += 1;
    }
    let mut digit = 0;
    while digit < 10 {
        table[b'0' as usize + digit] = 26 + digit as u8;
        digit += 1;
    }
    table
};

/// Where words start in normalised words: at 0 and after each space (found with `memchr`: the
/// plan rule searches all of a template's labels at once, thousands of bytes).
fn word_starts(bytes: &[u8]) -> impl Iterator<Item = usize> + '_ {
    let first = (!bytes.is_empty()).then_some(0);
    first.into_iter().chain(
        memchr::memchr_iter(b' ', bytes)
            .map(|space| space + 1)
            .filter(move |&at| at < bytes.len()),
    )
}

/// Whether the non-empty `phrase` stands at `at` in `bytes` as whole words (`at` starts a word).
fn phrase_at(bytes: &[u8], at: usize, phrase: &[u8]) -> bool {
    let end = at + phrase.len();
    // The first byte before the whole comparison: most words start otherwise.
    !phrase.is_empty()
        && end <= bytes.len()
        && bytes[at] == phrase[0]
        && &bytes[at..end] == phrase
        && (end == bytes.len() || bytes[end] == b' ')
}

/// Phrases (normalised) with a value each, found in normalised words by one pass over the words:
/// only words that start some phrase are looked at, and each phrase is one hash lookup of a slice
/// of the words (no key is built).
#[derive(Debug, Clone, Default)]
pub struct PhraseTable {
    phrases: FxHashMap<String, usize>,
    first_words: FxHashSet<String>,
    /// A bit per [`first_word_bit`] of each of `first_words` (empty when there are none): a
    /// word whose bit is clear starts no phrase, with no hash of it. Most words of a line start
    /// none, and hashing each word was most of finding the techniques and kinds a line names.
    first_word_bits: Vec<u64>,
    max_words: usize,
}

/// Bits in [`PhraseTable::first_word_bits`]: with a few hundred first words, about one word in
/// ten that starts no phrase still has its bit set.
const FIRST_WORD_BITS: usize = 4096;

/// A word's bit in [`PhraseTable::first_word_bits`], from its length and its first and last
/// bytes (mixed by a multiplication, the top twelve bits).
fn first_word_bit(word: &[u8]) -> usize {
    let (first, last) = (word.first().copied(), word.last().copied());
    let key = u64::from(first.unwrap_or(0))
        | u64::from(last.unwrap_or(0)) << 8
        | (word.len().min(255) as u64) << 16;
    (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 52) as usize
}

impl PhraseTable {
    fn insert(&mut self, phrase: &str, value: usize) {
        let key = normalize_phrase(phrase);
        let Some(first) = key.split(' ').next().filter(|first| !first.is_empty()) else {
            return;
        };
        self.max_words = self.max_words.max(key.split(' ').count());
        if self.first_word_bits.is_empty() {
            self.first_word_bits = vec![0; FIRST_WORD_BITS / 64];
        }
        let bit = first_word_bit(first.as_bytes());
        self.first_word_bits[bit / 64] |= 1 << (bit % 64);
        self.first_words.insert(first.to_string());
        self.phrases.entry(key).or_insert(value);
    }

    /// Calls `found` with the value of every phrase in `words`, in the order they start.
    pub fn find(&self, words: &str, mut found: impl FnMut(usize)) {
        if words.is_empty() {
            return;
        }
        if words.starts_with(' ') || words.ends_with(' ') || words.contains("  ") {
            // Not in normal form: look words up one by one.
            return self.find_in_words(words, found);
        }
        // Normalised: single spaces between words, so the words from one start to the end of a
        // later word are a slice of `words`, the key itself.
        // Words are short: a plain scan for the space costs less than setting up `memchr`.
        let bytes = words.as_bytes();
        let word_end = |from: usize| {
            bytes[from..]
                .iter()
                .position(|&byte| byte == b' ')
                .map_or(bytes.len(), |space| from + space)
        };
        let mut start = 0;
        loop {
            let first_end = word_end(start);
            if self.starts_a_phrase(&words[start..first_end]) {
                let mut end = first_end;
                for _ in 0..self.max_words {
                    if let Some(&value) = self.phrases.get(&words[start..end]) {
                        found(value);
                    }
                    if end == bytes.len() {
                        break;
                    }
                    end = word_end(end + 1);
                }
            }
            if first_end == bytes.len() {
                break;
            }
            start = first_end + 1;
        }
    }

    /// Whether `word` is the first word of a phrase: its bit first, then the set itself.
    #[inline]
    fn starts_a_phrase(&self, word: &str) -> bool {
        let bit = first_word_bit(word.as_bytes());
        self.first_word_bits
            .get(bit / 64)
            .is_some_and(|bits| bits & (1 << (bit % 64)) != 0)
            && self.first_words.contains(word)
    }

    /// [`PhraseTable::find`] for words not in normal form (empty words between spaces skipped).
    fn find_in_words(&self, words: &str, mut found: impl FnMut(usize)) {
        let words: Vec<&str> = words.split(' ').filter(|w| !w.is_empty()).collect();
        let mut key = String::new();
        for start in 0..words.len() {
            if !self.starts_a_phrase(words[start]) {
                continue;
            }
            key.clear();
            for (length, word) in words[start..].iter().take(self.max_words).enumerate() {
                if length > 0 {
                    key.push(' ');
                }
                key.push_str(word);
                if let Some(&value) = self.phrases.get(&key) {
                    found(value);
                }
            }
        }
    }
}

/// How sure a title or label match is. `High` and `Medium` count as the section being there;
/// `Low` is only a guess worth a hint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum MatchConfidence {
    Low,
    Medium,
    High,
}

/// One section kind a heading title or a label means, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct SectionMatch<'pack> {
    pub section: &'pack SectionKind,
    /// The alias (as written in the pack) or the word that matched.
    pub alias: &'pack str,
    pub confidence: MatchConfidence,
}

/// The pack's recognition vocabulary (`[recognition]` in sections.toml).
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Recognition {
    /// Words dropped before matching (discipline, form and time words).
    #[serde(default)]
    pub filler: Vec<String>,
    /// Whole-word abbreviations and what they stand for.
    #[serde(default)]
    pub abbreviations: std::collections::BTreeMap<String, String>,
    /// Words after which a segment's head comes first (`Plan of care`).
    #[serde(default)]
    pub head_before: Vec<String>,
    /// Words that put a segment in the past ("Prior interventions"), and the kind it then means.
    #[serde(default)]
    pub past_words: Vec<String>,
    #[serde(default)]
    pub past_kind: String,
    /// Participles that follow a segment's head and say what befell it ("Intervention plan
    /// drawn", "Issues identified"): dropped from the end, so the word before is the head.
    #[serde(default)]
    pub tail_words: Vec<String>,
    /// Heads that make a heading about something else than a section's content ("Date of
    /// initial treatment" is a date): no low-confidence guess is made from its other words.
    #[serde(default)]
    pub no_guess_heads: Vec<String>,
    /// Heads that say how well something was done ("Articulation accuracy"): when the segment's
    /// other words are a kind's exact title or alias, the segment means that kind, not the head's.
    #[serde(default)]
    pub measure_heads: Vec<String>,
    /// Words that qualify a measure rather than name what is measured ("Vision clinical
    /// assessment", "Oral motor formal evaluation"): passed over when finding what a measure head
    /// measures.
    #[serde(default)]
    pub measure_modifiers: Vec<String>,
    /// Abbreviations written with a separator that are one word, not two parts of a title
    /// ("N/A" is not applicable, not "N" and "A" for assessment): read as their letters joined.
    #[serde(default)]
    pub unsplit: Vec<String>,

    /// Measure heads that, after words naming no kind, still measure what those words name
    /// ("Pelvic floor assessment:", "Home safety assessment:" assess a domain the pack has no alias
    /// for): on a labelled line the segment then means `domain_kind` (a heading such as
    /// "Vietnamese PT Assessment" is as often a document's title). The measure's own qualifiers
    /// (`measure_modifiers`: "Narrative assessment", "Therapist assessment") name no domain.
    #[serde(default)]
    pub domain_measure_heads: Vec<String>,
    #[serde(default)]
    pub domain_kind: String,
    /// Words that put a segment in the future when they lead it ("Anticipated discharge",
    /// "Projected treatment"), and phrases that do anywhere in it ("Treatment to be provided",
    /// "Treatment to include"): what is to come is the plan (`future_kind`), not today's
    /// intervention. A goal stays a goal ("Anticipated goals").
    #[serde(default)]
    pub future_words: Vec<String>,
    #[serde(default)]
    pub future_phrases: Vec<String>,
    #[serde(default)]
    pub future_kind: String,
    /// Kinds that are about what is to come anyway, so a future word does not change them.
    #[serde(default)]
    pub future_keeps: Vec<String>,
    /// Heads that name a document, not a section: a segment of more than one word that ends in one
    /// ("Progress Note", "PT Treatment Note") is the title of the note, so its other words give no
    /// kind (a progress note's title is not its assessment).
    #[serde(default)]
    pub document_heads: Vec<String>,
    /// Words that end one phrase of a sentence-long prompt and start the next, as its clause
    /// marks do ("The recipient's past and current communication skills, including information
    /// about past AAC use: ***"): each phrase is then read as a label (`semantics::prompt_phrases`).
    #[serde(default)]
    pub prompt_breaks: Vec<String>,
    /// Words that start a relative clause in a prompt ("Any co-existing condition that affects
    /// either the goals or the plan of care"): the rest of the clause restricts the phrase before
    /// it and is read with it, never as phrases of its own.
    #[serde(default)]
    pub prompt_relatives: Vec<String>,
}

#[derive(Debug, Clone, Default)]
pub(super) struct Index {
    /// normalised alias -> (section index, alias index; usize::MAX for the title itself)
    headings: FxHashMap<String, (usize, usize)>,
    /// head word -> (section index, word index)
    words: FxHashMap<String, (usize, usize)>,
    filler: FxHashSet<String>,
    abbreviations: FxHashMap<String, String>,
    head_before: FxHashSet<String>,
    past_words: FxHashSet<String>,
    tail_words: FxHashSet<String>,
    no_guess_heads: FxHashSet<String>,
    measure_heads: FxHashSet<String>,
    measure_modifiers: FxHashSet<String>,
    /// `Recognition::unsplit` in lower case, each with its letters joined.
    unsplit: Vec<(String, String)>,

    domain_measure_heads: FxHashSet<String>,
    future_words: FxHashSet<String>,
    future_phrases: Vec<String>,
    document_heads: FxHashSet<String>,
    /// Index of `Recognition::past_kind` in the sections.
    past_kind: Option<usize>,
    /// Index of `Recognition::domain_kind` in the sections.
    domain_kind: Option<usize>,
    /// Index of `Recognition::future_kind` in the sections.
    future_kind: Option<usize>,
    /// Indexes of `Recognition::future_keeps` in the sections.
    future_keeps: Vec<usize>,
    /// Each section's `not_words`, normalised (same order as the sections).
    not_words: Vec<Vec<String>>,
    /// Each section's `not_words_unless_billed` words, normalised (same order).
    not_words_unless_billed: Vec<Vec<String>>,
    /// normalised technique name/synonym/abbreviation -> technique index
    techniques: FxHashMap<String, usize>,
    /// normalised names and synonyms only (abbreviations such as MET or ART are ordinary words
    /// in prose) -> technique index, and their most words
    technique_phrases: PhraseTable,
    /// Each kind's `phrases` -> section index.
    kind_phrases: PhraseTable,
    technique_names: Vec<(String, usize)>,
}

/// What is being classified: a heading may get low-confidence guesses; a label only sure matches,
/// and a head word only when it is short (`Response to treatment`, not "Therapist who developed
/// the plan of care").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Mode {
    Heading,
    Label,
}

/// The most words a label may have for its head word to count.
const LABEL_HEAD_WORDS: usize = 3;

/// Characters that separate the parts of a combined title (`A/P`, `O — OBJECTIVE (exam)`).
fn is_separator(ch: char) -> bool {
    matches!(
        ch,
        '/' | '|' | '\\' | ':' | ';' | '&' | '+' | '(' | ')' | '[' | ']' | ',' | '—' | '–' | '>'
    )
}

/// Splits a title into its parts: at separator characters, at ` - ` and at the word `and`.
fn segments(title: &str) -> Vec<String> {
    let mut parts = Vec::new();
    for piece in title.split(is_separator) {
        for piece in piece.split(" - ") {
            let normalised = normalize_phrase(piece);
            let mut current: Vec<&str> = Vec::new();
            for word in normalised.split(' ') {
                if word == "and" || word == "or" {
                    if !current.is_empty() {
                        parts.push(current.join(" "));
                    }
                    current.clear();
                } else if !word.is_empty() {
                    current.push(word);
                }
            }
            if !current.is_empty() {
                parts.push(current.join(" "));
            }
        }
    }
    parts
}

fn is_roman(word: &str) -> bool {
    matches!(
        word,
        "i" | "ii" | "iii" | "iv" | "vi" | "vii" | "viii" | "ix" | "x" | "xi" | "xii"
    )
}

fn is_number(word: &str) -> bool {
    !word.is_empty() && word.chars().all(|ch| ch.is_ascii_digit())
}

/// Whether `text` is only the numbering of a title ("Part 4", "Section II", "3."), as
/// [`strip_numbering`] reads numbering: nothing is left once it is gone.
pub fn is_numbering(text: &str) -> bool {
    let normal = normalize_phrase(text);
    let mut words: Vec<String> = normal.split(' ').map(str::to_string).collect();
    // A lone number is numbering; a lone letter is not ("A:" is the assessment of a SOAP note).
    if let [only] = words.as_slice() {
        return is_number(only) || is_roman(only) && only.chars().count() > 1;
    }
    strip_numbering(&mut words);
    words.is_empty()
}

/// Drops numbering around the words of a segment: `part 3 objective`, `3 1 plan`, `ii goals`,
/// `a subjective` (a lone letter only when words follow it).
fn strip_numbering(words: &mut Vec<String>) {
    loop {
        let Some(first) = words.first() else { return };
        let more = words.len() > 1;
        let numbering = is_number(first)
            || (more && (is_roman(first) || first.chars().count() == 1))
            || (more
                && matches!(
                    first.as_str(),
                    "part" | "section" | "step" | "step no" | "no"
                )
                && words.get(1).is_some_and(|w| is_number(w) || is_roman(w)));
        if !numbering {
            break;
        }
        let drop = if matches!(first.as_str(), "part" | "section" | "step" | "no") {
            2
        } else {
            1
        };
        words.drain(..drop.min(words.len()));
    }
    while words.len() > 1 && words.last().is_some_and(|w| is_number(w)) {
        words.pop();
    }
}

impl Index {
    pub(super) fn build(
        sections: &[SectionKind],
        techniques: &[Technique],
        recognition: &Recognition,
    ) -> Index {
        let mut index = Index::default();
        for (section_index, section) in sections.iter().enumerate() {
            index
                .headings
                .entry(normalize_phrase(&section.title))
                .or_insert((section_index, usize::MAX));
            for (alias_index, alias) in section.aliases.iter().enumerate() {
                index
                    .headings
                    .entry(normalize_phrase(alias))
                    .or_insert((section_index, alias_index));
            }
            for phrase in &section.phrases {
                index.kind_phrases.insert(phrase, section_index);
            }
            for (word_index, word) in section.words.iter().enumerate() {
                index
                    .words
                    .entry(normalize_phrase(word))
                    .or_insert((section_index, word_index));
            }
        }
        index.filler = recognition
            .filler
            .iter()
            .map(|w| normalize_phrase(w))
            .collect();
        index.abbreviations = recognition
            .abbreviations
            .iter()
            .map(|(short, long)| (normalize_phrase(short), normalize_phrase(long)))
            .collect();
        index.head_before = recognition
            .head_before
            .iter()
            .map(|w| normalize_phrase(w))
            .collect();
        index.past_words = recognition
            .past_words
            .iter()
            .map(|w| normalize_phrase(w))
            .collect();
        index.tail_words = recognition
            .tail_words
            .iter()
            .map(|w| normalize_phrase(w))
            .collect();
        index.no_guess_heads = recognition
            .no_guess_heads
            .iter()
            .map(|w| normalize_phrase(w))
            .collect();
        index.measure_heads = recognition
            .measure_heads
            .iter()
            .map(|w| normalize_phrase(w))
            .collect();
        index.measure_modifiers = recognition
            .measure_modifiers
            .iter()
            .map(|w| normalize_phrase(w))
            .collect();
        index.unsplit = recognition
            .unsplit
            .iter()
            .map(|w| {
                let written = w.to_ascii_lowercase();
                let joined = written.chars().filter(|c| c.is_alphanumeric()).collect();
                (written, joined)
            })
            .filter(|(written, _)| !written.is_empty())
            .collect();

        index.domain_measure_heads = recognition
            .domain_measure_heads
            .iter()
            .map(|w| normalize_phrase(w))
            .collect();
        index.future_words = recognition
            .future_words
            .iter()
            .map(|w| normalize_phrase(w))
            .collect();
        index.document_heads = recognition
            .document_heads
            .iter()
            .map(|w| normalize_phrase(w))
            .collect();
        index.future_phrases = recognition
            .future_phrases
            .iter()
            .map(|w| normalize_phrase(w))
            .collect();
        index.domain_kind = sections
            .iter()
            .position(|section| section.kind == recognition.domain_kind);
        index.future_kind = sections
            .iter()
            .position(|section| section.kind == recognition.future_kind);
        index.future_keeps = sections
            .iter()
            .enumerate()
            .filter(|(_, section)| recognition.future_keeps.contains(&section.kind))
            .map(|(at, _)| at)
            .collect();
        index.not_words = sections
            .iter()
            .map(|section| {
                section
                    .not_words
                    .iter()
                    .map(|w| normalize_phrase(w))
                    .collect()
            })
            .collect();
        index.not_words_unless_billed = sections
            .iter()
            .map(|section| {
                let words = section.not_words_unless_billed.iter();
                words
                    .flat_map(|unless| &unless.words)
                    .map(|w| normalize_phrase(w))
                    .collect()
            })
            .collect();
        index.past_kind = sections
            .iter()
            .position(|section| section.kind == recognition.past_kind);
        for (technique_index, technique) in techniques.iter().enumerate() {
            for phrase in std::iter::once(&technique.name).chain(&technique.synonyms) {
                index.technique_phrases.insert(phrase, technique_index);
            }
            let names = std::iter::once(&technique.name)
                .chain(&technique.synonyms)
                .chain(&technique.abbreviations);
            for name in names {
                let key = normalize_phrase(name);
                if key.is_empty() {
                    continue;
                }
                if index
                    .techniques
                    .insert(key.clone(), technique_index)
                    .is_none()
                {
                    index.technique_names.push((key, technique_index));
                }
            }
        }
        index
    }

    fn alias<'pack>(
        &self,
        key: &str,
        sections: &'pack [SectionKind],
    ) -> Option<(usize, &'pack str)> {
        let &(section_index, alias_index) = self.headings.get(key)?;
        let section = &sections[section_index];
        let alias = section
            .aliases
            .get(alias_index)
            .map(String::as_str)
            .unwrap_or(section.title.as_str());
        Some((section_index, alias))
    }

    fn word<'pack>(
        &self,
        word: &str,
        sections: &'pack [SectionKind],
    ) -> Option<(usize, &'pack str)> {
        let &(section_index, word_index) = self.words.get(word)?;
        Some((
            section_index,
            sections[section_index].words[word_index].as_str(),
        ))
    }

    /// `title` with each `[recognition] unsplit` abbreviation that stands as a word of its own
    /// (case aside) written with its letters joined, so that splitting does not part it: "☐ N/A"
    /// is "☐ na", and "A/P" is still split.
    fn join_unsplit<'t>(&self, title: &'t str) -> std::borrow::Cow<'t, str> {
        let mut result = std::borrow::Cow::Borrowed(title);
        for (written, joined) in &self.unsplit {
            // ASCII lower case keeps every byte where it was, so positions carry over.
            let lower = result.to_ascii_lowercase();
            if !lower.contains(written.as_str()) {
                continue;
            }
            let bytes = lower.as_bytes();
            let mut out = String::with_capacity(result.len());
            let mut at = 0;
            let mut copied = 0;
            while let Some(found) = lower[at..].find(written.as_str()) {
                let start = at + found;
                let end = start + written.len();
                let alone = |byte: Option<&u8>| byte.is_none_or(|b| !b.is_ascii_alphanumeric());
                if alone(start.checked_sub(1).and_then(|i| bytes.get(i))) && alone(bytes.get(end)) {
                    out.push_str(&result[copied..start]);
                    out.push_str(joined);
                    copied = end;
                }
                at = end;
            }
            if copied > 0 {
                out.push_str(&result[copied..]);
                result = std::borrow::Cow::Owned(out);
            }
        }
        result
    }

    /// The kind of what a measure head (`[recognition] measure_heads`) measures, when the rest
    /// of the segment is a kind's exact title or alias: "Articulation accuracy" (the head last) or
    /// "Accuracy of articulation" (the head first, then `of`, `in`...).
    fn measured<'pack>(
        &self,
        core: &[&str],
        sections: &'pack [SectionKind],
        domain: bool,
    ) -> Option<(usize, &'pack str)> {
        // "Vision clinical assessment" measures vision: the measure's own qualifiers go.
        let core: Vec<&str> = core
            .iter()
            .copied()
            .filter(|word| !self.measure_modifiers.contains(*word))
            .collect();
        let (rest, head) = match core.as_slice() {
            [rest @ .., last] if !rest.is_empty() && self.measure_heads.contains(*last) => {
                (rest, *last)
            }
            [first, link, rest @ ..]
                if !rest.is_empty()
                    && self.measure_heads.contains(*first)
                    && self.head_before.contains(*link) =>
            {
                (rest, *first)
            }
            _ => return None,
        };
        // "Physical demands analysis" analyses a job, not the patient: a word that keeps the
        // head's own kind away ("demands" from the assessment) keeps the measure's reading away.
        let head_kind = self.word(head, sections);
        if head_kind.is_some_and(|(kind, _)| self.not_this_kind(kind, &core.join(" "))) {
            return None;
        }
        if let Some(hit) = self.alias(&rest.join(" "), sections) {
            return Some(hit);
        }
        // "Pelvic floor assessment": a domain the pack has no alias for is still assessed.
        match self.domain_kind {
            Some(kind) if domain && self.domain_measure_heads.contains(head) => {
                Some((kind, sections[kind].title.as_str()))
            }
            _ => None,
        }
    }

    /// Every kind a heading title (or, with `guesses` false, a label) means, best first and at most
    /// once per kind. See the recognition notes at the top of `rulepack/sections.toml`.
    pub(super) fn classify<'pack>(
        &self,
        title: &str,
        sections: &'pack [SectionKind],
        mode: Mode,
    ) -> Vec<SectionMatch<'pack>> {
        let mut found: Vec<(usize, &'pack str, MatchConfidence)> = Vec::new();
        let add = |found: &mut Vec<(usize, &'pack str, MatchConfidence)>,
                   (section_index, alias): (usize, &'pack str),
                   confidence| {
            match found.iter_mut().find(|(s, _, _)| *s == section_index) {
                Some(existing) if existing.2 < confidence => {
                    *existing = (section_index, alias, confidence)
                }
                Some(_) => {}
                None => found.push((section_index, alias, confidence)),
            }
        };
        if let Some(hit) = self.alias(&normalize_phrase(title), sections) {
            add(&mut found, hit, MatchConfidence::High);
        }
        let mut in_past = false;
        let title = self.join_unsplit(title);
        for segment in segments(&title) {
            let mut words: Vec<String> = segment.split(' ').map(str::to_string).collect();
            strip_numbering(&mut words);
            if let Some(hit) = self.alias(&words.join(" "), sections) {
                add(&mut found, hit, MatchConfidence::High);
                continue;
            }
            // "Progress Note", "PT Treatment Note": the title of the note, not one of its sections.
            if words.len() > 1
                && words
                    .last()
                    .is_some_and(|last| self.document_heads.contains(last.as_str()))
            {
                continue;
            }
            let expanded: Vec<String> = words
                .iter()
                .flat_map(|word| match self.abbreviations.get(word) {
                    Some(long) => long.split(' ').map(str::to_string).collect::<Vec<_>>(),
                    None => vec![word.clone()],
                })
                .collect();
            if let Some(hit) = self.alias(&expanded.join(" "), sections) {
                add(&mut found, hit, MatchConfidence::High);
                continue;
            }
            // "Parent signature", "Patient signature": a kind's words beside one of its `not_words`
            // mean something else (someone else's signature), not that kind, not even as a guess
            // (the filler gone, "patient signature" would be "signature").
            let expanded_words = expanded.join(" ");
            let excluded =
                |(section, _): &(usize, &str)| self.not_this_kind(*section, &expanded_words);
            // "Language assessment": a measure of an examined domain whose name is also filler
            // (the discipline's name) is that domain's finding; the filler is still there.
            let whole: Vec<&str> = expanded.iter().map(String::as_str).collect();
            if let Some(hit) = self.measured(&whole, sections, false) {
                add(&mut found, hit, MatchConfidence::Medium);
                continue;
            }
            let several = expanded.len() > 1;
            let mut core: Vec<&str> = expanded
                .iter()
                .map(String::as_str)
                .filter(|word| {
                    !(self.filler.contains(*word) || (several && word.chars().count() == 1))
                })
                .collect();
            // A segment that starts with `for`, `to`, `on`... names what follows it: "Notes for
            // next session" (its filler gone) is "next session".
            if core.len() > 1 && self.head_before.contains(core[0]) {
                core.remove(0);
            }
            // "Intervention plan drawn": a participle after the head says what befell it.
            if core.len() > 1
                && core
                    .last()
                    .is_some_and(|last| self.tail_words.contains(*last))
            {
                core.pop();
            }
            if core.is_empty() {
                continue;
            }
            if let Some(hit) = self
                .alias(&core.join(" "), sections)
                .filter(|hit| !excluded(hit))
            {
                add(&mut found, hit, MatchConfidence::High);
                continue;
            }
            // "Treatment to be provided", "Anticipated discharge": what is to come is the plan.
            // A leading future word puts the whole segment in the future; an infinitive of intent
            // ("to be", "to include") only the head it follows: in "Skilled OT continues to be
            // medically necessary because" it belongs to the verb, and "skilled" stays the
            // necessity (part w's SNF progress note).
            let future_lead = self.future_words.contains(core[0]);
            let in_future = future_lead || contains_any(&expanded_words, &self.future_phrases);
            // "Prior interventions, treatments, medications": the list after a past word is in
            // the past too. "Previous physiotherapy", "Prior therapy": so is a past word before
            // filler alone (the filler gone, it is all that is left); "Previous" alone is not.
            in_past |= (core.len() > 1 || expanded.len() > 1) && self.past_words.contains(core[0]);
            if in_past && let Some(past) = self.past_kind {
                add(
                    &mut found,
                    (past, sections[past].title.as_str()),
                    MatchConfidence::Medium,
                );
                continue;
            }
            // The head of a noun phrase is its last word, or the word before `of`, `to`...
            let head_first = core
                .iter()
                .position(|word| self.head_before.contains(*word))
                .filter(|&at| at > 0);
            // A long label is often a question or an instruction, whose last word is no head;
            // one that starts with its head ("Plan for home health services", "Frequency of
            // sessions per week") says what it is in its first word, whatever its length (not
            // "Therapist who developed plan of care": its head is not its first word).
            // A label is as long as it is written: an abbreviation is one word ("AROM:" is not a
            // long label because it stands for "active range of motion").
            let written = words
                .iter()
                .filter(|word| {
                    !(self.filler.contains(word.as_str())
                        || (words.len() > 1 && word.chars().count() == 1))
                })
                .count();
            if mode == Mode::Label && written > LABEL_HEAD_WORDS && head_first != Some(1) {
                continue;
            }
            // "Articulation accuracy", "Accuracy of articulation": a measure of an examined domain
            // is that domain's finding, whatever the measure word means on its own.
            // A domain the pack has no alias for counts only on a labelled line: a heading such as
            // "Vietnamese PT Assessment" is as often the document's title.
            if let Some(hit) = self.measured(&core, sections, mode == Mode::Label) {
                add(&mut found, hit, MatchConfidence::Medium);
                continue;
            }
            // The first word counts too: `Goals met`, `Tolerated treatment`; not before a head
            // about a date (`no_guess_heads`): "Treatment date and time" is when, not what.
            let head = head_first.map_or(core[core.len() - 1], |at| core[at - 1]);
            let about_a_date = self.no_guess_heads.contains(head);
            let heads = [
                Some((head, in_future)),
                core.first()
                    .copied()
                    .filter(|first| *first != head && !about_a_date)
                    .map(|first| (first, future_lead)),
            ];
            let mut any_head = false;
            for (hit, to_come) in heads
                .into_iter()
                .flatten()
                .filter_map(|(w, to_come)| self.word(w, sections).map(|hit| (hit, to_come)))
                .filter(|(hit, _)| !excluded(hit))
            {
                // A goal to come is still a goal; anything else to come is the plan.
                let hit = match self.future_kind {
                    Some(future) if to_come && !self.future_keeps.contains(&hit.0) => {
                        (future, sections[future].title.as_str())
                    }
                    _ => hit,
                };
                add(&mut found, hit, MatchConfidence::Medium);
                any_head = true;
            }
            if any_head {
                continue;
            }
            if in_future && let Some(future) = self.future_kind {
                add(
                    &mut found,
                    (future, sections[future].title.as_str()),
                    MatchConfidence::Medium,
                );
                continue;
            }
            if mode == Mode::Heading && !self.no_guess_heads.contains(head) {
                for word in &core {
                    if let Some(hit) = self.word(word, sections).filter(|hit| !excluded(hit)) {
                        add(&mut found, hit, MatchConfidence::Low);
                    }
                }
            }
        }
        // Best first; among equals, in the order the title names them.
        found.sort_by_key(|entry| std::cmp::Reverse(entry.2));
        found
            .into_iter()
            .map(|(section_index, alias, confidence)| SectionMatch {
                section: &sections[section_index],
                alias,
                confidence,
            })
            .collect()
    }

    /// Whether normalised `words` hold one of the `not_words` of section `section` ("parent" in
    /// "parent signature"): the one reading of those words, for titles, labels and the
    /// signature rule alike.
    pub(super) fn not_this_kind(&self, section: usize, words: &str) -> bool {
        self.not_words
            .get(section)
            .is_some_and(|not_words| contains_any(words, not_words))
    }

    /// Whether normalised `words` hold one of the `not_words_unless_billed` words of section
    /// `section` (whether the note's codes let them count is the caller's question).
    pub(super) fn not_this_kind_unless_billed(&self, section: usize, words: &str) -> bool {
        self.not_words_unless_billed
            .get(section)
            .is_some_and(|not_words| contains_any(words, not_words))
    }

    pub(super) fn technique(&self, phrase: &str) -> Option<usize> {
        self.techniques.get(&normalize_phrase(phrase)).copied()
    }

    /// Every technique whose name or synonym occurs in normalised `words`, in order.
    pub(super) fn techniques_in(&self, words: &str) -> Vec<usize> {
        let mut found = Vec::new();
        self.technique_phrases
            .find(words, |technique| found.push(technique));
        found
    }

    /// Every section kind (index) one of whose `phrases` occurs in normalised `words`, once each.
    pub(super) fn kinds_in(&self, words: &str) -> Vec<usize> {
        let mut found: Vec<usize> = Vec::new();
        self.kind_phrases.find(words, |kind| {
            if !found.contains(&kind) {
                found.push(kind);
            }
        });
        found
    }

    pub(super) fn technique_names(&self) -> &[(String, usize)] {
        &self.technique_names
    }
}

#[cfg(test)]
mod tests {
    use super::{PhraseNormalizer, contains_any, contains_phrase, normalize_phrase};

    /// Numbering alone, as `strip_numbering` reads it; a lone letter is not numbering.
    #[test]
    fn numbering_alone_is_told_from_a_title() {
        for numbering in ["Part 4", "Section II", "3.", "4", "Step 2", "iv", "3.1"] {
            assert!(super::is_numbering(numbering), "{numbering}");
        }
        for title in [
            "A",
            "S",
            "Part 4 Assessment",
            "Assessment",
            "Part",
            "Goals 1",
            "",
        ] {
            assert!(!super::is_numbering(title), "{title}");
        }
    }

    /// Whole words only, at any word start, and `contains_any` is `contains_phrase` of any.
    #[test]
    fn phrases_are_found_as_whole_words() {
        let words = "date of service  next visit dos";
        let cases = [
            ("date", true),
            ("date of service", true),
            ("of service next", false),
            ("service", true),
            ("visit dos", true),
            ("dos", true),
            ("ate", false),
            ("dat", false),
            ("next visits", false),
            ("", false),
            ("date of service  next visit dos and more", false),
        ];
        for (phrase, expected) in cases {
            assert_eq!(contains_phrase(words, phrase), expected, "{phrase:?}");
            assert_eq!(
                contains_any(words, &[phrase.to_string()]),
                expected,
                "{phrase:?}"
            );
        }
        let phrases: Vec<String> = ["ate", "visit", "x"].map(String::from).to_vec();
        assert!(contains_any(words, &phrases));
        assert!(!contains_any(words, &phrases[..1]));
        assert!(!contains_any(words, &[]));
        assert!(!contains_any("", &phrases));
    }

    /// A phrase table finds the same phrases, in the same order, in words in normal form (looked
    /// up as slices) as when the words are split one by one.
    #[test]
    fn phrase_table_finds_phrases_in_slices_as_in_split_words() {
        let mut table = super::PhraseTable::default();
        for (value, phrase) in [
            "soft tissue",
            "soft tissue mobilization",
            "ice",
            "dry needling",
        ]
        .into_iter()
        .enumerate()
        {
            table.insert(phrase, value);
        }
        let found = |words: &str, split: bool| {
            let mut found = Vec::new();
            if split {
                table.find_in_words(words, |value| found.push(value));
            } else {
                table.find(words, |value| found.push(value));
            }
            found
        };
        for words in [
            "soft tissue mobilization and ice",
            "ice",
            "dry needling soft tissue",
            "soft",
            "ices soft tissues",
            "",
            " ice  soft tissue ",
        ] {
            assert_eq!(found(words, false), found(words, true), "{words:?}");
        }
        assert_eq!(found("soft tissue mobilization and ice", false), [0, 1, 2]);
        assert_eq!(found(" ice  soft tissue ", false), [2, 0]);
    }

    /// The definition, char by char: what the byte-table scan must give.
    fn reference(text: &str) -> String {
        let mut out = String::new();
        let mut pending_space = false;
        for ch in text.chars() {
            if ch.is_alphanumeric() {
                if pending_space && !out.is_empty() {
                    out.push(' ');
                }
                pending_space = false;
                out.extend(ch.to_lowercase());
            } else {
                pending_space = true;
            }
        }
        out
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig {
            cases: 2_000,
            failure_persistence: Some(Box::new(proptest::test_runner::FileFailurePersistence::Off)),
            ..proptest::prelude::ProptestConfig::default()
        })]

        /// Word starts are 0 and every byte after a space, and `contains_any` (which skips the
        /// word starts no phrase begins with) agrees with `contains_phrase` of each phrase.
        #[test]
        fn word_starts_and_contains_any_agree_with_their_definitions(
            words in "[ab ]{0,24}",
            phrases in proptest::collection::vec("[ab ]{0,5}", 0..4),
        ) {
            let bytes = words.as_bytes();
            let starts: Vec<usize> = super::word_starts(bytes).collect();
            let expected: Vec<usize> = (0..bytes.len())
                .filter(|&at| at == 0 || bytes[at - 1] == b' ')
                .collect();
            proptest::prop_assert_eq!(starts, expected);
            proptest::prop_assert_eq!(
                contains_any(&words, &phrases),
                phrases.iter().any(|phrase| contains_phrase(&words, phrase))
            );
        }

        /// `contains_any` and `contains_any_not_before`, which compare a word start only with the
        /// phrases of its first byte's bucket (`any_phrase_at_word_start`), give what comparing
        /// every phrase at every word start gives, whatever the letters, digits and other bytes,
        /// and however many phrases (more than 64 are taken 64 at a time).
        #[test]
        fn phrases_by_first_byte_are_every_phrase_at_every_word_start(
            words in "[abzé09 ]{0,30}",
            phrases in proptest::collection::vec("[abzé09 ]{0,5}", 0..80),
            not_before in proptest::collection::vec("[abz09 ]{0,3}", 0..3),
        ) {
            let bytes = words.as_bytes();
            let starts: Vec<usize> = super::word_starts(bytes).collect();
            let any = starts.iter().any(|&at| {
                phrases.iter().any(|phrase| super::phrase_at(bytes, at, phrase.as_bytes()))
            });
            let any_not_before = starts.iter().any(|&at| {
                phrases.iter().any(|phrase| {
                    let next = at + phrase.len() + 1;
                    super::phrase_at(bytes, at, phrase.as_bytes())
                        && !(next < bytes.len()
                            && not_before
                                .iter()
                                .any(|rate| super::phrase_at(bytes, next, rate.as_bytes())))
                })
            });
            proptest::prop_assert_eq!(contains_any(&words, &phrases), any);
            proptest::prop_assert_eq!(
                super::contains_any_not_before(&words, &phrases, &not_before),
                any_not_before
            );
        }

        /// A phrase table (whose first words are tested by their bit before the set) finds what
        /// looking up every run of up to `max_words` words in the phrases gives, in words in
        /// normal form or not, with enough phrases that words share bits.
        #[test]
        fn phrase_table_finds_every_run_of_words_that_is_a_phrase(
            words in "[abzé ]{0,30}",
            phrases in proptest::collection::vec("[abzé]{1,3}( [abzé]{1,3}){0,2}", 0..300),
        ) {
            let mut table = super::PhraseTable::default();
            for (value, phrase) in phrases.iter().enumerate() {
                table.insert(phrase, value);
            }
            let split: Vec<&str> = words.split(' ').filter(|w| !w.is_empty()).collect();
            let mut expected = Vec::new();
            for start in 0..split.len() {
                for end in start + 1..=split.len().min(start + table.max_words) {
                    if let Some(&value) = table.phrases.get(&split[start..end].join(" ")) {
                        expected.push(value);
                    }
                }
            }
            let mut found = Vec::new();
            table.find(&words, |value| found.push(value));
            proptest::prop_assert_eq!(found, expected);
        }

        #[test]
        fn normalize_phrase_is_the_char_definition(text in "[a-zA-Z0-9 ,.:_\\-\t\nÉéßİΣσς°²😀\u{feff}\u{345}]{0,40}") {
            proptest::prop_assert_eq!(normalize_phrase(&text), reference(&text));
        }

        #[test]
        fn normalize_phrase_is_the_char_definition_on_any_text(text in proptest::prelude::any::<String>()) {
            proptest::prop_assert_eq!(normalize_phrase(&text), reference(&text));
        }

        #[test]
        fn pieces_normalise_as_the_whole(text in "[a-zA-Z ,.éΣ°]{0,40}", cut in 0usize..40) {
            let mut cut = cut.min(text.len());
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            let mut out = String::from(" ");
            let mut normalizer = PhraseNormalizer::default();
            normalizer.push(&text[..cut], &mut out);
            normalizer.push(&text[cut..], &mut out);
            proptest::prop_assert_eq!(out, format!(" {}", normalize_phrase(&text)));
        }
    }

    #[test]
    fn normalisation_ignores_case_punctuation_and_spacing() {
        assert_eq!(normalize_phrase("MEDICAL  NECESSITY:"), "medical necessity");
        assert_eq!(
            normalize_phrase("  Strain-counterstrain "),
            "strain counterstrain"
        );
        assert_eq!(normalize_phrase("Réponse du patient"), "réponse du patient");
        assert_eq!(normalize_phrase("::"), "");
    }
}
