//! Reading JSON without a general-purpose parser: a reader that walks a text once, checks
//! it against JSON's grammar (RFC 8259) as it goes, and hands out the values it is asked for
//! as slices of the text, passing by the rest. Two hot paths stand on it: the audit log's
//! triage ([`crate::audit::quiet`]), which looks at a few fields of millions of events and
//! keeps almost none, and [`crate::json::parse`], which builds a value tree from it.
//!
//! The reader is strict where a full parser could differ: what it accepts, serde_json
//! accepts and reads the same. It refuses, rather than decides, what it would have to
//! interpret: `\u` escapes of surrogates, numbers with exponents or longer than
//! [`MAX_NUMBER`], nesting deeper than [`MAX_DEPTH`]; a caller that gets `None` reads the
//! text with serde_json instead, which says what, if anything, is wrong with it. One
//! leniency: a string's bytes are checked to be UTF-8 only when its value is asked for
//! ([`Raw::value`]) — the triage passes by strings it does not read, which
//! the full reading of a log would take with invalid UTF-8 as replacement characters anyway.
//!
//! Strings are scanned sixteen bytes at a time for their end ([`json_text::next_special`]).

use palisade_core::json_text;

/// Nesting beyond this is refused (serde_json's own limit is 128).
pub const MAX_DEPTH: u32 = 100;

/// Numbers longer than this are refused (a float of 310 digits is out of range).
pub const MAX_NUMBER: usize = 300;

/// A position in a JSON text.
pub struct Skim<'a> {
    text: &'a [u8],
    /// The same text, when it is known to be UTF-8.
    checked: Option<&'a str>,
    /// Whether a line break ends the text (see [`Skim::line`]) rather than being whitespace.
    line: bool,
    at: usize,
    depth: u32,
}

/// A value that is neither a string nor a container.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Atom<'a> {
    Null,
    Bool(bool),
    /// A number as it is written (no exponent: those are refused).
    Number(&'a str),
}

/// A string as it stands in the text, between its quotes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Raw<'a> {
    /// The bytes between the quotes, escapes as written.
    pub text: &'a [u8],
    /// The same, when the text was known to be UTF-8.
    pub checked: Option<&'a str>,
    /// Whether it holds a backslash escape (so `text` is not yet its value).
    pub escaped: bool,
}

impl<'a> Raw<'a> {
    /// The string's bytes, when it has no escapes.
    pub fn plain_bytes(self) -> Option<&'a [u8]> {
        (!self.escaped).then_some(self.text)
    }

    fn str(self) -> Option<&'a str> {
        self.checked.or_else(|| std::str::from_utf8(self.text).ok())
    }

    /// The string's value (the reader has checked its escapes; surrogates are refused
    /// there).
    pub fn value(self) -> Option<String> {
        let text = self.str()?;
        if !self.escaped {
            return Some(text.to_string());
        }
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(at) = rest.find('\\') {
            out.push_str(&rest[..at]);
            let escape = rest.as_bytes().get(at + 1)?;
            rest = &rest[at + 2..];
            out.push(match escape {
                b'"' => '"',
                b'\\' => '\\',
                b'/' => '/',
                b'b' => '\u{8}',
                b'f' => '\u{c}',
                b'n' => '\n',
                b'r' => '\r',
                b't' => '\t',
                b'u' => {
                    let unit = u32::from_str_radix(rest.get(..4)?, 16).ok()?;
                    rest = &rest[4..];
                    char::from_u32(unit)?
                }
                _ => return None,
            });
        }
        out.push_str(rest);
        Some(out)
    }
}

impl<'a> Skim<'a> {
    /// A reader at the start of `text`.
    pub fn new(text: &'a [u8]) -> Self {
        Skim { text, checked: None, line: false, at: 0, depth: 0 }
    }

