//! Share links, built in Rust: plain URLs to each network's share page. Nothing is loaded from
//! any network until the reader clicks.

use std::fmt::Write;

/// A place to share to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Network {
    Facebook,
    X,
    LinkedIn,
    WhatsApp,
    Telegram,
    Reddit,
    Bluesky,
    Threads,
    Mastodon,
    Pinterest,
    Email,
    Copy,
}

impl Network {
    /// Every network, in the default order.
    pub const ALL: [Network; 12] = [
        Self::Facebook,
        Self::X,
        Self::LinkedIn,
        Self::WhatsApp,
        Self::Telegram,
        Self::Reddit,
        Self::Bluesky,
        Self::Threads,
        Self::Mastodon,
        Self::Pinterest,
        Self::Email,
        Self::Copy,
    ];

    /// The name used in `data-share-networks` and in the `news-widget:share` event.
    pub fn key(self) -> &'static str {
        match self {
            Self::Facebook => "facebook",
            Self::X => "x",
            Self::LinkedIn => "linkedin",
            Self::WhatsApp => "whatsapp",
            Self::Telegram => "telegram",
            Self::Reddit => "reddit",
            Self::Bluesky => "bluesky",
            Self::Threads => "threads",
            Self::Mastodon => "mastodon",
            Self::Pinterest => "pinterest",
            Self::Email => "email",
            Self::Copy => "copy",
        }
    }

    /// The network's own name, as a reader knows it.
    pub fn brand(self) -> &'static str {
        match self {
            Self::Facebook => "Facebook",
            Self::X => "X",
            Self::LinkedIn => "LinkedIn",
            Self::WhatsApp => "WhatsApp",
            Self::Telegram => "Telegram",
            Self::Reddit => "Reddit",
            Self::Bluesky => "Bluesky",
            Self::Threads => "Threads",
            Self::Mastodon => "Mastodon",
            Self::Pinterest => "Pinterest",
            Self::Email => "e-mail",
            Self::Copy => "",
        }
    }

    pub fn parse(key: &str) -> Option<Self> {
        let key = key.trim().to_ascii_lowercase();
        let key = if key == "twitter" { "x".to_owned() } else { key };
        Self::ALL.into_iter().find(|n| n.key() == key)
    }
}

/// Parses `data-share-networks` ("facebook, x, email"): the known networks in order, and the
/// names that are not networks.
pub fn parse_list(raw: &str) -> (Vec<Network>, Vec<String>) {
    let mut known = Vec::new();
    let mut unknown = Vec::new();
    for name in raw.split([',', ' ']).map(str::trim).filter(|n| !n.is_empty()) {
        match Network::parse(name) {
            Some(n) if !known.contains(&n) => known.push(n),
            Some(_) => {}
            None => unknown.push(name.to_owned()),
        }
    }
    (known, unknown)
}

