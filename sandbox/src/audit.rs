//! The demo world's one-off sessions: audit logs with real terminal bytes.

use std::sync::{Arc, OnceLock};

use serde_json::{json, Value};

use crate::clock;
use crate::rng::Rng;

/// The session documented in the API docs (seed `002_e9cc4f4c0bc62d81.txt`), served byte for byte.
pub const SEED_SESSION: &str = include_str!("../data/seed_audit_log.json");

/// How many entries the long session holds, for performance work in the dashboard.
pub const LONG_SESSION_EVENTS: usize = 50_000;

/// The prompt of a one-off container, coloured as the platform's shell draws it.
fn prompt(app: &str) -> String {
    format!(
        "[15:27] \u{1b}[1;49;94mScalingo\u{1b}[0m:\u{1b}[1;49;94m{app}\u{1b}[0m \u{1b}[49;96m~\u{1b}[0m \u{1b}[1m$\u{1b}[0m "
    )
}

/// Builds a session entry by entry, each one a few milliseconds after the previous.
struct Session {
    entries: Vec<Value>,
    nanos: i64,
}

impl Session {
    fn new(start_secs: i64) -> Self {
        Session {
            entries: Vec::new(),
            nanos: start_secs * 1_000_000_000,
        }
    }

    fn push(&mut self, kind: &str, content: &str, after_ms: i64) {
        self.nanos += after_ms * 1_000_000 + 1_234;
        let time = clock::rfc3339(self.nanos).replace('Z', "+00:00");
        self.entries
            .push(json!({ "time": time, "content": content, "type": kind }));
    }

    fn output(&mut self, content: &str) {
        self.push("output", content, 3);
    }

    fn input(&mut self, content: &str) {
        self.push("input", content, 900);
    }

    fn banner(&mut self, app: &str) {
        self.output("You are in a \u{1b}[1;34mone-off container\u{1b}[0m. This is a copy of your production \n");
        self.output("environment. It is destroyed at the end of its execution.\n\n");
        self.output(&prompt(app));
    }

    fn echo(&mut self, app: &str, command: &str) {
        self.input(&format!("{command}\n"));
        self.output(&format!("\u{1b}[K{}{command}\n", prompt(app)));
    }

    /// Ends the session the way a user leaves the shell, and serializes it.
    fn exit(mut self, app: &str) -> String {
        self.output(&prompt(app));
        self.input("exit\n");
        self.output("exit\n");
        self.finish()
    }

    fn finish(self) -> String {
        Value::Array(self.entries).to_string()
    }
}

/// A migration with coloured output (16, 256 and true colours) and a progress bar redrawn with `\r` and `\x1b[K`.
pub fn migration(app: &str, start_secs: i64) -> String {
    let mut s = Session::new(start_secs);
    s.output(&format!(
        "\u{1b}[1;32m-----> \u{1b}[0mStarting container one-off-7342 for {app}\n"
    ));
    s.echo(app, "bundle exec rake db:migrate");
    for (i, table) in ["users", "invoices", "log_drains"].iter().enumerate() {
        s.output(&format!(
            "\u{1b}[38;5;208m== 2024010{i}1200 Create{table}: migrating \u{1b}[0m=====================\n"
        ));
        s.output(&format!("-- create_table(:{table})\n"));
        s.output(&format!(
            "   -> \u{1b}[38;2;255;105;180m0.00{}s\u{1b}[0m\n",
            i + 3
        ));
    }
    s.output("\u{1b}[1mBackfilling invoices\u{1b}[0m\n");
    for step in 0..=20 {
        let bar = format!("{}{}", "#".repeat(step), " ".repeat(20 - step));
        s.push(
            "output",
            &format!(
                "\r\u{1b}[K\u{1b}[36m[{bar}]\u{1b}[0m {:3}% ({}/4200 rows)",
                step * 5,
                step * 210
            ),
            120,
        );
    }
    s.output("\r\u{1b}[K\u{1b}[1;32m✔ done\u{1b}[0m in 2.5s\n");
    s.output("\u{1b}[33mWARNING\u{1b}[0m: 3 rows skipped (\u{1b}[4mnull email\u{1b}[24m)\n");
    s.exit(app)
}

