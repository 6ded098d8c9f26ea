//! What the technique rules derive from the pack's lexicon (normalised names by length, head
//! words, abbreviations, the set of lookup keys), built once per pack content and kept in a [`Memo`]
//! instead of once per analysis, plus memos of the fuzzy tests over it and of what each technique-section
//! run says (`technique_runs.rs`, which owns that memo's logic). `noteplate check` analyses
//! thousands of small files and the language server re-analyses on every keystroke; rebuilding
//! these tables each time cost more than the rules themselves.
//!
//! The cache is checked against the pack on every use (the technique names, synonyms,
//! abbreviations and generic phrases it was built from are kept and compared), so a changed or
//! different pack never sees stale data.
//! Everything here is a pure function of the pack, and the memos of pure functions of their
//! arguments: results do not depend on what was analysed before.

use std::cell::RefCell;
use std::rc::Rc;

use super::fuzzy;
use super::technique_runs::RunMemo;
use crate::rulepack::{RulePack, normalize_phrase};

/// Packs remembered per thread (a server may alternate between a few project configurations).
const CACHED_PACKS: usize = 4;
/// Memo entries kept before a memo is cleared (bounds memory in a long-running server).
const MEMO_LIMIT: usize = 50_000;
/// Entries per generation of the run memos: more than the distinct runs of a 20,000-line
/// template, so editing one never evicts its own runs (a few MB at most).
const RUN_MEMO_LIMIT: usize = 100_000;

/// The lexicon tables for one pack.
pub(crate) struct Lexicon {
    /// The generation of the pack it was last found for (`RulePack::generation`: the pack, its
    /// copies, and nothing else, until it is changed and reindexed).
    generation: std::cell::Cell<u64>,
    /// What it was built from: the pack's `technique_names()` and each technique's name,
    /// synonyms and abbreviations (everything `RulePack::technique_named` depends on).
    source_names: Vec<(String, usize)>,
    source_techniques: Vec<(String, Vec<String>, Vec<String>)>,
    /// and the pack's generic phrases (run facts say whether a mention is one)
    source_vague: Vec<String>,
    source_generic_head_words: Vec<String>,
    /// normalised name -> canonical name
    pub names: FxHashMap<String, String>,
    /// word count -> normalised names of that length, in the pack's order (abbreviations left out:
    /// they are matched exactly, never fuzzily: "STM" is one typo from many words)
    pub by_length: FxHashMap<usize, Vec<String>>,
    /// last words of the names in `by_length` (five letters or more, not generic)
    pub head_words: FxHashSet<String>,
    /// char count -> head words of that length (a near miss is at most one char longer or shorter)
    heads_by_length: FxHashMap<usize, Vec<String>>,
    /// the first words of every key `RulePack::technique_named` knows
    pub first_words: FxHashSet<String>,
    /// ASCII key -> (index of the technique `technique_named(key)` returns, index of the first
    /// technique with that name); an ASCII phrase normalises to itself, so this is the lookup
    /// without normalising
    pub named: FxHashMap<String, (usize, usize)>,
    /// each technique's abbreviations, normalised (by technique index)
    pub abbreviations: Vec<Vec<String>>,
    /// words already judged by `is_head_word`'s fuzzy test: templates repeat their words
    near_heads: RefCell<FxHashMap<String, bool>>,
    /// phrase -> (distance, index into `by_length[word count]`) of its nearest name
    nearest: RefCell<FxHashMap<String, Option<(usize, usize)>>>,
    /// what each text run / choice option of a technique section says (`technique_runs.rs`)
    pub text_runs: RefCell<RunMemo>,
    pub option_runs: RefCell<RunMemo>,
    /// each distinct line normalised (`technique-needs` searches the whole text normalised)
    pub normal_lines: RefCell<super::mentions::NormalLines>,
}

