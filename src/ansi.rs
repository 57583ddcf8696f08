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

/// How text is underlined: SGR 4 and its sub-parameter (`4:0` … `4:5`, the form kitty,
/// VTE and iTerm2 use), and SGR 21 (ECMA-48: doubly underlined).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Underline {
    /// Not underlined (SGR 24, `4:0`).
    #[default]
    None,
    /// A single line (SGR 4, `4:1`).
    Single,
    /// Two lines (SGR 21, `4:2`).
    Double,
    /// A wavy line (`4:3`).
    Curly,
    /// A dotted line (`4:4`).
    Dotted,
    /// A dashed line (`4:5`).
    Dashed,
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
    /// Underline and its style (SGR 4, `4:n`, 21).
    pub underline: Underline,
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

    /// Applies the parameters of one `CSI … m` sequence written with semicolons only, one
    /// number per parameter (`[1, 38, 5, 208]` for `CSI 1;38;5;208 m`). An empty list
    /// resets, as `CSI m` does. Unknown or truncated parameters are ignored, never fatal.
    pub fn apply_sgr(&mut self, params: &[u16]) {
        if params.is_empty() {
            *self = Style::default();
            return;
        }
        self.apply_sgr_params(params.chunks(1));
    }

    /// Applies the parameters of one `CSI … m` sequence as ECMA-48 (5.4.2) structures
    /// them: each item is one parameter, its value first and then its sub-parameters (the
    /// colon-separated parts; an empty part reads 0), as the `vte` parser's `Params`
    /// yields them. `CSI 38:2::255:128:0 m` is `[[38, 2, 0, 255, 128, 0]]`, `CSI 1;31 m` is
    /// `[[1], [31]]`.
    ///
    /// Both forms of the extended colours (38 foreground, 48 background, 58 underline) are
    /// read: ITU T.416's colon form `38:5:N`, `38:2:ID:R:G:B` (and the common `38:2:R:G:B`
    /// without the colour space), and xterm's semicolon form `38;5;N`, `38;2;R;G;B`, which
    /// spreads one colour over several parameters. A parameter with sub-parameters that
    /// its code does not define (`1:2`) is ignored whole, as are unknown codes and
    /// truncated colours; none of them changes how the parameters after it are read.
    /// Underline colours are read (so their parameters are consumed) but not shown.
    pub fn apply_sgr_params<'a>(&mut self, params: impl IntoIterator<Item = &'a [u16]>) {
        let mut params = params.into_iter();
        while let Some(param) = params.next() {
            let Some((&code, sub)) = param.split_first() else {
                continue;
            };
            let extended = matches!(code, 38 | 48 | 58);
            if !sub.is_empty() && !extended && code != 4 {
                continue;
            }
            match code {
                0 => *self = Style::default(),
                1 => self.bold = true,
                2 => self.dim = true,
                3 => self.italic = true,
                4 => {
                    self.underline = match sub.first() {
                        None | Some(1) => Underline::Single,
                        Some(0) => Underline::None,
                        Some(2) => Underline::Double,
                        Some(3) => Underline::Curly,
                        Some(4) => Underline::Dotted,
                        Some(5) => Underline::Dashed,
                        Some(_) => self.underline,
                    }
                }
                5 | 6 => self.blink = true,
                7 => self.inverse = true,
                8 => self.hidden = true,
                9 => self.strike = true,
                21 => self.underline = Underline::Double,
                22 => {
                    self.bold = false;
                    self.dim = false;
                }
                23 => self.italic = false,
                24 => self.underline = Underline::None,
                25 => self.blink = false,
                27 => self.inverse = false,
                28 => self.hidden = false,
                29 => self.strike = false,
                30..=37 => self.fg = Color::Indexed((code - 30) as u8),
                39 => self.fg = Color::Default,
                40..=47 => self.bg = Color::Indexed((code - 40) as u8),
                49 => self.bg = Color::Default,
                90..=97 => self.fg = Color::Indexed((code - 90 + 8) as u8),
                100..=107 => self.bg = Color::Indexed((code - 100 + 8) as u8),
                38 | 48 | 58 => {
                    let color = if sub.is_empty() {
                        semicolon_color(&mut params)
                    } else {
                        colon_color(sub)
                    };
                    match (code, color) {
                        (38, Some(c)) => self.fg = c,
                        (48, Some(c)) => self.bg = c,
                        _ => {}
                    }
                }
                _ => {}
            }
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
            (self.underline != Underline::None, "sld-underline"),
            (self.underline == Underline::Double, "sld-underline-double"),
            (self.underline == Underline::Curly, "sld-underline-curly"),
            (self.underline == Underline::Dotted, "sld-underline-dotted"),
            (self.underline == Underline::Dashed, "sld-underline-dashed"),
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

/// The colour of a colon-form 38/48/58, from its sub-parameters: `5:N`, `2:ID:R:G:B[:…]`
/// (ITU T.416, where ID is the colour space and may be empty) or `2:R:G:B`. Other colour
/// models (CMY, CMYK, transparent) and truncated forms give `None`.
fn colon_color(sub: &[u16]) -> Option<Color> {
    match sub {
        [5, n, ..] => indexed(*n),
        [2, _, r, g, b, ..] | [2, r, g, b] => Some(rgb(*r, *g, *b)),
        _ => None,
    }
}

/// The colour of a semicolon-form 38/48/58, reading `5;N` or `2;R;G;B` from the following
/// parameters. It takes only as many as the form needs, so a truncated colour cannot eat
/// more than its own share; an unknown model takes just its selector.
fn semicolon_color<'a>(params: &mut impl Iterator<Item = &'a [u16]>) -> Option<Color> {
    let mut value = || params.next().map(|p| p.first().copied().unwrap_or(0));
    match value()? {
        5 => indexed(value()?),
        2 => {
            let (r, g, b) = (value(), value(), value());
            Some(rgb(r?, g?, b?))
        }
        _ => None,
    }
}

fn indexed(n: u16) -> Option<Color> {
    u8::try_from(n).ok().map(Color::Indexed)
}

/// True colour as its nearest palette entry (see the module comment); channels over 255
/// are read as 255.
fn rgb(r: u16, g: u16, b: u16) -> Color {
    let channel = |v: u16| u8::try_from(v).unwrap_or(255);
    Color::Indexed(nearest_256(channel(r), channel(g), channel(b)))
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
        assert_eq!(styled(&[38, 2, 1, 1, 1, 4]).underline, Underline::Single);
    }

    /// The style that `CSI params m` sets, with `params` split as ECMA-48 does: `;`
    /// between parameters, `:` between a parameter's parts, an empty part read as 0.
    fn sgr(params: &str) -> Style {
        let groups: Vec<Vec<u16>> = params
            .split(';')
            .map(|p| p.split(':').map(|v| v.parse().unwrap_or(0)).collect())
            .collect();
        let mut s = Style::default();
        s.apply_sgr_params(groups.iter().map(Vec::as_slice));
        s
    }

    #[test]
    fn colon_form_extended_colours_follow_itu_t416() {
        // With an empty colour space, with a colour space id, and without one.
        assert_eq!(sgr("38:2::255:128:0").fg, sgr("38;2;255;128;0").fg);
        assert_eq!(
            sgr("38:2::255:128:0").fg,
            Color::Indexed(nearest_256(255, 128, 0))
        );
        assert_eq!(sgr("38:2:1:255:0:0").fg, Color::Indexed(196));
        assert_eq!(sgr("48:2:255:0:0").bg, Color::Indexed(196));
        // Trailing T.416 parts (unused, tolerance, tolerance space) are allowed.
        assert_eq!(sgr("48:2::0:0:255:0:0:0").bg, Color::Indexed(21));
        assert_eq!(sgr("38:5:208").fg, Color::Indexed(208));
        assert_eq!(sgr("48:5:17").bg, Color::Indexed(17));
        // Colon forms are one parameter: what follows is read as usual.
        let s = sgr("38:5:208;1;48:2::0:0:0;4");
        assert_eq!(s.classes(), "sld-fg-208 sld-bg-16 sld-bold sld-underline");
    }

    #[test]
    fn malformed_colon_colours_are_ignored_without_disturbing_their_neighbours() {
        for params in [
            "38:2:1:2",
            "38:5",
            "38:3:0:1:2:3",
            "38:4:0:1:2:3:4",
            "38:5:300",
            "38:9",
        ] {
            let s = sgr(&format!("1;{params};3"));
            assert_eq!(s.fg, Color::Default, "{params}");
            assert!(s.bold && s.italic, "{params}");
        }
        // A code that defines no sub-parameters is ignored whole with them.
        assert!(!sgr("1:2").bold);
        assert!(sgr("1:2;3").italic);
    }

    #[test]
    fn underline_colours_are_consumed_in_both_forms_and_not_shown() {
        let s = sgr("58;2;255;0;0;31");
        assert_eq!(s.fg, Color::Indexed(1));
        assert_eq!(s.classes(), "sld-fg-1");
        assert_eq!(sgr("58;5;9;32").fg, Color::Indexed(2));
        assert_eq!(sgr("58:2::255:0:0;33").fg, Color::Indexed(3));
    }

    #[test]
    fn underline_styles_come_from_the_sub_parameter() {
        assert_eq!(sgr("4").underline, Underline::Single);
        assert_eq!(sgr("4:1").underline, Underline::Single);
        assert_eq!(sgr("4:2").underline, Underline::Double);
        assert_eq!(sgr("21").underline, Underline::Double);
        assert_eq!(sgr("4:3").underline, Underline::Curly);
        assert_eq!(sgr("4:4").underline, Underline::Dotted);
        assert_eq!(sgr("4:5").underline, Underline::Dashed);
        assert_eq!(sgr("4:3;4:0").underline, Underline::None);
        assert_eq!(sgr("4:3;24").underline, Underline::None);
        // An unknown style keeps what was there.
        assert_eq!(sgr("4:2;4:9").underline, Underline::Double);
        assert_eq!(sgr("4:3").classes(), "sld-underline sld-underline-curly");
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
            "sld-underline-double",
            "sld-underline-curly",
            "sld-underline-dotted",
            "sld-underline-dashed",
            "sld-hidden",
            "sld-strike",
        ] {
            assert!(css.contains(&format!(".{class} ")), "missing .{class}");
        }
    }
}
