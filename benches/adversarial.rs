//! The pathological shapes of the red-team set (issue 14), each about 100 KB (see
//! `shapes/mod.rs`): include fan-out (each fragment including the next twice, 18 levels),
//! 2,000 suppression regions, a flood of `disable-file` comments, one huge `codes:` line, and one
//! 100 KB line of `{`. Each iteration is one `noteplate check` of the template: parse, resolve
//! includes with a fresh fragment cache (one run), analyse.
//!
//! Run with `cargo bench --bench adversarial`. Goal (issue 14): each under 100 ms. The files are
//! written under `$TMPDIR/noteplate-adversarial/` (or `$NOTEPLATE_ADVERSARIAL_DIR`), so the same
//! shapes can be given to the binary: `noteplate check /tmp/noteplate-adversarial/<shape>/template.note`.
//! Figures: `docs/performance.md`.

use std::path::PathBuf;
use std::sync::OnceLock;

use divan::{Bencher, black_box};
use noteplate::fragments::FragmentCache;

mod shapes;

fn main() {
    divan::main();
}

fn all() -> &'static [shapes::Shape] {
    static SHAPES: OnceLock<Vec<shapes::Shape>> = OnceLock::new();
    SHAPES.get_or_init(|| {
        let root = std::env::var_os("NOTEPLATE_ADVERSARIAL_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| std::env::temp_dir().join("noteplate-adversarial"));
        shapes::write_all(&root)
    })
}

#[divan::bench(args = shapes::names(), sample_count = 20)]
fn check_100kb(bencher: Bencher, name: &str) {
    let shape = all().iter().find(|shape| shape.name == name).unwrap();
    let config = shapes::config(shape);
    bencher.bench(|| {
        let cache = FragmentCache::new();
        black_box(shapes::analyse(shape, &config, &cache))
    });
}
