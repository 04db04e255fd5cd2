//! WCAG contrast of the widget's colours, in the light and the dark theme, read from the CSS itself.

const CSS: &str = include_str!("../styles/widget.css");

/// The `--nw-*` colours of the first block that follows `selector`: each is declared as
/// `--_nw-text: var(--nw-text, #1b1b1b)`, the host's value if it sets one, else the default.
fn palette(selector: &str) -> Vec<(String, [f64; 3])> {
    block(selector)
        .split(';')
        .filter_map(|decl| {
            let (name, value) = decl.trim().split_once(':')?;
            let public = name.trim().strip_prefix("--_")?;
            let fallback = value.trim().strip_prefix(&format!("var(--{public},"))?.strip_suffix(')')?;
            let hex = fallback.trim().strip_prefix('#').filter(|h| h.len() == 6)?;
            let channel = |i: usize| f64::from(u8::from_str_radix(&hex[i..i + 2], 16).unwrap()) / 255.0;
            Some((format!("--{public}"), [channel(0), channel(2), channel(4)]))
        })
        .collect()
}

/// The declarations of the first rule whose selector is `selector`.
fn block(selector: &str) -> &'static str {
    let start = CSS.find(selector).unwrap_or_else(|| panic!("{selector} not in the CSS"));
    let block = &CSS[start..];
    &block[block.find('{').unwrap() + 1..block.find('}').unwrap()]
}

/// The `--nw-*` colour a property of `selector`'s rule takes (`color: var(--_nw-text)`).
fn uses(selector: &str, property: &str) -> String {
    let decl = block(selector)
        .split(';')
        .map(str::trim)
        .find_map(|d| d.strip_prefix(property)?.trim_start().strip_prefix(':'))
        .unwrap_or_else(|| panic!("{selector} declares no {property}: the browser's default would show"));
    let var = decl.trim().strip_prefix("var(--_").and_then(|v| v.strip_suffix(')'));
    format!("--{}", var.unwrap_or_else(|| panic!("{selector} {property}: {decl} is not a theme colour")))
}

fn luminance([r, g, b]: [f64; 3]) -> f64 {
    let linear = |c: f64| if c <= 0.039_28 { c / 12.92 } else { ((c + 0.055) / 1.055).powf(2.4) };
    0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)
}

fn contrast(a: [f64; 3], b: [f64; 3]) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

#[test]
fn both_themes_meet_wcag_aa() {
    let light = palette(".nw-widget {");
    let mut dark = light.clone();
    // The dark palette, and the same again where `auto` follows a dark system.
    let auto = palette(r#"  .nw-widget[data-theme="auto"] {"#);
    assert_eq!(auto, palette(r#".nw-widget[data-theme="dark"] {"#), "auto's dark palette is dark's");
    for (name, colour) in palette(r#".nw-widget[data-theme="dark"] {"#) {
        if let Some(slot) = dark.iter_mut().find(|(n, _)| *n == name) {
            slot.1 = colour;
        }
    }
    // Text needs 4.5:1; focus rings and star shapes, which are not text, 3:1.
    let pairs = [
        ("--nw-text", "--nw-bg", 4.5),
        ("--nw-text", "--nw-panel", 4.5),
        ("--nw-muted", "--nw-bg", 4.5),
        ("--nw-muted", "--nw-panel", 4.5),
        ("--nw-accent", "--nw-bg", 4.5),
        ("--nw-danger", "--nw-danger-bg", 4.5),
        ("--nw-focus", "--nw-bg", 3.0),
        ("--nw-star", "--nw-panel", 3.0),
    ];
    // The sort <select>: its own colour on its own background (not the browser's field colours,
    // which in the dark theme left light text on a light field), and its border.
    let select = ".nw-sort select {";
    let (select_fg, select_bg) = (uses(select, "color"), uses(select, "background"));
    let select_border = block(select).contains("border: 1px solid var(--_nw-muted)");
    assert!(select_border, "the sort <select> has a border of --nw-muted");
    for (theme, colours) in [("light", &light), ("dark", &dark)] {
        let get = |n: &str| colours.iter().find(|(name, _)| name == n).unwrap_or_else(|| panic!("{theme}: no {n}")).1;
        let select_pairs = [(select_fg.as_str(), select_bg.as_str(), 4.5), ("--nw-muted", select_bg.as_str(), 3.0)];
        for (fg, bg, least) in pairs.into_iter().chain(select_pairs) {
            let ratio = contrast(get(fg), get(bg));
            assert!(ratio >= least, "{theme}: {fg} on {bg} is {ratio:.2}:1, below {least}:1");
        }
    }
}
