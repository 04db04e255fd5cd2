//! A local identicon from the avatar hash the server computes: nothing is fetched, nothing leaks.

use yew::prelude::*;

/// A 5×5 mirrored pattern in a colour taken from `hash` (hex). SVG attributes only, and one path
/// for all the cells: a thread of 1,000 comments would otherwise create 15,000 `<rect>`s.
pub fn identicon(hash: &str) -> Html {
    let nibbles: Vec<u8> = hash.chars().filter_map(|c| c.to_digit(16)).map(|d| d as u8).collect();
    if nibbles.len() < 18 {
        return html! { <svg class="nw-avatar" viewBox="0 0 5 5" width="40" height="40" aria-hidden="true"><rect width="5" height="5" class="nw-avatar-blank" /></svg> };
    }
    let hue = hue(nibbles[15], nibbles[16]);
    html! {
        <svg class="nw-avatar" viewBox="-0.5 -0.5 6 6" width="40" height="40" aria-hidden="true" focusable="false">
            <rect x="-0.5" y="-0.5" width="6" height="6" class="nw-avatar-bg" />
            <path d={cells_path(&nibbles)} fill={format!("hsl({hue} 55% 40%)")} />
        </svg>
    }
}

/// The colour's hue in degrees, 0–358, from two nibbles (a byte).
fn hue(high: u8, low: u8) -> u32 {
    (u32::from(high) << 4 | u32::from(low)) * 360 / 256
}

/// The filled cells as one SVG path of unit squares: cell `i` of the first 15 nibbles (columns 0–2,
/// top to bottom) is filled when its nibble is even, and columns 0–1 are mirrored into 4–3.
fn cells_path(nibbles: &[u8]) -> String {
    let mut d = String::new();
    for i in (0..15).filter(|i| nibbles[*i].is_multiple_of(2)) {
        let (col, row) = (i / 5, i % 5);
        let mirrored = (col < 2).then_some(4 - col);
        for x in std::iter::once(col).chain(mirrored) {
            d.push_str(&format!("M{x} {row}h1v1h-1z"));
        }
    }
    d
}

#[cfg(test)]
mod tests {
    use super::{cells_path, hue};

    #[test]
    fn every_byte_makes_a_hue() {
        assert_eq!(hue(0, 0), 0);
        assert_eq!(hue(8, 0), 180);
        assert_eq!(hue(15, 15), 358, "255 × 360 does not fit a u16: it overflowed before");
    }

    #[test]
    fn cells_are_mirrored_squares() {
        let mut nibbles = [1u8; 18];
        nibbles[0] = 2; // column 0, row 0: also drawn at column 4
        nibbles[12] = 4; // column 2, row 2: the middle column, drawn once
        assert_eq!(cells_path(&nibbles), "M0 0h1v1h-1zM4 0h1v1h-1zM2 2h1v1h-1z");
        assert_eq!(cells_path(&[1u8; 18]), "");
    }
}
