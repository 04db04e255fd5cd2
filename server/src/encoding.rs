//! Content codings of cached pages: which one a request gets ([`negotiate`], RFC 9110 §12.5.3),
//! and the compression itself ([`Encoding::compress`]). The cache keeps each page's compressed
//! bodies beside the plain one (`cache::Page`), so a page is compressed once per coding, not once
//! per request; tower-http's `CompressionLayer` compresses everything else.

use std::io::Write;

use axum::body::Bytes;
use axum::http::{header, HeaderMap};

/// Brotli quality for cached pages (0–11), measured on this machine's 2 shared cores: the
/// 1,000-comment page (361 KB of JSON) is 57 KB at 5 in 20–30 ms; 6 saves 4 % more for a quarter
/// more time, 4 is 10 % larger, 9 saves 11 % in 0.2 s and 11 saves 20 % in 2.4 s, too long for a
/// page rebuilt every second. The 200-comment page: 71 KB → 13 KB in 5 ms.
pub const BROTLI_QUALITY: u32 = 5;
/// Brotli's window (log2 of bytes): 22, its default, 4 MiB.
const BROTLI_WINDOW: u32 = 22;
/// Gzip level (0–9), the fallback of clients without brotli: 5 makes the 1,000-comment page 71 KB
/// in ≈ 20 ms; 6 (zlib's default) saves 6 % for 2–3 times the time with flate2's miniz_oxide.
pub const GZIP_LEVEL: u32 = 5;

/// A content coding a cached page is sent in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Identity,
    Gzip,
    Brotli,
}

impl Encoding {
    /// The `Content-Encoding` value, none for identity.
    pub fn content_encoding(self) -> Option<&'static str> {
        match self {
            Self::Identity => None,
            Self::Gzip => Some("gzip"),
            Self::Brotli => Some("br"),
        }
    }

    /// What the ETag of this representation carries inside its quotes after the plain one's.
    pub fn etag_suffix(self) -> &'static str {
        match self {
            Self::Identity => "",
            Self::Gzip => "-gz",
            Self::Brotli => "-br",
        }
    }

    /// `body` in this coding.
    pub fn compress(self, body: &[u8]) -> Bytes {
        match self {
            Self::Identity => Bytes::copy_from_slice(body),
            Self::Gzip => {
                let mut out = flate2::write::GzEncoder::new(
                    Vec::with_capacity(body.len() / 4),
                    flate2::Compression::new(GZIP_LEVEL),
                );
                // Writing to a Vec cannot fail.
                out.write_all(body).and_then(|()| out.finish()).map(Bytes::from).unwrap_or_default()
            }
            Self::Brotli => {
                let mut out = Vec::with_capacity(body.len() / 4);
                let params = brotli::enc::BrotliEncoderParams {
                    quality: BROTLI_QUALITY as i32,
                    lgwin: BROTLI_WINDOW as i32,
                    size_hint: body.len(),
                    ..Default::default()
                };
                match brotli::BrotliCompress(&mut &body[..], &mut out, &params) {
                    Ok(_) => Bytes::from(out),
                    Err(_) => Bytes::new(),
                }
            }
        }
    }
}

/// The coding to send for a request's `Accept-Encoding` (every such header, as one list).
///
/// Each element is a coding with an optional `;q=` weight (0 to 1, at most three decimals); an
/// element that does not parse is ignored, as tower-http ignores it. `q=0` refuses a coding; `*`
/// weighs every coding not named; `x-gzip` is gzip; a coding named twice keeps its highest weight.
/// The highest weight wins, ties going to brotli, then gzip (smaller). Identity wins only when
/// named with a weight above both (or when neither is acceptable: no header, an empty one, or
/// both refused); it is sent even when refused too, rather than a 406.
pub fn negotiate(request: &HeaderMap) -> Encoding {
    let values = request.get_all(header::ACCEPT_ENCODING).iter().filter_map(|v| v.to_str().ok());
    negotiate_values(values)
}

/// [`negotiate`] over the raw header values.
pub fn negotiate_values<'a>(values: impl IntoIterator<Item = &'a str>) -> Encoding {
    // Weights in thousandths; None: not named.
    let (mut br, mut gzip, mut identity, mut any) = (None, None, None, None);
    for element in values.into_iter().flat_map(|v| v.split(',')) {
        let mut parts = element.splitn(2, ';');
        let coding = parts.next().unwrap_or_default().trim();
        if coding.is_empty() {
            continue;
        }
        let Some(q) = parts.next().map_or(Some(1000), |w| qvalue(w.trim())) else { continue };
        let slot = match coding.to_ascii_lowercase().as_str() {
            "br" => &mut br,
            "gzip" | "x-gzip" => &mut gzip,
            "identity" => &mut identity,
            "*" => &mut any,
            _ => continue,
        };
        *slot = Some(slot.map_or(q, |old: u16| old.max(q)));
    }
    let br = br.or(any).unwrap_or(0);
    let gzip = gzip.or(any).unwrap_or(0);
    let best = br.max(gzip);
    if best == 0 || identity.is_some_and(|q| q > best) {
        Encoding::Identity
    } else if br == best {
        Encoding::Brotli
    } else {
        Encoding::Gzip
    }
}

