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
    /// `{"payer","total_minutes","total_units","codes":[{"code","minutes","units"}]}`.
    Json,
}

#[derive(Serialize)]
struct Report<'a> {
    payer: &'a str,
    total_minutes: u32,
    total_units: u32,
    codes: &'a [CodeUnits],
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
    for entry in &args.entries {
        let parsed = entry
            .split_once('=')
            .and_then(|(code, minutes)| {
                Some((
                    code.trim().to_ascii_uppercase(),
                    minutes.trim().parse::<u32>().ok()?,
                ))
            })
            .filter(|(code, _)| !code.is_empty());
        match parsed {
            Some(pair) => entries.push(pair),
            None => {
                eprintln!(
                    "error: `{entry}` is not CODE=MINUTES; write e.g. `97140=23` (minutes as a whole number)"
                );
                return EXIT_TROUBLE;
            }
        }
    }
    for (code, _) in &entries {
        match pack.code(code) {
            Some(known) if !known.timed => {
                eprintln!("warning: {code} is untimed; its minutes do not count toward timed units")
            }
            None => {
                eprintln!("warning: {code} is not in the rule pack; treating it as a timed code")
            }
            _ => {}
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
                "{} profile ({}): {} timed minutes, {} units",
                profile.name,
                match profile.unit_method {
                    units::UnitMethod::TotalTime => "minutes pooled, 8-minute rule",
                    units::UnitMethod::PerCode => "each code rounded on its own",
                },
                breakdown.total_minutes,
                breakdown.total_units
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
