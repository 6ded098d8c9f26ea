//! The payer rules (payer-rules.md R1-R16 and the pair table): `missing-minutes`,
//! `missing-total-minutes`, `missing-date`, `missing-signature`, `missing-region`,
//! `vague-technique`, `billed-elsewhere`, `technique-needs`, `missing-modifier` and
//! `missing-therapy-modifier`; the two `examples/payer-*.note` templates; and `noteplate units`.
//!
//! Each test builds a small template from a clean base and changes one thing, so a finding can be
//! blamed on that change. Lines are 1-based and found from the text, not hard-coded.

use std::process::Command;

use noteplate::analysis::{Diagnostic, Settings, analyze_text};
use noteplate::line_index::LineIndex;
use noteplate::rulepack::{RulePack, Severity};

// --- Helpers ---------------------------------------------------------------------------------

fn diagnostics_with(text: &str, settings: &Settings) -> Vec<Diagnostic> {
    analyze_text(text, &RulePack::embedded(), settings).diagnostics
}

fn diagnostics(text: &str) -> Vec<Diagnostic> {
    diagnostics_with(text, &Settings::default())
}

fn line(text: &str, offset: usize) -> usize {
    LineIndex::new(text).line_column(text, offset).0
}

/// (rule, severity, 1-based line) of every finding, in reported order.
fn findings(text: &str) -> Vec<(String, Severity, usize)> {
    diagnostics(text)
        .iter()
        .map(|d| (d.rule.to_string(), d.severity, line(text, d.span.start)))
        .collect()
}

/// The 1-based line of the first line containing `needle`.
fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("no line contains {needle:?} in:\n{text}"))
        + 1
}

fn only<'a>(diagnostics: &'a [Diagnostic], rule: &str) -> Vec<&'a Diagnostic> {
    diagnostics
        .iter()
        .filter(|d| d.rule.as_str() == rule)
        .collect()
}

/// The one finding of `rule`; fails when there are none or several.
fn single(text: &str, rule: &str) -> Diagnostic {
    let all = diagnostics(text);
    let found = only(&all, rule);
    assert_eq!(
        found.len(),
        1,
        "expected exactly one `{rule}`, got {:?}\n{text}",
        all.iter()
            .map(|d| (&d.rule, d.severity, &d.message))
            .collect::<Vec<_>>()
    );
    found[0].clone()
}

fn assert_clean(text: &str) {
    let all = diagnostics(text);
    assert!(
        all.is_empty(),
        "expected no findings, got {:#?}\n{text}",
        all.iter()
            .map(|d| format!(
                "{} {:?} line {}: {}",
                d.rule,
                d.severity,
                line(text, d.span.start),
                d.message
            ))
            .collect::<Vec<_>>()
    );
}

fn assert_no(text: &str, rule: &str) {
    let all = diagnostics(text);
    assert!(
        only(&all, rule).is_empty(),
        "expected no `{rule}`, got {:?}\n{text}",
        all.iter()
            .map(|d| (&d.rule, &d.message))
            .collect::<Vec<_>>()
    );
}

/// Applies the diagnostic's fix (edits are non-overlapping, against `text`).
fn apply_fix(text: &str, diagnostic: &Diagnostic) -> String {
    let fix = diagnostic
        .fix
        .as_ref()
        .unwrap_or_else(|| panic!("`{}` has no fix", diagnostic.rule));
    let mut edits = fix.edits.clone();
    edits.sort_by_key(|edit| std::cmp::Reverse(edit.span.start));
    let mut out = text.to_string();
    for edit in edits {
        out.replace_range(edit.span.start..edit.span.end, &edit.new_text);
    }
    out
}

/// A template: front matter lines, then the body.
fn note(front_matter: &str, body: &str) -> String {
    format!("---\n{front_matter}\n---\n{body}")
}

const DATE: &str = "Date of service: {{date_of_service:date}}\n";
const NECESSITY: &str = "\n## Medical necessity\nSkilled care is needed for {{impairment}} limiting {{functional_limitation}}.\n";
const TECHNIQUE: &str = "\n## Technique\n- {joint mobilization|soft tissue mobilization} to {{region:region}}, grade {I|II|III|IV}\n";
const EXERCISE: &str =
    "\n## Therapeutic exercise\n- ***: {{sets:number}} x {{reps:number}}; cued for ***\n";
const RESPONSE: &str =
    "\n## Response\nTolerated {well|with mild soreness}; pain {{pain_after:number}}/10 after.\n";
