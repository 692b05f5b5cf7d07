//! Where a partner's webhooks may be delivered, and when a failed delivery is tried again.
//!
//! A subscription's URL is checked when it is registered: only http(s), no credentials in it,
//! and never an address inside a cloud or a network (link-local, cloud metadata, private,
//! multicast) where a request from the server could reach what the partner cannot. The
//! deliverer checks the address the name resolves to again at sending time, since a name can
//! change what it points to after registration.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::time::Duration;

use url::{Host, Url};

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EndpointError {
    #[error("not a URL")]
    Unparsable,
    #[error("webhooks are delivered over http or https only")]
    Scheme,
    #[error("a webhook URL carries no user name or password; the signature authenticates us")]
    Credentials,
    #[error("a webhook URL needs a host")]
    NoHost,
    #[error(
        "{0} is not an address webhooks may be sent to (link-local, metadata, private or local)"
    )]
    Forbidden(String),
}

/// Whether loopback addresses are allowed: only for local development and tests, where the
/// receiver runs on the same machine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Loopback {
    Refused,
    Allowed,
}

/// Names that reach a cloud's instance metadata service, whatever they resolve to.
const METADATA_NAMES: &[&str] = &["metadata", "metadata.google.internal", "instance-data"];

/// The URL, checked for registration.
pub fn check_endpoint(raw: &str, loopback: Loopback) -> Result<Url, EndpointError> {
    let url = Url::parse(raw.trim()).map_err(|_| EndpointError::Unparsable)?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(EndpointError::Scheme);
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(EndpointError::Credentials);
    }
    match url.host() {
        None => return Err(EndpointError::NoHost),
        Some(Host::Domain(name)) => {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            let local = name == "localhost" || name.ends_with(".localhost");
            if METADATA_NAMES.contains(&name.as_str())
                || name.ends_with(".internal")
                || (local && loopback == Loopback::Refused)
            {
                return Err(EndpointError::Forbidden(name));
            }
        }
        Some(Host::Ipv4(ip)) => check_ip(IpAddr::V4(ip), loopback)?,
        Some(Host::Ipv6(ip)) => check_ip(IpAddr::V6(ip), loopback)?,
    }
    Ok(url)
}

/// An address a delivery may be sent to (also for the address a name resolves to).
pub fn check_ip(ip: IpAddr, loopback: Loopback) -> Result<(), EndpointError> {
    let refused = match ip {
        IpAddr::V4(v4) => refused_v4(v4, loopback),
        IpAddr::V6(v6) => match embedded_v4(v6) {
            Some(v4) => refused_v4(v4, loopback) || refused_v6(v6, loopback),
            None => refused_v6(v6, loopback),
        },
    };
    if refused {
        Err(EndpointError::Forbidden(ip.to_string()))
    } else {
        Ok(())
    }
}

/// The IPv4 address an IPv6 address reaches through a translator or tunnel: IPv4-mapped
/// (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d), NAT64 (64:ff9b::/96 and 64:ff9b:1::/48) and
/// 6to4 (2002::/16). Each is refused as its IPv4 address would be.
fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let s = ip.segments();
    let last = |hi: u16, lo: u16| Some(Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo)));
    if let Some(v4) = ip.to_ipv4_mapped() {
        return Some(v4);
    }
    match s {
        [0, 0, 0, 0, 0, 0, hi, lo] if (hi, lo) != (0, 0) && (hi, lo) != (0, 1) => last(hi, lo),
        [0x64, 0xff9b, 0, 0, 0, 0, hi, lo] => last(hi, lo),
        [0x64, 0xff9b, 1, ..] => last(s[6], s[7]),
        [0x2002, hi, lo, ..] => last(hi, lo),
        _ => None,
    }
}

fn refused_v4(ip: Ipv4Addr, loopback: Loopback) -> bool {
    let [a, b, ..] = ip.octets();
    ip.is_link_local()
        || ip.is_private()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        // Shared address space (carrier-grade NAT), 100.64.0.0/10.
        || (a == 100 && (64..128).contains(&b))
        || (ip.is_loopback() && loopback == Loopback::Refused)
}

