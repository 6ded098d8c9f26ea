//! `ide`: editor features in editor terms (byte offsets, labels, Markdown), computed from the text,
//! its parse and the rule pack. Pure like `analysis`; the language server converts the results to
//! protocol types. Keeping these here means they are testable without a client.
//!
//! Owns every editor decision: completion (where the cursor is, from the parse tree), hover,
//! code actions (which fixes and suppressions apply to a range), outline/folding and
//! semantic-token classification. Must not touch protocol types, IO, or configuration files (the
//! semantic token legend is the language server's).

pub mod actions;
pub mod completion;
pub mod format;
pub mod hints;
pub mod hover;
pub mod navigate;
pub mod outline;
pub mod tokens;

mod context;

pub use context::{LineContext, line_context};
