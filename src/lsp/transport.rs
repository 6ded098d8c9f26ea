//! Framing in front of tower-lsp-server. tower-lsp-server stops reading after one undecodable
//! frame, so every frame from the client passes through here first, and this layer
//! resynchronises on anything broken instead of giving up:
//!
//! - A header line that is not a header (invalid UTF-8, no `name: value`, longer than
//!   [`MAX_HEADER_LINE`]), a frame without a valid `Content-Length`, one whose length is over
//!   [`MAX_BODY`], and a body that is not JSON are each answered with one `-32700 Parse error`
//!   (`id: null`). The reader then scans for the next `Content-Length:` header, anywhere in the
//!   input (also in the middle of a line, or inside a body read with a wrong length), skipping
//!   what comes before it silently; so a wrong or missing length costs that frame, never the
//!   ones after it.
//! - Header lines are never buffered past [`MAX_HEADER_LINE`] bytes: a longer line is skipped to
//!   its line break (or to the next `Content-Length:`), keeping only a few bytes at a time.
//! - A body with a lone UTF-16 surrogate escape (`"\ud800"`, which serde_json refuses) has each
//!   lone surrogate replaced with `\ufffd` and is used (see [`repair_lone_surrogates`]).
//! - JSON that is not a JSON-RPC 2.0 message gets `-32600`; a request whose method starts with
//!   `$/` gets `-32601` (the specification: such requests may be answered with MethodNotFound,
//!   and tower-lsp-server would leave them unanswered).
//!
//! Frames are passed on whole, in arrival order; `inspect` sees each parsed message first (the
//! server applies text edits there, so edits happen in exactly the order the client sent them).

use tokio::io::{
    AsyncBufRead, AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt,
};
use tokio::sync::mpsc;

/// Header lines longer than this are skipped, never buffered whole.
pub const MAX_HEADER_LINE: usize = 8 * 1024;
/// Message bodies larger than this are refused (and skipped) rather than buffered. Documents over
/// `max-file-size` (10 MiB by default) are not analysed anyway; JSON escaping can grow them.
pub const MAX_BODY: usize = 64 * 1024 * 1024;
const MARKER: &[u8] = b"content-length:";
const READ_CHUNK: usize = 64 * 1024;

pub enum Frame {
    Body(Vec<u8>),
    /// A frame that cannot be used; the string says why (sent back as a JSON-RPC error).
    Bad(String),
}

enum Line {
    /// A line without its line break (`\n`, `\r\n`).
    Text(Vec<u8>),
    /// A line longer than [`MAX_HEADER_LINE`], skipped.
    Overlong,
    Eof,
}

/// Reads frames from the client, resynchronising after broken ones (see the module comment).
pub struct FrameReader<R> {
    inner: R,
    buf: Vec<u8>,
    pos: usize,
    /// Where the last line returned by `read_line` started in `buf` (to read part of it again).
    line_start: usize,
    eof: bool,
    /// After a broken frame: skip anything that is not a header until the next one, silently
    /// (the broken frame has been answered once).
    resyncing: bool,
}

/// Position of the first `Content-Length:` (any case) in `bytes`.
fn find_marker(bytes: &[u8]) -> Option<usize> {
    memchr::memchr_iter(b':', bytes)
        .filter(|&colon| colon + 1 >= MARKER.len())
        .map(|colon| colon + 1 - MARKER.len())
        .find(|&start| bytes[start..start + MARKER.len()].eq_ignore_ascii_case(MARKER))
}

/// `name: value` of a header line, or why it is not one.
fn parse_header(line: &[u8]) -> Result<(&str, &str), &'static str> {
    let line = std::str::from_utf8(line).map_err(|_| "a header line is not valid UTF-8")?;
    let (name, value) = line
        .split_once(':')
        .ok_or("a header line has no `name: value`")?;
    let token = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c);
    if name.is_empty() || !name.chars().all(token) {
        return Err("a header line does not start with a header name");
    }
    Ok((name, value.trim()))
}

