//! A small blocking JSON-RPC client for `noteplate lsp`, for tests and the latency benchmark.
//!
//! - `Server` spawns the real binary, frames messages (`Content-Length`), and reads the server's
//!   output on a thread. Requests the server sends to us (`workspace/configuration`,
//!   `client/registerCapability`, ...) are answered on that thread at once, from
//!   `Server::configuration`, so a test waiting for something else can never deadlock; they are
//!   also recorded and passed on like any other message.
//! - Every wait has a deadline: a hung server fails the test with a message (and its stderr),
//!   it never hangs it.
//! - `Doc` is the client's own copy of a document, with positions in the negotiated encoding
//!   computed independently of the server (lines end at `\n`, `\r\n` or `\r`, as in LSP), and
//!   `apply_edits` applies LSP `TextEdit`s the way an editor does.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// How long any single wait may take before the test fails. Generous: CI machines are slow and
/// debug builds are slower, and the only cost of a long deadline is a slow failure.
pub const TIMEOUT: Duration = Duration::from_secs(30);

/// The server binary: this build's, or `NOTEPLATE_LSP_BINARY` when set (to measure another build
/// side by side with the same client, e.g. in `benches/lsp_latency.rs`).
pub fn binary() -> &'static str {
    static BINARY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    BINARY.get_or_init(|| {
        std::env::var("NOTEPLATE_LSP_BINARY")
            .unwrap_or_else(|_| env!("CARGO_BIN_EXE_noteplate").to_string())
    })
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf16,
}

impl Encoding {
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Utf8 => "utf-8",
            Encoding::Utf16 => "utf-16",
        }
    }

    fn units(self, ch: char) -> usize {
        match self {
            Encoding::Utf8 => ch.len_utf8(),
            Encoding::Utf16 => ch.len_utf16(),
        }
    }
}

/// Client capabilities offering `encodings` (empty: the field is left out, meaning UTF-16 only),
/// with versioned publishDiagnostics and nothing else.
pub fn capabilities(encodings: &[&str]) -> Value {
    let mut caps = json!({
        "textDocument": {
            "publishDiagnostics": { "versionSupport": true, "relatedInformation": true },
            "completion": { "completionItem": { "snippetSupport": false } },
            "hover": { "contentFormat": ["markdown", "plaintext"] }
        },
        "window": { "workDoneProgress": false }
    });
    if !encodings.is_empty() {
        caps["general"] = json!({ "positionEncodings": encodings });
    }
    caps
}

/// `a` with `b` merged into it (objects recursively, anything else replaced).
pub fn merge(mut a: Value, b: Value) -> Value {
    fn go(a: &mut Value, b: Value) {
        match (a, b) {
            (Value::Object(a), Value::Object(b)) => {
                for (key, value) in b {
                    go(a.entry(key).or_insert(Value::Null), value);
                }
            }
            (a, b) => *a = b,
        }
    }
    go(&mut a, b);
    a
}

pub struct Server {
    child: Child,
    stdin: Arc<Mutex<Option<ChildStdin>>>,
    incoming: Receiver<Value>,
    /// Messages read but not yet asked for, in arrival order.
    pending: VecDeque<Value>,
    next_id: i64,
    stderr: Arc<Mutex<String>>,
    /// The answer to `workspace/configuration` for section `noteplate`.
    pub configuration: Arc<Mutex<Value>>,
    /// Answers for items with a `scopeUri` (a workspace folder's settings), by that URI; an
    /// item whose scope is not here gets `configuration`.
    pub scoped_configuration: Arc<Mutex<std::collections::HashMap<String, Value>>>,
    pub encoding: Encoding,
    pub initialize_result: Value,
}

impl Server {
    /// Spawns `noteplate lsp` with extra environment variables. Does not initialize.
    pub fn spawn(env: &[(&str, &str)]) -> Server {
        Server::spawn_program(binary(), &["lsp"], env)
    }

