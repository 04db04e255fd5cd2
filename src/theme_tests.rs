//! WCAG contrast of the widget's colours, in the light and the dark theme, read from the CSS itself.

const CSS: &str = include_str!("../styles/widget.css");

/// The `--nw-*` colours declared in the first block that follows `selector`.
fn palette(selector: &str) -> Vec<(String, [f64; 3])> {
    let start = CSS.find(selector).unwrap_or_else(|| panic!("{selector} not in the CSS"));
    let block = &CSS[start..];
    let block = &block[block.find('{').unwrap() + 1..block.find('}').unwrap()];
    block
        .split(';')
        .filter_map(|decl| {
            let (name, value) = decl.trim().split_once(':')?;
            let hex = value.trim().strip_prefix('#').filter(|h| h.len() == 6)?;
            let channel = |i: usize| f64::from(u8::from_str_radix(&hex[i..i + 2], 16).unwrap()) / 255.0;
            Some((name.trim().to_owned(), [channel(0), channel(2), channel(4)]))
        })
        .collect()
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
    for (theme, colours) in [("light", &light), ("dark", &dark)] {
        let get = |n: &str| colours.iter().find(|(name, _)| name == n).unwrap_or_else(|| panic!("{theme}: no {n}")).1;
        for (fg, bg, least) in pairs {
            let ratio = contrast(get(fg), get(bg));
            assert!(ratio >= least, "{theme}: {fg} on {bg} is {ratio:.2}:1, below {least}:1");
        }
    }
}
