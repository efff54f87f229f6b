//! Low-level text helpers of the config subsystem.
//!
//! Everything here works on raw bytes (config files and CONFIG SET arguments are binary
//! safe in Redis) and reproduces the exact C-library / sds semantics Redis relies on:
//!
//! * [`split_args`] — `sdssplitargs()` quoting rules ("..." with `\n \r \t \b \a \\ \" \xHH`,
//!   '...' with `\'`; a closing quote must be followed by a blank; unbalanced quotes fail).
//! * [`repr`] — `sdscatrepr()` (used by CONFIG REWRITE and by redis-server's argv folding).
//! * [`string2ll`] — Redis `string2ll()` (strict: no '+', no spaces, no leading zeros, no "-0").
//! * [`strtoll_c`] / [`strtoll_octal`] — glibc `strtoll()` semantics (leading blanks, sign,
//!   saturation on overflow) as used by the `save`, `client-output-buffer-limit`,
//!   `oom-score-adj-values`, `replicaof` and octal (`unixsocketperm`) parsers.
//! * [`memtoull`] — Redis `memtoull()` (1k=1000, 1kb=1024, m/mb, g/gb, case-insensitive).
//! * [`string2d`] — Redis `string2d()` for latency-tracking-info-percentiles.
//! * [`string_match`] — a private copy of `stringmatchlen()` (glob with `* ? [..] \`), used by
//!   CONFIG GET and by `include` wildcard expansion.
//! * [`parse_server_args`] — the argv folding done by `main()` in server.c.
//! * [`format_memory`], [`format_percentile`] — `rewriteConfigFormatMemory()` and the
//!   `%f` + `trimDoubleString()` formatting of percentiles.

/// C `isspace()` in the "C" locale.
#[inline]
pub(crate) fn is_c_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r')
}

fn hex_val(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Split a line into arguments following `sdssplitargs()`. Returns `None` on unbalanced
/// quotes (or a closing quote not followed by a blank). An empty / blank line yields an
/// empty vector. A NUL byte terminates the input, as in C.
pub fn split_args(line: &[u8]) -> Option<Vec<Vec<u8>>> {
    let line = match memchr_nul(line) {
        Some(n) => &line[..n],
        None => line,
    };
    let at = |i: usize| -> u8 { line.get(i).copied().unwrap_or(0) };
    let mut out = Vec::new();
    let mut p = 0usize;
    loop {
        while p < line.len() && is_c_space(line[p]) {
            p += 1;
        }
        if p >= line.len() {
            return Some(out);
        }
        let mut cur = Vec::new();
        let mut inq = false;
        let mut insq = false;
        loop {
            let c = at(p);
            if inq {
                if c == b'\\' && at(p + 1) == b'x' {
                    if let (Some(h), Some(l)) = (hex_val(at(p + 2)), hex_val(at(p + 3))) {
                        cur.push(h * 16 + l);
                        p += 4;
                        continue;
                    }
                }
                if c == b'\\' && at(p + 1) != 0 {
                    p += 1;
                    let e = match at(p) {
                        b'n' => b'\n',
                        b'r' => b'\r',
                        b't' => b'\t',
                        b'b' => 8,
                        b'a' => 7,
                        o => o,
                    };
                    cur.push(e);
                } else if c == b'"' {
                    let n = at(p + 1);
                    if n != 0 && !is_c_space(n) {
                        return None;
                    }
                    p += 1;
                    break;
                } else if c == 0 {
                    return None;
                } else {
                    cur.push(c);
                }
                p += 1;
            } else if insq {
                if c == b'\\' && at(p + 1) == b'\'' {
                    p += 1;
                    cur.push(b'\'');
                } else if c == b'\'' {
                    let n = at(p + 1);
                    if n != 0 && !is_c_space(n) {
                        return None;
                    }
                    p += 1;
                    break;
                } else if c == 0 {
                    return None;
                } else {
                    cur.push(c);
                }
                p += 1;
            } else {
                match c {
                    b' ' | b'\n' | b'\r' | b'\t' | 0 => {
                        if c != 0 {
                            p += 1;
                        }
                        break;
                    }
                    b'"' => inq = true,
                    b'\'' => insq = true,
                    o => cur.push(o),
                }
                p += 1;
            }
        }
        out.push(cur);
    }
}

fn memchr_nul(s: &[u8]) -> Option<usize> {
    s.iter().position(|&b| b == 0)
}

/// `sdscatrepr()`: quote a byte string so that [`split_args`] reads it back verbatim.
pub fn repr(s: &[u8]) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for &b in s {
        match b {
            b'\\' => out.push_str("\\\\"),
            b'"' => out.push_str("\\\""),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            7 => out.push_str("\\a"),
            8 => out.push_str("\\b"),
            0x20..=0x7e => out.push(b as char),
            _ => {
                out.push_str("\\x");
                out.push(char::from(b"0123456789abcdef"[(b >> 4) as usize]));
                out.push(char::from(b"0123456789abcdef"[(b & 15) as usize]));
            }
        }
    }
    out.push('"');
    out
}

