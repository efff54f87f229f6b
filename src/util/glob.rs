//! Glob-style pattern matching with Redis `stringmatchlen` semantics
//! (util.c), used by KEYS, SCAN MATCH, PSUBSCRIBE, CONFIG GET, ACL key and
//! channel patterns, etc.
//!
//! Semantics reproduced (including quirks):
//! * `*` any run (possibly empty), `?` any byte, `\x` literal x (a trailing
//!   lone `\` is a literal backslash).
//! * `[...]` classes: optional leading `^` negation; `\x` inside a class is a
//!   literal compared *case-sensitively* even in nocase mode; `a-z` ranges
//!   (reversed bounds are swapped, bounds compared as C *signed* chars, so
//!   bytes >= 0x80 sort below ASCII); an unterminated class extends to the end
//!   of the pattern; `[]` matches nothing and `[^]` matches any byte.
//! * nocase lowers ASCII A-Z only (C locale `tolower`); in ranges, nocase
//!   also applies glibc's `tolower` quirk on negative chars (-128..=-2 become
//!   128..=254, 0xff stays -1).
//! * An empty subject only matches an empty pattern (so "*" does not match
//!   "", exactly like Redis' loop structure).
//!
//! Design: instead of Redis' recursive backtracking (which needs the
//! `skipLongerMatches` trick to avoid exponential time), the pattern is read
//! token by token and matched with the classic iterative algorithm that only
//! remembers the most recent `*`. Every non-star token consumes exactly one
//! byte, so this is exact and runs in O(|pattern| * |string|) worst case with
//! no allocation.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tok {
    Star,
    Any,
    Lit(u8),
    /// Class body is pattern[start..end_body]; `not` if negated.
    Class {
        start: usize,
        end_body: usize,
        not: bool,
    },
}

#[inline]
fn lower(c: u8) -> u8 {
    c.to_ascii_lowercase()
}

/// glibc `tolower` applied to a (signed) char value in the C locale: A-Z are
/// lowered, -128..=-2 map to 128..=254 (glibc's table is indexed from -128
/// and mirrors the unsigned values), -1 (EOF) stays -1.
#[inline]
fn lower_i(c: i32) -> i32 {
    if (b'A' as i32..=b'Z' as i32).contains(&c) {
        c + 32
    } else if (-128..=-2).contains(&c) {
        c + 256
    } else {
        c
    }
}

/// Parse the token starting at `i` (< p.len()); returns it and the index
/// of the next token.
#[inline]
fn next_tok(p: &[u8], i: usize) -> (Tok, usize) {
    match p[i] {
        b'*' => (Tok::Star, i + 1),
        b'?' => (Tok::Any, i + 1),
        b'\\' => {
            if i + 1 < p.len() {
                (Tok::Lit(p[i + 1]), i + 2)
            } else {
                (Tok::Lit(b'\\'), i + 1)
            }
        }
        b'[' => {
            let mut j = i + 1;
            let not = j < p.len() && p[j] == b'^';
            if not {
                j += 1;
            }
            let start = j;
            loop {
                if j >= p.len() {
                    return (
                        Tok::Class {
                            start,
                            end_body: p.len(),
                            not,
                        },
                        p.len(),
                    );
                }
                if p[j] == b'\\' && j + 1 < p.len() {
                    j += 2;
                } else if p[j] == b']' {
                    return (
                        Tok::Class {
                            start,
                            end_body: j,
                            not,
                        },
                        j + 1,
                    );
                } else if j + 2 < p.len() && p[j + 1] == b'-' {
                    j += 3;
                } else {
                    j += 1;
                }
            }
        }
        c => (Tok::Lit(c), i + 1),
    }
}

