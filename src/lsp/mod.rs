//! `lsp`: the language server face (`noteplate lsp`). The only module that knows tower-lsp-server
//! and protocol types; it converts byte offsets to LSP positions at the boundary (`encoding.rs`).
//!
//! Files: `transport.rs` (framing in front of tower-lsp-server), `state.rs` (documents, settings,
//! edit application in arrival order), `documents.rs` (ropes and versions), `server.rs` (one
//! method per request), `convert.rs` (core types to protocol types), `settings.rs` (client
//! settings), `encoding.rs` (positions), `worker.rs` (the thread every analysis runs on),
//! `render.rs` (`noteplate/render`: the preview page), `workspace.rs` (the workspace folders'
//! templates, open buffers winning over disk), `navigate.rs` (references, rename, the
//! "included by" lens, `willRenameFiles`, workspace symbols). Must not decide what a finding is: that is
//! `analysis`.

mod convert;
mod documents;
mod encoding;
mod navigate;
mod render;
mod server;
mod settings;
mod state;
pub mod transport;
mod worker;
mod workspace;

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use tokio::io::BufReader;
use tokio::sync::mpsc;
use tower_lsp_server::{LspService, Server};

use server::Backend;
use state::State;

/// Runs the server on stdin/stdout. Exits 0 after `shutdown` then `exit`, 1 when the input ends
/// or `exit` comes without `shutdown`. The process ends even if the client keeps stdin open.
pub fn run() -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("noteplate lsp: cannot start: {error}");
            return ExitCode::from(2);
        }
    };
    // Stdin and stdout are read and written on threads of their own (`transport`).
    let stdin = match transport::ChannelReader::spawn(std::io::stdin()) {
        Ok(stdin) => stdin,
        Err(error) => {
            eprintln!("noteplate lsp: cannot start: {error}");
            return ExitCode::from(2);
        }
    };
    let code = runtime.block_on(serve(stdin, std::io::stdout()));
    // The stdin reader may still be blocked on a client that keeps the pipe open; don't wait.
    std::process::exit(code)
}

async fn serve<I, O>(stdin: I, stdout: O) -> i32
where
    I: tokio::io::AsyncRead + Unpin + Send + 'static,
    O: std::io::Write + Send + 'static,
{
    let state = Arc::new(State::new());
    let backend_state = state.clone();
    let (service, socket) =
        LspService::build(move |client| Backend::new(client, backend_state.clone()))
            .custom_method("noteplate/documentText", Backend::document_text)
            .custom_method("noteplate/debugPanic", Backend::debug_panic)
            .custom_method("noteplate/render", Backend::render)
            .finish();

    let (to_server, server_input) = tokio::io::duplex(1 << 16);
    let (server_output, from_server) = tokio::io::duplex(1 << 16);
    let (outgoing, queue) = mpsc::unbounded_channel();
    let _ = state.output.set(outgoing.clone());
    let (written, writer) = tokio::sync::oneshot::channel::<()>();
    let spawned = std::thread::Builder::new()
        .name("noteplate-stdout".into())
        .spawn(move || {
            transport::write_output(stdout, queue);
            let _ = written.send(());
        });
    if spawned.is_err() {
        eprintln!("noteplate lsp: cannot start the output thread");
        return 2;
    }
    tokio::spawn(transport::pump_server_output(
        BufReader::new(from_server),
        outgoing.clone(),
    ));
    let inspector = state.clone();
    tokio::spawn(transport::pump_input(
        stdin,
        to_server,
        outgoing,
        move |message| {
            inspector.inspect(message);
            server::schedule_on_arrival(&inspector, message);
        },
    ));

    Server::new(server_input, server_output, socket)
        .serve(service)
        .await;
    let _ = tokio::time::timeout(Duration::from_secs(2), writer).await;
    if state.shutdown_requested.load(Ordering::SeqCst) {
        0
    } else {
        1
    }
}
