//! Accuracy on templates others wrote: `tests/realworld/*.note` are real templates translated
//! faithfully from public sources (`tests/realworld/SOURCES.md`), and `tests/realworld/labels.toml`
//! says, for each, which findings a payer reviewer expects (written before running the linter),
//! which must not appear, and which are arguable. This test runs `noteplate check` on the folder as
//! a user would and scores the error and warning findings against the labels:
//!
//! - right: a finding the labels expect; false: a finding they do not expect (and do not call
//!   arguable); missed: an expected finding that did not appear. Counted per rule and file, so an
//!   expectation with `count = 2` needs two findings.
//! - precision = right / (right + false), recall = right / (right + missed).
//!
//! It fails below the goals of issue 10 (precision 0.95, recall 0.85) and prints every false and
//! missed finding. A second test rewrites the whole folder in other layouts a translator could have
//! chosen for the same forms (headings as `Title:` lines, in capitals, numbered, flat; choices as
//! check boxes, as boxes after their options or as plain text; blanks as underscores; fields
//! untyped, as blanks or named in capitals; labels without a colon; lines as list items; every
//! heading at the first level), scores each against the same labels and fails when one
//! gets more false or missed findings than it had when its limit was set. `NOTEPLATE_REALWORLD_BIN` scores another binary (an older build, for the
//! figures before a change) instead of the one under test. See docs/accuracy.md.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::{Command, Stdio};

use serde::Deserialize;

