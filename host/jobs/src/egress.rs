//! Where webhooks may go: public addresses only, over https, unless the operator lifts
//! both rules (`--webhook-allow-private`, for development and the tests' loopback
//! receiver).
//!
//! A tenant chooses its webhook URL, so without these rules the service would POST to
//! its own loopback ports, the cloud metadata endpoint (`169.254.169.254`) or the
//! operator's private network, and show the tenant how each answered. URLs are read
//! with the WHATWG parser, which turns every spelling of an IPv4 address (`127.1`,
//! `2130706433`, `0x7f.0.0.1`) into one; names are checked on what they resolve to, when
//! the webhook is set and again when a delivery connects (the connector resolves
//! through [`VettedResolver`], so the address checked is the address connected to).

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

/// Why a URL or an address is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Refused(pub String);

/// What an address is, if it is not a public unicast address.
pub fn non_public(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => non_public_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return non_public_v4(v4);
            }
            let s = v6.segments();
            if v6.is_loopback() {
                Some("loopback")
            } else if v6.is_unspecified() {
                Some("unspecified")
            } else if v6.is_multicast() {
                Some("multicast")
            } else if s[0] & 0xfe00 == 0xfc00 {
                Some("unique-local")
            } else if s[0] & 0xffc0 == 0xfe80 {
                Some("link-local")
            } else if s[0] & 0xffc0 == 0xfec0 {
                Some("site-local")
            } else if s[0] == 0x2001 && s[1] == 0 {
                // Teredo tunnels to an IPv4 address of the client's choosing.
                Some("Teredo")
            } else if s[0] == 0x64 && s[1] == 0xff9b && s[2] == 1 {
                // Local-use NAT64 (RFC 8215): the operator's own translator.
                Some("local-use NAT64")
            } else if s[0] == 0x2001 && s[1] == 0x0db8 {
                Some("documentation")
            } else if s[0] == 0x64 && s[1] == 0xff9b {
                // NAT64: the IPv4 address it reaches decides.
                non_public_v4(Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8))
            } else if s[0] == 0x2002 {
                // 6to4: likewise.
                non_public_v4(Ipv4Addr::new((s[1] >> 8) as u8, s[1] as u8, (s[2] >> 8) as u8, s[2] as u8))
            } else if s[..6] == [0; 6] {
                Some("IPv4-compatible")
            } else {
                None
            }
        }
    }
}

fn non_public_v4(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, c, _] = ip.octets();
    if ip.is_loopback() {
        Some("loopback")
    } else if ip.is_unspecified() || a == 0 {
        Some("unspecified")
    } else if ip.is_private() {
        Some("private")
    } else if a == 100 && (64..128).contains(&b) {
        Some("CGNAT (shared address space)")
    } else if ip.is_link_local() {
        Some("link-local (cloud metadata lives here)")
    } else if ip.is_multicast() {
        Some("multicast")
    } else if ip.is_broadcast() {
        Some("broadcast")
    } else if ip.is_documentation() {
        Some("documentation")
    } else if a == 198 && (b == 18 || b == 19) {
        Some("benchmarking")
    } else if a == 192 && b == 0 && c == 0 {
        Some("IETF protocol assignments")
    } else if a >= 240 {
        Some("reserved")
    } else {
        None
    }
}

/// Checks one address.
pub fn check_ip(ip: IpAddr, allow_private: bool) -> Result<(), Refused> {
    match non_public(ip) {
        Some(kind) if !allow_private => Err(Refused(format!("{ip} is a {kind} address; webhooks go to public addresses only"))),
        _ => Ok(()),
    }
}

/// What a webhook URL names: the parsed URL and, for a name, the name to resolve.
#[derive(Debug, Clone)]
pub struct Target {
    /// The URL as the parser normalized it.
    pub url: url::Url,
    /// The host name to resolve (`None` for an IP address, already checked).
    pub name: Option<String>,
    /// The port the delivery connects to.
    pub port: u16,
}

/// Checks a URL's form: https (or http when private addresses are allowed), a host,
/// and an IP host that is public.
pub fn check_url(text: &str, allow_private: bool) -> Result<Target, Refused> {
    let url = url::Url::parse(text).map_err(|e| Refused(format!("not a URL ({e})")))?;
    match url.scheme() {
        "https" => {}
        "http" if allow_private => {}
        "http" => return Err(Refused("webhooks are sent over https only".into())),
        other => return Err(Refused(format!("scheme {other}: webhooks are sent over https only"))),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Refused("credentials in the URL are not allowed; the signature authenticates deliveries".into()));
    }
    let port = url.port_or_known_default().unwrap_or(443);
    let name = match url.host() {
        None => return Err(Refused("the URL has no host".into())),
        Some(url::Host::Ipv4(ip)) => {
            check_ip(IpAddr::V4(ip), allow_private)?;
            None
        }
        Some(url::Host::Ipv6(ip)) => {
            check_ip(IpAddr::V6(ip), allow_private)?;
            None
        }
        Some(url::Host::Domain(d)) => {
            let d = d.trim_end_matches('.').to_ascii_lowercase();
            if !allow_private && (d == "localhost" || d.ends_with(".localhost")) {
                return Err(Refused(format!("{d} is loopback; webhooks go to public addresses only")));
            }
            Some(d)
        }
    };
    Ok(Target { url, name, port })
}

/// Resolves a name and checks every address it has: one that is not public refuses the
/// whole name (a receiver does not get to pick which of its addresses is used).
pub async fn resolve(name: &str, port: u16, allow_private: bool) -> Result<Vec<SocketAddr>, Refused> {
    let addrs = lookup(name, port).await.map_err(|e| Refused(format!("{name} does not resolve ({e})")))?;
    vet(name, &addrs, allow_private)?;
    Ok(addrs)
}

