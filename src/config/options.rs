//! The schema of `noteplate.toml`: what a project may set. Generated into
//! `docs/noteplate.schema.json` (checked by a test) so editors offer completion for it.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;
use toml::Spanned;

use crate::rulepack::{Code, Severity, Technique};

/// `noteplate.toml` (or `.noteplate.toml`): project configuration shared by `noteplate check`
/// and the language server. The file closest to a template wins; `extend` inherits another.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Options {
    /// Another configuration file this one builds on, relative to this file. Values set here
    /// replace inherited ones; `rules.disable` lists are combined; tables and lists of techniques
    /// and codes are merged item by item.
    #[schemars(with = "Option<String>")]
    pub extend: Option<Spanned<String>>,
    /// Payer profile for templates without `payer:`: `medicare` or `commercial`.
    #[schemars(with = "Option<String>")]
    pub payer: Option<Spanned<String>>,
    pub rules: Option<RuleOptions>,
    pub sections: Option<SectionOptions>,
    /// Extra techniques (same fields as the embedded lexicon); one with an existing name replaces it.
    #[serde(rename = "technique")]
    #[schemars(rename = "technique", with = "Option<Vec<Technique>>")]
    pub techniques: Option<Vec<Spanned<Technique>>>,
    /// Extra billing codes (same fields as the embedded pack); one with an existing code replaces it.
    #[serde(rename = "code")]
    #[schemars(rename = "code", with = "Option<Vec<Code>>")]
    pub codes: Option<Vec<Spanned<Code>>>,
    /// Folders (relative to this file) that `@include` may read from, besides the project root.
    #[schemars(with = "Option<Vec<String>>")]
    pub include_roots: Option<Spanned<Vec<Spanned<String>>>>,
    /// Files larger than this many bytes are reported (`file-too-large`) instead of analysed.
    /// Default: 10485760 (10 MiB); at least 1.
    #[schemars(with = "Option<u64>", range(min = 1))]
    pub max_file_size: Option<Spanned<u64>>,
}

#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RuleOptions {
    /// Rule ids to turn off, e.g. `["missing-time"]`.
    #[schemars(with = "Option<Vec<String>>")]
    pub disable: Option<Vec<Spanned<String>>>,
    /// Rule id to severity: `error`, `warning`, `info` or `hint`.
    #[schemars(with = "Option<BTreeMap<String, Severity>>")]
    pub severity: Option<BTreeMap<Spanned<String>, Spanned<Severity>>>,
}

#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct SectionOptions {
    /// Section kind to extra heading titles that mean it, e.g. `necessity = ["Why we treat"]`.
    #[schemars(with = "Option<BTreeMap<String, Vec<String>>>")]
    pub aliases: Option<BTreeMap<String, Spanned<Vec<String>>>>,
}

/// The JSON Schema of the configuration file, pretty-printed.
pub fn json_schema() -> String {
    let schema = schemars::schema_for!(Options);
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}
