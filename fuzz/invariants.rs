//! Invariants that must hold for any input, shared by the libFuzzer target
//! (`fuzz/fuzz_targets/parse_analyse.rs`) and the stable property tests (`tests/never_panics.rs`).
//! Every check panics with a message naming the broken invariant, so a fuzzer or proptest reports
//! it like any other crash.

#![allow(dead_code)]

use noteplate::analysis::{Analysis, Diagnostic, Settings, analyze_text};
use noteplate::config::ProjectConfig;
use noteplate::fragments::FragmentCache;
use noteplate::pipeline::{self, Contents, IncludeBase};
use noteplate::rulepack::RulePack;
use noteplate::syntax::{Document, Inline, Line, Span};

/// Parses and analyses `text`, checks every invariant, then applies each fix on its own and
/// checks the fixed text the same way (without following the fixed text's own fixes).
pub fn check_text(text: &str, pack: &RulePack, settings: &Settings) {
    let analysis = analyze_text(text, pack, settings);
    check_analysis(text, &analysis);
    for diagnostic in &analysis.diagnostics {
        if let Some(fixed) = apply_fix(text, diagnostic) {
            let again = analyze_text(&fixed, pack, settings);
            check_analysis(&fixed, &again);
        }
    }
}

/// Checks raw bytes through the pipeline `noteplate check` runs, which also handles invalid UTF-8
/// (and `max-file-size`), with the embedded pack.
pub fn check_bytes(bytes: &[u8], settings: &Settings) {
    let config = ProjectConfig::defaults(".".into());
    let analysed = pipeline::analyse(
        Contents::Bytes(bytes.to_vec()),
        IncludeBase::Unresolved,
        &config,
        settings,
        &FragmentCache::new(),
    );
    check_analysis(&analysed.text, &analysed.analysis);
    if let Ok(text) = std::str::from_utf8(bytes) {
        assert_eq!(analysed.text, text, "the pipeline changed valid UTF-8 text");
    }
}

/// Spans of the tree, the syntax errors and the diagnostics (with their related places and fix
/// edits) lie inside the text, on char boundaries; fix edits do not overlap.
pub fn check_analysis(text: &str, analysis: &Analysis) {
    check_document(text, &analysis.parse.document);
    for error in &analysis.parse.errors {
        check_span(text, error.span, "syntax error");
        assert!(!error.message.is_empty(), "syntax error without a message");
    }
    for diagnostic in &analysis.diagnostics {
        check_diagnostic(text, diagnostic);
    }
    for pair in analysis.diagnostics.windows(2) {
        assert!(
            pair[0].span.start <= pair[1].span.start,
            "diagnostics are not sorted by position: {:?} before {:?}",
            pair[0].span,
            pair[1].span
        );
    }
}

pub fn check_diagnostic(text: &str, diagnostic: &Diagnostic) {
    let what = format!("diagnostic `{}` ({})", diagnostic.rule, diagnostic.message);
    check_span(text, diagnostic.span, &what);
    assert!(!diagnostic.message.is_empty(), "{what}: empty message");
    for related in &diagnostic.related {
        check_span(
            text,
            related.span,
            &format!("{what}, related `{}`", related.message),
        );
    }
    if let Some(fix) = &diagnostic.fix {
        assert!(
            !fix.edits.is_empty(),
            "{what}: fix `{}` has no edits",
            fix.title
        );
        for edit in &fix.edits {
            check_span(text, edit.span, &format!("{what}, fix `{}`", fix.title));
        }
        let mut spans: Vec<Span> = fix.edits.iter().map(|edit| edit.span).collect();
        spans.sort();
        for pair in spans.windows(2) {
            assert!(
                pair[0].end <= pair[1].start,
                "{what}: fix `{}` has overlapping edits {:?} and {:?}",
                fix.title,
                pair[0],
                pair[1]
            );
        }
    }
}

/// The text after applying `diagnostic`'s fix, if it has one. Edits are applied from the last to
/// the first so earlier offsets stay valid.
pub fn apply_fix(text: &str, diagnostic: &Diagnostic) -> Option<String> {
    let fix = diagnostic.fix.as_ref()?;
    let mut edits: Vec<_> = fix.edits.iter().collect();
    edits.sort_by_key(|edit| (edit.span.start, edit.span.end));
    let mut fixed = text.to_string();
    for edit in edits.iter().rev() {
        fixed.replace_range(edit.span.start..edit.span.end, &edit.new_text);
    }
    Some(fixed)
}

pub fn check_span(text: &str, span: Span, what: &str) {
    assert!(
        span.start <= span.end && span.end <= text.len(),
        "{what}: span {span:?} is outside the text (length {})",
        text.len()
    );
    assert!(
        text.is_char_boundary(span.start) && text.is_char_boundary(span.end),
        "{what}: span {span:?} is not on char boundaries"
    );
}

fn check_document(text: &str, document: &Document) {
    assert_eq!(
        document.len,
        text.len(),
        "Document::len is not the text length"
    );
    if let Some(front_matter) = &document.front_matter {
        check_span(text, front_matter.span, "front matter");
        if let Some(close) = front_matter.close {
            check_span(text, Span::empty(close), "front matter close");
        }
        for entry in &front_matter.entries {
            check_span(text, entry.span, "front-matter entry");
            check_span(text, entry.key, "front-matter key");
            check_span(text, entry.value, "front-matter value");
            for code in &entry.codes {
                check_span(text, code.span, "code item");
                check_span(text, code.code, "code");
                for modifier in &code.modifiers {
                    check_span(text, *modifier, "code modifier");
                }
            }
        }
    }
    for line in &document.preamble {
        check_line(text, line);
    }
    for (index, section) in document.sections.iter().enumerate() {
        let heading = &section.heading;
        check_span(text, heading.span, "heading");
        check_span(text, heading.title, "heading title");
        assert!(
            (1..=6).contains(&heading.level),
            "heading level {}",
            heading.level
        );
        if let Some(attribute) = &heading.attribute {
            check_span(text, attribute.span, "heading attribute");
            check_span(text, attribute.kind, "heading attribute kind");
        }
        check_span(
            text,
            Span::new(heading.span.start, section.end),
            "section extent",
        );
        for line in &section.lines {
            check_line(text, line);
        }
        for &child in &section.children {
            assert!(
                child > index && child < document.sections.len(),
                "section {index} has child {child} out of order"
            );
        }
    }
    for comment in &document.comments {
        check_span(text, comment.span, "comment");
        check_span(text, comment.body, "comment body");
    }
}

fn check_line(text: &str, line: &Line) {
    check_span(text, line.span, "content line");
    for item in &line.items {
        let span = item.span();
        check_span(text, span, "inline item");
        assert!(
            line.span.start <= span.start && span.end <= line.span.end,
            "inline item {span:?} outside its line {:?}",
            line.span
        );
        match item {
            Inline::Field(field) => {
                check_span(text, field.name, "field name");
                if let Some(ty) = field.ty {
                    check_span(text, ty, "field type");
                }
            }
            Inline::Choice(choice) => {
                for option in &choice.options {
                    check_span(text, *option, "choice option");
                }
            }
            Inline::Text(_) | Inline::Escape(_) | Inline::Wildcard(_) => {}
        }
    }
}
