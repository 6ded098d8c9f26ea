//! [`RuleId`]: the id of every rule, typed. Rules create findings with a variant, never a string,
//! so a typo is a compile error; the unit tests below check the list against `rules.toml` both
//! ways (every variant has a `[[rule]]` entry, every entry a variant).
//!
//! Users write ids as strings (configuration, suppression comments, editor settings); those are
//! parsed with [`str::parse`], and an id that does not parse is reported to the user where it was
//! written.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

/// Declares the enum with its kebab-case id strings, in the order of `rules.toml`.
macro_rules! rule_ids {
    ($($variant:ident => $id:literal,)*) => {
        /// The id of a rule, as written in `rules.toml`, configuration and output (`missing-response`).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum RuleId {
            $($variant,)*
        }

        impl RuleId {
            /// Every rule id, in the order of `rules.toml`.
            pub const ALL: &'static [RuleId] = &[$(RuleId::$variant,)*];

            /// The id as users write it, e.g. `missing-response`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(RuleId::$variant => $id,)*
                }
            }
        }

        impl FromStr for RuleId {
            type Err = UnknownRule;

            /// Parses an id exactly as written (ids are lower case; `Missing-Time` is unknown).
            fn from_str(id: &str) -> Result<RuleId, UnknownRule> {
                match id {
                    $($id => Ok(RuleId::$variant),)*
                    _ => Err(UnknownRule(id.to_string())),
                }
            }
        }
    };
}

rule_ids! {
    SyntaxError => "syntax-error",
    InvalidUtf8 => "invalid-utf8",
    MissingNecessity => "missing-necessity",
    MissingTechnique => "missing-technique",
    MissingResponse => "missing-response",
    MissingIntervention => "missing-intervention",
    MissingFindings => "missing-findings",
    MissingHistory => "missing-history",
    MissingPlan => "missing-plan",
    MissingAssessment => "missing-assessment",
    MissingGoals => "missing-goals",
    MissingTime => "missing-time",
    EmptySection => "empty-section",
    UnknownTechnique => "unknown-technique",
    UnknownCode => "unknown-code",
    UnknownFrontMatterKey => "unknown-front-matter-key",
    UnknownPayer => "unknown-payer",
    UnknownNoteType => "unknown-note-type",
    UnknownSectionKind => "unknown-section-kind",
    DuplicateSection => "duplicate-section",
    EmptyChoiceOption => "empty-choice-option",
    SingleOptionChoice => "single-option-choice",
    UnknownFieldType => "unknown-field-type",
    ConflictingFieldType => "conflicting-field-type",
    DuplicateCode => "duplicate-code",
    MissingMinutes => "missing-minutes",
    MissingTotalMinutes => "missing-total-minutes",
    MissingDate => "missing-date",
    MissingSignature => "missing-signature",
    MissingRegion => "missing-region",
    VagueTechnique => "vague-technique",
    BilledElsewhere => "billed-elsewhere",
    TechniqueNeeds => "technique-needs",
    MissingModifier => "missing-modifier",
    MissingTherapyModifier => "missing-therapy-modifier",
    UnusedSuppression => "unused-suppression",
    IncludeNotFound => "include-not-found",
    IncludeOutsideRoot => "include-outside-root",
    IncludeCycle => "include-cycle",
    IncludeBudget => "include-budget",
    IncludeFindings => "include-findings",
    FileTooLarge => "file-too-large",
    UncertainHeading => "uncertain-heading",
    CannedResponse => "canned-response",
    PlanWithoutFrequency => "plan-without-frequency",
    SignatureWithoutCredentials => "signature-without-credentials",
    Routine59 => "routine-59",
    UnitsWithoutMinutes => "units-without-minutes",
}

impl RuleId {
    /// `missing-<kind>`: the rule that reports a missing section of `kind`, if there is one.
    /// Kinds no rule reports missing (`subjective`, `objective`) cannot be required.
    pub fn missing_section(kind: &str) -> Option<RuleId> {
        // The id `missing-<kind>`, found with no id written out (asked per needed kind per
        // template).
        RuleId::ALL
            .iter()
            .copied()
            .find(|id| id.as_str().strip_prefix("missing-") == Some(kind))
    }
}

/// An id that names no rule; displays as "unknown rule `id`".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownRule(pub String);

impl fmt::Display for UnknownRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown rule `{}`", self.0)
    }
}

impl std::error::Error for UnknownRule {}