const TIME: &str = "\n## Time\nTotal timed-code minutes: {{timed_minutes:minutes}}\nTotal treatment minutes: {{total_minutes:minutes}}\n";
const PLAN: &str = "\n## Plan\nNext visit in {{next_visit_days:number}} days; ***.\n";
const SIGNATURE: &str = "\n## Signature\n{{clinician_name}}, {PT|PTA}, {{signed_on:date}}\n";

/// A clean 97140 body with every daily-note element.
fn manual_therapy_body() -> String {
    [DATE, NECESSITY, TECHNIQUE, RESPONSE, TIME, SIGNATURE].concat()
}

/// A clean 97110 body with every daily-note element.
fn exercise_body() -> String {
    [DATE, NECESSITY, EXERCISE, RESPONSE, TIME, SIGNATURE].concat()
}

// --- The bases are clean -----------------------------------------------------------------------

#[test]
fn the_clean_bases_have_no_findings() {
    assert_clean(&note("codes: 97140", &manual_therapy_body()));
    assert_clean(&note(
        "codes: 97140-GP\npayer: medicare",
        &manual_therapy_body(),
    ));
    assert_clean(&note("codes: 97110-GP\npayer: medicare", &exercise_body()));
    assert_clean(&note(
        "codes: 97110-GP, 97140-GP\npayer: medicare\ntype: daily",
        &[
            DATE, NECESSITY, TECHNIQUE, EXERCISE, RESPONSE, TIME, SIGNATURE,
        ]
        .concat(),
    ));
}

#[test]
fn every_payer_rule_is_in_the_pack_with_its_default_severity() {
    let pack = RulePack::embedded();
    for (id, severity) in [
        ("missing-minutes", Severity::Error),
        ("missing-total-minutes", Severity::Error),
        ("missing-date", Severity::Error),
        ("missing-signature", Severity::Error),
        ("missing-region", Severity::Warning),
        ("vague-technique", Severity::Error),
        ("billed-elsewhere", Severity::Warning),
        ("technique-needs", Severity::Warning),
        ("missing-modifier", Severity::Error),
        ("missing-therapy-modifier", Severity::Error),
    ] {
        let rule = pack
            .rule(id.parse().unwrap())
            .unwrap_or_else(|| panic!("rules.toml has no `{id}`"));
        assert_eq!(rule.severity, severity, "{id}");
        assert!(rule.explanation.contains("[S"), "{id}: no source tags");
        assert!(
            rule.explanation.to_lowercase().contains("confidence"),
            "{id}: no confidence"
        );
    }
}

// --- missing-region -----------------------------------------------------------------------------

const TECHNIQUE_NO_REGION: &str =
    "\n## Technique\n- {joint mobilization|soft tissue mobilization}, grade {I|II|III|IV}\n";

#[test]
fn missing_region_is_a_warning_without_manipulation() {
    let text = note(
        "codes: 97140",
        &[
            DATE,
            NECESSITY,
            TECHNIQUE_NO_REGION,
            RESPONSE,
            TIME,
            SIGNATURE,
        ]
        .concat(),
    );
    assert_eq!(
        findings(&text),
        [(
            "missing-region".to_string(),
            Severity::Warning,
            line_of(&text, "codes:")
        )]
    );
    let diagnostic = single(&text, "missing-region");
    assert_eq!(diagnostic.span.text(&text), "97140");
    // A region field anywhere in the template is enough without manipulation.
    let elsewhere = text.replace(
        "## Response\n",
        "## Response\nRegion treated: {{region:region}}\n",
    );
    assert_clean(&elsewhere);
    // The fix adds a region line to the technique section.
    assert_clean(&apply_fix(&text, &diagnostic));
}

/// 98941 needs findings and an intervention section of its own.
const MANIPULATION: &str = "\n## Examination\n- Segmental findings: {{cmt_regions:region}}, ***\n\n## Chiropractic manipulative treatment {#intervention}\n- Regions adjusted: {{cmt_regions:region}}\n";

