//! The audit log of the API documentation (seed `002`): a real session, used by tests,
//! the native benchmark and as the reference rendering.

use super::timeline::{Timeline, DEFAULT_IDLE_LIMIT};

/// The documented audit log, verbatim.
pub const SEED_AUDIT_LOG: &str = r##"[
 {
  "time": "2019-05-03T17:27:27.819655645+02:00",
  "content": "You are in a \u001b[1;34mone-off container\u001b[0m. This is a copy of your production \n",
  "type": "output"
 },
 {
  "time": "2019-05-03T17:27:27.81982273+02:00",
  "content": "environment. It is destroyed at the end of its execution. Thus, do not expect \n",
  "type": "output"
 },
 {
  "time": "2019-05-03T17:27:27.819998001+02:00",
  "content": "any created file to show up in your production environment. Production is \n",
  "type": "output"
 },
 {
  "time": "2019-05-03T17:27:27.820158581+02:00",
  "content": "immutable.\n",
  "type": "output"
 },
 {
  "time": "2019-05-03T17:27:27.820432466+02:00",
  "content": "\n",
  "type": "output"
 },
 {
  "time": "2019-05-03T17:27:27.821125634+02:00",
  "content": "If you need to interact with a database, you need to download the CLI of this \n",
  "type": "output"
 },
 {
  "time": "2019-05-03T17:27:27.821301619+02:00",
  "content": "database. You can download and install your database CLI with \n",
  "type": "output"
 },
 {
  "time": "2019-05-03T17:27:27.821478586+02:00",
  "content": "\u001b[1;31mdbclient-fetcher \u001b[1;35m<DB type> [<version>]\u001b[0m\n",
  "type": "output"
 },
 {
  "time": "2019-05-03T17:27:27.821668224+02:00",
  "content": "\n",
  "type": "output"
 },
 {
  "time": "2019-05-03T17:27:28.875210681+02:00",
  "content": "[15:27] \u001b[1;49;94mScalingo\u001b[0m:\u001b[1;49;94mrss-john\u001b[0m \u001b[49;96m~\u001b[0m \u001b[1m$\u001b[0m \n",
  "type": "output"
 },
 {
  "time": "2019-05-03T17:27:32.681685591+02:00",
  "content": "echo \"TEST\"\n",
  "type": "input"
 },
 {
  "time": "2019-05-03T17:27:32.682630706+02:00",
  "content": "\u001b[K[15:27] \u001b[1;49;94mScalingo\u001b[0m:\u001b[1;49;94mrss-john\u001b[0m \u001b[49;96m~\u001b[0m \u001b[1m$\u001b[0m echo \"TEST\"\n",
  "type": "output"
 },
 {
  "time": "2019-05-03T17:27:32.683022023+02:00",
  "content": "TEST\n",
  "type": "output"
 },
 {
  "time": "2019-05-03T17:27:34.313652729+02:00",
  "content": "exit\n",
  "type": "input"
 },
 {
  "time": "2019-05-03T17:27:34.314714174+02:00",
  "content": "[15:27] \u001b[1;49;94mScalingo\u001b[0m:\u001b[1;49;94mrss-john\u001b[0m \u001b[49;96m~\u001b[0m \u001b[1m$\u001b[0m exit\n",
  "type": "output"
 },
 {
  "time": "2019-05-03T17:27:34.314943454+02:00",
  "content": "exit\n",
  "type": "output"
 }
]"##;

/// The seed session as a timeline with the default idle limit.
pub fn seed_timeline() -> Timeline {
    Timeline::from_json(SEED_AUDIT_LOG, Some(DEFAULT_IDLE_LIMIT))
}

/// The seed session rendered: the reference the terminal model is held to. These tests live
/// here rather than in `terminal` so the model never imports the timeline (see the layering
/// note in `export`).
#[cfg(test)]
mod tests {
    use super::*;
    use crate::ansi::Color;
    use crate::audit::terminal::{Run, Terminal};
    use crate::audit::timeline::Kind;

    fn seed_terminal() -> Terminal {
        let timeline = seed_timeline();
        let mut term = Terminal::new(80, 24);
        for (index, event) in timeline.events().iter().enumerate() {
            if event.kind == Kind::Output {
                term.feed_output(&event.content, timeline.redraw(index));
            }
        }
        term
    }

    fn run_with<'a>(term: &'a [Vec<Run>], row: usize, text: &str) -> &'a Run {
        term[row]
            .iter()
            .find(|r| r.text == text)
            .unwrap_or_else(|| panic!("no run {text:?} in row {row}: {:?}", term[row]))
    }

    #[test]
    fn the_seed_session_renders_as_the_terminal_showed_it() {
        let term = seed_terminal();
        let text = term.text();
        assert_eq!(
            &text[..13],
            [
                "You are in a one-off container. This is a copy of your production",
                "environment. It is destroyed at the end of its execution. Thus, do not expect",
                "any created file to show up in your production environment. Production is",
                "immutable.",
                "",
                "If you need to interact with a database, you need to download the CLI of this",
                "database. You can download and install your database CLI with",
                "dbclient-fetcher <DB type> [<version>]",
                "",
                "[15:27] Scalingo:rss-john ~ $ echo \"TEST\"",
                "TEST",
                "[15:27] Scalingo:rss-john ~ $ exit",
                "exit",
            ]
        );
        assert!(text[13..].iter().all(String::is_empty));
        assert_eq!(term.cursor(), Some((0, 13)));
    }

    #[test]
    fn the_seed_session_keeps_its_colours() {
        let runs = seed_terminal().runs();
        let container = run_with(&runs, 0, "one-off container");
        assert_eq!(container.style.fg, Color::Indexed(4));
        assert!(container.style.bold);
        let fetcher = run_with(&runs, 7, "dbclient-fetcher ");
        assert_eq!(fetcher.style.fg, Color::Indexed(1));
        let db_type = run_with(&runs, 7, "<DB type> [<version>]");
        assert_eq!(db_type.style.fg, Color::Indexed(5));
        for row in [9, 11] {
            let host = run_with(&runs, row, "Scalingo");
            assert_eq!(host.style.fg, Color::Indexed(12));
            assert!(host.style.bold);
            assert_eq!(run_with(&runs, row, "~").style.fg, Color::Indexed(14));
            assert!(run_with(&runs, row, "$").style.bold);
        }
        assert!(run_with(&runs, 10, "TEST").style.is_default());
    }

    #[test]
    fn the_seed_session_renders_to_classes_not_style_attributes() {
        let html = seed_terminal().to_html().into_string();
        assert!(html.contains(r#"<span class="sld-fg-12 sld-bold">Scalingo</span>"#));
        assert!(html.contains(r#"<span class="sld-term-cursor"> </span>"#));
        assert!(html.contains("echo &quot;TEST&quot;"));
        assert!(!html.contains("style="));
    }
}
