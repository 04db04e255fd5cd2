//! A local identicon from the avatar hash the server computes: nothing is fetched, nothing leaks.

use yew::prelude::*;

/// A 5×5 mirrored pattern in a colour taken from `hash` (hex). SVG attributes only.
pub fn identicon(hash: &str) -> Html {
    let nibbles: Vec<u8> = hash.chars().filter_map(|c| c.to_digit(16)).map(|d| d as u8).collect();
    if nibbles.len() < 18 {
        return html! { <svg class="nw-avatar" viewBox="0 0 5 5" width="40" height="40" aria-hidden="true"><rect width="5" height="5" class="nw-avatar-blank" /></svg> };
    }
    let hue = (u16::from(nibbles[15]) << 4 | u16::from(nibbles[16])) * 360 / 256;
    let colour = format!("hsl({hue} 55% 40%)");
    let cells = (0..15).filter(|i| nibbles[*i].is_multiple_of(2)).flat_map(|i| {
        let (col, row) = (i / 5, i % 5);
        let mirrored = if col < 2 { Some(4 - col) } else { None };
        std::iter::once((col, row)).chain(mirrored.map(|m| (m, row)))
    });
    html! {
        <svg class="nw-avatar" viewBox="-0.5 -0.5 6 6" width="40" height="40" aria-hidden="true" focusable="false">
            <rect x="-0.5" y="-0.5" width="6" height="6" class="nw-avatar-bg" />
            { for cells.map(|(x, y)| html! { <rect x={x.to_string()} y={y.to_string()} width="1" height="1" fill={colour.clone()} /> }) }
        </svg>
    }
}
