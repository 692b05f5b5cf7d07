//! A per-client-address limit on the token endpoints (`/v1/auth/token`, `/refresh`, `/logout`):
//! the per-e-mail lockout stops guessing one account's password, this stops one address trying
//! many accounts, or flooding the endpoints that hash passwords and write to the database.
//!
//! The limit is kept in this process's memory: each `ccm serve` instance limits on its own, so
//! behind a load balancer over `n` instances an address may get up to `n` times the rate. That
//! is enough to blunt a flood; the per-e-mail lockout, kept in the database, is the one that
//! holds across instances.
//!
//! The client is the TCP peer address. `X-Forwarded-For` is not trusted: anyone can send it,
//! and behind a proxy every client would share the proxy's address anyway, which errs on the
//! side of refusing rather than of letting a flood through.

use std::collections::HashMap;
use std::hash::Hash;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage};
use tracing_actix_web::RequestId;

use crate::error::ApiError;
use crate::middleware::render_problem;

/// The limited endpoints: those that check passwords or refresh tokens without a caller known.
const LIMITED_PATHS: [&str; 3] = ["/v1/auth/token", "/v1/auth/refresh", "/v1/auth/logout"];

/// The most addresses remembered. At ~64 bytes an entry this is a few MiB at worst; beyond it
/// the address closest to a full allowance is forgotten (it loses at most its refill).
const MAX_CLIENTS: usize = 65_536;

/// How often idle entries are swept out, whatever the number of clients.
const SWEEP_EVERY: Duration = Duration::from_secs(60);

/// A token bucket per client address: `per_minute` requests at once, then one more each
/// `60 / per_minute` seconds. Unlike a fixed window, a client cannot get twice the rate across
/// a window's edge.
/// Keyed by client address for the auth endpoints, by API client id for partners' calls.
pub struct RateLimiter<K = IpAddr> {
    capacity: f64,
    /// Tokens regained per second.
    refill: f64,
    state: Mutex<Clients<K>>,
}

struct Clients<K> {
    buckets: HashMap<K, Bucket>,
    last_sweep: Instant,
}

#[derive(Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

/// A refusal: how long until the client may try again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limited {
    pub retry_after: Duration,
}

impl<K: Hash + Eq + Clone> RateLimiter<K> {
    pub fn per_minute(per_minute: u32) -> RateLimiter<K> {
        let capacity = f64::from(per_minute.max(1));
        RateLimiter {
            capacity,
            refill: capacity / 60.0,
            state: Mutex::new(Clients {
                buckets: HashMap::new(),
                last_sweep: Instant::now(),
            }),
        }
    }

    /// Takes one request from `client`'s allowance, or says how long until there is one.
    pub fn check(&self, client: K) -> Result<(), Limited> {
        self.check_at(client, Instant::now())
    }

    fn check_at(&self, client: K, now: Instant) -> Result<(), Limited> {
        // A panic while holding the lock leaves plain numbers behind; keep using them.
        let mut clients = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if now.saturating_duration_since(clients.last_sweep) >= SWEEP_EVERY {
            self.sweep(&mut clients.buckets, now);
            clients.last_sweep = now;
        }
        if !clients.buckets.contains_key(&client) && clients.buckets.len() >= MAX_CLIENTS {
            self.sweep(&mut clients.buckets, now);
            if clients.buckets.len() >= MAX_CLIENTS {
                self.forget_fullest(&mut clients.buckets, now);
            }
        }
        let capacity = self.capacity;
        let bucket = clients.buckets.entry(client).or_insert(Bucket {
            tokens: capacity,
            at: now,
        });
        bucket.tokens = self.level(bucket, now);
        bucket.at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            return Ok(());
        }
        let wait = (1.0 - bucket.tokens) / self.refill;
        Err(Limited {
            // Whole seconds, rounded up: a client that waits as told is let in.
            retry_after: Duration::from_secs(wait.ceil().max(1.0) as u64),
        })
    }

    /// The bucket's tokens at `now`, refilled since it was last touched.
    fn level(&self, bucket: &Bucket, now: Instant) -> f64 {
        let elapsed = now.saturating_duration_since(bucket.at).as_secs_f64();
        (bucket.tokens + elapsed * self.refill).min(self.capacity)
    }

    /// Forgets clients whose allowance has refilled: a full bucket is the same as none.
    fn sweep(&self, buckets: &mut HashMap<K, Bucket>, now: Instant) {
        buckets.retain(|_, b| self.level(b, now) < self.capacity);
    }

    fn forget_fullest(&self, buckets: &mut HashMap<K, Bucket>, now: Instant) {
        let fullest = buckets
            .iter()
            .max_by(|a, b| self.level(a.1, now).total_cmp(&self.level(b.1, now)))
            .map(|(key, _)| key.clone());
        if let Some(ip) = fullest {
            buckets.remove(&ip);
        }
    }

    #[cfg(test)]
    fn clients(&self) -> usize {
        self.state.lock().map(|c| c.buckets.len()).unwrap_or(0)
    }
}

