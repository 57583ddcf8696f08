//! ANSI SGR styling shared by the log viewer and the audit terminal.
//!
//! Colours become CSS classes (`sld-fg-N`, `sld-bg-N`, defined in `style/ansi.css`), never
//! `style` attributes, so a strict `style-src 'self'` policy holds. True colour is mapped to
//! the nearest entry of the xterm 256-colour palette: exact RGB would need inline styles or
//! one generated rule per colour, and the nearest of 256 is indistinguishable in logs.

/// A foreground or background colour.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Color {
    /// The theme's default.
    #[default]
    Default,
    /// An entry of the 256-colour palette (0–15 are the themable basic colours).
    Indexed(u8),
}

/// The graphic rendition of a run of text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Style {
    /// Foreground colour.
    pub fg: Color,
    /// Background colour.
    pub bg: Color,
    /// Bold (SGR 1).
    pub bold: bool,
    /// Faint (SGR 2).
    pub dim: bool,
    /// Italic (SGR 3).
    pub italic: bool,
    /// Underlined (SGR 4, 21).
    pub underline: bool,
    /// Blinking (SGR 5, 6); shown as-is, blinking is not rendered.
    pub blink: bool,
    /// Foreground and background swapped (SGR 7).
    pub inverse: bool,
    /// Concealed (SGR 8).
    pub hidden: bool,
    /// Crossed out (SGR 9).
    pub strike: bool,
}

impl Style {
    /// Whether this is the default rendition (no span needed).
    pub fn is_default(&self) -> bool {
        *self == Style::default()
    }

    /// Applies the parameters of one `CSI … m` sequence. An empty list resets, as `CSI m` does.
    /// Unknown or truncated parameters are ignored, never fatal.
    pub fn apply_sgr(&mut self, params: &[u16]) {
        if params.is_empty() {
            *self = Style::default();
            return;
        }
        let mut i = 0;
        while i < params.len() {
            let p = params[i];
            match p {
                0 => *self = Style::default(),
                1 => self.bold = true,
                2 => self.dim = true,
                3 => self.italic = true,
                4 | 21 => self.underline = true,
                5 | 6 => self.blink = true,
                7 => self.inverse = true,
                8 => self.hidden = true,
                9 => self.strike = true,
                22 => {
                    self.bold = false;
                    self.dim = false;
                }
                23 => self.italic = false,
                24 => self.underline = false,
                25 => self.blink = false,
                27 => self.inverse = false,
                28 => self.hidden = false,
                29 => self.strike = false,
                30..=37 => self.fg = Color::Indexed((p - 30) as u8),
                39 => self.fg = Color::Default,
                40..=47 => self.bg = Color::Indexed((p - 40) as u8),
                49 => self.bg = Color::Default,
                90..=97 => self.fg = Color::Indexed((p - 90 + 8) as u8),
                100..=107 => self.bg = Color::Indexed((p - 100 + 8) as u8),
                38 | 48 => {
                    let (color, used) = extended_color(&params[i + 1..]);
                    if let Some(color) = color {
                        if p == 38 {
                            self.fg = color;
                        } else {
                            self.bg = color;
                        }
                    }
                    i += used;
                }
                _ => {}
            }
            i += 1;
        }
    }

    /// The CSS classes of this rendition, space-separated (empty for the default).
    /// Inverse is resolved here, so renderers need not know about it.
    pub fn classes(&self) -> String {
        let mut out = String::new();
        let mut push = |class: &str| {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(class);
        };
        let (fg, bg) = if self.inverse {
            (self.bg, self.fg)
        } else {
            (self.fg, self.bg)
        };
        match (fg, self.inverse) {
            (Color::Indexed(n), _) => push(&format!("sld-fg-{n}")),
            // Inverse with the default background as foreground.
            (Color::Default, true) => push("sld-fg-inv"),
            (Color::Default, false) => {}
        }
        match (bg, self.inverse) {
            (Color::Indexed(n), _) => push(&format!("sld-bg-{n}")),
            (Color::Default, true) => push("sld-bg-inv"),
            (Color::Default, false) => {}
        }
        for (on, class) in [
            (self.bold, "sld-bold"),
            (self.dim, "sld-dim"),
            (self.italic, "sld-italic"),
            (self.underline, "sld-underline"),
            (self.hidden, "sld-hidden"),
            (self.strike, "sld-strike"),
        ] {
            if on {
                push(class);
            }
        }
        out
    }
}

/// Reads `5;N` or `2;R;G;B` after a 38/48; returns the colour and how many params it used.
fn extended_color(rest: &[u16]) -> (Option<Color>, usize) {
    match rest {
        [5, n, ..] => (u8::try_from(*n).ok().map(Color::Indexed), 2),
        [2, r, g, b, ..] => {
            let channel = |v: u16| u8::try_from(v).unwrap_or(255);
            (
                Some(Color::Indexed(nearest_256(
                    channel(*r),
                    channel(*g),
                    channel(*b),
                ))),
                4,
            )
        }
        // Truncated or unknown forms consume what is there, so the rest is not misread.
        [5] => (None, 1),
        [2, ..] => (None, rest.len().min(4)),
        _ => (None, 0),
    }
}

