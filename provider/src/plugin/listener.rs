//! Listening sockets and the streams of accepted connections handed to the
//! gRPC server.
//!
//! We run the accept loop ourselves (instead of giving tonic a listener) so
//! that a failed TLS handshake or a transient accept error only drops that
//! one connection: an error item in the stream would stop tonic's server.

use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{UnixListener, UnixStream};
use tokio::sync::{mpsc, Notify};
use tokio_rustls::server::TlsStream;
use tokio_rustls::TlsAcceptor;
use tokio_stream::wrappers::ReceiverStream;
use tonic::transport::server::Connected;

/// Accepted connections, ready for the gRPC server.
pub(super) type Incoming<IO> = ReceiverStream<io::Result<IO>>;

/// A client that has not finished its TLS handshake by then is dropped.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// TLS connections; handshakes run concurrently, each bounded.
pub(super) fn tls(
    listener: UnixListener,
    acceptor: TlsAcceptor,
    open: OpenConnections,
) -> Incoming<Tracked<TlsStream<UnixStream>>> {
    let (tx, rx) = mpsc::channel(8);
    tokio::spawn(async move {
        while let Some(stream) = next(&tx, || accept(&listener)).await {
            let (acceptor, tx, open) = (acceptor.clone(), tx.clone(), open.clone());
            tokio::spawn(async move {
                match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
                    Ok(Ok(tls)) => {
                        let _ = tx.send(Ok(open.track(tls))).await;
                    }
                    Ok(Err(e)) => tracing::warn!("TLS handshake failed: {e}"),
                    Err(_) => tracing::warn!("TLS handshake timed out"),
                }
            });
        }
    });
    ReceiverStream::new(rx)
}

/// Connections as they are: when Terraform runs with plugin TLS disabled,
/// and in debug mode.
pub(super) fn plain(
    listener: UnixListener,
    open: OpenConnections,
) -> Incoming<Tracked<UnixStream>> {
    let (tx, rx) = mpsc::channel(8);
    tokio::spawn(async move {
        while let Some(stream) = next(&tx, || accept(&listener)).await {
            if tx.send(Ok(open.track(stream))).await.is_err() {
                break;
            }
        }
    });
    ReceiverStream::new(rx)
}

async fn accept(listener: &UnixListener) -> io::Result<UnixStream> {
    Ok(listener.accept().await?.0)
}

/// The next accepted connection, retrying on accept errors; `None` once the
/// server side of the channel is gone.
async fn next<T, S, F, Fut>(tx: &mpsc::Sender<T>, mut accept: F) -> Option<S>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = io::Result<S>>,
{
    loop {
        tokio::select! {
            _ = tx.closed() => return None,
            accepted = accept() => match accepted {
                Ok(stream) => return Some(stream),
                Err(e) => {
                    // E.g. out of file descriptors: back off instead of spinning.
                    tracing::warn!("accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
        }
    }
}

/// The connections the gRPC server holds. Terraform hangs up once it has
/// the answer to `Shutdown`, so waiting for none to be open tells when the
/// process may exit, instead of guessing how long the answer takes.
#[derive(Clone, Default)]
pub(super) struct OpenConnections(Arc<(AtomicUsize, Notify)>);

impl OpenConnections {
    fn track<IO>(&self, io: IO) -> Tracked<IO> {
        self.0 .0.fetch_add(1, Ordering::SeqCst);
        Tracked {
            io,
            open: self.clone(),
        }
    }

    /// Returns once no tracked connection is open.
    pub(super) async fn all_closed(&self) {
        loop {
            // Registered before the check, so a close in between still wakes us.
            let closed = self.0 .1.notified();
            if self.0 .0.load(Ordering::SeqCst) == 0 {
                return;
            }
            closed.await;
        }
    }
}

/// A connection counted in [`OpenConnections`] until the server drops it.
pub(super) struct Tracked<IO> {
    io: IO,
    open: OpenConnections,
}

impl<IO> Drop for Tracked<IO> {
    fn drop(&mut self) {
        self.open.0 .0.fetch_sub(1, Ordering::SeqCst);
        self.open.0 .1.notify_waiters();
    }
}

impl<IO: Connected> Connected for Tracked<IO> {
    type ConnectInfo = IO::ConnectInfo;

    fn connect_info(&self) -> Self::ConnectInfo {
        self.io.connect_info()
    }
}

impl<IO: AsyncRead + Unpin> AsyncRead for Tracked<IO> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_read(cx, buf)
    }
}

impl<IO: AsyncWrite + Unpin> AsyncWrite for Tracked<IO> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.io).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.io).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }
}