impl<R: AsyncRead + Unpin> FrameReader<R> {
    pub fn new(inner: R) -> FrameReader<R> {
        FrameReader {
            inner,
            buf: Vec::new(),
            pos: 0,
            line_start: 0,
            eof: false,
            resyncing: false,
        }
    }

    /// Reads more input into `buf`; false at the end of the input.
    async fn fill(&mut self) -> std::io::Result<bool> {
        if self.eof {
            return Ok(false);
        }
        if self.pos > 0 {
            self.buf.drain(..self.pos);
            self.line_start = self.line_start.saturating_sub(self.pos);
            self.pos = 0;
        }
        self.buf.reserve(READ_CHUNK);
        let read = (&mut self.inner)
            .take(READ_CHUNK as u64)
            .read_buf(&mut self.buf)
            .await?;
        if read == 0 {
            self.eof = true;
        }
        Ok(read > 0)
    }

    async fn read_line(&mut self) -> std::io::Result<Line> {
        loop {
            let pending = &self.buf[self.pos..];
            if let Some(newline) = memchr::memchr(b'\n', pending) {
                if newline > MAX_HEADER_LINE {
                    // Already in memory (one read); skip it like any overlong line, stopping at
                    // a header that starts inside it.
                    self.pos +=
                        find_marker(&pending[1..newline]).map_or(newline + 1, |marker| marker + 1);
                    return Ok(Line::Overlong);
                }
                let mut line = pending[..newline].to_vec();
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                self.line_start = self.pos;
                self.pos += newline + 1;
                return Ok(Line::Text(line));
            }
            if pending.len() > MAX_HEADER_LINE {
                return self.skip_overlong().await;
            }
            if !self.fill().await? {
                if self.pos == self.buf.len() {
                    return Ok(Line::Eof);
                }
                let line = self.buf[self.pos..].to_vec();
                self.line_start = self.pos;
                self.pos = self.buf.len();
                return Ok(Line::Text(line));
            }
        }
    }

    /// Skips a line longer than the cap, keeping only a few bytes of it in memory, up to its line
    /// break or to a `Content-Length:` inside it (which starts the next frame).
    async fn skip_overlong(&mut self) -> std::io::Result<Line> {
        // The line's first byte is never where the next header starts (else this loops).
        let mut from = self.pos + 1;
        loop {
            let pending = &self.buf[from..];
            let newline = memchr::memchr(b'\n', pending);
            let marker = find_marker(&pending[..newline.unwrap_or(pending.len())]);
            match (marker, newline) {
                (Some(marker), _) => {
                    self.pos = from + marker;
                    return Ok(Line::Overlong);
                }
                (None, Some(newline)) => {
                    self.pos = from + newline + 1;
                    return Ok(Line::Overlong);
                }
                (None, None) => {
                    // Keep only what could be the start of a `Content-Length:` cut in two.
                    self.pos = self.buf.len().saturating_sub(MARKER.len() - 1).max(from);
                    if !self.fill().await? {
                        self.pos = self.buf.len();
                        return Ok(Line::Overlong);
                    }
                    from = self.pos;
                }
            }
        }
    }