    /// Spawns any language server on stdio (a peer the benchmarks compare with). Does not
    /// initialize.
    pub fn spawn_program(program: &str, args: &[&str], env: &[(&str, &str)]) -> Server {
        let mut command = Command::new(program);
        command
            .args(args)
            .env_remove("NOTEPLATE_TEST_PANIC")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (key, value) in env {
            command.env(key, value);
        }
        let mut child = command
            .spawn()
            .unwrap_or_else(|error| panic!("spawn {program}: {error}"));
        let stdin = Arc::new(Mutex::new(child.stdin.take()));
        let stdout = child.stdout.take().expect("stdout");
        let mut stderr_pipe = child.stderr.take().expect("stderr");
        let stderr = Arc::new(Mutex::new(String::new()));
        let configuration = Arc::new(Mutex::new(Value::Null));
        let scoped_configuration = Arc::new(Mutex::new(std::collections::HashMap::new()));

        let collected = stderr.clone();
        std::thread::spawn(move || {
            let mut buffer = [0u8; 4096];
            while let Ok(n) = stderr_pipe.read(&mut buffer) {
                if n == 0 {
                    break;
                }
                collected
                    .lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buffer[..n]));
            }
        });

        let (sender, incoming) = mpsc::channel();
        let writer = stdin.clone();
        let answers = configuration.clone();
        let scoped_answers = scoped_configuration.clone();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(message) = read_message(&mut reader) {
                if let (Some(id), Some(method)) = (message.get("id"), message.get("method")) {
                    let result = match method.as_str() {
                        Some("workspace/configuration") => {
                            let items = message["params"]["items"]
                                .as_array()
                                .cloned()
                                .unwrap_or_default();
                            let answer = answers.lock().unwrap().clone();
                            let scoped: std::collections::HashMap<String, Value> =
                                scoped_answers.lock().unwrap().clone();
                            Value::Array(
                                items
                                    .iter()
                                    .map(|item| {
                                        let scope = item["scopeUri"].as_str();
                                        if item["section"] == "noteplate" {
                                            scope
                                                .and_then(|scope| scoped.get(scope))
                                                .unwrap_or(&answer)
                                                .clone()
                                        } else {
                                            Value::Null
                                        }
                                    })
                                    .collect(),
                            )
                        }
                        _ => Value::Null,
                    };
                    let reply = json!({"jsonrpc": "2.0", "id": id, "result": result});
                    write_frame(&writer, reply.to_string().as_bytes());
                }
                if sender.send(message).is_err() {
                    break;
                }
            }
        });

        Server {
            child,
            stdin,
            incoming,
            pending: VecDeque::new(),
            next_id: 1,
            stderr,
            configuration,
            scoped_configuration,
            encoding: Encoding::Utf16,
            initialize_result: Value::Null,
        }
    }

    /// Spawns and initializes with `capabilities(encodings)` and `options`.
    pub fn start(encodings: &[&str], options: Value) -> Server {
        let mut server = Server::spawn(&[]);
        server.initialize(capabilities(encodings), options);
        server
    }

    /// `initialize` (remembering the negotiated encoding) then `initialized`.
    pub fn initialize(&mut self, capabilities: Value, options: Value) -> Value {
        let result = self.result(
            "initialize",
            json!({
                "processId": null,
                "rootUri": null,
                "capabilities": capabilities,
                "initializationOptions": options,
            }),
        );
        self.encoding = match result["capabilities"]["positionEncoding"].as_str() {
            Some("utf-8") => Encoding::Utf8,
            _ => Encoding::Utf16,
        };
        self.initialize_result = result.clone();
        self.notify("initialized", json!({}));
        result
    }

    pub fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Writes bytes as they are (for malformed-input tests). False if stdin is closed.
    pub fn send_raw(&self, bytes: &[u8]) -> bool {
        let mut guard = self.stdin.lock().unwrap();
        match guard.as_mut() {
            Some(stdin) => stdin.write_all(bytes).and_then(|_| stdin.flush()).is_ok(),
            None => false,
        }
    }

    pub fn send(&self, message: &Value) {
        write_frame(&self.stdin, message.to_string().as_bytes());
    }

    pub fn notify(&self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// Sends a request (params left out when `None`) and returns its id without waiting.
    pub fn send_request(&mut self, method: &str, params: Option<Value>) -> i64 {
        let id = self.next_id;
        self.next_id += 1;
        let mut message = json!({"jsonrpc": "2.0", "id": id, "method": method});
        if let Some(params) = params {
            message["params"] = params;
        }
        self.send(&message);
        id
    }

    /// Waits for the response with `id` (the whole message: `result` or `error`).
    pub fn response(&mut self, id: i64) -> Value {
        self.expect(&format!("the response to request {id}"), |m| {
            m.get("method").is_none() && m["id"] == id
        })
    }

    /// Sends a request and returns the whole response message.
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.send_request(method, Some(params));
        self.response(id)
    }

    /// Sends a request and returns its `result`; an error response fails the test.
    pub fn result(&mut self, method: &str, params: Value) -> Value {
        let response = self.request(method, params);
        if let Some(error) = response.get("error") {
            panic!("{method} failed: {error}\nstderr:\n{}", self.stderr());
        }
        response["result"].clone()
    }

    /// The first message (already read or arriving within `timeout`) that satisfies `matches`;
    /// messages skipped on the way stay available to later calls.
    pub fn recv_within(
        &mut self,
        timeout: Duration,
        mut matches: impl FnMut(&Value) -> bool,
    ) -> Option<Value> {
        if let Some(index) = self.pending.iter().position(&mut matches) {
            return self.pending.remove(index);
        }
        let deadline = Instant::now() + timeout;
        loop {
            let remaining = deadline.saturating_duration_since(Instant::now());
            match self.incoming.recv_timeout(remaining) {
                Ok(message) if matches(&message) => return Some(message),
                Ok(message) => self.pending.push_back(message),
                Err(RecvTimeoutError::Timeout) | Err(RecvTimeoutError::Disconnected) => {
                    return None;
                }
            }
        }
    }

    /// Like `recv_within` with the standard deadline, failing the test when nothing comes.
    pub fn expect(&mut self, what: &str, matches: impl FnMut(&Value) -> bool) -> Value {
        match self.recv_within(TIMEOUT, matches) {
            Some(message) => message,
            None => panic!(
                "timed out waiting for {what}\nunconsumed messages: {:#?}\nstderr:\n{}",
                self.pending,
                self.stderr()
            ),
        }
    }

    /// Everything that arrives within `window` (plus what was already read), consumed.
    pub fn drain(&mut self, window: Duration) -> Vec<Value> {
        let deadline = Instant::now() + window;
        loop {
            let remaining = deadline.saturating_duration_since(Instant::now());
            match self.incoming.recv_timeout(remaining) {
                Ok(message) => self.pending.push_back(message),
                Err(_) => break,
            }
        }
        self.pending.drain(..).collect()
    }

    /// Waits for a publishDiagnostics for `uri` (with `version`, when given); returns its params.
    pub fn diagnostics(&mut self, uri: &str, version: Option<i64>) -> Value {
        let message = self.expect(
            &format!("publishDiagnostics for {uri} version {version:?}"),
            |m| {
                m["method"] == "textDocument/publishDiagnostics"
                    && m["params"]["uri"] == uri
                    && version.is_none_or(|v| m["params"]["version"] == v)
            },
        );
        message["params"].clone()
    }

    /// Waits for a server-to-client request with `method`.
    pub fn server_request(&mut self, method: &str) -> Value {
        self.expect(&format!("a {method} request from the server"), |m| {
            m["method"] == method && m.get("id").is_some()
        })
    }

    pub fn open(&self, doc: &Doc) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {
                "uri": doc.uri, "languageId": "note", "version": doc.version, "text": doc.text
            }}),
        );
    }

    pub fn did_change(&self, doc: &Doc, changes: Vec<Value>) {
        self.notify(
            "textDocument/didChange",
            json!({
                "textDocument": {"uri": doc.uri, "version": doc.version},
                "contentChanges": changes,
            }),
        );
    }

    pub fn close(&self, uri: &str) {
        self.notify(
            "textDocument/didClose",
            json!({"textDocument": {"uri": uri}}),
        );
    }

    /// `noteplate/documentText`: the server's copy of a document.
    pub fn document_text(&mut self, uri: &str) -> (i64, String) {
        let result = self.result(
            "noteplate/documentText",
            json!({"textDocument": {"uri": uri}}),
        );
        (
            result["version"].as_i64().expect("version"),
            result["text"].as_str().expect("text").to_string(),
        )
    }

    /// `shutdown` (must succeed) then `exit`.
    pub fn shutdown_and_exit(&mut self) {
        let response = self.request("shutdown", Value::Null);
        assert!(response.get("error").is_none(), "shutdown: {response}");
        self.notify("exit", Value::Null);
    }

    pub fn close_stdin(&self) {
        self.stdin.lock().unwrap().take();
    }

    /// The exit status if the process ends within `timeout`.
    pub fn wait_exit(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            if Instant::now() >= deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Asserts that nothing on stderr says a thread panicked.
    pub fn assert_no_panic(&self) {
        let stderr = self.stderr();
        assert!(!stderr.contains("panicked"), "server stderr:\n{stderr}");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}

fn write_frame(stdin: &Mutex<Option<ChildStdin>>, body: &[u8]) {
    let mut guard = stdin.lock().unwrap();
    if let Some(stdin) = guard.as_mut() {
        let mut frame = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
        frame.extend_from_slice(body);
        // A closed pipe is the test's business (lifecycle tests close it on purpose).
        let _ = stdin.write_all(&frame).and_then(|_| stdin.flush());
    }
}

/// One framed JSON message; `None` at end of output or on a framing error.
fn read_message(reader: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let trimmed = line.trim_end();
        if trimmed.is_empty() {
            if length.is_some() {
                break;
            }
            continue;
        }
        if let Some((name, value)) = trimmed.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length?];
    reader.read_exact(&mut body).ok()?;
    match serde_json::from_slice(&body) {
        Ok(value) => Some(value),
        Err(error) => panic!(
            "the server sent a frame that is not JSON ({error}): {}",
            String::from_utf8_lossy(&body)
        ),
    }
}

