//! The connection loop of both servers. `axum::serve` sets no timer, so hyper enforced no
//! header-read timeout: a client that sent half a request line, or nothing after a
//! response, held its connection for ever (five slowloris connections were still open after
//! 72 s, 300 idle ones were never closed). Here every connection gets [`HEADER_READ_TIMEOUT`]
//! to send each request head — which also closes idle keep-alive connections — and request
//! bodies and handlers are bounded by each server's request time limit.

use axum::Router;
use futures_util::FutureExt;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use std::future::Future;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio_rustls::TlsAcceptor;

/// How long a connection may take to send a request's head, counted from when the server
/// is ready to read one: also how long an idle keep-alive connection stays open.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(15);
/// How long open requests (watches, event streams) may run on after shutdown begins.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// Serves `router` on `listener` until `shutdown` resolves, then lets open connections
/// finish for at most [`SHUTDOWN_GRACE`].
pub async fn serve(
    listener: TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    serve_with(listener, router, shutdown, None).await
}

/// [`serve`], over TLS when `tls` is given (the handshake gets [`HEADER_READ_TIMEOUT`] too).
pub async fn serve_with(
    listener: TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()>,
    tls: Option<TlsAcceptor>,
) -> std::io::Result<()> {
    let (stop, stopping) = watch::channel(false);
    // Every connection holds a receiver; `closed()` resolves when the last one is gone.
    let (open, _) = watch::channel(());
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(error) => {
                    // Out of file descriptors and the like: wait instead of spinning.
                    tracing::warn!(%error, "accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let service = TowerToHyperService::new(router.clone());
        let stopping = stopping.clone();
        let held = open.subscribe();
        let tls = tls.clone();
        tokio::spawn(async move {
            match tls {
                None => connection(TokioIo::new(stream), service, stopping).await,
                Some(acceptor) => {
                    match tokio::time::timeout(HEADER_READ_TIMEOUT, acceptor.accept(stream)).await {
                        Ok(Ok(stream)) if stream.get_ref().1.alpn_protocol() == Some(b"h2") => {
                            connection_h2(TokioIo::new(stream), service, stopping).await
                        }
                        Ok(Ok(stream)) => connection(TokioIo::new(stream), service, stopping).await,
                        Ok(Err(error)) => tracing::debug!(%error, "TLS handshake failed"),
                        Err(_) => tracing::debug!("TLS handshake timed out"),
                    }
                }
            }
            drop(held);
        });
    }
    drop(listener);
    let _ = stop.send(true);
    let _ = tokio::time::timeout(SHUTDOWN_GRACE, open.closed()).await;
    Ok(())
}

/// One HTTP/2 connection (negotiated by ALPN over TLS), with a graceful end on shutdown.
/// hyper's HTTP/2 limits streams per connection and frame sizes itself; idle connections
/// are pinged and closed when the peer stops answering.
async fn connection_h2<I>(
    io: I,
    service: TowerToHyperService<Router>,
    mut stopping: watch::Receiver<bool>,
) where
    I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let mut builder = hyper::server::conn::http2::Builder::new(TokioExecutor::new());
    builder
        .timer(TokioTimer::new())
        .keep_alive_interval(Some(Duration::from_secs(30)))
        .keep_alive_timeout(HEADER_READ_TIMEOUT)
        .max_concurrent_streams(250);
    let connection = builder.serve_connection(io, service);
    let mut connection = std::pin::pin!(connection);
    tokio::select! {
        _ = connection.as_mut() => {}
        () = stopping.wait_for(|stop| *stop).map(drop) => {
            connection.as_mut().graceful_shutdown();
            let _ = tokio::time::timeout(SHUTDOWN_GRACE, connection).await;
        }
    }
}

/// One HTTP/1 connection, with the header-read timer and a graceful end on shutdown.
async fn connection<I>(
    io: I,
    service: TowerToHyperService<Router>,
    mut stopping: watch::Receiver<bool>,
) where
    I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let mut builder = http1::Builder::new();
    builder.timer(TokioTimer::new()).header_read_timeout(HEADER_READ_TIMEOUT);
    let connection = builder.serve_connection(io, service);
    let mut connection = std::pin::pin!(connection);
    tokio::select! {
        _ = connection.as_mut() => {}
        // `.map(drop)`: the borrowed value must not live across the await below.
        () = stopping.wait_for(|stop| *stop).map(drop) => {
            connection.as_mut().graceful_shutdown();
            let _ = tokio::time::timeout(SHUTDOWN_GRACE, connection).await;
        }
    }
}