    /// Reads one frame. `Ok(None)` at end of input.
    pub async fn read_frame(&mut self) -> std::io::Result<Option<Frame>> {
        let mut in_header = false;
        // `None`: no Content-Length yet; `Some(Err)`: one that is not a usable number.
        let mut length: Option<Result<usize, String>> = None;
        loop {
            let bytes = match self.read_line().await? {
                Line::Eof if in_header => {
                    return Ok(Some(Frame::Bad(
                        "the input ended inside a message header".into(),
                    )));
                }
                Line::Eof => return Ok(None),
                Line::Overlong => {
                    if let Some(bad) = self.broken(in_header, || {
                        format!("a header line is longer than {MAX_HEADER_LINE} bytes; skipped")
                    }) {
                        return Ok(Some(bad));
                    }
                    continue;
                }
                Line::Text(bytes) => bytes,
            };
            if bytes.is_empty() {
                if in_header {
                    break;
                }
                continue; // stray blank lines between frames
            }
            // A header inside the line (after the rest of a body read with a wrong length, or
            // junk): what comes before it is junk, the header is read again as a line of its own.
            let bytes = match find_marker(&bytes) {
                Some(marker) if marker > 0 => {
                    self.pos = self.line_start + marker;
                    bytes[..marker].to_vec()
                }
                _ => bytes,
            };
            match parse_header(&bytes) {
                Ok((name, value)) => {
                    in_header = true;
                    self.resyncing = false;
                    if name.eq_ignore_ascii_case("content-length") {
                        length = Some(value.parse::<usize>().map_err(|_| {
                            format!(
                                "`Content-Length: {}` is not a length",
                                value.chars().take(40).collect::<String>()
                            )
                        }));
                    }
                }
                Err(why) => {
                    if let Some(bad) = self.broken(in_header, || format!("{why}; skipped")) {
                        return Ok(Some(bad));
                    }
                }
            }
        }
        let length = match length {
            Some(Ok(length)) => length,
            Some(Err(why)) => return Ok(Some(self.bad(why))),
            None => {
                return Ok(Some(
                    self.bad("the message has no valid Content-Length header".into()),
                ));
            }
        };
        if length > MAX_BODY {
            // Not read: a wrong length would swallow every later message. The body is skipped
            // like junk, up to the next header.
            return Ok(Some(self.bad(format!(
                "the message is {length} bytes; the limit is {MAX_BODY}, so it was skipped"
            ))));
        }
        while self.buf.len() - self.pos < length {
            if !self.fill().await? {
                self.pos = self.buf.len();
                return Ok(Some(Frame::Bad(format!(
                    "the input ended inside a message body ({length} bytes announced)"
                ))));
            }
        }
        let body = self.buf[self.pos..self.pos + length].to_vec();
        self.line_start = self.pos;
        self.pos += length;
        Ok(Some(Frame::Body(body)))
    }

    /// A frame that is broken: answered once, then skip to the next header.
    fn bad(&mut self, why: String) -> Frame {
        self.resyncing = true;
        Frame::Bad(why)
    }

    /// A line that is not a header: inside a frame's header the frame is broken; between frames
    /// it is junk, answered once per run of junk.
    fn broken(&mut self, in_header: bool, why: impl FnOnce() -> String) -> Option<Frame> {
        if in_header || !self.resyncing {
            Some(self.bad(why()))
        } else {
            None
        }
    }

    /// After a body that is not JSON: if it holds the start of another frame (its
    /// `Content-Length` was too large and it ran into the next message), read from there again.
    pub fn reject_body(&mut self, body: &[u8]) {
        self.resyncing = true;
        // The next header may also begin in the body's last bytes, cut off by the length.
        let partial = || {
            (1..MARKER.len().min(body.len()))
                .rev()
                .find(|&n| body[body.len() - n..].eq_ignore_ascii_case(&MARKER[..n]))
                .map(|n| body.len() - n)
        };
        if let Some(start) = body
            .get(1..)
            .and_then(find_marker)
            .map(|m| m + 1)
            .or_else(partial)
        {
            // Nothing was read since the body, so it is still in `buf`, ending at `pos`.
            self.pos -= body.len() - start;
        }
    }
}

/// Reads one frame from a well-behaved peer (tower-lsp-server's own output). `Ok(None)` at end of
/// input.
pub async fn read_server_frame<R: AsyncBufRead + Unpin>(
    reader: &mut R,
) -> std::io::Result<Option<Vec<u8>>> {
    let mut content_length: Option<usize> = None;
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line).await? == 0 {
            return Ok(None);
        }
        let trimmed = line.trim_end_matches(['\r', '\n']);
        if trimmed.is_empty() {
            if content_length.is_some() {
                break;
            }
            continue;
        }
        if let Some((name, value)) = trimmed.split_once(':')
            && name.trim().eq_ignore_ascii_case("content-length")
        {
            content_length = value.trim().parse().ok();
        }
    }
    let mut body = vec![0; content_length.unwrap_or(0)];
    reader.read_exact(&mut body).await?;
    Ok(Some(body))
}

