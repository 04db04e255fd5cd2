//! The rating part in a real browser, against the real server.

#![cfg(target_arch = "wasm32")]

mod common;

use common::*;
use news_widget::backend::Backend;
use news_widget::i18n::Lang;
use news_widget::rating::{RatingProps, RatingView};
use news_widget_api::{LangTag, Slug};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlInputElement};

wasm_bindgen_test_configure!(run_in_browser);

fn render(slug: &str, lang: &str, editor_score: Option<u8>) -> Element {
    let root = container();
    let props = RatingProps {
        backend: Backend::rest(api()),
        slug: Slug::parse(slug).unwrap(),
        lang: Lang::new(LangTag::parse(lang).unwrap()),
        editor_score,
        article_loads: 0,
        ids: format!("nw{}", news_widget::next_id()).into(),
        seed: None,
        typed: None,
        live: None,
    };
    yew::Renderer::<RatingView>::with_root_and_props(root.clone(), props).render();
    root
}

fn radio(root: &Element, stars: u8) -> HtmlInputElement {
    root.query_selector(&format!("input[value='{stars}']")).unwrap().unwrap().dyn_into().unwrap()
}

fn checked(root: &Element) -> Option<u8> {
    (1..=5).find(|s| radio(root, *s).checked())
}

fn focused_value() -> Option<String> {
    document().active_element().and_then(|e| e.dyn_into::<HtmlInputElement>().ok()).map(|i| i.value())
}

fn rating_url(slug: &str) -> String {
    format!("{}/articles/{slug}/rating", api())
}

async fn wait_text(root: &Element, selector: &str, want: &str) {
    for _ in 0..200 {
        yew::scheduler::flush().await;
        if root.query_selector(selector).unwrap().and_then(|e| e.text_content()).is_some_and(|t| plain(&t) == want) {
            return;
        }
        sleep(50).await;
    }
    panic!("{selector} never said {want:?}; the DOM is {}", root.inner_html());
}

#[wasm_bindgen_test]
async fn arrow_keys_move_the_choice_without_sending_and_enter_sends_one_vote() {
    let slug = fresh_article("keys", "fr").await;
    let reader = unique_slug("reader-keys-0123456789");
    set_reader(&reader);
    let root = render(&slug, "fr", None);
    wait_for(&root, ".nw-stars-input input").await;
    assert_eq!(checked(&root), None);

    radio(&root, 1).focus().unwrap();
    for (key, want) in [("ArrowRight", 2), ("ArrowRight", 3), ("ArrowDown", 4), ("ArrowLeft", 3), ("ArrowUp", 2)] {
        let target = document().active_element().unwrap();
        press(&target, key);
        yew::scheduler::flush().await;
        assert_eq!(checked(&root), Some(want), "after {key}");
        assert_eq!(focused_value(), Some(want.to_string()), "focus follows the choice");
    }
    press(&document().active_element().unwrap(), "ArrowLeft");
    press(&document().active_element().unwrap(), "ArrowLeft");
    yew::scheduler::flush().await;
    assert_eq!(checked(&root), Some(5), "wraps around from 1 to 5");
    press(&document().active_element().unwrap(), "ArrowRight");
    yew::scheduler::flush().await;
    assert_eq!(checked(&root), Some(1), "and from 5 to 1");
    press(&document().active_element().unwrap(), "ArrowRight");
    press(&document().active_element().unwrap(), "ArrowRight");
    press(&document().active_element().unwrap(), "ArrowRight");
    yew::scheduler::flush().await;
    assert_eq!(checked(&root), Some(4));

    sleep(300).await;
    assert_eq!(requests_to(&rating_url(&slug)), 1, "only the first GET: arrows send nothing");
    assert_eq!(server_rating(&slug, &reader).await["count"], 0);

    press(&document().active_element().unwrap(), "Enter");
    wait_text(&root, ".nw-status", "Merci ! Votre note : 4 étoiles.").await;
    let stored = server_rating(&slug, &reader).await;
    assert_eq!((stored["count"].clone(), stored["your_stars"].clone()), (1.into(), 4.into()));
    assert_eq!(requests_to(&rating_url(&slug)), 2, "one GET, one PUT");
    assert_eq!(plain(&text(&root, ".nw-your-rating")), "Votre note : 4 étoiles");
    assert_eq!(plain(&text(&root, ".nw-user-rating")), "Note des lecteurs : 80,00 % (1 vote)");
    assert_eq!(text(&root, ".nw-rate-button"), "Modifier ma note");
}

