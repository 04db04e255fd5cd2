//! The share bar's icons: inline SVG drawn here, so no icon font, image or script is fetched.

use yew::prelude::*;

use super::links::Network;

fn svg(paths: Html) -> Html {
    html! {
        <svg class="nw-icon" viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false"
            fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">{ paths }</svg>
    }
}

/// The icon of `network`.
pub fn icon(network: Network) -> Html {
    svg(match network {
        Network::Facebook => {
            html! { <path d="M15 3h-2.5A3.5 3.5 0 0 0 9 6.5V10H6v4h3v7h4v-7h3l1-4h-4V7a1 1 0 0 1 1-1h2z" /> }
        }
        Network::X => html! { <><path d="M4 4l16 16" /><path d="M20 4L4 20" /></> },
        Network::LinkedIn => html! {
            <><rect x="3" y="3" width="18" height="18" rx="3" /><path d="M8 10v7M8 7v.01M12 17v-4a2 2 0 0 1 4 0v4M12 10v7" /></>
        },
        Network::WhatsApp => html! {
            <><path d="M3.5 20.5l1.3-4A8.5 8.5 0 1 1 8 19.4z" /><path d="M9 9.5c.5 2.5 2.5 4.5 5 5l1-1.5" /></>
        },
        Network::Telegram => html! { <><path d="M21 4L3 11l6 2.5L18 7l-7 8.5 5.5 4.5z" /></> },
        Network::Reddit => html! {
            <><ellipse cx="12" cy="14" rx="8" ry="6" /><path d="M12 8l1.5-5 4 1M9 13v.01M15 13v.01M9.5 16.5c1.5 1 3.5 1 5 0" /><circle cx="18.5" cy="4.5" r="1" /></>
        },
        Network::Bluesky => html! {
            <path d="M12 11C10 7 6 4 4 4s-2 3 0 6c1 1.5 3 2 5 2-2 .5-4 2-3 4s4 0 6-4c2 4 5 6 6 4s-1-3.5-3-4c2 0 4-.5 5-2 2-3 2-6 0-6s-6 3-8 7z" />
        },
        Network::Threads => {
            html! { <path d="M16.5 11.5C16 8 14 7 12 7s-4.5 1.5-4.5 5 2 5 4.5 5 3.5-1.5 3.5-3-1-2.5-3-2.5-3 1-3 2 1 2 3 1.5M12 21a9 9 0 1 1 8-5" /> }
        }
        Network::Mastodon => html! {
            <><path d="M20 13.5c-.5 2.5-4 3.5-8 3.5-1 0-2-.1-3-.3.2 2 2 2.8 5.5 2.3" /><path d="M4.5 12V8.5A4.5 4.5 0 0 1 9 4h6a4.5 4.5 0 0 1 4.5 4.5V12c0 1-.2 1.5-.5 1.5H5c-.3 0-.5-.5-.5-1.5z" /><path d="M9 12V9.5a1.5 1.5 0 0 1 3 0V11m0-1.5a1.5 1.5 0 0 1 3 0V12" /></>
        },
        Network::Pinterest => {
            html! { <><circle cx="12" cy="12" r="9" /><path d="M10.5 21l2-8.5M10 13.5c.5 1 1.5 1.5 2.5 1.5 2.5 0 4-2 4-4.5S14.5 6 12 6s-4.5 2-4.5 4.5c0 1 .3 1.8.8 2.3" /></> }
        }
        Network::Email => html! { <><rect x="3" y="5" width="18" height="14" rx="2" /><path d="M3 7l9 6 9-6" /></> },
        Network::Copy => html! {
            <><path d="M10 14a4 4 0 0 0 5.7 0l3-3a4 4 0 0 0-5.7-5.7l-1 1" /><path d="M14 10a4 4 0 0 0-5.7 0l-3 3a4 4 0 0 0 5.7 5.7l1-1" /></>
        },
    })
}

/// The native share sheet's icon.
pub fn share() -> Html {
    svg(html! { <><path d="M12 3v12M7 8l5-5 5 5" /><path d="M5 12v7a2 2 0 0 0 2 2h10a2 2 0 0 0 2-2v-7" /></> })
}