    /// A reader at the start of the first line of `text` (what follows it may be incomplete):
    /// a line break is not whitespace but where the line ends ([`Skim::line_end`]).
    pub fn line(text: &'a [u8]) -> Self {
        Skim { line: true, ..Skim::new(text) }
    }

    /// A reader at the start of `text`, whose strings need no checking as UTF-8.
    pub fn of_str(text: &'a str) -> Self {
        Skim { checked: Some(text), ..Skim::new(text.as_bytes()) }
    }

    fn bytes(&self) -> &'a [u8] {
        self.text
    }

    /// The next byte that is not whitespace (the reader moved to it), if any.
    fn next(&mut self) -> Option<u8> {
        let bytes = self.bytes();
        loop {
            match *bytes.get(self.at)? {
                b' ' | b'\t' | b'\r' => self.at += 1,
                b'\n' if !self.line => self.at += 1,
                b => return Some(b),
            }
        }
    }

    /// Whether the text is all read (whitespace aside).
    pub fn at_end(&mut self) -> bool {
        self.next().is_none()
    }

    /// Where the next line starts, if only whitespace is left of this one.
    pub fn line_end(&mut self) -> Option<usize> {
        (self.next()? == b'\n').then_some(self.at + 1)
    }

    fn expect(&mut self, byte: u8) -> Option<()> {
        (self.next()? == byte).then(|| self.at += 1)
    }

    /// The next value if it is `null` (consumed), else nothing consumed.
    pub fn null(&mut self) -> bool {
        self.next() == Some(b'n') && self.atom() == Some(Atom::Null)
    }

    /// A string.
    #[inline]
    pub fn string(&mut self) -> Option<Raw<'a>> {
        self.expect(b'"')?;
        self.string_body()
    }

    /// The rest of a string, the reader past its opening quote.
    #[inline(always)]
    fn string_body(&mut self) -> Option<Raw<'a>> {
        let bytes = self.bytes();
        let start = self.at;
        let mut escaped = false;
        loop {
            self.at = json_text::next_special(bytes, self.at);
            match *bytes.get(self.at)? {
                b'"' => {
                    self.at += 1;
                    let (end, checked) = (self.at - 1, self.checked);
                    return Some(Raw { text: &bytes[start..end], checked: checked.and_then(|t| t.get(start..end)), escaped });
                }
                b'\\' => {
                    escaped = true;
                    self.at += 1;
                    match *bytes.get(self.at)? {
                        b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => self.at += 1,
                        b'u' => {
                            let hex = bytes.get(self.at + 1..self.at + 5)?;
                            let unit = hex.iter().try_fold(0u16, |n, &b| (b as char).to_digit(16).map(|d| n * 16 + d as u16))?;
                            // Surrogate pairs are left to a full parser.
                            if (0xD800..0xE000).contains(&unit) {
                                return None;
                            }
                            self.at += 5;
                        }
                        _ => return None,
                    }
                }
                // A control character.
                _ => return None,
            }
        }
    }

    /// An integer; `None` for any other value, a number with a fraction or exponent
    /// included.
    pub fn integer(&mut self) -> Option<i64> {
        match self.atom()? {
            Atom::Number(n) => n.parse().ok(),
            _ => None,
        }
    }

    /// The first byte of the next value (whitespace passed by), nothing consumed: `"`, `{`,
    /// `[`, or that of an [`Atom`].
    pub fn peek(&mut self) -> Option<u8> {
        self.next()
    }

    /// A value that is neither a string nor a container.
    pub fn atom(&mut self) -> Option<Atom<'a>> {
        let atom = match self.next()? {
            b'-' | b'0'..=b'9' => return self.number_text().map(Atom::Number),
            b't' => Atom::Bool(true),
            b'f' => Atom::Bool(false),
            b'n' => Atom::Null,
            _ => return None,
        };
        let word: &[u8] = match atom {
            Atom::Bool(true) => b"true",
            Atom::Bool(false) => b"false",
            _ => b"null",
        };
        self.bytes()[self.at..].starts_with(word).then(|| self.at += word.len())?;
        Some(atom)
    }

    /// A number, as it is written.
    fn number_text(&mut self) -> Option<&'a str> {
        let start = self.at;
        self.number()?;
        std::str::from_utf8(&self.text[start..self.at]).ok()
    }

    fn number(&mut self) -> Option<()> {
        let bytes = self.bytes();
        let digits = |s: &mut Self| {
            let from = s.at;
            while bytes.get(s.at).is_some_and(u8::is_ascii_digit) {
                s.at += 1;
            }
            s.at - from
        };
        let start = self.at;
        if bytes.get(self.at) == Some(&b'-') {
            self.at += 1;
        }
        let whole = digits(self);
        if whole == 0 || (whole > 1 && bytes[self.at - whole] == b'0') {
            return None;
        }
        if bytes.get(self.at) == Some(&b'.') {
            self.at += 1;
            if digits(self) == 0 {
                return None;
            }
        }
        let refused = matches!(bytes.get(self.at), Some(b'e' | b'E')) || self.at - start > MAX_NUMBER;
        (!refused).then_some(())
    }

    /// Past one value of any kind, checking it.
    pub fn value(&mut self) -> Option<()> {
        match self.next()? {
            b'"' => {
                self.at += 1;
                self.string_body().map(drop)
            }
            b'{' => {
                self.at += 1;
                self.object_body(|_, s| s.value())
            }
            b'[' => {
                self.at += 1;
                self.array_body(|s| s.value())
            }
            _ => self.atom().map(drop),
        }
    }

    fn nest(&mut self) -> Option<()> {
        self.depth += 1;
        (self.depth <= MAX_DEPTH).then_some(())
    }

    /// An object, each member's value read by `member` (given the key), which must read
    /// exactly one value — [`Skim::value`] to pass it by.
    pub fn object(&mut self, member: impl FnMut(Raw<'a>, &mut Self) -> Option<()>) -> Option<()> {
        self.expect(b'{')?;
        self.object_body(member)
    }

    /// The rest of an object, the reader past its opening brace.
    #[inline(always)]
    fn object_body(&mut self, mut member: impl FnMut(Raw<'a>, &mut Self) -> Option<()>) -> Option<()> {
        self.nest()?;
        if self.next()? == b'}' {
            self.at += 1;
        } else {
            loop {
                let key = self.string()?;
                // Mostly right after the key.
                if self.bytes().get(self.at) == Some(&b':') {
                    self.at += 1;
                } else {
                    self.expect(b':')?;
                }
                member(key, self)?;
                match self.next()? {
                    b',' => self.at += 1,
                    b'}' => {
                        self.at += 1;
                        break;
                    }
                    _ => return None,
                }
            }
        }
        self.depth -= 1;
        Some(())
    }

    /// An array, each item read by `item`, which must read exactly one value.
    pub fn array(&mut self, item: impl FnMut(&mut Self) -> Option<()>) -> Option<()> {
        self.expect(b'[')?;
        self.array_body(item)
    }

    /// The rest of an array, the reader past its opening bracket.
    #[inline(always)]
    fn array_body(&mut self, mut item: impl FnMut(&mut Self) -> Option<()>) -> Option<()> {
        self.nest()?;
        if self.next()? == b']' {
            self.at += 1;
        } else {
            loop {
                item(self)?;
                match self.next()? {
                    b',' => self.at += 1,
                    b']' => {
                        self.at += 1;
                        break;
                    }
                    _ => return None,
                }
            }
        }
        self.depth -= 1;
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accepted(text: &str) -> bool {
        let mut s = Skim::new(text.as_bytes());
        s.value().is_some() && s.at_end()
    }

    #[test]
    fn accepts_only_what_a_full_parser_reads() {
        for good in [
            r#"{"a": [1, -2, 0.5, true, false, null, "x\"y\\z\/\n\u00e9"], "b": {}, "c": [], "é": "ü"}"#,
            r#"  {"long": "0123456789abcdefghijklmnopqrstuvwxyz0123456789"}  "#,
            "0",
            "-0.25",
            "\"\"",
        ] {
            assert!(accepted(good), "{good}");
            assert!(serde_json::from_str::<serde_json::Value>(good).is_ok(), "{good}");
        }
        for bad in [
            "{", "}", "{\"a\"}", "{\"a\":}", "{\"a\":1,}", "[1,]", "[1 2]", "01", "1.", "-", ".5", "+1", "tru", "nul",
            "\"a\tb\"", "\"\\x\"", "\"\\u12\"", "\"\\u12G4\"", "\"open", "{\"a\":1}}", "{'a':1}", "{\"a\":1 \"b\":2}",
        ] {
            assert!(!accepted(bad), "{bad}");
            assert!(serde_json::from_str::<serde_json::Value>(bad).is_err(), "{bad}");
        }
        // Left to a full parser: surrogate escapes, exponents, very long numbers, deep nesting.
        for refused in ["\"\\ud83d\\ude00\"", "1e5", &"9".repeat(301), &"[".repeat(101), &format!("{}{}", "[".repeat(101), "]".repeat(101))] {
            assert!(!accepted(refused), "{refused}");
        }
        assert!(accepted(&format!("{}{}", "[".repeat(100), "]".repeat(100))));
    }

    #[test]
    fn strings_stop_at_the_first_quote_backslash_or_control_character_in_any_lane() {
        for at in 0..20 {
            let plain = "x".repeat(at);
            let text = format!("\"{plain}\" ");
            let mut s = Skim::new(text.as_bytes());
            assert_eq!(s.string(), Some(Raw { text: plain.as_bytes(), checked: None, escaped: false }));
            assert_eq!(Skim::of_str(&text).string().and_then(|r| r.checked), Some(plain.as_str()));
            let text = format!("\"{plain}\\n{plain}\"");
            assert_eq!(Skim::new(text.as_bytes()).string().map(|r| r.escaped), Some(true));
            let text = format!("\"{plain}\u{1}{plain}\"");
            assert_eq!(Skim::new(text.as_bytes()).string(), None);
            // Bytes above 0x7f are plain characters.
            let text = format!("\"{plain}é\u{7f}{plain}\"");
            assert!(Skim::new(text.as_bytes()).string().is_some());
        }
    }

    #[test]
    fn a_line_ends_at_its_line_break() {
        let text = b" {\"a\": [1, 2]} \r\n{\"b\": 3}\n";
        let mut s = Skim::line(text);
        assert!(s.value().is_some());
        assert_eq!(s.line_end(), Some(17));
        assert_eq!(&text[17..], b"{\"b\": 3}\n");
        // A value broken over two lines is no value of one line; the whole text reads it.
        let broken = b"{\"a\":\n1}\n";
        assert!(Skim::line(broken).value().is_none());
        let mut s = Skim::new(broken);
        assert!(s.value().is_some() && s.at_end());
        // A last line without its line break.
        let mut s = Skim::line(b"{}");
        assert!(s.value().is_some());
        assert_eq!(s.line_end(), None);
    }

    #[test]
    fn members_are_handed_to_the_caller() {
        let mut seen = Vec::new();
        let mut s = Skim::new(br#"{"a": "x", "b": {"c": 7}, "d": [1]}"#);
        let read = s.object(|key, s| match key.plain_bytes()? {
            b"a" => s.string().map(|v| seen.push(v.value().unwrap())),
            b"b" => s.object(|_, s| s.integer().map(|i| seen.push(i.to_string()))),
            _ => s.value(),
        });
        assert!(read.is_some() && s.at_end());
        assert_eq!(seen, ["x", "7"]);
    }
}
