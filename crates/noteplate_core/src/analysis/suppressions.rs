//! Inline suppressions in comments, and `unused-suppression` for those that suppress nothing:
//!
//! - `<!-- noteplate-disable-next-line RULE[, RULE] -->`: the line after the comment;
//! - `<!-- noteplate-disable RULE -->` ... `<!-- noteplate-enable RULE -->`: everything between
//!   (to the end of the file without an `enable`);
//! - `<!-- noteplate-disable-file RULE -->`: the whole file.
//!
//! Text after `--` is the reason, for humans. Rule ids are checked against [`RuleId`].

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use super::{Diagnostic, Edit, Fix, fuzzy};
use crate::line_index::LineIndex;
use crate::rulepack::{RuleId, RulePack};
use crate::syntax::{Comment, Parse, Span};
use crate::work::count as count_work;

pub const UNUSED: RuleId = RuleId::UnusedSuppression;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    NextLine,
    Disable,
    Enable,
    File,
}

#[derive(Debug)]
struct Directive {
    scope: Scope,
    comment: Span,
    /// (rule id, its span)
    rules: Vec<(String, Span)>,
}

const DIRECTIVES: &[(&str, Scope)] = &[
    ("noteplate-disable-next-line", Scope::NextLine),
    ("noteplate-disable-file", Scope::File),
    ("noteplate-disable", Scope::Disable),
    ("noteplate-enable", Scope::Enable),
];

/// Whether `word` is one of the directives a suppression comment starts with.
pub fn is_directive(word: &str) -> bool {
    DIRECTIVES.iter().any(|(name, _)| *name == word)
}

fn parse_directives(
    text: &str,
    parse: &Parse,
    out: &mut Vec<Diagnostic>,
    pack: &RulePack,
) -> Vec<Directive> {
    let mut directives = Vec::new();
    for comment in &parse.document.comments {
        let body = comment.body.text(text);
        let leading = body.len() - body.trim_start().len();
        let trimmed = body.trim_start();
        if !trimmed.starts_with("noteplate-") {
            continue;
        }
        let word_end = trimmed.find(char::is_whitespace).unwrap_or(trimmed.len());
        let word = &trimmed[..word_end];
        let Some(&(_, scope)) = DIRECTIVES.iter().find(|(name, _)| *name == word) else {
            let names = DIRECTIVES.iter().map(|(name, _)| *name);
            let suggestion = fuzzy::best(word, names)
                .map(|n| format!("; did you mean `{n}`?"))
                .unwrap_or_default();
            let start = comment.body.start + leading;
            out.push(unused(
                pack,
                Span::new(start, start + word.len()),
                format!("`{word}` is not a noteplate directive{suggestion}"),
            ));
            continue;
        };
        let rest_start = comment.body.start + leading + word_end;
        let rules = listed_rules(text, Span::new(rest_start, comment.body.end));
        if rules.is_empty() {
            out.push(unused(pack, comment.span, format!("`{word}` names no rule; write the rule ids after it, e.g. `{word} missing-time`")));
            continue;
        }
        directives.push(Directive {
            scope,
            comment: comment.span,
            rules,
        });
    }
    directives
}

/// The rule ids a directive lists in `rest` (its comment after the directive word): comma
/// separated, up to a `--` that starts the reason. Each id as written, with its span.
fn listed_rules(text: &str, rest: Span) -> Vec<(String, Span)> {
    let rules_text = rest.text(text).split("--").next().unwrap_or("");
    let mut rules = Vec::new();
    let mut offset = rest.start;
    for piece in rules_text.split(',') {
        let id = piece.trim();
        let start = offset + (piece.len() - piece.trim_start().len());
        offset += piece.len() + 1;
        if !id.is_empty() {
            rules.push((id.to_string(), Span::new(start, start + id.len())));
        }
    }
    rules
}

/// The rule ids `comment` lists when it is a suppression comment (`<!-- noteplate-disable a, b
/// -- reason -->`), each with its span; empty for any other comment.
pub fn rules_in_comment(text: &str, comment: &Comment) -> Vec<(String, Span)> {
    let body = comment.body.text(text);
    let leading = body.len() - body.trim_start().len();
    let trimmed = body.trim_start();
    let word_end = trimmed.find(char::is_whitespace).unwrap_or(trimmed.len());
    if !is_directive(&trimmed[..word_end]) {
        return Vec::new();
    }
    listed_rules(
        text,
        Span::new(comment.body.start + leading + word_end, comment.body.end),
    )
}