/// `body` with every lone UTF-16 surrogate escape (`\ud800` not followed by a low surrogate
/// escape, or a `\udc00` on its own) replaced with `\ufffd`; `None` when there is none. JSON lets
/// a client write such a string (JavaScript strings are UTF-16 and may hold one), but it is not
/// Unicode text, so serde_json refuses the whole message, and the edit it carries would be lost
/// and the server's copy of the document would silently diverge. U+FFFD takes the place of the
/// surrogate: one UTF-16 unit like the surrogate, three UTF-8 bytes like its WTF-8 form, so every
/// later position the client sends still lands where the client means.
pub fn repair_lone_surrogates(body: &[u8]) -> Option<Vec<u8>> {
    fn hex4(bytes: &[u8]) -> Option<u16> {
        let text = std::str::from_utf8(bytes.get(..4)?).ok()?;
        u16::from_str_radix(text, 16).ok()
    }
    let mut out = Vec::with_capacity(body.len());
    let mut repaired = false;
    let mut in_string = false;
    let mut i = 0;
    while i < body.len() {
        let byte = body[i];
        if !in_string {
            in_string = byte == b'"';
            out.push(byte);
            i += 1;
            continue;
        }
        match byte {
            b'"' => {
                in_string = false;
                out.push(byte);
                i += 1;
            }
            b'\\' if body.get(i + 1) == Some(&b'u') => {
                let Some(unit) = hex4(&body[i + 2..]) else {
                    out.push(byte);
                    i += 1;
                    continue;
                };
                let escape = &body[i..i + 6];
                if (0xD800..0xDC00).contains(&unit)
                    && body.get(i + 6..i + 8) == Some(b"\\u")
                    && hex4(&body[i + 8..]).is_some_and(|low| (0xDC00..0xE000).contains(&low))
                {
                    out.extend_from_slice(&body[i..i + 12]);
                    i += 12;
                } else if (0xD800..0xE000).contains(&unit) {
                    out.extend_from_slice(b"\\ufffd");
                    repaired = true;
                    i += 6;
                } else {
                    out.extend_from_slice(escape);
                    i += 6;
                }
            }
            b'\\' => {
                out.extend_from_slice(&body[i..(i + 2).min(body.len())]);
                i += 2;
            }
            _ => {
                out.push(byte);
                i += 1;
            }
        }
    }
    repaired.then_some(out)
}

/// A whole notification frame (`Content-Length` header and JSON-RPC body), serialised straight
/// into the frame's buffer; `None` only if `params` cannot be serialised (not for protocol types).
pub fn notification<P: serde::Serialize>(method: &str, params: &P) -> Option<Vec<u8>> {
    #[derive(serde::Serialize)]
    struct Notification<'a, P> {
        jsonrpc: &'static str,
        method: &'a str,
        params: &'a P,
    }
    let body = serde_json::to_vec(&Notification {
        jsonrpc: "2.0",
        method,
        params,
    })
    .ok()?;
    Some(encode(&body))
}

pub fn encode(body: &[u8]) -> Vec<u8> {
    let mut frame = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    frame.extend_from_slice(body);
    frame
}

fn error_frame(code: i64, message: &str) -> Vec<u8> {
    error_frame_with_id(serde_json::Value::Null, code, message)
}

fn error_frame_with_id(id: serde_json::Value, code: i64, message: &str) -> Vec<u8> {
    let body = serde_json::json!({
        "jsonrpc": "2.0",
        "id": id,
        "error": { "code": code, "message": message },
    });
    encode(body.to_string().as_bytes())
}

