//! The one place where untrusted text becomes HTML.
//!
//! Log lines, audit output, server messages and drain URLs may be hostile. Anything that
//! renders them as markup (ANSI colours, search highlights, links) builds a [`SafeHtml`],
//! which can only be made of escaped text and fixed tags with sanitised class names, and
//! views insert nothing else with `inner_html`. Plain text goes through Leptos text nodes,
//! which are inert by construction.

/// Markup built only from escaped text and fixed tags; safe for `inner_html`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SafeHtml(String);

/// The tags `SafeHtml` may contain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tag {
    /// `<span>`, for styled runs.
    Span,
    /// `<mark>`, for search matches.
    Mark,
}

impl Tag {
    fn name(self) -> &'static str {
        match self {
            Tag::Span => "span",
            Tag::Mark => "mark",
        }
    }
}

impl SafeHtml {
    /// Empty markup.
    pub fn new() -> Self {
        Self::default()
    }

    /// Escaped `text` as markup.
    pub fn text(text: &str) -> Self {
        let mut html = Self::new();
        html.push_text(text);
        html
    }

    /// Appends `text`, escaped.
    pub fn push_text(&mut self, text: &str) {
        escape_into(&mut self.0, text);
    }

    /// Opens `tag` with the given classes; characters outside `[A-Za-z0-9_-]` are dropped
    /// from class names, so not even a bug upstream can break out of the attribute.
    pub fn open<'a>(&mut self, tag: Tag, classes: impl IntoIterator<Item = &'a str>) {
        self.0.push('<');
        self.0.push_str(tag.name());
        let mut first = true;
        let allowed = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
        for class in classes {
            if !class.chars().any(allowed) {
                continue;
            }
            self.0.push_str(if first { " class=\"" } else { " " });
            // Our own class names are already clean: copy them whole, filter the others.
            if class.chars().all(allowed) {
                self.0.push_str(class);
            } else {
                self.0.extend(class.chars().filter(|c| allowed(*c)));
            }
            first = false;
        }
        if !first {
            self.0.push('"');
        }
        self.0.push('>');
    }

    /// Closes `tag`.
    pub fn close(&mut self, tag: Tag) {
        self.0.push_str("</");
        self.0.push_str(tag.name());
        self.0.push('>');
    }

    /// Whether `href` is an `http://` or `https://` URL (scheme in any case): the only
    /// targets that become links. `javascript:`, `data:` and every other scheme stay text.
    pub fn is_web_url(href: &str) -> bool {
        let lower = href.get(..8).unwrap_or(href).to_ascii_lowercase();
        lower.starts_with("http://") || lower.starts_with("https://")
    }

    /// Opens a link to `href` if it is a web URL ([`SafeHtml::is_web_url`]) and says
    /// whether it did; close it with [`SafeHtml::close_link`]. The target is escaped here,
    /// the one place hrefs are written. Links open in a new tab without giving it a handle
    /// on this page.
    pub fn open_link(&mut self, href: &str) -> bool {
        if !Self::is_web_url(href) {
            return false;
        }
        self.0.push_str("<a href=\"");
        escape_into(&mut self.0, href);
        self.0
            .push_str("\" target=\"_blank\" rel=\"noopener noreferrer\">");
        true
    }

    /// Closes a link that [`SafeHtml::open_link`] opened.
    pub fn close_link(&mut self) {
        self.0.push_str("</a>");
    }

    /// Appends a link to `href` if it is an `http`/`https` URL, else the text alone.
    pub fn push_link(&mut self, href: &str, text: &str) {
        let opened = self.open_link(href);
        escape_into(&mut self.0, text);
        if opened {
            self.close_link();
        }
    }

    /// Appends other safe markup.
    pub fn push_html(&mut self, other: &SafeHtml) {
        self.0.push_str(&other.0);
    }

    /// The markup.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The markup, owned.
    pub fn into_string(self) -> String {
        self.0
    }
}

/// Appends `text` to `out` with `& < > " '` escaped, so it is inert in text and attributes.
///
/// Runs of ordinary characters are copied whole: a log line is mostly such a run, and this
/// is on the hot path of the log viewer and the audit terminal.
pub fn escape_into(out: &mut String, text: &str) {
    out.reserve(text.len());
    let mut start = 0;
    // The five special characters are ASCII, so a byte index found here is always a char
    // boundary of `text`.
    for (i, b) in text.bytes().enumerate() {
        let entity = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => continue,
        };
        out.push_str(&text[start..i]);
        out.push_str(entity);
        start = i + 1;
    }
    out.push_str(&text[start..]);
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn hostile_text_is_escaped() {
        let html = SafeHtml::text(r#"<script>alert(1)</script><img src=x onerror="alert('x')">&"#);
        assert_eq!(
            html.as_str(),
            "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=&quot;alert(&#39;x&#39;)&quot;&gt;&amp;"
        );
    }

    #[test]
    fn class_names_cannot_break_out_of_their_attribute() {
        let mut html = SafeHtml::new();
        html.open(Tag::Span, ["ok", "\" onclick=\"x", ""]);
        html.close(Tag::Span);
        assert_eq!(html.as_str(), r#"<span class="ok onclickx"></span>"#);
    }

    #[test]
    fn only_http_links_become_anchors() {
        let mut html = SafeHtml::new();
        html.push_link("javascript:alert(1)", "click");
        html.push_link("https://example.com/?a=\"b\"", "site");
        assert_eq!(
            html.as_str(),
            "click<a href=\"https://example.com/?a=&quot;b&quot;\" target=\"_blank\" rel=\"noopener noreferrer\">site</a>"
        );
    }

    #[test]
    fn hostile_link_targets_stay_text_or_stay_inside_the_attribute() {
        for href in [
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            " javascript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "vbscript:x",
            "file:///etc/passwd",
            "//evil.example/x",
            "",
        ] {
            let mut html = SafeHtml::new();
            assert!(!html.open_link(href), "{href}");
            assert_eq!(html.as_str(), "", "{href}");
        }
        let mut html = SafeHtml::new();
        assert!(html.open_link("HTTPS://x.example/\"><script>alert('1')</script>"));
        html.close_link();
        assert_eq!(
            html.as_str(),
            "<a href=\"HTTPS://x.example/&quot;&gt;&lt;script&gt;alert(&#39;1&#39;)&lt;/script&gt;\" target=\"_blank\" rel=\"noopener noreferrer\"></a>"
        );
    }

    proptest! {
        #[test]
        fn escaping_agrees_with_a_character_by_character_reference(text in ".*") {
            let reference: String = text
                .chars()
                .map(|c| match c {
                    '&' => "&amp;".to_owned(),
                    '<' => "&lt;".to_owned(),
                    '>' => "&gt;".to_owned(),
                    '"' => "&quot;".to_owned(),
                    '\'' => "&#39;".to_owned(),
                    c => c.to_string(),
                })
                .collect();
            let html = SafeHtml::text(&text);
            prop_assert_eq!(html.as_str(), reference.as_str());
        }

        #[test]
        fn no_angle_bracket_or_quote_from_the_input_survives(text in ".*") {
            let html = SafeHtml::text(&text);
            prop_assert!(!html.as_str().contains('<'));
            prop_assert!(!html.as_str().contains('>'));
            prop_assert!(!html.as_str().contains('"'));
        }
    }
}