// ------------------------------------------------------------------------------ positions

/// Byte offsets where each line starts (lines end at `\n`, `\r\n` or a lone `\r`).
pub fn line_starts(text: &str) -> Vec<usize> {
    let bytes = text.as_bytes();
    let mut starts = vec![0];
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\r' if bytes.get(i + 1) == Some(&b'\n') => {
                starts.push(i + 2);
                i += 2;
            }
            b'\r' | b'\n' => {
                starts.push(i + 1);
                i += 1;
            }
            _ => i += 1,
        }
    }
    starts
}

/// End of a line's content (before its line break).
fn content_end(text: &str, starts: &[usize], line: usize) -> usize {
    let mut end = starts.get(line + 1).copied().unwrap_or(text.len());
    let bytes = text.as_bytes();
    if end > starts[line] && line + 1 < starts.len() {
        end -= 1;
        if bytes[end] == b'\n' && end > starts[line] && bytes[end - 1] == b'\r' {
            end -= 1;
        }
    }
    end
}

/// Whether `offset` may be given as an LSP position: a character boundary, not inside `\r\n`.
pub fn is_position(text: &str, offset: usize) -> bool {
    text.is_char_boundary(offset)
        && !(offset > 0
            && text.as_bytes()[offset - 1] == b'\r'
            && text.as_bytes().get(offset) == Some(&b'\n'))
}

