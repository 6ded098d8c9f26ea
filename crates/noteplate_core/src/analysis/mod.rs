//! `analysis`: rules over a parsed document and a rule pack, producing diagnostics with byte
//! spans and optional fixes. Pure: no IO, no clock, no protocol types.
//!
//! Owns: the diagnostic model, the semantic model of a template (`semantics.rs`: which section is
//! which kind, which codes are declared), one file per rule family under `rules/`, did-you-mean
//! matching (`fuzzy.rs`) and unit arithmetic (`units.rs`). Must not touch files, the terminal,
//! LSP types or configuration files; settings arrive as a plain [`Settings`] value.

pub mod fuzzy;
pub(crate) mod inputs;
mod lexicon;
pub mod mentions;
mod parts;
pub(crate) mod rules;
pub mod semantics;
pub mod suppressions;
mod technique_runs;
pub mod units;

use std::collections::{HashMap, HashSet};

use crate::rulepack::{RuleId, RulePack, Severity};
use crate::syntax::{self, Parse, Span};

pub use lexicon::{Memo, with_thread_memo};
pub use parts::SharedLines;
pub use semantics::Semantics;

/// One finding.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    /// Stable rule id, e.g. `missing-response`.
    pub rule: RuleId,
    pub severity: Severity,
    /// Says what is wrong and what to do.
    pub message: String,
    pub span: Span,
    pub fix: Option<Fix>,
    /// Other places that explain the finding (e.g. the other code that requires a section).
    pub related: Vec<Related>,
}

/// A change that resolves a diagnostic.
#[derive(Debug, Clone, PartialEq)]
pub struct Fix {
    /// Imperative title, e.g. `Add section "Response"`.
    pub title: String,
    /// Non-overlapping edits against the analysed text.
    pub edits: Vec<Edit>,
    /// Safe fixes keep the author's meaning and may be applied without review (`--fix`).
    pub safe: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub span: Span,
    pub new_text: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Related {
    pub span: Span,
    pub message: String,
}

/// What the caller's configuration says about rules. The default enables everything at its
/// default severity.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Settings {
    /// Payer profile used when the template names none.
    pub default_payer: Option<String>,
    pub disabled_rules: HashSet<RuleId>,
    pub severity_overrides: HashMap<RuleId, Severity>,
}

/// What the faces found when resolving `@include` lines (reading files is their job).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Includes {
    pub items: Vec<IncludeResult>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct IncludeResult {
    /// The path as written on the include line.
    pub span: Span,
    /// The whole include line.
    pub line: Span,
    pub outcome: IncludeOutcome,
}

#[derive(Debug, Clone, PartialEq)]
pub enum IncludeOutcome {
    Found {
        file: std::path::PathBuf,
        /// Section kinds the fragment (and what it includes) provides.
        kinds: Vec<String>,
        errors: usize,
        warnings: usize,
        /// The fragment's first finding, for the summary.
        first: Option<String>,
    },
    /// Missing or unreadable; the message says which.
    NotFound(String),
    OutsideRoot(String),
    Cycle(String),
    /// Past the include depth or the included-bytes budget, so not read; the message says which.
    Budget(String),
}

/// Why the text of a file was not analysed as it stands. The faces read bytes; what they could not
/// turn into text to analyse is a finding of an ordinary rule (`invalid-utf8`, `file-too-large`),
/// so the pack's severity, `[rules]` settings and suppression-free reporting apply as to any other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unread {
    /// The bytes are not UTF-8 from `valid_up_to` on (`byte` is the first that cannot start a
    /// character). The text analysed is a lossy copy, shown but not checked.
    InvalidUtf8 { valid_up_to: usize, byte: u8 },
    /// Over the configured `max-file-size` (`limit`); `size` when known. Nothing was read: the text
    /// analysed is empty.
    TooLarge { size: Option<u64>, limit: u64 },
}

/// Everything one analysis reads besides the parse: the text the parse is of, the pack, the
/// settings, the resolved `@include` lines and why the text was not read, if it was not. Built by
/// the pipeline (`src/pipeline.rs`) or, in tests, by [`analyze_text`]. What a later analysis may
/// reuse from an earlier one is not here but in the [`Memo`] passed to [`analyze`] beside it.
#[derive(Debug, Clone, Copy)]
pub struct Input<'a> {
    pub text: &'a str,
    pub pack: &'a RulePack,
    pub settings: &'a Settings,
    pub includes: &'a Includes,
    /// `Some`: the text was not read as it stands; the analysis is that one finding.
    pub unread: Option<Unread>,
}

