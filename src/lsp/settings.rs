//! Client settings (section `noteplate`): from `initializationOptions`, then from
//! `workspace/configuration`, then on each `workspace/didChangeConfiguration`. Same keys as the
//! VS Code extension's settings.

use std::collections::HashMap;

use serde::Deserialize;

use crate::analysis::Settings;
use crate::rulepack::{RuleId, RulePack, Severity};

/// How diagnostics reach the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum DiagnosticMode {
    /// Pull when the client supports `textDocument/diagnostic`, else push.
    #[default]
    Auto,
    Push,
    Pull,
}

/// Which files get diagnostics (`noteplate.workspaceDiagnostics`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
pub enum WorkspaceDiagnostics {
    /// Only the open documents.
    #[default]
    #[serde(rename = "openFiles")]
    OpenFiles,
    /// Every template of the workspace folders: `workspace/diagnostic` for clients that pull,
    /// `publishDiagnostics` for the files that are not open for clients that take pushes.
    #[serde(rename = "workspace")]
    Workspace,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ClientSettings {
    pub payer: Option<String>,
    pub disabled_rules: Vec<String>,
    pub severity: HashMap<String, Severity>,
    /// Milliseconds to wait after a change before analysing; a burst of keystrokes is analysed
    /// once. At most [`MAX_DEBOUNCE_MS`].
    pub debounce_ms: u64,
    pub diagnostic_mode: DiagnosticMode,
    pub workspace_diagnostics: WorkspaceDiagnostics,
}

impl Default for ClientSettings {
    fn default() -> Self {
        ClientSettings {
            payer: None,
            disabled_rules: Vec::new(),
            severity: HashMap::new(),
            debounce_ms: 100,
            diagnostic_mode: DiagnosticMode::Auto,
            workspace_diagnostics: WorkspaceDiagnostics::OpenFiles,
        }
    }
}

/// Longer debounce delays are cut to this: a client asking for hours (or `1e12`) would
/// otherwise never see a diagnostic pushed.
pub const MAX_DEBOUNCE_MS: u64 = 2000;

/// Keys of the VS Code extension's `noteplate.*` settings that are for the extension, not the
/// server; `workspace/configuration` hands them over with the rest.
const CLIENT_SIDE_KEYS: &[&str] = &["server", "trace"];

impl ClientSettings {
    /// Reads settings from a JSON value (the `noteplate` object, or an object containing it).
    /// Returns the settings and the problems worth telling the user about. Each key is read on
    /// its own: a key that does not parse keeps its default and is named in a problem, the other
    /// keys still apply.
    pub fn from_json(value: &serde_json::Value) -> (ClientSettings, Vec<String>) {
        let value = value.get("noteplate").unwrap_or(value);
        let mut settings = ClientSettings::default();
        let mut problems = Vec::new();
        if value.is_null() {
            return (settings, problems);
        }
        let Some(object) = value.as_object() else {
            problems.push(format!(
                "noteplate settings must be an object, not `{}`; using defaults",
                short(value)
            ));
            return (settings, problems);
        };
        fn read<T: serde::de::DeserializeOwned>(
            key: &str,
            value: &serde_json::Value,
            expected: &str,
            problems: &mut Vec<String>,
        ) -> Option<T> {
            match T::deserialize(value) {
                Ok(parsed) => Some(parsed),
                Err(error) => {
                    problems.push(format!(
                        "noteplate setting `{key}` is invalid: `{}` ({error}); expected {expected}; using the default",
                        short(value)
                    ));
                    None
                }
            }
        }
        for (key, value) in object {
            match key.as_str() {
                "payer" => {
                    if let Some(payer) = read::<Option<String>>(key, value, "\"medicare\", \"commercial\" or null", &mut problems) {
                        // Payer profiles come from the built-in pack only (a project's pack adds
                        // sections, codes and techniques, not payers), as `noteplate.toml`'s `payer`.
                        let pack = RulePack::embedded_shared();
                        match payer {
                            Some(name) if pack.payer(&name).is_none() => {
                                let names: Vec<&str> = pack.payers.iter().map(|p| p.name.as_str()).collect();
                                problems.push(format!(
                                    "noteplate setting `payer` names an unknown payer profile `{}`; use one of: {} (or null); using the default",
                                    short(value),
                                    names.join(", ")
                                ));
                            }
                            payer => settings.payer = payer.map(|name| name.to_ascii_lowercase()),
                        }
                    }
                }
                "disabledRules" => {
                    if let Some(rules) = read(key, value, "a list of rule ids", &mut problems) {
                        settings.disabled_rules = rules;
                    }
                }
                "severity" => {
                    if let Some(severity) = read(key, value, "an object of rule id -> \"error\" | \"warning\" | \"info\" | \"hint\"", &mut problems) {
                        settings.severity = severity;
                    }
                }
                "debounceMs" => {
                    let expected = format!("a whole number of milliseconds, at most {MAX_DEBOUNCE_MS}");
                    let parsed = match value.as_f64() {
                        // Too large for u64 is still "too long": clamp it like any other.
                        Some(ms) if ms > MAX_DEBOUNCE_MS as f64 => Some(u64::MAX),
                        _ => read::<u64>(key, value, &expected, &mut problems),
                    };
                    if let Some(ms) = parsed {
                        if ms > MAX_DEBOUNCE_MS {
                            problems.push(format!(
                                "noteplate setting `debounceMs` is {}, more than {MAX_DEBOUNCE_MS}; using {MAX_DEBOUNCE_MS}",
                                short(value)
                            ));
                        }
                        settings.debounce_ms = ms.min(MAX_DEBOUNCE_MS);
                    }
                }
                "diagnosticMode" => {
                    if let Some(mode) = read(key, value, "\"auto\", \"push\" or \"pull\"", &mut problems) {
                        settings.diagnostic_mode = mode;
                    }
                }
                "workspaceDiagnostics" => {
                    if let Some(scope) = read(key, value, "\"openFiles\" or \"workspace\"", &mut problems) {
                        settings.workspace_diagnostics = scope;
                    }
                }
                key if CLIENT_SIDE_KEYS.contains(&key) => {}
                key => problems.push(format!(
                    "noteplate settings have an unknown key `{key}`; known keys: payer, disabledRules, severity, debounceMs, diagnosticMode, workspaceDiagnostics"
                )),
            }
        }
        for rule in settings
            .disabled_rules
            .iter()
            .chain(settings.severity.keys())
        {
            if rule.parse::<RuleId>().is_err() {
                problems.push(format!("noteplate settings name an unknown rule `{rule}`; run `noteplate rules` for the list"));
            }
        }
        (settings, problems)
    }

