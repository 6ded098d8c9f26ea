//! The rule pack: section kinds, billing codes, the technique lexicon and rule metadata, as data.
//!
//! Owns: the schema of the pack (these types), the embedded default pack (TOML under `rulepack/` at
//! the repository root, compiled in with `include_str!`), and lookups over it (aliases, abbreviations).
//! Must not touch: files, the terminal, or protocol types. Project configuration extends a pack by
//! calling [`RulePack::extend`]; where the extra data comes from is the caller's business.

mod lookup;
mod rule_id;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use lookup::{
    MatchConfidence, PhraseNormalizer, Recognition, SectionMatch, contains_any,
    contains_any_not_before, contains_phrase, is_numbering, normalize_phrase,
};
pub use rule_id::{RuleId, UnknownRule};

/// Words that say another signer, as [`SectionKind::not_words`] do, unless the note bills a code
/// of one of `families` ([`Code::family`]).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NotWordsUnlessBilled {
    pub families: Vec<String>,
    pub words: Vec<String>,
}

/// A section kind such as `necessity`, `technique` or `response`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SectionKind {
    /// Stable identifier used in `{#kind}` attributes, in `requires` lists and in rule ids
    /// (`missing-<kind>`).
    pub kind: String,
    /// The title noteplate writes when it inserts this section.
    pub title: String,
    /// What the section records, as a clinician would say it ("how the patient responded to
    /// treatment"); findings about a missing section use it.
    #[serde(default)]
    pub what: String,
    /// One line saying what the section is for.
    pub description: String,
    /// Heading titles that mean this kind. Compared after [`normalize_phrase`].
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Head words that make a title or label of another wording mean this kind (`Short-term
    /// goals` through `goals`); see the recognition notes in `rulepack/sections.toml`.
    #[serde(default)]
    pub words: Vec<String>,
    /// Phrases that, anywhere in a line's wording, show the kind ("tolerated" for a response).
    #[serde(default)]
    pub phrases: Vec<String>,
    /// Other kinds a section of this kind stands for (an Objective section holds the findings).
    #[serde(default)]
    pub counts_as: Vec<String>,
    /// Words that keep a title or label from this kind by its head word: "Parent signature" is
    /// someone else's signature, not the clinician's.
    #[serde(default)]
    pub not_words: Vec<String>,
    /// More such words, which keep a title or label from this kind only on a note that bills
    /// codes and none of the listed families: "Physician signature" is the certifying
    /// physician's on a therapy note, and the note's own on a chiropractic one.
    #[serde(default)]
    pub not_words_unless_billed: Option<NotWordsUnlessBilled>,
    /// Body inserted below the heading by the "add section" fix (without the heading line).
    pub skeleton: String,
    /// Bodies for codes of one family (`Code::family`), used instead of `skeleton` when every
    /// declared code with a family has this one.
    #[serde(default)]
    pub skeletons: std::collections::BTreeMap<String, String>,
}

/// A billing code (CPT or HCPCS) and what a template that declares it must contain.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Code {
    /// The code itself, e.g. `97140`.
    pub code: String,
    /// A short plain-language summary in our own words (never the CPT descriptor).
    pub summary: String,
    /// Whether the code is billed per 15 minutes (subject to the 8-minute rule).
    pub timed: bool,
    /// Section kinds that must be present; missing ones are errors (`missing-<kind>`).
    #[serde(default)]
    pub requires: Vec<String>,
    /// Section kinds that should be present; missing ones are warnings.
    #[serde(default)]
    pub recommends: Vec<String>,
    /// The family of codes it belongs to (`manual-therapy`, `chiropractic`, `speech`...), which
    /// picks section skeletons that fit (`SectionKind::skeletons`).
    #[serde(default)]
    pub family: Option<String>,
    /// Whether Medicare requires a therapy modifier (GP/GO/GN) on this code.
    #[serde(default)]
    pub therapy: bool,
    /// The hands-on treatment the code bills, for the rules about it (`missing-region`,
    /// `vague-technique`, `missing-technique`, `billed-elsewhere`).
    #[serde(default)]
    pub treatment: Option<Treatment>,
    /// What the note must show for this code, in one or two sentences (used by hovers).
    #[serde(default)]
    pub documentation: String,
    /// Source tags from the domain reference, e.g. `["S7", "S25"]`.
    #[serde(default)]
    pub sources: Vec<String>,
}

