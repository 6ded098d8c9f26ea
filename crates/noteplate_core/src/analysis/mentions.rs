//! Finding lexicon techniques and other phrases in template text: words with spans, and the
//! longest exact lexicon name (up to four words) at each place. Shared by the technique rules.

use std::borrow::Cow;
use std::cell::RefCell;

use super::lexicon::{FxHashMap, Lexicon};
use crate::rulepack::{PhraseNormalizer, RulePack, normalize_phrase};
use crate::syntax::{Inline, Line, Span};

/// Longest technique name, in words, that phrase matching considers.
pub const MAX_WORDS: usize = 4;

/// A word with its byte span in the document, lower-cased ("-isation" spelt "-ization").
#[derive(Debug, Clone)]
pub struct Word {
    pub normalized: String,
    pub span: Span,
}

pub fn words(text: &str, base: usize) -> Vec<Word> {
    let mut found = Vec::new();
    words_into(text, base, &mut found);
    found
        .into_iter()
        .map(|word| Word {
            normalized: word.normalized.into_owned(),
            span: word.span,
        })
        .collect()
}

/// A [`Word`] that borrows the text when it is already in normal form (lower-case ASCII letters
/// and digits, as most words of a template are), so finding words allocates little.
#[derive(Debug, Clone)]
pub struct WordRef<'t> {
    pub normalized: Cow<'t, str>,
    pub span: Span,
}

/// The words of `text` exactly as [`words`] finds them, into `out` (cleared first; reuse it).
pub fn words_into<'t>(text: &'t str, base: usize, out: &mut Vec<WordRef<'t>>) {
    out.clear();
    if words_of_ascii(text, base, out) {
        return;
    }
    out.clear();
    let mut start = None;
    for (offset, ch) in text
        .char_indices()
        .chain(std::iter::once((text.len(), ' ')))
    {
        match (ch.is_alphanumeric(), start) {
            (true, None) => start = Some(offset),
            (false, Some(begin)) => {
                out.push(WordRef {
                    normalized: normalize_word(&text[begin..offset]),
                    span: Span::new(base + begin, base + offset),
                });
                start = None;
            }
            _ => {}
        }
    }
}

/// [`words_into`] for ASCII text, on bytes (for ASCII, `char::is_alphanumeric` is
/// `u8::is_ascii_alphanumeric`, and a word without capitals is already lower case). Returns
/// `false` at the first non-ASCII byte, leaving `out` to be cleared and filled the general way.
fn words_of_ascii<'t>(text: &'t str, base: usize, out: &mut Vec<WordRef<'t>>) -> bool {
    const SEPARATOR: u8 = 0;
    const LOWER: u8 = 1; // lower-case letter or digit
    const CAPITAL: u8 = 2;
    const NOT_ASCII: u8 = 3;
    const CLASS: [u8; 256] = {
        let mut table = [NOT_ASCII; 256];
        let mut byte = 0;
        while byte < 128 {
            let ascii = byte as u8;
            table[byte] = if ascii.is_ascii_uppercase() {
                CAPITAL
            } else if ascii.is_ascii_lowercase() || ascii.is_ascii_digit() {
                LOWER
            } else {
                SEPARATOR
            };
            byte += 1;
        }
        table
    };
    let bytes = text.as_bytes();
    let mut at = 0;
    loop {
        while at < bytes.len() && CLASS[bytes[at] as usize] == SEPARATOR {
            at += 1;
        }
        if at == bytes.len() {
            return true;
        }
        let begin = at;
        let mut capitals = false;
        while at < bytes.len() {
            match CLASS[bytes[at] as usize] {
                LOWER => {}
                CAPITAL => capitals = true,
                SEPARATOR => break,
                _ => return false,
            }
            at += 1;
        }
        let raw = &text[begin..at];
        out.push(WordRef {
            normalized: if capitals || raw.ends_with("isation") {
                normalize_word(raw)
            } else {
                Cow::Borrowed(raw)
            },
            span: Span::new(base + begin, base + at),
        });
    }
}

/// A word in normal form: [`normalize_phrase`] (lower case), with "-isation" spelt "-ization".
fn normalize_word(raw: &str) -> Cow<'_, str> {
    let normal = raw
        .bytes()
        .all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit());
    if normal && !raw.ends_with("isation") {
        return Cow::Borrowed(raw);
    }
    let mut normalized = normalize_phrase(raw);
    if let Some(stem) = normalized.strip_suffix("isation") {
        normalized = format!("{stem}ization");
    }
    Cow::Owned(normalized)
}