fn unused(pack: &RulePack, span: Span, message: String) -> Diagnostic {
    Diagnostic {
        rule: UNUSED,
        severity: pack.severity(UNUSED),
        message,
        span,
        fix: None,
        related: Vec::new(),
    }
}

/// Removes suppressed diagnostics and reports suppressions that suppress nothing.
///
/// Linear in findings plus directives (up to sorting and binary searches): directives are grouped
/// by rule id once, `disable` regions are closed by the first later `enable` of the same rule
/// (a binary search), merged per rule, and each finding is looked up rather than compared with
/// every directive. The result is the same as asking every directive about every finding.
pub fn apply(text: &str, parse: &Parse, pack: &RulePack, diagnostics: &mut Vec<Diagnostic>) {
    let mut reports = Vec::new();
    let directives = parse_directives(text, parse, &mut reports, pack);
    if directives.is_empty() {
        diagnostics.extend(reports);
        return;
    }
    let index = LineIndex::new(text);
    // used[d][r]: whether rule r of directive d suppressed something.
    let mut used: Vec<Vec<bool>> = directives
        .iter()
        .map(|d| vec![false; d.rules.len()])
        .collect();

    // What each rule id's directives say, gathered in one pass (directives come in text order).
    #[derive(Default)]
    struct PerRule {
        /// (directive, rule index) of every `disable-file`.
        file: Vec<(usize, usize)>,
        /// (line the comment ends on + 1, directive, rule index) of every `disable-next-line`.
        next_line: Vec<(usize, usize, usize)>,
        /// (comment start, comment end, directive, rule index) of every `disable`, in text order.
        disable: Vec<(usize, usize, usize, usize)>,
        /// Start of every `enable`, in text order.
        enable: Vec<usize>,
        /// Positions (and lines) of this rule's findings, sorted.
        findings: Vec<(usize, usize)>,
        /// Merged `disable` regions [start, end), sorted and disjoint.
        regions: Vec<(usize, usize)>,
    }
    let mut rules: HashMap<&str, PerRule> = HashMap::default();
    for (d, directive) in directives.iter().enumerate() {
        for (r, (rule, _)) in directive.rules.iter().enumerate() {
            count_work(1);
            let entry = rules.entry(rule.as_str()).or_default();
            match directive.scope {
                Scope::File => entry.file.push((d, r)),
                Scope::NextLine => {
                    entry
                        .next_line
                        .push((index.line_of(directive.comment.end) + 1, d, r))
                }
                Scope::Disable => {
                    entry
                        .disable
                        .push((directive.comment.start, directive.comment.end, d, r));
                }
                Scope::Enable => entry.enable.push(directive.comment.start),
            }
        }
    }
    for diagnostic in diagnostics.iter() {
        count_work(1);
        if let Some(entry) = rules.get_mut(diagnostic.rule.as_str()) {
            let start = diagnostic.span.start;
            entry.findings.push((start, index.line_of(start)));
        }
    }
    for entry in rules.values_mut() {
        count_work(entry.findings.len() + entry.disable.len() + entry.next_line.len() + 1);
        entry.findings.sort_unstable();
        // A `disable-file` applies to every finding of its rule.
        if !entry.findings.is_empty() {
            for &(d, r) in &entry.file {
                used[d][r] = true;
            }
        }
        // A `disable-next-line` is used when a finding of its rule starts on its line.
        if !entry.next_line.is_empty() {
            let lines: HashSet<usize> = entry.findings.iter().map(|&(_, line)| line).collect();
            for &(line, d, r) in &entry.next_line {
                if lines.contains(&line) {
                    used[d][r] = true;
                }
            }
            entry.next_line.sort_unstable();
        }
        // A `disable` runs from the end of its comment to the first later `enable` of its rule.
        let mut regions: Vec<(usize, usize)> = Vec::with_capacity(entry.disable.len());
        for &(comment_start, comment_end, d, r) in &entry.disable {
            let after = entry
                .enable
                .partition_point(|&enable| enable <= comment_start);
            let end = entry.enable.get(after).copied().unwrap_or(usize::MAX);
            let first = entry
                .findings
                .partition_point(|&(start, _)| start < comment_end);
            if entry
                .findings
                .get(first)
                .is_some_and(|&(start, _)| start < end)
            {
                used[d][r] = true;
            }
            regions.push((comment_end, end));
        }
        regions.sort_unstable();
        for (start, end) in regions {
            match entry.regions.last_mut() {
                Some(last) if start <= last.1 => last.1 = last.1.max(end),
                _ => entry.regions.push((start, end)),
            }
        }
    }

    diagnostics.retain(|diagnostic| {
        count_work(1);
        let Some(entry) = rules.get(diagnostic.rule.as_str()) else {
            return true;
        };
        if !entry.file.is_empty() {
            return false;
        }
        let start = diagnostic.span.start;
        if !entry.next_line.is_empty() {
            let line = index.line_of(start);
            let at = entry.next_line.partition_point(|&(l, _, _)| l < line);
            if entry.next_line.get(at).is_some_and(|&(l, _, _)| l == line) {
                return false;
            }
        }
        let at = entry
            .regions
            .partition_point(|&(region_start, _)| region_start <= start);
        !(at > 0 && start < entry.regions[at - 1].1)
    });

    for (d, directive) in directives.iter().enumerate() {
        for (r, (rule, span)) in directive.rules.iter().enumerate() {
            count_work(1);
            if rule.parse::<RuleId>().is_err() {
                let suggestion = fuzzy::best(rule, pack.rules.iter().map(|x| x.id.as_str()))
                    .map(|n| format!("; did you mean `{n}`?"))
                    .unwrap_or_default();
                reports.push(unused(
                    pack,
                    *span,
                    format!("unknown rule `{rule}` in a suppression{suggestion}"),
                ));
                continue;
            }
            if directive.scope == Scope::Enable {
                let opened = rules
                    .get(rule.as_str())
                    .and_then(|entry| entry.disable.first())
                    .is_some_and(|&(start, ..)| start < directive.comment.start);
                if !opened {
                    reports.push(unused(
                        pack,
                        *span,
                        format!("`{rule}` is enabled here but was never disabled above; remove it"),
                    ));
                }
                continue;
            }
            if !used[d][r] {
                let mut report = unused(
                    pack,
                    *span,
                    format!("this suppression of `{rule}` suppresses nothing; remove it"),
                );
                if directive.rules.len() == 1 {
                    report.fix = Some(remove_comment(text, directive.comment));
                }
                reports.push(report);
            }
        }
    }
    diagnostics.extend(reports);
}

