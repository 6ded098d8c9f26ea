//! The pathological shapes of the red-team set (issue 14), each about 100 KB: written to a folder
//! (fragments need files), analysed the way `noteplate check` analyses a file. Shared by
//! `benches/adversarial.rs` (time) and `tests/adversarial.rs` (bounded work, counted).

#![allow(dead_code)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use noteplate::analysis::Diagnostic;
use noteplate::config::ProjectConfig;
use noteplate::fragments::FragmentCache;
use noteplate::pipeline::{self, Contents, IncludeBase};

/// About how large each template is.
pub const SIZE: usize = 100 * 1024;

/// Levels of the fan-out chain: each fragment includes the next twice.
pub const FAN_OUT_LEVELS: usize = 18;

pub struct Shape {
    pub name: &'static str,
    /// The project root (fragments live beside the template).
    pub dir: PathBuf,
    pub template: PathBuf,
    pub text: String,
}

const NAMES: &[&str] = &[
    "include_fan_out",
    "suppression_regions",
    "disable_file_flood",
    "many_codes",
    "long_line_of_braces",
];

pub fn names() -> &'static [&'static str] {
    NAMES
}

fn header(name: &str) -> String {
    format!("---\ntemplate: {name}\n---\n\n")
}

fn fill(mut text: String, unit: impl Fn(usize) -> String) -> String {
    let mut i = 0;
    while text.len() < SIZE {
        text.push_str(&unit(i));
        i += 1;
    }
    text
}

/// The text of shape `name` (and, for the fan-out, the fragments it needs in `dir`).
fn text(name: &str, dir: &Path) -> String {
    match name {
        // f00 includes f01 twice, ..., f17 is a Response section: 2^18 paths to the bottom.
        "include_fan_out" => {
            for level in 0..FAN_OUT_LEVELS {
                let body = if level + 1 < FAN_OUT_LEVELS {
                    let next = format!("@include f{:02}.note\n", level + 1);
                    format!("{next}{next}")
                } else {
                    "## Response\nTolerated {well|with mild soreness}.\n".to_string()
                };
                std::fs::write(dir.join(format!("f{level:02}.note")), body).unwrap();
            }
            fill(header("Fan out"), |_| "@include f00.note\n".to_string())
        }
        // 2,000 disable/enable pairs, each around a finding of the rule it disables.
        "suppression_regions" => fill(header("Regions"), |i| {
            format!(
                "<!-- noteplate-disable unknown-field-type -->\n{{{{x{i}:zz}}}}\n<!-- noteplate-enable unknown-field-type -->\n"
            )
        }),
        // disable-file comments for a rule with findings between them.
        "disable_file_flood" => fill(header("Flood"), |i| {
            if i % 2 == 0 {
                "<!-- noteplate-disable-file unknown-field-type -->\n".to_string()
            } else {
                format!("{{{{x{i}:zz}}}}\n")
            }
        }),
        // One `codes:` line of about 100 KB: known, unknown and repeated codes.
        "many_codes" => {
            let mut codes = String::new();
            let mut i = 0;
            while codes.len() < SIZE {
                let code = match i % 4 {
                    0 => "97110-GP".to_string(),
                    1 => "97140".to_string(),
                    2 => format!("9{:04}", i % 10_000),
                    _ => format!("X{i}"),
                };
                let _ = write!(codes, "{}{code}", if i == 0 { "" } else { ", " });
                i += 1;
            }
            format!("---\ntemplate: Codes\ncodes: {codes}\n---\n\n## Technique\n- manual therapy\n")
        }
        "long_line_of_braces" => "{".repeat(SIZE),
        other => panic!("no shape {other}"),
    }
}

/// Writes every shape into its own folder under `root`.
pub fn write_all(root: &Path) -> Vec<Shape> {
    NAMES
        .iter()
        .map(|&name| {
            let dir = root.join(name);
            std::fs::create_dir_all(&dir).unwrap();
            let text = text(name, &dir);
            let template = dir.join("template.note");
            std::fs::write(&template, &text).unwrap();
            Shape {
                name,
                dir,
                template,
                text,
            }
        })
        .collect()
}

/// Parses and analyses a shape as `noteplate check` does with no configuration file: includes
/// resolved through `cache`.
pub fn analyse(shape: &Shape, config: &ProjectConfig, cache: &FragmentCache) -> Vec<Diagnostic> {
    pipeline::analyse(
        Contents::Bytes(shape.text.clone().into_bytes()),
        IncludeBase::File(&shape.template),
        config,
        &config.settings,
        cache,
    )
    .analysis
    .diagnostics
}

pub fn config(shape: &Shape) -> ProjectConfig {
    ProjectConfig::defaults(shape.dir.clone())
}