/// What analyses remember between them: the lexicon tables of the last few packs and their memos
/// (what each technique-section run says, fuzzy tests), and what the semantic model recognised
/// in each distinct heading, label, line and field name (`semantics::Recognition`). A value owned by the face that analyses:
/// the language server's analysis thread keeps one for all its analyses, so after a keystroke only
/// the changed runs are worked out again; a face that keeps none gets its thread's default
/// ([`with_thread_memo`]). Findings never depend on it, only the work they take.
#[derive(Default)]
pub struct Memo {
    /// Most recently used first.
    lexicons: Vec<Rc<Lexicon>>,
    /// What the semantic model recognised in headings, labels, lines and field names.
    pub(crate) recognition: super::semantics::Recognition,
    /// What rules worked out per distinct line and label.
    pub(crate) rules: super::rules::RuleMemo,
    /// What each distinct part of a document (the preamble, a section's own lines) shows.
    pub(crate) parts: super::parts::PartMemo,
    /// The conflicting field types the last analysis found, by part (`rules/fields.rs`).
    pub(crate) conflicts: super::rules::fields::Conflicts,
}

impl std::fmt::Debug for Memo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Memo")
            .field("lexicons", &self.lexicons.len())
            .finish()
    }
}

impl Memo {
    pub fn new() -> Memo {
        Memo::default()
    }

    /// The lexicon tables for `pack`, remembered while the pack's lexicon is unchanged.
    pub(crate) fn lexicon(&mut self, pack: &RulePack) -> Rc<Lexicon> {
        let cache = &mut self.lexicons;
        // The pack's generation first: comparing the technique lists with the pack's cost more
        // than a small template's rules (the same pack is asked for on every analysis). A pack
        // with another generation may still hold the same lexicon (two folders' configurations
        // that change only sections), so the contents are compared when the generations differ.
        let generation = pack.generation();
        let position = cache
            .iter()
            .position(|lexicon| lexicon.generation.get() == generation)
            .or_else(|| cache.iter().position(|lexicon| lexicon.built_from(pack)));
        if let Some(position) = position {
            let lexicon = cache.remove(position);
            lexicon.generation.set(generation);
            cache.insert(0, lexicon.clone());
            return lexicon;
        }
        let lexicon = Rc::new(Lexicon::build(pack));
        cache.insert(0, lexicon.clone());
        cache.truncate(CACHED_PACKS);
        lexicon
    }

    /// Names the text of the next analysis with this memo `current`, and says, when `since` is
    /// `Some((previous, edit))`, that it is the text named `previous` with `edit` applied. Names
    /// are the caller's (the language server uses a document's opening and version) and must
    /// never name two different texts. When `previous` names the last text analysed with this
    /// memo, the next analysis takes what each part outside the edit shows from that analysis by
    /// position, instead of looking the part's text up (hashing the whole document). The caller
    /// must be right: findings depend on it (`tests/incremental.rs` checks the server's path
    /// against fresh analyses). Only the next analysis reads it; [`Memo::forget_edit`] withdraws
    /// it.
    pub fn expect_text(&mut self, current: u64, since: Option<(u64, crate::syntax::TextEdit)>) {
        self.parts.since = Some(super::parts::Since { current, since });
    }

    /// Withdraws what [`Memo::expect_text`] said, if no analysis read it.
    pub fn forget_edit(&mut self) {
        self.parts.since = None;
    }

    /// Keeps at least `entries` remembered lines, labels and field names (what the semantic model
    /// recognised and what the rules worked out per line) before the memo is emptied, whatever
    /// the size of the document analysed. By default the memo keeps a few entries per line of the
    /// document (at least 4,096), which suits an editor analysing one document again and again;
    /// a face that analyses many small documents one after the other (`noteplate check`) keeps
    /// more, so a line repeated across templates is recognised once. Findings never depend on it.
    pub fn remember_at_least(&mut self, entries: usize) {
        self.recognition.floor = entries;
        self.rules.floor = entries;
    }

    /// Whether parts of a document (the preamble, each section with its lines) are looked up
    /// and remembered by their text (the default). An editor analyses the same parts again and
    /// again; `noteplate check` analyses thousands of templates whose sections differ from
    /// template to template (their lines repeat, and those are remembered either way), so
    /// hashing and copying every part's text there buys nothing. Findings never depend on it.
    pub fn remember_parts(&mut self, remember: bool) {
        self.parts.not_by_text = !remember;
    }