/// The check when a webhook is set: a name that resolves must resolve to allowed
/// addresses only; one that does not resolve (yet) is let through, since every
/// delivery resolves it again through [`VettedResolver`].
pub async fn check_name(name: &str, port: u16, allow_private: bool) -> Result<(), Refused> {
    match lookup(name, port).await {
        Ok(addrs) => vet(name, &addrs, allow_private),
        Err(_) => Ok(()),
    }
}

async fn lookup(name: &str, port: u16) -> std::io::Result<Vec<SocketAddr>> {
    let addrs: Vec<SocketAddr> = tokio::net::lookup_host((name, port)).await?.collect();
    if addrs.is_empty() {
        return Err(std::io::Error::new(std::io::ErrorKind::NotFound, "no addresses"));
    }
    Ok(addrs)
}

fn vet(name: &str, addrs: &[SocketAddr], allow_private: bool) -> Result<(), Refused> {
    for a in addrs {
        check_ip(a.ip(), allow_private).map_err(|r| Refused(format!("{name} resolves to {}", r.0)))?;
    }
    Ok(())
}

/// The delivery connector's resolver: the addresses it hands over are the vetted ones,
/// so a name cannot resolve to a public address when checked and a private one when
/// connected (DNS rebinding).
#[derive(Debug, Clone, Copy)]
pub struct VettedResolver {
    /// Lifts the rules (development, tests).
    pub allow_private: bool,
}

type Addrs = std::vec::IntoIter<SocketAddr>;

impl tower_service::Service<hyper_util::client::legacy::connect::dns::Name> for VettedResolver {
    type Response = Addrs;
    type Error = std::io::Error;
    type Future = std::pin::Pin<Box<dyn std::future::Future<Output = Result<Addrs, std::io::Error>> + Send>>;

    fn poll_ready(&mut self, _: &mut std::task::Context<'_>) -> std::task::Poll<Result<(), Self::Error>> {
        std::task::Poll::Ready(Ok(()))
    }

    fn call(&mut self, name: hyper_util::client::legacy::connect::dns::Name) -> Self::Future {
        let allow_private = self.allow_private;
        Box::pin(async move {
            // The connector sets the port itself; 0 here.
            resolve(name.as_str(), 0, allow_private)
                .await
                .map(Vec::into_iter)
                .map_err(|r| std::io::Error::new(std::io::ErrorKind::PermissionDenied, r.0))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spelling_of_a_non_public_address_is_refused() {
        let refused = [
            "https://127.0.0.1/hook",
            "https://127.1/hook",
            "https://2130706433/hook",
            "https://0x7f.0.0.1/hook",
            "https://0177.0.0.1/hook",
            "https://[::1]/hook",
            "https://[::ffff:127.0.0.1]/hook",
            "https://[::]/hook",
            "https://0.0.0.0/hook",
            "https://169.254.169.254/latest/meta-data/",
            "https://10.1.2.3/",
            "https://172.16.0.1/",
            "https://192.168.1.1/",
            "https://100.64.0.1/",
            "https://224.0.0.1/",
            "https://255.255.255.255/",
            "https://192.0.2.1/",
            "https://198.51.100.7/",
            "https://203.0.113.9/",
            "https://[fd00::1]/",
            "https://[fe80::1]/",
            "https://[ff02::1]/",
            "https://[2001:db8::1]/",
            "https://[64:ff9b::7f00:1]/",
            "https://[2002:a9fe:a9fe::]/",
            "https://[fec0::1]/",
            "https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/",
            "https://[64:ff9b:1::a9fe:a9fe]/",
            "https://localhost/",
            "https://api.localhost./",
        ];
        assert_eq!(refused.len(), 30);
        for url in refused {
            let e = check_url(url, false).expect_err(url);
            assert!(e.0.contains("public addresses only"), "{url}: {e}");
            assert!(check_url(url, true).is_ok(), "{url} with private addresses allowed");
        }
    }

    #[test]
    fn public_https_urls_pass_and_other_schemes_do_not() {
        for url in ["https://hooks.example.com/x", "https://8.8.8.8/x", "https://[2606:4700::1111]/x", "https://93.184.216.34:8443/x"] {
            let t = check_url(url, false).unwrap_or_else(|e| panic!("{url}: {e}"));
            assert!(t.port == 443 || t.port == 8443);
        }
        assert_eq!(check_url("https://hooks.example.com/x", false).unwrap().name.as_deref(), Some("hooks.example.com"));
        assert!(check_url("http://hooks.example.com/x", false).unwrap_err().0.contains("https only"));
        assert!(check_url("http://hooks.example.com/x", true).is_ok());
        assert!(check_url("ftp://hooks.example.com/x", true).is_err());
        assert!(check_url("https://user:pw@hooks.example.com/x", false).unwrap_err().0.contains("credentials"));
    }

    #[tokio::test]
    async fn a_name_that_resolves_to_loopback_is_refused_and_the_resolver_hands_over_nothing() {
        let e = resolve("localhost", 443, false).await.unwrap_err();
        assert!(e.0.contains("loopback"), "{e}");
        assert!(!resolve("localhost", 443, true).await.unwrap().is_empty());
        let name: hyper_util::client::legacy::connect::dns::Name = "localhost".parse().unwrap();
        let mut resolver = VettedResolver { allow_private: false };
        let e = tower_service::Service::call(&mut resolver, name).await.unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::PermissionDenied);
    }
}
