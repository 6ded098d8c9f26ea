//! What one run of technique-section wording (a text item, or one option of a choice) says on
//! its own: the techniques it names, the phrases that nearly name one, and for a choice option
//! whether it looks like a technique the lexicon does not know.
//!
//! These facts are a pure function of the run's text and the pack's lexicon, so each lexicon
//! remembers them per run text ([`RunMemo`]). The language server re-analyses the whole document
//! on every keystroke; in a 20,000-line template every run but the edited one is then answered
//! from the memo instead of being split into words and matched again. A changed run is simply a
//! new key. The rules (`rules/techniques.rs`, `rules/technique_wording.rs`) turn the facts into
//! diagnostics; nothing here knows about severities, messages or where the run is.
//!
//! Spans in the facts are relative to the start of the run.

use std::rc::Rc;

use super::lexicon::{FxHashMap, Lexicon};
use super::mentions::{MAX_WORDS, WordRef, join_words, technique_mentions_in, words_into};
use crate::rulepack::{RulePack, normalize_phrase};
use crate::syntax::Span;

/// What one run says, with spans relative to its start.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct RunFacts {
    /// Exact lexicon names, longest first, without overlaps.
    pub mentions: Vec<RunMention>,
    /// Phrases ending in a head word that nearly match a lexicon name.
    pub misses: Vec<NearMiss>,
    /// A choice option with a head word ("release") that names no technique and is no near miss.
    pub unknown_option: bool,
}

#[derive(Debug, PartialEq)]
pub(crate) struct RunMention {
    /// Index into `RulePack::techniques`.
    pub technique: usize,
    pub span: Span,
    /// The words written are one of the pack's generic phrases ("massage"): they name a
    /// technique but say nothing specific.
    pub vague: bool,
}

#[derive(Debug, PartialEq)]
pub(crate) struct NearMiss {
    pub span: Span,
    /// The canonical name it probably means.
    pub suggestion: String,
}

/// The facts of `text` (a choice option when `is_option`), from the lexicon's memo when that run
/// was seen before.
pub(crate) fn facts(
    lexicon: &Lexicon,
    pack: &RulePack,
    text: &str,
    is_option: bool,
) -> Rc<RunFacts> {
    let memo = if is_option {
        &lexicon.option_runs
    } else {
        &lexicon.text_runs
    };
    if let Some(found) = memo.borrow_mut().get(text) {
        return found;
    }
    let found = Rc::new(compute(lexicon, pack, text, is_option));
    memo.borrow_mut().insert(text, found.clone());
    found
}

fn compute(lexicon: &Lexicon, pack: &RulePack, text: &str, is_option: bool) -> RunFacts {
    let mut words = Vec::new();
    words_into(text, 0, &mut words);
    if words.is_empty() {
        return RunFacts::default();
    }
    let mentions = technique_mentions_in(lexicon, pack, text, &words)
        .into_iter()
        .map(|mention| RunMention {
            technique: mention.technique,
            span: mention.span,
            vague: pack
                .vague
                .contains(&normalize_phrase(mention.span.text(text))),
        })
        .collect();
    let mut phrase = String::new();
    let (misses, any_known) = scan(lexicon, &words, &mut phrase);
    let unknown_option = is_option
        && misses.is_empty()
        && !any_known
        && {
            join_words(&words, &mut phrase);
            !lexicon.known(&phrase)
        }
        && words
            .iter()
            .any(|word| lexicon.head_words.contains(word.normalized.as_ref()));
    RunFacts {
        mentions,
        misses,
        unknown_option,
    }
}