fn class_match(body: &[u8], c: u8, nocase: bool) -> bool {
    let mut j = 0;
    while j < body.len() {
        if body[j] == b'\\' && j + 1 < body.len() {
            if body[j + 1] == c {
                return true;
            }
            j += 2;
        } else if j + 2 < body.len() && body[j + 1] == b'-' {
            let mut a = body[j] as i8 as i32;
            let mut b = body[j + 2] as i8 as i32;
            if a > b {
                std::mem::swap(&mut a, &mut b);
            }
            let mut x = c as i8 as i32;
            if nocase {
                a = lower_i(a);
                b = lower_i(b);
                x = lower_i(x);
            }
            if x >= a && x <= b {
                return true;
            }
            j += 3;
        } else {
            if body[j] == c || (nocase && lower(body[j]) == lower(c)) {
                return true;
            }
            j += 1;
        }
    }
    false
}

#[inline]
fn tok_match(p: &[u8], t: Tok, c: u8, nocase: bool) -> bool {
    match t {
        Tok::Star | Tok::Any => true,
        Tok::Lit(l) => l == c || (nocase && lower(l) == lower(c)),
        Tok::Class {
            start,
            end_body,
            not,
        } => class_match(&p[start..end_body], c, nocase) != not,
    }
}

/// Redis `stringmatchlen(pattern, s, nocase)`.
pub fn string_match_len(pattern: &[u8], s: &[u8], nocase: bool) -> bool {
    if s.is_empty() {
        return pattern.is_empty();
    }
    let (mut pi, mut si) = (0usize, 0usize);
    // (pattern index after the last star, string index it is matched up to)
    let mut star: Option<(usize, usize)> = None;
    while si < s.len() {
        if pi < pattern.len() {
            let (t, next) = next_tok(pattern, pi);
            if t == Tok::Star {
                star = Some((next, si));
                pi = next;
                continue;
            }
            if tok_match(pattern, t, s[si], nocase) {
                pi = next;
                si += 1;
                continue;
            }
        }
        match star {
            Some((sp, ss)) => {
                pi = sp;
                si = ss + 1;
                star = Some((sp, ss + 1));
            }
            None => return false,
        }
    }
    while pi < pattern.len() && pattern[pi] == b'*' {
        pi += 1;
    }
    pi == pattern.len()
}

