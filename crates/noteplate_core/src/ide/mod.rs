//! `ide`: editor features in editor terms (byte offsets, labels, Markdown), computed from the text,
//! its parse and the rule pack. Pure like `analysis`; the language server converts the results to
//! protocol types. Keeping these here means they are testable without a client.
//!
//! Owns: completion, hover, outline/folding and semantic-token classification. Must not touch
//! protocol types, IO, or configuration files.

pub mod completion;
pub mod hover;
pub mod outline;
pub mod tokens;

mod context;

pub use context::{LineContext, line_context};
