//! Finding lexicon techniques and other phrases in template text: words with spans, and the
//! longest exact lexicon name (up to four words) at each place. Shared by the technique rules.

use std::borrow::Cow;
use std::collections::HashSet;

use crate::rulepack::{RulePack, normalize_phrase};
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

/// Lower case, with "-isation" spelt "-ization".
fn normalize_word(raw: &str) -> Cow<'_, str> {
    let normal = raw
        .bytes()
        .all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit());
    if normal && !raw.ends_with("isation") {
        return Cow::Borrowed(raw);
    }
    let mut normalized = if raw.is_ascii() {
        raw.to_ascii_lowercase()
    } else {
        raw.to_lowercase()
    };
    if let Some(stem) = normalized.strip_suffix("isation") {
        normalized = format!("{stem}ization");
    }
    Cow::Owned(normalized)
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

/// A technique named in the text.
#[derive(Debug, Clone, PartialEq)]
pub struct Mention {
    /// Index into `RulePack::techniques`.
    pub technique: usize,
    pub span: Span,
}

/// Every exact lexicon name in `lines`, longest match first, without overlaps. Abbreviations
/// count only when written with at least two capitals ("MET", not "met").
pub fn technique_mentions<'a>(
    text: &str,
    lines: impl IntoIterator<Item = &'a Line>,
    pack: &RulePack,
) -> Vec<Mention> {
    // The first word of every lexicon key. A window whose first word is lower-case ASCII (as
    // words nearly always are) normalises to itself, so it can only name a technique if its
    // first word starts a key; other windows are looked up as they always were.
    let first_words: HashSet<&str> = pack
        .technique_names()
        .iter()
        .map(|(key, _)| key.split(' ').next().unwrap_or(""))
        .collect();
    let mut mentions = Vec::new();
    let mut run_words = Vec::new();
    for line in lines {
        for run in wording_spans(line) {
            words_into(run.text(text), run.start, &mut run_words);
            let mut start = 0;
            while start < run_words.len() {
                let first = run_words[start].normalized.as_ref();
                if first.is_ascii() && !first_words.contains(first) {
                    start += 1;
                    continue;
                }
                let mut matched = 0;
                for count in (1..=MAX_WORDS.min(run_words.len() - start)).rev() {
                    let window = &run_words[start..start + count];
                    let phrase = window
                        .iter()
                        .map(|w| w.normalized.as_ref())
                        .collect::<Vec<_>>()
                        .join(" ");
                    let Some(technique) = pack.technique_named(&phrase) else {
                        continue;
                    };
                    let span = Span::new(window[0].span.start, window[count - 1].span.end);
                    let is_abbreviation = technique
                        .abbreviations
                        .iter()
                        .any(|a| normalize_phrase(a) == phrase);
                    if is_abbreviation
                        && span.text(text).chars().filter(|c| c.is_uppercase()).count() < 2
                    {
                        continue;
                    }
                    let index = pack
                        .techniques
                        .iter()
                        .position(|t| t.name == technique.name)
                        .unwrap_or(0);
                    mentions.push(Mention {
                        technique: index,
                        span,
                    });
                    matched = count;
                    break;
                }
                start += matched.max(1);
            }
        }
    }
    mentions
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
