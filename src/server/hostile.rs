//! Bodies of a hostile target: huge, endless, slow, or never coming.
//!
//! Why: a conformance harness points at servers it does not control. These answers let the
//! tests prove that the harness bounds what it reads and how long it waits. Everything here
//! is generated lazily (a 1 GiB body is never held in memory), and every stream gives up
//! when the server stops, so a stuck client cannot keep a stopped server's task alive.

use std::io;
use std::time::Duration;

use axum::body::{Body, Bytes};
use futures_util::stream;
use tokio::sync::watch;

/// Filler for large bodies, shared by every chunk.
static FILL: [u8; 64 * 1024] = [b'x'; 64 * 1024];

fn stopped(stopping: &watch::Receiver<bool>) -> bool {
    *stopping.borrow()
}

fn stop_error() -> io::Error {
    io::Error::other("reference server is stopping")
}

/// Where a prefix-filler-suffix body is.
enum Part {
    Prefix,
    /// Filler bytes still to send; `None` is forever.
    Fill(Option<u64>),
    Suffix,
    Done,
}

struct Padded {
    prefix: Bytes,
    /// Filler bytes after the prefix; `None` is forever.
    fill: Option<u64>,
    suffix: Bytes,
    part: Part,
    stopping: watch::Receiver<bool>,
}

/// `prefix`, then `x` filler, then `suffix`: `total` bytes in all, or endless (no suffix)
/// when `total` is `None`.
pub(crate) fn padded(
    prefix: String,
    suffix: &'static str,
    total: Option<u64>,
    stopping: watch::Receiver<bool>,
) -> Body {
    let fixed = (prefix.len() + suffix.len()) as u64;
    let fill = total.map(|total| total.saturating_sub(fixed));
    let state = Padded {
        prefix: Bytes::from(prefix),
        fill,
        suffix: Bytes::from_static(suffix.as_bytes()),
        part: Part::Prefix,
        stopping,
    };
    Body::from_stream(stream::unfold(state, |mut state| async move {
        if matches!(state.part, Part::Done) {
            return None;
        }
        if stopped(&state.stopping) {
            state.part = Part::Done;
            return Some((Err(stop_error()), state));
        }
        let chunk = match state.part {
            Part::Prefix => {
                state.part = Part::Fill(state.fill);
                state.prefix.clone()
            }
            Part::Fill(None) => Bytes::from_static(&FILL),
            Part::Fill(Some(0)) | Part::Suffix => {
                state.part = Part::Done;
                state.suffix.clone()
            }
            Part::Fill(Some(left)) => {
                let n = usize::try_from(left.min(FILL.len() as u64)).unwrap_or(FILL.len());
                let rest = left - n as u64;
                state.part = if rest == 0 {
                    Part::Suffix
                } else {
                    Part::Fill(Some(rest))
                };
                Bytes::from_static(&FILL[..n])
            }
            Part::Done => return None,
        };
        Some((Ok::<_, io::Error>(chunk), state))
    }))
}

/// `body`, one byte per second.
pub(crate) fn trickle(body: Vec<u8>, stopping: watch::Receiver<bool>) -> Body {
    let state = (Bytes::from(body), 0usize, stopping);
    Body::from_stream(stream::unfold(
        state,
        |(body, at, mut stopping)| async move {
            if at >= body.len() {
                return None;
            }
            if at > 0 {
                let stop = tokio::select! {
                    () = tokio::time::sleep(Duration::from_secs(1)) => false,
                    _ = stopping.wait_for(|stop| *stop) => true,
                };
                if stop {
                    let len = body.len();
                    return Some((Err(stop_error()), (body, len, stopping)));
                }
            }
            let byte = body.slice(at..at + 1);
            Some((Ok::<_, io::Error>(byte), (body, at + 1, stopping)))
        },
    ))
}

/// Waits until the server stops (the "never answers" fault).
pub(crate) async fn until_stopped(stopping: &watch::Receiver<bool>) {
    let mut stopping = stopping.clone();
    // An error means the server handle is gone, which is also a stop.
    let _ = stopping.wait_for(|stop| *stop).await;
}

#[cfg(test)]
mod unit {
    use super::*;

    async fn collect(body: Body) -> Vec<u8> {
        axum::body::to_bytes(body, usize::MAX)
            .await
            .unwrap()
            .to_vec()
    }

    #[tokio::test]
    async fn padded_has_the_exact_size() {
        let (_tx, rx) = watch::channel(false);
        let bytes = collect(padded("{\"a\":\"".into(), "\"}", Some(200_000), rx)).await;
        assert_eq!(bytes.len(), 200_000);
        assert!(bytes.starts_with(b"{\"a\":\"xxx"));
        assert!(bytes.ends_with(b"xx\"}"));
    }

    #[tokio::test]
    async fn endless_stops_with_the_server() {
        let (tx, rx) = watch::channel(false);
        let body = padded("[".into(), "]", None, rx);
        let _ = tx.send(true);
        assert!(axum::body::to_bytes(body, usize::MAX).await.is_err());
    }
}
