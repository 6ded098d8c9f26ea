//! Writes a corpus of generated templates for timing `noteplate check` (see `check-10k.sh`), and
//! prints what it wrote: sizes, and the findings `noteplate` reports on it by rule.
//!
//! `cargo bench --bench gen_corpus -- DIR [COUNT]` (COUNT defaults to 10,000). Files are
//! `DIR/NNN/templateNNNNN.note`, 100 per folder. The same COUNT always gives the same files.

use std::collections::BTreeMap;
use std::path::PathBuf;

use noteplate::analysis::{Settings, analyze_text};
use noteplate::rulepack::RulePack;

mod generate;

fn main() {
    // `cargo bench` passes `--bench`; ignore flags.
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|arg| !arg.starts_with("--"))
        .collect();
    let Some(dir) = args.first().map(PathBuf::from) else {
        eprintln!("usage: cargo bench --bench gen_corpus -- DIR [COUNT]");
        std::process::exit(2);
    };
    let count: usize = match args.get(1).map(|count| count.parse()) {
        None => 10_000,
        Some(Ok(count)) => count,
        Some(Err(error)) => {
            eprintln!("COUNT: {error}");
            std::process::exit(2);
        }
    };

    let pack = RulePack::embedded();
    let settings = Settings::default();
    let mut bytes = 0;
    let mut lines = 0;
    let mut by_rule: BTreeMap<String, usize> = BTreeMap::new();
    let mut clean = 0;
    for index in 0..count {
        let text = generate::template(index as u64);
        let folder = dir.join(format!("{:03}", index / 100));
        std::fs::create_dir_all(&folder).expect("create the corpus folder");
        std::fs::write(folder.join(format!("template{index:05}.note")), &text)
            .expect("write a template");
        bytes += text.len();
        lines += text.lines().count();
        let diagnostics = analyze_text(&text, &pack, &settings).diagnostics;
        if diagnostics.is_empty() {
            clean += 1;
        }
        for diagnostic in diagnostics {
            *by_rule.entry(diagnostic.rule).or_default() += 1;
        }
    }
    println!(
        "wrote {count} templates to {}: {bytes} bytes ({:.0} bytes and {:.0} lines per file), {clean} without findings",
        dir.display(),
        bytes as f64 / count.max(1) as f64,
        lines as f64 / count.max(1) as f64,
    );
    println!("findings by rule:");
    for (rule, found) in by_rule {
        println!(
            "  {rule:28} {found:7}  ({:.2} per file)",
            found as f64 / count.max(1) as f64
        );
    }
}
