//! The loopback listener both server modes share: HTTP/1.1 connections with keep-alive, counted as
//! they open and close, closed with a TCP reset when a fault asks for one, and a graceful stop.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use http::{Request, Response};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};

use crate::error::SandboxError;
use crate::traffic::Traffic;
use crate::wire::{Abandoned, ReplyBody};

/// How long a stopping server lets open requests finish.
const GRACE: Duration = Duration::from_secs(5);

/// One connection's control: whether it must end with a TCP reset instead of a FIN.
#[derive(Debug, Default)]
pub(crate) struct Connection {
    reset: AtomicBool,
}

impl Connection {
    /// Makes the connection end with a TCP reset (SO_LINGER 0) when it closes.
    pub(crate) fn reset_on_close(&self) {
        self.reset.store(true, Ordering::SeqCst);
    }
}

/// A bound listener, not serving yet.
pub(crate) struct Bound {
    listener: TcpListener,
    addr: SocketAddr,
}

impl Bound {
    /// Binds `addr` (port 0: a free one).
    pub(crate) async fn bind(addr: SocketAddr) -> Result<Self, SandboxError> {
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|e| SandboxError::Bind(addr, e))?;
        let addr = listener
            .local_addr()
            .map_err(|e| SandboxError::Bind(addr, e))?;
        Ok(Self { listener, addr })
    }

    /// The bound address.
    pub(crate) fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Serves every connection with `service` until `shutdown` flips to `true`, then lets open
    /// requests finish for up to 5 s. Aborting the task closes every connection.
    pub(crate) fn serve<S, F>(
        self,
        traffic: Arc<Traffic>,
        shutdown: watch::Receiver<bool>,
        service: S,
    ) -> JoinHandle<()>
    where
        S: Fn(Request<Incoming>, Arc<Connection>) -> F + Clone + Send + Sync + 'static,
        F: Future<Output = Result<Response<ReplyBody>, Abandoned>> + Send + 'static,
    {
        tokio::spawn(accept_loop(self.listener, traffic, shutdown, service))
    }
}

async fn accept_loop<S, F>(
    listener: TcpListener,
    traffic: Arc<Traffic>,
    mut shutdown: watch::Receiver<bool>,
    service: S,
) where
    S: Fn(Request<Incoming>, Arc<Connection>) -> F + Clone + Send + Sync + 'static,
    F: Future<Output = Result<Response<ReplyBody>, Abandoned>> + Send + 'static,
{
    let graceful = GracefulShutdown::new();
    // Dropped (on return or abort) with the loop: no connection outlives its server.
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let _ = stream.set_nodelay(true);
                traffic.connection_accepted();
                let connection = Arc::new(Connection::default());
                let io = CountedStream {
                    stream: Some(stream),
                    connection: Arc::clone(&connection),
                    traffic: Arc::clone(&traffic),
                };
                let service = service.clone();
                let handler = service_fn(move |request| service(request, Arc::clone(&connection)));
                let served = http1::Builder::new()
                    .keep_alive(true)
                    .serve_connection(TokioIo::new(io), handler);
                let served = graceful.watch(served);
                connections.spawn(async move {
                    let _ = served.await;
                });
                while connections.try_join_next().is_some() {}
            }
            _ = shutdown.changed() => break,
        }
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(GRACE) => {}
    }
}

/// A connection's socket: counts its close, and closes with a TCP reset when asked.
struct CountedStream {
    stream: Option<TcpStream>,
    connection: Arc<Connection>,
    traffic: Arc<Traffic>,
}

impl CountedStream {
    fn stream(&mut self) -> io::Result<Pin<&mut TcpStream>> {
        self.stream
            .as_mut()
            .map(Pin::new)
            .ok_or_else(|| io::Error::from(io::ErrorKind::NotConnected))
    }
}

impl Drop for CountedStream {
    fn drop(&mut self) {
        if let Some(stream) = self.stream.take() {
            if self.connection.reset.load(Ordering::SeqCst) {
                let _ = socket2::SockRef::from(&stream).set_linger(Some(Duration::ZERO));
            }
            drop(stream);
        }
        self.traffic.connection_closed();
    }
}

impl AsyncRead for CountedStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.stream() {
            Ok(s) => s.poll_read(cx, buf),
            Err(e) => Poll::Ready(Err(e)),
        }
    }
}

impl AsyncWrite for CountedStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.stream() {
            Ok(s) => s.poll_write(cx, buf),
            Err(e) => Poll::Ready(Err(e)),
        }
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.stream() {
            Ok(s) => s.poll_flush(cx),
            Err(e) => Poll::Ready(Err(e)),
        }
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.stream() {
            Ok(s) => s.poll_shutdown(cx),
            Err(e) => Poll::Ready(Err(e)),
        }
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        match self.stream() {
            Ok(s) => s.poll_write_vectored(cx, bufs),
            Err(e) => Poll::Ready(Err(e)),
        }
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.as_ref().is_some_and(|s| s.is_write_vectored())
    }
}