const PRECISION_GOAL: f64 = 0.95;
const RECALL_GOAL: f64 = 0.85;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Labels {
    template: Vec<Template>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Template {
    file: String,
    note: String,
    /// Which batch of sources the template came from (`d`, `d, held out`); the earlier parts
    /// have none. The score is printed per part as well as overall.
    #[serde(default)]
    part: Option<String>,
    #[serde(default)]
    expect: Vec<Label>,
    #[serde(default)]
    reject: Vec<Label>,
    #[serde(default)]
    arguable: Vec<Label>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Label {
    rule: String,
    why: String,
    #[serde(default)]
    count: Option<usize>,
}

fn folder() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/realworld"))
}

fn labels() -> Labels {
    let text = std::fs::read_to_string(folder().join("labels.toml")).expect("labels.toml");
    toml::from_str(&text).unwrap_or_else(|error| panic!("labels.toml: {error}"))
}

/// (file name, rule) of every error and warning finding of `check --format json` on the folder.
fn findings() -> Vec<(String, String)> {
    findings_in(folder())
}

/// [`findings`] of `check --format json` on any folder of templates.
fn findings_in(dir: &Path) -> Vec<(String, String)> {
    let mut command = match std::env::var_os("NOTEPLATE_REALWORLD_BIN") {
        Some(binary) => Command::new(binary),
        None => support::noteplate(),
    };
    let output = command
        .current_dir(dir)
        .args(["check", "--isolated", "--format", "json", "."])
        .stdin(Stdio::null())
        .output()
        .expect("the binary runs");
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(|d| matches!(d["severity"].as_str(), Some("error" | "warning")))
        .map(|d| {
            let path = d["path"].as_str().unwrap_or_default();
            let name = Path::new(path)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            (name, d["rule"].as_str().unwrap_or_default().to_string())
        })
        .collect()
}

#[derive(Default)]
struct Score {
    right: usize,
    false_findings: Vec<String>,
    missed: Vec<String>,
    arguable: usize,
}

fn score(labels: &Labels, findings: &[(String, String)]) -> Score {
    score_part(labels, findings, |_| true)
}

fn score_part(
    labels: &Labels,
    findings: &[(String, String)],
    keep: impl Fn(&Template) -> bool,
) -> Score {
    let mut score = Score::default();
    for template in labels.template.iter().filter(|t| keep(t)) {
        let mut emitted: BTreeMap<&str, usize> = BTreeMap::new();
        for (file, rule) in findings {
            if *file == template.file {
                *emitted.entry(rule).or_default() += 1;
            }
        }
        let mut expected: BTreeMap<&str, (usize, &str)> = BTreeMap::new();
        for label in &template.expect {
            let entry = expected.entry(&label.rule).or_insert((0, &label.why));
            entry.0 += label.count.unwrap_or(1);
        }
        let arguable: BTreeSet<&str> = template.arguable.iter().map(|l| l.rule.as_str()).collect();
        let rules: BTreeSet<&str> = emitted.keys().chain(expected.keys()).copied().collect();
        for rule in rules {
            let fired = emitted.get(rule).copied().unwrap_or(0);
            if arguable.contains(rule) && !expected.contains_key(rule) {
                score.arguable += fired;
                continue;
            }
            let (wanted, why) = expected.get(rule).copied().unwrap_or((0, ""));
            let right = fired.min(wanted);
            score.right += right;
            for _ in right..fired {
                let because = template
                    .reject
                    .iter()
                    .find(|label| label.rule == rule)
                    .map_or(String::new(), |label| format!(" (labels: {})", label.why));
                score
                    .false_findings
                    .push(format!("{}: {rule}{because}", template.file));
            }
            for _ in right..wanted {
                score
                    .missed
                    .push(format!("{}: {rule} ({why})", template.file));
            }
        }
    }
    score
}

#[test]
fn every_template_has_labels_and_every_label_names_a_rule() {
    let labels = labels();
    let labelled: BTreeSet<&str> = labels.template.iter().map(|t| t.file.as_str()).collect();
    let on_disk: BTreeSet<String> = std::fs::read_dir(folder())
        .expect("tests/realworld")
        .filter_map(|entry| entry.ok())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".note"))
        .collect();
    for name in &on_disk {
        assert!(labelled.contains(name.as_str()), "{name} has no labels");
    }
    for name in &labelled {
        assert!(
            on_disk.contains(*name),
            "labels name {name}, which is not in the folder"
        );
    }
    for template in &labels.template {
        assert!(
            !template.note.is_empty(),
            "{}: say what it is",
            template.file
        );
        let all = template
            .expect
            .iter()
            .chain(&template.reject)
            .chain(&template.arguable);
        for label in all {
            assert!(
                label.rule.parse::<noteplate::rulepack::RuleId>().is_ok(),
                "{}: `{}` is not a rule",
                template.file,
                label.rule
            );
            assert!(!label.why.is_empty(), "{}: say why", template.file);
        }
    }
    let sources = std::fs::read_to_string(folder().join("SOURCES.md")).expect("SOURCES.md");
    for name in &on_disk {
        assert!(
            sources.contains(name.as_str()),
            "{name} is not in SOURCES.md"
        );
    }
}

#[test]
fn precision_and_recall_on_real_templates_meet_the_goal() {
    let labels = labels();
    let found = findings();
    let score = score(&labels, &found);
    let precision = score.right as f64 / (score.right + score.false_findings.len()).max(1) as f64;
    let recall = score.right as f64 / (score.right + score.missed.len()).max(1) as f64;
    println!(
        "{} templates: {} right, {} false, {} missed, {} arguable (not scored)",
        labels.template.len(),
        score.right,
        score.false_findings.len(),
        score.missed.len(),
        score.arguable
    );
    println!(
        "precision {precision:.3} (goal {PRECISION_GOAL}), recall {recall:.3} (goal {RECALL_GOAL})"
    );
    let parts: BTreeSet<Option<&str>> = labels.template.iter().map(|t| t.part.as_deref()).collect();
    for part in parts {
        let of_part = score_part(&labels, &found, |t| t.part.as_deref() == part);
        let count = labels
            .template
            .iter()
            .filter(|t| t.part.as_deref() == part)
            .count();
        println!(
            "  part {}: {count} templates, {} right, {} false, {} missed",
            part.unwrap_or("a-c"),
            of_part.right,
            of_part.false_findings.len(),
            of_part.missed.len()
        );
    }
    for line in &score.false_findings {
        println!("false:  {line}");
    }
    for line in &score.missed {
        println!("missed: {line}");
    }
    assert!(
        precision >= PRECISION_GOAL && recall >= RECALL_GOAL,
        "precision {precision:.3} / recall {recall:.3} below the goal {PRECISION_GOAL} / {RECALL_GOAL}; the list above says where"
    );
}