/// Why a JSON body is not a message tower-lsp-server can decode, with the id to answer with.
/// tower-lsp-server ends its input stream (and so the server) on a frame it cannot decode, so
/// JSON that is not a JSON-RPC 2.0 object (`[]`, `42`, `"jsonrpc": "1.0"`, `"id": {}`, a
/// non-string `method`) is answered here with `-32600 Invalid request` and dropped.
fn invalid_request(message: &serde_json::Value) -> Option<(serde_json::Value, &'static str)> {
    use serde_json::Value;
    let Some(object) = message.as_object() else {
        return Some((Value::Null, "a message must be a JSON object"));
    };
    let id = object.get("id");
    let id_ok = id.is_none_or(|id| id.is_null() || id.is_string() || id.as_i64().is_some());
    let reply_id = id.filter(|_| id_ok).cloned().unwrap_or(Value::Null);
    if object.get("jsonrpc").and_then(Value::as_str) != Some("2.0") {
        return Some((reply_id, "\"jsonrpc\" must be \"2.0\""));
    }
    if !id_ok {
        return Some((Value::Null, "\"id\" must be an integer, a string or null"));
    }
    if object
        .get("method")
        .is_some_and(|method| !method.is_string())
    {
        return Some((reply_id, "\"method\" must be a string"));
    }
    None
}

/// Copies client frames to the server, answering bad ones on `replies`.
pub async fn pump_input<R, W>(
    client: R,
    mut server: W,
    replies: Outgoing,
    inspect: impl Fn(&serde_json::Value),
) where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let mut reader = FrameReader::new(client);
    loop {
        let frame = match reader.read_frame().await {
            Ok(Some(frame)) => frame,
            Ok(None) | Err(_) => break,
        };
        let body = match frame {
            Frame::Bad(reason) => {
                let _ = replies.send(Some(error_frame(-32700, &format!("Parse error: {reason}"))));
                continue;
            }
            Frame::Body(body) => body,
        };
        let (body, message) = match serde_json::from_slice::<serde_json::Value>(&body) {
            Ok(message) => (body, message),
            Err(error) => match repair_lone_surrogates(&body)
                .and_then(|fixed| Some((serde_json::from_slice(&fixed).ok()?, fixed)))
            {
                Some((message, fixed)) => (fixed, message),
                None => {
                    reader.reject_body(&body);
                    let _ = replies.send(Some(error_frame(
                        -32700,
                        &format!("Parse error: the message is not JSON ({error})"),
                    )));
                    continue;
                }
            },
        };
        if let Some((id, reason)) = invalid_request(&message) {
            let _ = replies.send(Some(error_frame_with_id(
                id,
                -32600,
                &format!("Invalid request: {reason}"),
            )));
            continue;
        }
        if let Some((id, method)) = dollar_request(&message) {
            let _ = replies.send(Some(error_frame_with_id(
                id,
                -32601,
                &format!("Method not found: `{method}` (requests starting with `$/` are protocol-specific; this server implements none)"),
            )));
            continue;
        }
        inspect(&message);
        if server.write_all(&encode(&body)).await.is_err() || server.flush().await.is_err() {
            break;
        }
    }
    let _ = server.shutdown().await;
}

/// A request (it has an `id`) whose method starts with `$/`: the specification says a server
/// that does not implement it answers MethodNotFound; notifications like it are ignored.
fn dollar_request(message: &serde_json::Value) -> Option<(serde_json::Value, &str)> {
    let method = message.get("method")?.as_str()?;
    let id = message.get("id")?;
    method.starts_with("$/").then(|| (id.clone(), method))
}

/// Output of the whole process: frames from the server and our own replies, each sent whole.
/// `None` means the server has closed its output (after `exit`).
pub type Outgoing = mpsc::UnboundedSender<Option<Vec<u8>>>;

/// Reads the server's frames and queues them for the client.
pub async fn pump_server_output<R: AsyncBufRead + Unpin>(mut server: R, outgoing: Outgoing) {
    while let Ok(Some(body)) = read_server_frame(&mut server).await {
        let _ = outgoing.send(Some(encode(&body)));
    }
    let _ = outgoing.send(None);
}