/// Redis `string2ll()`: strict decimal parse of the whole slice.
pub fn string2ll(s: &[u8]) -> Option<i64> {
    if s.is_empty() || s.len() >= 21 {
        return None;
    }
    if s == b"0" {
        return Some(0);
    }
    let (neg, digits) = match s[0] {
        b'-' => (true, &s[1..]),
        _ => (false, s),
    };
    let first = *digits.first()?;
    if !(b'1'..=b'9').contains(&first) {
        return None;
    }
    let mut v: u64 = 0;
    for &d in digits {
        if !d.is_ascii_digit() {
            return None;
        }
        v = v.checked_mul(10)?.checked_add(u64::from(d - b'0'))?;
    }
    if neg {
        if v > (i64::MAX as u64) + 1 {
            return None;
        }
        Some((v as i64).wrapping_neg())
    } else if v > i64::MAX as u64 {
        None
    } else {
        Some(v as i64)
    }
}

/// Shared core of the C `strto*` family: returns (value, index just after the parsed
/// number or 0 when nothing was converted, overflowed).
fn strto_core(s: &[u8], base: u32) -> (i64, usize, bool) {
    let mut p = 0;
    while p < s.len() && is_c_space(s[p]) {
        p += 1;
    }
    let mut neg = false;
    if p < s.len() && (s[p] == b'+' || s[p] == b'-') {
        neg = s[p] == b'-';
        p += 1;
    }
    let start = p;
    let mut v: u64 = 0;
    let mut overflow = false;
    while p < s.len() {
        let d = match (s[p] as char).to_digit(base) {
            Some(d) => d,
            None => break,
        };
        match v
            .checked_mul(u64::from(base))
            .and_then(|x| x.checked_add(u64::from(d)))
        {
            Some(n) => v = n,
            None => overflow = true,
        }
        p += 1;
    }
    if p == start {
        return (0, 0, false);
    }
    let limit = if neg {
        (i64::MAX as u64) + 1
    } else {
        i64::MAX as u64
    };
    if overflow || v > limit {
        return (if neg { i64::MIN } else { i64::MAX }, p, true);
    }
    let val = if neg {
        (v as i64).wrapping_neg()
    } else {
        v as i64
    };
    (val, p, false)
}

/// glibc `strtoll(s, &end, 10)` followed by Redis's usual `*end == '\0'` check.
/// Returns (value, whole string consumed). Empty input gives (0, true) like C.
pub fn strtoll_c(s: &[u8]) -> (i64, bool) {
    let (v, end, _) = strto_core(s, 10);
    (v, end == s.len())
}

/// `strtoll(s, &end, 8)` accepted only when there was no overflow and the whole string was
/// consumed (numericParseString's OCTAL_CONFIG branch).
pub fn strtoll_octal(s: &[u8]) -> Option<i64> {
    let (v, end, overflow) = strto_core(s, 8);
    if overflow || end != s.len() {
        None
    } else {
        Some(v)
    }
}

