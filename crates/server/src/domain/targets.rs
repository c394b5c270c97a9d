//! Where webhooks may go: the shop's servers on the public internet, never this server's
//! own network. A URL is checked when the shop sets it (https, no credentials in it, not an
//! address of this machine or a private network), and every address a host name resolves
//! to is checked again when a webhook is sent, so a name that points inside later is
//! refused too. In development (`--dev-webhooks`, implied by the demo) plain http and
//! private addresses are allowed.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Whether webhooks may go to http and to private addresses (development only).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Targets {
    pub dev: bool,
}

impl Targets {
    /// Checks a webhook URL as the shop sets it; the error says what is wrong.
    pub fn check_url(self, text: &str) -> Result<(), &'static str> {
        if text.len() > 2000 {
            return Err("must be at most 2000 characters");
        }
        let url = url::Url::parse(text).map_err(|_| "must be an https URL")?;
        match url.scheme() {
            "https" => {}
            "http" if self.dev => {}
            "http" => return Err("must be https (plain http is for development only)"),
            _ => return Err("must be an https URL"),
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err("must not carry a user name or password");
        }
        match url.host() {
            None => Err("must name a host"),
            Some(url::Host::Ipv4(ip)) if !self.address_allowed(IpAddr::V4(ip)) => {
                Err("must not point at a private, local or reserved address")
            }
            Some(url::Host::Ipv6(ip)) if !self.address_allowed(IpAddr::V6(ip)) => {
                Err("must not point at a private, local or reserved address")
            }
            Some(url::Host::Domain(name)) if !self.dev && is_local_name(name) => {
                Err("must not point at this machine")
            }
            // A name of one label is a name on the server's own network.
            Some(url::Host::Domain(name))
                if !self.dev && !name.trim_end_matches('.').contains('.') =>
            {
                Err("must name a host on the internet (a domain with a dot)")
            }
            Some(_) => Ok(()),
        }
    }

    /// Whether a webhook may be sent to this address.
    pub fn address_allowed(self, ip: IpAddr) -> bool {
        self.dev || is_public(ip)
    }
}

/// Names that mean this machine whatever DNS says.
fn is_local_name(name: &str) -> bool {
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    name == "localhost" || name.ends_with(".localhost")
}

/// An address on the public internet: not loopback, private, link-local, shared (CGNAT),
/// multicast, reserved, documentation or unspecified, in IPv4 or IPv6, nor an IPv6
/// address carrying such an IPv4 one (mapped, compatible, NAT64, 6to4).
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        || a >= 240
        || (a == 100 && (64..=127).contains(&b))
        || (a == 192 && b == 0 && c == 0)
        || (a == 198 && (18..=19).contains(&b)))
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let segments = ip.segments();
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_public_v4(v4);
    }
    // IPv4-compatible (::a.b.c.d) and NAT64 (64:ff9b::a.b.c.d) carry an IPv4 address.
    let embedded = Ipv4Addr::new(
        (segments[6] >> 8) as u8,
        segments[6] as u8,
        (segments[7] >> 8) as u8,
        segments[7] as u8,
    );
    if segments[..6] == [0; 6] || segments[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        return !ip.is_unspecified() && !ip.is_loopback() && is_public_v4(embedded);
    }
    // 6to4 (2002:a.b.c.d::) carries one in its second and third groups.
    if segments[0] == 0x2002 {
        let v4 = Ipv4Addr::new(
            (segments[1] >> 8) as u8,
            segments[1] as u8,
            (segments[2] >> 8) as u8,
            segments[2] as u8,
        );
        return is_public_v4(v4);
    }
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        || (segments[0] & 0xfe00) == 0xfc00
        || (segments[0] & 0xffc0) == 0xfe80
        || (segments[0] == 0x2001 && segments[1] == 0x0db8))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PRODUCTION: Targets = Targets { dev: false };
    const DEVELOPMENT: Targets = Targets { dev: true };

    #[test]
    fn only_public_https_urls_without_credentials_are_taken() {
        for url in [
            "https://merchant.example/hooks",
            "https://merchant.example:8443/hooks?shop=1",
            "https://93.184.216.34/hooks",
            "https://[2606:2800:220:1:248:1893:25c8:1946]/hooks",
        ] {
            assert_eq!(PRODUCTION.check_url(url), Ok(()), "{url}");
        }
        for url in [
            // The five found by the probe.
            "http://127.0.0.1.evil.example/",
            "http://localhost@evil.example/",
            "http://localhostevil.example/",
            "https://169.254.169.254/latest/meta-data/",
            "https://[::ffff:127.0.0.1]:22/",
            // And their kin.
            "https://localhost/hooks",
            "https://api.localhost/hooks",
            "https://127.0.0.1/hooks",
            "https://10.0.0.5/hooks",
            "https://172.16.3.4/hooks",
            "https://192.168.1.1/hooks",
            "https://100.64.0.1/hooks",
            "https://0.0.0.0/hooks",
            "https://[::1]/hooks",
            "https://[fd00::1]/hooks",
            "https://[fe80::1]/hooks",
            "https://[64:ff9b::a9fe:a9fe]/hooks",
            "https://[2002:7f00:1::]/hooks",
            "https://user:secret@merchant.example/hooks",
            "ftp://merchant.example/hooks",
            "https:///hooks",
            "https://intranet/hooks",
            "merchant.example/hooks",
        ] {
            assert!(PRODUCTION.check_url(url).is_err(), "{url}");
        }
    }

    #[test]
    fn development_allows_http_and_this_machine() {
        assert_eq!(
            DEVELOPMENT.check_url("http://127.0.0.1:8081/webhooks"),
            Ok(())
        );
        assert_eq!(DEVELOPMENT.check_url("http://localhost:3000/hooks"), Ok(()));
        assert!(DEVELOPMENT.address_allowed("127.0.0.1".parse().unwrap()));
        assert!(
            DEVELOPMENT.check_url("http://user@localhost/").is_err(),
            "credentials never"
        );
    }

    #[test]
    fn addresses_inside_are_refused_at_send_time() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "169.254.169.254",
            "192.168.0.10",
            "100.100.100.100",
            "224.0.0.1",
            "255.255.255.255",
            "240.0.0.1",
            "::1",
            "::",
            "fd12::1",
            "fe80::2",
            "::ffff:10.0.0.1",
            "::ffff:169.254.169.254",
            "ff02::1",
        ] {
            assert!(!PRODUCTION.address_allowed(ip.parse().unwrap()), "{ip}");
        }
        for ip in [
            "93.184.216.34",
            "1.1.1.1",
            "2606:4700:4700::1111",
            "::ffff:1.1.1.1",
        ] {
            assert!(PRODUCTION.address_allowed(ip.parse().unwrap()), "{ip}");
        }
    }
}