#[test]
fn scoring_counts_right_false_missed_and_arguable() {
    let labels: Labels = toml::from_str(
        r#"
        [[template]]
        file = "a.note"
        note = "x"
        expect = [{ rule = "missing-response", why = "none" }, { rule = "missing-date", why = "none", count = 2 }]
        arguable = [{ rule = "missing-time", why = "maybe" }]
        "#,
    )
    .unwrap();
    let found = |rules: &[&str]| -> Vec<(String, String)> {
        rules
            .iter()
            .map(|rule| ("a.note".to_string(), rule.to_string()))
            .collect()
    };
    let score = score(
        &labels,
        &found(&[
            "missing-response",
            "missing-date",
            "missing-time",
            "missing-plan",
        ]),
    );
    assert_eq!(score.right, 2);
    assert_eq!(score.false_findings, ["a.note: missing-plan"]);
    assert_eq!(score.missed, ["a.note: missing-date (none)"]);
    assert_eq!(score.arguable, 1);
}

/// Another way a translator could have written the same forms. The findings a reviewer expects do
/// not depend on the layout, so each rewrite of the whole folder is scored against the same labels.
struct Layout {
    name: &'static str,
    rewrite: fn(&str) -> String,
    /// How many more false and missed findings the rewritten folder may have than the folder as
    /// written: the counts when the limit was last set. A change that reads a layout worse fails
    /// here; so does a new template the layout reads worse (look at why before raising it).
    added_false: usize,
    added_missed: usize,
}

