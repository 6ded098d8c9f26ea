//! Framing in front of tower-lsp-server. tower-lsp-server stops reading after one undecodable
//! frame, so every frame from the client passes through here first: a frame whose body is not
//! JSON is answered with a `-32700 Parse error` and dropped, and the server keeps reading.
//! Frames are passed on whole, in arrival order; `inspect` sees each parsed message first (the
//! server applies text edits there, so edits happen in exactly the order the client sent them).

use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::mpsc;

/// Frames larger than this are refused (and skipped) rather than buffered.
const MAX_FRAME: usize = 256 * 1024 * 1024;

pub enum Frame {
    Body(Vec<u8>),
    /// A frame that cannot be used; the string says why (sent back as a JSON-RPC error).
    Bad(String),
}

/// Reads one frame. `Ok(None)` at end of input.
pub async fn read_frame<R: AsyncBufRead + Unpin>(reader: &mut R) -> std::io::Result<Option<Frame>> {
    let mut content_length: Option<usize> = None;
    let mut saw_header = false;
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line).await? == 0 {
            return Ok(if saw_header {
                Some(Frame::Bad("the input ended inside a message header".into()))
            } else {
                None
            });
        }
        let trimmed = line.trim_end_matches(['\r', '\n']);
        if trimmed.is_empty() {
            if saw_header {
                break;
            }
            continue; // stray blank lines between frames
        }
        saw_header = true;
        if let Some((name, value)) = trimmed.split_once(':')
            && name.trim().eq_ignore_ascii_case("content-length")
        {
            content_length = value.trim().parse().ok();
        }
    }
    let Some(length) = content_length else {
        return Ok(Some(Frame::Bad(
            "the message has no valid Content-Length header".into(),
        )));
    };
    if length > MAX_FRAME {
        tokio::io::copy(
            &mut (&mut *reader).take(length as u64),
            &mut tokio::io::sink(),
        )
        .await?;
        return Ok(Some(Frame::Bad(format!(
            "the message is {length} bytes; the limit is {MAX_FRAME}"
        ))));
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).await?;
    Ok(Some(Frame::Body(body)))
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
    mut client: R,
    mut server: W,
    replies: Outgoing,
    inspect: impl Fn(&serde_json::Value),
) where
    R: AsyncBufRead + Unpin,
    W: AsyncWrite + Unpin,
{
    loop {
        let frame = match read_frame(&mut client).await {
            Ok(Some(frame)) => frame,
            Ok(None) | Err(_) => break,
        };
        match frame {
            Frame::Bad(reason) => {
                let _ = replies.send(Some(error_frame(-32700, &format!("Parse error: {reason}"))));
            }
            Frame::Body(body) => match serde_json::from_slice::<serde_json::Value>(&body) {
                Ok(message) => {
                    if let Some((id, reason)) = invalid_request(&message) {
                        let _ = replies.send(Some(error_frame_with_id(
                            id,
                            -32600,
                            &format!("Invalid request: {reason}"),
                        )));
                        continue;
                    }
                    inspect(&message);
                    if server.write_all(&encode(&body)).await.is_err()
                        || server.flush().await.is_err()
                    {
                        break;
                    }
                }
                Err(error) => {
                    let _ = replies.send(Some(error_frame(
                        -32700,
                        &format!("Parse error: the message is not JSON ({error})"),
                    )));
                }
            },
        }
    }
    let _ = server.shutdown().await;
}

/// Output of the whole process: frames from the server and our own replies, each sent whole.
/// `None` means the server has closed its output (after `exit`).
pub type Outgoing = mpsc::UnboundedSender<Option<Vec<u8>>>;

/// Reads the server's frames and queues them for the client.
pub async fn pump_server_output<R: AsyncBufRead + Unpin>(mut server: R, outgoing: Outgoing) {
    while let Ok(Some(frame)) = read_frame(&mut server).await {
        if let Frame::Body(body) = frame {
            let _ = outgoing.send(Some(encode(&body)));
        }
    }
    let _ = outgoing.send(None);
}

/// Writes queued frames to the client until the server has closed and the queue is drained.
pub async fn write_output<W: AsyncWrite + Unpin>(
    mut client: W,
    mut queue: mpsc::UnboundedReceiver<Option<Vec<u8>>>,
) {
    while let Some(item) = queue.recv().await {
        let Some(frame) = item else {
            while let Ok(Some(frame)) = queue.try_recv() {
                if client.write_all(&frame).await.is_err() {
                    break;
                }
            }
            break;
        };
        if client.write_all(&frame).await.is_err() || client.flush().await.is_err() {
            break;
        }
    }
    let _ = client.flush().await;
}

#[cfg(test)]
mod tests {
    use super::invalid_request;
    use serde_json::json;

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
