//! The few sentences the server writes itself, in the pages that answer the no-JavaScript form,
//! in the widget's 12 languages. Everything the widget shows comes from its own catalogues
//! (`src/i18n.rs`); these stay on the server, so that no reader downloads them with the wasm.

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

pub static EN: Texts = Texts {
    pending_title: "Comment received",
    pending: "Your comment is awaiting moderation. It will appear once a moderator has approved it.",
    published_title: "Comment published",
    published: "Your comment is published.",
    back: "Back to the article",
    refused_title: "Your comment was not sent",
    not_found_title: "Article not found",
    not_found: "This article does not exist (any more).",
};

pub static FR: Texts = Texts {
    pending_title: "Commentaire reçu",
    pending: "Votre commentaire est en attente de modération. Il apparaîtra dès qu’un modérateur l’aura approuvé.",
    published_title: "Commentaire publié",
    published: "Votre commentaire est publié.",
    back: "Retour à l’article",
    refused_title: "Votre commentaire n’a pas été envoyé",
    not_found_title: "Article introuvable",
    not_found: "Cet article n’existe pas (ou plus).",
};

pub static DE: Texts = Texts {
    pending_title: "Kommentar erhalten",
    pending: "Ihr Kommentar wartet auf Freischaltung. Er erscheint, sobald ein Moderator ihn freigegeben hat.",
    published_title: "Kommentar veröffentlicht",
    published: "Ihr Kommentar ist veröffentlicht.",
    back: "Zurück zum Artikel",
    refused_title: "Ihr Kommentar wurde nicht gesendet",
    not_found_title: "Artikel nicht gefunden",
    not_found: "Diesen Artikel gibt es nicht (mehr).",
};

pub static ES: Texts = Texts {
    pending_title: "Comentario recibido",
    pending: "Tu comentario está pendiente de moderación. Aparecerá cuando un moderador lo apruebe.",
    published_title: "Comentario publicado",
    published: "Tu comentario se ha publicado.",
    back: "Volver al artículo",
    refused_title: "Tu comentario no se ha enviado",
    not_found_title: "Artículo no encontrado",
    not_found: "Este artículo no existe (o ya no existe).",
};

pub static IT: Texts = Texts {
    pending_title: "Commento ricevuto",
    pending: "Il tuo commento è in attesa di moderazione. Apparirà non appena un moderatore lo avrà approvato.",
    published_title: "Commento pubblicato",
    published: "Il tuo commento è pubblicato.",
    back: "Torna all’articolo",
    refused_title: "Il tuo commento non è stato inviato",
    not_found_title: "Articolo non trovato",
    not_found: "Questo articolo non esiste (più).",
};

pub static PT: Texts = Texts {
    pending_title: "Comentário recebido",
    pending: "O seu comentário aguarda moderação. Aparecerá assim que um moderador o aprovar.",
    published_title: "Comentário publicado",
    published: "O seu comentário foi publicado.",
    back: "Voltar ao artigo",
    refused_title: "O seu comentário não foi enviado",
    not_found_title: "Artigo não encontrado",
    not_found: "Este artigo não existe (ou já não existe).",
};

pub static NL: Texts = Texts {
    pending_title: "Reactie ontvangen",
    pending: "Je reactie wacht op moderatie. Ze verschijnt zodra een moderator haar heeft goedgekeurd.",
    published_title: "Reactie geplaatst",
    published: "Je reactie is geplaatst.",
    back: "Terug naar het artikel",
    refused_title: "Je reactie is niet verzonden",
    not_found_title: "Artikel niet gevonden",
    not_found: "Dit artikel bestaat niet (meer).",
};

pub static PL: Texts = Texts {
    pending_title: "Komentarz otrzymany",
    pending: "Twój komentarz czeka na moderację. Pojawi się, gdy moderator go zatwierdzi.",
    published_title: "Komentarz opublikowany",
    published: "Twój komentarz został opublikowany.",
    back: "Powrót do artykułu",
    refused_title: "Twój komentarz nie został wysłany",
    not_found_title: "Nie znaleziono artykułu",
    not_found: "Ten artykuł nie istnieje (już).",
};

pub static RU: Texts = Texts {
    pending_title: "Комментарий получен",
    pending: "Ваш комментарий ожидает модерации. Он появится, как только модератор его одобрит.",
    published_title: "Комментарий опубликован",
    published: "Ваш комментарий опубликован.",
    back: "Вернуться к статье",
    refused_title: "Ваш комментарий не отправлен",
    not_found_title: "Статья не найдена",
    not_found: "Такой статьи нет (или больше нет).",
};

pub static AR: Texts = Texts {
    pending_title: "تم استلام التعليق",
    pending: "تعليقك بانتظار المراجعة. سيظهر بعد أن يوافق عليه أحد المشرفين.",
    published_title: "تم نشر التعليق",
    published: "تم نشر تعليقك.",
    back: "العودة إلى المقال",
    refused_title: "لم يُرسَل تعليقك",
    not_found_title: "المقال غير موجود",
    not_found: "هذا المقال غير موجود (أو لم يعد موجودًا).",
};

pub static ZH: Texts = Texts {
    pending_title: "已收到评论",
    pending: "您的评论正在等待审核，审核通过后即会显示。",
    published_title: "评论已发布",
    published: "您的评论已发布。",
    back: "返回文章",
    refused_title: "您的评论未能发送",
    not_found_title: "未找到文章",
    not_found: "该文章不存在（或已不存在）。",
};

pub static JA: Texts = Texts {
    pending_title: "コメントを受け付けました",
    pending: "コメントは承認待ちです。モデレーターが承認すると表示されます。",
    published_title: "コメントを公開しました",
    published: "コメントが公開されました。",
    back: "記事に戻る",
    refused_title: "コメントは送信されませんでした",
    not_found_title: "記事が見つかりません",
    not_found: "この記事は存在しません（または削除されました）。",
};

/// Every language the widget speaks, by primary subtag.
pub static ALL: [(&str, &Texts); 12] = [
    ("en", &EN),
    ("fr", &FR),
    ("de", &DE),
    ("es", &ES),
    ("it", &IT),
    ("pt", &PT),
    ("nl", &NL),
    ("pl", &PL),
    ("ru", &RU),
    ("ar", &AR),
    ("zh", &ZH),
    ("ja", &JA),
];

/// The texts of `lang` (a BCP 47 tag; its primary subtag counts), English when there are none.
pub fn texts(lang: &str) -> &'static Texts {
    let primary = lang.split('-').next().unwrap_or_default().to_ascii_lowercase();
    ALL.iter().find(|(tag, _)| *tag == primary).map(|(_, t)| *t).unwrap_or(&EN)
}

/// The writing direction of `lang`, by the rule the widget uses ([`news_widget_api::LangTag::dir`]).
pub fn dir(lang: &str) -> &'static str {
    news_widget_api::LangTag::parse(lang).map(|t| t.dir()).unwrap_or("ltr")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_has_its_own_sentences() {
        for (tag, t) in ALL.iter().filter(|(tag, _)| *tag != "en") {
            for (mine, english) in [(t.pending, EN.pending), (t.back, EN.back), (t.refused_title, EN.refused_title)] {
                assert_ne!(mine, english, "{tag} says it in English");
            }
            assert!(std::ptr::eq(texts(tag), *t));
        }
        assert_eq!(texts("pt-BR").back, PT.back);
        assert_eq!(texts("xx").back, EN.back);
        assert_eq!(dir("ar"), "rtl");
        assert_eq!(dir("fr-CA"), "ltr");
    }
}
