//! Code actions: which fixes and suppressions apply to a range of a document, given its
//! findings. The language server only converts the result to protocol actions.
//!
//! For a range: each overlapping finding's own fix (preferred when safe); for each rule with an
//! overlapping finding (but `unused-suppression`), "Disable RULE for this line" and "... for this
//! file", and "Explain rule `RULE`" (no edit: the client runs [`EXPLAIN_COMMAND`] with the rule id,
//! and the server shows the rule's documentation); and "Fix all safe noteplate findings" with
//! every safe fix that does not clash. Two
//! findings can share a fix (both ask for the Time section): an action is offered once per title.

use std::collections::HashSet;

use crate::analysis::{Diagnostic, Edit, safe_fix_edits, suppressions};
use crate::rulepack::RuleId;
use crate::syntax::{Parse, Span};

/// What an action does, in the client's terms of action kinds ([`ActionKind::id`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActionKind {
    /// A fix or a suppression for the findings in the range.
    QuickFix,
    /// Every safe fix of the document at once.
    FixAll,
}

impl ActionKind {
    /// The code action kind clients ask for (`only`) and receive.
    pub fn id(self) -> &'static str {
        match self {
            ActionKind::QuickFix => "quickfix",
            ActionKind::FixAll => FIX_ALL,
        }
    }
}

/// The kind of the "fix all" action (a `source.fixAll` kind, so editors run it on save when
/// configured to).
pub const FIX_ALL: &str = "source.fixAll.noteplate";

#[derive(Debug, Clone, PartialEq)]
pub struct Action {
    pub title: String,
    pub kind: ActionKind,
    /// The findings it resolves: indices into the diagnostics given to [`code_actions`].
    pub diagnostics: Vec<usize>,
    pub edits: Vec<Edit>,
    /// Safe to apply unreviewed (a safe fix); editors may apply it with one key.
    pub preferred: bool,
    /// Instead of edits: show this rule's documentation ([`EXPLAIN_COMMAND`]).
    pub explain: Option<RuleId>,
}

/// The command an "Explain rule" action runs, with the rule id as its one argument.
pub const EXPLAIN_COMMAND: &str = "noteplate.explainRule";

