//! `noteplate units 97110=33 97140=7 --payer medicare`: units per code under a payer profile's
//! method, with the reasoning; `--format json` prints one object.

use clap::Args;
use serde::Serialize;

use super::{EXIT_CLEAN, EXIT_TROUBLE};
use crate::analysis::units::{self, CodeUnits};
use crate::rulepack::RulePack;

#[derive(Debug, Clone, Args)]
pub struct UnitsArgs {
    /// Timed minutes per code, as CODE=MINUTES (e.g. 97110=33 97140=7).
    #[arg(required = true, value_name = "CODE=MINUTES")]
    pub entries: Vec<String>,
    /// Payer profile whose unit method applies.
    #[arg(long, default_value = "medicare")]
    pub payer: String,
    #[arg(long, value_enum, default_value_t = UnitsFormat::Human)]
    pub format: UnitsFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum UnitsFormat {
    /// Units per code and the reasoning, for people.
    Human,
    /// `{"payer","total_minutes","total_units","codes":[{"code","minutes","units"}],
    /// "warnings":[{"code","message"}]}`.
    Json,
}

#[derive(Serialize)]
struct Report<'a> {
    payer: &'a str,
    total_minutes: u32,
    total_units: u32,
    codes: &'a [CodeUnits],
    warnings: &'a [Warning],
}

/// An entry that was left out of the timed pool or read with an assumption.
#[derive(Serialize)]
struct Warning {
    code: String,
    message: String,
}

pub fn run(args: &UnitsArgs) -> u8 {
    let pack = RulePack::embedded();
    let Some(profile) = pack.payer(&args.payer) else {
        let names: Vec<&str> = pack.payers.iter().map(|p| p.name.as_str()).collect();
        eprintln!(
            "error: unknown payer profile `{}`; use one of: {}",
            args.payer,
            names.join(", ")
        );
        return EXIT_TROUBLE;
    };
    let mut entries = Vec::new();
    let mut warnings = Vec::new();
    for entry in &args.entries {
        // `97140-GP=10`: modifiers do not change the code's minutes.
        let parsed = entry
            .split_once('=')
            .and_then(|(code, minutes)| {
                let code = code.trim().split('-').next().unwrap_or_default();
                Some((
                    code.to_ascii_uppercase(),
                    minutes.trim().parse::<u32>().ok()?,
                ))
            })
            .filter(|(code, _)| !code.is_empty());
        let Some((code, minutes)) = parsed else {
            eprintln!(
                "error: `{entry}` is not CODE=MINUTES; write e.g. `97140=23` or `97140-GP=23` (minutes as a whole number)"
            );
            return EXIT_TROUBLE;
        };
        match pack.code(&code) {
            // Only timed minutes are pooled (CMS; payer-rules.md 2.2): untimed codes stay out.
            Some(known) if !known.timed => warnings.push(Warning {
                message: format!(
                    "{code} is untimed (billed once per session); its {minutes} minutes are not timed minutes and were left out"
                ),
                code,
            }),
            None => {
                warnings.push(Warning {
                    message: format!(
                        "{code} is not in the rule pack; its minutes were counted as timed minutes"
                    ),
                    code: code.clone(),
                });
                entries.push((code, minutes));
            }
            Some(_) => entries.push((code, minutes)),
        }
    }
    if args.format == UnitsFormat::Human {
        for warning in &warnings {
            eprintln!("warning: {}", warning.message);
        }
    }
    let breakdown = units::calculate(profile.unit_method, &entries);
    match args.format {
        UnitsFormat::Json => {
            let report = Report {
                payer: &profile.name,
                total_minutes: breakdown.total_minutes,
                total_units: breakdown.total_units,
                codes: &breakdown.codes,
                warnings: &warnings,
            };
            match serde_json::to_string(&report) {
                Ok(json) => println!("{json}"),
                Err(error) => {
                    eprintln!("error: {error}");
                    return EXIT_TROUBLE;
                }
            }
        }
        UnitsFormat::Human => {
            println!(
                "{} profile ({}): {} timed minutes, {} unit{}",
                profile.name,
                match profile.unit_method {
                    units::UnitMethod::TotalTime => "minutes pooled, 8-minute rule",
                    units::UnitMethod::PerCode => "each code rounded on its own",
                },
                breakdown.total_minutes,
                breakdown.total_units,
                if breakdown.total_units == 1 { "" } else { "s" }
            );
            for code in &breakdown.codes {
                println!(
                    "  {}  {:>4} min  {} unit{}",
                    code.code,
                    code.minutes,
                    code.units,
                    if code.units == 1 { "" } else { "s" }
                );
            }
            println!("Reasoning:");
            for step in &breakdown.reasoning {
                println!("  - {step}");
            }
        }
    }
    EXIT_CLEAN
}