/// The LSP (line, character) of a byte offset.
pub fn position(text: &str, offset: usize, encoding: Encoding) -> (u32, u32) {
    assert!(is_position(text, offset), "{offset} is not a position");
    let starts = line_starts(text);
    let line = starts.partition_point(|&start| start <= offset) - 1;
    let character: usize = text[starts[line]..offset]
        .chars()
        .map(|c| encoding.units(c))
        .sum();
    (line as u32, character as u32)
}

/// The byte offset of an LSP position; past the end of a line clamps to the line's end, past the
/// last line to the end of the text.
pub fn offset(text: &str, line: u32, character: u32, encoding: Encoding) -> usize {
    let starts = line_starts(text);
    let line = line as usize;
    if line >= starts.len() {
        return text.len();
    }
    let end = content_end(text, &starts, line);
    let mut units = 0;
    for (index, ch) in text[starts[line]..end].char_indices() {
        let next = units + encoding.units(ch);
        if next > character as usize {
            return starts[line] + index;
        }
        units = next;
    }
    end
}

pub fn pos_json(text: &str, offset: usize, encoding: Encoding) -> Value {
    let (line, character) = position(text, offset, encoding);
    json!({"line": line, "character": character})
}

pub fn range_json(text: &str, start: usize, end: usize, encoding: Encoding) -> Value {
    json!({"start": pos_json(text, start, encoding), "end": pos_json(text, end, encoding)})
}

