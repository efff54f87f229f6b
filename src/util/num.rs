//! TEMPORARY stand-in until the util helper delivers.
pub fn string2ll(s: &[u8]) -> Option<i64> {
    if s.is_empty() || s.len() > 20 {
        return None;
    }
    if s.len() > 1 && (s[0] == b'0' || (s[0] == b'-' && s[1] == b'0')) {
        return None;
    }
    std::str::from_utf8(s)
        .ok()?
        .parse::<i64>()
        .ok()
        .filter(|_| s[0] != b'+')
}
pub fn ll2string(buf: &mut Vec<u8>, v: i64) {
    let mut tmp = [0u8; 20];
    let mut i = tmp.len();
    let neg = v < 0;
    let mut u = v.unsigned_abs();
    loop {
        i -= 1;
        tmp[i] = b'0' + (u % 10) as u8;
        u /= 10;
        if u == 0 {
            break;
        }
    }
    if neg {
        buf.push(b'-');
    }
    buf.extend_from_slice(&tmp[i..]);
}
pub fn d2string_resp(buf: &mut Vec<u8>, d: f64) {
    if d.is_infinite() {
        buf.extend_from_slice(if d > 0.0 { b"inf" } else { b"-inf" });
        return;
    }
    buf.extend_from_slice(format!("{}", d).as_bytes());
}