/// Redis `memtoull()`: parse "<digits>[b|k|kb|m|mb|g|gb]" (unit case-insensitive).
/// Returns `None` on error. Mirrors Redis exactly, including its quirks: the digits are
/// converted with `strtoull` (saturating at `u64::MAX` on overflow), an empty number counts
/// as 0 (so "" and "kb" are 0), and the final multiplication wraps.
pub fn memtoull(s: &[u8]) -> Option<u64> {
    if s.first() == Some(&b'-') {
        return None;
    }
    let ndig = s.iter().take_while(|b| b.is_ascii_digit()).count();
    let unit = &s[ndig..];
    let mul: u64 = if unit.is_empty() || unit.eq_ignore_ascii_case(b"b") {
        1
    } else if unit.eq_ignore_ascii_case(b"k") {
        1000
    } else if unit.eq_ignore_ascii_case(b"kb") {
        1024
    } else if unit.eq_ignore_ascii_case(b"m") {
        1000 * 1000
    } else if unit.eq_ignore_ascii_case(b"mb") {
        1024 * 1024
    } else if unit.eq_ignore_ascii_case(b"g") {
        1000 * 1000 * 1000
    } else if unit.eq_ignore_ascii_case(b"gb") {
        1024 * 1024 * 1024
    } else {
        return None;
    };
    if ndig >= 128 {
        return None;
    }
    let mut v: u64 = 0;
    for &d in &s[..ndig] {
        v = v
            .checked_mul(10)
            .and_then(|x| x.checked_add(u64::from(d - b'0')))
            .unwrap_or(u64::MAX);
        if v == u64::MAX {
            break;
        }
    }
    Some(v.wrapping_mul(mul))
}

/// Redis `string2d()`: strtod over the whole slice, no leading space, no NaN, no
/// overflow to infinity (underflow to zero rejected too).
pub fn string2d(s: &[u8]) -> Option<f64> {
    if s.is_empty() || is_c_space(s[0]) {
        return None;
    }
    let t = std::str::from_utf8(s).ok()?;
    let lower = t.to_ascii_lowercase();
    let body = lower.trim_start_matches(['+', '-']);
    let v: f64 = t.parse().ok()?;
    if v.is_nan() {
        return None;
    }
    // strtod overflow gives HUGE_VAL + ERANGE: only literal infinities are accepted
    if v.is_infinite() && !(body == "inf" || body == "infinity") {
        return None;
    }
    // underflow to zero (ERANGE with a zero result) is rejected as well
    let mantissa = body.split('e').next().unwrap_or("");
    if v == 0.0 && mantissa.bytes().any(|b| (b'1'..=b'9').contains(&b)) {
        return None;
    }
    Some(v)
}

/// `rewriteConfigFormatMemory()`: use gb/mb/kb suffixes when exact.
pub fn format_memory(bytes: i64) -> String {
    const GB: i64 = 1024 * 1024 * 1024;
    const MB: i64 = 1024 * 1024;
    const KB: i64 = 1024;
    if bytes != 0 && bytes % GB == 0 {
        format!("{}gb", bytes / GB)
    } else if bytes != 0 && bytes % MB == 0 {
        format!("{}mb", bytes / MB)
    } else if bytes != 0 && bytes % KB == 0 {
        format!("{}kb", bytes / KB)
    } else {
        bytes.to_string()
    }
}

/// `sprintf("%f")` followed by `trimDoubleString()`.
pub fn format_percentile(v: f64) -> String {
    let mut s = format!("{:.6}", v);
    if s.contains('.') {
        while s.ends_with('0') {
            s.pop();
        }
        if s.ends_with('.') {
            s.pop();
        }
    }
    s
}