const LAYOUTS: &[Layout] = &[
    Layout {
        name: "headings as title lines (`History:`)",
        rewrite: |text| rewrite_headings(text, |_, title| title_line(title)),
        // Part q: a home-health OT visit record, its headings as title lines, shows history, findings and
        // goals and so is typed an evaluation whose plan lacks a frequency (its checklist plan has none).
        // 4 -> 3 (layouts2): its "Progress Towards Goals:" title line no longer shows goals by its
        // wording, as the heading never did. Left: ohiomedicaid's regulation sentences (2) and
        // nyeip's two-sentence prompt, prose as lines.
        added_false: 3,
        added_missed: 0,
    },
    Layout {
        name: "headings in capitals",
        rewrite: |text| {
            rewrite_headings(text, |level, title| {
                format!("{} {}", "#".repeat(level), title.to_uppercase())
            })
        },
        added_false: 0,
        added_missed: 0,
    },
    Layout {
        name: "headings numbered (`## 3. History`)",
        rewrite: |text| {
            let mut number = 0;
            rewrite_headings(text, |level, title| {
                number += 1;
                format!("{} {number}. {title}", "#".repeat(level))
            })
        },
        added_false: 0,
        added_missed: 0,
    },
    Layout {
        name: "headings with a colon (`## History:`)",
        rewrite: |text| {
            rewrite_headings(text, |level, title| {
                format!("{} {}", "#".repeat(level), title_line(title))
            })
        },
        added_false: 0,
        added_missed: 0,
    },
    Layout {
        name: "every heading at the second level",
        rewrite: |text| rewrite_headings(text, |_, title| format!("## {title}")),
        // Part q: the same OT visit's "ADL Training" holds only subsections; flattened, it is empty.
        // Part r: so does the OCF-18 plan's "Clinical Assessment" (its "Subjective:" and
        // "Objective:" groups). 5 -> 0 (layouts2): an empty heading is no empty section when the
        // note records its kind elsewhere, or when the headings after it are written as labels.
        added_false: 0,
        added_missed: 0,
    },
    Layout {
        name: "choices as check boxes (`[ ] a [ ] b` for `{a|b}`)",
        rewrite: |text| rewrite_content(text, check_boxes),
        added_false: 0,
        added_missed: 0,
    },
    Layout {
        name: "fields without types (`{{pain}}` for `{{pain:number}}`)",
        rewrite: |text| {
            rewrite_content(text, |line| {
                rewrite_fields(line, |name| {
                    name.split(':').next().unwrap_or(name).trim().to_string()
                })
            })
        },
        // Part q: a visit record's "Start Time: {{startTime:date}}" is its date of service only while
        // typed `date`; an untyped field must say "date" (notes.toml `date_of_service`).
        added_false: 1,
        added_missed: 0,
    },
    Layout {
        name: "fields as blanks (`***` for `{{pain:number}}`)",
        rewrite: |text| rewrite_content(text, |line| rewrite_fields(line, |_| "***".to_string())),
        // Part q: the same start time as a blank, and an OT template whose plan's frequency is only in
        // its placeholder's name (`PLAN: [Frequency and duration]`).
        // 8 -> 7 (part x): the count it has had since part u (a table row's later label signs part
        // e's visit row); the limit was not lowered then.
        added_false: 7,
        added_missed: 0,
    },
    Layout {
        name: "labels without a colon (`Pain {{p}}` for `Pain: {{p}}`)",
        rewrite: |text| {
            rewrite_content(text, |line| {
                line.replace(": {", " {").replace(": ***", " ***")
            })
        },
        // Part t: a prompt too long to be a label says the clinician's signature only with its
        // colon before the input (the state rule's "(2) ... signed by the SLP ...: ***"), as a
        // later label needs its colon; without it the sentence is prose.
        // 1 -> 4 (part x): the same holds for the kinds a sentence-long prompt's phrases name (the
        // state rule's history, findings and assessment items, read as written since part x): only
        // a prompt that ends with a colon or semicolon before its input asks for what it names
        // (without it, "h. Prior interventions, treatments, medications ***" would show today's
        // treatment). The layout reads as it did before part x; the corpus as written reads better.
        added_false: 4,
        added_missed: 0,
    },
    Layout {
        name: "content lines as list items (`- Pain: {{p}}`)",
        rewrite: |text| {
            rewrite_content(text, |line| {
                let is_heading = line.starts_with('#') || line.trim().is_empty();
                if is_heading || line.starts_with("- ") {
                    line.to_string()
                } else {
                    format!("- {line}")
                }
            })
        },
        // 1 -> 0 missed (layouts2): a comment written after a list item's dash ("- <!-- completed
        // sessions vs total planned -->") was read as the plan's words, a duration.
        added_false: 0,
        added_missed: 0,
    },
    Layout {
        name: "blanks as underscores (`________` for `***`)",
        rewrite: |text| rewrite_content(text, |line| line.replace("***", "________")),
        added_false: 0,
        added_missed: 0,
    },
    Layout {
        name: "choices as plain text (`Ice / Heat` for `{Ice|Heat}`)",
        rewrite: |text| {
            rewrite_content(text, |line| {
                rewrite_choices(line, |options| options.join(" / "))
            })
        },
        // 2 -> 1 (layouts2): omniscribe's "Type: Re-evaluation / Discharge \| Date:" is dated by
        // its own cell ("Date"), a column bar ending the options' words before it.
        added_false: 1,
        // 1 -> 2 when the corpus as written gained part p's physician-signature finding, which this
        // layout already had: its own count is the same.
        added_missed: 2,
    },
    Layout {
        name: "choices as boxes after their options (`Yes ☐ No ☐` for `{Yes|No}`)",
        rewrite: |text| {
            rewrite_content(text, |line| {
                rewrite_choices(line, |options| {
                    let boxes: Vec<String> = options.iter().map(|o| format!("{o} ☐")).collect();
                    boxes.join(" ")
                })
            })
        },
        // 1 -> 0 (layouts2): the same date, its cell after a column bar.
        added_false: 0,
        added_missed: 0,
    },
    Layout {
        name: "every heading at the first level (`# History`)",
        rewrite: |text| rewrite_headings(text, |_, title| format!("# {title}")),
        // 9 -> 10: part q's OT visit ("ADL Training" holds only subsections), as at the second level;
        // 10 -> 11: part r's OCF-18 ("Clinical Assessment" holds only subsections), the same.
        // 11 -> 3 (layouts2): the same two readings of an empty heading. Left: oren's "TREATMENT
        // PLAN" (its parts are interventions and kindless, the plan recorded nowhere else) and the
        // two WorkSafe Victoria plans, whose document title ("PHYSIOTHERAPY MANAGEMENT PLAN", a
        // plan) held the whole form and now holds nothing, the frequency in a sibling section.
        added_false: 3,
        added_missed: 0,
    },
    Layout {
        name: "field names in capitals (`{{PAIN_AFTER:number}}`)",
        rewrite: |text| {
            rewrite_content(text, |line| {
                rewrite_fields(line, |inside| match inside.split_once(':') {
                    Some((name, ty)) => format!("{}:{ty}", name.to_uppercase()),
                    None => inside.to_uppercase(),
                })
            })
        },
        added_false: 0,
        added_missed: 0,
    },
];

