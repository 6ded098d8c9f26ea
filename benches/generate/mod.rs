//! Deterministic generator of realistic `.note` templates, for the benchmarks, the `check` corpus
//! and the never-panics tests. No dependencies: a SplitMix64 generator and fixed vocabularies, so
//! the same seed gives the same text on every machine and every run.
//!
//! The text looks like what clinicians write: front matter with billing codes and modifiers, 4-6
//! sections whose headings are aliases from the embedded rule pack (and a few unrecognised ones),
//! lines mixing prose with fields, choices, wildcards, escapes and comments, technique names from
//! the lexicon, a sprinkling of non-ASCII (`°`, `é`, `–`), and a realistic share of mistakes that
//! produce findings (misspelt techniques, unknown field types, empty choice options, an unknown
//! code, an unclosed field). About two thirds of content lines carry markup; the rest is prose
//! (the parser's plain-text fast path).

// `*rng.pick(list)` pins the element type for inference (`push_str(rng.pick(list))` would ask
// for a `[str]`), so the explicit deref clippy flags is needed.
#![allow(clippy::explicit_auto_deref)]
#![allow(dead_code)] // each user (bench, corpus writer, tests) uses a different part

/// SplitMix64: tiny, fast, and good enough for picking words.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..bound` (`bound > 0`).
    pub fn below(&mut self, bound: usize) -> usize {
        (self.next_u64() % bound as u64) as usize
    }

    /// True with probability `percent`/100.
    pub fn chance(&mut self, percent: u32) -> bool {
        self.below(100) < percent as usize
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

const TEMPLATE_NAMES: &[&str] = &[
    "Manual therapy daily note",
    "Cervical follow-up",
    "Lumbar spine re-evaluation",
    "Shoulder post-op visit",
    "Knee ACL rehab – phase 2",
    "Neuro re-ed session",
    "Chiropractic adjustment visit",
    "Initial evaluation (moderate complexity)",
    "Progress note – 10th visit",
    "Discharge summary",
];

/// Codes with their usual modifiers and the section kinds the pack wants for them.
const CODES: &[(&str, &[&str])] = &[
    ("97140-GP", &["necessity", "technique", "response", "time"]),
    (
        "97110-GP",
        &["necessity", "intervention", "response", "time"],
    ),
    (
        "97112-GP",
        &["necessity", "intervention", "response", "time"],
    ),
    (
        "97116-GP",
        &["necessity", "intervention", "response", "time"],
    ),
    (
        "97530-GP",
        &["necessity", "intervention", "response", "time"],
    ),
    (
        "97535-GO",
        &["necessity", "intervention", "response", "time"],
    ),
    (
        "97124-GP",
        &["necessity", "intervention", "response", "time"],
    ),
    ("97750-GP", &["findings", "assessment", "time"]),
    ("97162-GP", &["history", "findings", "plan", "goals"]),
    ("97164-GP", &["necessity", "findings", "plan", "goals"]),
    ("98940", &["findings", "intervention", "plan"]),
    ("98941-AT", &["findings", "intervention", "plan"]),
    ("97012-GP", &["intervention", "necessity"]),
    ("G0283-GP", &["intervention", "necessity"]),
    (
        "97140-GP-59",
        &["necessity", "technique", "response", "time"],
    ),
    (
        "97110-GO",
        &["necessity", "intervention", "response", "time"],
    ),
    (
        "97530-GP-KX",
        &["necessity", "intervention", "response", "time"],
    ),
];
const PAYERS: &[&str] = &["medicare", "commercial", "Medicare"];
const NOTE_TYPES: &[&str] = &["daily", "evaluation", "progress", "discharge"];

/// (kind, heading titles that mean it). Titles come from the pack's aliases.
const SECTIONS: &[(&str, &[&str])] = &[
    ("subjective", &["Subjective", "Patient report"]),
    (
        "history",
        &["History", "Patient history", "History of present illness"],
    ),
    (
        "necessity",
        &[
            "Medical necessity",
            "Skilled need",
            "Why skilled care is needed",
            "Rationale",
        ],
    ),
    (
        "findings",
        &[
            "Findings",
            "Objective findings",
            "Tests and measures",
            "Physical examination",
        ],
    ),
    (
        "technique",
        &[
            "Technique",
            "Manual therapy",
            "Techniques used",
            "Manual therapy techniques",
        ],
    ),
    (
        "intervention",
        &[
            "Interventions",
            "Therapeutic exercise",
            "Treatment provided",
        ],
    ),
    (
        "response",
        &[
            "Response",
            "Patient response",
            "Response to treatment",
            "Tolerance to treatment",
        ],
    ),
    ("assessment", &["Assessment", "Clinical impression"]),
    ("goals", &["Goals", "Short-term goals", "Functional goals"]),
    ("plan", &["Plan", "Plan of care", "Next visit"]),
    ("time", &["Time", "Treatment time", "Time log"]),
    ("signature", &["Signature", "Therapist signature"]),
    (
        "other",
        &[
            "Home program",
            "Precautions",
            "Education provided",
            "Equipment",
        ],
    ),
];

const REGIONS: &[&str] = &[
    "cervical spine",
    "thoracic spine",
    "lumbar spine",
    "left shoulder",
    "right shoulder",
    "left knee",
    "right knee",
    "sacroiliac joint",
    "left hip",
    "right ankle",
    "upper trapezius",
];
const TECHNIQUES: &[&str] = &[
    "joint mobilization",
    "soft tissue mobilization",
    "myofascial release",
    "trigger point release",
    "muscle energy technique",
    "strain-counterstrain",
    "manual traction",
    "neural mobilization",
    "Maitland graded mobilization",
    "mobilization with movement",
    "PNF stretching",
    "STM",
    "MFR",
    "instrument-assisted soft tissue mobilization",
    "positional release",
    "scar mobilization",
    "manual lymphatic drainage",
    "passive range of motion",
    "transverse friction massage",
];
/// Near misses of lexicon names: `unknown-technique` findings with a suggestion.
const TECHNIQUE_TYPOS: &[&str] = &[
    "myofacial release",
    "joint mobilzation",
    "trigger point relase",
    "soft tisue mobilization",
    "neural mobilisaton",
    "manual tracton",
];
const PROSE: &[&str] = &[
    "Patient positioned supine with a pillow under the knees for comfort.",
    "Reviewed home exercise program and corrected form on all exercises.",
    "Education provided on posture, activity modification and pacing.",
    "Patient reports adherence to the home program most days of the week.",
    "No adverse reaction observed during or after treatment.",
    "Progressed resistance per protocol; monitored for compensation.",
    "Verbal and tactile cues required to maintain neutral spine.",
    "Discussed return-to-work plan and expected timeline with the patient.",
    "Vital signs within normal limits before and after the session.",
    "Patient tolerated the session without increase in symptoms.",
    "Manual therapy performed to reduce guarding and improve joint play.",
    "Rotation measured at 45° right and 30° left with pain at end range.",
    "Patient's café job requires prolonged standing and lifting up to 20 lb.",
    "Goals reviewed – patient agrees with the plan and frequency.",
];
/// Field names with the type templates give them (one type per name, as in real templates).
const FIELDS: &[(&str, &str)] = &[
    ("impairment", ""),
    ("functional_limitation", ""),
    ("activity", ":text"),
    ("segment", ""),
    ("pain_before", ":number"),
    ("pain_after", ":number"),
    ("visit_date", ":date"),
    ("next_visit", ":date"),
    ("goal_1", ""),
    ("goal_2", ""),
    ("rom_flexion", ":number"),
    ("rom_extension", ":number"),
    ("strength_grade", ":number"),
    ("hep_exercises", ""),
    ("precautions", ":text"),
    ("referral_source", ""),
    ("treated_region", ":region"),
    ("exercise_minutes", ":minutes"),
];
const CHOICES: &[&str] = &[
    "{well|with mild soreness|poorly}",
    "{independent|with supervision|with minimal assist|with moderate assist}",
    "{improved|unchanged|worsened}",
    "{supine|prone|side-lying|seated}",
    "{I|II|III|IV|V}",
    "{2x/week|3x/week|weekly}",
    "{left|right|bilateral}",
    "{met|partially met|not met}",
];

fn field(rng: &mut Rng) -> String {
    let &(name, ty) = rng.pick(FIELDS);
    if rng.chance(15) {
        format!("{{{{ {name}{} }}}}", ty.replace(':', " : "))
    } else {
        format!("{{{{{name}{ty}}}}}")
    }
}

/// One content line for a section of `kind`. `mistakes` (percent) is how often a line carries a
/// finding.
fn content_line(rng: &mut Rng, kind: &str, mistakes: u32) -> String {
    if rng.chance(mistakes) {
        return match rng.below(7) {
            0 | 1 if kind == "technique" => format!(
                "- {} to {{{{region:region}}}}: ***",
                rng.pick(TECHNIQUE_TYPOS)
            ),
            0 => format!(
                "Pain rated {{{{pain:nubmer}}}}/10 at rest and {}.",
                field(rng)
            ),
            1 => "Tolerated treatment {well||poorly} overall.".to_string(),
            2 => "Patient seen for {follow-up} today.".to_string(),
            3 => format!(
                "Pressure held {{{{seconds:number}} seconds at {}.",
                rng.pick(REGIONS)
            ),
            4 => format!("Use the {{{{ 2nd visit }}}} wording from {}.", field(rng)),
            5 => "Stray closing brace here } by mistake.".to_string(),
            _ => format!(
                "- {{joint mobilization|myofacial release}} to {}",
                field(rng)
            ),
        };
    }
    if rng.chance(33) {
        let mut line = rng.pick(PROSE).to_string();
        if rng.chance(10) {
            line.push_str(" <!-- confirm wording with compliance -->");
        }
        return line;
    }
    let region = rng.pick(REGIONS);
    match kind {
        "technique" => match rng.below(4) {
            0 => format!(
                "- {{{}|{}|{}}} to {{{{region:region}}}}: ***",
                rng.pick(TECHNIQUES),
                rng.pick(TECHNIQUES),
                rng.pick(TECHNIQUES)
            ),
            1 => format!(
                "- Grade {} {} to {} for {{{{technique_minutes:minutes}}}} minutes",
                rng.pick(CHOICES),
                rng.pick(TECHNIQUES),
                region
            ),
            2 => format!(
                "- {} to the {region} in {}, followed by {}.",
                rng.pick(TECHNIQUES),
                rng.pick(CHOICES),
                rng.pick(TECHNIQUES)
            ),
            _ => format!(
                "- {} applied to {region}; patient response: ***",
                rng.pick(TECHNIQUES)
            ),
        },
        "response" => format!(
            "Tolerated treatment {}; pain {{{{pain_before:number}}}}/10 before, {{{{pain_after:number}}}}/10 after.",
            rng.pick(CHOICES)
        ),
        "time" => format!(
            "{}: {{{{minutes_{}:minutes}}}} min",
            &rng.pick(CODES).0[..5],
            rng.below(9)
        ),
        "necessity" => format!(
            "Skilled care is needed for {} limiting {}; goal: ***.",
            field(rng),
            field(rng)
        ),
        "findings" => format!(
            "{}: flexion {{{{rom_flexion:number}}}}°, extension {{{{rom_extension:number}}}}°, strength {} ***",
            region,
            rng.pick(CHOICES)
        ),
        "signature" => "Electronically signed by {{therapist}} on {{visit_date:date}}.".to_string(),
        _ => match rng.below(5) {
            0 => format!("- {} \\{{see protocol\\}} ***", rng.pick(PROSE)),
            1 => format!("Patient performs {} {}.", field(rng), rng.pick(CHOICES)),
            2 => format!(
                "{} Status: {}; details: ***",
                rng.pick(PROSE),
                rng.pick(CHOICES)
            ),
            3 => format!(
                "- {} {} x {{{{sets:number}}}} sets",
                field(rng),
                rng.pick(CHOICES)
            ),
            _ => format!(
                "Reports {} in the {region} since {}.",
                field(rng),
                field(rng)
            ),
        },
    }
}

/// Writes the front matter; returns the section kinds its codes want.
fn front_matter(rng: &mut Rng, out: &mut String, mistakes: u32) -> Vec<&'static str> {
    out.push_str("---\n");
    out.push_str(&format!("template: {}\n", rng.pick(TEMPLATE_NAMES)));
    let mut codes: Vec<&str> = Vec::new();
    let mut kinds: Vec<&'static str> = Vec::new();
    for _ in 0..1 + rng.below(3) {
        let &(code, needs) = rng.pick(CODES);
        if codes.iter().any(|known| known[..5] == code[..5]) && !rng.chance(mistakes * 2) {
            continue; // a duplicate code only in templates with mistakes
        }
        codes.push(code);
        for kind in needs {
            if !kinds.contains(kind) {
                kinds.push(kind);
            }
        }
    }
    if rng.chance(mistakes) {
        codes.push("97410");
    }
    out.push_str(&format!("codes: {}\n", codes.join(", ")));
    if rng.chance(80) {
        out.push_str(&format!("payer: {}\n", rng.pick(PAYERS)));
    }
    if rng.chance(70) {
        out.push_str(&format!("type: {}\n", rng.pick(NOTE_TYPES)));
    }
    if rng.chance(40) {
        out.push_str(&format!("version: 2.{}\n", rng.below(20)));
    }
    out.push_str("---\n");
    kinds
}

