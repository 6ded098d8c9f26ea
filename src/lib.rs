//! noteplate: a language server and CI linter for clinical note templates (`.note` files).
//!
//! Layers, each only using the ones above it; the first four are crates of their own, so the
//! compiler keeps them pure, and are re-exported here:
//! - [`syntax`] (`crates/noteplate_syntax`): text to a typed tree with byte spans; never fails.
//! - [`rulepack`], [`analysis`], [`ide`] (`crates/noteplate_core`): the rule pack as data, rules
//!   over the tree, editor features; pure, no IO, no protocol types.
//! - [`config`]: project configuration files, shared by both faces.
//! - [`files`]: the one reader of files and streams: regular files only, capped in size.
//! - [`pipeline`]: contents to analysis (decode, parse, includes, analyse), for both faces.
//! - faces: [`cli`] (`noteplate check` and friends) and [`lsp`] (`noteplate lsp`).
//!
//! See `docs/architecture.md` for what each layer may not touch.

pub mod cli;
pub mod config;
pub mod files;
pub mod fragments;
pub mod lsp;
pub mod pipeline;

pub use noteplate_core::{analysis, ide, interop, line_index, rulepack, syntax, work};
