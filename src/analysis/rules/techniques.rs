//! `unknown-technique`: in a technique section, a choice option or phrase that looks like a
//! technique but is not in the lexicon, with the nearest lexicon name as a suggestion.
//!
//! "Looks like a technique" is decided from the lexicon itself: the last word of every technique
//! name ("release", "mobilization", "traction", ...) is a *head word*. A phrase of up to four
//! words ending in a head word (or a near-miss of one) is compared with the lexicon names of the
//! same length; an exact match is fine, a near miss is reported with the suggestion. A choice
//! option that contains a head word but matches nothing is reported without a suggestion.

use super::{Context, replace};
use crate::analysis::Diagnostic;
use crate::analysis::lexicon::{self, Lexicon};
use crate::analysis::mentions::{MAX_WORDS, WordRef, join_words};
use crate::syntax::Span;

/// A near miss: the phrase's span and the canonical name it probably means.
struct NearMiss<'a> {
    span: Span,
    suggestion: &'a str,
}

/// Finds phrases ending in a head word that nearly (but not exactly) match a lexicon name.
/// Returns the near misses and whether any exact technique name was seen.
/// `phrase` is scratch space the caller reuses.
fn scan<'a>(
    lexicon: &'a Lexicon,
    words: &[WordRef<'_>],
    phrase: &mut String,
) -> (Vec<NearMiss<'a>>, bool) {
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
            let span = Span::new(words[start].span.start, words[end].span.end);
            misses.push(NearMiss {
                span,
                suggestion: lexicon.names[candidate].as_str(),
            });
            covered_until = end + 1;
        }
    }
    (misses, any_known)
}

pub(super) fn check(context: &Context<'_>, out: &mut Vec<Diagnostic>) {
    // Text items and choice options of the technique sections, in order, with their words.
    let technique_words = context.technique_words();
    if technique_words.runs.is_empty() {
        return;
    }
    let lexicon = lexicon::for_pack(context.pack);
    let lexicon = &*lexicon;
    let mut phrase = String::new(); // reused by every `scan`
    for (run, is_option, words) in &technique_words.runs {
        let words = &technique_words.words[words.clone()];
        if *is_option {
            check_option(context, lexicon, *run, words, &mut phrase, out);
        } else {
            let (misses, _) = scan(lexicon, words, &mut phrase);
            report(context, out, misses);
        }
    }
}

fn check_option(
    context: &Context<'_>,
    lexicon: &Lexicon,
    option: Span,
    option_words: &[WordRef<'_>],
    phrase: &mut String,
    out: &mut Vec<Diagnostic>,
) {
    if option_words.is_empty() {
        return;
    }
    let (misses, any_known) = scan(lexicon, option_words, phrase);
    if !misses.is_empty() {
        report(context, out, misses);
        return;
    }
    if any_known {
        return;
    }
    let whole = option_words
        .iter()
        .map(|w| w.normalized.as_ref())
        .collect::<Vec<_>>()
        .join(" ");
    if lexicon.known(&whole) {
        return;
    }
    let has_head_word = option_words
        .iter()
        .any(|word| lexicon.head_words.contains(word.normalized.as_ref()));
    if has_head_word {
        let written = option.text(context.text).trim();
        out.push(context.diagnostic(
            "unknown-technique",
            option,
            format!(
                "`{written}` is not in the technique lexicon, so reviewers may not match it to a billing code; use a lexicon name or add it to the project's rule pack"
            ),
        ));
    }
}

fn report(context: &Context<'_>, out: &mut Vec<Diagnostic>, misses: Vec<NearMiss<'_>>) {
    for miss in misses {
        let mut diagnostic = context.diagnostic(
            "unknown-technique",
            miss.span,
            format!(
                "`{}` is not in the technique lexicon; did you mean `{}`?",
                miss.span.text(context.text),
                miss.suggestion
            ),
        );
        diagnostic.fix = Some(replace(
            format!("Replace with `{}`", miss.suggestion),
            miss.span,
            miss.suggestion,
            false,
        ));
        out.push(diagnostic);
    }
}