/// Private copy of Redis `stringmatchlen()` (glob-style matching).
pub(crate) fn string_match(pattern: &[u8], string: &[u8], nocase: bool) -> bool {
    let eq = |a: u8, b: u8| {
        if nocase {
            a.eq_ignore_ascii_case(&b)
        } else {
            a == b
        }
    };
    let pat = |i: usize| pattern.get(i).copied().unwrap_or(0);
    let mut p = 0usize;
    let mut s = 0usize;
    while p < pattern.len() && s < string.len() {
        match pattern[p] {
            b'*' => {
                while pat(p + 1) == b'*' && p + 1 < pattern.len() {
                    p += 1;
                }
                if p + 1 == pattern.len() {
                    return true;
                }
                while s < string.len() {
                    if string_match(&pattern[p + 1..], &string[s..], nocase) {
                        return true;
                    }
                    s += 1;
                }
                return false;
            }
            b'?' => s += 1,
            b'[' => {
                p += 1;
                let not = pat(p) == b'^';
                if not {
                    p += 1;
                }
                let mut matched = false;
                let c = string[s];
                loop {
                    if p >= pattern.len() {
                        // unterminated class: behave like Redis (step back so the outer
                        // increment lands on the end of the pattern)
                        p = pattern.len().saturating_sub(1);
                        break;
                    }
                    if pattern[p] == b'\\' && pattern.len() - p >= 2 {
                        p += 1;
                        if pattern[p] == c {
                            matched = true;
                        }
                    } else if pattern[p] == b']' {
                        break;
                    } else if pattern.len() - p >= 3 && pattern[p + 1] == b'-' {
                        let (mut lo, mut hi) = (pattern[p], pattern[p + 2]);
                        let mut cc = c;
                        if lo > hi {
                            std::mem::swap(&mut lo, &mut hi);
                        }
                        if nocase {
                            lo = lo.to_ascii_lowercase();
                            hi = hi.to_ascii_lowercase();
                            cc = cc.to_ascii_lowercase();
                        }
                        p += 2;
                        if cc >= lo && cc <= hi {
                            matched = true;
                        }
                    } else if eq(pattern[p], c) {
                        matched = true;
                    }
                    p += 1;
                }
                if not {
                    matched = !matched;
                }
                if !matched {
                    return false;
                }
                s += 1;
            }
            b'\\' => {
                if pattern.len() - p >= 2 {
                    p += 1;
                }
                if !eq(pattern[p], string[s]) {
                    return false;
                }
                s += 1;
            }
            other => {
                if !eq(other, string[s]) {
                    return false;
                }
                s += 1;
            }
        }
        p += 1;
        if s == string.len() {
            while p < pattern.len() && pattern[p] == b'*' {
                p += 1;
            }
            break;
        }
    }
    p >= pattern.len() && s == string.len()
}

/// Redis `getAbsolutePath()`: trim blanks, keep absolute paths, otherwise join with the
/// cwd, folding leading "../" components. `None` if the cwd is unavailable.
pub fn get_absolute_path(filename: &str) -> Option<String> {
    let rel = filename.trim_matches([' ', '\r', '\n', '\t']);
    if rel.starts_with('/') {
        return Some(rel.to_string());
    }
    let cwd = std::env::current_dir().ok()?;
    let mut abs = cwd.to_string_lossy().into_owned();
    if !abs.ends_with('/') {
        abs.push('/');
    }
    let mut rel = rel;
    while let Some(rest) = rel.strip_prefix("../") {
        rel = rest;
        if abs.len() > 1 {
            // drop the last path element (abs always ends with '/')
            let without_slash = &abs[..abs.len() - 1];
            let cut = without_slash.rfind('/').map(|i| i + 1).unwrap_or(0);
            abs.truncate(cut);
        }
    }
    abs.push_str(rel);
    Some(abs)
}

/// Result of folding redis-server's argv (see [`parse_server_args`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerArgs {
    /// Absolute path of the config file (first argument not starting with '-').
    pub config_file: Option<String>,
    /// A lone "-" as first or last argument: read config from stdin.
    pub config_from_stdin: bool,
    /// The "--name val ..." options folded into config text ("name \"val\" \n...").
    pub options: String,
}