impl<'a> Input<'a> {
    /// A text read as it stands, without includes.
    pub fn new(text: &'a str, pack: &'a RulePack, settings: &'a Settings) -> Input<'a> {
        static NO_INCLUDES: Includes = Includes { items: Vec::new() };
        Input {
            text,
            pack,
            settings,
            includes: &NO_INCLUDES,
            unread: None,
        }
    }
}

/// Everything known about one text: its parse, its semantic model and its findings.
#[derive(Debug, Clone)]
pub struct Analysis {
    pub parse: Parse,
    pub semantics: Semantics,
    pub diagnostics: Vec<Diagnostic>,
    /// Why the text was not read as it stands, when it was not (then `diagnostics` holds at most
    /// that finding, and nothing else was checked).
    pub unread: Option<Unread>,
}

/// Parses and analyses `text` as it stands, without includes: a thin wrapper over [`analyze`]
/// for tests, benchmarks and the fuzzer. The faces go through the pipeline (`src/pipeline.rs`).
/// Uses this thread's default memo ([`with_thread_memo`]).
pub fn analyze_text(text: &str, pack: &RulePack, settings: &Settings) -> Analysis {
    with_thread_memo(|memo| analyze(Input::new(text, pack, settings), syntax::parse(text), memo))
}

/// The analysis: the semantic model of `parse` (a parse of `input.text`), every rule, the
/// suppression comments, then the settings (disabled rules, severity overrides). Diagnostics come
/// out sorted by position, then rule id. Pure: the same input gives the same analysis, whatever
/// `memo` remembers from earlier analyses (see [`Memo`]; the faces own one, e.g. the language
/// server's analysis thread, so a keystroke only recognises the lines it changed).
pub fn analyze(input: Input<'_>, parse: Parse, memo: &mut Memo) -> Analysis {
    let Input {
        text,
        pack,
        settings,
        includes,
        unread,
    } = input;
    let lexicon = memo.lexicon(pack);
    let parts = parts::Parts::build(
        text,
        &parse.document,
        pack,
        Some(&lexicon),
        parts::Memos {
            parts: &mut memo.parts,
            recognition: &mut memo.recognition,
            rules: &mut memo.rules,
        },
    );
    let mut semantics = Semantics::from_parts(text, &parse.document, pack, settings, &parts);
    for item in &includes.items {
        if let IncludeOutcome::Found { kinds, .. } = &item.outcome {
            semantics.included_kinds.extend(kinds.iter().cloned());
        }
    }
    // Many includes of the same fragments name the same kinds many times.
    semantics.included_kinds.sort_unstable();
    semantics.included_kinds.dedup();
    let conflicts = std::cell::RefCell::new(std::mem::take(&mut memo.conflicts));
    let context = rules::Context {
        text,
        parse: &parse,
        pack,
        semantics: &semantics,
        includes,
        lexicon,
        parts: &parts,
        conflicts: &conflicts,
        nested: Default::default(),
        note_type_phrase: Default::default(),
        ranked_sections: Default::default(),
        code_families: Default::default(),
    };
    let mut diagnostics = Vec::new();
    match unread {
        // Nothing of the text is checked, so no comment in it can suppress the finding.
        Some(unread) => rules::environment::check(&context, unread, &mut diagnostics),
        None => rules::run_all(&context, &mut diagnostics),
    }
    drop(context);
    drop(parts);
    memo.conflicts = conflicts.into_inner();
    if unread.is_none() {
        suppressions::apply(text, &parse, pack, &mut diagnostics);
    }
    diagnostics.retain(|diagnostic| !settings.disabled_rules.contains(&diagnostic.rule));
    for diagnostic in &mut diagnostics {
        if let Some(&severity) = settings.severity_overrides.get(&diagnostic.rule) {
            diagnostic.severity = severity;
        }
    }
    diagnostics.sort_by(|a, b| {
        a.span
            .start
            .cmp(&b.span.start)
            .then_with(|| a.rule.cmp(&b.rule))
    });
    Analysis {
        parse,
        semantics,
        diagnostics,
        unread,
    }
}

/// Forgets what this thread's default memo remembered about technique-section runs from earlier
/// analyses, so the next analysis works everything out again. Findings never depend on it;
/// benchmarks use it to measure a first analysis.
#[doc(hidden)]
pub fn forget_remembered_runs() {
    with_thread_memo(Memo::forget_remembered_runs);
}

/// Every rule id the analysis can report with the pack: the pack's `rules.toml` entries.
pub fn rule_ids(pack: &RulePack) -> impl Iterator<Item = RuleId> + '_ {
    pack.rules.iter().map(|rule| rule.id)
}