/// A hands-on treatment a code bills.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Treatment {
    /// Manual therapy (97140): the note names the specific technique and the body region.
    ManualTherapy,
    /// Chiropractic manipulation (98940-98943): manual therapy billed beside it is payable only
    /// for a region that was not manipulated.
    Manipulation,
}

/// A two-character modifier written after a code (`97140-GP-XS`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Modifier {
    /// The modifier itself, upper case: `GP`, `59`.
    pub modifier: String,
    pub role: ModifierRole,
    /// One line in our own words (shown by completion).
    pub summary: String,
    /// For a therapy modifier, the discipline whose plan of care it names, as findings write it
    /// ("physical therapy").
    #[serde(default)]
    pub discipline: String,
    /// Tags of `docs/sources.md` that say what the modifier means.
    #[serde(default)]
    pub sources: Vec<String>,
}

/// What a modifier says about the line it is on.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum ModifierRole {
    /// The plan of care a therapy line falls under (GP, GO, GN).
    Therapy,
    /// The service is separate from another one billed the same day (59, XE, XS, XP, XU).
    Distinct,
    /// Furnished in whole or in part by an assistant (CQ, CO).
    Assistant,
    /// Therapy above the yearly threshold (KX).
    Threshold,
    /// A separately identifiable E/M visit on the day of a procedure (25).
    SeparateVisit,
}

/// A note type (`daily`, `evaluation`, `progress`, `discharge`) and what a note of it needs.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NoteType {
    /// The value of `type:` in front matter.
    pub id: String,
    /// How messages name it ("Progress report").
    pub title: String,
    /// Phrases in a template's name that make it a note of this type (normalised).
    #[serde(default)]
    pub words: Vec<String>,
    /// Phrases that make a template a note of this type only where they begin its name
    /// (normalised): a language that puts the noun first ("Note SOAP", French) would otherwise
    /// match names that put the format after another type ("Progress Note (SOAP)").
    #[serde(default)]
    pub leading_words: Vec<String>,
    /// Codes whose presence makes a template a note of this type.
    #[serde(default)]
    pub codes: Vec<String>,
    /// Section kinds that, all present, make a note nothing else types a note of this type.
    #[serde(default)]
    pub shows: Vec<String>,
    /// Section kinds every note of this type must have (`missing-<kind>` errors).
    #[serde(default)]
    pub requires: Vec<String>,
    /// Section kinds a note of this type should have (warnings).
    #[serde(default)]
    pub recommends: Vec<String>,
    /// Whether the plan of care must state frequency and duration (`plan-without-frequency`).
    #[serde(default)]
    pub plan_frequency: bool,
    /// Whether a note of this type records the day's minute totals, timed and total treatment
    /// minutes (`missing-total-minutes`): the daily treatment note. A payer profile with
    /// `daily_note_by_default` applies it to templates that declare codes and no type.
    #[serde(default)]
    pub minute_totals: bool,
    /// Dates that are the date of service in a note of this type although they are not in
    /// others (normalised): a discharge summary is dated by its discharge date, which
    /// `not_date_of_service` keeps from counting elsewhere.
    #[serde(default)]
    pub dates_of_service: Vec<String>,
}

