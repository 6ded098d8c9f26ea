//! The red-team shapes of issue 14 at 100 KB (`benches/shapes/`) are analysed in bounded work.
//! Work is counted (fragment analyses, steps of the suppression and code loops), never timed.

use noteplate::fragments::{FragmentCache, MAX_INCLUDE_DEPTH};
use noteplate::pipeline::{Contents, IncludeBase};
use noteplate::work;

#[path = "../benches/shapes/mod.rs"]
mod shapes;

fn shapes() -> (tempfile::TempDir, Vec<shapes::Shape>) {
    let dir = tempfile::tempdir().unwrap();
    let all = shapes::write_all(dir.path());
    (dir, all)
}

/// Each shape: the counted steps stay within a small multiple of the input's size (the old code
/// took findings × directives² steps for regions: about 10^10 here), and the findings too.
#[test]
fn every_shape_is_analysed_in_work_linear_in_its_size() {
    let (_dir, all) = shapes();
    for shape in &all {
        let cache = FragmentCache::new();
        let config = shapes::config(shape);
        work::reset();
        let diagnostics = shapes::analyse(shape, &config, &cache);
        let steps = work::steps();
        let size = shape.text.len() as u64;
        assert!(
            steps <= 2 * size,
            "{}: {steps} steps for {size} bytes",
            shape.name
        );
        assert!(
            diagnostics.len() as u64 <= size,
            "{}: {} findings",
            shape.name,
            diagnostics.len()
        );
        assert!(
            cache.analyses() <= shapes::FAN_OUT_LEVELS as u64,
            "{}: {} fragment analyses",
            shape.name,
            cache.analyses()
        );
    }
}

/// The suppression shapes really go through the counted loops, and suppress what they say.
#[test]
fn suppression_shapes_count_their_work_and_suppress() {
    let (_dir, all) = shapes();
    for name in ["suppression_regions", "disable_file_flood"] {
        let shape = all.iter().find(|shape| shape.name == name).unwrap();
        work::reset();
        let diagnostics = shapes::analyse(shape, &shapes::config(shape), &FragmentCache::new());
        assert!(work::steps() > 2_000, "{name}: {} steps", work::steps());
        assert!(
            !diagnostics
                .iter()
                .any(|d| d.rule.as_str() == "unknown-field-type"),
            "{name}: a finding escaped its suppression"
        );
    }
}

/// 2^18 paths through the fan-out, one analysis per fragment read (the depth budget stops the
/// chain at 16 levels); a second template in the same run analyses nothing again.
#[test]
fn fan_out_analyses_each_fragment_once_per_run() {
    let (_dir, all) = shapes();
    let shape = all.iter().find(|s| s.name == "include_fan_out").unwrap();
    let cache = FragmentCache::new();
    let config = shapes::config(shape);
    let read = shapes::FAN_OUT_LEVELS.min(MAX_INCLUDE_DEPTH) as u64;
    let diagnostics = shapes::analyse(shape, &config, &cache);
    assert_eq!(cache.analyses(), read);
    assert!(
        diagnostics
            .iter()
            .any(|d| d.rule.as_str() == "include-budget")
    );
    shapes::analyse(shape, &config, &cache);
    assert_eq!(cache.analyses(), read);
}

/// A changed fragment is analysed again (the cache is keyed by content, not only by path).
#[test]
fn a_changed_fragment_is_analysed_again() {
    let dir = tempfile::tempdir().unwrap();
    let template = dir.path().join("t.note");
    let text = "@include f.note\n";
    std::fs::write(&template, text).unwrap();
    std::fs::write(dir.path().join("f.note"), "## Response\nTolerated.\n").unwrap();
    let config = noteplate::config::ProjectConfig::defaults(dir.path().to_path_buf());
    let cache = FragmentCache::new();
    let parse = noteplate::syntax::parse(text);
    let resolve = || noteplate::fragments::resolve(&template, text, &parse, &config, &cache);
    resolve();
    resolve();
    assert_eq!(cache.analyses(), 1);
    std::fs::write(dir.path().join("f.note"), "## Plan\nContinue.\n").unwrap();
    let includes = resolve();
    assert_eq!(cache.analyses(), 2);
    match &includes.items[0].outcome {
        noteplate::analysis::IncludeOutcome::Found { kinds, .. } => {
            assert_eq!(kinds, &vec!["plan".to_string()]);
        }
        other => panic!("{other:?}"),
    }
}

/// A chain deeper than the depth budget: reported at the template's include line, and each
/// fragment analysed at most once per depth it is reached at.
#[test]
fn a_chain_past_the_depth_budget_is_reported_at_the_include_line() {
    let dir = tempfile::tempdir().unwrap();
    let levels = MAX_INCLUDE_DEPTH + 10;
    for level in 0..levels {
        std::fs::write(
            dir.path().join(format!("l{level}.note")),
            format!("@include l{}.note\n", level + 1),
        )
        .unwrap();
    }
    let template = dir.path().join("t.note");
    let text = "@include l0.note\n@include l0.note\n@include l1.note\n";
    std::fs::write(&template, text).unwrap();
    let config = noteplate::config::ProjectConfig::defaults(dir.path().to_path_buf());
    let cache = FragmentCache::new();
    let diagnostics = noteplate::pipeline::analyse(
        Contents::Bytes(text.into()),
        IncludeBase::File(&template),
        &config,
        &config.settings,
        &cache,
    )
    .analysis
    .diagnostics;
    let budget: Vec<usize> = diagnostics
        .iter()
        .filter(|d| d.rule.as_str() == "include-budget")
        .map(|d| d.span.start)
        .collect();
    assert_eq!(budget, vec![9, 26, 43], "{diagnostics:#?}");
    assert!(
        cache.analyses() <= 2 * MAX_INCLUDE_DEPTH as u64,
        "{}",
        cache.analyses()
    );
}

/// A line of 100,000 `{`: the fast path bails at the first mistake and pest reads the line once
/// (counted as its length: the grammar's searches stop at the next brace; a search per `{{` to
/// the end of the line was quadratic), and the 51,200 unclosed fields of that one line are seven
/// findings plus one that counts the rest.
#[test]
fn a_line_of_braces_is_parsed_once_and_reported_briefly() {
    let (_dir, all) = shapes();
    let shape = all
        .iter()
        .find(|shape| shape.name == "long_line_of_braces")
        .unwrap();
    work::reset();
    let diagnostics = shapes::analyse(shape, &shapes::config(shape), &FragmentCache::new());
    let size = shape.text.len() as u64;
    assert!(
        work::steps() >= size / 2,
        "the parser's searches are not counted"
    );
    assert!(
        work::steps() <= 2 * size,
        "{} steps for {size} bytes",
        work::steps()
    );
    let syntax: Vec<_> = diagnostics
        .iter()
        .filter(|d| d.rule.as_str() == "syntax-error")
        .collect();
    assert_eq!(syntax.len(), 8, "{syntax:#?}");
    assert!(
        syntax[7]
            .message
            .starts_with("51193 more syntax errors on this line"),
        "{}",
        syntax[7].message
    );
}