#[test]
fn missing_region_is_an_error_when_98941_is_declared() {
    // A region field in the manipulation section does not count: 97140's region must be its own.
    let text = note(
        "codes: 98941, 97140-XS",
        &[
            DATE,
            MANIPULATION,
            NECESSITY,
            TECHNIQUE_NO_REGION,
            RESPONSE,
            TIME,
            PLAN,
            SIGNATURE,
        ]
        .concat(),
    );
    assert_eq!(
        findings(&text),
        [(
            "missing-region".to_string(),
            Severity::Error,
            line_of(&text, "codes:")
        )]
    );
    let diagnostic = single(&text, "missing-region");
    assert_eq!(diagnostic.span.text(&text), "97140-XS");
    assert!(
        diagnostic.message.contains("98941"),
        "{}",
        diagnostic.message
    );
    let fixed = apply_fix(&text, &diagnostic);
    assert!(
        fixed.contains("{{manual_therapy_region:region}}"),
        "{fixed}"
    );
    assert_clean(&fixed);

    // With a region in the technique section it is clean.
    let good = note(
        "codes: 98941, 97140-XS",
        &[
            DATE,
            MANIPULATION,
            NECESSITY,
            TECHNIQUE,
            RESPONSE,
            TIME,
            PLAN,
            SIGNATURE,
        ]
        .concat(),
    );
    assert_clean(&good);
}

#[test]
fn missing_region_needs_97140() {
    let text = note(
        "codes: 97110",
        &[
            DATE,
            NECESSITY,
            EXERCISE,
            TECHNIQUE_NO_REGION,
            RESPONSE,
            TIME,
            SIGNATURE,
        ]
        .concat(),
    );
    assert_no(&text, "missing-region");
}

// --- missing-modifier ---------------------------------------------------------------------------

#[test]
fn manual_therapy_beside_98941_needs_xs_and_the_fix_adds_it() {
    let text = note(
        "codes: 98941, 97140",
        &[
            DATE,
            MANIPULATION,
            NECESSITY,
            TECHNIQUE,
            RESPONSE,
            TIME,
            PLAN,
            SIGNATURE,
        ]
        .concat(),
    );
    assert_eq!(
        findings(&text),
        [(
            "missing-modifier".to_string(),
            Severity::Error,
            line_of(&text, "codes:")
        )]
    );
    let diagnostic = single(&text, "missing-modifier");
    assert_eq!(diagnostic.span.text(&text), "97140");
    assert!(diagnostic.message.contains("-XS"), "{}", diagnostic.message);
    assert_eq!(diagnostic.related.len(), 1);
    assert_eq!(diagnostic.related[0].span.text(&text), "98941");
    let fix = diagnostic.fix.as_ref().unwrap();
    assert!(
        !fix.safe,
        "adding a modifier asserts something the author must confirm"
    );
    let fixed = apply_fix(&text, &diagnostic);
    assert!(fixed.contains("codes: 98941, 97140-XS\n"), "{fixed}");
    assert_clean(&fixed);
    // 59 is accepted too.
    assert_clean(&text.replace("97140\n", "97140-59\n"));
}

#[test]
fn manual_therapy_with_therapeutic_activities_needs_59_on_97530() {
    let body = [
        DATE,
        NECESSITY,
        TECHNIQUE,
        "\n## Therapeutic activities\n- {{activity}} with {{assist_level}} assistance\n",
        RESPONSE,
        TIME,
        SIGNATURE,
    ]
    .concat();
    let text = note("codes: 97140, 97530\ntype: daily", &body);
    assert_eq!(
        findings(&text),
        [(
            "missing-modifier".to_string(),
            Severity::Error,
            line_of(&text, "codes:")
        )]
    );
    let diagnostic = single(&text, "missing-modifier");
    assert_eq!(diagnostic.span.text(&text), "97530");
    assert!(diagnostic.message.contains("-59"), "{}", diagnostic.message);
    let fixed = apply_fix(&text, &diagnostic);
    assert!(fixed.contains("codes: 97140, 97530-59\n"), "{fixed}");
    assert_clean(&fixed);
    assert_clean(&note("codes: 97140, 97530-XU\ntype: daily", &body));
    // On the wrong code the modifier does not count.
    let wrong = note("codes: 97140-59, 97530\ntype: daily", &body);
    assert_eq!(
        single(&wrong, "missing-modifier").span.text(&wrong),
        "97530"
    );
}