    pub fn analysis_settings(&self) -> Settings {
        Settings {
            default_payer: self.payer.clone(),
            // Unknown ids were reported by `parse`; they name no finding, so they are dropped.
            disabled_rules: self
                .disabled_rules
                .iter()
                .filter_map(|rule| rule.parse().ok())
                .collect(),
            severity_overrides: self
                .severity
                .iter()
                .filter_map(|(rule, &severity)| Some((rule.parse().ok()?, severity)))
                .collect(),
        }
    }
}

/// Client settings for each workspace folder of a multi-root workspace, as the client answered
/// `workspace/configuration` with the folder's `scopeUri`.
#[derive(Debug, Default)]
pub struct FolderSettings {
    folders: Vec<(std::path::PathBuf, ClientSettings)>,
}

impl FolderSettings {
    pub fn new(folders: Vec<(std::path::PathBuf, ClientSettings)>) -> FolderSettings {
        FolderSettings { folders }
    }

    /// The analysis settings of the innermost folder holding `path`, if one does.
    pub fn for_path(&self, path: &std::path::Path) -> Option<Settings> {
        self.folders
            .iter()
            .filter(|(folder, _)| path.starts_with(folder))
            .max_by_key(|(folder, _)| folder.components().count())
            .map(|(_, settings)| settings.analysis_settings())
    }
}

/// The problems of a workspace folder's settings worth showing: those not already shown for the
/// global settings (a client answers each folder with the global settings merged in), each
/// naming the folder.
pub fn folder_problems(
    folder: &std::path::Path,
    problems: Vec<String>,
    global: &[String],
) -> Vec<String> {
    problems
        .into_iter()
        .filter(|problem| !global.contains(problem))
        .map(|problem| format!("{problem} (workspace folder {})", folder.display()))
        .collect()
}

/// A setting's value for a message, cut short.
fn short(value: &serde_json::Value) -> String {
    let text = value.to_string();
    match text.char_indices().nth(60) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_folder_gets_its_own_settings_and_problems_name_the_folder() {
        let (a, _) = ClientSettings::from_json(&serde_json::json!({"payer": "commercial"}));
        let (b, _) =
            ClientSettings::from_json(&serde_json::json!({"disabledRules": ["missing-response"]}));
        let folders = FolderSettings::new(vec![("/w/a".into(), a), ("/w/a/b".into(), b)]);
        let at = |path: &str| folders.for_path(std::path::Path::new(path));
        assert_eq!(
            at("/w/a/x.note").unwrap().default_payer.as_deref(),
            Some("commercial")
        );
        // The innermost folder wins.
        let inner = at("/w/a/b/x.note").unwrap();
        assert_eq!(inner.default_payer, None);
        assert!(inner.disabled_rules.contains(&RuleId::MissingResponse));
        assert!(at("/w/c/x.note").is_none());
        let shown = folder_problems(
            std::path::Path::new("/w/a"),
            vec!["global problem".into(), "own problem".into()],
            &["global problem".into()],
        );
        assert_eq!(shown, ["own problem (workspace folder /w/a)"]);
    }

    #[test]
    fn an_unknown_payer_is_reported_and_not_used() {
        let (settings, problems) =
            ClientSettings::from_json(&serde_json::json!({"noteplate": {"payer": "medicre"}}));
        assert_eq!(settings.payer, None);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            problems[0].contains("unknown payer profile `\"medicre\"`")
                && problems[0].contains("medicare, commercial"),
            "{problems:?}"
        );
        let (settings, problems) =
            ClientSettings::from_json(&serde_json::json!({"noteplate": {"payer": "Medicare"}}));
        assert_eq!(settings.payer.as_deref(), Some("medicare"));
        assert!(problems.is_empty(), "{problems:?}");
    }

