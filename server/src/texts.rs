//! The few sentences the server writes itself, in the pages that answer the no-JavaScript
//! form. Everything the widget shows comes from the widget's own catalogues (`src/i18n.rs`); at
//! integration these move there (or read from there), so this module is the one place to route.

/// The server's own texts in one language.
pub struct Texts {
    pub pending_title: &'static str,
    pub pending: &'static str,
    pub published_title: &'static str,
    pub published: &'static str,
    pub back: &'static str,
    pub refused_title: &'static str,
    pub not_found_title: &'static str,
    pub not_found: &'static str,
}

pub const EN: Texts = Texts {
    pending_title: "Comment received",
    pending: "Your comment is awaiting moderation. It will appear once a moderator has approved it.",
    published_title: "Comment published",
    published: "Your comment is published.",
    back: "Back to the article",
    refused_title: "Your comment was not sent",
    not_found_title: "Article not found",
    not_found: "This article does not exist (any more).",
};

pub const FR: Texts = Texts {
    pending_title: "Commentaire reçu",
    pending: "Votre commentaire est en attente de modération. Il apparaîtra dès qu’un modérateur l’aura approuvé.",
    published_title: "Commentaire publié",
    published: "Votre commentaire est publié.",
    back: "Retour à l’article",
    refused_title: "Votre commentaire n’a pas été envoyé",
    not_found_title: "Article introuvable",
    not_found: "Cet article n’existe pas (ou plus).",
};

/// The texts of `lang` (a BCP 47 tag; its primary subtag counts), English when there are none.
pub fn texts(lang: &str) -> &'static Texts {
    match lang.split('-').next().unwrap_or_default().to_ascii_lowercase().as_str() {
        "fr" => &FR,
        _ => &EN,
    }
}

/// The writing direction of `lang`, as the widget's `Lang::dir` has it.
pub fn dir(lang: &str) -> &'static str {
    match lang.split('-').next().unwrap_or_default().to_ascii_lowercase().as_str() {
        "ar" | "he" | "fa" | "ur" => "rtl",
        _ => "ltr",
    }
}