#[test]
fn a_low_confidence_pair_is_only_info() {
    let body = [
        NECESSITY,
        "\n## Findings\n- ROM {{rom_region:region}}: ***\n",
        TECHNIQUE,
        RESPONSE,
        "\n## Goals\n- Long-term ({{ltg_weeks:number}} weeks): ***\n",
        "\n## Assessment\nProgress toward goals: ***\n",
        "\n## Plan\n{Continue|Modify|Discontinue} plan of care {{frequency}} for {{duration}}.\n",
        TIME,
        DATE,
        SIGNATURE,
    ]
    .concat();
    let text = note("codes: 97164, 97140\ntype: progress", &body);
    assert_eq!(
        findings(&text),
        [(
            "missing-modifier".to_string(),
            Severity::Info,
            line_of(&text, "codes:")
        )]
    );
    let diagnostic = single(&text, "missing-modifier");
    assert_eq!(diagnostic.span.text(&text), "97140");
    assert!(
        diagnostic.message.contains("low confidence"),
        "{}",
        diagnostic.message
    );
    assert_clean(&note("codes: 97164, 97140-59\ntype: progress", &body));
}

#[test]
fn missing_modifier_needs_both_codes_of_a_pair() {
    assert_clean(&note("codes: 97140", &manual_therapy_body()));
    let text = note(
        "codes: 97110, 97140",
        &[
            DATE, NECESSITY, TECHNIQUE, EXERCISE, RESPONSE, TIME, SIGNATURE,
        ]
        .concat(),
    );
    // 97140 + 97110 is not in the pair table (unverified in the sources).
    assert_clean(&text);
}

// --- missing-therapy-modifier -------------------------------------------------------------------

#[test]
fn missing_therapy_modifier_under_medicare_and_fixed_by_gp() {
    let text = note("codes: 97110\npayer: medicare", &exercise_body());
    assert_eq!(
        findings(&text),
        [(
            "missing-therapy-modifier".to_string(),
            Severity::Error,
            line_of(&text, "codes:")
        )]
    );
    let diagnostic = single(&text, "missing-therapy-modifier");
    assert_eq!(diagnostic.span.text(&text), "97110");
    let fixed = apply_fix(&text, &diagnostic);
    assert!(fixed.contains("codes: 97110-GP\n"), "{fixed}");
    assert_clean(&fixed);
    // GO and GN are therapy modifiers too.
    assert_clean(&note("codes: 97110-GO\npayer: medicare", &exercise_body()));
    assert_clean(&note("codes: 97110-GN\npayer: medicare", &exercise_body()));
}

#[test]
fn missing_therapy_modifier_only_under_medicare() {
    assert_clean(&note("codes: 97110\npayer: commercial", &exercise_body()));
    assert_clean(&note("codes: 97110", &exercise_body()));
    // The project's default payer counts like `payer:`.
    let settings = Settings {
        default_payer: Some("medicare".into()),
        ..Settings::default()
    };
    let text = note("codes: 97110", &exercise_body());
    let rules: Vec<String> = diagnostics_with(&text, &settings)
        .into_iter()
        .map(|d| d.rule.to_string())
        .collect();
    assert_eq!(rules, ["missing-therapy-modifier"]);
}

#[test]
fn each_therapy_code_without_gp_is_reported() {
    let text = note(
        "codes: 97110, 97140-GP, 97112\npayer: medicare",
        &[
            DATE, NECESSITY, TECHNIQUE, EXERCISE, RESPONSE, TIME, SIGNATURE,
        ]
        .concat(),
    );
    let spans: Vec<String> = only(&diagnostics(&text), "missing-therapy-modifier")
        .iter()
        .map(|d| d.span.text(&text).to_string())
        .collect();
    assert_eq!(spans, ["97110", "97112"]);
}

// --- vague-technique ----------------------------------------------------------------------------

#[test]
fn vague_technique_for_only_manual_therapy() {
    let vague = "\n## Technique\n- Manual therapy to {{region:region}}\n";
    let text = note(
        "codes: 97140",
        &[DATE, NECESSITY, vague, RESPONSE, TIME, SIGNATURE].concat(),
    );
    assert_eq!(
        findings(&text),
        [(
            "vague-technique".to_string(),
            Severity::Error,
            line_of(&text, "- Manual therapy")
        )]
    );
    assert_eq!(
        single(&text, "vague-technique").span.text(&text),
        "Manual therapy"
    );
}

