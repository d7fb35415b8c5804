//! hyper's own answers, in the API's error shape.
//!
//! hyper answers a request it cannot parse (bad request line, a URI over
//! 64 KiB, headers over its buffer or count) before any handler runs, with
//! an empty body, and closes the connection. Its limits cannot be lifted
//! past 64 KiB for a URI, so instead of racing them with our own parser this
//! wraps the connection and, when hyper writes such an empty 4xx answer,
//! writes the API's error body in its place. Our own error answers always
//! carry a JSON body, so an empty 4xx can only be hyper's.

use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use segment_api::error::{ApiErrorItem, ErrorBody};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// A connection whose hyper-made error answers are rewritten.
pub struct Shaped<IO> {
    io: IO,
    /// The rewritten answer still to write.
    pending: Vec<u8>,
    written: usize,
}

impl<IO> Shaped<IO> {
    pub fn new(io: IO) -> Self {
        Shaped {
            io,
            pending: Vec::new(),
            written: 0,
        }
    }
}

/// The status of an answer hyper made itself: a 4xx head whose body is
/// empty (`content-length: 0`).
fn canned_status(buf: &[u8]) -> Option<u16> {
    let rest = buf
        .strip_prefix(b"HTTP/1.1 ")
        .or_else(|| buf.strip_prefix(b"HTTP/1.0 "))?;
    let status: u16 = std::str::from_utf8(rest.get(..3)?).ok()?.parse().ok()?;
    if !(400..500).contains(&status) {
        return None;
    }
    let end = buf.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
    head.contains("\r\ncontent-length: 0")
        .then_some(status)
        .filter(|_| buf.len() == end + 4)
}

/// The API's error answer for a status hyper gave.
pub fn answer(status: u16) -> Vec<u8> {
    let (kind, reason, message) = match status {
        414 => (
            "uri-too-long",
            "URI Too Long",
            "the request's URL is longer than the server takes (64 KiB); shorten the path or query",
        ),
        431 => (
            "request-header-fields-too-large",
            "Request Header Fields Too Large",
            "the request's headers are larger or more numerous than the server takes; send fewer or shorter headers",
        ),
        408 => (
            "request-timeout",
            "Request Timeout",
            "the request did not arrive in time; send it whole, without pauses",
        ),
        _ => (
            "bad-request",
            "Bad Request",
            "the request is not valid HTTP/1.1: check its request line and headers",
        ),
    };
    let body = ErrorBody {
        errors: vec![ApiErrorItem {
            kind: kind.to_string(),
            message: message.to_string(),
            field: None,
            data: None,
            status: Some(status),
        }],
    };
    let body = serde_json::to_vec(&body).unwrap_or_default();
    let mut out = format!(
        "HTTP/1.1 {status} {reason}\r\ncontent-type: application/json\r\n\
         content-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(&body);
    out
}

impl<IO: AsyncWrite + Unpin> Shaped<IO> {
    fn drain(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while self.written < self.pending.len() {
            let n = ready!(Pin::new(&mut self.io).poll_write(cx, &self.pending[self.written..]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            self.written += n;
        }
        Poll::Ready(Ok(()))
    }

    /// Takes hyper's canned answer in `buf`, if it is one, and queues ours.
    fn replace(&mut self, cx: &mut Context<'_>, buf: &[u8]) -> Option<Poll<io::Result<usize>>> {
        let status = canned_status(buf)?;
        self.pending = answer(status);
        self.written = 0;
        Some(match self.drain(cx) {
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            // hyper's bytes count as written; flush finishes ours.
            _ => Poll::Ready(Ok(buf.len())),
        })
    }
}

impl<IO: AsyncRead + Unpin> AsyncRead for Shaped<IO> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_read(cx, buf)
    }
}

impl<IO: AsyncWrite + Unpin> AsyncWrite for Shaped<IO> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        ready!(this.drain(cx))?;
        if let Some(done) = this.replace(cx, buf) {
            return done;
        }
        Pin::new(&mut this.io).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        ready!(this.drain(cx))?;
        let mut non_empty = bufs.iter().filter(|b| !b.is_empty());
        if let (Some(first), None) = (non_empty.next(), non_empty.next()) {
            if let Some(done) = this.replace(cx, first) {
                return done;
            }
        }
        Pin::new(&mut this.io).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.drain(cx))?;
        Pin::new(&mut this.io).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.drain(cx))?;
        Pin::new(&mut this.io).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_empty_4xx_answers_are_hypers() {
        let canned = b"HTTP/1.1 414 URI Too Long\r\ncontent-length: 0\r\ndate: x\r\n\r\n";
        assert_eq!(canned_status(canned), Some(414));
        let ours = b"HTTP/1.1 404 Not Found\r\ncontent-length: 80\r\n\r\n";
        assert_eq!(canned_status(ours), None);
        let ok = b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n";
        assert_eq!(canned_status(ok), None);
    }
}