/// Removes a comment, and its whole line when nothing else is on it.
fn remove_comment(text: &str, comment: Span) -> Fix {
    let line_start = crate::syntax::line_start(text, comment.start);
    let line_end = crate::syntax::line_end(text, comment.end);
    let alone = text[line_start..comment.start].trim().is_empty()
        && text[comment.end..line_end].trim().is_empty();
    let span = if alone {
        let mut end = line_end;
        if text[end..].starts_with("\r\n") {
            end += 2;
        } else if end < text.len() {
            end += 1;
        }
        Span::new(line_start, end)
    } else {
        comment
    };
    Fix {
        title: "Remove the unused suppression".into(),
        edits: vec![Edit {
            span,
            new_text: String::new(),
        }],
        safe: true,
    }
}

/// The edit that silences `rule` on the line holding `offset`: a `disable-next-line` comment on
/// its own line above, with the same indentation. `None` when the line opens the front matter
/// (a comment above `---` would end it being front matter). `parse` is the parse of `text`.
pub fn disable_next_line(text: &str, parse: &Parse, offset: usize, rule: RuleId) -> Option<Edit> {
    let offset = crate::line_index::floor_char_boundary(text, offset);
    let line_start = crate::syntax::line_start(text, offset);
    if parse
        .document
        .front_matter
        .as_ref()
        .is_some_and(|front_matter| front_matter.span.start == line_start)
    {
        return None;
    }
    let line = &text[line_start..];
    let indent: String = line
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect();
    let newline = crate::syntax::line_break(text);
    Some(Edit {
        span: Span::empty(line_start),
        new_text: format!("{indent}<!-- noteplate-disable-next-line {rule} -->{newline}"),
    })
}

/// The edit that silences `rule` in the whole file: a `disable-file` comment after the front
/// matter (or at the top).
pub fn disable_file(text: &str, parse: &Parse, rule: RuleId) -> Edit {
    let newline = crate::syntax::line_break(text);
    match &parse.document.front_matter {
        Some(front_matter) => Edit {
            span: Span::empty(front_matter.span.end),
            new_text: format!("{newline}<!-- noteplate-disable-file {rule} -->"),
        },
        None => Edit {
            span: Span::empty(0),
            new_text: format!("<!-- noteplate-disable-file {rule} -->{newline}"),
        },
    }
}