#[test]
fn no_vague_technique_when_a_lexicon_technique_is_named() {
    let named = "\n## Technique\n- Manual therapy: {soft tissue mobilization|myofascial release} to {{region:region}}\n";
    assert_clean(&note(
        "codes: 97140",
        &[DATE, NECESSITY, named, RESPONSE, TIME, SIGNATURE].concat(),
    ));
    // An abbreviation names a technique too.
    let abbreviated = "\n## Technique\n- Manual therapy: STM to {{region:region}}\n";
    assert_clean(&note(
        "codes: 97140",
        &[DATE, NECESSITY, abbreviated, RESPONSE, TIME, SIGNATURE].concat(),
    ));
}

// --- billed-elsewhere ---------------------------------------------------------------------------

const ELSEWHERE: &str =
    "\n## Technique\n- {soft tissue mobilization|cupping|dry needling} to {{region:region}}\n";

#[test]
fn billed_elsewhere_for_cupping_and_dry_needling_under_97140() {
    let text = note(
        "codes: 97140",
        &[DATE, NECESSITY, ELSEWHERE, RESPONSE, TIME, SIGNATURE].concat(),
    );
    let technique_line = line_of(&text, "cupping");
    assert_eq!(
        findings(&text),
        [
            (
                "billed-elsewhere".to_string(),
                Severity::Warning,
                technique_line
            ),
            (
                "billed-elsewhere".to_string(),
                Severity::Warning,
                technique_line
            ),
        ]
    );
    let all = diagnostics(&text);
    let found = only(&all, "billed-elsewhere");
    assert_eq!(found[0].span.text(&text), "cupping");
    assert!(found[0].message.contains("97039"), "{}", found[0].message);
    assert_eq!(found[1].span.text(&text), "dry needling");
    assert!(found[1].message.contains("20560"), "{}", found[1].message);
}

#[test]
fn no_billed_elsewhere_without_97140() {
    // The same technique section in a template that does not bill manual therapy.
    let text = note(
        "template: Needling visit",
        &[DATE, ELSEWHERE, SIGNATURE].concat(),
    );
    assert_clean(&text);
}

// --- technique-needs ----------------------------------------------------------------------------

#[test]
fn manual_lymphatic_drainage_needs_limb_measurements_and_lymphedema() {
    let mld = "\n## Technique\n- manual lymphatic drainage to {{region:region}}\n";
    let text = note(
        "codes: 97140",
        &[DATE, NECESSITY, mld, RESPONSE, TIME, SIGNATURE].concat(),
    );
    let at = line_of(&text, "manual lymphatic drainage");
    assert_eq!(
        findings(&text),
        [
            ("technique-needs".to_string(), Severity::Warning, at),
            ("technique-needs".to_string(), Severity::Warning, at),
        ]
    );
    let all = diagnostics(&text);
    let messages: Vec<&str> = only(&all, "technique-needs")
        .iter()
        .map(|d| d.message.as_str())
        .collect();
    assert!(
        messages.iter().any(|m| m.contains("limb measurements")),
        "{messages:?}"
    );
    assert!(
        messages.iter().any(|m| m.contains("lymphedema")),
        "{messages:?}"
    );

    // Limb girth and the lymphedema indication satisfy both needs.
    let complete = text.replace(
        "## Response\n",
        "## Response\nLimb girth before treatment: {{girth_before:number}} cm; indication: lymphedema.\n",
    );
    assert_clean(&complete);
    // Only one of them leaves the other reported.
    let girth_only = text.replace(
        "## Response\n",
        "## Response\nLimb girth before treatment: {{girth_before:number}} cm\n",
    );
    let remaining = single(&girth_only, "technique-needs");
    assert!(
        remaining.message.contains("lymphedema"),
        "{}",
        remaining.message
    );
}

#[test]
fn joint_mobilization_without_a_grade_is_info() {
    let ungraded =
        "\n## Technique\n- {joint mobilization|soft tissue mobilization} to {{region:region}}\n";
    let text = note(
        "codes: 97140",
        &[DATE, NECESSITY, ungraded, RESPONSE, TIME, SIGNATURE].concat(),
    );
    assert_eq!(
        findings(&text),
        [(
            "technique-needs".to_string(),
            Severity::Info,
            line_of(&text, "joint mobilization")
        )]
    );
    let diagnostic = single(&text, "technique-needs");
    assert_eq!(diagnostic.span.text(&text), "joint mobilization");
    assert!(
        diagnostic.message.contains("grade"),
        "{}",
        diagnostic.message
    );
    // The base technique line has a grade; Maitland names one too.
    assert_clean(&note("codes: 97140", &manual_therapy_body()));
    assert_clean(&text.replace(
        "{{region:region}}\n",
        "{{region:region}}, Maitland {I|II|III|IV}\n",
    ));
}

