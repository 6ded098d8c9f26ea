//! Writes a corpus of generated templates for timing `noteplate check` (see `check-10k.sh`), and
//! prints what it wrote: sizes, and the findings `noteplate` reports on it by rule.
//!
//! `cargo bench --bench gen_corpus -- DIR [COUNT]` (COUNT defaults to 10,000). Files are
//! `DIR/NNN/templateNNNNN.note`, 100 per folder. The same COUNT always gives the same files.
//! `--mutated` writes templates with random cuts and sharp insertions instead (every error path);
//! `--large` writes only the three large documents of the throughput bench (`lines-2k.note`,
//! `lines-20k.note`, `mb-1.note`), e.g. to profile `noteplate check` on them.

use std::collections::BTreeMap;
use std::path::PathBuf;

use noteplate::analysis::{Settings, analyze_text};
use noteplate::rulepack::RulePack;

mod generate;

fn main() {
    // `cargo bench` passes `--bench`; ignore other flags.
    let mutated = std::env::args().any(|arg| arg == "--mutated");
    let large = std::env::args().any(|arg| arg == "--large");
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

    if large {
        std::fs::create_dir_all(&dir).expect("create the folder");
        for (name, text) in [
            ("lines-2k.note", generate::document_lines(2, 2_000)),
            ("lines-20k.note", generate::document_lines(20, 20_000)),
            ("mb-1.note", generate::document_bytes(1, 1 << 20)),
        ] {
            std::fs::write(dir.join(name), text).expect("write a document");
        }
        println!(
            "wrote lines-2k.note, lines-20k.note and mb-1.note to {}",
            dir.display()
        );
        return;
    }
    let pack = RulePack::embedded();
    let settings = Settings::default();
    let mut bytes = 0;
    let mut lines = 0;
    let mut by_rule: BTreeMap<String, usize> = BTreeMap::new();
    let mut clean = 0;
    for index in 0..count {
        let text = if mutated {
            generate::mutated_template(index as u64)
        } else {
            generate::template(index as u64)
        };
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
            *by_rule.entry(diagnostic.rule.to_string()).or_default() += 1;
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