/// `format!(" {} ", normalize_phrase(text))` of a whole document, normalised only as far as a
/// search needs: "does this phrase occur anywhere?" is usually answered near the top of a
/// template, and normalising all of a 1 MB document for it took longer than the rest of the rule.
///
/// The text is normalised line by line: a line break separates words, so the normalised text is
/// the normalised lines that have words, joined by one space. With a [`NormalLines`] memo each
/// distinct line is normalised once across analyses (`noteplate check`'s templates share most of
/// their lines, and normalising every byte of every template was the largest cost of
/// `technique-needs`); without one each line is normalised here.
pub struct LazyNormalized<'t, 'm> {
    text: &'t str,
    /// The normalised text so far (the whole of it once `at == text.len()` and `finished`).
    out: String,
    at: usize,
    /// Some line with words was written (the next one needs a space before it).
    wrote_word: bool,
    finished: bool,
    /// Bytes normalised per step (at least; a step ends at the end of a line).
    step: usize,
    memo: Option<&'m RefCell<NormalLines>>,
}

/// Bytes of the document normalised per step of a search.
const LAZY_STEP: usize = 16 * 1024;

/// Lines kept by a [`NormalLines`] memo before it is emptied (a few MB at most).
const NORMAL_LINES_LIMIT: usize = 50_000;

/// `normalize_phrase` of each distinct line, remembered (kept with the lexicon tables in
/// `analysis::Memo`; the normalisation does not depend on the pack).
#[derive(Default)]
pub struct NormalLines(FxHashMap<Box<str>, Box<str>>);

impl NormalLines {
    pub fn clear(&mut self) {
        self.0.clear();
    }

    /// Appends `normalize_phrase(line)` to `out`.
    fn push(&mut self, line: &str, out: &mut String) {
        if let Some(normal) = self.0.get(line) {
            out.push_str(normal);
            return;
        }
        if self.0.len() >= NORMAL_LINES_LIMIT {
            self.0.clear();
        }
        let normal = normalize_phrase(line);
        out.push_str(&normal);
        self.0.insert(line.into(), normal.into_boxed_str());
    }
}

impl<'t, 'm> LazyNormalized<'t, 'm> {
    pub fn new(text: &'t str, memo: Option<&'m RefCell<NormalLines>>) -> LazyNormalized<'t, 'm> {
        LazyNormalized::with_step(text, memo, LAZY_STEP)
    }

    fn with_step(
        text: &'t str,
        memo: Option<&'m RefCell<NormalLines>>,
        step: usize,
    ) -> LazyNormalized<'t, 'm> {
        LazyNormalized {
            text,
            out: String::from(" "),
            at: 0,
            wrote_word: false,
            finished: false,
            step: step.max(1),
            memo,
        }
    }

    /// Whether any of `needles` occurs in `format!(" {} ", normalize_phrase(text))`. All are
    /// searched in each step, so the text is normalised only as far as the first match of any.
    pub fn contains_any(&mut self, needles: &[String]) -> bool {
        let longest = needles.iter().map(String::len).max().unwrap_or(0);
        let mut from = 0; // a match can only start at or after this index of `out`
        loop {
            let searched = &self.out.as_bytes()[from..];
            if needles
                .iter()
                .any(|needle| memchr::memmem::find(searched, needle.as_bytes()).is_some())
            {
                return true;
            }
            if self.finished {
                return false;
            }
            from = self.out.len().saturating_sub(longest.saturating_sub(1));
            self.step();
        }
    }

    /// Normalises whole lines until `step` bytes of the text are done, or the text is.
    fn step(&mut self) {
        let goal = self.at.saturating_add(self.step);
        let mut memo = self.memo.map(RefCell::borrow_mut);
        while self.at < self.text.len() && self.at < goal {
            let rest = &self.text[self.at..];
            let end = memchr::memchr(b'\n', rest.as_bytes()).unwrap_or(rest.len());
            let line = &rest[..end];
            // Written after a space, taken back if the line has no words.
            let before = self.out.len();
            if self.wrote_word {
                self.out.push(' ');
            }
            let words_from = self.out.len();
            match memo.as_mut() {
                Some(memo) => memo.push(line, &mut self.out),
                None => PhraseNormalizer::default().push(line, &mut self.out),
            }
            if self.out.len() == words_from {
                self.out.truncate(before);
            } else {
                self.wrote_word = true;
            }
            self.at += (end + 1).min(rest.len());
        }
        if self.at >= self.text.len() {
            self.out.push(' ');
            self.finished = true;
        }
    }