/// The actions for `range` of `text` (whose parse is `parse` and findings `diagnostics`), in
/// the order an editor lists them, limited to the kinds `only` names (each a kind id or a prefix
/// of one up to a `.`, as clients send them; `None` for every kind).
pub fn code_actions(
    text: &str,
    parse: &Parse,
    diagnostics: &[Diagnostic],
    range: Span,
    only: Option<&[&str]>,
) -> Vec<Action> {
    let wants = |kind: ActionKind| {
        only.is_none_or(|only| {
            only.iter().any(|asked| {
                kind.id() == *asked
                    || kind
                        .id()
                        .strip_prefix(asked)
                        .is_some_and(|rest| rest.starts_with('.'))
            })
        })
    };
    let overlapping = || {
        diagnostics
            .iter()
            .enumerate()
            .filter(move |(_, diagnostic)| {
                diagnostic.span.start <= range.end && range.start <= diagnostic.span.end
            })
    };
    let mut actions = Vec::new();
    if wants(ActionKind::QuickFix) {
        for (index, diagnostic) in overlapping() {
            let Some(fix) = &diagnostic.fix else { continue };
            actions.push(Action {
                title: fix.title.clone(),
                kind: ActionKind::QuickFix,
                diagnostics: vec![index],
                edits: fix.edits.clone(),
                preferred: fix.safe,
                explain: None,
            });
        }
        let mut offered = HashSet::new();
        for (index, diagnostic) in overlapping() {
            if diagnostic.rule == suppressions::UNUSED || !offered.insert(diagnostic.rule.as_str())
            {
                continue;
            }
            let line = suppressions::disable_next_line(
                text,
                parse,
                diagnostic.span.start,
                diagnostic.rule,
            );
            let file = suppressions::disable_file(text, parse, diagnostic.rule);
            for (title, edit) in [
                (format!("Disable {} for this line", diagnostic.rule), line),
                (
                    format!("Disable {} for this file", diagnostic.rule),
                    Some(file),
                ),
            ] {
                let Some(edit) = edit else { continue };
                actions.push(Action {
                    title,
                    kind: ActionKind::QuickFix,
                    diagnostics: vec![index],
                    edits: vec![edit],
                    preferred: false,
                    explain: None,
                });
            }
        }
        let mut explained = HashSet::new();
        for (index, diagnostic) in overlapping() {
            if explained.insert(diagnostic.rule) {
                actions.push(Action {
                    title: format!("Explain rule `{}`", diagnostic.rule),
                    kind: ActionKind::QuickFix,
                    diagnostics: vec![index],
                    edits: Vec::new(),
                    preferred: false,
                    explain: Some(diagnostic.rule),
                });
            }
        }
    }
    if wants(ActionKind::FixAll) {
        let edits = safe_fix_edits(diagnostics);
        if !edits.is_empty() {
            actions.push(Action {
                title: "Fix all safe noteplate findings".into(),
                kind: ActionKind::FixAll,
                diagnostics: Vec::new(),
                edits,
                preferred: false,
                explain: None,
            });
        }
    }
    let mut titles = HashSet::new();
    actions.retain(|action| titles.insert(action.title.clone()));
    actions
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{Settings, analyze_text};
    use crate::rulepack::RulePack;

    fn actions(text: &str, at: &str, only: Option<&[&str]>) -> Vec<Action> {
        let analysis = analyze_text(text, &RulePack::embedded(), &Settings::default());
        let start = text.find(at).expect("range");
        let range = Span::new(start, start + at.len());
        code_actions(text, &analysis.parse, &analysis.diagnostics, range, only)
    }

    fn titles(actions: &[Action]) -> Vec<&str> {
        actions.iter().map(|action| action.title.as_str()).collect()
    }

    const TEXT: &str = "---\ncodes: 97140\n---\n## Technique\n- myofacial release\n";

    #[test]
    fn fixes_and_suppressions_of_the_findings_in_the_range() {
        let found = actions(TEXT, "myofacial", None);
        let titles = titles(&found);
        assert!(
            titles.contains(&"Disable unknown-technique for this line"),
            "{titles:?}"
        );
        assert!(titles.contains(&"Disable unknown-technique for this file"));
        let explain = found
            .iter()
            .find(|action| action.title == "Explain rule `unknown-technique`")
            .expect("an Explain action");
        assert_eq!(explain.explain, Some(RuleId::UnknownTechnique));
        assert!(explain.edits.is_empty());
        assert!(
            titles.iter().any(|t| t.contains("myofascial release")),
            "{titles:?}"
        );
        // Nothing about the findings on the codes line: they are outside the range.
        assert!(
            !titles.iter().any(|t| t.contains("missing-response")),
            "{titles:?}"
        );
        // Fix all comes last and names no finding.
        let last = found.last().unwrap();
        assert_eq!(last.kind, ActionKind::FixAll);
        assert!(last.diagnostics.is_empty() && !last.edits.is_empty());
        // Every title once, though several findings ask for the same section.
        let on_codes = actions(TEXT, "97140", None);
        let mut seen = HashSet::new();
        assert!(
            on_codes
                .iter()
                .all(|action| seen.insert(action.title.clone()))
        );
    }

    #[test]
    fn only_the_kinds_asked_for() {
        let fix_all = actions(TEXT, "myofacial", Some(&["source.fixAll"]));
        assert_eq!(
            fix_all.iter().map(|a| a.kind).collect::<Vec<_>>(),
            [ActionKind::FixAll]
        );
        let quick = actions(TEXT, "myofacial", Some(&["quickfix"]));
        assert!(!quick.is_empty());
        assert!(quick.iter().all(|a| a.kind == ActionKind::QuickFix));
        // A prefix counts only up to a `.`: `source.fix` is not `source.fixAll`.
        assert!(actions(TEXT, "myofacial", Some(&["source.fix"])).is_empty());
        assert!(actions(TEXT, "myofacial", Some(&["source"])).len() == 1);
    }

    #[test]
    fn no_line_suppression_above_the_front_matter() {
        // Unclosed: a syntax error on the opening `---`, which a comment above would hide.
        let text = "---\ncodes: 97140\n## Technique\n";
        let found = actions(text, "---", None);
        let titles = titles(&found);
        assert!(
            titles.contains(&"Disable syntax-error for this file"),
            "{titles:?}"
        );
        assert!(
            !titles.iter().any(|t| t.ends_with("for this line")),
            "{titles:?}"
        );
    }
}
