//! The comments both systems get: a fixed, seeded generator, so every run and both systems see
//! the same thread. French and English bodies; 30 % of comments are replies.

/// One generated comment; `parent` is the index of an earlier comment.
pub struct Generated {
    pub parent: Option<usize>,
    pub author: String,
    pub body: String,
}

/// SplitMix64: tiny, fast, and the same numbers on every machine for a seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const FRENCH: [&str; 12] = [
    "Merci pour cet article très clair sur la coopération entre les deux pays.",
    "Je me demande ce que ces accords changeront concrètement pour les habitants.",
    "Le parc éolien de Zhanatas est un bel exemple, j’aimerais en savoir plus.",
    "On parle beaucoup de commerce, mais qu’en est-il de l’environnement ?",
    "Article intéressant, même si le ton me paraît un peu trop optimiste.",
    "L’atelier Luban est une excellente idée pour la formation des jeunes.",
    "Quelqu’un a-t-il des chiffres sur les échanges commerciaux de l’an dernier ?",
    "La route de la soie moderne soulève aussi des questions de dette.",
    "Très bonne synthèse, je la partage avec mes étudiants.",
    "J’ai voyagé à Almaty l’été dernier : le changement est visible partout.",
    "Il faudrait aussi entendre les analystes kazakhs sur ce sujet.",
    "Une « Année du tourisme » ? Voilà qui donne envie de partir !",
];

const ENGLISH: [&str; 12] = [
    "Thanks for a clear piece on what the visit actually produced.",
    "I wonder how much of this will reach ordinary people in Kazakhstan.",
    "The wind farm story is the most concrete part of the article.",
    "Trade figures would have helped; the numbers are missing here.",
    "Interesting read, though it sounds a little like a press release.",
    "Vocational workshops are a smart investment for both countries.",
    "Does anyone know how the BRICS membership question is going?",
    "Infrastructure loans always come with strings, worth keeping in mind.",
    "Great summary, I'm sharing it with my reading group.",
    "I visited Astana last year and the new rail links are impressive.",
    "It would be good to hear from Kazakh economists too.",
    "A tourism year sounds lovely, count me in!",
];

const NAMES: [&str; 16] = [
    "Camille", "Louis", "Amina", "Hugo", "Léa", "Mehdi", "Chloé", "Yerlan", "Sophie", "Aigerim", "Thomas", "Inès",
    "James", "Olivia", "Dana", "Noah",
];

/// `n` comments from `seed`: each a reply (to a thread or to a reply to one) with probability
/// 0.3, else a new thread; half in French, half in English; 1 to 3 paragraphs of 1 to 3 sentences.
pub fn thread(n: usize, seed: u64) -> Vec<Generated> {
    let mut rng = Rng(seed);
    // Comments that may take a reply: threads and first-level replies.
    let mut open: Vec<usize> = Vec::with_capacity(n);
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let parent = (i > 0 && rng.below(100) < 30).then(|| open[rng.below(open.len())]);
        if parent.is_none_or(|p| out.get(p).is_some_and(|c: &Generated| c.parent.is_none())) {
            open.push(i);
        }
        let pool: &[&str] = if rng.below(2) == 0 { &FRENCH } else { &ENGLISH };
        let paragraphs: Vec<String> = (0..1 + rng.below(3))
            .map(|_| (0..1 + rng.below(3)).map(|_| rng.pick(pool)).collect::<Vec<_>>().join(" "))
            .collect();
        out.push(Generated {
            parent,
            author: format!("{} {}", rng.pick(&NAMES), 1 + rng.below(99)),
            body: paragraphs.join("\n\n"),
        });
    }
    out
}

/// The share of replies in a thread, for the report.
pub fn reply_share(thread: &[Generated]) -> f64 {
    thread.iter().filter(|c| c.parent.is_some()).count() as f64 / thread.len().max(1) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeded_threads_are_the_same_each_time_with_about_30_percent_replies_two_levels_deep() {
        let (a, b) = (thread(1000, 7), thread(1000, 7));
        assert!(a.iter().zip(&b).all(|(x, y)| x.parent == y.parent && x.body == y.body && x.author == y.author));
        assert!((0.27..=0.33).contains(&reply_share(&a)), "{}", reply_share(&a));
        for c in &a {
            if let Some(p) = c.parent {
                assert!(a[p].parent.is_none_or(|pp| a[pp].parent.is_none()), "at most two levels of replies");
            }
        }
        assert!(a.iter().any(|c| c.body.contains("Merci")) && a.iter().any(|c| c.body.contains("Thanks")));
    }
}