    /// Shares what this memo recognises in single lines with every other memo given `shared`
    /// (memos of other threads that analyse with the same pack: `noteplate check`'s workers), so
    /// a line one thread recognised is not recognised again by another. Findings never depend on
    /// it.
    pub fn share_lines(&mut self, shared: &super::parts::SharedLines) {
        if !self
            .recognition
            .shared
            .as_ref()
            .is_some_and(|known| known.is(shared))
        {
            self.recognition.shared = Some(shared.clone());
        }
    }

    /// Forgets what was remembered about technique-section runs, as if nothing had been
    /// analysed with this memo yet (and stops sharing lines, [`Memo::share_lines`]). For benchmarks that measure a first analysis.
    pub fn forget_remembered_runs(&mut self) {
        let floor = (self.recognition.floor, self.rules.floor);
        self.recognition = Default::default();
        self.rules = Default::default();
        (self.recognition.floor, self.rules.floor) = floor;
        let not_by_text = self.parts.not_by_text;
        self.parts = Default::default();
        self.parts.not_by_text = not_by_text;
        self.conflicts = Default::default();
        for lexicon in &self.lexicons {
            lexicon.text_runs.borrow_mut().clear();
            lexicon.option_runs.borrow_mut().clear();
            lexicon.normal_lines.borrow_mut().clear();
        }
    }
}

thread_local! {
    /// The memo of analyses run through entry points that take none (the command line, tests).
    static THREAD_MEMO: RefCell<Memo> = RefCell::new(Memo::new());
}

/// Runs `work` with this thread's default memo (a fresh one if it is already in use further up
/// the stack), for faces that keep no [`Memo`] of their own.
pub fn with_thread_memo<T>(work: impl FnOnce(&mut Memo) -> T) -> T {
    THREAD_MEMO.with(|memo| match memo.try_borrow_mut() {
        Ok(mut memo) => work(&mut memo),
        Err(_) => work(&mut Memo::new()),
    })
}

impl Lexicon {
    pub(super) fn build(pack: &RulePack) -> Lexicon {
        let abbreviations: Vec<Vec<String>> = pack
            .techniques
            .iter()
            .map(|technique| {
                technique
                    .abbreviations
                    .iter()
                    .map(|abbreviation| normalize_phrase(abbreviation))
                    .collect()
            })
            .collect();
        let mut names = FxHashMap::default();
        let mut by_length: FxHashMap<usize, Vec<String>> = FxHashMap::default();
        let mut head_words = FxHashSet::default();
        for (name, index) in pack.technique_names() {
            let technique = &pack.techniques[*index];
            names.insert(name.clone(), technique.name.clone());
            let words = name.split(' ').count();
            let is_abbreviation = abbreviations[*index]
                .iter()
                .any(|abbreviation| abbreviation == name);
            if is_abbreviation {
                continue;
            }
            by_length.entry(words).or_default().push(name.clone());
            if let Some(last) = name.rsplit(' ').next()
                && last.len() >= 5
                // Too generic to mark a phrase as a technique on its own ("manual therapy" is
                // vague wording, reported by its own rule, not an unknown technique).
                && !pack.generic_head_words.iter().any(|word| word == last)
            {
                head_words.insert(last.to_string());
            }
        }
        let mut heads_by_length: FxHashMap<usize, Vec<String>> = FxHashMap::default();
        for head in &head_words {
            heads_by_length
                .entry(head.chars().count())
                .or_default()
                .push(head.clone());
        }
        let keys: FxHashSet<String> = pack
            .technique_names()
            .iter()
            .map(|(key, _)| key.clone())
            .collect();
        let first_words = keys
            .iter()
            .map(|key| key.split(' ').next().unwrap_or("").to_string())
            .collect();
        let named = keys
            .iter()
            .filter(|key| key.is_ascii())
            .filter_map(|key| Some((key.clone(), technique_indices(pack, key)?)))
            .collect();
        Lexicon {
            generation: std::cell::Cell::new(pack.generation()),
            source_names: pack.technique_names().to_vec(),
            source_techniques: pack
                .techniques
                .iter()
                .map(|technique| {
                    (
                        technique.name.clone(),
                        technique.synonyms.clone(),
                        technique.abbreviations.clone(),
                    )
                })
                .collect(),
            names,
            by_length,
            head_words,
            heads_by_length,
            first_words,
            named,
            abbreviations,
            near_heads: RefCell::new(FxHashMap::default()),
            nearest: RefCell::new(FxHashMap::default()),
            text_runs: RefCell::new(RunMemo::new(RUN_MEMO_LIMIT)),
            option_runs: RefCell::new(RunMemo::new(RUN_MEMO_LIMIT)),
            normal_lines: RefCell::default(),
            source_vague: pack.vague.clone(),
            source_generic_head_words: pack.generic_head_words.clone(),
        }
    }