// --- missing-minutes ----------------------------------------------------------------------------

#[test]
fn missing_minutes_when_a_timed_code_has_no_minutes_field() {
    let no_minutes = "\n## Time\nNotes on the session: {{session_notes}}\n";
    let text = note(
        "codes: 97140",
        &[DATE, NECESSITY, TECHNIQUE, RESPONSE, no_minutes, SIGNATURE].concat(),
    );
    assert_eq!(
        findings(&text),
        [(
            "missing-minutes".to_string(),
            Severity::Error,
            line_of(&text, "codes:")
        )]
    );
    let diagnostic = single(&text, "missing-minutes");
    assert_eq!(diagnostic.span.text(&text), "97140");
    // The fix adds the minute totals to the existing Time section.
    let fixed = apply_fix(&text, &diagnostic);
    assert!(
        fixed.contains("Total timed-code minutes: {{timed_minutes:minutes}}"),
        "{fixed}"
    );
    assert_clean(&fixed);
}

#[test]
fn no_missing_minutes_with_a_minutes_field_or_without_timed_codes() {
    // Outside a daily note a single per-code minutes field is enough.
    let per_code = "\n## Time\nManual therapy minutes: {{mt_minutes:minutes}}\n";
    assert_clean(&note(
        "codes: 97140\npayer: commercial",
        &[DATE, NECESSITY, TECHNIQUE, RESPONSE, per_code, SIGNATURE].concat(),
    ));
    // A number field labelled in minutes counts as well as a `minutes` field.
    for labelled in [
        "\n## Time\nTime spent (min): {{time_spent:number}}\n",
        "\n## Time\nManual therapy x {{mt:number}} min\n",
    ] {
        assert_no(
            &note(
                "codes: 97140\npayer: commercial",
                &[DATE, NECESSITY, TECHNIQUE, RESPONSE, labelled, SIGNATURE].concat(),
            ),
            "missing-minutes",
        );
    }
    // 98941 is untimed.
    let text = note(
        "codes: 98941",
        &[DATE, MANIPULATION, PLAN, SIGNATURE].concat(),
    );
    assert_clean(&text);
}

// --- missing-total-minutes ----------------------------------------------------------------------

const PER_CODE_TIME: &str = "\n## Time\nManual therapy minutes: {{mt_minutes:minutes}}\n";

fn per_code_only_body() -> String {
    [
        DATE,
        NECESSITY,
        TECHNIQUE,
        RESPONSE,
        PER_CODE_TIME,
        SIGNATURE,
    ]
    .concat()
}

#[test]
fn missing_total_minutes_in_daily_notes() {
    for front_matter in [
        "codes: 97140\ntype: daily",
        "codes: 97140-GP\npayer: medicare",
        "codes: 97140\npayer: commercial\ntype: daily",
    ] {
        let text = note(front_matter, &per_code_only_body());
        assert_eq!(
            findings(&text),
            [(
                "missing-total-minutes".to_string(),
                Severity::Error,
                line_of(&text, "codes:")
            )],
            "{front_matter}"
        );
        let diagnostic = single(&text, "missing-total-minutes");
        assert!(
            diagnostic.message.contains("total timed-code minutes")
                && diagnostic.message.contains("total treatment minutes"),
            "{}",
            diagnostic.message
        );
        assert_clean(&apply_fix(&text, &diagnostic));
    }
}

#[test]
fn missing_total_minutes_names_only_the_missing_total() {
    let timed_only = "\n## Time\nTotal timed-code minutes: {{timed_minutes:minutes}}\n";
    let text = note(
        "codes: 97140\ntype: daily",
        &[DATE, NECESSITY, TECHNIQUE, RESPONSE, timed_only, SIGNATURE].concat(),
    );
    let diagnostic = single(&text, "missing-total-minutes");
    assert!(
        diagnostic.message.contains("total treatment minutes")
            && !diagnostic
                .message
                .contains("record total timed-code minutes"),
        "{}",
        diagnostic.message
    );
}

#[test]
fn both_totals_on_one_line_are_recognised() {
    let one_line = "\n## Time\nTotal timed-code minutes: {{timed_minutes:minutes}}; total treatment minutes: {{total_minutes:minutes}}\n";
    assert_clean(&note(
        "codes: 97140\ntype: daily",
        &[DATE, NECESSITY, TECHNIQUE, RESPONSE, one_line, SIGNATURE].concat(),
    ));
}