#[wasm_bindgen_test]
async fn a_double_click_sends_one_vote() {
    let slug = fresh_article("double", "en").await;
    set_reader(&unique_slug("reader-double-0123456789"));
    let root = render(&slug, "en", None);
    wait_for(&root, ".nw-stars-input input").await;
    radio(&root, 5).click();
    yew::scheduler::flush().await;
    assert_eq!(checked(&root), Some(5));
    click(&root, ".nw-rate-button");
    click(&root, ".nw-rate-button");
    yew::scheduler::flush().await;
    assert_eq!(root.query_selector("form").unwrap().unwrap().get_attribute("aria-busy").as_deref(), Some("true"));
    wait_text(&root, ".nw-status", "Thank you! Your rating: 5 stars.").await;
    click(&root, ".nw-rate-button");
    wait_text(&root, ".nw-status", "Thank you! Your rating: 5 stars.").await;
    sleep(300).await;
    assert_eq!(requests_to(&rating_url(&slug)), 3, "one GET, one PUT for the double click, one for the later click");
}

#[wasm_bindgen_test]
async fn a_refused_vote_rolls_back_the_figures_and_says_why() {
    let slug = fresh_article("refused", "fr").await;
    // Three other readers from this address use up its new voters for today.
    for n in 0..3 {
        assert_eq!(direct_vote(&slug, &unique_slug(&format!("other-{n}-0123456789")), 2).await, 200);
    }
    set_reader(&unique_slug("reader-refused-0123456789"));
    let root = render(&slug, "fr", None);
    wait_text(&root, ".nw-user-rating", "Note des lecteurs : 40,00 % (3 votes)").await;

    radio(&root, 5).click();
    click(&root, ".nw-rate-button");
    yew::scheduler::flush().await;
    assert_eq!(
        plain(&text(&root, ".nw-user-rating")),
        "Note des lecteurs : 55,00 % (4 votes)",
        "the figures change at once"
    );
    let alert = wait_for(&root, ".nw-vote-error[role=alert]").await;
    let said = plain(&alert.text_content().unwrap());
    assert!(said.contains("Votre note n’a pas été enregistrée : Trop de nouveaux votes"), "{said}");
    assert!(said.contains("429"), "the detail names the status: {said}");
    assert_eq!(plain(&text(&root, ".nw-user-rating")), "Note des lecteurs : 40,00 % (3 votes)", "rolled back");
    assert!(root.query_selector(".nw-your-rating").unwrap().is_none());
    assert!(root.query_selector(".nw-vote-error button").unwrap().is_some(), "a way to try again");
}

#[wasm_bindgen_test]
async fn french_and_english_texts_with_zero_and_one() {
    for (lang, editor, zero, one, star_one, star_four, yours) in [
        (
            "fr",
            "Note globale 0 %",
            "Note des lecteurs : 0,00 % (0 vote)",
            "Note des lecteurs : 60,00 % (1 vote)",
            "1 étoile",
            "4 étoiles",
            "Votre note : 3 étoiles",
        ),
        (
            "en",
            "Total score 0%",
            "User rating: 0.00% (0 votes)",
            "User rating: 60.00% (1 vote)",
            "1 star",
            "4 stars",
            "Your rating: 3 stars",
        ),
    ] {
        let slug = fresh_article("texts", lang).await;
        set_reader(&unique_slug("reader-texts-0123456789"));
        let root = render(&slug, lang, Some(0));
        wait_text(&root, ".nw-user-rating", zero).await;
        assert_eq!(plain(&text(&root, ".nw-editor-score")), editor);
        assert_eq!(plain(&text(&root, ".nw-average")), "0,0 / 5".replace(',', if lang == "fr" { "," } else { "." }));
        // Each radio's accessible name is its label's text.
        let label = |s: u8| plain(&radio(&root, s).parent_element().unwrap().text_content().unwrap());
        assert_eq!((label(1), label(4)), (star_one.to_owned(), star_four.to_owned()));
        assert_eq!(text(&root, "legend"), if lang == "fr" { "Notez cet article" } else { "Rate this article" });

        radio(&root, 3).click();
        click(&root, ".nw-rate-button");
        wait_text(&root, ".nw-your-rating", yours).await;
        assert_eq!(plain(&text(&root, ".nw-user-rating")), one);
        let clip = root.query_selector("svg.nw-stars-meter clipPath rect").unwrap().unwrap();
        assert_eq!(clip.get_attribute("width").as_deref(), Some("72.00"), "3 of 5 stars filled: 72 of 120 units");
        let meter = root.query_selector("svg.nw-stars-meter").unwrap().unwrap();
        let name = plain(&meter.get_attribute("aria-label").unwrap());
        assert_eq!(name, if lang == "fr" { "Note moyenne : 3,0 sur 5" } else { "Average rating: 3.0 out of 5" });
    }
}