/// `q=` followed by a qvalue (RFC 9110 §12.4.2: `0[.ddd]` or `1[.000]`), in thousandths.
fn qvalue(weight: &str) -> Option<u16> {
    let value = weight.strip_prefix("q=").or_else(|| weight.strip_prefix("Q="))?;
    let (int, frac) = value.split_once('.').unwrap_or((value, ""));
    if frac.len() > 3 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let thousandths = format!("{frac:0<3}").parse::<u16>().ok()?;
    match int {
        "0" => Some(thousandths),
        "1" if thousandths == 0 => Some(1000),
        _ => None,
    }
}

/// Whether an answer negotiated its coding itself (it says it varies on `Accept-Encoding`):
/// tower-http's `CompressionLayer` leaves such an answer as it is, identity included.
pub fn negotiated(response: &HeaderMap) -> bool {
    response
        .get_all(header::VARY)
        .iter()
        .any(|v| v.to_str().is_ok_and(|v| v.split(',').any(|name| name.trim().eq_ignore_ascii_case("accept-encoding"))))
}

#[cfg(test)]
mod tests {
    use super::*;
    use Encoding::{Brotli, Gzip, Identity};

    fn pick(header: &str) -> Encoding {
        negotiate_values([header])
    }

    #[test]
    fn what_browsers_and_tools_send() {
        assert_eq!(negotiate(&HeaderMap::new()), Identity, "no header: identity");
        assert_eq!(pick("gzip, deflate, br, zstd"), Brotli, "Chromium, Firefox");
        assert_eq!(pick("gzip, deflate, br"), Brotli, "Safari");
        assert_eq!(pick("gzip, deflate"), Gzip, "older clients");
        assert_eq!(pick("deflate, zstd"), Identity, "codings we do not keep");
        assert_eq!(pick(""), Identity, "an empty header asks for no coding");
        assert_eq!(pick("identity"), Identity);
        assert_eq!(pick("x-gzip"), Gzip);
        assert_eq!(pick("BR"), Brotli, "names are case-insensitive");
        assert_eq!(negotiate_values(["gzip", "br;q=0.5"]), Gzip, "several header lines are one list");
    }

    #[test]
    fn weights_decide_and_ties_go_to_brotli() {
        assert_eq!(pick("gzip;q=1, br;q=0.5"), Gzip, "the client's weights first");
        assert_eq!(pick("gzip;q=0.8, br;q=0.8"), Brotli);
        assert_eq!(pick("gzip;q=0.995,br;q=0.999"), Brotli);
        assert_eq!(pick(" gzip\t; q=0.5 ,\tbr ;\tq=0.8\t"), Brotli, "whitespace around the parts");
        assert_eq!(pick("gzip;Q=0.5, br;q=0.4"), Gzip);
        assert_eq!(pick("br;q=0, gzip;q=0.001"), Gzip);
        assert_eq!(pick("identity, gzip;q=0.5"), Identity, "identity named above the others");
        assert_eq!(pick("identity;q=0.5, gzip;q=0.5"), Gzip, "a tie goes to the compressed body");
        assert_eq!(pick("br;q=0, br;q=0.5"), Brotli, "a coding named twice keeps its highest weight");
    }

    #[test]
    fn zero_refuses_and_star_stands_for_the_rest() {
        assert_eq!(pick("gzip;q=0, br;q=0"), Identity);
        assert_eq!(pick("br;q=0"), Identity);
        assert_eq!(pick("br;q=0, gzip"), Gzip);
        assert_eq!(pick("gzip;q=0.000, br;q=0.0"), Identity);
        assert_eq!(pick("*"), Brotli);
        assert_eq!(pick("*;q=0"), Identity);
        assert_eq!(pick("br;q=0, *"), Gzip, "a named coding's weight stands over *'s");
        assert_eq!(pick("gzip, *;q=0"), Gzip);
        assert_eq!(pick("identity;q=0, *;q=0"), Identity, "nothing acceptable: sent plain, not a 406");
    }

    #[test]
    fn weights_that_do_not_parse_leave_their_element_out() {
        for bad in ["q=2", "q=1.5", "q=1.001", "q=0.5000", "q=00.5", "q=.5", "q=-1", "q=", "level=1"] {
            assert_eq!(pick(&format!("br;{bad}, gzip;q=0.1")), Gzip, "br;{bad}");
        }
        assert_eq!(qvalue("q=1."), Some(1000));
        assert_eq!(qvalue("q=0.25"), Some(250));
        assert_eq!(qvalue("q=1.000"), Some(1000));
        assert_eq!(qvalue("q=0"), Some(0));
    }

    #[test]
    fn bodies_come_back_byte_for_byte() {
        let body = "{\"comments\":[{\"body\":\"Merci pour cet article — très clair.\"}]}".repeat(200);
        let br = Brotli.compress(body.as_bytes());
        let mut plain = Vec::new();
        brotli::BrotliDecompress(&mut &br[..], &mut plain).unwrap();
        assert_eq!(plain, body.as_bytes());
        assert!(br.len() < body.len() / 10, "{} of {}", br.len(), body.len());
        let gz = Gzip.compress(body.as_bytes());
        let mut plain = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&gz[..]), &mut plain).unwrap();
        assert_eq!(plain, body.as_bytes());
        assert_eq!(Identity.compress(b"x"), Bytes::from_static(b"x"));
    }

    #[test]
    fn knows_a_negotiated_answer() {
        let mut headers = HeaderMap::new();
        assert!(!negotiated(&headers));
        headers.append(header::VARY, "origin".parse().unwrap());
        assert!(!negotiated(&headers));
        headers.append(header::VARY, "Origin, Accept-Encoding".parse().unwrap());
        assert!(negotiated(&headers));
    }
}
