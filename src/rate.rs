//! Client-side pacing: a ceiling on requests per second for the whole run (`--rate`), and
//! honouring `429 Too Many Requests` with `Retry-After`, so a run never trips a staging rate
//! limit by accident and rides out one it does trip.

use std::time::{Duration, Instant};

use tokio::sync::Mutex;

/// At most this many retries of one request answered 429.
pub const MAX_429_RETRIES: u32 = 3;
/// The longest `Retry-After` honoured; longer waits are cut to this.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(30);
/// The wait when a 429 carries no usable `Retry-After`.
pub const DEFAULT_RETRY_AFTER: Duration = Duration::from_secs(1);

/// Spaces request starts at least `1 / rate` seconds apart, across all cases of a run.
#[derive(Debug)]
pub struct Pacer {
    interval: Duration,
    next: Mutex<Instant>,
}

impl Pacer {
    /// `None` when `per_second` is not a positive number (no ceiling).
    pub fn new(per_second: f64) -> Option<Self> {
        // A rate so small that its interval does not fit a Duration is refused like 0.
        let interval = Duration::try_from_secs_f64(1.0 / per_second).ok()?;
        (per_second.is_finite() && per_second > 0.0).then(|| Pacer {
            interval,
            next: Mutex::new(Instant::now()),
        })
    }

    /// Waits for this request's turn.
    pub async fn wait(&self) {
        let at = {
            let mut next = self.next.lock().await;
            let now = Instant::now();
            let at = (*next).max(now);
            *next = at + self.interval;
            at
        };
        tokio::time::sleep_until(at.into()).await;
    }
}

/// The wait a 429 asks for: `Retry-After` in seconds (an HTTP date counts as the default),
/// capped at [`MAX_RETRY_AFTER`].
pub fn retry_after(header: Option<&str>) -> Duration {
    match header.map(str::trim).and_then(|h| h.parse::<f64>().ok()) {
        // `try_`: a target's `Retry-After: 1e300` must not panic the harness.
        Some(secs) if secs.is_finite() && secs >= 0.0 => {
            Duration::try_from_secs_f64(secs).map_or(MAX_RETRY_AFTER, |d| d.min(MAX_RETRY_AFTER))
        }
        _ => DEFAULT_RETRY_AFTER,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_is_parsed_and_capped() {
        assert_eq!(retry_after(Some("2")), Duration::from_secs(2));
        assert_eq!(retry_after(Some(" 0 ")), Duration::ZERO);
        assert_eq!(retry_after(Some("86400")), MAX_RETRY_AFTER);
        assert_eq!(retry_after(Some("1e300")), MAX_RETRY_AFTER);
        assert_eq!(
            retry_after(Some("Wed, 21 Oct 2015 07:28:00 GMT")),
            DEFAULT_RETRY_AFTER
        );
        assert_eq!(retry_after(None), DEFAULT_RETRY_AFTER);
        assert!(Pacer::new(0.0).is_none() && Pacer::new(f64::NAN).is_none());
        assert!(Pacer::new(1e-320).is_none() && Pacer::new(-1.0).is_none());
    }

    #[tokio::test]
    async fn pacer_spaces_requests() {
        let p = Pacer::new(100.0).unwrap();
        let start = Instant::now();
        for _ in 0..11 {
            p.wait().await;
        }
        // 11 starts at 10 ms spacing: the last is at least 100 ms after the first.
        assert!(
            start.elapsed() >= Duration::from_millis(95),
            "{:?}",
            start.elapsed()
        );
    }
}