fn refused_v6(ip: Ipv6Addr, loopback: Loopback) -> bool {
    let first = ip.segments()[0];
    ip.is_unspecified()
        || ip.is_multicast()
        // Link-local fe80::/10 and unique local fc00::/7.
        || (first & 0xffc0) == 0xfe80
        || (first & 0xfe00) == 0xfc00
        || (ip.is_loopback() && loopback == Loopback::Refused)
}

/// How many times a delivery is tried before it is given up (and kept for manual redelivery).
pub const MAX_ATTEMPTS: u32 = 8;

/// How long to wait after failed attempt number `attempt` (1-based) before the next one:
/// 30 seconds, doubling, at most 6 hours; `None` once the attempts are spent.
pub fn retry_after(attempt: u32) -> Option<Duration> {
    if attempt == 0 || attempt >= MAX_ATTEMPTS {
        return None;
    }
    let doubled = 30u64.saturating_mul(1u64 << (attempt - 1).min(20));
    Some(Duration::from_secs(doubled.min(6 * 3600)))
}

/// The header carrying a delivery's signature: `t=<unix seconds>,v1=<hex HMAC-SHA256>`.
pub const SIGNATURE_HEADER: &str = "Ccm-Signature";

/// How far a receiver should let a signature's time differ from its clock before it refuses
/// the delivery as a replay.
pub const SIGNATURE_TOLERANCE_SECS: i64 = 300;

/// The signature of a delivery sent at `timestamp` (Unix seconds): HMAC-SHA256 with the
/// subscription's secret over `<timestamp>.<body>`, so a receiver can tell both that we sent it
/// and when, and a captured delivery cannot be replayed later under a new time.
pub fn sign(secret: &str, timestamp: i64, body: &[u8]) -> String {
    format!("t={timestamp},v1={}", hex(&mac(secret, timestamp, body)))
}