const CUBE_LEVELS: [u8; 6] = [0, 95, 135, 175, 215, 255];

/// The palette entry (16–255) nearest to an RGB colour: the 6×6×6 cube or the grey ramp.
pub fn nearest_256(r: u8, g: u8, b: u8) -> u8 {
    let level = |v: u8| -> usize {
        CUBE_LEVELS
            .iter()
            .enumerate()
            .min_by_key(|(_, l)| (i32::from(**l) - i32::from(v)).abs())
            .map(|(i, _)| i)
            .unwrap_or(0)
    };
    let (ri, gi, bi) = (level(r), level(g), level(b));
    let cube = (CUBE_LEVELS[ri], CUBE_LEVELS[gi], CUBE_LEVELS[bi]);
    let cube_index = 16 + 36 * ri + 6 * gi + bi;
    let avg = (u32::from(r) + u32::from(g) + u32::from(b)) / 3;
    let grey_step = ((avg.saturating_sub(8)) / 10).min(23);
    let grey = (8 + 10 * grey_step) as u8;
    let dist = |(cr, cg, cb): (u8, u8, u8)| {
        let d = |a: u8, b: u8| (i32::from(a) - i32::from(b)).pow(2);
        d(cr, r) + d(cg, g) + d(cb, b)
    };
    if dist((grey, grey, grey)) < dist(cube) {
        (232 + grey_step) as u8
    } else {
        cube_index as u8
    }
}

/// The RGB value of palette entries 16–255 (0–15 are themable and live in CSS variables).
pub fn palette_rgb(index: u8) -> (u8, u8, u8) {
    match index {
        16..=231 => {
            let i = usize::from(index - 16);
            (
                CUBE_LEVELS[i / 36],
                CUBE_LEVELS[(i / 6) % 6],
                CUBE_LEVELS[i % 6],
            )
        }
        232..=255 => {
            let v = 8 + 10 * (index - 232);
            (v, v, v)
        }
        _ => (0, 0, 0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn styled(params: &[u16]) -> Style {
        let mut s = Style::default();
        s.apply_sgr(params);
        s
    }

    #[test]
    fn the_seed_prompt_colours_map_to_bold_bright_blue() {
        // `\x1b[1;49;94m` from the audit log seed.
        let s = styled(&[1, 49, 94]);
        assert_eq!(s.classes(), "sld-fg-12 sld-bold");
    }

    #[test]
    fn reset_and_empty_parameters_restore_the_default() {
        let mut s = styled(&[1, 31, 44]);
        s.apply_sgr(&[]);
        assert!(s.is_default());
        let mut s = styled(&[3, 4]);
        s.apply_sgr(&[0]);
        assert!(s.is_default());
    }

    #[test]
    fn indexed_and_true_colours_become_palette_classes() {
        assert_eq!(styled(&[38, 5, 208]).classes(), "sld-fg-208");
        assert_eq!(styled(&[48, 2, 255, 0, 0]).classes(), "sld-bg-196");
        assert_eq!(styled(&[38, 2, 128, 128, 128]).classes(), "sld-fg-244");
        // A truncated extended colour is ignored and does not eat the next parameter.
        assert_eq!(styled(&[38, 5]).fg, Color::Default);
        assert!(styled(&[38, 2, 1, 1, 1, 4]).underline);
    }

    #[test]
    fn inverse_swaps_colours_including_defaults() {
        assert_eq!(styled(&[7]).classes(), "sld-fg-inv sld-bg-inv");
        assert_eq!(styled(&[31, 7]).classes(), "sld-fg-inv sld-bg-1");
    }

    #[test]
    fn attributes_turn_off_individually() {
        let mut s = styled(&[1, 2, 3, 4, 9]);
        s.apply_sgr(&[22, 23, 24, 29]);
        assert!(s.is_default());
    }

    #[test]
    fn out_of_range_parameters_are_ignored() {
        assert!(styled(&[65535, 38, 5, 999]).is_default());
    }

    #[test]
    fn nearest_palette_entries_round_trip_for_palette_colours() {
        for index in 16..=255u8 {
            let (r, g, b) = palette_rgb(index);
            assert_eq!(
                palette_rgb(nearest_256(r, g, b)),
                (r, g, b),
                "index {index}"
            );
        }
    }

    #[test]
    fn the_stylesheet_defines_every_class_the_code_emits() {
        let css = include_str!("../style/ansi.css");
        for n in 0..=255 {
            assert!(
                css.contains(&format!(".sld-fg-{n} ")),
                "missing .sld-fg-{n}"
            );
            assert!(
                css.contains(&format!(".sld-bg-{n} ")),
                "missing .sld-bg-{n}"
            );
        }
        for class in [
            "sld-fg-inv",
            "sld-bg-inv",
            "sld-bold",
            "sld-dim",
            "sld-italic",
            "sld-underline",
            "sld-hidden",
            "sld-strike",
        ] {
            assert!(css.contains(&format!(".{class} ")), "missing .{class}");
        }
    }
}