    /// Whether these tables were built from a lexicon equal to `pack`'s.
    fn built_from(&self, pack: &RulePack) -> bool {
        self.source_names.as_slice() == pack.technique_names()
            && self.source_vague == pack.vague
            && self.source_generic_head_words == pack.generic_head_words
            && self.source_techniques.len() == pack.techniques.len()
            && self.source_techniques.iter().zip(&pack.techniques).all(
                |((name, synonyms, abbreviations), technique)| {
                    *name == technique.name
                        && *synonyms == technique.synonyms
                        && *abbreviations == technique.abbreviations
                },
            )
    }

    /// A lexicon name, or a plural of one.
    pub fn known(&self, phrase: &str) -> bool {
        self.names.contains_key(phrase)
            || phrase
                .strip_suffix('s')
                .is_some_and(|singular| self.names.contains_key(singular))
    }

    /// A head word, or one edit away from one (for words of six bytes or more).
    pub fn is_head_word(&self, word: &str) -> bool {
        if self.head_words.contains(word) {
            return true;
        }
        if word.len() < 6 {
            return false;
        }
        if let Some(&near) = self.near_heads.borrow().get(word) {
            return near;
        }
        // One edit away from a head word: `damerau_levenshtein(word, head) <= 1`.
        let length = word.chars().count();
        let near = (length.saturating_sub(1)..=length + 1).any(|length| {
            self.heads_by_length
                .get(&length)
                .is_some_and(|heads| heads.iter().any(|head| fuzzy::within_one_edit(word, head)))
        });
        remember(&self.near_heads, word, near);
        near
    }

    /// The first of the `count`-word names closest to `phrase` (distance, name), if any is within
    /// the phrase's edit limit but not equal: a `strsim::damerau_levenshtein` scan of the names in
    /// order, remembered per phrase, skipping names whose letters alone already differ by more
    /// than the limit (an edit changes the multiset of letters by at most one, so that count is
    /// a lower bound of the distance).
    pub fn nearest(&self, phrase: &str, count: usize) -> Option<(usize, &str)> {
        let candidates = self.by_length.get(&count)?;
        let remembered = self.nearest.borrow().get(phrase).copied();
        let best = match remembered {
            Some(best) => best,
            None => {
                let mut best: Option<(usize, usize)> = None;
                let limit = fuzzy::max_distance(phrase.chars().count());
                for (index, candidate) in candidates.iter().enumerate() {
                    if candidate.len().abs_diff(phrase.len()) > limit
                        || fuzzy::letters_differ_by_more_than(phrase, candidate, limit)
                    {
                        continue;
                    }
                    let distance = strsim::damerau_levenshtein(phrase, candidate);
                    if distance > 0 && distance <= limit && best.is_none_or(|(d, _)| distance < d) {
                        best = Some((distance, index));
                    }
                }
                remember(&self.nearest, phrase, best);
                best
            }
        };
        best.map(|(distance, index)| (distance, candidates[index].as_str()))
    }
}

/// `pack.technique_named(phrase)` as (its index in `pack.techniques`, the index of the first
/// technique with its name).
pub(crate) fn technique_indices(pack: &RulePack, phrase: &str) -> Option<(usize, usize)> {
    let technique = pack.technique_named(phrase)?;
    let returned = pack
        .techniques
        .iter()
        .position(|other| std::ptr::eq(other, technique))?;
    let by_name = pack
        .techniques
        .iter()
        .position(|other| other.name == technique.name)
        .unwrap_or(0);
    Some((returned, by_name))
}