/// Words that show the basic elements of every note (`[elements]` in notes.toml), normalised.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Elements {
    /// Words that make a field a date when its type does not ("date", "dos").
    pub date_words: Vec<String>,
    /// The line the `missing-date` fix inserts (verbatim).
    pub date_of_service_line: String,
    pub date_of_service: Vec<String>,
    pub not_date_of_service: Vec<String>,
    pub signature: Vec<String>,
    pub credentials: Vec<String>,
    pub designations: Vec<String>,
    /// Designations `signature-without-credentials` names as examples (verbatim).
    pub designation_examples: Vec<String>,
    /// The designations its fix offers as a choice (verbatim).
    pub designation_choice: Vec<String>,
    pub minutes: Vec<String>,
    /// Minute totals of a daily note: a minutes field whose words contain one of `totals` and
    /// one of `timed_totals` (none of `not_timed_totals`) records the timed total; one of
    /// `totals` and one of `treatment_totals`, and not timed, the total treatment minutes.
    pub totals: Vec<String>,
    pub timed_totals: Vec<String>,
    pub not_timed_totals: Vec<String>,
    pub treatment_totals: Vec<String>,
    /// A minutes field whose words contain one of these (and are not timed) records the total
    /// treatment minutes without saying "total": the session's or visit's length.
    #[serde(default)]
    pub session_lengths: Vec<String>,
    /// The lines the `missing-total-minutes` fix adds (verbatim); the text before the colon,
    /// in lower case, names what is missing.
    pub timed_total_line: String,
    pub treatment_total_line: String,
    pub units: Vec<String>,
    /// ...unless they also say one of these (a "Healthcare Service Unit" is a place).
    #[serde(default)]
    pub not_units: Vec<String>,
    pub response_measures: Vec<String>,
    pub frequency: Vec<String>,
    pub duration: Vec<String>,
    pub frequency_labels: Vec<String>,
    pub duration_labels: Vec<String>,
    /// A `Frequency:` or `Duration:` line whose label or options say one of these describes the
    /// symptoms (how often the pain comes, how long it lasts), not the plan of care.
    #[serde(default)]
    pub symptom_words: Vec<String>,
    /// A duration word directly followed by one of these is part of a rate, not the plan's
    /// duration ("2 sessions per week", "3 days a week").
    #[serde(default)]
    pub rate_words: Vec<String>,
    /// A frequency word directly followed by one of these is no frequency: "daily" in "daily
    /// activities" and "activities of daily living" names the activities, not how often.
    #[serde(default)]
    pub not_rate_before: Vec<String>,
    /// Letters of the frequency notation that states how often and for how long in one token:
    /// a number, one of these and a number ("2w3", twice a week for three weeks, as home-health
    /// orders write it).
    #[serde(default)]
    pub rate_notation: Vec<String>,
    pub region_labels: Vec<String>,
    pub regions: Vec<String>,
}

/// How a technique is usually billed, relative to 97140.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Billing {
    /// Normally billed as manual therapy (97140).
    ManualTherapy,
    /// Payer-dependent or disputed under 97140.
    Disputed,
    /// Usually billed under another code; documenting it under 97140 invites a denial.
    Elsewhere,
}

/// One technique of the manual-therapy lexicon.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Technique {
    /// Canonical name, lower case except for proper names, e.g. `myofascial release`.
    pub name: String,
    /// Abbreviations authors type (`MFR`, `STM`); matched case-insensitively as whole words.
    #[serde(default)]
    pub abbreviations: Vec<String>,
    /// Other spellings and synonyms (`myofascial release therapy`, `Mulligan`).
    #[serde(default)]
    pub synonyms: Vec<String>,
    /// One line in our own words.
    pub description: String,
    /// The code it is usually billed under, e.g. `97140` or `97124`.
    pub code: String,
    pub billing: Billing,
    /// Why it is disputed or billed elsewhere; empty when `billing = "manual-therapy"`.
    #[serde(default)]
    pub note: String,
    /// What a template offering this technique must also capture (e.g. limb measurements for
    /// manual lymphatic drainage).
    #[serde(default)]
    pub needs: Vec<TechniqueNeed>,
    #[serde(default)]
    pub sources: Vec<String>,
}

/// Something a template must capture when it offers a technique.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TechniqueNeed {
    /// The rule that reports it, e.g. `technique-needs`.
    pub rule: RuleId,
    /// What is missing, in words: "limb measurements before treatment".
    pub what: String,
    /// Words or phrases any of which shows the template captures it (compared after
    /// normalisation, anywhere in the template).
    pub any_of: Vec<String>,
    /// Severity for this need; the rule's default when absent.
    #[serde(default)]
    pub severity: Option<Severity>,
}

impl Elements {
    /// Whether normalised words say billed units: one of `units` and none of `not_units`. The
    /// one reading of "units" for the rules and the importers alike.
    pub fn says_units(&self, words: &str) -> bool {
        contains_any(words, &self.units) && !contains_any(words, &self.not_units)
    }
}

/// A payer profile: how units are counted and which documentation rules apply.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PayerProfile {
    pub name: String,
    pub description: String,
    pub unit_method: UnitMethod,
    /// Therapy codes need GP/GO/GN (Medicare).
    pub therapy_modifiers: bool,
    /// Templates without `type:` are daily treatment notes (date, signature, minute totals).
    pub daily_note_by_default: bool,
    #[serde(default)]
    pub sources: Vec<String>,
}

/// How a payer turns timed minutes into units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum UnitMethod {
    /// CMS 8-minute rule: the timed minutes of all codes are pooled, the pool sets the total
    /// number of units, and the units are shared out by full blocks and then leftover minutes.
    TotalTime,
    /// CPT midpoint per code ("rule of eights"): each code is rounded on its own at 8 minutes.
    PerCode,
}

