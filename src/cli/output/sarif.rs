//! `--format sarif`: not written yet.

use std::io::Write;

use crate::cli::check::FileReport;
use crate::rulepack::RulePack;

pub fn write(
    _reports: &[FileReport],
    _pack: &RulePack,
    _out: &mut dyn Write,
) -> std::io::Result<()> {
    Err(std::io::Error::other(
        "--format sarif is not implemented yet",
    ))
}
