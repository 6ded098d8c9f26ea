//! `--format github`: not written yet.

use std::io::Write;

use crate::cli::check::FileReport;

pub fn write(_reports: &[FileReport], _out: &mut dyn Write) -> std::io::Result<()> {
    Err(std::io::Error::other(
        "--format github is not implemented yet",
    ))
}