/// The edits of every safe fix, minus any that overlap an earlier one, in document order.
/// Applying them all at once is what `--fix` and the editor's "fix all" do.
pub fn safe_fix_edits(diagnostics: &[Diagnostic]) -> Vec<Edit> {
    let mut fixes: Vec<&Fix> = diagnostics
        .iter()
        .filter_map(|d| d.fix.as_ref())
        .filter(|f| f.safe)
        .collect();
    fixes.sort_by_key(|fix| fix.edits.iter().map(|e| e.span.start).min().unwrap_or(0));
    // Two edits clash when they overlap as half-open ranges (an insertion clashes with an edit
    // around it) or insert the same text at one place. The taken edits never clash, so ordered by
    // (start, end) their ends only grow: a new edit overlaps one of them exactly when the last
    // taken edit starting before its end reaches past its start. A lookup per edit instead of a
    // scan of everything taken (which was quadratic).
    let mut taken: Vec<Edit> = Vec::new();
    let mut by_position: std::collections::BTreeSet<(usize, usize, usize)> = Default::default();
    for fix in fixes {
        let clashes = fix.edits.iter().any(|edit| {
            let (start, end) = (edit.span.start, edit.span.end);
            let overlaps = by_position
                .range(..(end, 0, 0))
                .next_back()
                .is_some_and(|&(_, other_end, _)| other_end > start);
            let same_insertion = start == end
                && by_position
                    .range((start, start, 0)..=(start, start, usize::MAX))
                    .any(|&(_, _, index)| taken[index].new_text == edit.new_text);
            overlaps || same_insertion
        });
        if !clashes {
            for edit in &fix.edits {
                by_position.insert((edit.span.start, edit.span.end, taken.len()));
                taken.push(edit.clone());
            }
        }
    }
    taken.sort_by_key(|edit| edit.span.start);
    taken
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The definition `safe_fix_edits` implements with a lookup: a fix is taken when none of its
    /// edits clashes with an edit already taken (fixes in order of their first edit).
    fn naive(diagnostics: &[Diagnostic]) -> Vec<Edit> {
        let mut fixes: Vec<&Fix> = diagnostics
            .iter()
            .filter_map(|d| d.fix.as_ref())
            .filter(|f| f.safe)
            .collect();
        fixes.sort_by_key(|fix| fix.edits.iter().map(|e| e.span.start).min().unwrap_or(0));
        let mut taken: Vec<Edit> = Vec::new();
        for fix in fixes {
            let clashes = fix.edits.iter().any(|edit| {
                taken.iter().any(|other| {
                    edit.span.start < other.span.end && other.span.start < edit.span.end
                        || (edit.span.is_empty()
                            && other.span.is_empty()
                            && edit.span.start == other.span.start
                            && edit.new_text == other.new_text)
                })
            });
            if !clashes {
                taken.extend(fix.edits.iter().cloned());
            }
        }
        taken.sort_by_key(|edit| edit.span.start);
        taken
    }

    fn diagnostic(edits: Vec<Edit>) -> Diagnostic {
        Diagnostic {
            rule: RuleId::SyntaxError,
            severity: Severity::Warning,
            message: "test".into(),
            span: Span::empty(0),
            fix: Some(Fix {
                title: "fix".into(),
                edits,
                safe: true,
            }),
            related: Vec::new(),
        }
    }

    proptest! {
        /// Fixes of one or two disjoint edits (empty or not) on a short text, many sharing
        /// places: the lookup takes exactly the edits the pairwise definition takes.
        #[test]
        fn safe_fix_edits_matches_the_pairwise_definition(
            fixes in proptest::collection::vec(
                proptest::collection::vec((0usize..12, 0usize..3, 0u8..2), 1..3),
                0..24,
            )
        ) {
            let diagnostics: Vec<Diagnostic> = fixes
                .into_iter()
                .map(|edits| {
                    let mut cursor = 0;
                    let edits = edits
                        .into_iter()
                        .map(|(gap, len, text)| {
                            let start = cursor + gap;
                            cursor = start + len;
                            Edit {
                                span: Span::new(start, start + len),
                                new_text: ["a", "b"][text as usize].into(),
                            }
                        })
                        .collect();
                    diagnostic(edits)
                })
                .collect();
            prop_assert_eq!(safe_fix_edits(&diagnostics), naive(&diagnostics));
        }
    }
}
