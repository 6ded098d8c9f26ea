//! `ide::format` on real templates: snapshots of the formatted examples and a sample of the
//! real-world corpus, and the invariant as properties: on corpus templates, random edits of them
//! and random templates, formatting is idempotent and changes neither the parse's meaning
//! (sections, fields, choices, wildcards, escapes, includes, comments, text modulo the layout's
//! white space, syntax errors) nor the findings (rule ids and messages).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use noteplate::analysis::{Settings, analyze_text};
use noteplate::ide::format::{format, format_edit};
use noteplate::rulepack::RulePack;
use noteplate::syntax::{self, Inline};
use proptest::prelude::*;

fn note_files(folder: &str) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(folder);
    let mut paths: Vec<_> = std::fs::read_dir(root)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "note"))
        .collect();
    paths.sort();
    paths
}

/// The example and real-world templates that are UTF-8.
fn templates() -> &'static [String] {
    static TEMPLATES: OnceLock<Vec<String>> = OnceLock::new();
    TEMPLATES.get_or_init(|| {
        let texts: Vec<String> = ["examples", "tests/realworld"]
            .iter()
            .flat_map(|folder| note_files(folder))
            .filter_map(|path| std::fs::read_to_string(path).ok())
            .collect();
        assert!(texts.len() > 20);
        texts
    })
}

fn pack() -> &'static RulePack {
    static PACK: OnceLock<RulePack> = OnceLock::new();
    PACK.get_or_init(RulePack::embedded)
}

/// What a template means, as far as formatting may not change it.
#[derive(Debug, PartialEq)]
struct Meaning {
    /// Per key (lower case), its values in order; `codes` as parsed codes.
    front_matter: Option<BTreeMap<String, Vec<String>>>,
    /// Level, title and attribute of each heading, in order.
    sections: Vec<(u8, String, Option<String>)>,
    /// Each content line (with the section it is in): its items, text without the white space
    /// at its end, fields as name and type, choices as options without padding.
    lines: Vec<(Option<usize>, Vec<String>)>,
    includes: Vec<String>,
    comments: Vec<String>,
    errors: Vec<String>,
}

fn meaning(text: &str) -> Meaning {
    let parse = syntax::parse(text);
    let document = &parse.document;
    let front_matter = document.front_matter.as_ref().map(|block| {
        let mut map: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for entry in &block.entries {
            let key = entry.key.text(text).to_ascii_lowercase();
            let value = if key == "codes" {
                entry
                    .codes
                    .iter()
                    .map(|code| code.span.text(text).to_ascii_uppercase())
                    .collect::<Vec<_>>()
                    .join(",")
            } else {
                entry.value.text(text).to_string()
            };
            map.entry(key).or_default().push(value);
        }
        map
    });
    let sections = document
        .sections
        .iter()
        .map(|section| {
            let heading = &section.heading;
            (
                heading.level,
                heading.title.text(text).to_string(),
                heading
                    .attribute
                    .as_ref()
                    .map(|attribute| attribute.span.text(text).to_string()),
            )
        })
        .collect();
    let mut lines = Vec::new();
    let mut push = |section: Option<usize>, line: &syntax::Line| {
        let mut items: Vec<String> = line
            .items
            .iter()
            .map(|item| match item {
                Inline::Text(span) => format!("text {}", span.text(text)),
                Inline::Escape(span) => format!("escape {}", span.text(text)),
                Inline::Wildcard(span) => format!("wildcard {}", span.text(text)),
                Inline::Field(field) => format!(
                    "field {} {:?}",
                    field.name.text(text),
                    field.ty.map(|ty| ty.text(text))
                ),
                Inline::Choice(choice) => format!(
                    "choice {:?}",
                    choice
                        .options
                        .iter()
                        .map(|option| {
                            let option = option.text(text);
                            let trimmed = option.trim_matches([' ', '\t']);
                            if trimmed.is_empty() { "" } else { trimmed }
                        })
                        .collect::<Vec<_>>()
                ),
            })
            .collect();
        // The white space at the end of a line goes.
        if let Some(last) = items.last_mut()
            && last.starts_with("text ")
        {
            let kept = last.trim_end_matches([' ', '\t']).len();
            last.truncate(kept);
            if last == "text" {
                items.pop();
            }
        }
        lines.push((section, items));
    };
    for line in &document.preamble {
        push(None, line);
    }
    for (index, section) in document.sections.iter().enumerate() {
        for line in &section.lines {
            push(Some(index), line);
        }
    }
    Meaning {
        front_matter,
        sections,
        lines,
        includes: document
            .includes
            .iter()
            .map(|include| include.path.text(text).to_string())
            .collect(),
        comments: document
            .comments
            .iter()
            .map(|comment| comment.span.text(text).to_string())
            .collect(),
        errors: parse
            .errors
            .iter()
            .map(|error| error.message.clone())
            .collect(),
    }
}

/// Rule ids and messages, sorted (positions move when lines do).
fn findings(text: &str) -> Vec<(String, String)> {
    let mut findings: Vec<_> = analyze_text(text, pack(), &Settings::default())
        .diagnostics
        .into_iter()
        .map(|diagnostic| (diagnostic.rule.to_string(), diagnostic.message))
        .collect();
    findings.sort();
    findings
}