impl fmt::Display for RuleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Ids order as their strings do, so findings sorted by rule come out as they always have.
impl Ord for RuleId {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl PartialOrd for RuleId {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl serde::Serialize for RuleId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for RuleId {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<RuleId, D::Error> {
        let id = <Cow<'de, str>>::deserialize(deserializer)?;
        id.parse().map_err(|error: UnknownRule| {
            serde::de::Error::custom(format!(
                "{error}; run `noteplate rules` to list the rule ids"
            ))
        })
    }
}

impl schemars::JsonSchema for RuleId {
    fn schema_name() -> Cow<'static, str> {
        "RuleId".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let ids: Vec<&str> = RuleId::ALL.iter().map(|id| id.as_str()).collect();
        schemars::json_schema!({
            "description": "A rule id, as `noteplate rules` lists them.",
            "type": "string",
            "enum": ids,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rulepack::RulePack;

    /// The `id`s of `rules.toml`, read as plain strings (not through `RuleId`), so an entry
    /// without a variant fails here with its name rather than as a parse error of the pack.
    fn ids_in_rules_toml() -> Vec<String> {
        #[derive(serde::Deserialize)]
        struct Entry {
            id: String,
        }
        #[derive(serde::Deserialize)]
        struct File {
            rule: Vec<Entry>,
        }
        let file: File = toml::from_str(super::super::RULES_TOML).expect("rules.toml parses");
        file.rule.into_iter().map(|entry| entry.id).collect()
    }

    #[test]
    fn every_rules_toml_entry_has_a_variant() {
        let unknown: Vec<String> = ids_in_rules_toml()
            .into_iter()
            .filter(|id| id.parse::<RuleId>().is_err())
            .collect();
        assert!(
            unknown.is_empty(),
            "rules.toml has ids without a RuleId variant: {unknown:?}"
        );
    }

    #[test]
    fn every_variant_has_a_rules_toml_entry() {
        let ids = ids_in_rules_toml();
        let missing: Vec<&str> = RuleId::ALL
            .iter()
            .map(|id| id.as_str())
            .filter(|id| !ids.iter().any(|entry| entry == id))
            .collect();
        assert!(
            missing.is_empty(),
            "RuleId variants without a rules.toml entry: {missing:?}"
        );
        // And the pack, which reads the same file, finds each of them.
        let pack = RulePack::embedded();
        for &id in RuleId::ALL {
            assert_eq!(pack.rule(id).map(|info| info.id), Some(id));
        }
        assert_eq!(pack.rules.len(), RuleId::ALL.len());
    }

    #[test]
    fn ids_round_trip_and_are_distinct() {
        let mut seen = std::collections::HashSet::new();
        for &id in RuleId::ALL {
            assert!(seen.insert(id.as_str()), "{id} twice");
            assert_eq!(id.as_str().parse::<RuleId>(), Ok(id));
            assert_eq!(id.to_string(), id.as_str());
        }
        assert_eq!(
            "Missing-Time".parse::<RuleId>(),
            Err(UnknownRule("Missing-Time".into()))
        );
        assert!("".parse::<RuleId>().is_err());
    }

    #[test]
    fn order_is_the_order_of_the_strings() {
        let mut ids = RuleId::ALL.to_vec();
        ids.sort();
        let mut strings: Vec<&str> = RuleId::ALL.iter().map(|id| id.as_str()).collect();
        strings.sort();
        assert_eq!(
            ids.iter().map(|id| id.as_str()).collect::<Vec<_>>(),
            strings
        );
    }

    /// Every section kind a code or note type of the embedded pack needs has its
    /// `missing-<kind>` rule, so `required_sections.rs` can report it.
    #[test]
    fn every_needed_kind_has_a_missing_rule() {
        let pack = RulePack::embedded();
        let needed = pack
            .codes
            .iter()
            .flat_map(|code| code.requires.iter().chain(&code.recommends))
            .chain(
                pack.note_types
                    .iter()
                    .flat_map(|note_type| note_type.requires.iter().chain(&note_type.recommends)),
            );
        for kind in needed {
            assert!(
                RuleId::missing_section(kind).is_some(),
                "kind `{kind}` is needed but has no missing-{kind} rule"
            );
        }
        assert_eq!(
            RuleId::missing_section("response"),
            Some(RuleId::MissingResponse)
        );
        assert_eq!(RuleId::missing_section("subjective"), None);
    }

    #[test]
    fn deserialising_an_unknown_id_says_so() {
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct Need {
            rule: RuleId,
        }
        let ok: Need = toml::from_str("rule = \"technique-needs\"").unwrap();
        assert_eq!(ok.rule, RuleId::TechniqueNeeds);
        let error = toml::from_str::<Need>("rule = \"techniqe-needs\"").unwrap_err();
        assert!(
            error
                .to_string()
                .contains("unknown rule `techniqe-needs`; run `noteplate rules`"),
            "{error}"
        );
    }
}