/// `title` as a line that is only a label: with one colon at the end.
fn title_line(title: &str) -> String {
    if title.ends_with(':') {
        title.to_string()
    } else {
        format!("{title}:")
    }
}

/// `line` with each choice (`{a|b}`, not a field `{{x}}` or an escaped `\{`) written out as check
/// boxes, as a form printed on paper has them: `[ ] a [ ] b`.
fn check_boxes(line: &str) -> String {
    rewrite_choices(line, |options| {
        let boxes: Vec<String> = options.iter().map(|o| format!("[ ] {o}")).collect();
        boxes.join(" ")
    })
}

/// `line` with each choice (`{a|b}`, not a field `{{x}}` or an escaped `\{`) replaced by
/// `write(options)`, its options trimmed.
fn rewrite_choices(line: &str, write: impl Fn(&[&str]) -> String) -> String {
    let mut out = String::with_capacity(line.len() + 16);
    let mut rest = line;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let plain = !rest[..open].ends_with(['\\', '{']) && !after.starts_with('{');
        let choice = after
            .find('}')
            .map(|close| &after[..close])
            .filter(|inside| plain && inside.contains('|') && !inside.contains('{'));
        match choice {
            Some(inside) => {
                out.push_str(&rest[..open]);
                let options: Vec<&str> = inside.split('|').map(str::trim).collect();
                out.push_str(&write(&options));
                rest = &after[inside.len() + 1..];
            }
            None => {
                out.push_str(&rest[..open + 1]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// `line` with each field (`{{name:type}}`) replaced by `edit(inside)`, where `inside` is the text
/// between the braces; a replacement that is not `***` keeps the braces.
fn rewrite_fields(line: &str, edit: impl Fn(&str) -> String) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(open) = rest.find("{{") {
        let Some(close) = rest[open..].find("}}") else {
            break;
        };
        let inside = &rest[open + 2..open + close];
        out.push_str(&rest[..open]);
        let new = edit(inside);
        if new == "***" {
            out.push_str(&new);
        } else {
            out.push_str(&format!("{{{{{new}}}}}"));
        }
        rest = &rest[open + close + 2..];
    }
    out.push_str(rest);
    out
}

/// `text` with every content line (not front matter, not inside a comment) passed through `edit`;
/// line endings are kept.
fn rewrite_content(text: &str, mut edit: impl FnMut(&str) -> String) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    let mut in_front_matter = text.starts_with("---");
    let mut in_comment = false;
    for (number, line) in text.split_inclusive('\n').enumerate() {
        let body = line.trim_end_matches(['\n', '\r']);
        let ending = &line[body.len()..];
        let skip = if in_front_matter {
            in_front_matter = number == 0 || body.trim_end() != "---";
            true
        } else if in_comment {
            in_comment = !body.contains("-->");
            true
        } else {
            if let Some(open) = body.rfind("<!--") {
                in_comment = !body[open..].contains("-->");
            }
            false
        };
        if skip {
            out.push_str(line);
        } else {
            out.push_str(&edit(body));
            out.push_str(ending);
        }
    }
    out
}

/// `text` with every heading below the first level (`##` to `######`, the document's title left
/// as it is) replaced by `edit(level, title)`. Headings with an attribute or a field stay.
fn rewrite_headings(text: &str, mut edit: impl FnMut(usize, &str) -> String) -> String {
    rewrite_content(text, |line| {
        let level = line.bytes().take_while(|&b| b == b'#').count();
        let title = line[level..].trim();
        let is_heading = (2..=6).contains(&level) && line[level..].starts_with(' ');
        if is_heading && !title.is_empty() && !title.contains('{') {
            edit(level, title)
        } else {
            line.to_string()
        }
    })
}

#[test]
fn the_score_holds_when_the_same_forms_are_written_in_another_layout() {
    let labels = labels();
    let as_written = score(&labels, &findings());
    println!(
        "as written: {} right, {} false, {} missed",
        as_written.right,
        as_written.false_findings.len(),
        as_written.missed.len()
    );
    let mut over = Vec::new();
    for layout in LAYOUTS {
        let dir = tempfile::tempdir().expect("a temporary folder");
        for entry in std::fs::read_dir(folder()).expect("tests/realworld") {
            let path = entry.expect("a folder entry").path();
            if path.extension().is_some_and(|e| e == "note") {
                let text = std::fs::read_to_string(&path).expect("a template");
                let name = path.file_name().expect("a file name");
                std::fs::write(dir.path().join(name), (layout.rewrite)(&text)).expect("write");
            }
        }
        let rewritten = score(&labels, &findings_in(dir.path()));
        println!(
            "{}: {} right, {} false, {} missed",
            layout.name,
            rewritten.right,
            rewritten.false_findings.len(),
            rewritten.missed.len()
        );
        for line in &rewritten.false_findings {
            if !as_written.false_findings.contains(line) {
                println!("  false: {line}");
            }
        }
        for line in &rewritten.missed {
            if !as_written.missed.contains(line) {
                println!("  missed: {line}");
            }
        }
        let added_false = rewritten
            .false_findings
            .len()
            .saturating_sub(as_written.false_findings.len());
        let added_missed = rewritten
            .missed
            .len()
            .saturating_sub(as_written.missed.len());
        if added_false > layout.added_false || added_missed > layout.added_missed {
            over.push(layout.name);
        }
    }
    assert!(
        over.is_empty(),
        "more false or missed findings than the corpus as written, beyond the limit, in: {over:?} (the lists above say which)"
    );
}

#[test]
fn layouts_rewrite_headings_and_blanks_but_not_front_matter_or_comments() {
    let text = "---\ncodes: 97140\n---\n# Daily note\n## History\r\n<!--\n## Kept\n-->\n### Plan {#plan}\nPain: ***\n";
    assert_eq!(
        rewrite_headings(text, |_, title| title_line(title)),
        "---\ncodes: 97140\n---\n# Daily note\nHistory:\r\n<!--\n## Kept\n-->\n### Plan {#plan}\nPain: ***\n"
    );
    assert_eq!(
        rewrite_content(text, |line| line.replace("***", "___")),
        text.replace("Pain: ***", "Pain: ___")
    );
    assert_eq!(
        rewrite_fields("Pain {{ pain : number }}/10 on {{d:date}} {x}", |inside| {
            inside
                .split(':')
                .next()
                .unwrap_or(inside)
                .trim()
                .to_string()
        }),
        "Pain {{pain}}/10 on {{d}} {x}"
    );
    assert_eq!(
        rewrite_fields("{{a}} and {{b", |_| "***".into()),
        "*** and {{b"
    );
    assert_eq!(
        check_boxes("Side {left|right} {{ region }} \\{a|b} {x}"),
        "Side [ ] left [ ] right {{ region }} \\{a|b} {x}"
    );
    assert_eq!(
        rewrite_choices("Side { left | right } {{ region }}", |options| options
            .join(" / ")),
        "Side left / right {{ region }}"
    );
}
