//! A comment body as text: paragraphs, line breaks and http(s) links, nothing else interpreted.

use news_widget_api::{SafeUrl, UrlPolicy};

/// One piece of a paragraph.
#[derive(Debug, PartialEq, Eq)]
pub enum Piece<'a> {
    Text(&'a str),
    Link(&'a str),
    Break,
}

/// Paragraphs (split on blank lines), each a run of text, links and line breaks.
pub fn paragraphs(body: &str) -> Vec<Vec<Piece<'_>>> {
    body.split("\n\n")
        .map(|p| p.trim_matches('\n'))
        .filter(|p| !p.trim().is_empty())
        .map(|p| {
            let mut pieces = Vec::new();
            for (i, line) in p.split('\n').enumerate() {
                if i > 0 {
                    pieces.push(Piece::Break);
                }
                linkify(line, &mut pieces);
            }
            pieces
        })
        .collect()
}

/// Splits `line` into text and the http(s) URLs in it.
fn linkify<'a>(line: &'a str, out: &mut Vec<Piece<'a>>) {
    let mut rest = line;
    while let Some(start) = find_url(rest) {
        let tail = &rest[start..];
        let end = tail.find(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"')).unwrap_or(tail.len());
        let mut url = &tail[..end];
        // Sentence punctuation after a URL is not part of it; nor is a closing bracket it does not open.
        loop {
            let trimmed = url.trim_end_matches(['.', ',', ';', ':', '!', '?', '\'']);
            let trimmed = match trimmed.strip_suffix(')') {
                Some(t) if !t.contains('(') => t,
                _ => trimmed,
            };
            if trimmed == url {
                break;
            }
            url = trimmed;
        }
        if start > 0 {
            out.push(Piece::Text(&rest[..start]));
        }
        if SafeUrl::parse(url, UrlPolicy::Web).is_ok() && url.len() > "https://".len() {
            out.push(Piece::Link(url));
        } else {
            out.push(Piece::Text(url));
        }
        rest = &rest[start + url.len()..];
    }
    if !rest.is_empty() {
        out.push(Piece::Text(rest));
    }
}

/// Where the next `http://` or `https://` starts a word.
fn find_url(text: &str) -> Option<usize> {
    let lower = text.to_ascii_lowercase();
    let mut from = 0;
    while let Some(i) = lower[from..].find("http").map(|i| i + from) {
        let starts_word = i == 0 || !lower[..i].ends_with(|c: char| c.is_alphanumeric());
        if starts_word && (lower[i..].starts_with("http://") || lower[i..].starts_with("https://")) {
            return Some(i);
        }
        from = i + 4;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::Piece::*;
    use super::*;

    #[test]
    fn paragraphs_and_breaks() {
        assert_eq!(paragraphs("un\ndeux\n\n\ntrois"), vec![vec![Text("un"), Break, Text("deux")], vec![Text("trois")]]);
        assert_eq!(paragraphs("\n\n"), Vec::<Vec<Piece>>::new());
    }

    #[test]
    fn links() {
        assert_eq!(
            paragraphs("Voir https://ex.org/a?b=1&c=2. Et (http://x.example/p) fin"),
            vec![vec![
                Text("Voir "),
                Link("https://ex.org/a?b=1&c=2"),
                Text(". Et ("),
                Link("http://x.example/p"),
                Text(") fin")
            ]]
        );
        assert_eq!(
            paragraphs("https://fr.wikipedia.org/wiki/Astana_(ville)"),
            vec![vec![Link("https://fr.wikipedia.org/wiki/Astana_(ville)")]]
        );
        assert_eq!(paragraphs("javascript:alert(1) xhttp://no"), vec![vec![Text("javascript:alert(1) xhttp://no")]]);
        assert_eq!(
            paragraphs("<a href=\"https://e.example\">x</a>"),
            vec![vec![Text("<a href=\""), Link("https://e.example"), Text("\">x</a>")]]
        );
        assert_eq!(paragraphs("https:// rien"), vec![vec![Text("https://"), Text(" rien")]]);
    }
}