fn section(
    rng: &mut Rng,
    out: &mut String,
    level: usize,
    kind: usize,
    lines: usize,
    mistakes: u32,
) {
    let (kind, titles) = SECTIONS[kind];
    out.push('\n');
    out.push_str(&"#".repeat(level));
    out.push(' ');
    out.push_str(*rng.pick(titles));
    if kind != "other" && rng.chance(10) {
        out.push_str(&format!(" {{#{kind}}}"));
    }
    out.push('\n');
    if rng.chance(10) {
        out.push_str("<!-- Keep this section short:\n     reviewers read it first. -->\n");
    }
    let fixed: &[&str] = match kind {
        "time" => &[
            "Total timed-code minutes: {{timed_minutes:minutes}}",
            "Total treatment minutes: {{total_minutes:minutes}}",
        ],
        "signature" => &["Electronically signed by {{therapist}} on {{visit_date:date}}."],
        _ => &[],
    };
    for line in fixed {
        out.push_str(line);
        out.push('\n');
    }
    for _ in fixed.len()..lines {
        out.push_str(&content_line(rng, kind, mistakes));
        out.push('\n');
    }
}

/// A typical template of about 3 KB: front matter with 1-3 codes, 4-6 sections of 4-11 lines:
/// the kinds the codes want (each left out now and then), then others, in the usual order. A
/// third of templates are written without mistakes; in the others about one line in sixteen
/// carries one.
pub fn template(seed: u64) -> String {
    let mut rng = Rng::new(seed);
    let mistakes = if rng.chance(33) { 0 } else { 6 };
    let mut out = String::with_capacity(4096);
    let wanted = front_matter(&mut rng, &mut out, mistakes);
    let mut kinds: Vec<usize> = SECTIONS
        .iter()
        .enumerate()
        .filter(|(_, (kind, _))| wanted.contains(kind) && !rng.chance(mistakes * 2))
        .map(|(index, _)| index)
        .collect();
    let target = 4 + rng.below(3);
    while kinds.len() < target {
        let extra = rng.below(SECTIONS.len());
        if !kinds.contains(&extra) {
            kinds.push(extra);
        }
    }
    kinds.sort_unstable();
    if rng.chance(mistakes) {
        kinds.push(kinds[0]); // a duplicate section
    }
    for kind in kinds {
        let lines = 4 + rng.below(7);
        section(&mut rng, &mut out, 2, kind, lines, mistakes);
    }
    out
}