/// `encodeURIComponent`: every byte but `A–Z a–z 0–9 - _ . ! ~ * ' ( )` percent-encoded.
pub fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&byte) {
            out.push(char::from(byte));
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

/// What is shared: the article's address, title, and lead image.
#[derive(Clone, Debug, PartialEq)]
pub struct Shared {
    pub url: String,
    pub title: String,
    pub image: Option<String>,
}

/// The address to share, with the tracking parameters of `tag` for `network` when a tag is set
/// (`utm_source`, `utm_medium=social`, `utm_campaign`), added before any fragment.
pub fn tagged(url: &str, tag: Option<&str>, network: Network) -> String {
    let Some(tag) = tag.filter(|t| !t.is_empty()) else { return url.to_owned() };
    let (base, fragment) = url.split_once('#').map_or((url, None), |(b, f)| (b, Some(f)));
    let sep = if base.contains('?') { '&' } else { '?' };
    let mut out = format!("{base}{sep}utm_source={}&utm_medium=social&utm_campaign={}", network.key(), encode(tag));
    if let Some(fragment) = fragment {
        out.push('#');
        out.push_str(fragment);
    }
    out
}

/// The share page of `network` for `shared` (`None` for copy, whose target is the page itself).
/// Mastodon needs the reader's instance, a host name checked by [`parse_instance`].
pub fn share_url(network: Network, shared: &Shared, instance: Option<&str>) -> Option<String> {
    let url = encode(&shared.url);
    let title = encode(&shared.title);
    let both = encode(&format!("{} {}", shared.title, shared.url));
    Some(match network {
        Network::Facebook => format!("https://www.facebook.com/sharer/sharer.php?u={url}"),
        Network::X => format!("https://x.com/intent/tweet?text={title}&url={url}"),
        Network::LinkedIn => format!("https://www.linkedin.com/sharing/share-offsite/?url={url}"),
        Network::WhatsApp => format!("https://wa.me/?text={both}"),
        Network::Telegram => format!("https://t.me/share/url?url={url}&text={title}"),
        Network::Reddit => format!("https://www.reddit.com/submit?url={url}&title={title}"),
        Network::Bluesky => format!("https://bsky.app/intent/compose?text={both}"),
        Network::Threads => format!("https://www.threads.net/intent/post?text={both}"),
        Network::Mastodon => format!("https://{}/share?text={both}", instance?),
        Network::Pinterest => {
            let media = shared.image.as_deref().map(|i| format!("&media={}", encode(i))).unwrap_or_default();
            format!("https://www.pinterest.com/pin/create/button/?url={url}{media}&description={title}")
        }
        Network::Email => format!("mailto:?subject={title}&body={both}"),
        Network::Copy => return None,
    })
}

/// A Mastodon instance as a reader types it ("mastodon.social", "https://piaille.fr/"): a host
/// name with at least one dot, letters, digits and hyphens, optionally with a port.
pub fn parse_instance(raw: &str) -> Option<String> {
    let host = raw.trim().trim_start_matches("https://").trim_start_matches("http://").trim_end_matches('/');
    let host = host.strip_prefix('@').map(|h| h.rsplit('@').next().unwrap_or(h)).unwrap_or(host);
    let (name, port) = host.split_once(':').map_or((host, None), |(n, p)| (n, Some(p)));
    let port_ok = port.is_none_or(|p| !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()));
    let name_ok = news_widget_api::is_host_name(name);
    (name_ok && port_ok).then(|| host.to_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shared(title: &str) -> Shared {
        Shared {
            url: "https://news.example/a/coopération?x=1&y=2#top".into(),
            title: title.into(),
            image: Some("https://news.example/media/a b.svg".into()),
        }
    }

    #[test]
    fn encodes_like_encode_uri_component() {
        assert_eq!(encode("a b&c=d#e?f/g"), "a%20b%26c%3Dd%23e%3Ff%2Fg");
        assert_eq!(encode("l'été \"x\" 🎉"), "l'%C3%A9t%C3%A9%20%22x%22%20%F0%9F%8E%89");
        assert_eq!(encode("-_.!~*'()"), "-_.!~*'()");
    }

    #[test]
    fn every_network_with_a_tricky_title() {
        let s = shared("Coopération: \"Chine & Kazakhstan\" #1 ? 🎉");
        let u = "https%3A%2F%2Fnews.example%2Fa%2Fcoop%C3%A9ration%3Fx%3D1%26y%3D2%23top";
        let t = "Coop%C3%A9ration%3A%20%22Chine%20%26%20Kazakhstan%22%20%231%20%3F%20%F0%9F%8E%89";
        let both = format!("{t}%20{u}");
        let expected = [
            (Network::Facebook, format!("https://www.facebook.com/sharer/sharer.php?u={u}")),
            (Network::X, format!("https://x.com/intent/tweet?text={t}&url={u}")),
            (Network::LinkedIn, format!("https://www.linkedin.com/sharing/share-offsite/?url={u}")),
            (Network::WhatsApp, format!("https://wa.me/?text={both}")),
            (Network::Telegram, format!("https://t.me/share/url?url={u}&text={t}")),
            (Network::Reddit, format!("https://www.reddit.com/submit?url={u}&title={t}")),
            (Network::Bluesky, format!("https://bsky.app/intent/compose?text={both}")),
            (Network::Threads, format!("https://www.threads.net/intent/post?text={both}")),
            (Network::Mastodon, format!("https://piaille.fr/share?text={both}")),
            (
                Network::Pinterest,
                format!("https://www.pinterest.com/pin/create/button/?url={u}&media=https%3A%2F%2Fnews.example%2Fmedia%2Fa%20b.svg&description={t}"),
            ),
            (Network::Email, format!("mailto:?subject={t}&body={both}")),
        ];
        for (network, want) in expected {
            assert_eq!(share_url(network, &s, Some("piaille.fr")).as_deref(), Some(want.as_str()), "{network:?}");
        }
        assert_eq!(share_url(Network::Copy, &s, None), None);
        assert_eq!(share_url(Network::Mastodon, &s, None), None, "no instance, no link");
        let no_image = Shared { image: None, ..s };
        assert!(!share_url(Network::Pinterest, &no_image, None).unwrap().contains("media="));
    }

    #[test]
    fn lists_keep_order_and_report_unknown_names() {
        let (known, unknown) = parse_list("email, X  mastodon,myspace,Facebook,email,twitter");
        assert_eq!(known, [Network::Email, Network::X, Network::Mastodon, Network::Facebook]);
        assert_eq!(unknown, ["myspace"]);
    }

    #[test]
    fn tags_go_before_the_fragment() {
        let url = "https://news.example/a?x=1#top";
        assert_eq!(
            tagged(url, Some("été 2024"), Network::Reddit),
            "https://news.example/a?x=1&utm_source=reddit&utm_medium=social&utm_campaign=%C3%A9t%C3%A9%202024#top"
        );
        assert_eq!(
            tagged("https://n.example/a", Some("t"), Network::X),
            "https://n.example/a?utm_source=x&utm_medium=social&utm_campaign=t"
        );
        assert_eq!(tagged(url, None, Network::X), url);
    }

    #[test]
    fn mastodon_instances() {
        for (raw, want) in [
            ("mastodon.social", "mastodon.social"),
            (" https://Piaille.fr/ ", "piaille.fr"),
            ("@alice@mastodon.social", "mastodon.social"),
            ("social.example:8443", "social.example:8443"),
        ] {
            assert_eq!(parse_instance(raw).as_deref(), Some(want), "{raw}");
        }
        for bad in [
            "",
            "localhost",
            "evil.example/path",
            "a..b",
            "-a.example",
            "javascript:alert(1)",
            "a.example:",
            "x.example:99999999",
            "a b.example",
        ] {
            assert_eq!(parse_instance(bad), None, "{bad}");
        }
    }
}