/// Writes queued frames to the client until the server has closed and the queue is drained, on
/// a thread of its own with blocking writes: a write through `tokio::io::stdout` is a hand-off to
/// the blocking pool and back, twice per frame (write, flush). Frames queued together are
/// flushed once.
pub fn write_output<W: std::io::Write>(
    mut client: W,
    mut queue: mpsc::UnboundedReceiver<Option<Vec<u8>>>,
) {
    let mut closed = false;
    while let Some(item) = queue.blocking_recv() {
        let mut next = Some(item);
        while let Some(item) = next.take() {
            let Some(frame) = item else {
                closed = true;
                break;
            };
            if client.write_all(&frame).is_err() {
                return;
            }
            next = queue.try_recv().ok();
        }
        if client.flush().is_err() {
            return;
        }
        if closed {
            // The server's output has ended: what is still queued (our own replies) goes out.
            while let Ok(Some(frame)) = queue.try_recv() {
                if client.write_all(&frame).is_err() {
                    break;
                }
            }
            break;
        }
    }
    let _ = client.flush();
}

/// The client's bytes, read on a thread of its own with blocking reads and handed over in the
/// chunks read: `tokio::io::stdin` hands every read to the blocking pool and back. At most
/// `QUEUED_CHUNKS` chunks wait, so a client that writes faster than the server reads is held
/// back by the pipe, as before, instead of filling memory.
pub struct ChannelReader {
    chunks: mpsc::Receiver<Vec<u8>>,
    chunk: Vec<u8>,
    at: usize,
}

/// How many chunks read from the client may wait for the server (`ChannelReader`).
const QUEUED_CHUNKS: usize = 16;

impl ChannelReader {
    /// Starts the thread that reads `input` until its end or an error.
    pub fn spawn<R: std::io::Read + Send + 'static>(mut input: R) -> std::io::Result<Self> {
        let (send, chunks) = mpsc::channel(QUEUED_CHUNKS);
        std::thread::Builder::new()
            .name("noteplate-stdin".into())
            .spawn(move || {
                let mut buf = vec![0; READ_CHUNK];
                loop {
                    match input.read(&mut buf) {
                        Ok(0) => break,
                        Ok(n) => {
                            if send.blocking_send(buf[..n].to_vec()).is_err() {
                                break;
                            }
                        }
                        Err(error) if error.kind() == std::io::ErrorKind::Interrupted => {}
                        Err(_) => break,
                    }
                }
            })?;
        Ok(ChannelReader {
            chunks,
            chunk: Vec::new(),
            at: 0,
        })
    }
}