/// A large document of about `lines` lines (at least that many): front matter, then parts
/// (`# Part N`) of 3-6 sections with `###` subsections by region, like a template library or a
/// long evaluation. Findings occur at the same rate as in [`template`].
pub fn document_lines(seed: u64, lines: usize) -> String {
    build_large(seed, |_, count| count < lines)
}

/// Like [`document_lines`], sized by bytes (at least `bytes`).
pub fn document_bytes(seed: u64, bytes: usize) -> String {
    build_large(seed, |out, _| out.len() < bytes)
}

fn build_large(seed: u64, mut more: impl FnMut(&str, usize) -> bool) -> String {
    let mut rng = Rng::new(seed);
    let mut out = String::new();
    let _ = front_matter(&mut rng, &mut out, 6);
    let mut part = 1;
    let mut counted = 0; // bytes of `out` whose line breaks are in `line_count`
    let mut line_count = 0;
    loop {
        line_count += out[counted..].bytes().filter(|&byte| byte == b'\n').count();
        counted = out.len();
        if !more(&out, line_count) {
            break;
        }
        out.push_str(&format!("\n# Part {part}\n"));
        part += 1;
        for _ in 0..3 + rng.below(4) {
            let kind = rng.below(SECTIONS.len());
            let lines = 3 + rng.below(6);
            section(&mut rng, &mut out, 2, kind, lines, 6);
            if rng.chance(40) {
                out.push_str(&format!("\n### {}\n", capitalise(*rng.pick(REGIONS))));
                for _ in 0..2 + rng.below(4) {
                    out.push_str(&content_line(&mut rng, "technique", 6));
                    out.push('\n');
                }
            }
        }
    }
    out
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Pieces that open, close or break constructs, for [`mutated_template`].
const SHARP: &[&str] = &[
    "{{",
    "}}",
    "{",
    "}",
    "|",
    "***",
    "*",
    "\\",
    "\\{",
    "<!--",
    "-->",
    "---",
    "\n---\n",
    "#",
    "## ",
    "\n## Technique\n",
    "{#technique}",
    "{#nope}",
    "\r\n",
    "\r",
    "\t",
    ":",
    ",",
    "é",
    "😀",
    "\u{feff}",
    "{{a:nubmer}}",
    "{a||b}",
    "{x}",
    "myofacial release",
    "97410",
    "@include ",
    "<!-- noteplate-disable-next-line unknown-technique -->",
];

/// A [`template`] with a few random cuts and insertions of sharp pieces at char boundaries: text
/// that exercises every error path of the parser and the rules.
pub fn mutated_template(seed: u64) -> String {
    let mut text = template(seed);
    let mut rng = Rng::new(seed ^ 0xDEAD_BEEF);
    for _ in 0..1 + rng.below(6) {
        let mut start = rng.below(text.len() + 1);
        while !text.is_char_boundary(start) {
            start -= 1;
        }
        let mut end = (start + rng.below(12)).min(text.len());
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.replace_range(start..end, *rng.pick(SHARP));
    }
    text
}