/// Refuses a request to a limited endpoint over its client's allowance with 429 and
/// `Retry-After`, before anything else sees it: no idempotency record, no login count, no
/// token, no audit event.
pub async fn limit_auth(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let limited = req.method() == Method::POST && LIMITED_PATHS.contains(&req.path());
    let limiter = req.app_data::<web::Data<RateLimiter<IpAddr>>>().cloned();
    if let (true, Some(limiter)) = (limited, limiter) {
        // No peer address only happens off TCP (tests with a mock request); such callers share
        // one allowance.
        let client = req
            .peer_addr()
            .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |a| a.ip());
        if let Err(refused) = limiter.check(client) {
            tracing::warn!(%client, path = %req.path(), "auth rate limit reached");
            let request_id = req.extensions().get::<RequestId>().map(|id| id.to_string());
            let error = ApiError::TooManyRequests {
                detail:
                    "too many requests to the sign-in endpoints from this address; try again later"
                        .into(),
                retry_after_secs: refused.retry_after.as_secs(),
            };
            let response = render_problem(&error, req.path(), request_id.as_deref());
            return Ok(req.into_response(response));
        }
    }
    Ok(next.call(req).await?.map_into_boxed_body())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(last: u8) -> IpAddr {
        IpAddr::V4(Ipv4Addr::new(192, 0, 2, last))
    }

    #[test]
    fn the_allowance_is_spent_then_refused_with_the_wait_for_the_next_request() {
        let limiter = RateLimiter::per_minute(3);
        let t0 = Instant::now();
        for _ in 0..3 {
            assert_eq!(limiter.check_at(ip(1), t0), Ok(()));
        }
        let refused = limiter.check_at(ip(1), t0).unwrap_err();
        assert_eq!(refused.retry_after, Duration::from_secs(20));
        assert_eq!(
            limiter.check_at(ip(2), t0),
            Ok(()),
            "another address has its own allowance"
        );
    }

    #[test]
    fn the_allowance_refills_at_the_rate() {
        let limiter = RateLimiter::per_minute(60);
        let t0 = Instant::now();
        for _ in 0..60 {
            limiter.check_at(ip(1), t0).unwrap();
        }
        assert!(limiter.check_at(ip(1), t0).is_err());
        let later = t0 + Duration::from_millis(1500);
        assert_eq!(limiter.check_at(ip(1), later), Ok(()));
        assert_eq!(
            limiter.check_at(ip(1), later).unwrap_err().retry_after,
            Duration::from_secs(1),
            "half a token back: the wait is rounded up to a whole second"
        );
    }

    #[test]
    fn a_refused_request_costs_nothing() {
        let limiter = RateLimiter::per_minute(1);
        let t0 = Instant::now();
        limiter.check_at(ip(1), t0).unwrap();
        for s in 1..60 {
            assert!(limiter
                .check_at(ip(1), t0 + Duration::from_secs(s))
                .is_err());
        }
        assert_eq!(
            limiter.check_at(ip(1), t0 + Duration::from_secs(60)),
            Ok(())
        );
    }

    #[test]
    fn idle_clients_are_forgotten() {
        let limiter = RateLimiter::per_minute(10);
        let t0 = Instant::now();
        for last in 0..100 {
            limiter.check_at(ip(last), t0).unwrap();
        }
        assert_eq!(limiter.clients(), 100);
        // A minute on every bucket is full again: the sweep drops them all but the new one.
        limiter.check_at(ip(200), t0 + SWEEP_EVERY).unwrap();
        assert_eq!(limiter.clients(), 1);
    }

    #[test]
    fn memory_is_bounded_however_many_addresses_call() {
        let limiter = RateLimiter::per_minute(10);
        let t0 = Instant::now();
        for n in 0..(MAX_CLIENTS as u32 + 10) {
            let addr = IpAddr::V4(Ipv4Addr::from(0x0a00_0000 + n));
            limiter.check_at(addr, t0).unwrap();
        }
        assert_eq!(limiter.clients(), MAX_CLIENTS);
    }
}