impl AsyncRead for ChannelReader {
    fn poll_read(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        let this = &mut *self;
        if this.at == this.chunk.len() {
            match this.chunks.poll_recv(cx) {
                std::task::Poll::Pending => return std::task::Poll::Pending,
                // The end of the input: a read of nothing.
                std::task::Poll::Ready(None) => return std::task::Poll::Ready(Ok(())),
                std::task::Poll::Ready(Some(chunk)) => {
                    this.chunk = chunk;
                    this.at = 0;
                }
            }
        }
        let n = buf.remaining().min(this.chunk.len() - this.at);
        buf.put_slice(&this.chunk[this.at..this.at + n]);
        this.at += n;
        std::task::Poll::Ready(Ok(()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_reader_thread_hands_over_every_byte_then_the_end() {
        // More than QUEUED_CHUNKS full chunks, so the reading thread waits for the reader.
        let input: Vec<u8> = (0..READ_CHUNK * (QUEUED_CHUNKS + 3) + 17)
            .map(|i| (i % 251) as u8)
            .collect();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let read = runtime.block_on(async {
            let mut reader = ChannelReader::spawn(std::io::Cursor::new(input.clone())).unwrap();
            let mut read = Vec::new();
            reader.read_to_end(&mut read).await.unwrap();
            read
        });
        assert!(read == input, "{} bytes of {}", read.len(), input.len());
    }

    #[test]
    fn the_writer_writes_frames_in_order_and_what_is_queued_after_the_end() {
        let (send, queue) = mpsc::unbounded_channel();
        for frame in ["a", "b"] {
            send.send(Some(frame.as_bytes().to_vec())).unwrap();
        }
        send.send(None).unwrap();
        // A reply queued after the server's output ended still goes out.
        send.send(Some(b"c".to_vec())).unwrap();
        drop(send);
        let mut out = Vec::new();
        write_output(&mut out, queue);
        assert_eq!(out, b"abc");
    }

    fn frames(input: &[u8]) -> Vec<Result<String, String>> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        runtime.block_on(async {
            let mut reader = FrameReader::new(input);
            let mut out = Vec::new();
            while let Some(frame) = reader.read_frame().await.unwrap() {
                out.push(match frame {
                    Frame::Body(body) => {
                        if serde_json::from_slice::<serde_json::Value>(&body).is_err() {
                            reader.reject_body(&body);
                            Err("not json".to_string())
                        } else {
                            Ok(String::from_utf8(body).unwrap())
                        }
                    }
                    Frame::Bad(why) => Err(why),
                });
            }
            out
        })
    }

    fn frame(body: &str) -> Vec<u8> {
        encode(body.as_bytes())
    }

    #[test]
    fn resynchronises_after_broken_frames() {
        let good = frame("{\"id\":1}");
        let mut input = b"X-Bad: \xff\r\n".to_vec();
        input.extend_from_slice(&good);
        // A length too small, then one too large: each costs its own frame only.
        input.extend_from_slice(b"Content-Length: 3\r\n\r\n{\"id\":2}");
        input.extend_from_slice(&good);
        input.extend_from_slice(b"Content-Length: 12\r\n\r\n{\"id\":3}");
        input.extend_from_slice(&good);
        // No Content-Length, with a body.
        input.extend_from_slice(b"Content-Type: x\r\n\r\n{\"id\":4}");
        input.extend_from_slice(&good);
        // A huge length.
        input.extend_from_slice(b"Content-Length: 99999999999\r\n\r\n{\"id\":5}");
        input.extend_from_slice(&good);
        // An overlong header line with no line break, running into the next frame.
        input.extend_from_slice(b"X-Long: ");
        input.extend(std::iter::repeat_n(b'a', 3 * MAX_HEADER_LINE));
        input.extend_from_slice(&good);
        let out = frames(&input);
        let good_count = out
            .iter()
            .filter(|f| f.as_deref() == Ok("{\"id\":1}"))
            .count();
        assert_eq!(good_count, 6, "{out:?}");
        assert!(out.len() <= 13, "{out:?}");
    }

    #[test]
    fn repairs_lone_surrogates_only() {
        let fixed =
            repair_lone_surrogates(br#"{"a":"x\ud800y\udc00\\ud800\ud83d\ude00"}"#).unwrap();
        assert_eq!(
            String::from_utf8(fixed).unwrap(),
            r#"{"a":"x\ufffdy\ufffd\\ud800\ud83d\ude00"}"#
        );
        assert!(repair_lone_surrogates(br#"{"a":"\ud83d\ude00 \\ud800"}"#).is_none());
    }

    #[test]
    fn refuses_json_that_is_not_a_jsonrpc_message() {
        assert!(invalid_request(&json!([])).is_some());
        assert!(invalid_request(&json!(42)).is_some());
        assert!(invalid_request(&json!({"foo": 1})).is_some());
        assert_eq!(
            invalid_request(&json!({"jsonrpc": "1.0", "id": 5, "method": "x"})).map(|r| r.0),
            Some(json!(5))
        );
        assert!(invalid_request(&json!({"jsonrpc": "2.0", "id": {}, "method": "x"})).is_some());
        assert!(invalid_request(&json!({"jsonrpc": "2.0", "id": 1.5, "method": "x"})).is_some());
        assert!(invalid_request(&json!({"jsonrpc": "2.0", "id": 1, "method": 3})).is_some());
        assert!(invalid_request(&json!({"jsonrpc": "2.0", "id": 1, "method": "x"})).is_none());
        assert!(invalid_request(&json!({"jsonrpc": "2.0", "method": "x", "params": 1})).is_none());
        assert!(invalid_request(&json!({"jsonrpc": "2.0", "id": "a", "result": null})).is_none());
    }
}