/// Confidence of a payer fact, from the domain reference.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    Low,
    Medium,
    High,
}

/// Two codes billed together that need a modifier (an NCCI procedure-to-procedure edit).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CodePair {
    /// Column-1 codes (any of them).
    pub first: Vec<String>,
    /// Column-2 codes (any of them).
    pub second: Vec<String>,
    /// NCCI modifier indicator: 0 never together, 1 with a modifier, 9 not applicable.
    pub indicator: u8,
    /// Acceptable modifiers, preferred first (e.g. `["XS", "59"]`).
    pub modifiers: Vec<String>,
    /// Which side carries the modifier: `"first"` or `"second"`.
    pub modifier_on: PairSide,
    /// When both may be billed, in our words.
    pub condition: String,
    pub confidence: Confidence,
    #[serde(default)]
    pub sources: Vec<String>,
}

/// One side of a [`CodePair`].
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum PairSide {
    /// The column-1 codes (`first`).
    First,
    /// The column-2 codes (`second`).
    Second,
}

/// Default severity of a rule.
#[derive(
    Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord, Hash, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Hint,
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
            Severity::Hint => "hint",
        }
    }
}

/// Metadata of one rule: what `noteplate rules` lists and `noteplate explain` prints.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RuleInfo {
    pub id: RuleId,
    pub severity: Severity,
    /// One line: what the rule finds.
    pub summary: String,
    /// Markdown paragraphs: why it matters, what to do, sources and confidence.
    pub explanation: String,
    /// A template that triggers the rule.
    pub bad: String,
    /// A template that does not.
    pub good: String,
    /// The examples need other files (fragments, a project configuration) or raw bytes, so they
    /// are shown, not run.
    #[serde(default)]
    pub examples_need_files: bool,
}

