//! The core of noteplate: the rule pack, the analysis and the editor features, over the syntax
//! crate. Pure: no IO, no clock, no environment, no async runtime, no protocol types (the faces in
//! the `noteplate` crate convert). Layers, each only using the ones above it:
//! - [`syntax`] (the `noteplate_syntax` crate, re-exported): text to a typed tree with byte spans.
//! - [`rulepack`]: section kinds, billing codes, techniques and rule metadata, as data.
//! - [`analysis`]: rules over the tree, producing diagnostics with byte spans and fixes.
//! - [`ide`]: editor features in editor terms (completion, hover, outline, tokens, actions).
//! - [`interop`]: templates in and out of other formats (FHIR, SmartPhrase, text, Markdown, HTML).
//!
//! See `docs/architecture.md` for what each layer may not touch.

pub mod analysis;
pub mod ide;
pub mod interop;
pub mod rulepack;

pub use noteplate_syntax::{self as syntax, line_index, work};
