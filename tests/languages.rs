//! Plural forms by the browser's Intl rules, and right-to-left layout.

#![cfg(target_arch = "wasm32")]

mod common;

use common::*;
use news_widget::i18n::Lang;
use news_widget::intl;
use news_widget_api::LangTag;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn counts(tag: &str) -> Vec<String> {
    words();
    let lang = Lang::new(LangTag::parse(tag).unwrap());
    [0, 1, 2, 5, 21].iter().map(|n| lang.count(*n, &lang.text.comments)).collect()
}

#[wasm_bindgen_test]
fn plural_forms_for_0_1_2_5_21() {
    assert_eq!(counts("en"), ["0 comments", "1 comment", "2 comments", "5 comments", "21 comments"]);
    assert_eq!(counts("fr"), ["0 commentaire", "1 commentaire", "2 commentaires", "5 commentaires", "21 commentaires"]);
    assert_eq!(counts("ru"), ["0 комментариев", "1 комментарий", "2 комментария", "5 комментариев", "21 комментарий"]);
    assert_eq!(counts("pl"), ["0 komentarzy", "1 komentarz", "2 komentarze", "5 komentarzy", "21 komentarzy"]);
    // Arabic has all six categories; its digits are the locale's own.
    let ar = |n: u64, form: &str| form.replace("{n}", &intl::integer(n, "ar"));
    assert_eq!(
        counts("ar"),
        [
            "لا تعليقات".to_owned(),
            "تعليق واحد".to_owned(),
            "تعليقان".to_owned(),
            ar(5, "{n} تعليقات"),
            ar(21, "{n} تعليقًا"),
        ]
    );
    words();
    let de = Lang::new(LangTag::parse("de").unwrap());
    assert_eq!(de.count(1, &de.text.votes), "1 Stimme");
    assert_eq!(de.count(1000, &de.text.votes), "1.000 Stimmen", "grouping by Intl");
}

#[wasm_bindgen_test]
async fn arabic_lays_out_right_to_left() {
    let page = container();
    page.set_inner_html(&format!(
        r#"<div data-news-widget data-api="{}" data-article="cooperation-chine-kazakhstan" data-lang="ar" data-parts="rating"></div>"#,
        api()
    ));
    news_widget::mount_all();
    let root = page.first_element_child().unwrap();
    let widget = wait_for(&root, ".nw-widget[dir=rtl][lang=ar]").await;
    wait_for(&root, ".nw-user-rating").await;
    assert!(text(&root, ".nw-user-rating").starts_with("تقييم القرّاء"));
    let style = web_sys::window().unwrap().get_computed_style(&widget).unwrap().unwrap();
    assert_eq!(style.get_property_value("direction").unwrap(), "rtl");
}