fn mac(secret: &str, timestamp: i64, body: &[u8]) -> Vec<u8> {
    use hmac::{Hmac, Mac};
    // HMAC takes a key of any length; `new_from_slice` cannot fail for it.
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"));
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac.finalize().into_bytes().to_vec()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// What a receiver does with a delivery: true when `header` is our signature of `body` made
/// with `secret` within the tolerance of `now`. Compares in constant time.
pub fn verify(secret: &str, header: &str, body: &[u8], now: i64) -> bool {
    use hmac::{Hmac, Mac};
    let mut timestamp = None;
    let mut signature = None;
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", t)) => timestamp = t.parse::<i64>().ok(),
            Some(("v1", v)) => signature = unhex(v),
            _ => {}
        }
    }
    let (Some(timestamp), Some(signature)) = (timestamp, signature) else {
        return false;
    };
    if (now - timestamp).abs() > SIGNATURE_TOLERANCE_SECS {
        return false;
    }
    let Ok(mut mac) = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()) else {
        return false;
    };
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac.verify_slice(&signature).is_ok()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ipv4_address_inside_ipv6_is_refused_as_the_ipv4_address_would_be() {
        for refused in [
            "::ffff:169.254.169.254",
            "::10.0.0.1",
            "64:ff9b::a9fe:a9fe",
            "64:ff9b:1::a00:1",
            "2002:a9fe:a9fe::1",
        ] {
            let ip: IpAddr = refused.parse().unwrap();
            assert!(check_ip(ip, Loopback::Refused).is_err(), "{refused}");
        }
        let public: IpAddr = "64:ff9b::5db8:d822".parse().unwrap(); // 93.184.216.34
        assert_eq!(check_ip(public, Loopback::Refused), Ok(()));
        assert!(check_ip("::1".parse().unwrap(), Loopback::Refused).is_err());
        assert_eq!(check_ip("::1".parse().unwrap(), Loopback::Allowed), Ok(()));
    }

    #[test]
    fn a_signature_is_hmac_sha256_over_the_time_and_the_body() {
        // The same value as Python's hmac.new(b"whsec_test", b'1700000000.{"id":"e1"}', sha256).
        assert_eq!(
            sign("whsec_test", 1_700_000_000, br#"{"id":"e1"}"#),
            "t=1700000000,v1=6a85cb117c993612a34c72b4cfb5a16baed25a80d26e298ce0e6671320fd07c8"
        );
    }

    #[test]
    fn a_receiver_accepts_our_signature_and_refuses_a_changed_body_key_or_old_time() {
        let body = br#"{"id":"e1","type":"referral.screening"}"#;
        let header = sign("whsec_a", 1_700_000_000, body);
        assert!(verify("whsec_a", &header, body, 1_700_000_010));
        assert!(!verify("whsec_b", &header, body, 1_700_000_010));
        assert!(!verify("whsec_a", &header, b"{}", 1_700_000_010));
        assert!(!verify("whsec_a", &header, body, 1_700_000_000 + 301));
        assert!(!verify("whsec_a", "t=1700000000", body, 1_700_000_000));
        assert!(!verify("whsec_a", "garbage", body, 1_700_000_000));
    }

    fn check(raw: &str) -> Result<Url, EndpointError> {
        check_endpoint(raw, Loopback::Refused)
    }

    #[test]
    fn a_partners_https_endpoint_is_accepted() {
        let url = check("https://hooks.cafcass.example/ccm?tenant=7").unwrap();
        assert_eq!(url.host_str(), Some("hooks.cafcass.example"));
        assert!(
            check("http://203.0.113.9:8080/hook").is_err(),
            "documentation range"
        );
        assert!(check("http://8.8.8.8/hook").is_ok());
    }

    #[test]
    fn only_http_and_https_without_credentials() {
        assert_eq!(check("ftp://example.org/x"), Err(EndpointError::Scheme));
        assert_eq!(check("file:///etc/passwd"), Err(EndpointError::Scheme));
        assert_eq!(check("javascript:alert(1)"), Err(EndpointError::Scheme));
        assert_eq!(check("not a url"), Err(EndpointError::Unparsable));
        assert_eq!(
            check("https://user:pw@example.org/"),
            Err(EndpointError::Credentials)
        );
    }

    #[test]
    fn link_local_metadata_private_and_local_addresses_are_refused() {
        for raw in [
            "http://169.254.169.254/latest/meta-data/",
            "http://metadata.google.internal/computeMetadata/v1/",
            "http://metadata/",
            "http://10.0.0.5/",
            "http://172.16.3.4/",
            "http://192.168.1.1/",
            "http://100.64.0.1/",
            "http://0.0.0.0/",
            "http://[fe80::1]/",
            "http://[fd00::1]/",
            "http://[::ffff:169.254.169.254]/",
            "http://224.0.0.1/",
            "http://localhost:8080/",
            "http://127.0.0.1:9000/",
            "http://[::1]/",
            "http://2130706433/",
        ] {
            assert!(
                matches!(check(raw), Err(EndpointError::Forbidden(_))),
                "{raw}: {:?}",
                check(raw)
            );
        }
    }

    #[test]
    fn loopback_is_allowed_only_when_configured_for_local_receivers() {
        assert!(check_endpoint("http://127.0.0.1:9000/hook", Loopback::Allowed).is_ok());
        assert!(check_endpoint("http://localhost:9000/hook", Loopback::Allowed).is_ok());
        assert!(check_endpoint("http://169.254.169.254/", Loopback::Allowed).is_err());
    }

    #[test]
    fn failed_deliveries_back_off_exponentially_then_stop() {
        assert_eq!(retry_after(1), Some(Duration::from_secs(30)));
        assert_eq!(retry_after(2), Some(Duration::from_secs(60)));
        assert_eq!(retry_after(5), Some(Duration::from_secs(480)));
        assert_eq!(
            retry_after(MAX_ATTEMPTS - 1),
            Some(Duration::from_secs(1920))
        );
        assert_eq!(retry_after(MAX_ATTEMPTS), None);
        assert_eq!(retry_after(0), None);
    }
}
