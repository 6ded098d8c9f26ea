//! noteplate: a language server and CI linter for clinical note templates (`.note` files).
//!
//! Layers, each only using the ones above it:
//! - [`syntax`]: text to a typed tree with byte spans; never fails.
//! - [`rulepack`]: section kinds, billing codes, techniques and rule metadata, as data.
//! - [`analysis`]: rules over the tree; pure, no IO, no protocol types.
//! - [`config`]: project configuration files, shared by both faces.
//! - [`files`]: the one reader of files and streams: regular files only, capped in size.
//! - [`pipeline`]: contents to analysis (decode, parse, includes, analyse), for both faces.
//! - faces: [`cli`] (`noteplate check` and friends) and [`lsp`] (`noteplate lsp`).
//!
//! See `docs/architecture.md` for what each layer may not touch.

pub mod analysis;
pub mod cli;
pub mod config;
pub mod files;
pub mod fragments;
pub mod ide;
pub mod line_index;
pub mod lsp;
pub mod pipeline;
pub mod rulepack;
pub mod syntax;
pub mod work;
