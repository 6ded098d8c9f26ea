//! Report formats for `check`. Each format turns the ordered file reports into bytes on stdout.

mod human;
mod json;

use super::check::FileReport;
use super::{Color, Format};

pub fn write(format: Format, color: Color, reports: &[FileReport]) -> std::io::Result<()> {
    match format {
        Format::Human => human::write(color, reports),
        Format::Json => json::write(reports),
    }
}
