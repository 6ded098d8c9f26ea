//! `cli`: the command-line face. Parses arguments, finds files, runs the core, prints reports and
//! picks the exit code. The core never sees a path or a terminal; this module never decides what
//! a finding is.
//!
//! Exit codes: 0 no error-level findings; 1 error-level findings; 2 usage, configuration or IO
//! errors (these win over 1, because a CI run that could not read its input proved nothing).

mod check;
mod fix;
mod fmt;
mod inputs;
mod interop;
mod output;
mod rules;
mod units;

use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

pub use check::{CheckArgs, FileReport};
pub use fix::apply_edits;
pub use rules::rules_markdown;

#[derive(Debug, Parser)]
#[command(
    name = "noteplate",
    version,
    about = "Lint clinical note templates (.note) and serve them to editors"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check templates and report what is missing or wrong.
    Check(CheckArgs),
    /// List every rule with its default severity.
    Rules {
        /// Print the full documentation of every rule as Markdown (this is `docs/rules.md`).
        #[arg(long)]
        markdown: bool,
    },
    /// Print a rule's documentation.
    Explain {
        /// Rule id, e.g. `missing-response`.
        rule: String,
    },
    /// Run the language server on stdin/stdout.
    Lsp,
    /// Compute billing units from timed minutes under a payer profile.
    Units(units::UnitsArgs),
    /// Print the effective configuration for a path and where each value came from.
    Config(ConfigArgs),
    /// Convert a template from another system (SmartPhrase, text form, FHIR Questionnaire,
    /// Markdown) into a `.note` template, then check it.
    Import(interop::ImportArgs),
    /// Write a template in another format (FHIR Questionnaire, HTML form, SmartPhrase, Markdown).
    Export(interop::ExportArgs),
    /// Rewrite templates in the canonical layout (`--check`: only show the diff, exit 1).
    Fmt(fmt::FmtArgs),
}

#[derive(Debug, Clone, clap::Args)]
struct ConfigArgs {
    /// A template or folder whose configuration to show (default: the current folder).
    path: Option<std::path::PathBuf>,
    /// Use this configuration file instead of searching for one.
    #[arg(long, value_name = "PATH", conflicts_with = "isolated")]
    config: Option<std::path::PathBuf>,
    /// Ignore configuration files.
    #[arg(long)]
    isolated: bool,
    /// Print the JSON Schema of noteplate.toml instead.
    #[arg(long)]
    schema: bool,
}

fn show_config(args: &ConfigArgs) -> u8 {
    if args.schema {
        print!("{}", crate::config::json_schema());
        return EXIT_CLEAN;
    }
    let path = args
        .path
        .clone()
        .unwrap_or_else(|| std::path::PathBuf::from("."));
    // For a folder, look up the configuration as a template inside it would.
    let probe = if path.is_dir() {
        path.join("template.note")
    } else {
        path
    };
    let resolver = crate::config::Resolver::new(args.config.clone(), args.isolated);
    match resolver.for_file(&probe) {
        Ok(config) => {
            print!("{}", crate::config::settings_origin_report(&config));
            EXIT_CLEAN
        }
        Err(error) => {
            eprintln!("error: {error}");
            EXIT_TROUBLE
        }
    }
}

/// Output format of `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// rustc-style snippets with the offending line and a caret.
    Human,
    /// One JSON object: `{"version":1,"files":N,"diagnostics":[...]}`.
    Json,
    /// GitHub Actions workflow commands (`::error file=...::message`), shown as annotations.
    Github,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
    Sarif,
    /// JUnit XML: one test case per file.
    Junit,
    /// GitLab Code Quality JSON.
    Gitlab,
}

/// When to colour human output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Color {
    Auto,
    Always,
    Never,
}

pub const EXIT_CLEAN: u8 = 0;
pub const EXIT_FINDINGS: u8 = 1;
pub const EXIT_TROUBLE: u8 = 2;

pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let code = if error.use_stderr() {
                EXIT_TROUBLE
            } else {
                EXIT_CLEAN
            };
            let _ = error.print();
            return ExitCode::from(code);
        }
    };
    match cli.command {
        Command::Check(args) => ExitCode::from(check::run(&args)),
        Command::Rules { markdown } => ExitCode::from(rules::list(markdown)),
        Command::Explain { rule } => ExitCode::from(rules::explain(&rule)),
        Command::Lsp => crate::lsp::run(),
        Command::Units(args) => ExitCode::from(units::run(&args)),
        Command::Config(args) => ExitCode::from(show_config(&args)),
        Command::Import(args) => ExitCode::from(interop::import(&args)),
        Command::Export(args) => ExitCode::from(interop::export(&args)),
        Command::Fmt(args) => ExitCode::from(fmt::run(&args)),
    }
}