#[test]
fn no_missing_total_minutes_outside_daily_notes() {
    for front_matter in [
        "codes: 97140\npayer: commercial",
        "codes: 97140",
        "codes: 97140-GP\npayer: medicare\ntype: progress",
    ] {
        assert_no(
            &note(front_matter, &per_code_only_body()),
            "missing-total-minutes",
        );
    }
    assert_clean(&note(
        "codes: 97140\npayer: commercial",
        &per_code_only_body(),
    ));
}

// --- missing-date and missing-signature --------------------------------------------------------

#[test]
fn missing_date_in_every_note_and_the_fix_adds_one() {
    let body = manual_therapy_body().replacen(DATE, "", 1);
    for (front_matter, anchor) in [
        ("codes: 97140\ntype: daily", "type:"),
        ("codes: 97140-GP\npayer: medicare", "codes:"),
        ("codes: 97140\npayer: commercial", "codes:"),
        ("codes: 97140", "codes:"),
    ] {
        let text = note(front_matter, &body);
        assert_eq!(
            findings(&text),
            [(
                "missing-date".to_string(),
                Severity::Error,
                line_of(&text, anchor)
            )],
            "{front_matter}"
        );
        let fixed = apply_fix(&text, &single(&text, "missing-date"));
        assert!(
            fixed.contains("Date of service: {{date_of_service:date}}"),
            "{fixed}"
        );
        assert_clean(&fixed);
    }
}

#[test]
fn the_signature_date_is_not_the_date_of_service() {
    // The base body has `{{signed_on:date}}` in the signature section only.
    let text = note(
        "codes: 97140\ntype: daily",
        &manual_therapy_body().replacen(DATE, "", 1),
    );
    single(&text, "missing-date");
}

#[test]
fn no_missing_date_in_a_fragment() {
    // A file without front matter is a fragment that templates include, not a note.
    let body = manual_therapy_body().replacen(DATE, "", 1);
    assert_clean(&body);
}

#[test]
fn a_date_field_must_be_the_date_of_service() {
    let body = manual_therapy_body().replacen(DATE, "", 1);
    for other in [
        "Date of next visit: {{next_visit:date}}\n",
        "Onset date: {{onset:date}}\n",
        "Goal target date: {{target_date:date}}\n",
        "Visit: {{visit_id}}\n",
    ] {
        let text = note("codes: 97140", &format!("{other}{body}"));
        single(&text, "missing-date");
    }
    for service in [
        "Date: {{date:date}}\n",
        "DOS: {{dos}}\n",
        "Visit date: {{visit:date}}\n",
        "Encounter Date: {{encounter:date}}\n",
        "Date of service: ***\n",
    ] {
        let text = note("codes: 97140", &format!("{service}{body}"));
        assert_no(&text, "missing-date");
    }
}

#[test]
fn missing_signature_in_every_note_and_the_fix_adds_one() {
    let body = manual_therapy_body().replacen(SIGNATURE, "", 1);
    for (front_matter, anchor) in [
        ("codes: 97140\ntype: daily", "type:"),
        ("codes: 97140-GP\npayer: medicare", "codes:"),
        ("codes: 97140\npayer: commercial", "codes:"),
    ] {
        let text = note(front_matter, &body);
        assert_eq!(
            findings(&text),
            [(
                "missing-signature".to_string(),
                Severity::Error,
                line_of(&text, anchor)
            )],
            "{front_matter}"
        );
        let fixed = apply_fix(&text, &single(&text, "missing-signature"));
        assert!(fixed.contains("## Signature"), "{fixed}");
        assert_clean(&fixed);
    }
}

#[test]
fn a_signature_line_is_enough_without_a_signature_section() {
    let signed = |line: &str| {
        note(
            "codes: 97140\ntype: daily",
            &manual_therapy_body().replacen(SIGNATURE, line, 1),
        )
    };
    assert_clean(&signed(
        "\nTherapist signature: {{therapist_signature}}, {PT|PTA}\n",
    ));
    assert_clean(&signed("\nElectronically signed by {{clinician}}, PT\n"));
    // A name is not a signature.
    single(
        &signed("\nTreating therapist: {{therapist_name}}, {PT|PTA}\n"),
        "missing-signature",
    );
    // A signature without credentials is its own finding.
    let bare = signed("\nTherapist signature: {{therapist_signature}}\n");
    assert_eq!(
        findings(&bare),
        [(
            "signature-without-credentials".to_string(),
            Severity::Warning,
            line_of(&bare, "Therapist signature")
        )]
    );
}

