//! Finding lexicon techniques and other phrases in template text: words with spans, and the
//! longest exact lexicon name (up to four words) at each place. Shared by the technique rules.

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
    let mut words = Vec::new();
    let mut start = None;
    for (offset, ch) in text
        .char_indices()
        .chain(std::iter::once((text.len(), ' ')))
    {
        match (ch.is_alphanumeric(), start) {
            (true, None) => start = Some(offset),
            (false, Some(begin)) => {
                let mut normalized = text[begin..offset].to_lowercase();
                if let Some(stem) = normalized.strip_suffix("isation") {
                    normalized = format!("{stem}ization");
                }
                words.push(Word {
                    normalized,
                    span: Span::new(base + begin, base + offset),
                });
                start = None;
            }
            _ => {}
        }
    }
    words
}

/// The text runs of a line that can hold wording: text items and each choice option.
pub fn wording_spans(line: &Line) -> impl Iterator<Item = Span> + '_ {
    line.items.iter().flat_map(|item| match item {
        Inline::Text(span) => vec![*span],
        Inline::Choice(choice) => choice.options.clone(),
        _ => Vec::new(),
    })
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
    let mut mentions = Vec::new();
    for line in lines {
        for run in wording_spans(line) {
            let run_words = words(run.text(text), run.start);
            let mut start = 0;
            while start < run_words.len() {
                let mut matched = 0;
                for count in (1..=MAX_WORDS.min(run_words.len() - start)).rev() {
                    let window = &run_words[start..start + count];
                    let phrase = window
                        .iter()
                        .map(|w| w.normalized.as_str())
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
    for line in lines {
        for run in wording_spans(line) {
            let run_words = words(run.text(text), run.start);
            for start in 0..run_words.len() {
                for count in 1..=MAX_WORDS.min(run_words.len() - start) {
                    let window = &run_words[start..start + count];
                    let phrase = window
                        .iter()
                        .map(|w| w.normalized.as_str())
                        .collect::<Vec<_>>()
                        .join(" ");
                    if phrases.contains(&phrase) {
                        return Some(Span::new(window[0].span.start, window[count - 1].span.end));
                    }
                }
            }
        }
    }
    None
}
