//! The console's keyboard map: a key, its modifiers and where the focus is, to a command. Pure,
//! so that the host's tests pin it down; the queue view reads the browser's `KeyboardEvent` into
//! a [`Press`] and runs what [`command`] answers.

/// What the console does for a key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Command {
    /// `j`: the next comment becomes the current one.
    Next,
    /// `k`: the previous one.
    Previous,
    /// `a`: approve the current comment.
    Approve,
    /// `r`: reject the current comment (a dialog asks for an optional reason).
    Reject,
    /// `x`: select or unselect the current comment for a bulk decision.
    ToggleSelect,
    /// `/`: the search field.
    FocusSearch,
    /// `?`: the dialog listing the keys.
    Help,
    /// Escape: close the open dialog.
    CloseDialog,
}

/// Where a key was pressed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Context {
    /// In the queue, not typing: the single-letter keys work.
    Queue,
    /// In a text field, a text area or a select: only Escape means anything, and only in a dialog.
    Typing,
    /// A dialog is open (the focus is in it, not in a field).
    Dialog,
    /// A dialog is open and the focus is in one of its fields.
    DialogTyping,
}

/// One key press as the browser reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Press<'a> {
    /// `KeyboardEvent.key`: `"j"`, `"?"`, `"Escape"`, …
    pub key: &'a str,
    /// Control, Meta (Command) or Alt held: the browser's or the system's shortcut, never ours.
    pub modified: bool,
}

/// The command for `press` in `context`, if any. Shift is part of the key (`?` is Shift+/ on many
/// layouts, `J` is not `j`), so the map reads `key` only.
pub fn command(press: Press<'_>, context: Context) -> Option<Command> {
    if press.modified {
        return None;
    }
    match context {
        Context::Dialog | Context::DialogTyping => (press.key == "Escape").then_some(Command::CloseDialog),
        Context::Typing => None,
        Context::Queue => match press.key {
            "j" | "ArrowDown" => Some(Command::Next),
            "k" | "ArrowUp" => Some(Command::Previous),
            "a" => Some(Command::Approve),
            "r" => Some(Command::Reject),
            "x" => Some(Command::ToggleSelect),
            "/" => Some(Command::FocusSearch),
            "?" => Some(Command::Help),
            _ => None,
        },
    }
}

/// The context of a key press: whether a dialog is open, and the tag name (any case) and type of
/// the focused element. Text-like inputs, text areas and selects are typing; checkboxes, radio
/// buttons and buttons are not.
pub fn context(dialog_open: bool, tag: &str, input_type: &str, editable: bool) -> Context {
    let typing = editable
        || match tag.to_ascii_lowercase().as_str() {
            "textarea" | "select" => true,
            "input" => !matches!(
                input_type.to_ascii_lowercase().as_str(),
                "checkbox" | "radio" | "button" | "submit" | "reset" | "image" | "range" | "color" | "file"
            ),
            _ => false,
        };
    match (dialog_open, typing) {
        (true, true) => Context::DialogTyping,
        (true, false) => Context::Dialog,
        (false, true) => Context::Typing,
        (false, false) => Context::Queue,
    }
}

/// The keys, as the help dialog lists them.
pub const HELP: [(&str, &str); 8] = [
    ("j or ↓", "Next comment"),
    ("k or ↑", "Previous comment"),
    ("a", "Approve the current comment"),
    ("r", "Reject the current comment (asks for an optional reason; Enter confirms)"),
    ("x", "Select or unselect the current comment"),
    ("/", "Search"),
    ("?", "This list of keys"),
    ("Escape", "Close the dialog"),
];

/// The index `current` moves to for `command` in a list of `len` items: the first one when
/// none is current yet, clamped at both ends (no wrapping: the end of a queue is news).
pub fn moved(current: Option<usize>, len: usize, command: Command) -> Option<usize> {
    if len == 0 {
        return None;
    }
    let last = len - 1;
    Some(match (current, command) {
        (None, _) => 0,
        (Some(i), Command::Next) => (i + 1).min(last),
        (Some(i), Command::Previous) => i.saturating_sub(1).min(last),
        (Some(i), _) => i.min(last),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(key: &str) -> Press<'_> {
        Press { key, modified: false }
    }

    #[test]
    fn letters_act_in_the_queue() {
        let cases = [
            ("j", Command::Next),
            ("ArrowDown", Command::Next),
            ("k", Command::Previous),
            ("ArrowUp", Command::Previous),
            ("a", Command::Approve),
            ("r", Command::Reject),
            ("x", Command::ToggleSelect),
            ("/", Command::FocusSearch),
            ("?", Command::Help),
        ];
        for (k, c) in cases {
            assert_eq!(command(key(k), Context::Queue), Some(c), "{k}");
        }
        assert_eq!(command(key("J"), Context::Queue), None, "Shift+J is not j");
        assert_eq!(command(key("q"), Context::Queue), None);
        assert_eq!(command(key("Escape"), Context::Queue), None);
    }

    #[test]
    fn typing_and_modifiers_are_left_alone() {
        for k in ["j", "k", "a", "r", "x", "/", "?", "Escape"] {
            assert_eq!(command(key(k), Context::Typing), None, "{k} while typing");
            assert_eq!(command(Press { key: k, modified: true }, Context::Queue), None, "Ctrl/Meta/Alt+{k}");
        }
    }

    #[test]
    fn in_a_dialog_only_escape_counts() {
        for ctx in [Context::Dialog, Context::DialogTyping] {
            assert_eq!(command(key("Escape"), ctx), Some(Command::CloseDialog));
            for k in ["j", "a", "r", "x", "/", "?", "Enter"] {
                assert_eq!(command(key(k), ctx), None, "{k} in a dialog");
            }
        }
    }

    #[test]
    fn the_focused_element_decides_typing() {
        assert_eq!(context(false, "INPUT", "text", false), Context::Typing);
        assert_eq!(context(false, "input", "search", false), Context::Typing);
        assert_eq!(context(false, "input", "", false), Context::Typing);
        assert_eq!(context(false, "TEXTAREA", "", false), Context::Typing);
        assert_eq!(context(false, "SELECT", "", false), Context::Typing);
        assert_eq!(context(false, "input", "checkbox", false), Context::Queue);
        assert_eq!(context(false, "BUTTON", "submit", false), Context::Queue);
        assert_eq!(context(false, "LI", "", false), Context::Queue);
        assert_eq!(context(false, "DIV", "", true), Context::Typing, "contenteditable");
        assert_eq!(context(true, "BUTTON", "", false), Context::Dialog);
        assert_eq!(context(true, "INPUT", "text", false), Context::DialogTyping);
    }

    #[test]
    fn moving_is_clamped_and_starts_at_the_top() {
        assert_eq!(moved(None, 0, Command::Next), None);
        assert_eq!(moved(None, 3, Command::Previous), Some(0));
        assert_eq!(moved(Some(0), 3, Command::Next), Some(1));
        assert_eq!(moved(Some(2), 3, Command::Next), Some(2));
        assert_eq!(moved(Some(0), 3, Command::Previous), Some(0));
        assert_eq!(moved(Some(5), 3, Command::Previous), Some(2), "a shorter list after a refresh");
        assert_eq!(moved(Some(5), 3, Command::Approve), Some(2));
    }
}