/// A full-screen program (a `top`-like monitor) drawn on the alternate screen with cursor moves.
pub fn full_screen(app: &str, start_secs: i64) -> String {
    let mut s = Session::new(start_secs);
    s.banner(app);
    s.echo(app, "htop");
    s.output("\u{1b}[?1049h\u{1b}[?25l\u{1b}[H\u{1b}[2J");
    for frame in 0..4u32 {
        let mut screen = String::from("\u{1b}[H");
        screen.push_str(&format!(
            "\u{1b}[1;1H\u{1b}[7m top - 15:2{frame}:0{frame} up 3 days, load average: 0.{frame}2, 0.31, 0.27 \u{1b}[0m\u{1b}[K"
        ));
        screen.push_str("\u{1b}[3;1H\u{1b}[1m  PID USER      %CPU %MEM COMMAND\u{1b}[0m\u{1b}[K");
        for (row, (pid, cmd)) in [
            (1, "bash"),
            (17, "puma 6.4 (tcp://0.0.0.0:4000)"),
            (42, "sidekiq 7.2"),
        ]
        .iter()
        .enumerate()
        {
            let cpu = (frame * 7 + row as u32 * 13) % 100;
            screen.push_str(&format!(
                "\u{1b}[{};1H{pid:5} appsdeck  \u{1b}[{}m{cpu:4}.0\u{1b}[0m  1.{row} {cmd}\u{1b}[K",
                row + 4,
                if cpu > 50 { "31" } else { "32" }
            ));
        }
        screen.push_str(
            "\u{1b}[24;1H\u{1b}[30;46mF1\u{1b}[0mHelp \u{1b}[30;46mF10\u{1b}[0mQuit\u{1b}[K",
        );
        s.push("output", &screen, 1000);
    }
    s.input("q");
    s.output("\u{1b}[?25h\u{1b}[?1049l");
    s.exit(app)
}

/// The player's hard cases for commands and the grid: the terminal's own replies in the
/// input (device attributes, a colour, an X10 and an SGR mouse click, the SGR one cut across
/// two entries, focus, paste brackets), line editing (Backspace, Ctrl-U), and output with
/// wide characters (CJK, emoji) and DEC line drawing (`ESC(0`). The commands that ran are
/// `ls -la`, `cat notes.txt`, `echo done` and `exit`.
pub fn terminal_replies(app: &str, start_secs: i64) -> String {
    let mut s = Session::new(start_secs);
    s.banner(app);
    // The shell's start-up asks for device attributes and the background colour, and turns
    // on bracketed paste and mouse reporting.
    s.output("\u{1b}[c\u{1b}]11;?\u{7}\u{1b}[?2004h\u{1b}[?1000h\u{1b}[?1006h");
    s.input("\u{1b}[?62;22c\u{1b}]11;rgb:1010/1515/2121\u{7}");
    s.input("\u{1b}[M #!");
    for keys in [
        "l",
        "sx",
        "\u{7f}",
        " -la",
        "\u{1b}[<0;1",
        "2;5M",
        "\u{1b}[I",
        "\r",
    ] {
        s.input(keys);
    }
    s.output(&format!("\u{1b}[K{}ls -la\n", prompt(app)));
    s.output("total 8\n-rw-r--r-- 1 appsdeck appsdeck 64 notes.txt\n");
    s.output(&prompt(app));
    s.input("\u{1b}[200~cat notes.txt\u{1b}[201~");
    s.input("\r");
    s.output(&format!("\u{1b}[K{}cat notes.txt\n", prompt(app)));
    s.output("漢字🙂\u{1b}[31mEND\u{1b}[0m\n123456\u{1b}[31mEND\u{1b}[0m\n");
    s.output(
        "\u{1b}(0lqqqqk\u{1b}(B\n\u{1b}(0x\u{1b}(B ok \u{1b}(0x\u{1b}(B\n\u{1b}(0mqqqqj\u{1b}(B\n",
    );
    s.output(&prompt(app));
    s.input("rm -rf /");
    s.input("\u{15}echo done\r");
    s.output(&format!("\u{1b}[K{}echo done\ndone\n", prompt(app)));
    s.input("\u{1b}[O");
    s.exit(app)
}

