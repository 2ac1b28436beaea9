//! A small HTTP/1.1 client for the probe: one request per connection (`Connection: close`),
//! the answer read to its end or to a size cap, chunked bodies decoded. Just enough to ask a
//! component a read-only question; it never follows redirects or sends credentials.

use std::io;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// The most of an answer kept; the rest is not read.
pub const MAX_BODY: usize = 4 << 20;

/// An answer.
#[derive(Clone, Debug, Default)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
    pub fn ok(&self) -> bool {
        (200..300).contains(&self.status)
    }
    pub fn json(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(&self.body).ok()
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

fn invalid(why: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, why.to_string())
}

/// Decodes a chunked body (as far as it goes).
fn dechunk(mut raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(end) = raw.windows(2).position(|w| w == b"\r\n") {
        let size_text = String::from_utf8_lossy(&raw[..end]);
        let Ok(size) = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16) else { break };
        raw = &raw[end + 2..];
        if size == 0 || raw.len() < size {
            out.extend_from_slice(&raw[..size.min(raw.len())]);
            break;
        }
        out.extend_from_slice(&raw[..size]);
        raw = raw.get(size + 2..).unwrap_or(&[]);
    }
    out
}

/// Parses an answer read to its end.
pub fn parse(raw: &[u8]) -> io::Result<Response> {
    let head_end = raw.windows(4).position(|w| w == b"\r\n\r\n").ok_or_else(|| invalid("no HTTP header"))?;
    let head = String::from_utf8_lossy(&raw[..head_end]);
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or("");
    if !status_line.starts_with("HTTP/") {
        return Err(invalid("not an HTTP answer"));
    }
    let status = status_line.split_whitespace().nth(1).and_then(|s| s.parse().ok()).ok_or_else(|| invalid("no HTTP status"))?;
    let headers: Vec<(String, String)> = lines.filter_map(|l| l.split_once(':')).map(|(k, v)| (k.trim().to_string(), v.trim().to_string())).collect();
    let mut response = Response { status, headers, body: Vec::new() };
    let body = &raw[head_end + 4..];
    response.body = if response.header("transfer-encoding").is_some_and(|t| t.eq_ignore_ascii_case("chunked")) {
        dechunk(body)
    } else {
        let len = response.header("content-length").and_then(|l| l.parse().ok()).unwrap_or(body.len());
        body[..len.min(body.len())].to_vec()
    };
    Ok(response)
}

/// Sends one request and reads the answer. `body` is sent as JSON.
pub async fn request<S: AsyncRead + AsyncWrite + Unpin>(stream: &mut S, method: &str, host: &str, path: &str, body: Option<&str>) -> io::Result<Response> {
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: palisade-probe\r\nAccept: application/json, */*\r\nConnection: close\r\n");
    if let Some(b) = body {
        req.push_str(&format!("Content-Type: application/json\r\nContent-Length: {}\r\n", b.len()));
    }
    req.push_str("\r\n");
    if let Some(b) = body {
        req.push_str(b);
    }
    stream.write_all(req.as_bytes()).await?;
    stream.flush().await?;
    let mut raw = Vec::new();
    let mut buf = [0u8; 16 * 1024];
    loop {
        let n = match stream.read(&mut buf).await {
            Ok(n) => n,
            // A TLS peer that closes without close_notify has still answered.
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof && !raw.is_empty() => 0,
            Err(e) => return Err(e),
        };
        if n == 0 {
            break;
        }
        raw.extend_from_slice(&buf[..n]);
        if raw.len() > MAX_BODY || complete(&raw) {
            break;
        }
    }
    parse(&raw)
}

/// Whether an answer is whole (its Content-Length read, or its last chunk).
fn complete(raw: &[u8]) -> bool {
    let Some(head_end) = raw.windows(4).position(|w| w == b"\r\n\r\n") else { return false };
    let Ok(r) = parse(&raw[..head_end + 4]) else { return false };
    let body = raw.len() - head_end - 4;
    if let Some(len) = r.header("content-length").and_then(|l| l.parse::<usize>().ok()) {
        return body >= len;
    }
    r.header("transfer-encoding").is_some_and(|t| t.eq_ignore_ascii_case("chunked")) && raw.ends_with(b"0\r\n\r\n")
}

#[cfg(test)]
mod tests {
    #[test]
    fn answers_parse_with_length_or_chunks() {
        let r = super::parse(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA").unwrap();
        assert_eq!((r.status, r.text().as_str()), (200, "ok"));
        let r = super::parse(b"HTTP/1.1 401 Unauthorized\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nUnau\r\n8\r\nthorized\r\n0\r\n\r\n").unwrap();
        assert_eq!((r.status, r.text().as_str()), (401, "Unauthorized"));
        assert!(super::parse(b"\x15\x03\x01\x00\x02\x02\x46").is_err());
    }
}
