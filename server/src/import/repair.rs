//! The byte stream of an export, mended on its way to the XML parser: real exports hold a bare
//! `&` (an author's URL with a query), control characters XML forbids, and bytes that are not
//! UTF-8. Outside CDATA sections and comments, a `&` that starts no entity becomes `&amp;`;
//! everywhere, control characters other than tab, newline and carriage return (C0, DEL, and
//! C1 as UTF-8) are dropped, and each byte that is not part of valid UTF-8 becomes U+FFFD.
//! Only a few bytes of look-ahead are kept: the file never sits in memory.

use std::io::{self, Read};

/// What was mended.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Repairs {
    pub ampersands: u64,
    pub control_characters: u64,
    pub invalid_utf8: u64,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Markup,
    CData,
    Comment,
}

/// A reader that mends what it reads (see the module's doc).
pub struct Repair<R> {
    inner: R,
    input: Vec<u8>,
    eof: bool,
    out: Vec<u8>,
    out_at: usize,
    mode: Mode,
    pub repairs: Repairs,
}

/// The most bytes one decision looks at (an entity name, `<![CDATA[`, a UTF-8 sequence).
const LOOK: usize = 48;
const CHUNK: usize = 64 * 1024;

impl<R: Read> Repair<R> {
    pub fn new(inner: R) -> Self {
        Self {
            inner,
            input: Vec::with_capacity(CHUNK + LOOK),
            eof: false,
            out: Vec::with_capacity(CHUNK + 1024),
            out_at: 0,
            mode: Mode::Markup,
            repairs: Repairs::default(),
        }
    }

    fn fill(&mut self) -> io::Result<()> {
        let start = self.input.len();
        self.input.resize(start + CHUNK, 0);
        let n = loop {
            match self.inner.read(&mut self.input[start..]) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    self.input.truncate(start);
                    return Err(e);
                }
            }
        };
        self.input.truncate(start + n);
        if n == 0 {
            self.eof = true;
        }
        Ok(())
    }

    /// Mends what can be decided with the look-ahead at hand.
    fn process(&mut self) {
        let b = &self.input;
        let end = if self.eof { b.len() } else { b.len().saturating_sub(LOOK) };
        let mut i = 0;
        while i < end {
            let rest = &b[i..];
            let c = rest[0];
            match self.mode {
                Mode::Markup if rest.starts_with(b"<![CDATA[") => {
                    self.out.extend_from_slice(b"<![CDATA[");
                    self.mode = Mode::CData;
                    i += 9;
                    continue;
                }
                Mode::Markup if rest.starts_with(b"<!--") => {
                    self.out.extend_from_slice(b"<!--");
                    self.mode = Mode::Comment;
                    i += 4;
                    continue;
                }
                Mode::Markup if c == b'&' => {
                    if starts_entity(&rest[1..]) {
                        self.out.push(b'&');
                    } else {
                        self.out.extend_from_slice(b"&amp;");
                        self.repairs.ampersands += 1;
                    }
                    i += 1;
                    continue;
                }
                Mode::CData if rest.starts_with(b"]]>") => {
                    self.out.extend_from_slice(b"]]>");
                    self.mode = Mode::Markup;
                    i += 3;
                    continue;
                }
                Mode::Comment if rest.starts_with(b"-->") => {
                    self.out.extend_from_slice(b"-->");
                    self.mode = Mode::Markup;
                    i += 3;
                    continue;
                }
                _ => {}
            }
            if c < 0x80 {
                if (c < 0x20 && !matches!(c, b'\t' | b'\n' | b'\r')) || c == 0x7f {
                    self.repairs.control_characters += 1;
                } else {
                    self.out.push(c);
                }
                i += 1;
                continue;
            }
            let len = match c {
                0xc2..=0xdf => 2,
                0xe0..=0xef => 3,
                0xf0..=0xf4 => 4,
                _ => 0,
            };
            match rest.get(..len).filter(|_| len > 0).and_then(|s| std::str::from_utf8(s).ok()) {
                Some(s) if s.chars().next().is_some_and(char::is_control) => {
                    self.repairs.control_characters += 1;
                    i += len;
                }
                Some(s) => {
                    self.out.extend_from_slice(s.as_bytes());
                    i += len;
                }
                None => {
                    self.out.extend_from_slice("\u{fffd}".as_bytes());
                    self.repairs.invalid_utf8 += 1;
                    i += 1;
                }
            }
        }
        self.input.drain(..i);
    }
}

/// Whether `after` (what follows a `&`) is an entity: `#123;`, `#x1F;` or `name;`.
fn starts_entity(after: &[u8]) -> bool {
    let Some(semi) = after.iter().take(LOOK - 1).position(|&b| b == b';') else { return false };
    let name = &after[..semi];
    match name {
        [b'#', b'x' | b'X', hex @ ..] => !hex.is_empty() && hex.iter().all(u8::is_ascii_hexdigit),
        [b'#', dec @ ..] => !dec.is_empty() && dec.iter().all(u8::is_ascii_digit),
        [first, rest @ ..] => {
            (first.is_ascii_alphabetic() || *first == b'_')
                && rest.iter().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
        }
        [] => false,
    }
}

impl<R: Read> Read for Repair<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.out_at == self.out.len() {
            self.out.clear();
            self.out_at = 0;
            if self.eof && self.input.is_empty() {
                return Ok(0);
            }
            if !self.eof {
                self.fill()?;
            }
            self.process();
        }
        let n = buf.len().min(self.out.len() - self.out_at);
        buf[..n].copy_from_slice(&self.out[self.out_at..self.out_at + n]);
        self.out_at += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mend(input: &[u8]) -> (String, Repairs) {
        // One byte at a time from below, so every look-ahead boundary is crossed.
        struct Trickle<'a>(&'a [u8]);
        impl Read for Trickle<'_> {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                let Some((first, rest)) = self.0.split_first() else { return Ok(0) };
                buf[0] = *first;
                self.0 = rest;
                Ok(1)
            }
        }
        let mut r = Repair::new(Trickle(input));
        let mut out = String::new();
        r.read_to_string(&mut out).unwrap();
        (out, r.repairs)
    }

    #[test]
    fn bare_ampersands_are_escaped_outside_cdata_only() {
        let (out, r) = mend(b"<a>http://x.org/?a=1&b=2 &amp; &#38; &#x26; &nbsp; & <![CDATA[a & b]]></a>");
        assert_eq!(out, "<a>http://x.org/?a=1&amp;b=2 &amp; &#38; &#x26; &nbsp; &amp; <![CDATA[a & b]]></a>");
        assert_eq!(r.ampersands, 2);
    }

    #[test]
    fn control_characters_and_bad_utf8_are_mended() {
        let (out, r) = mend(b"<a>a\x01b\x0bc\td\n\x7f\xc2\x85e \xff \xc3\xa9 \xe2\x82</a>");
        assert_eq!(out, "<a>abc\td\ne \u{fffd} \u{e9} \u{fffd}\u{fffd}</a>");
        assert_eq!(r, Repairs { ampersands: 0, control_characters: 4, invalid_utf8: 3 });
    }

    #[test]
    fn a_split_cdata_passes_as_it_is() {
        let text = b"<a><![CDATA[x ]]]]><![CDATA[> & y]]> & z</a>";
        let (out, r) = mend(text);
        assert_eq!(out, "<a><![CDATA[x ]]]]><![CDATA[> & y]]> &amp; z</a>");
        assert_eq!(r.ampersands, 1);
    }
}
