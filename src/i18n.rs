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
    pub comments: Plural,
    pub no_comments: &'static str,
    pub loading_comments: &'static str,
    pub comments_failed: &'static str,
    pub sort_label: &'static str,
    pub sort_oldest: &'static str,
    pub sort_newest: &'static str,
    pub load_more: &'static str,
    pub reply: &'static str,
    pub cancel: &'static str,
    pub in_reply_to: &'static str,
    pub awaiting_moderation: &'static str,
    pub edited: &'static str,
    pub deleted_comment: &'static str,
    pub edit: &'static str,
    pub save: &'static str,
    pub delete: &'static str,
    pub confirm_delete: &'static str,
    pub report: &'static str,
    pub reported: &'static str,
    pub report_reason: &'static str,
    pub leave_comment: &'static str,
    pub reply_to: &'static str,
    pub email_note: &'static str,
    pub required_note: &'static str,
    pub field_name: &'static str,
    pub field_email: &'static str,
    pub field_website: &'static str,
    pub field_body: &'static str,
    pub remember_me: &'static str,
    pub honeypot_label: &'static str,
    pub submit_comment: &'static str,
    pub sending_comment: &'static str,
    pub fix_errors: &'static str,
    pub comment_published: &'static str,
    pub comment_pending: &'static str,
    pub comment_not_sent: &'static str,
    pub retry_in: &'static str,
    pub retry_now: &'static str,
    pub offline: &'static str,
    pub draft_restored: &'static str,
    pub err_required: &'static str,
    pub err_too_long: &'static str,
    pub err_email: &'static str,
    pub err_url: &'static str,
    pub err_control: &'static str,
    pub share_heading: &'static str,
    pub share_on: &'static str,
    pub share_native: &'static str,
    pub share_unknown: &'static str,
    pub copy_link: &'static str,
    pub link_copied: &'static str,
    pub copy_failed: &'static str,
    pub instance_label: &'static str,
    pub instance_invalid: &'static str,
    pub share_action: &'static str,
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
    comments: Plural { one: "{n} comment", other: "{n} comments" },
    no_comments: "No comments yet. Be the first!",
    loading_comments: "Loading the comments…",
    comments_failed: "The comments could not be loaded.",
    sort_label: "Sort",
    sort_oldest: "Oldest first",
    sort_newest: "Newest first",
    load_more: "Load more comments",
    reply: "Reply",
    cancel: "Cancel",
    in_reply_to: "in reply to {name}",
    awaiting_moderation: "awaiting moderation",
    edited: "edited",
    deleted_comment: "This comment was deleted.",
    edit: "Edit",
    save: "Save",
    delete: "Delete",
    confirm_delete: "Really delete",
    report: "Report",
    reported: "Thank you: moderators will look at this comment.",
    report_reason: "Reported by a reader",
    leave_comment: "Leave a comment",
    reply_to: "Reply to {name}",
    email_note: "Your email address will not be published.",
    required_note: "Required fields are marked *",
    field_name: "Name",
    field_email: "Email",
    field_website: "Website",
    field_body: "Comment",
    remember_me: "Remember my name, email and website on this device",
    honeypot_label: "Leave this field empty",
    submit_comment: "Post comment",
    sending_comment: "Sending…",
    fix_errors: "Please correct the fields marked in red.",
    comment_published: "Your comment is published.",
    comment_pending: "Your comment is awaiting moderation. Only you can see it for now.",
    comment_not_sent: "Your comment was not sent: {reason} Your text is kept.",
    retry_in: "Trying again in {n} s.",
    retry_now: "Try again now",
    offline: "You are offline. Your text is kept and will be sent when the connection is back.",
    draft_restored: "Your unsent comment was restored.",
    err_required: "{field} is required.",
    err_too_long: "{field} is longer than {n} characters.",
    err_email: "Enter an email address such as name@example.org.",
    err_url: "Enter a full web address starting with https://, or leave it empty.",
    err_control: "{field} holds invisible control characters; remove them.",
    share_heading: "Share",
    share_on: "Share on {network}",
    share_native: "Share…",
    share_unknown: "names no network we know: {names}. Known: facebook, x, linkedin, whatsapp, telegram, reddit, bluesky, threads, mastodon, pinterest, email, copy.",
    copy_link: "Copy link",
    link_copied: "Link copied",
    copy_failed: "The link could not be copied; select it in the address bar.",
    instance_label: "Your Mastodon instance",
    instance_invalid: "Enter your instance's address, such as mastodon.social.",
    share_action: "Share",
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
    comments: Plural { one: "{n} commentaire", other: "{n} commentaires" },
    no_comments: "Aucun commentaire pour l’instant. Soyez le premier\u{a0}!",
    loading_comments: "Chargement des commentaires…",
    comments_failed: "Les commentaires n’ont pas pu être chargés.",
    sort_label: "Trier",
    sort_oldest: "Plus anciens d’abord",
    sort_newest: "Plus récents d’abord",
    load_more: "Afficher plus de commentaires",
    reply: "Répondre",
    cancel: "Annuler",
    in_reply_to: "en réponse à {name}",
    awaiting_moderation: "en attente de modération",
    edited: "modifié",
    deleted_comment: "Ce commentaire a été supprimé.",
    edit: "Modifier",
    save: "Enregistrer",
    delete: "Supprimer",
    confirm_delete: "Supprimer vraiment",
    report: "Signaler",
    reported: "Merci\u{a0}: les modérateurs vont examiner ce commentaire.",
    report_reason: "Signalé par un lecteur",
    leave_comment: "Laisser un commentaire",
    reply_to: "Répondre à {name}",
    email_note: "Votre adresse e-mail ne sera pas publiée.",
    required_note: "Les champs obligatoires sont indiqués avec *",
    field_name: "Nom",
    field_email: "E-mail",
    field_website: "Site web",
    field_body: "Commentaire",
    remember_me: "Retenir mon nom, mon e-mail et mon site sur cet appareil",
    honeypot_label: "Laissez ce champ vide",
    submit_comment: "Publier le commentaire",
    sending_comment: "Envoi…",
    fix_errors: "Corrigez les champs signalés en rouge.",
    comment_published: "Votre commentaire est publié.",
    comment_pending: "Votre commentaire est en attente de modération. Vous seul le voyez pour l’instant.",
    comment_not_sent: "Votre commentaire n’a pas été envoyé\u{a0}: {reason} Votre texte est conservé.",
    retry_in: "Nouvel essai dans {n}\u{a0}s.",
    retry_now: "Réessayer maintenant",
    offline: "Vous êtes hors ligne. Votre texte est conservé et sera envoyé au retour de la connexion.",
    draft_restored: "Votre commentaire non envoyé a été restauré.",
    err_required: "{field}\u{a0}: ce champ est obligatoire.",
    err_too_long: "{field}\u{a0}: {n} caractères au maximum.",
    err_email: "Saisissez une adresse e-mail comme nom@exemple.fr.",
    err_url: "Saisissez une adresse web complète commençant par https://, ou laissez ce champ vide.",
    err_control: "{field}\u{a0}: retirez les caractères de contrôle invisibles.",
    share_heading: "Partager",
    share_on: "Partager sur {network}",
    share_native: "Partager…",
    share_unknown: "nomme des réseaux inconnus\u{a0}: {names}. Connus\u{a0}: facebook, x, linkedin, whatsapp, telegram, reddit, bluesky, threads, mastodon, pinterest, email, copy.",
    copy_link: "Copier le lien",
    link_copied: "Lien copié",
    copy_failed: "Le lien n’a pas pu être copié\u{a0}; sélectionnez-le dans la barre d’adresse.",
    instance_label: "Votre instance Mastodon",
    instance_invalid: "Saisissez l’adresse de votre instance, par exemple mastodon.social.",
    share_action: "Partager",
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
