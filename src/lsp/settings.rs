//! Client settings (section `noteplate`): from `initializationOptions`, then from
//! `workspace/configuration`, then on each `workspace/didChangeConfiguration`. Same keys as the
//! VS Code extension's settings.

use std::collections::HashMap;

use serde::Deserialize;

use crate::analysis::Settings;
use crate::rulepack::{RulePack, Severity};

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

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ClientSettings {
    pub payer: Option<String>,
    pub disabled_rules: Vec<String>,
    pub severity: HashMap<String, Severity>,
    /// Milliseconds to wait after a change before analysing; a burst of keystrokes is analysed once.
    pub debounce_ms: u64,
    pub diagnostic_mode: DiagnosticMode,
}

impl Default for ClientSettings {
    fn default() -> Self {
        ClientSettings {
            payer: None,
            disabled_rules: Vec::new(),
            severity: HashMap::new(),
            debounce_ms: 100,
            diagnostic_mode: DiagnosticMode::Auto,
        }
    }
}

impl ClientSettings {
    /// Reads settings from a JSON value (the `noteplate` object, or an object containing it).
    /// Returns the settings and the problems worth telling the user about.
    pub fn from_json(value: &serde_json::Value, pack: &RulePack) -> (ClientSettings, Vec<String>) {
        let value = value.get("noteplate").unwrap_or(value);
        if value.is_null() {
            return (ClientSettings::default(), Vec::new());
        }
        let mut problems = Vec::new();
        let settings = match ClientSettings::deserialize(value) {
            Ok(settings) => settings,
            Err(error) => {
                problems.push(format!(
                    "noteplate settings are invalid ({error}); using defaults. Expected payer (\"medicare\" | \"commercial\"), disabledRules (list of rule ids), severity (rule id -> \"error\" | \"warning\" | \"info\" | \"hint\"), debounceMs (number)."
                ));
                ClientSettings::default()
            }
        };
        for rule in settings
            .disabled_rules
            .iter()
            .chain(settings.severity.keys())
        {
            if pack.rule(rule).is_none() {
                problems.push(format!("noteplate settings name an unknown rule `{rule}`; run `noteplate rules` for the list"));
            }
        }
        (settings, problems)
    }

    pub fn analysis_settings(&self) -> Settings {
        Settings {
            default_payer: self.payer.clone(),
            disabled_rules: self.disabled_rules.iter().cloned().collect(),
            severity_overrides: self.severity.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_settings_and_reports_problems() {
        let pack = RulePack::embedded();
        let (settings, problems) = ClientSettings::from_json(
            &serde_json::json!({"noteplate": {"disabledRules": ["missing-response", "nope"], "debounceMs": 0, "severity": {"unknown-code": "error"}}}),
            &pack,
        );
        assert_eq!(settings.debounce_ms, 0);
        assert_eq!(
            settings.severity.get("unknown-code"),
            Some(&Severity::Error)
        );
        assert_eq!(problems.len(), 1);
        let (settings, problems) =
            ClientSettings::from_json(&serde_json::json!({"debounceMs": "soon"}), &pack);
        assert_eq!(settings, ClientSettings::default());
        assert_eq!(problems.len(), 1);
    }
}
