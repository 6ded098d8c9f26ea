//! `lsp`: the language server face (`noteplate lsp`). The only module that knows tower-lsp and
//! protocol types.

/// Runs the server on stdin/stdout until the client says `exit`; returns the process exit code.
pub fn run() -> std::process::ExitCode {
    eprintln!("noteplate lsp: not built yet");
    std::process::ExitCode::from(2)
}
