//! The console's frame: who is signed in, which view shows (the URL's hash: `#queue`,
//! `#articles`, `#rules`, `#settings`), the navigation, the sign-out button and the polite live
//! region every view announces its results in. A one-time setup link (`/admin/setup?token=…`)
//! shows the page that chooses a password instead of the sign-in page.

use gloo_events::EventListener;
use yew::prelude::*;

use crate::api::{self, Session};
use crate::views::{self, ViewProps};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum View {
    Queue,
    Articles,
    Rules,
    Settings,
}

impl View {
    const ALL: [View; 4] = [View::Queue, View::Articles, View::Rules, View::Settings];

    fn hash(self) -> &'static str {
        match self {
            View::Queue => "#queue",
            View::Articles => "#articles",
            View::Rules => "#rules",
            View::Settings => "#settings",
        }
    }

    fn title(self) -> &'static str {
        match self {
            View::Queue => "Queues",
            View::Articles => "Articles",
            View::Rules => "Rules",
            View::Settings => "Settings",
        }
    }

    fn from_hash(hash: &str) -> View {
        Self::ALL.into_iter().find(|v| v.hash() == hash).unwrap_or(View::Queue)
    }

    /// Rules are the admins'.
    fn allowed(self, session: &Session) -> bool {
        self != View::Rules || api::is_admin(session)
    }
}

fn current_hash() -> String {
    web_sys::window().and_then(|w| w.location().hash().ok()).unwrap_or_default()
}

fn set_title(title: &str) {
    if let Some(document) = web_sys::window().and_then(|w| w.document()) {
        document.set_title(&format!("{title} — news-widget console"));
    }
}

/// The token of a setup link (`…/admin/setup?token=…`), if this page is one.
fn setup_token() -> Option<String> {
    let location = web_sys::window()?.location();
    if !crate::text::is_setup_path(&location.pathname().ok()?) {
        return None;
    }
    let query = web_sys::UrlSearchParams::new_with_str(&location.search().ok()?).ok()?;
    query.get("token").filter(|t| !t.is_empty())
}

/// Replaces the setup link in the address bar (and the history) by the console's own address,
/// so the token does not stay there.
fn leave_setup_page() {
    let Some(window) = web_sys::window() else { return };
    let path = window.location().pathname().unwrap_or_default();
    let console = path.strip_suffix("setup").unwrap_or("/admin/").to_owned();
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&console));
    }
}

/// Focuses the sign-in form's email field, once it is shown.
fn focus_sign_in() {
    use wasm_bindgen::JsCast as _;
    let field = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("nw-login-email"))
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(field) = field {
        let _ = field.focus();
    }
}

#[derive(Clone, PartialEq)]
enum Auth {
    Checking,
    Out(Option<String>),
    In(Session),
}

