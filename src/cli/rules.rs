//! `noteplate rules` and `noteplate explain RULE`.

use super::{EXIT_CLEAN, EXIT_TROUBLE};
use crate::analysis::fuzzy;
use crate::rulepack::RulePack;

pub fn list(markdown: bool) -> u8 {
    let pack = RulePack::embedded();
    if markdown {
        print!("{}", rules_markdown(&pack));
        return EXIT_CLEAN;
    }
    let width = pack
        .rules
        .iter()
        .map(|rule| rule.id.as_str().len())
        .max()
        .unwrap_or(0);
    for rule in &pack.rules {
        println!(
            "{:width$}  {:7}  {}",
            rule.id.as_str(),
            rule.severity.as_str(),
            rule.summary
        );
    }
    EXIT_CLEAN
}

pub fn explain(id: &str) -> u8 {
    let pack = RulePack::embedded();
    let Some(rule) = id.parse().ok().and_then(|id| pack.rule(id)) else {
        let suggestion = fuzzy::best(id, pack.rules.iter().map(|rule| rule.id.as_str()))
            .map(|best| format!(" Did you mean `{best}`?"))
            .unwrap_or_default();
        eprintln!("error: no rule `{id}`.{suggestion} Run `noteplate rules` to list them.");
        return EXIT_TROUBLE;
    };
    print!("{}", rule.documentation());
    EXIT_CLEAN
}

/// The whole of `docs/rules.md`, generated from the pack so the docs cannot drift from the rules.
pub fn rules_markdown(pack: &RulePack) -> String {
    let mut out = String::from(
        "# Rules\n\n<!-- Generated from rulepack/rules.toml by `noteplate rules --markdown`; a test keeps it current. -->\n\n\
         Every finding carries one of these rule ids. Change a rule's severity or turn it off in the project configuration.\n\n",
    );
    for rule in &pack.rules {
        out.push_str(&rule.documentation());
        out.push('\n');
    }
    out
}