#[test]
fn no_missing_signature_in_a_fragment() {
    assert_clean(&manual_therapy_body().replacen(SIGNATURE, "", 1));
}

// --- The payer examples ------------------------------------------------------------------------

fn example(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(name);
    std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()))
}

#[test]
fn chiropractic_pairing_example_reports_modifier_and_region_errors() {
    let text = example("payer-chiropractic-pairing.note");
    let codes = line_of(&text, "codes:");
    assert_eq!(codes, 3);
    assert_eq!(
        findings(&text),
        [
            ("missing-modifier".to_string(), Severity::Error, codes),
            ("missing-region".to_string(), Severity::Error, codes),
        ]
    );
    // Both fixes together make it clean.
    let all = diagnostics(&text);
    let with_modifier = apply_fix(&text, only(&all, "missing-modifier")[0]);
    let fixed = apply_fix(&with_modifier, &single(&with_modifier, "missing-region"));
    assert_clean(&fixed);
}

#[test]
fn medicare_daily_note_example_is_clean() {
    let text = example("payer-medicare-daily-note.note");
    assert!(text.contains("payer: medicare"));
    assert_clean(&text);
}

// --- noteplate units ---------------------------------------------------------------------------

fn units(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_noteplate"))
        .arg("units")
        .args(args)
        .output()
        .expect("run noteplate units")
}

#[test]
fn units_json_under_medicare_pools_the_minutes() {
    let output = units(&[
        "97110=33", "97140=7", "--payer", "medicare", "--format", "json",
    ]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert_eq!(
        String::from_utf8(output.stdout).unwrap().trim_end(),
        r#"{"payer":"medicare","total_minutes":40,"total_units":3,"codes":[{"code":"97110","minutes":33,"units":2},{"code":"97140","minutes":7,"units":1}],"warnings":[]}"#
    );
}

#[test]
fn units_json_under_commercial_rounds_each_code() {
    let output = units(&[
        "97110=33",
        "97140=7",
        "--payer",
        "commercial",
        "--format",
        "json",
    ]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["payer"], "commercial");
    assert_eq!(json["total_minutes"], 40);
    assert_eq!(json["total_units"], 2);
    assert_eq!(json["codes"][0]["code"], "97110");
    assert_eq!(json["codes"][0]["units"], 2);
    assert_eq!(json["codes"][1]["code"], "97140");
    assert_eq!(json["codes"][1]["units"], 0);
}

#[test]
fn units_human_output_explains_the_result() {
    let output = units(&["97110=33", "97140=7"]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("40 timed minutes, 3 units"), "{text}");
    assert!(text.contains("Reasoning:"), "{text}");
}

#[test]
fn units_bad_input_exits_2() {
    for args in [
        &["97110=abc"][..],
        &["97110"][..],
        &["=15"][..],
        &["97110=-5"][..],
        &["97110=33", "--payer", "bcbs"][..],
    ] {
        let output = units(args);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {output:?}");
        assert!(output.stdout.is_empty(), "{args:?}");
        assert!(!output.stderr.is_empty(), "{args:?}");
    }
}

#[test]
fn untimed_codes_stay_out_of_the_timed_pool_with_a_warning() {
    let output = units(&[
        "97140=8", "97014=30", "--payer", "medicare", "--format", "json",
    ]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["total_minutes"], 8);
    assert_eq!(json["total_units"], 1);
    assert_eq!(
        json["codes"],
        serde_json::json!([{"code": "97140", "minutes": 8, "units": 1}])
    );
    let warnings = json["warnings"].as_array().expect("warnings");
    assert_eq!(warnings.len(), 1, "{json}");
    assert_eq!(warnings[0]["code"], "97014");
    assert!(
        warnings[0]["message"].as_str().unwrap().contains("untimed"),
        "{json}"
    );
}

#[test]
fn units_strip_modifiers_and_say_one_unit() {
    let output = units(&["97140-GP=10", "--payer", "medicare"]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let stdout = String::from_utf8(output.stdout).unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stdout.contains("10 timed minutes, 1 unit\n"), "{stdout}");
    assert!(stdout.contains("97140"), "{stdout}");
    assert!(!stderr.contains("not in the rule pack"), "{stderr}");
}
