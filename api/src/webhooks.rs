//! Delivering the webhook outbox: every due delivery is claimed (so that several `ccm serve`
//! processes send each once), signed, posted to the partner's receiver, and its attempt logged;
//! a failure is tried again after the domain's back-off until its attempts are spent.
//!
//! The receiver's address is checked again as it is connected to (the resolver refuses
//! link-local, metadata, private and, unless configured, loopback addresses), since the name
//! may point elsewhere than when it was registered. Redirects are not followed.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use time::OffsetDateTime;
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::{DefaultConnector, NextTimeout};

use ccm_domain::webhooks::{self, Loopback};
use ccm_persistence::webhooks::{self as store, Delivery, Outcome};
use ccm_persistence::{Db, StoreError};

use crate::cases::workflow::stored;
use crate::config::Config;

/// How many due deliveries one pass takes.
const BATCH: i64 = 50;

/// What the deliverer needs from the configuration.
#[derive(Clone, Copy, Debug)]
pub struct Settings {
    pub loopback: Loopback,
    pub timeout: Duration,
}

impl Settings {
    pub fn from_config(config: &Config) -> Settings {
        Settings {
            loopback: config.webhook_loopback,
            timeout: config.webhook_timeout,
        }
    }
}

/// Sends every delivery due at `now`; returns how many were attempted.
pub fn deliver_due(db: &Db, settings: Settings, now: OffsetDateTime) -> Result<usize, StoreError> {
    let due = db.read(|conn| store::due(conn, stored(now), BATCH))?;
    let agent = agent(settings);
    let mut attempted = 0;
    for delivery in due {
        // Each claim's lease runs from when it is taken, so a slow pass does not hand a
        // delivery to another process while this one is still sending it.
        let lease =
            stored(now.max(OffsetDateTime::now_utc()) + settings.timeout + Duration::from_secs(30));
        if !db.write(|conn| store::claim(conn, &delivery, lease))? {
            continue; // another process took it
        }
        let subscription = db.read(|conn| store::subscription(conn, &delivery.subscription_id))?;
        let outcome = if subscription.active {
            let tried = attempt(
                &agent,
                &subscription.url,
                &subscription.secret,
                &delivery,
                settings,
            );
            schedule(tried, &delivery, OffsetDateTime::now_utc())
        } else {
            Outcome {
                status_code: None,
                error: Some("the subscription was deleted".into()),
                duration_ms: 0,
                next: Err(()),
            }
        };
        let at = stored(OffsetDateTime::now_utc());
        db.write(|conn| store::record_attempt(conn, &delivery, lease, &outcome, at))?;
        attempted += 1;
    }
    Ok(attempted)
}

/// The result of one try, before it is scheduled.
struct Tried {
    status_code: Option<i32>,
    error: Option<String>,
    duration_ms: i64,
}

fn attempt(
    agent: &ureq::Agent,
    url: &str,
    secret: &str,
    delivery: &Delivery,
    settings: Settings,
) -> Tried {
    let started = Instant::now();
    let took = |started: Instant| i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
    // Checked at registration; checked again in case the rules changed since.
    if let Err(e) = webhooks::check_endpoint(url, settings.loopback) {
        return Tried {
            status_code: None,
            error: Some(e.to_string()),
            duration_ms: 0,
        };
    }
    let timestamp = OffsetDateTime::now_utc().unix_timestamp();
    let body = delivery.payload.as_bytes();
    let sent = agent
        .post(url)
        .header("Content-Type", "application/json")
        .header(
            "User-Agent",
            concat!("ccm-webhooks/", env!("CARGO_PKG_VERSION")),
        )
        .header(
            webhooks::SIGNATURE_HEADER,
            webhooks::sign(secret, timestamp, body),
        )
        .header("Ccm-Event-Id", &delivery.event_id)
        .header("Ccm-Event-Type", &delivery.event_type)
        .header("Ccm-Delivery-Id", &delivery.id)
        .send(body);
    match sent {
        Ok(response) => {
            let code = response.status().as_u16();
            Tried {
                status_code: Some(i32::from(code)),
                error: (!(200..300).contains(&code))
                    .then(|| format!("the receiver answered {code}")),
                duration_ms: took(started),
            }
        }
        Err(e) => Tried {
            status_code: None,
            error: Some(e.to_string().chars().take(500).collect()),
            duration_ms: took(started),
        },
    }
}

/// Delivered on a 2xx; otherwise due again after the back-off, or given up.
fn schedule(tried: Tried, delivery: &Delivery, at: OffsetDateTime) -> Outcome {
    let next = if tried.error.is_none() {
        Ok(None)
    } else {
        let attempt = u32::try_from(delivery.attempts + 1).unwrap_or(u32::MAX);
        match webhooks::retry_after(attempt) {
            Some(wait) => Ok(Some(stored(at + wait))),
            None => Err(()),
        }
    };
    Outcome {
        status_code: tried.status_code,
        error: tried.error,
        duration_ms: tried.duration_ms,
        next,
    }
}

fn agent(settings: Settings) -> ureq::Agent {
    let config = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        // A proxy from the environment would be the only address checked, not the receiver's.
        .proxy(None)
        .timeout_global(Some(settings.timeout))
        .build();
    ureq::Agent::with_parts(
        config,
        DefaultConnector::default(),
        CheckedResolver {
            loopback: settings.loopback,
        },
    )
}

/// Resolves as usual, then refuses the connection if any address is one webhooks may not
/// reach, so the address checked is the address connected to.
#[derive(Debug)]
struct CheckedResolver {
    loopback: Loopback,
}

impl Resolver for CheckedResolver {
    fn resolve(
        &self,
        uri: &ureq::http::Uri,
        config: &ureq::config::Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let addrs = DefaultResolver::default().resolve(uri, config, timeout)?;
        let refused: Option<SocketAddr> = addrs
            .iter()
            .copied()
            .find(|a| webhooks::check_ip(a.ip(), self.loopback).is_err());
        match refused {
            Some(addr) => Err(ureq::Error::Io(std::io::Error::new(
                std::io::ErrorKind::PermissionDenied,
                format!(
                    "{} resolves to {}, where webhooks are not sent",
                    uri,
                    addr.ip()
                ),
            ))),
            None => Ok(addrs),
        }
    }
}

/// Runs [`deliver_due`] every `CCM_WEBHOOK_POLL_MS` on a blocking thread.
pub fn spawn(db: Db, config: &Config) {
    let interval = config.webhook_poll_ms;
    if interval == 0 {
        return;
    }
    let settings = Settings::from_config(config);
    actix_web::rt::spawn(async move {
        loop {
            // A pause after each pass, not a fixed rate: a slow receiver delays the next pass
            // rather than stacking passes up behind it.
            actix_web::rt::time::sleep(Duration::from_millis(interval)).await;
            let db = db.clone();
            let sent = actix_web::web::block(move || {
                deliver_due(&db, settings, OffsetDateTime::now_utc())
            })
            .await;
            if let Ok(Err(e)) = sent {
                tracing::warn!(error = %e, "webhook delivery pass failed; will try again");
            }
        }
    });
}