impl RuleInfo {
    /// The rule's documentation as Markdown: what `noteplate explain` prints, each rule's part of
    /// `docs/rules.md`, and what editors show for "Explain rule" and a hover on a rule id.
    pub fn documentation(&self) -> String {
        format!(
            "## `{}`\n\nDefault severity: **{}**. {}\n\n{}\n\nTriggers it:\n\n```note\n{}\n```\n\nDoes not:\n\n```note\n{}\n```\n",
            self.id,
            self.severity.as_str(),
            self.summary.trim(),
            self.explanation.trim(),
            self.bad.trim_end(),
            self.good.trim_end(),
        )
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct SectionsFile {
    #[serde(default)]
    recognition: Recognition,
    #[serde(default)]
    section: Vec<SectionKind>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct NotesFile {
    #[serde(default)]
    note_type: Vec<NoteType>,
    #[serde(default)]
    elements: Elements,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct CodesFile {
    #[serde(default)]
    code: Vec<Code>,
    #[serde(default)]
    modifier: Vec<Modifier>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct TechniquesFile {
    /// Generic wording that names no specific technique ("manual therapy", "soft tissue work").
    #[serde(default)]
    vague: Vec<String>,
    /// Last words of names too generic to make a phrase a near miss of a technique.
    #[serde(default)]
    generic_head_words: Vec<String>,
    #[serde(default)]
    technique: Vec<Technique>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct PayersFile {
    #[serde(default)]
    payer: Vec<PayerProfile>,
    #[serde(default)]
    pair: Vec<CodePair>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct RulesFile {
    #[serde(default)]
    rule: Vec<RuleInfo>,
}

/// The whole pack. Build the default with [`RulePack::embedded`]. After changing its public
/// fields directly, call [`RulePack::reindex`].
#[derive(Debug, Clone)]
pub struct RulePack {
    pub sections: Vec<SectionKind>,
    pub recognition: Recognition,
    pub codes: Vec<Code>,
    pub modifiers: Vec<Modifier>,
    pub techniques: Vec<Technique>,
    /// Generic technique wording, normalised.
    pub vague: Vec<String>,
    /// Head words too generic to mark a phrase as a technique ("therapy"), normalised.
    pub generic_head_words: Vec<String>,
    pub rules: Vec<RuleInfo>,
    pub payers: Vec<PayerProfile>,
    pub pairs: Vec<CodePair>,
    pub note_types: Vec<NoteType>,
    pub elements: Elements,
    index: lookup::Index,
    /// Code (upper case) -> index in `codes`, rebuilt with `index`.
    code_index: rustc_hash::FxHashMap<String, usize>,
    /// Section kind -> index of its first entry in `sections`, rebuilt with `index`.
    section_index: rustc_hash::FxHashMap<String, usize>,
    /// A number no other pack built in this process has (a copy keeps it), renewed whenever
    /// the pack is rebuilt (`extend`, `add_section_aliases`, `reindex`): memos of what the pack says keep
    /// it to know they are still valid.
    generation: u64,
}

const SECTIONS_TOML: &str = include_str!("../../../../rulepack/sections.toml");
const CODES_TOML: &str = include_str!("../../../../rulepack/codes.toml");
const TECHNIQUES_TOML: &str = include_str!("../../../../rulepack/techniques.toml");
const RULES_TOML: &str = include_str!("../../../../rulepack/rules.toml");
const PAYERS_TOML: &str = include_str!("../../../../rulepack/payers.toml");
const NOTES_TOML: &str = include_str!("../../../../rulepack/notes.toml");

fn normalised_elements(elements: Elements) -> Elements {
    let all = |words: Vec<String>| words.iter().map(|w| normalize_phrase(w)).collect();
    Elements {
        date_words: all(elements.date_words),
        date_of_service_line: elements.date_of_service_line,
        date_of_service: all(elements.date_of_service),
        not_date_of_service: all(elements.not_date_of_service),
        signature: all(elements.signature),
        credentials: all(elements.credentials),
        designations: all(elements.designations),
        designation_examples: elements.designation_examples,
        designation_choice: elements.designation_choice,
        minutes: all(elements.minutes),
        totals: all(elements.totals),
        timed_totals: all(elements.timed_totals),
        not_timed_totals: all(elements.not_timed_totals),
        treatment_totals: all(elements.treatment_totals),
        session_lengths: all(elements.session_lengths),
        timed_total_line: elements.timed_total_line,
        treatment_total_line: elements.treatment_total_line,
        units: all(elements.units),
        not_units: all(elements.not_units),
        response_measures: all(elements.response_measures),
        frequency: all(elements.frequency),
        duration: all(elements.duration),
        frequency_labels: all(elements.frequency_labels),
        duration_labels: all(elements.duration_labels),
        symptom_words: all(elements.symptom_words),
        rate_words: all(elements.rate_words),
        not_rate_before: all(elements.not_rate_before),
        rate_notation: all(elements.rate_notation),
        region_labels: all(elements.region_labels),
        regions: all(elements.regions),
    }
}

impl RulePack {
    /// The pack compiled into the binary. Its data is checked by tests, so parsing cannot fail at
    /// run time; a broken pack is a build-time test failure.
    pub fn embedded() -> RulePack {
        static PACK: std::sync::OnceLock<RulePack> = std::sync::OnceLock::new();
        PACK.get_or_init(|| {
            Self::from_toml(
                SECTIONS_TOML,
                CODES_TOML,
                TECHNIQUES_TOML,
                RULES_TOML,
                PAYERS_TOML,
                NOTES_TOML,
            )
            .unwrap_or_else(|error| panic!("the embedded rule pack is invalid: {error}"))
        })
        .clone()
    }

    /// The embedded pack behind one shared pointer, for the many places that only read it.
    pub fn embedded_shared() -> std::sync::Arc<RulePack> {
        static SHARED: std::sync::OnceLock<std::sync::Arc<RulePack>> = std::sync::OnceLock::new();
        SHARED
            .get_or_init(|| std::sync::Arc::new(RulePack::embedded()))
            .clone()
    }

    fn from_toml(
        sections: &str,
        codes: &str,
        techniques: &str,
        rules: &str,
        payers: &str,
        notes: &str,
    ) -> Result<RulePack, String> {
        let notes: NotesFile = toml::from_str(notes).map_err(|e| format!("notes.toml: {e}"))?;
        let sections: SectionsFile =
            toml::from_str(sections).map_err(|e| format!("sections.toml: {e}"))?;
        let codes: CodesFile = toml::from_str(codes).map_err(|e| format!("codes.toml: {e}"))?;
        let techniques: TechniquesFile =
            toml::from_str(techniques).map_err(|e| format!("techniques.toml: {e}"))?;
        let rules: RulesFile = toml::from_str(rules).map_err(|e| format!("rules.toml: {e}"))?;
        let payers: PayersFile = toml::from_str(payers).map_err(|e| format!("payers.toml: {e}"))?;
        let mut pack = RulePack {
            sections: sections.section,
            recognition: sections.recognition,
            codes: codes.code,
            modifiers: codes.modifier,
            techniques: techniques.technique,
            vague: techniques
                .vague
                .iter()
                .map(|phrase| normalize_phrase(phrase))
                .collect(),
            generic_head_words: techniques
                .generic_head_words
                .iter()
                .map(|word| normalize_phrase(word))
                .collect(),
            rules: rules.rule,
            payers: payers.payer,
            pairs: payers.pair,
            note_types: notes
                .note_type
                .into_iter()
                .map(|mut note_type| {
                    note_type.words = note_type
                        .words
                        .iter()
                        .map(|word| normalize_phrase(word))
                        .collect();
                    note_type.leading_words = note_type
                        .leading_words
                        .iter()
                        .map(|word| normalize_phrase(word))
                        .collect();
                    note_type.dates_of_service = note_type
                        .dates_of_service
                        .iter()
                        .map(|phrase| normalize_phrase(phrase))
                        .collect();
                    note_type
                })
                .collect(),
            elements: normalised_elements(notes.elements),
            index: lookup::Index::default(),
            code_index: Default::default(),
            section_index: Default::default(),
            generation: 0,
        };
        pack.reindex();
        Ok(pack)
    }

    /// Adds (or replaces, by key) sections, codes and techniques. Used by project configuration.
    pub fn extend(
        &mut self,
        sections: Vec<SectionKind>,
        codes: Vec<Code>,
        techniques: Vec<Technique>,
    ) {
        for section in sections {
            match self.sections.iter_mut().find(|s| s.kind == section.kind) {
                Some(existing) => *existing = section,
                None => self.sections.push(section),
            }
        }
        for code in codes {
            match self.codes.iter_mut().find(|c| c.code == code.code) {
                Some(existing) => *existing = code,
                None => self.codes.push(code),
            }
        }
        for technique in techniques {
            match self
                .techniques
                .iter_mut()
                .find(|t| t.name == technique.name)
            {
                Some(existing) => *existing = technique,
                None => self.techniques.push(technique),
            }
        }
        self.reindex();
    }

    /// Adds heading aliases to an existing section kind. Returns false if the kind is unknown.
    pub fn add_section_aliases(&mut self, kind: &str, aliases: &[String]) -> bool {
        let Some(section) = self.sections.iter_mut().find(|s| s.kind == kind) else {
            return false;
        };
        section.aliases.extend(aliases.iter().cloned());
        self.reindex();
        true
    }

    /// See the field: equal for a pack and its copies, different for any other pack or after
    /// the pack was extended.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// Rebuilds the pack's indexes and gives it a new generation. A caller that changes the
    /// pack's public fields directly (rather than through `extend` or `add_section_aliases`) must
    /// call it before the next analysis: the memos of what a pack says (`analysis::Memo`) know
    /// a pack by its generation, and an unchanged generation means unchanged contents.
    pub fn reindex(&mut self) {
        static GENERATIONS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        self.generation = GENERATIONS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.index = lookup::Index::build(&self.sections, &self.techniques, &self.recognition);
        self.code_index = self
            .codes
            .iter()
            .enumerate()
            .rev()
            .map(|(index, code)| (code.code.to_ascii_uppercase(), index))
            .collect();
        self.section_index = self
            .sections
            .iter()
            .enumerate()
            .rev()
            .map(|(index, section)| (section.kind.clone(), index))
            .collect();
    }

    pub fn section(&self, kind: &str) -> Option<&SectionKind> {
        self.sections.get(self.section_rank(kind)?)
    }

    /// Where `kind` comes in the canonical order of `sections.toml` (its index in `sections`): a
    /// hash lookup, as the fixes that insert a section rank every section of a template.
    pub fn section_rank(&self, kind: &str) -> Option<usize> {
        self.section_index.get(kind).copied()
    }

    /// Whether normalised `words` name something a section of `kind` is not, by its `not_words`
    /// ("parent" in "parent signature": someone else's signature).
    pub fn not_this_kind(&self, kind: &str, words: &str) -> bool {
        self.section_rank(kind)
            .is_some_and(|section| self.index.not_this_kind(section, words))
    }

    /// Whether the `not_words_unless_billed` of `kind` hold on a note that bills `codes`: it has
    /// a code, and none of them is of one of their families (a PT evaluation's "physician" is
    /// another signer, a chiropractic note's is not). Title recognition knows no codes, so the
    /// rules that do ask this of what was recognised, then [`RulePack::not_this_kind_unless_billed`].
    pub fn unless_billed_holds<'c>(
        &self,
        kind: &str,
        codes: impl IntoIterator<Item = &'c str>,
    ) -> bool {
        let Some(unless) = self
            .section(kind)
            .and_then(|section| section.not_words_unless_billed.as_ref())
        else {
            return false;
        };
        let mut billed = false;
        for code in codes {
            billed = true;
            let family = self.code(code).and_then(|code| code.family.as_deref());
            if family.is_some_and(|family| unless.families.iter().any(|f| f == family)) {
                return false;
            }
        }
        billed
    }

    /// Whether normalised `words` hold one of the `not_words_unless_billed` of `kind` (where
    /// [`RulePack::unless_billed_holds`] says they count).
    pub fn not_this_kind_unless_billed(&self, kind: &str, words: &str) -> bool {
        self.section_rank(kind)
            .is_some_and(|section| self.index.not_this_kind_unless_billed(section, words))
    }

    /// The pack's entry for `code` (any case): a hash lookup, as templates may list thousands.
    pub fn code(&self, code: &str) -> Option<&Code> {
        let index = if code.bytes().any(|byte| byte.is_ascii_lowercase()) {
            self.code_index.get(&code.to_ascii_uppercase())
        } else {
            self.code_index.get(code)
        };
        index
            .and_then(|&index| self.codes.get(index))
            .filter(|found| found.code.eq_ignore_ascii_case(code))
    }

    /// The modifiers with `role`, in the order of `codes.toml` (preferred first).
    pub fn modifiers_with(&self, role: ModifierRole) -> impl Iterator<Item = &Modifier> {
        self.modifiers.iter().filter(move |m| m.role == role)
    }

    /// The first manual therapy code of the pack (`treatment = "manual-therapy"`), for wording.
    pub fn manual_therapy_code(&self) -> Option<&Code> {
        self.codes
            .iter()
            .find(|code| code.treatment == Some(Treatment::ManualTherapy))
    }

    /// Whether `modifier` (upper case) has `role`.
    pub fn modifier_is(&self, modifier: &str, role: ModifierRole) -> bool {
        self.modifiers
            .iter()
            .any(|m| m.role == role && m.modifier == modifier)
    }

    pub fn payer(&self, name: &str) -> Option<&PayerProfile> {
        self.payers
            .iter()
            .find(|p| p.name.eq_ignore_ascii_case(name))
    }

    pub fn note_type(&self, id: &str) -> Option<&NoteType> {
        self.note_types
            .iter()
            .find(|t| t.id.eq_ignore_ascii_case(id))
    }

    /// The metadata of a rule. Every [`RuleId`] has an entry (a unit test checks).
    pub fn rule(&self, id: RuleId) -> Option<&RuleInfo> {
        self.rules.iter().find(|r| r.id == id)
    }

    /// The default severity of a rule.
    pub fn severity(&self, id: RuleId) -> Severity {
        self.rule(id)
            .map_or(Severity::Warning, |info| info.severity)
    }

    /// Every section kind a heading title means, best first (low-confidence guesses included).
    pub fn classify_heading(&self, title: &str) -> Vec<SectionMatch<'_>> {
        self.index
            .classify(title, &self.sections, lookup::Mode::Heading)
    }

    /// Every section kind a label (`Response to treatment:`) means, best first; no guesses.
    pub fn classify_label(&self, label: &str) -> Vec<SectionMatch<'_>> {
        self.index
            .classify(label, &self.sections, lookup::Mode::Label)
    }

    /// The section kind a heading title surely means (high or medium confidence), if any.
    pub fn match_heading(&self, title: &str) -> Option<SectionMatch<'_>> {
        self.classify_heading(title)
            .into_iter()
            .find(|found| found.confidence > MatchConfidence::Low)
    }

    /// The technique a phrase names exactly (canonical name, synonym or abbreviation).
    pub fn technique_named(&self, phrase: &str) -> Option<&Technique> {
        self.index.technique(phrase).map(|i| &self.techniques[i])
    }

    /// The techniques whose name or synonym (not abbreviation) occurs in normalised `words`.
    pub fn techniques_in(&self, words: &str) -> impl Iterator<Item = &Technique> {
        self.index
            .techniques_in(words)
            .into_iter()
            .map(|index| &self.techniques[index])
    }

    /// The section kinds one of whose `phrases` occurs in normalised `words` ("tolerated").
    pub fn kinds_in(&self, words: &str) -> impl Iterator<Item = &SectionKind> {
        self.index
            .kinds_in(words)
            .into_iter()
            .map(|index| &self.sections[index])
    }

    /// Every (normalised name, technique index) pair, for fuzzy matching and completion.
    pub fn technique_names(&self) -> &[(String, usize)] {
        self.index.technique_names()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A note type's words are compared with a template's normalised name as they are.
    #[test]
    fn note_type_words_are_normalised_when_the_pack_is_loaded() {
        let pack = RulePack::embedded();
        let words: Vec<&String> = pack.note_types.iter().flat_map(|t| &t.words).collect();
        assert!(words.iter().any(|word| word.as_str() == "progress report"));
        for word in words {
            assert_eq!(*word, normalize_phrase(word), "{word:?}");
        }
    }

    #[test]
    fn embedded_pack_parses_and_is_consistent() {
        let pack = RulePack::embedded();
        assert!(pack.sections.iter().any(|s| s.kind == "necessity"));
        for code in &pack.codes {
            for kind in code.requires.iter().chain(&code.recommends) {
                assert!(
                    pack.section(kind).is_some(),
                    "code {} names unknown section kind {kind}",
                    code.code
                );
            }
        }
        for note_type in &pack.note_types {
            for kind in note_type
                .requires
                .iter()
                .chain(&note_type.recommends)
                .chain(&note_type.shows)
            {
                assert!(
                    pack.section(kind).is_some(),
                    "note type {} names unknown section kind {kind}",
                    note_type.id
                );
            }
        }
        let mut names = std::collections::HashSet::new();
        for technique in &pack.techniques {
            assert!(
                names.insert(&technique.name),
                "duplicate technique {}",
                technique.name
            );
            if technique.billing != Billing::ManualTherapy {
                assert!(
                    !technique.note.is_empty(),
                    "{} needs a note",
                    technique.name
                );
            }
        }
        let mut ids = std::collections::HashSet::new();
        for rule in &pack.rules {
            assert!(ids.insert(&rule.id), "duplicate rule {}", rule.id);
        }
        for technique in &pack.techniques {
            for need in &technique.needs {
                assert!(
                    pack.rule(need.rule).is_some(),
                    "{} names unknown rule {}",
                    technique.name,
                    need.rule
                );
            }
        }
        for pair in &pack.pairs {
            assert!(!pair.modifiers.is_empty() || pair.indicator != 1);
            for modifier in &pair.modifiers {
                assert!(
                    pack.modifiers.iter().any(|m| &m.modifier == modifier),
                    "pair names unknown modifier {modifier}"
                );
            }
        }
        for role in [ModifierRole::Therapy, ModifierRole::Distinct] {
            assert!(pack.modifiers.iter().any(|m| m.role == role));
        }
        // `missing-therapy-modifier` names each therapy modifier's discipline.
        for modifier in pack.modifiers_with(ModifierRole::Therapy) {
            assert!(
                !modifier.discipline.is_empty(),
                "{} needs a discipline",
                modifier.modifier
            );
        }
        // The rules about manual therapy and manipulation find their codes in the pack.
        assert_eq!(
            pack.manual_therapy_code().map(|c| c.code.as_str()),
            Some("97140")
        );
        let manipulation: Vec<&str> = pack
            .codes
            .iter()
            .filter(|c| c.treatment == Some(Treatment::Manipulation))
            .map(|c| c.code.as_str())
            .collect();
        assert_eq!(manipulation, ["98940", "98941", "98942", "98943"]);
        // What the fixes insert: a date-of-service field, a choice of designations.
        assert!(pack.elements.date_of_service_line.contains(":date}}"));
        assert!(pack.elements.designation_choice.len() >= 2);
        assert!(!pack.elements.designation_examples.is_empty());
        assert!(pack.note_types.iter().any(|t| t.minute_totals));
        assert!(pack.payer("medicare").is_some() && pack.payer("commercial").is_some());
    }

    #[test]
    fn required_codes_are_present() {
        let pack = RulePack::embedded();
        for code in [
            "97140", "97110", "97112", "97116", "97124", "97530", "97535", "97750", "97161",
            "97162", "97163", "97164", "98940", "98941", "98942",
        ] {
            assert!(pack.code(code).is_some(), "missing code {code}");
        }
        let manual = pack.code("97140").unwrap();
        for kind in ["necessity", "technique", "response"] {
            assert!(
                manual.requires.iter().any(|k| k == kind),
                "97140 must require {kind}"
            );
        }
    }
}