/// Byte offsets of an LSP range.
pub fn span_of(text: &str, range: &Value, encoding: Encoding) -> (usize, usize) {
    let at = |p: &Value| {
        offset(
            text,
            p["line"].as_u64().expect("line") as u32,
            p["character"].as_u64().expect("character") as u32,
            encoding,
        )
    };
    (at(&range["start"]), at(&range["end"]))
}

/// Applies LSP `TextEdit`s (all against the same text, non-overlapping), as an editor does.
pub fn apply_edits(text: &str, edits: &[Value], encoding: Encoding) -> String {
    let mut spans: Vec<(usize, usize, &str)> = edits
        .iter()
        .map(|edit| {
            let (start, end) = span_of(text, &edit["range"], encoding);
            (start, end, edit["newText"].as_str().expect("newText"))
        })
        .collect();
    // Later edits first so earlier offsets stay valid; equal starts keep their given order.
    spans.sort_by_key(|&(start, _, _)| std::cmp::Reverse(start));
    let mut out = text.to_string();
    for (start, end, new_text) in spans {
        assert!(start <= end, "edit with a reversed range");
        out.replace_range(start..end, new_text);
    }
    out
}

/// The client's copy of an open document.
#[derive(Debug, Clone)]
pub struct Doc {
    pub uri: String,
    pub text: String,
    pub version: i64,
    pub encoding: Encoding,
}

impl Doc {
    pub fn new(uri: &str, text: &str, encoding: Encoding) -> Doc {
        Doc {
            uri: uri.to_string(),
            text: text.to_string(),
            version: 1,
            encoding,
        }
    }

    /// Byte offset of the `n`th (0-based) occurrence of `needle`.
    pub fn find_nth(&self, needle: &str, n: usize) -> usize {
        self.text
            .match_indices(needle)
            .nth(n)
            .unwrap_or_else(|| panic!("`{needle}` #{n} not in the document"))
            .0
    }

    pub fn find(&self, needle: &str) -> usize {
        self.find_nth(needle, 0)
    }

    pub fn pos(&self, offset: usize) -> Value {
        pos_json(&self.text, offset, self.encoding)
    }

    /// The position `delta` bytes after the start of `needle`.
    pub fn pos_at(&self, needle: &str, delta: usize) -> Value {
        self.pos(self.find(needle) + delta)
    }

    pub fn range(&self, start: usize, end: usize) -> Value {
        range_json(&self.text, start, end, self.encoding)
    }

    /// The range of the first occurrence of `needle`.
    pub fn range_of(&self, needle: &str) -> Value {
        let start = self.find(needle);
        self.range(start, start + needle.len())
    }

    /// Text covered by an LSP range.
    pub fn text_of(&self, range: &Value) -> &str {
        let (start, end) = span_of(&self.text, range, self.encoding);
        &self.text[start..end]
    }

    pub fn ident(&self) -> Value {
        json!({"uri": self.uri})
    }

    /// Replaces `start..end` with `new_text` locally and returns the content change describing
    /// it (positions against the text before the change); bumps nothing.
    pub fn edit(&mut self, start: usize, end: usize, new_text: &str) -> Value {
        let change = json!({
            "range": self.range(start, end),
            "text": new_text,
        });
        self.text.replace_range(start..end, new_text);
        change
    }

    /// Applies `TextEdit`s locally and returns one full-text content change with the result.
    pub fn apply(&mut self, edits: &[Value]) -> Value {
        self.text = apply_edits(&self.text, edits, self.encoding);
        json!({"text": self.text})
    }
}

/// Rule ids (`code`) of LSP diagnostics.
pub fn rule_ids(diagnostics: &Value) -> Vec<String> {
    diagnostics
        .as_array()
        .expect("diagnostics array")
        .iter()
        .map(|d| d["code"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// Completion labels from a `CompletionList` or an array of items.
pub fn labels(completion: &Value) -> Vec<String> {
    completion_items(completion)
        .iter()
        .map(|item| item["label"].as_str().unwrap_or_default().to_string())
        .collect()
}

pub fn completion_items(completion: &Value) -> Vec<Value> {
    let items = if completion.is_array() {
        completion
    } else {
        &completion["items"]
    };
    items.as_array().cloned().unwrap_or_default()
}
