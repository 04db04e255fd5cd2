//! Every string of the UI, one catalogue per language, in this one place.
//!
//! Numbers, dates and plurals are formatted by the browser's Intl (see [`crate::intl`]); a
//! catalogue only holds words, with `{n}`-style holes.

use news_widget_api::LangTag;

/// A UI language: the catalogue, and the tag Intl formats numbers and dates for.
#[derive(Clone, Debug, PartialEq)]
pub struct Lang {
    /// The language tag as the page gave it (`fr-CA`): Intl formats for it.
    pub tag: LangTag,
    pub text: &'static Catalogue,
}

impl Lang {
    /// The catalogue for the tag's primary language, English where there is none yet.
    pub fn new(tag: LangTag) -> Self {
        let text = match tag.primary().as_str() {
            "fr" => &FR,
            _ => &EN,
        };
        Self { tag, text }
    }
}

/// Fills `{name}` holes in a catalogue string.
pub fn fill(template: &str, holes: &[(&str, &str)]) -> String {
    holes.iter().fold(template.to_owned(), |text, (name, value)| text.replace(&format!("{{{name}}}"), value))
}

/// A word form for each plural category Intl may answer; `other` is the fallback.
#[derive(Debug, PartialEq)]
pub struct Plural {
    pub one: &'static str,
    pub other: &'static str,
}

impl Lang {
    /// `forms` for `n`, its holes `{n}` filled with `n` formatted for the language.
    pub fn count(&self, n: u64, forms: &Plural) -> String {
        let form = match crate::intl::plural(n as f64, self.tag.as_str()).as_str() {
            "one" => forms.one,
            _ => forms.other,
        };
        fill(form, &[("n", &crate::intl::integer(n, self.tag.as_str()))])
    }
}

/// The text before and after the `{name}` hole, for holes filled with markup (a `<time>`).
pub fn around<'a>(template: &'a str, name: &str) -> (&'a str, &'a str) {
    template.split_once(&format!("{{{name}}}")).unwrap_or((template, ""))
}

#[derive(Debug, PartialEq)]
pub struct Catalogue {
    pub by_author: &'static str,
    pub published: &'static str,
    pub updated: &'static str,
    pub reading_time: &'static str,
    pub photo_credit: &'static str,
    pub loading_article: &'static str,
    pub article_failed: &'static str,
    pub retry: &'static str,
    pub details: &'static str,
    pub retrying: &'static str,
    pub config_error: &'static str,
    pub error_network: &'static str,
    pub error_not_found: &'static str,
    pub error_server: &'static str,
    pub error_bad_response: &'static str,
    pub error_too_many: &'static str,
    pub rating_heading: &'static str,
    pub editor_score: &'static str,
    pub user_rating: &'static str,
    pub votes: Plural,
    pub stars: Plural,
    pub average: &'static str,
    pub average_label: &'static str,
    pub rate_legend: &'static str,
    pub rate: &'static str,
    pub change_rating: &'static str,
    pub your_rating: &'static str,
    pub pick_first: &'static str,
    pub sending_vote: &'static str,
    pub vote_saved: &'static str,
    pub vote_failed: &'static str,
    pub rating_failed: &'static str,
}

pub static EN: Catalogue = Catalogue {
    by_author: "By {author}",
    published: "Published {date}",
    updated: "Updated {date}",
    reading_time: "{n} min read",
    photo_credit: "Photo: {credit}",
    loading_article: "Loading the article…",
    article_failed: "The article could not be loaded.",
    retry: "Try again",
    details: "Details",
    retrying: "Trying again…",
    config_error: "news-widget is not set up right",
    error_network: "The server could not be reached. Check your connection.",
    error_not_found: "This article does not exist (or no longer does).",
    error_server: "The server had a problem ({status}).",
    error_bad_response: "The server sent an answer the widget cannot read.",
    error_too_many: "Too many new votes from your network today. Try again tomorrow.",
    rating_heading: "Review",
    editor_score: "Total score {percent}",
    user_rating: "User rating: {percent} ({votes})",
    votes: Plural { one: "{n} vote", other: "{n} votes" },
    stars: Plural { one: "{n} star", other: "{n} stars" },
    average: "{average} / 5",
    average_label: "Average rating: {average} out of 5",
    rate_legend: "Rate this article",
    rate: "Rate",
    change_rating: "Change my rating",
    your_rating: "Your rating: {stars}",
    pick_first: "Choose a number of stars first.",
    sending_vote: "Sending your rating…",
    vote_saved: "Thank you! Your rating: {stars}.",
    vote_failed: "Your rating was not saved: {reason}",
    rating_failed: "The ratings could not be loaded.",
};

pub static FR: Catalogue = Catalogue {
    by_author: "Par {author}",
    published: "Publié le {date}",
    updated: "Mis à jour le {date}",
    reading_time: "Lecture : {n} min",
    photo_credit: "Photo : {credit}",
    loading_article: "Chargement de l’article…",
    article_failed: "L’article n’a pas pu être chargé.",
    retry: "Réessayer",
    details: "Détails",
    retrying: "Nouvel essai…",
    config_error: "news-widget est mal configuré",
    error_network: "Le serveur est injoignable. Vérifiez votre connexion.",
    error_not_found: "Cet article n’existe pas (ou plus).",
    error_server: "Le serveur a rencontré un problème ({status}).",
    error_bad_response: "Le serveur a envoyé une réponse illisible pour le widget.",
    error_too_many: "Trop de nouveaux votes depuis votre réseau aujourd’hui. Réessayez demain.",
    rating_heading: "Avis",
    editor_score: "Note globale {percent}",
    user_rating: "Note des lecteurs\u{a0}: {percent} ({votes})",
    votes: Plural { one: "{n} vote", other: "{n} votes" },
    stars: Plural { one: "{n} étoile", other: "{n} étoiles" },
    average: "{average} / 5",
    average_label: "Note moyenne\u{a0}: {average} sur 5",
    rate_legend: "Notez cet article",
    rate: "Noter",
    change_rating: "Modifier ma note",
    your_rating: "Votre note\u{a0}: {stars}",
    pick_first: "Choisissez d’abord un nombre d’étoiles.",
    sending_vote: "Envoi de votre note…",
    vote_saved: "Merci\u{a0}! Votre note\u{a0}: {stars}.",
    vote_failed: "Votre note n’a pas été enregistrée\u{a0}: {reason}",
    rating_failed: "Les notes n’ont pas pu être chargées.",
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_the_catalogue_by_primary_language() {
        let lang = |t| Lang::new(LangTag::parse(t).unwrap()).text;
        assert_eq!(lang("fr-CA"), &FR);
        assert_eq!(lang("en-GB"), &EN);
        assert_eq!(lang("de"), &EN, "English until there is a German catalogue");
    }

    #[test]
    fn fills_holes() {
        assert_eq!(fill(FR.by_author, &[("author", "La rédaction")]), "Par La rédaction");
        assert_eq!(fill("{a}{b}{a}", &[("a", "1"), ("b", "2")]), "121");
        assert_eq!(around(FR.published, "date"), ("Publié le ", ""));
        assert_eq!(around("x", "date"), ("x", ""));
    }
}