/// An operator session: an empty command, a shell opened by the platform's staff.
pub fn operator(app: &str, start_secs: i64) -> String {
    let mut s = Session::new(start_secs);
    s.banner(app);
    s.echo(app, "ps aux | head -3");
    s.output("USER       PID %CPU %MEM COMMAND\nappsdeck     1  0.0  0.1 /bin/bash\nappsdeck    17  2.1  9.8 puma\n");
    s.exit(app)
}

/// A short interactive session: `command`, its `output` chunks, then `exit`.
pub fn short(app: &str, start_secs: i64, command: &str, output: &[&str]) -> String {
    let mut s = Session::new(start_secs);
    s.banner(app);
    s.echo(app, command);
    for chunk in output {
        s.push("output", chunk, 250);
    }
    s.output("\n");
    s.exit(app)
}

/// A detached one-off: output only, nobody typed anything.
pub fn detached(start_secs: i64) -> String {
    let mut s = Session::new(start_secs);
    for i in 1..=5 {
        s.push("output", &format!("[sync] exported batch {i}/5\n"), 400);
    }
    s.output("\u{1b}[32mexport finished\u{1b}[0m\n");
    s.finish()
}

/// About 50,000 entries of a noisy script: shared by every server in the process, built once.
pub fn long_session() -> Arc<str> {
    static LONG: OnceLock<Arc<str>> = OnceLock::new();
    LONG.get_or_init(|| {
        let mut rng = Rng::new(0x5ca1_1ab1e);
        let app = "example-app";
        // A fixed start keeps the session identical from one run to the next.
        let mut s = Session::new(1_700_000_000);
        s.banner(app);
        s.echo(app, "bin/rails runner scripts/reindex.rb");
        while s.entries.len() < LONG_SESSION_EVENTS - 3 {
            let n = s.entries.len();
            let content = match rng.below(10) {
                0 => format!("\r\u{1b}[K\u{1b}[36mreindexing\u{1b}[0m {}%", n % 100),
                1 => format!(
                    "\u{1b}[33mWARN\u{1b}[0m slow document {n} ({} ms)\n",
                    rng.below(900) + 100
                ),
                2 => format!(
                    "\u{1b}[38;5;{}mshard {}\u{1b}[0m ok\n",
                    rng.below(256),
                    rng.below(64)
                ),
                _ => format!("indexed document {n} in {} ms\n", rng.below(40)),
            };
            s.push("output", &content, 1);
        }
        Arc::from(s.exit(app))
    })
    .clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_generated_session_is_a_json_array_of_entries() {
        for session in [
            migration("a", 0),
            full_screen("a", 0),
            operator("a", 0),
            terminal_replies("a", 0),
            detached(0),
            short("a", 0, "true", &["ok\n"]),
            SEED_SESSION.to_string(),
        ] {
            let v: Value = serde_json::from_str(&session).expect("valid JSON");
            let entries = v.as_array().expect("an array");
            assert!(entries
                .iter()
                .all(|e| e["type"] == "input" || e["type"] == "output"));
        }
    }

    #[test]
    fn the_long_session_has_about_fifty_thousand_entries() {
        let v: Value = serde_json::from_str(&long_session()).expect("valid JSON");
        assert_eq!(v.as_array().map(Vec::len), Some(LONG_SESSION_EVENTS));
    }
}