    #[cfg(test)]
    fn into_string(mut self) -> String {
        while !self.finished {
            self.step();
        }
        self.out
    }
}

/// The text runs of a line that can hold wording: text items and each choice option.
pub fn wording_spans(line: &Line) -> impl Iterator<Item = Span> + '_ {
    line.items
        .iter()
        .flat_map(|item| match item {
            Inline::Text(span) => std::slice::from_ref(span),
            Inline::Choice(choice) => choice.options.as_slice(),
            _ => &[],
        })
        .copied()
}

/// Writes the words' normalised forms joined by single spaces into `out` (cleared first): what
/// `join(" ")` makes, without allocating for every window.
pub fn join_words(words: &[WordRef<'_>], out: &mut String) {
    out.clear();
    for (index, word) in words.iter().enumerate() {
        if index > 0 {
            out.push(' ');
        }
        out.push_str(&word.normalized);
    }
}

/// A technique named in the text.
#[derive(Debug, Clone, PartialEq)]
pub struct Mention {
    /// Index into `RulePack::techniques`.
    pub technique: usize,
    pub span: Span,
}

/// Every exact lexicon name among the words of one run (`words_into` over `text`), longest match
/// first, without overlaps. Abbreviations count only when written with at least two capitals
/// ("MET", not "met").
pub(crate) fn technique_mentions_in(
    lexicon: &Lexicon,
    pack: &RulePack,
    text: &str,
    run_words: &[WordRef<'_>],
) -> Vec<Mention> {
    // A window of ASCII words (as words nearly always are) normalises to itself, so it can only
    // name a technique if it is one of the lexicon's keys, and only start one if its first word
    // starts a key; other windows are looked up as they always were.
    let mut mentions = Vec::new();
    let mut phrase = String::new(); // reused for every window
    let mut start = 0;
    while start < run_words.len() {
        let first = run_words[start].normalized.as_ref();
        if first.is_ascii() && !lexicon.first_words.contains(first) {
            start += 1;
            continue;
        }
        let mut matched = 0;
        for count in (1..=MAX_WORDS.min(run_words.len() - start)).rev() {
            let window = &run_words[start..start + count];
            join_words(window, &mut phrase);
            let phrase = phrase.as_str();
            // An ASCII phrase normalises to itself: look it up among the keys directly.
            let found = if phrase.is_ascii() {
                lexicon.named.get(phrase).copied()
            } else {
                super::lexicon::technique_indices(pack, phrase)
            };
            let Some((returned, technique_index)) = found else {
                continue;
            };
            let span = Span::new(window[0].span.start, window[count - 1].span.end);
            // The returned technique's abbreviations, normalised.
            let is_abbreviation = lexicon.abbreviations[returned]
                .iter()
                .any(|abbreviation| abbreviation == phrase);
            if is_abbreviation && span.text(text).chars().filter(|c| c.is_uppercase()).count() < 2 {
                continue;
            }
            mentions.push(Mention {
                technique: technique_index,
                span,
            });
            matched = count;
            break;
        }
        start += matched.max(1);
    }
    mentions
}

/// The techniques named in the wording of `line` (its text items and choice options), exactly as
/// the technique rules recognise them ([`technique_mentions_in`] over [`words_into`]): what hover
/// shows, so that a hover never names a technique the rules do not see ("met" in "Goals met" is
/// no muscle energy technique; "MET" is).
pub fn technique_mentions(text: &str, line: &Line, pack: &RulePack) -> Vec<Mention> {
    let lexicon = super::with_thread_memo(|memo| memo.lexicon(pack));
    let mut words = Vec::new();
    let mut found = Vec::new();
    for run in wording_spans(line) {
        words_into(run.text(text), run.start, &mut words);
        found.extend(technique_mentions_in(&lexicon, pack, text, &words));
    }
    found
}

/// The first place where one of `phrases` (already normalised) occurs as whole words.
pub fn find_phrase<'a>(
    text: &str,
    lines: impl IntoIterator<Item = &'a Line>,
    phrases: &[String],
) -> Option<Span> {
    // A window matches a phrase when its words are the phrase's words (words hold no spaces),
    // which is what joining the window with spaces and comparing would find.
    let phrases: Vec<Vec<&str>> = phrases.iter().map(|p| p.split(' ').collect()).collect();
    if phrases.is_empty() {
        return None;
    }
    let mut run_words = Vec::new();
    for line in lines {
        for run in wording_spans(line) {
            words_into(run.text(text), run.start, &mut run_words);
            for start in 0..run_words.len() {
                for count in 1..=MAX_WORDS.min(run_words.len() - start) {
                    let window = &run_words[start..start + count];
                    let found = phrases.iter().any(|phrase| {
                        phrase.len() == count
                            && phrase
                                .iter()
                                .zip(window)
                                .all(|(part, word)| *part == word.normalized.as_ref())
                    });
                    if found {
                        return Some(Span::new(window[0].span.start, window[count - 1].span.end));
                    }
                }
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The words as the char-by-char scan finds them, each in [`normalize_phrase`]'s form (with
    /// the "-isation" spelling folded).
    fn reference(text: &str, base: usize) -> Vec<(String, Span)> {
        let mut words = Vec::new();
        let mut start = None;
        for (offset, ch) in text
            .char_indices()
            .chain(std::iter::once((text.len(), ' ')))
        {
            match (ch.is_alphanumeric(), start) {
                (true, None) => start = Some(offset),
                (false, Some(begin)) => {
                    let mut normalized: String = text[begin..offset]
                        .chars()
                        .flat_map(char::to_lowercase)
                        .collect();
                    if let Some(stem) = normalized.strip_suffix("isation") {
                        normalized = format!("{stem}ization");
                    }
                    words.push((normalized, Span::new(base + begin, base + offset)));
                    start = None;
                }
                _ => {}
            }
        }
        words
    }

    /// A word is normalised as every other phrase is: a final capital sigma used to become `ς`
    /// here (`str::to_lowercase`) and `σ` in `normalize_phrase`, so a lexicon name ending in
    /// one never matched the words of a line.
    #[test]
    fn words_are_normalised_as_phrases_are() {
        let found = words("ΟΔΟΣ Mobilisation", 0);
        assert_eq!(found[0].normalized, normalize_phrase("ΟΔΟΣ"));
        assert_eq!(found[1].normalized, "mobilization");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig {
            cases: 2_000,
            failure_persistence: Some(Box::new(proptest::test_runner::FileFailurePersistence::Off)),
            ..proptest::prelude::ProptestConfig::default()
        })]

        #[test]
        fn lazy_normalisation_is_the_padded_text(text in "([a-zA-Z ,.]{0,40}[éΣ°\u{130}]?\r?\n?){0,20}", needle in "[a-z]{1,3}") {
            let padded = format!(" {} ", normalize_phrase(&text));
            let needle = format!(" {needle} ");
            // The line memo is shared by every step size, so later rounds read remembered lines.
            let memo = RefCell::new(NormalLines::default());
            for step in [1, 5, 64, LAZY_STEP] {
                for memo in [None, Some(&memo)] {
                    let mut lazy = LazyNormalized::with_step(&text, memo, step);
                    proptest::prop_assert_eq!(
                        lazy.contains_any(&[" zz ".to_string(), needle.clone()]),
                        padded.contains(&needle) || padded.contains(" zz ")
                    );
                    proptest::prop_assert_eq!(lazy.into_string(), padded.clone());
                }
            }
        }

        #[test]
        fn words_are_the_char_scan_words(text in "[a-zA-Z0-9 ,.:_\\-]{0,30}(isation|ISATION|ization)?[ éΣ°]?[a-zA-Z ]{0,10}") {
            let found: Vec<(String, Span)> = words(&text, 5)
                .into_iter()
                .map(|word| (word.normalized, word.span))
                .collect();
            proptest::prop_assert_eq!(found, reference(&text, 5));
        }

        #[test]
        fn words_are_the_char_scan_words_on_any_text(text in proptest::prelude::any::<String>()) {
            let found: Vec<(String, Span)> = words(&text, 5)
                .into_iter()
                .map(|word| (word.normalized, word.span))
                .collect();
            proptest::prop_assert_eq!(found, reference(&text, 5));
        }
    }
}