fn remember<V>(memo: &RefCell<FxHashMap<String, V>>, key: &str, value: V) {
    let mut memo = memo.borrow_mut();
    if memo.len() >= MEMO_LIMIT {
        memo.clear();
    }
    memo.insert(key.to_string(), value);
}

/// `HashMap` with the Fx hash (rustc's, from `rustc-hash`): a multiply and a rotate per word. The
/// analysis's maps hold a template's own short strings, where SipHash's DoS resistance buys
/// nothing and costs a good share of the time.
pub(crate) use rustc_hash::{FxHashMap, FxHashSet};

#[cfg(test)]
mod tests {
    use super::*;

    /// 6,000 distinct lines in 200 templates, analysed one after the other with one memo: by
    /// default the memo is emptied past 4,096 entries; told to keep 20,000 it keeps them all, also
    /// after forgetting, and the findings are those of a fresh memo either way.
    #[test]
    fn a_memo_told_to_remember_more_keeps_lines_across_templates() {
        use crate::analysis::{Input, Settings, analyze};
        let pack = RulePack::embedded();
        let settings = Settings::default();
        let templates: Vec<String> = (0..200)
            .map(|n| {
                let mut text = format!("## Plan of care {n}\n");
                for line in 0..30 {
                    text.push_str(&format!(
                        "Visit {n}.{line}: {{{{minutes_{n}_{line}:minutes}}}} minutes\n"
                    ));
                }
                text
            })
            .collect();
        let run = |memo: &mut Memo| {
            for text in &templates {
                let parse = crate::syntax::parse(text);
                let remembered = analyze(Input::new(text, &pack, &settings), parse, memo);
                let parse = crate::syntax::parse(text);
                let fresh = analyze(Input::new(text, &pack, &settings), parse, &mut Memo::new());
                assert_eq!(remembered.diagnostics, fresh.diagnostics);
            }
            memo.recognition.lines.len()
        };
        let mut default = Memo::new();
        assert!(run(&mut default) <= 4_096);
        let mut more = Memo::new();
        more.remember_at_least(20_000);
        assert_eq!(run(&mut more), 6_000);
        more.forget_remembered_runs();
        assert_eq!(more.recognition.lines.len(), 0);
        assert_eq!(run(&mut more), 6_000);
    }

    #[test]
    fn cache_follows_the_pack() {
        let mut memo = Memo::new();
        let mut for_pack = |pack: &RulePack| memo.lexicon(pack);
        let pack = RulePack::embedded();
        let first = for_pack(&pack);
        assert!(Rc::ptr_eq(&first, &for_pack(&pack)));
        assert!(first.known("myofascial release"));
        let mut changed = pack.clone();
        let mut technique = changed.techniques[0].clone();
        technique.name = "zebra glide".to_string();
        technique.synonyms.clear();
        technique.abbreviations.clear();
        changed.extend(Vec::new(), Vec::new(), vec![technique]);
        let other = for_pack(&changed);
        assert!(!Rc::ptr_eq(&first, &other));
        assert!(other.known("zebra glide"));
        assert!(!first.known("zebra glide"));
        assert!(Rc::ptr_eq(&first, &for_pack(&pack)));
        // Run facts say whether a mention is generic wording, so the generic phrases count too.
        let mut vaguer = pack.clone();
        vaguer.vague.push("joint mobilization".to_string());
        vaguer.reindex();
        assert!(!Rc::ptr_eq(&first, &for_pack(&vaguer)));
        // Another generation with the same lexicon (only a heading alias added) shares the tables.
        let mut aliased = pack.clone();
        assert!(aliased.add_section_aliases("plan", &["what comes next".to_string()]));
        assert_ne!(aliased.generation(), pack.generation());
        assert!(Rc::ptr_eq(&first, &for_pack(&aliased)));
        assert!(Rc::ptr_eq(&first, &for_pack(&pack)));
    }
}
