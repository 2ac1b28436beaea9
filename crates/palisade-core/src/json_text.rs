//! JSON string text, fast: finding the bytes a JSON string cannot hold as they are, sixteen
//! at a time, and writing a string with them escaped exactly as serde_json escapes them —
//! what reading a JSON text without a general parser (`palisade_source::skim`) and writing a
//! large report (`palisade_report::json`) spend most of their time on.

/// Which of sixteen bytes a JSON string cannot hold as they are — a quote, a backslash, a
/// control character — as a bit mask, bit *i* for byte *i*; exact for the lowest set bit,
/// which is all a caller reads.
#[cfg(target_arch = "x86_64")]
fn specials(chunk: &[u8; 16]) -> u32 {
    use std::arch::x86_64::*;
    // SAFETY: SSE2 is part of x86_64; the load reads the 16 bytes of `chunk`.
    unsafe {
        let v = _mm_loadu_si128(chunk.as_ptr() as *const __m128i);
        let quote = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'"' as i8));
        let backslash = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\\' as i8));
        // Bytes below 0x20: those the saturating subtraction of 0x1f leaves at zero.
        let control = _mm_cmpeq_epi8(_mm_subs_epu8(v, _mm_set1_epi8(0x1f)), _mm_setzero_si128());
        _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(quote, backslash), control)) as u32
    }
}

/// (Eight bytes at a time in a word where there is no SSE2.)
#[cfg(not(target_arch = "x86_64"))]
fn specials(chunk: &[u8; 16]) -> u32 {
    specials_in_words(chunk)
}

/// [`specials`], eight bytes at a time in a word.
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
fn specials_in_words(chunk: &[u8; 16]) -> u32 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGHS;
    let word = |x: u64| zero(x ^ (ONES * b'"' as u64)) | zero(x ^ (ONES * b'\\' as u64)) | (x.wrapping_sub(ONES * 0x20) & !x & HIGHS);
    let bits = |w: u64| (0..8).fold(0u32, |m, i| m | ((((w >> (8 * i + 7)) & 1) as u32) << i));
    let (low, high) = chunk.split_at(8);
    let low = word(u64::from_le_bytes(low.try_into().unwrap_or_default()));
    if low != 0 {
        return bits(low);
    }
    bits(word(u64::from_le_bytes(high.try_into().unwrap_or_default()))) << 8
}

/// Where the next byte a JSON string cannot hold as it is — a quote, a backslash, a control
/// character — stands in `bytes`, at `from` or after; `bytes.len()` if there is none.
#[inline]
pub fn next_special(bytes: &[u8], mut from: usize) -> usize {
    while let Some(chunk) = bytes.get(from..from + 16).and_then(|c| <&[u8; 16]>::try_from(c).ok()) {
        let found = specials(chunk);
        if found != 0 {
            return from + found.trailing_zeros() as usize;
        }
        from += 16;
    }
    let rest = bytes.get(from..).unwrap_or_default();
    from + rest.iter().position(|b| matches!(b, b'"' | b'\\' | 0..=0x1f)).unwrap_or(rest.len())
}

/// Writes `s` as a JSON string, quotes included, escaped byte for byte as serde_json escapes
/// it: `\"`, `\\`, `\b`, `\f`, `\n`, `\r`, `\t`, other control characters as `\u00xx`,
/// everything else as it is.
pub fn write_string(out: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    let mut from = 0;
    loop {
        let mut at = next_special(bytes, from);
        out.extend_from_slice(&bytes[from..at]);
        let Some(&byte) = bytes.get(at) else { break };
        match byte {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x0c => out.extend_from_slice(b"\\f"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            _ => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.extend_from_slice(&[b'\\', b'u', b'0', b'0', HEX[(byte >> 4) as usize], HEX[(byte & 15) as usize]]);
            }
        }
        at += 1;
        from = at;
    }
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_ways_of_finding_specials_agree() {
        let mut chunk = [b'a'; 16];
        for at in 0..16 {
            for stop in [b'"', b'\\', 0x00, 0x1f, b'\n'] {
                for plain in [b' ', 0x7f, 0x80, 0xff, 0x20, b'!', b'#', b'[', b']'] {
                    chunk.fill(plain);
                    chunk[at] = stop;
                    // A second stop further on must not move the first.
                    chunk[15] = if at < 15 { b'"' } else { stop };
                    assert_eq!(specials(&chunk).trailing_zeros(), at as u32, "{chunk:?}");
                    assert_eq!(specials_in_words(&chunk).trailing_zeros(), at as u32, "{chunk:?}");
                }
            }
        }
        for plain in 0x20..=0xffu8 {
            if plain != b'"' && plain != b'\\' {
                assert_eq!((specials(&[plain; 16]), specials_in_words(&[plain; 16])), (0, 0), "{plain}");
            }
        }
    }

    #[test]
    fn the_next_special_byte_is_found_in_chunks_and_in_the_tail() {
        let text = format!("{}\"{}\\{}", "a".repeat(20), "b".repeat(3), "c".repeat(5));
        let bytes = text.as_bytes();
        assert_eq!(next_special(bytes, 0), 20);
        assert_eq!(next_special(bytes, 21), 24);
        assert_eq!(next_special(bytes, 25), bytes.len());
        assert_eq!(next_special(b"", 0), 0);
    }

    #[test]
    fn strings_are_written_as_serde_json_writes_them() {
        let mut samples: Vec<String> = vec![String::new(), "plain".into(), "a \"quoted\" \\ path/to".into(), "é 日本 😀 \u{7f}".into()];
        samples.push((0u8..0x20).map(char::from).collect());
        // Specials in every lane of a chunk, and runs longer than one.
        for at in 0..40 {
            samples.push(format!("{}\"{}", "x".repeat(at), "y".repeat(40 - at)));
            samples.push(format!("{}\u{1}\n{}", "é".repeat(at / 2), "z".repeat(at)));
        }
        for s in samples {
            let mut ours = Vec::new();
            write_string(&mut ours, &s);
            assert_eq!(String::from_utf8(ours).unwrap(), serde_json::to_string(&s).unwrap(), "{s:?}");
        }
    }
}