/// The invariant, for one text.
fn check_invariant(text: &str) -> Result<(), TestCaseError> {
    let formatted = format(text, &syntax::parse(text));
    let again = format(&formatted, &syntax::parse(&formatted));
    prop_assert_eq!(&again, &formatted, "not idempotent on {:?}", text);
    prop_assert_eq!(
        meaning(&formatted),
        meaning(text),
        "meaning changed: {:?}",
        text
    );
    prop_assert_eq!(
        findings(&formatted),
        findings(text),
        "findings changed: {:?}",
        text
    );
    // The editor's single edit gives the same text.
    let edited = match format_edit(text, &syntax::parse(text)) {
        Some((span, new_text)) => {
            format!("{}{new_text}{}", &text[..span.start], &text[span.end..])
        }
        None => text.to_string(),
    };
    prop_assert_eq!(edited, formatted);
    Ok(())
}

#[test]
fn corpus_templates_keep_their_meaning() {
    for text in templates() {
        check_invariant(text).unwrap();
        // And the same file with CRLF breaks.
        check_invariant(&text.replace('\n', "\r\n")).unwrap();
    }
}

#[test]
fn formatted_examples_and_corpus_sample() {
    let mut paths = note_files("examples");
    // A fixed sample of the real-world corpus (every sixth file when it held 47), so adding
    // templates to the corpus does not move the sample; `corpus_templates_keep_their_meaning`
    // checks every file.
    paths.extend(note_files("tests/realworld").into_iter().filter(|path| {
        path.file_stem()
            .is_some_and(|stem| REALWORLD_SAMPLE.contains(&&*stem.to_string_lossy()))
    }));
    for path in paths {
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let formatted = format(&text, &syntax::parse(&text));
        let mut settings = insta::Settings::clone_current();
        settings.set_snapshot_path("snapshots/format");
        settings.set_prepend_module_to_snapshot(false);
        settings.bind(|| insta::assert_snapshot!(name, formatted));
    }
}

/// The real-world templates whose formatted text is snapshotted.
const REALWORLD_SAMPLE: &[&str] = &[
    "ababilling-slp-progress-speech-language-progress-report",
    "eccentrix-pt-daily-daily-soap-note",
    "eccentrix-pt-progress-re-evaluation",
    "homehealth-pt-daily-revisit-note",
    "homehealth-slp-evaluation-speech-therapy-evaluation",
    "openemr-pt-daily-vietnamese-pt-exercise-prescription",
    "palmetto-chiro-daily-subsequent-visits",
    "slpcaseload-slp-daily-log-new-activity",
];

/// Pieces of templates, the syntax's sharp edges and every kind of white space.
const PIECES: &[&str] = &[
    "text",
    "Pain",
    " ",
    "  ",
    "\t",
    "\n",
    "\n",
    "\n\n\n",
    "\r\n",
    "\r",
    "# ",
    "## ",
    "##\t",
    "###",
    "#x",
    "Response",
    "Technique  ",
    " {#technique}",
    "{{ pain : number }}",
    "{{a}}",
    "{{ a",
    "{{1a}}",
    "{ a | b }",
    "{a||b}",
    "{ x }",
    "{a\\ |b}",
    "{ a |",
    "}",
    "***",
    "\\*** ",
    "\\{",
    "\\|",
    "\\\\",
    "<!-- c -->",
    "<!--",
    "-->",
    "<!-- noteplate-disable-next-line single-option-choice -->",
    "<!-- noteplate-disable unknown-technique -->",
    "---",
    "---\n",
    "codes: 97140-gp , 97110",
    "codes:9714",
    "payer :medicare",
    "type: daily",
    "template: T",
    "version: 2",
    "paywer: x",
    "@include a.note",
    "@include",
    "Date of service: {{dos:date}}",
    "Tolerated treatment {well|poorly}.",
    "- soft tissue mobilization",
    "é",
    "😀",
    "\u{feff}",
    "\u{a0}",
];

fn random_template() -> impl Strategy<Value = String> {
    prop::collection::vec(0usize..PIECES.len(), 0..40)
        .prop_map(|pieces| pieces.into_iter().map(|piece| PIECES[piece]).collect())
}

/// `at` moved back to a char boundary of `text`.
fn boundary(text: &str, mut at: usize) -> usize {
    at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn random_templates_keep_their_meaning(text in random_template()) {
        check_invariant(&text)?;
    }

    #[test]
    fn edited_corpus_templates_keep_their_meaning(
        template in 0usize..1000,
        edits in prop::collection::vec((0.0f64..1.0, 0usize..PIECES.len()), 1..8),
    ) {
        let templates = templates();
        let mut text = templates[template % templates.len()].clone();
        for (place, piece) in edits {
            let at = boundary(&text, (place * text.len() as f64) as usize);
            text.insert_str(at, PIECES[piece]);
        }
        check_invariant(&text)?;
    }
}