#[function_component(App)]
pub fn app() -> Html {
    // A setup link's page asks no one who is signed in: it chooses a password, then signs in.
    let setup = use_state(setup_token);
    let auth = use_state(|| if setup.is_some() { Auth::Out(None) } else { Auth::Checking });
    let view = use_state(|| View::from_hash(&current_hash()));
    // The live region's sentence; a zero-width space alternates so that the same sentence twice
    // is heard twice.
    let live = use_state(|| (String::new(), false));

    {
        let (auth, checks) = (auth.clone(), setup.is_none());
        use_effect_with((), move |_| {
            if !checks {
                return;
            }
            wasm_bindgen_futures::spawn_local(async move {
                auth.set(match api::whoami().await {
                    Ok(Some(session)) => Auth::In(session),
                    Ok(None) => Auth::Out(None),
                    Err(e) => Auth::Out(Some(e.message())),
                });
            });
        });
    }
    {
        let view = view.clone();
        use_effect_with((), move |_| {
            let listener = web_sys::window()
                .map(|w| EventListener::new(&w, "hashchange", move |_| view.set(View::from_hash(&current_hash()))));
            move || drop(listener)
        });
    }
    {
        let title = match &*auth {
            _ if setup.is_some() => "Choose your password",
            Auth::In(session) if view.allowed(session) => view.title(),
            Auth::In(_) => "Not allowed",
            _ => "Sign in",
        };
        use_effect_with(title, |title| set_title(title));
    }

    let announce = {
        let live = live.clone();
        Callback::from(move |sentence: String| {
            let flip = !live.1;
            live.set((if flip { format!("{sentence}\u{200B}") } else { sentence }, flip));
        })
    };
    let expired = {
        let auth = auth.clone();
        Callback::from(move |()| auth.set(Auth::Out(Some("Your session is over: sign in again.".into()))))
    };

    let body = match &*auth {
        _ if setup.is_some() => {
            let token = setup.as_deref().unwrap_or_default().to_owned();
            let (setup, auth, announce) = (setup.clone(), auth.clone(), announce.clone());
            let on_done = Callback::from(move |()| {
                let done = "Your password is set. Sign in with your email and the new password.";
                leave_setup_page();
                setup.set(None);
                auth.set(Auth::Out(Some(done.into())));
                // The sign-in form's status line says it; the live region (already on the page)
                // makes sure it is heard, and the focus goes to the form's first field.
                announce.emit(done.into());
                gloo_timers::callback::Timeout::new(0, focus_sign_in).forget();
            });
            html! {
                <main id="nw-main" class="nw-main nw-main-login">
                    <views::setup::Setup token={AttrValue::from(token)} {on_done} />
                </main>
            }
        }
        Auth::Checking => html! { <main id="nw-main" class="nw-main" aria-busy="true"><p>{ "Loading…" }</p></main> },
        Auth::Out(message) => {
            let auth = auth.clone();
            let on_signed_in = Callback::from(move |session: Session| auth.set(Auth::In(session)));
            html! {
                <main id="nw-main" class="nw-main nw-main-login">
                    <views::login::Login {on_signed_in} message={message.clone()} />
                </main>
            }
        }
        Auth::In(session) => {
            let props = ViewProps { session: session.clone(), announce: announce.clone(), expired: expired.clone() };
            let content = match *view {
                _ if !view.allowed(session) => html! {
                    <><h1>{ "Not allowed" }</h1><p>{ "Only admins change the rules." }</p></>
                },
                View::Queue => html! { <views::queue::QueueView ..props /> },
                View::Articles => html! { <views::articles::Articles ..props /> },
                View::Rules => html! { <views::rules::RulesView ..props /> },
                View::Settings => html! { <views::settings::Settings ..props /> },
            };
            let sign_out = {
                let (auth, session, announce) = (auth.clone(), session.clone(), announce.clone());
                Callback::from(move |_: MouseEvent| {
                    let (auth, session, announce) = (auth.clone(), session.clone(), announce.clone());
                    wasm_bindgen_futures::spawn_local(async move {
                        match api::sign_out(&session).await {
                            Ok(()) => auth.set(Auth::Out(Some("You are signed out.".into()))),
                            Err(e) if e.status == 401 => auth.set(Auth::Out(Some("You are signed out.".into()))),
                            Err(e) => announce.emit(e.message()),
                        }
                    });
                })
            };
            html! {
                <>
                <header class="nw-bar">
                    <span class="nw-brand">{ "news-widget console" }</span>
                    <nav aria-label="Console">
                        <ul class="nw-nav">
                        { for View::ALL.into_iter().filter(|v| v.allowed(session)).map(|v| html! {
                            <li><a href={v.hash()} id={format!("nw-nav-{}", &v.hash()[1..])}
                                aria-current={(v == *view).then_some("page")}>{ v.title() }</a></li>
                        }) }
                        </ul>
                    </nav>
                    <span class="nw-who">{ format!("{} ({})", session.email, session.role.as_str()) }</span>
                    if api::is_admin(session) {
                        <a class="nw-export" id="nw-export-audit" href={api::AUDIT_CSV} download="audit.csv">
                            { "Export audit (CSV)" }
                        </a>
                    }
                    <button type="button" id="nw-sign-out" onclick={sign_out}>{ "Sign out" }</button>
                </header>
                <main id="nw-main" class="nw-main">{ content }</main>
                </>
            }
        }
    };
    html! {
        <>
        { body }
        <div id="nw-live" class="nw-visually-hidden" role="status" aria-live="polite" aria-atomic="true">
            { live.0.clone() }
        </div>
        </>
    }
}