/// Fold redis-server's argv (WITHOUT the program name, i.e. `argv[1..]`) the way
/// `main()` in server.c does. Special arguments like --version/--help/--test-memory
/// are not handled here.
pub fn parse_server_args(args: &[String]) -> Result<ServerArgs, String> {
    let mut out = ServerArgs {
        config_file: None,
        config_from_stdin: false,
        options: String::new(),
    };
    let n = args.len();
    let mut j = 0;
    if let Some(first) = args.first() {
        if !first.starts_with('-') {
            out.config_file = Some(
                get_absolute_path(first)
                    .ok_or_else(|| "can't get the current working directory".to_string())?,
            );
            j = 1;
        }
    }
    let mut handled_last = true;
    while j < n {
        let a = args[j].as_str();
        if a == "-" && (j == 0 || j == n - 1) {
            out.config_from_stdin = true;
        } else if handled_last && a.starts_with("--") {
            if !out.options.is_empty() {
                out.options.push('\n');
            }
            out.options.push_str(&a[2..]);
            out.options.push(' ');
            let single = matches!(split_args(a.as_bytes()), Some(v) if v.len() == 1);
            if single {
                handled_last = false;
                let next_is_opt = j + 1 < n && args[j + 1].starts_with("--");
                let last = j == n - 1;
                if a.eq_ignore_ascii_case("--save") && next_is_opt {
                    out.options.push_str("\"\"");
                    handled_last = true;
                } else if a.eq_ignore_ascii_case("--save") && last {
                    out.options.push_str("\"\"");
                } else if a.eq_ignore_ascii_case("--sentinel") && next_is_opt {
                    handled_last = true;
                }
            } else {
                handled_last = true;
            }
        } else {
            out.options.push_str(&repr(a.as_bytes()));
            out.options.push(' ');
            handled_last = true;
        }
        j += 1;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sa(s: &str) -> Vec<String> {
        split_args(s.as_bytes())
            .unwrap()
            .into_iter()
            .map(|v| String::from_utf8(v).unwrap())
            .collect()
    }

    #[test]
    fn split_args_quoting() {
        assert_eq!(sa("  set  a   b "), vec!["set", "a", "b"]);
        assert_eq!(sa(r#""a\x41\n\"" 'it\'s' x"#), vec!["aA\n\"", "it's", "x"]);
        assert_eq!(sa(r#""\xZZ""#), vec!["xZZ"]);
        assert_eq!(sa(r#""""#), vec![""]);
        assert!(split_args(b"\"abc").is_none());
        assert!(split_args(b"'abc").is_none());
        assert!(split_args(b"\"a\"b").is_none());
        assert!(split_args(b"").unwrap().is_empty());
        assert_eq!(sa("a\"b c\""), vec!["ab c"]);
    }

    #[test]
    fn repr_roundtrip() {
        let raw = b"a\"b\\c\n\x01\xff ";
        let r = repr(raw);
        assert_eq!(r, "\"a\\\"b\\\\c\\n\\x01\\xff \"");
        assert_eq!(split_args(r.as_bytes()).unwrap(), vec![raw.to_vec()]);
    }

    #[test]
    fn string2ll_strict() {
        assert_eq!(string2ll(b"0"), Some(0));
        assert_eq!(string2ll(b"-5"), Some(-5));
        assert_eq!(string2ll(b"9223372036854775807"), Some(i64::MAX));
        assert_eq!(string2ll(b"-9223372036854775808"), Some(i64::MIN));
        for bad in [
            &b"-0"[..],
            b"007",
            b"+7",
            b" 7",
            b"",
            b"-",
            b"9223372036854775808",
            b"1a",
        ] {
            assert_eq!(string2ll(bad), None, "{:?}", bad);
        }
    }

    #[test]
    fn strtoll_semantics() {
        assert_eq!(strtoll_c(b""), (0, true));
        assert_eq!(strtoll_c(b" +12"), (12, true));
        assert_eq!(strtoll_c(b"12x"), (12, false));
        assert_eq!(strtoll_c(b"  "), (0, false));
        assert_eq!(strtoll_c(b"99999999999999999999"), (i64::MAX, true));
        assert_eq!(strtoll_octal(b"777"), Some(511));
        assert_eq!(strtoll_octal(b"999"), None);
        assert_eq!(strtoll_octal(b""), Some(0));
    }

    #[test]
    fn memtoull_units() {
        assert_eq!(memtoull(b"1k"), Some(1000));
        assert_eq!(memtoull(b"1kb"), Some(1024));
        assert_eq!(memtoull(b"1KB"), Some(1024));
        assert_eq!(memtoull(b"2m"), Some(2_000_000));
        assert_eq!(memtoull(b"2mb"), Some(2 << 20));
        assert_eq!(memtoull(b"1g"), Some(1_000_000_000));
        assert_eq!(memtoull(b"1Gb"), Some(1 << 30));
        assert_eq!(memtoull(b"5b"), Some(5));
        assert_eq!(memtoull(b""), Some(0));
        assert_eq!(memtoull(b"kb"), Some(0));
        assert_eq!(memtoull(b"-1"), None);
        assert_eq!(memtoull(b"+5"), None);
        assert_eq!(memtoull(b"1.5mb"), None);
        assert_eq!(memtoull(b"99999999999999999999999"), Some(u64::MAX));
        assert_eq!(
            memtoull(b"18446744073709551615kb"),
            Some(18446744073709550592)
        );
    }

    #[test]
    fn string2d_rules() {
        assert_eq!(string2d(b"99.9"), Some(99.9));
        assert_eq!(string2d(b"1e2"), Some(100.0));
        assert_eq!(string2d(b" 1"), None);
        assert_eq!(string2d(b"x"), None);
        assert_eq!(string2d(b"nan"), None);
        assert_eq!(string2d(b""), None);
    }

    #[test]
    fn formatting() {
        assert_eq!(format_memory(0), "0");
        assert_eq!(format_memory(1 << 30), "1gb");
        assert_eq!(format_memory(64 << 20), "64mb");
        assert_eq!(format_memory(3 * 1024), "3kb");
        assert_eq!(format_memory(1000), "1000");
        assert_eq!(format_memory(-1), "-1");
        assert_eq!(format_percentile(99.9), "99.9");
        assert_eq!(format_percentile(50.0), "50");
        assert_eq!(format_percentile(1.5), "1.5");
        assert_eq!(format_percentile(0.0), "0");
    }

    #[test]
    fn glob() {
        assert!(string_match(b"*", b"maxmemory", true));
        assert!(string_match(b"MAXMEM*", b"maxmemory", true));
        assert!(!string_match(b"MAXMEM*", b"maxmemory", false));
        assert!(string_match(b"*of", b"slaveof", true));
        assert!(string_match(b"h?", b"hz", true));
        assert!(!string_match(b"h?", b"hzz", true));
        assert!(string_match(b"[a-c]*", b"bind", true));
        assert!(!string_match(b"[^a-c]*", b"bind", true));
        assert!(string_match(b"a\\*", b"a*", true));
        assert!(string_match(b"a**", b"a", true));
        assert!(!string_match(b"a", b"", true));
        assert!(string_match(b"", b"", true));
    }

    fn args(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn server_args_folding() {
        let r = parse_server_args(&args(&[
            "/etc/r.conf",
            "--port",
            "7000",
            "--save",
            "--loglevel",
            "verbose",
        ]))
        .unwrap();
        assert_eq!(r.config_file.as_deref(), Some("/etc/r.conf"));
        assert_eq!(
            r.options,
            "port \"7000\" \nsave \"\"\nloglevel \"verbose\" "
        );
        let r = parse_server_args(&args(&["--port", "6379", "6380"])).unwrap();
        assert_eq!(r.options, "port \"6379\" \"6380\" ");
        let r = parse_server_args(&args(&["--port", "--loglevel", "verbose"])).unwrap();
        assert_eq!(r.options, "port \"--loglevel\" \"verbose\" ");
        let r = parse_server_args(&args(&[
            "--maxmemory 700mb",
            "--maxmemory-policy volatile-lru",
        ]))
        .unwrap();
        assert_eq!(
            r.options,
            "maxmemory 700mb \nmaxmemory-policy volatile-lru "
        );
        let r = parse_server_args(&args(&["--loglevel", "verbose", "--save"])).unwrap();
        assert_eq!(r.options, "loglevel \"verbose\" \nsave \"\"");
        let r = parse_server_args(&args(&[
            "--proc-title-template",
            "--save",
            "--save",
            "",
            "--loglevel",
            "verbose",
        ]))
        .unwrap();
        assert_eq!(
            r.options,
            "proc-title-template \"--save\" \nsave \"\" \nloglevel \"verbose\" "
        );
        let r = parse_server_args(&args(&["-"])).unwrap();
        assert!(r.config_from_stdin && r.config_file.is_none());
        let r = parse_server_args(&args(&["--sentinel", "--port", "1"])).unwrap();
        assert_eq!(r.options, "sentinel \nport \"1\" ");
        let r = parse_server_args(&args(&["loglevel", "verbose"])).unwrap();
        assert!(r.config_file.as_deref().unwrap().ends_with("/loglevel"));
        assert_eq!(r.options, "\"verbose\" ");
    }

    #[test]
    fn absolute_path() {
        let cwd = std::env::current_dir()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        assert_eq!(get_absolute_path("/a/b").unwrap(), "/a/b");
        assert_eq!(
            get_absolute_path(" x.conf ").unwrap(),
            format!("{}/x.conf", cwd)
        );
        let parent = std::path::Path::new(&cwd)
            .parent()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        assert_eq!(
            get_absolute_path("../y.conf").unwrap(),
            format!("{}/y.conf", if parent == "/" { "" } else { &parent })
        );
    }
}
