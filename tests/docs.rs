//! The documentation stays true: `docs/rules.md` is exactly what `noteplate rules --markdown`
//! generates, and every rule's examples in `rulepack/rules.toml` do what they claim.

use std::path::Path;

use noteplate::analysis::{Settings, analyze_text};
use noteplate::rulepack::RulePack;

fn repo_file(path: &str) -> String {
    let full = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    std::fs::read_to_string(&full)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", full.display()))
}

#[test]
fn rules_md_is_generated_from_the_pack() {
    let expected = noteplate::cli::rules_markdown(&RulePack::embedded());
    let actual = repo_file("docs/rules.md").replace("\r\n", "\n");
    if actual != expected {
        let line = actual
            .lines()
            .zip(expected.lines())
            .position(|(a, b)| a != b)
            .map(|index| index + 1)
            .unwrap_or_else(|| actual.lines().count().min(expected.lines().count()) + 1);
        panic!(
            "docs/rules.md is out of date (first difference at line {line}); regenerate it with \
             `cargo run -- rules --markdown > docs/rules.md`"
        );
    }
}

#[test]
fn every_bad_example_triggers_its_rule() {
    let pack = RulePack::embedded();
    let settings = Settings::default();
    let mut failures = Vec::new();
    for rule in &pack.rules {
        // Their examples need fragment files or raw bytes; tests/fragments.rs, tests/cli.rs and
        // the corpus run them for real.
        if rule.examples_need_files {
            continue;
        }
        let diagnostics = analyze_text(&rule.bad, &pack, &settings).diagnostics;
        if !diagnostics.iter().any(|d| d.rule == rule.id) {
            let got: Vec<&str> = diagnostics.iter().map(|d| d.rule.as_str()).collect();
            failures.push(format!(
                "`{}`: its bad example does not trigger it (got {got:?}):\n{}",
                rule.id, rule.bad
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_good_example_triggers_nothing() {
    let pack = RulePack::embedded();
    let settings = Settings::default();
    let mut failures = Vec::new();
    for rule in &pack.rules {
        let diagnostics = analyze_text(&rule.good, &pack, &settings).diagnostics;
        if !diagnostics.is_empty() {
            let got: Vec<String> = diagnostics
                .iter()
                .map(|d| format!("{}: {}", d.rule, d.message))
                .collect();
            failures.push(format!(
                "`{}`: its good example has findings {got:#?}:\n{}",
                rule.id, rule.good
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The `invalid-utf8` bad example is prose; check the rule on the bytes it describes instead.
#[test]
fn invalid_utf8_fires_on_the_bytes_its_example_describes() {
    let bytes = b"## Findings\nCervical rotation 45\xb0 right\n".to_vec();
    let config = noteplate::config::ProjectConfig::defaults(".".into());
    let analysed = noteplate::pipeline::analyse(
        noteplate::pipeline::Contents::Bytes(bytes),
        noteplate::pipeline::IncludeBase::Unresolved,
        &config,
        &Settings::default(),
        &Default::default(),
    );
    let rules: Vec<&str> = analysed
        .analysis
        .diagnostics
        .iter()
        .map(|d| d.rule.as_str())
        .collect();
    assert_eq!(rules, ["invalid-utf8"]);
}

/// Every rule id the docs name exists, and every rule has a summary, an explanation and examples.
#[test]
fn every_rule_is_documented() {
    let pack = RulePack::embedded();
    let docs = repo_file("docs/rules.md");
    for rule in &pack.rules {
        assert!(
            docs.contains(&format!("## `{}`", rule.id)),
            "docs/rules.md has no section for `{}`",
            rule.id
        );
        assert!(!rule.summary.trim().is_empty(), "{}", rule.id);
        assert!(!rule.explanation.trim().is_empty(), "{}", rule.id);
        assert!(!rule.bad.trim().is_empty(), "{}", rule.id);
        assert!(!rule.good.trim().is_empty(), "{}", rule.id);
    }
}

/// The hand-written docs mention every field type and front-matter key the language has.
#[test]
fn language_md_covers_field_types_and_front_matter_keys() {
    let language = repo_file("docs/language.md");
    for (name, _) in noteplate::syntax::FIELD_TYPES {
        assert!(
            language.contains(&format!("`{name}`")),
            "docs/language.md does not mention field type `{name}`"
        );
    }
    for (key, _) in noteplate::syntax::FRONT_MATTER_KEYS {
        assert!(
            language.contains(&format!("`{key}`")),
            "docs/language.md does not mention front-matter key `{key}`"
        );
    }
    let pack = RulePack::embedded();
    for section in &pack.sections {
        assert!(
            language.contains(&format!("`{}`", section.kind)),
            "docs/language.md does not mention section kind `{}`",
            section.kind
        );
    }
}

/// Rust source files under `<dir>` (relative to the repository root), as (path, text).
fn sources(dir: &str) -> Vec<(String, String)> {
    fn walk(path: &Path, out: &mut Vec<(String, String)>) {
        let Ok(entries) = std::fs::read_dir(path) else {
            return;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|ext| ext == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                out.push((path.display().to_string(), text));
            }
        }
    }
    let mut out = Vec::new();
    walk(&Path::new(env!("CARGO_MANIFEST_DIR")).join(dir), &mut out);
    assert!(
        !out.is_empty(),
        "no Rust sources under {dir}: update this test"
    );
    out
}

/// The crate modules a source text refers to with `crate::name`.
fn crate_modules(text: &str) -> Vec<String> {
    text.match_indices("crate::")
        .map(|(at, _)| {
            text[at + "crate::".len()..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect()
        })
        .collect()
}

/// The layer rules `docs/architecture.md` states that the compiler cannot see, checked on the
/// source text: the order of the layers inside `noteplate_core`, and no IO, clock, environment
/// or protocol types in either core crate. (That the syntax crate uses nothing above it, and the
/// core nothing of the faces, the crate graph enforces.)
#[test]
fn architecture_invariants_hold() {
    let mut problems = Vec::new();
    let core = "crates/noteplate_core/src";
    let layers: &[(&str, &[&str])] = &[
        ("rulepack", &["rulepack"]),
        (
            "analysis",
            &["analysis", "syntax", "rulepack", "line_index", "work"],
        ),
        (
            "ide",
            &[
                "ide",
                "analysis",
                "syntax",
                "rulepack",
                "line_index",
                "work",
            ],
        ),
    ];
    for (layer, allowed) in layers {
        for (path, text) in sources(&format!("{core}/{layer}")) {
            for module in crate_modules(&text) {
                if !allowed.contains(&module.as_str()) {
                    problems.push(format!(
                        "{path} uses `crate::{module}`: `{layer}` may only use {allowed:?}"
                    ));
                }
            }
        }
    }
    let mut forbid = |dir: &str, needles: &[&str], why: &str| {
        for (path, text) in sources(dir) {
            for needle in needles {
                if text.contains(needle) {
                    problems.push(format!("{path} uses `{needle}`: {why}"));
                }
            }
        }
    };
    for dir in ["crates/noteplate_syntax/src", core] {
        forbid(
            dir,
            &[
                "std::fs",
                "std::io",
                "std::env",
                "std::time",
                "std::process",
                "std::thread::spawn",
                "tower_lsp",
                "lsp_types",
            ],
            "the core is pure: no IO, no clock, no environment, no threads, no protocol types",
        );
    }
    for dir in ["src/config", "src/cli"] {
        forbid(
            dir,
            &["tower_lsp", "lsp_types"],
            "only src/lsp knows protocol types",
        );
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The core crates depend, also indirectly, on nothing that does IO, speaks a protocol, runs
/// an async runtime or threads, or draws on a terminal: read from the crates' `[dependencies]`
/// and, below them, the dependency graph in `Cargo.lock` (which lists no dev-dependencies of
/// registry crates), so a new dependency anywhere below them is caught.
#[test]
fn core_crates_depend_on_no_io_protocol_or_terminal_crate() {
    let forbidden = [
        "tokio",
        "tower",
        "tower-lsp-server",
        "lsp-types",
        "fluent-uri",
        "clap",
        "rayon",
        "ignore",
        "walkdir",
        "codespan-reporting",
        "termcolor",
        "notify",
        "tempfile",
        "ropey",
    ];
    let lock: toml::Value = toml::from_str(&repo_file("Cargo.lock")).unwrap();
    let packages = lock["package"].as_array().unwrap();
    let dependencies = |name: &str| -> Vec<String> {
        // Workspace crates: their own `[dependencies]` only (the lock adds dev-dependencies).
        if let Some(member) = ["noteplate_syntax", "noteplate_core"]
            .iter()
            .find(|member| **member == name)
        {
            let manifest: toml::Value =
                toml::from_str(&repo_file(&format!("crates/{member}/Cargo.toml"))).unwrap();
            return manifest["dependencies"]
                .as_table()
                .unwrap()
                .keys()
                .cloned()
                .collect();
        }
        packages
            .iter()
            .filter(|package| package["name"].as_str() == Some(name))
            .flat_map(|package| {
                package
                    .get("dependencies")
                    .and_then(|list| list.as_array())
                    .into_iter()
                    .flatten()
            })
            // Entries read `name` or `name version` when several versions are locked.
            .filter_map(|entry| entry.as_str()?.split(' ').next().map(str::to_owned))
            .collect()
    };
    for root in ["noteplate_syntax", "noteplate_core"] {
        let mut seen = std::collections::BTreeMap::new();
        let mut queue = vec![(root.to_owned(), root.to_owned())];
        while let Some((name, via)) = queue.pop() {
            if seen.insert(name.clone(), via).is_some() {
                continue;
            }
            for next in dependencies(&name) {
                queue.push((next, name.clone()));
            }
        }
        assert!(
            seen.len() > 3,
            "{root} not found in Cargo.lock with its dependencies: update this test"
        );
        for bad in forbidden {
            if let Some(via) = seen.get(bad) {
                panic!("{root} depends on `{bad}` (through `{via}`): the core must stay pure");
            }
        }
    }
    // The faces do use them, so a test that reads the graph wrongly fails here.
    let mut face = std::collections::BTreeSet::new();
    let mut queue = vec!["noteplate".to_owned()];
    while let Some(name) = queue.pop() {
        if face.insert(name.clone()) {
            queue.extend(dependencies(&name));
        }
    }
    for used in ["tokio", "clap", "rayon", "tower-lsp-server"] {
        assert!(face.contains(used), "noteplate should depend on {used}");
    }
}

/// The example that opens `docs/language.md` is a complete, clean template.
#[test]
fn language_md_opening_example_is_clean() {
    let language = repo_file("docs/language.md");
    let start = language.find("```note\n").expect("a note example") + "```note\n".len();
    let end = start + language[start..].find("```").expect("a closed example");
    let example = &language[start..end];
    let pack = RulePack::embedded();
    let diagnostics = analyze_text(example, &pack, &Settings::default()).diagnostics;
    let found: Vec<String> = diagnostics
        .iter()
        .map(|d| format!("{}: {}", d.rule, d.message))
        .collect();
    assert!(found.is_empty(), "{found:#?}\n{example}");
}

/// The template in the VS Code extension's README ("## A template", what its users copy first) is
/// clean (issue 11: it once failed the checker).
#[test]
fn vscode_readme_template_is_clean() {
    let readme = repo_file("editors/vscode/README.md");
    let section = readme
        .find("## A template")
        .expect("the README's template section");
    let start = section + readme[section..].find("```").expect("a code block") + 3;
    let start = start + readme[start..].find('\n').expect("the block's first line") + 1;
    let end = start + readme[start..].find("```").expect("a closed code block");
    let example = &readme[start..end];
    assert!(example.contains("codes: 97140"), "{example}");
    let diagnostics =
        analyze_text(example, &RulePack::embedded(), &Settings::default()).diagnostics;
    let found: Vec<String> = diagnostics
        .iter()
        .map(|d| format!("{}: {}", d.rule, d.message))
        .collect();
    assert!(found.is_empty(), "{found:#?}\n{example}");
}

/// Every source tag the pack and the docs cite (`[S7]`, `"S25"`, `S6b`) resolves in
/// `docs/sources.md`, and no document points at a path outside the repository.
#[test]
fn every_source_tag_resolves_and_no_doc_points_outside_the_repository() {
    let sources = repo_file("docs/sources.md");
    let mut files: Vec<String> = ["README.md", "CHANGELOG.md"]
        .iter()
        .map(|name| name.to_string())
        .collect();
    for dir in ["docs", "rulepack"] {
        let full = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
        for entry in std::fs::read_dir(&full).expect("folder").flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.ends_with(".md") || name.ends_with(".toml") {
                files.push(format!("{dir}/{name}"));
            }
        }
    }
    let mut problems = Vec::new();
    for file in &files {
        let text = repo_file(file);
        // (Example include paths such as `@include ../shared/response.note` are fine: they are a
        // template's own fragments. The project's sources must be in the repository.)
        for outside in [
            "shared/domain",
            "/work/shared",
            "shared/testing",
            ".library",
        ] {
            if text.contains(outside) {
                problems.push(format!("{file} points outside the repository ({outside})"));
            }
        }
        if file == "docs/sources.md" {
            continue;
        }
        for tag in source_tags(&text) {
            let anchor = format!("<a id=\"{}\"></a>", tag.to_lowercase());
            if !sources.contains(&anchor) {
                problems.push(format!("{file} cites {tag}, which docs/sources.md lacks"));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Tags such as `S7` or `S6b` written as `[S7]` or `"S7"` (a billing code such as `S9090` in a
/// code list is neither).
fn source_tags(text: &str) -> Vec<String> {
    let bytes = text.as_bytes();
    let mut tags = Vec::new();
    for (at, _) in text.match_indices('S') {
        let opener = at.checked_sub(1).map(|i| bytes[i]);
        if !matches!(opener, Some(b'[' | b'"')) {
            continue;
        }
        let digits = text[at + 1..]
            .bytes()
            .take_while(|b| b.is_ascii_digit())
            .count();
        if digits == 0 || digits > 3 {
            continue;
        }
        let mut end = at + 1 + digits;
        if bytes.get(end).is_some_and(|b| b.is_ascii_lowercase()) {
            end += 1;
        }
        let closer = bytes.get(end).copied();
        if matches!(
            (opener, closer),
            (Some(b'['), Some(b']')) | (Some(b'"'), Some(b'"'))
        ) {
            tags.push(text[at..end].to_string());
        }
    }
    tags
}

/// Release hygiene (issue 14): the extension and the crate are released together, and no
/// placeholder address (the old `OWNER/noteplate`, `example.invalid`) is left in what ships; the
/// project's future home is named only through `NOTEPLATE_REPOSITORY`, defined in docs/ci.md.
#[test]
fn release_versions_agree_and_no_placeholder_address_ships() {
    let cargo: toml::Value = toml::from_str(&repo_file("Cargo.toml")).unwrap();
    let crate_version = cargo["workspace"]["package"]["version"].as_str().unwrap();
    let extension: serde_json::Value =
        serde_json::from_str(&repo_file("editors/vscode/package.json")).unwrap();
    assert_eq!(
        extension["version"].as_str(),
        Some(crate_version),
        "editors/vscode/package.json and Cargo.toml must have the same version"
    );
    let shipped = [
        "Cargo.toml",
        "README.md",
        "action.yml",
        "editors/vscode/package.json",
        "editors/vscode/README.md",
        "editors/nvim/README.md",
        "docs/ci.md",
        "docs/release.md",
    ];
    for path in shipped {
        let text = repo_file(path);
        for placeholder in ["example.invalid", "OWNER/noteplate"] {
            assert!(
                !text.contains(placeholder),
                "{path} still has the placeholder {placeholder}"
            );
        }
    }
    assert!(
        repo_file("docs/ci.md").contains("one variable, **`NOTEPLATE_REPOSITORY`**"),
        "docs/ci.md must define NOTEPLATE_REPOSITORY"
    );
}
