//! TEMPORARY stand-in until the util helper delivers.
pub fn string_match_len(p: &[u8], s: &[u8], nocase: bool) -> bool {
    fn m(p: &[u8], s: &[u8], nc: bool, depth: u32) -> bool {
        if depth > 1000 {
            return false;
        }
        let (mut pi, mut si) = (0, 0);
        while pi < p.len() {
            match p[pi] {
                b'*' => {
                    while pi + 1 < p.len() && p[pi + 1] == b'*' {
                        pi += 1;
                    }
                    if pi + 1 == p.len() {
                        return true;
                    }
                    for k in si..=s.len() {
                        if m(&p[pi + 1..], &s[k..], nc, depth + 1) {
                            return true;
                        }
                    }
                    return false;
                }
                b'?' => {
                    if si >= s.len() {
                        return false;
                    }
                    si += 1;
                }
                b'[' => {
                    if si >= s.len() {
                        return false;
                    }
                    pi += 1;
                    let not = pi < p.len() && p[pi] == b'^';
                    if not {
                        pi += 1;
                    }
                    let mut matched = false;
                    while pi < p.len() && p[pi] != b']' {
                        if p[pi] == b'\\' && pi + 1 < p.len() {
                            pi += 1;
                            if p[pi] == s[si] {
                                matched = true;
                            }
                        } else if pi + 2 < p.len() && p[pi + 1] == b'-' {
                            let (mut a, mut b) = (p[pi], p[pi + 2]);
                            if a > b {
                                std::mem::swap(&mut a, &mut b);
                            }
                            let c = s[si];
                            if c >= a && c <= b {
                                matched = true;
                            }
                            pi += 2;
                        } else if p[pi] == s[si]
                            || (nc && p[pi].to_ascii_lowercase() == s[si].to_ascii_lowercase())
                        {
                            matched = true;
                        }
                        pi += 1;
                    }
                    if pi >= p.len() {
                        pi = p.len() - 1;
                    }
                    if not {
                        matched = !matched;
                    }
                    if !matched {
                        return false;
                    }
                    si += 1;
                }
                c => {
                    let c = if c == b'\\' && pi + 1 < p.len() {
                        pi += 1;
                        p[pi]
                    } else {
                        c
                    };
                    if si >= s.len() {
                        return false;
                    }
                    if c != s[si] && !(nc && c.to_ascii_lowercase() == s[si].to_ascii_lowercase()) {
                        return false;
                    }
                    si += 1;
                }
            }
            pi += 1;
        }
        si == s.len()
    }
    m(p, s, nocase, 0)
}