/// Redis `stringmatch` (same as [`string_match_len`] on whole slices).
#[inline]
pub fn string_match(pattern: &[u8], s: &[u8], nocase: bool) -> bool {
    string_match_len(pattern, s, nocase)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(p: &str, s: &str) -> bool {
        string_match_len(p.as_bytes(), s.as_bytes(), false)
    }

    /// Obviously-correct exponential recursive matcher over the same tokens.
    fn naive(p: &[u8], pi: usize, s: &[u8], nocase: bool) -> bool {
        if pi >= p.len() {
            return s.is_empty();
        }
        let (t, next) = next_tok(p, pi);
        if t == Tok::Star {
            return naive(p, next, s, nocase) || (!s.is_empty() && naive(p, pi, &s[1..], nocase));
        }
        !s.is_empty() && tok_match(p, t, s[0], nocase) && naive(p, next, &s[1..], nocase)
    }

    fn naive_top(p: &[u8], s: &[u8], nocase: bool) -> bool {
        if s.is_empty() {
            return p.is_empty();
        }
        naive(p, 0, s, nocase)
    }

    #[test]
    fn basics() {
        assert!(m("*", "foo"));
        assert!(!m("*", ""));
        assert!(m("", ""));
        assert!(!m("", "a"));
        assert!(m("h?llo", "hello"));
        assert!(m("h*llo", "heeeello"));
        assert!(m("h[ae]llo", "hallo"));
        assert!(!m("h[ae]llo", "hillo"));
        assert!(m("h[^e]llo", "hallo"));
        assert!(!m("h[^e]llo", "hello"));
        assert!(m("h[a-b]llo", "hbllo"));
        assert!(m("h[b-a]llo", "hallo")); // reversed range
        assert!(m("a\\*b", "a*b"));
        assert!(!m("a\\*b", "axb"));
        assert!(m("a\\", "a\\"));
        assert!(m("[abc", "b")); // unterminated class
        assert!(!m("[]", "a"));
        assert!(m("[^]", "a"));
        assert!(!m("[", "a"));
        assert!(m("[a-]", "^")); // range 'a'..']' swapped: ']'..'a'
        assert!(m("[\\]]", "]"));
        assert!(m("a*", "a"));
        assert!(!m("a*?", "a"));
        assert!(m("**a**", "a"));
        assert!(m("user:*:name", "user:1000:name"));
        assert!(!m("user:*:name", "user:1000:nam"));
        assert!(string_match_len(b"HELLO", b"hello", true));
        assert!(string_match_len(b"[A-Z]", b"q", true));
        assert!(!string_match_len(b"[\\A]", b"a", true)); // escaped: case-sensitive
        assert!(string_match_len(b"[A]", b"a", true));
        // signed-char ranges: 0xff is -1, so [a-\xff] is -1..'a'
        assert!(string_match_len(b"[a-\xff]", b"0", false));
        assert!(!string_match_len(b"[a-\xff]", b"b", false));
        assert!(!string_match_len(b"[a-\xff]", b"\x80", false));
        assert!(string_match_len(b"[\x80-\xff]", b"\x90", false));
        // nocase: glibc tolower(-128) == 128 but tolower(-1) == -1
        assert!(string_match_len(b"[\x80-^]", b"\xff", false));
        assert!(!string_match_len(b"[\x80-^]", b"\xff", true));
        assert!(!string_match_len(b"[\x80-^]", b"\x80", true)); // lowered range 128..94 is empty
        assert!(string_match_len(b"[\x80-^]", b"\x80", false));
    }

    #[test]
    fn no_exponential_blowup() {
        let s = vec![b'a'; 5000];
        let mut p = Vec::new();
        for _ in 0..50 {
            p.extend_from_slice(b"*a");
        }
        p.push(b'b');
        let t = std::time::Instant::now();
        assert!(!string_match_len(&p, &s, false));
        let p2 =
            b"a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b";
        assert!(!string_match_len(p2, &s, false));
        assert!(!string_match_len(
            b"*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*b",
            &s,
            false
        ));
        assert!(t.elapsed().as_secs_f64() < 1.0);
    }

    #[test]
    fn oracle_random() {
        let mut x: u64 = 0xdead_beef_1234_5678;
        let mut rnd = |n: u64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % n
        };
        let palpha = b"ab*?[]^-\\A\xff";
        let salpha = b"abA]-^\\*\xff";
        for _ in 0..200_000 {
            let pl = rnd(9) as usize;
            let sl = rnd(8) as usize;
            let p: Vec<u8> = (0..pl)
                .map(|_| palpha[rnd(palpha.len() as u64) as usize])
                .collect();
            let s: Vec<u8> = (0..sl)
                .map(|_| salpha[rnd(salpha.len() as u64) as usize])
                .collect();
            let nocase = rnd(2) == 0;
            assert_eq!(
                string_match_len(&p, &s, nocase),
                naive_top(&p, &s, nocase),
                "{:?} {:?} {}",
                String::from_utf8_lossy(&p),
                String::from_utf8_lossy(&s),
                nocase
            );
        }
    }

    /// Vectors generated by the real Redis 7.0.15 `stringmatchlen` C code:
    /// lines "nocase hexpattern hexstring result".
    #[test]
    fn redis_c_vectors() {
        check(include_str!("testdata/glob_vectors.txt"));
    }

    #[test]
    #[ignore]
    fn redis_c_vectors_external() {
        let Ok(path) = std::env::var("GLOB_VECTORS") else {
            return;
        };
        check(&std::fs::read_to_string(path).unwrap());
    }

    fn unhex(h: &str) -> Vec<u8> {
        if h == "-" {
            return Vec::new();
        }
        (0..h.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&h[i..i + 2], 16).unwrap())
            .collect()
    }

    fn check(data: &str) {
        let mut n = 0;
        for line in data.lines() {
            if line.starts_with('#') || line.is_empty() {
                continue;
            }
            let f: Vec<&str> = line.split(' ').collect();
            let (nc, p, s, r) = (f[0] == "1", unhex(f[1]), unhex(f[2]), f[3] == "1");
            assert_eq!(string_match_len(&p, &s, nc), r, "{line}");
            n += 1;
        }
        assert!(n > 100);
    }
}