/// Finds phrases ending in a head word that nearly (but not exactly) match a lexicon name.
/// Returns the near misses and whether any exact technique name was seen. `phrase` is scratch
/// space.
fn scan(lexicon: &Lexicon, words: &[WordRef<'_>], phrase: &mut String) -> (Vec<NearMiss>, bool) {
    let mut misses = Vec::new();
    let mut any_known = false;
    let mut covered_until = 0; // words before this index belong to an exact match
    for end in 0..words.len() {
        if !lexicon.is_head_word(&words[end].normalized) {
            continue;
        }
        let mut exact = false;
        let mut best: Option<(usize, usize, &str)> = None; // (distance, start, name)
        for count in (1..=MAX_WORDS.min(end + 1)).rev() {
            let start = end + 1 - count;
            if start < covered_until {
                continue;
            }
            join_words(&words[start..=end], phrase);
            if lexicon.known(phrase) {
                exact = true;
                any_known = true;
                covered_until = end + 1;
                break;
            }
            // The closest name of this length; a closer one than the longer phrases' wins.
            if let Some((distance, candidate)) = lexicon.nearest(phrase, count)
                && best.is_none_or(|(d, _, _)| distance < d)
            {
                best = Some((distance, start, candidate));
            }
        }
        if exact {
            continue;
        }
        if let Some((_, start, candidate)) = best {
            misses.push(NearMiss {
                span: Span::new(words[start].span.start, words[end].span.end),
                suggestion: lexicon.names[candidate].clone(),
            });
            covered_until = end + 1;
        }
    }
    (misses, any_known)
}

/// Run facts by run text (one memo for text runs, one for choice options), in two generations: a lookup that hits the older generation moves the
/// entry to the newer one, and when the newer one is full the older one is dropped. Memory stays
/// bounded (at most twice `limit` entries), and a document being edited, whose runs are looked
/// up on every analysis, keeps its runs however many other texts pass through.
#[derive(Debug)]
pub(crate) struct RunMemo {
    limit: usize,
    current: FxHashMap<Box<str>, Rc<RunFacts>>,
    previous: FxHashMap<Box<str>, Rc<RunFacts>>,
}

impl RunMemo {
    pub fn new(limit: usize) -> RunMemo {
        RunMemo {
            limit: limit.max(1),
            current: FxHashMap::default(),
            previous: FxHashMap::default(),
        }
    }

    fn get(&mut self, text: &str) -> Option<Rc<RunFacts>> {
        if let Some(found) = self.current.get(text) {
            return Some(found.clone());
        }
        let (key, found) = self.previous.remove_entry(text)?;
        self.insert_key(key, found.clone());
        Some(found)
    }

    fn insert(&mut self, text: &str, facts: Rc<RunFacts>) {
        self.insert_key(text.into(), facts);
    }

    pub fn clear(&mut self) {
        self.current = FxHashMap::default();
        self.previous = FxHashMap::default();
    }

    fn insert_key(&mut self, key: Box<str>, facts: Rc<RunFacts>) {
        if self.current.len() >= self.limit {
            self.previous = std::mem::take(&mut self.current);
        }
        self.current.insert(key, facts);
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.current.len() + self.previous.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts_of(text: &str, is_option: bool) -> RunFacts {
        let pack = RulePack::embedded();
        let lexicon = Lexicon::build(&pack);
        compute(&lexicon, &pack, text, is_option)
    }

    #[test]
    fn a_run_names_techniques_with_relative_spans() {
        let facts = facts_of("  joint mobilization and MFR, then massage", false);
        let named: Vec<(&str, bool)> = facts
            .mentions
            .iter()
            .map(|m| {
                (
                    m.span.text("  joint mobilization and MFR, then massage"),
                    m.vague,
                )
            })
            .collect();
        assert_eq!(
            named,
            [
                ("joint mobilization", false),
                ("MFR", false),
                ("massage", true)
            ]
        );
        assert!(facts.misses.is_empty());
    }

    #[test]
    fn near_misses_and_unknown_options() {
        let text = "joint mobilisaton";
        let facts = facts_of(text, false);
        assert_eq!(facts.misses.len(), 1, "{facts:?}");
        assert_eq!(facts.misses[0].suggestion, "joint mobilization");
        assert_eq!(facts.misses[0].span, Span::new(0, text.len()));
        assert!(facts_of("quantum release", true).unknown_option);
        assert!(!facts_of("quantum release", false).unknown_option);
        assert!(!facts_of("myofascial release", true).unknown_option);
    }

    #[test]
    fn the_memo_answers_the_same_facts_and_stays_bounded() {
        let pack = RulePack::embedded();
        let lexicon = Lexicon::build(&pack);
        let first = facts(&lexicon, &pack, "joint mobilization", true);
        let again = facts(&lexicon, &pack, "joint mobilization", true);
        assert!(Rc::ptr_eq(&first, &again));
        // The same text as a plain run is a different question.
        let plain = facts(&lexicon, &pack, "joint mobilization", false);
        assert!(!Rc::ptr_eq(&first, &plain));

        let mut memo = RunMemo::new(3);
        for index in 0..10 {
            memo.insert(&format!("run {index}"), Rc::default());
            assert!(memo.len() <= 6);
        }
        // The newest entries survive; a hit in the older generation is promoted.
        assert!(memo.get("run 9").is_some());
        assert!(memo.get("run 8").is_some());
        assert!(memo.get("run 0").is_none());
    }
}