    #[test]
    fn reads_settings_and_reports_problems() {
        let (settings, problems) = ClientSettings::from_json(
            &serde_json::json!({"noteplate": {"disabledRules": ["missing-response", "nope"], "debounceMs": 0, "severity": {"unknown-code": "error"}}}),
        );
        assert_eq!(settings.debounce_ms, 0);
        assert_eq!(
            settings.severity.get("unknown-code"),
            Some(&Severity::Error)
        );
        assert_eq!(problems.len(), 1);
        assert!(problems[0].contains("unknown rule `nope`"), "{problems:?}");
        // The analysis gets the known ids, typed; the unknown one was reported above.
        let analysis = settings.analysis_settings();
        assert_eq!(
            analysis.disabled_rules,
            [RuleId::MissingResponse].into_iter().collect()
        );
        assert_eq!(
            analysis.severity_overrides.get(&RuleId::UnknownCode),
            Some(&Severity::Error)
        );
        let (settings, problems) =
            ClientSettings::from_json(&serde_json::json!({"debounceMs": "soon"}));
        assert_eq!(settings, ClientSettings::default());
        assert_eq!(problems.len(), 1);
        assert!(problems[0].contains("`debounceMs`"), "{problems:?}");
        // One bad key does not throw away the others; huge delays are clamped.
        let (settings, problems) = ClientSettings::from_json(
            &serde_json::json!({"debounceMs": 1e300, "payer": 5, "disabledRules": ["missing-response"], "trace": {"server": "off"}}),
        );
        assert_eq!(settings.debounce_ms, MAX_DEBOUNCE_MS);
        assert_eq!(settings.disabled_rules, ["missing-response"]);
        assert_eq!(problems.len(), 2, "{problems:?}");
        let (settings, _) =
            ClientSettings::from_json(&serde_json::json!({"debounceMs": 100_000_000_000u64}));
        assert_eq!(settings.debounce_ms, MAX_DEBOUNCE_MS);
        let (settings, problems) =
            ClientSettings::from_json(&serde_json::json!({"workspaceDiagnostics": "workspace"}));
        assert_eq!(
            settings.workspace_diagnostics,
            WorkspaceDiagnostics::Workspace
        );
        assert!(problems.is_empty(), "{problems:?}");
        let (settings, problems) =
            ClientSettings::from_json(&serde_json::json!({"workspaceDiagnostics": "all"}));
        assert_eq!(
            settings.workspace_diagnostics,
            WorkspaceDiagnostics::OpenFiles
        );
        assert!(
            problems[0].contains("\"openFiles\" or \"workspace\""),
            "{problems:?}"
        );
    }
}
