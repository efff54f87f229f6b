//! Which arguments of a command are keys (Redis's db.c key extraction:
//! getKeysFromCommandWithSpecs, getKeysUsingKeySpecs and the per-command
//! `*GetKeys` procs). Used by COMMAND GETKEYS / GETKEYSANDFLAGS, and meant for
//! ACL key checks and cluster slot checks later.
//!
//! Key specs come from the generated `meta.rs`. As in Redis, specs are
//! preferred when at least one of them is a real key and none has
//! VARIABLE_FLAGS; when a spec cannot be resolved (INCOMPLETE, unknown, an
//! invalid numkeys) the command's getkeys proc is the fallback. `argv`
//! includes the command name at index 0; positions returned index into it.
use super::meta::{self, BeginSearch, CommandMeta, FindKeys};
use crate::client::Args;

/// A key argument: its position in argv and its key-spec flags (KEY_*).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyRef {
    pub pos: usize,
    pub flags: u16,
}

/// C `atoi`: optional blanks and sign, then leading digits; 0 when none.
fn atoi(s: &[u8]) -> i64 {
    let mut i = 0;
    while i < s.len() && matches!(s[i], b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c) {
        i += 1;
    }
    let mut neg = false;
    if i < s.len() && (s[i] == b'+' || s[i] == b'-') {
        neg = s[i] == b'-';
        i += 1;
    }
    let mut v: i64 = 0;
    while i < s.len() && s[i].is_ascii_digit() {
        v = v.saturating_mul(10).saturating_add((s[i] - b'0') as i64);
        i += 1;
    }
    let v = if neg { -v } else { v };
    v.clamp(i32::MIN as i64, i32::MAX as i64)
}

/// getKeysUsingKeySpecs: None = a spec could not be resolved.
pub fn keys_using_specs(m: &CommandMeta, argv: &Args, arity: i32) -> Option<Vec<KeyRef>> {
    let argc = argv.len() as i64;
    let mut keys = Vec::new();
    for spec in m.key_specs {
        if spec.flags & meta::KEY_NOT_KEY != 0 {
            continue;
        }
        let mut first: i64 = match spec.bs {
            BeginSearch::Index(pos) => pos as i64,
            BeginSearch::Keyword(kw, startfrom) => {
                let startfrom = startfrom as i64;
                let (start, end) = if startfrom > 0 {
                    (startfrom, argc - 1)
                } else {
                    (argc + startfrom, 1)
                };
                let mut found = 0;
                let mut i = start;
                while i != end {
                    if i >= argc || i < 1 {
                        break;
                    }
                    if argv.get(i as usize).eq_ignore_ascii_case(kw.as_bytes()) {
                        found = i + 1;
                        break;
                    }
                    i = if start <= end { i + 1 } else { i - 1 };
                }
                if found == 0 {
                    continue;
                }
                found
            }
            BeginSearch::Unknown => return None,
        };
        let (last, step) = match spec.fk {
            FindKeys::Range {
                lastkey,
                keystep,
                limit,
            } => {
                let lastkey = lastkey as i64;
                let last = if lastkey >= 0 {
                    first + lastkey
                } else if limit == 0 {
                    argc + lastkey
                } else {
                    first + ((argc - first) / limit as i64 + lastkey)
                };
                (last, keystep as i64)
            }
            FindKeys::Keynum {
                keynumidx,
                firstkey,
                keystep,
            } => {
                if keynumidx as i64 >= argc {
                    return None;
                }
                let idx = first + keynumidx as i64;
                if idx < 0 || idx >= argc {
                    return None;
                }
                let numkeys = crate::util::string2ll(argv.get(idx as usize))?;
                if numkeys < 0 {
                    return None;
                }
                first += firstkey as i64;
                (first + numkeys - 1, keystep as i64)
            }
            FindKeys::Unknown => return None,
        };
        if last >= argc || last < first || first >= argc {
            return None;
        }
        let mut i = first;
        while i <= last {
            if i >= argc || i < first {
                if arity < 0 {
                    i += step.max(1);
                    continue;
                }
                return None;
            }
            keys.push(KeyRef {
                pos: i as usize,
                flags: spec.flags,
            });
            i += step.max(1);
        }
        if spec.flags & meta::KEY_INCOMPLETE != 0 {
            return None;
        }
    }
    Some(keys)
}

/// genericGetKeys
fn generic_get_keys(
    store: usize,
    count_ofs: usize,
    first: usize,
    step: usize,
    argv: &Args,
) -> Vec<KeyRef> {
    let argc = argv.len();
    let num = atoi(argv.get(count_ofs));
    if num < 1 || argc < first || num > ((argc - first) / step) as i64 {
        return Vec::new();
    }
    let mut keys: Vec<KeyRef> = (0..num as usize)
        .map(|i| KeyRef {
            pos: first + i * step,
            flags: 0,
        })
        .collect();
    if store != 0 {
        keys.push(KeyRef {
            pos: store,
            flags: 0,
        });
    }
    keys
}

fn eq(a: &[u8], b: &str) -> bool {
    a.eq_ignore_ascii_case(b.as_bytes())
}

/// The getkeys_proc of a command (by Redis's function name).
pub fn keys_using_proc(name: &str, argv: &Args) -> Vec<KeyRef> {
    let argc = argv.len();
    match name {
        "sintercardGetKeys" | "zunionInterDiffGetKeys" | "lmpopGetKeys" | "zmpopGetKeys" => {
            generic_get_keys(0, 1, 2, 1, argv)
        }
        "zunionInterDiffStoreGetKeys" => generic_get_keys(1, 2, 3, 1, argv),
        "evalGetKeys" | "functionGetKeys" | "blmpopGetKeys" | "bzmpopGetKeys" => {
            generic_get_keys(0, 2, 3, 1, argv)
        }
        "sortROGetKeys" => vec![KeyRef {
            pos: 1,
            flags: meta::KEY_RO | meta::KEY_ACCESS,
        }],
        "sortGetKeys" => {
            let mut keys = vec![KeyRef {
                pos: 1,
                flags: meta::KEY_RO | meta::KEY_ACCESS,
            }];
            let mut store = None;
            let mut i = 2;
            while i < argc {
                let a = argv.get(i);
                if eq(a, "limit") {
                    i += 2;
                } else if eq(a, "get") || eq(a, "by") {
                    i += 1;
                } else if eq(a, "store") && i + 1 < argc {
                    store = Some(i + 1);
                }
                i += 1;
            }
            if let Some(p) = store {
                keys.push(KeyRef {
                    pos: p,
                    flags: meta::KEY_OW | meta::KEY_UPDATE,
                });
            }
            keys
        }
        "migrateGetKeys" => {
            let mut first = 3;
            let mut num = 1;
            if argc > 6 {
                let mut i = 6;
                while i < argc {
                    let a = argv.get(i);
                    if eq(a, "keys") {
                        if !argv.get(3).is_empty() {
                            num = 0;
                        } else {
                            first = i + 1;
                            num = argc - first;
                        }
                        break;
                    }
                    if eq(a, "auth") {
                        i += 1;
                    } else if eq(a, "auth2") {
                        i += 2;
                    }
                    i += 1;
                }
            }
            (0..num)
                .map(|i| KeyRef {
                    pos: first + i,
                    flags: meta::KEY_RW | meta::KEY_ACCESS | meta::KEY_DELETE,
                })
                .collect()
        }
        "georadiusGetKeys" => {
            let mut stored = None;
            let mut i = 5;
            while i < argc {
                let a = argv.get(i);
                if (eq(a, "store") || eq(a, "storedist")) && i + 1 < argc {
                    stored = Some(i + 1);
                    i += 1;
                }
                i += 1;
            }
            let mut keys = vec![KeyRef { pos: 1, flags: 0 }];
            if let Some(p) = stored {
                keys.push(KeyRef { pos: p, flags: 0 });
            }
            keys
        }
        "xreadGetKeys" => {
            let mut streams_pos = None;
            let mut i = 1;
            while i < argc {
                let a = argv.get(i);
                if eq(a, "block") || eq(a, "count") {
                    i += 1;
                } else if eq(a, "group") {
                    i += 2;
                } else if eq(a, "noack") {
                } else if eq(a, "streams") {
                    streams_pos = Some(i);
                    break;
                } else {
                    break;
                }
                i += 1;
            }
            let sp = match streams_pos {
                Some(p) => p,
                None => return Vec::new(),
            };
            let num = argc - sp - 1;
            if num == 0 || !num.is_multiple_of(2) {
                return Vec::new();
            }
            (sp + 1..sp + 1 + num / 2)
                .map(|pos| KeyRef { pos, flags: 0 })
                .collect()
        }
        "setGetKeys" => {
            let get = (3..argc).any(|i| eq(argv.get(i), "get"));
            vec![KeyRef {
                pos: 1,
                flags: if get {
                    meta::KEY_RW | meta::KEY_ACCESS | meta::KEY_UPDATE
                } else {
                    meta::KEY_OW | meta::KEY_UPDATE
                },
            }]
        }
        "bitfieldGetKeys" => {
            let mut readonly = true;
            let mut i = 2;
            while i < argc {
                let rem = argc - i - 1;
                let a = argv.get(i);
                if eq(a, "get") && rem >= 2 {
                    i += 2;
                } else if (eq(a, "set") || eq(a, "incrby")) && rem >= 3 {
                    readonly = false;
                    break;
                } else if eq(a, "overflow") && rem >= 1 {
                    i += 1;
                } else {
                    readonly = false;
                    break;
                }
                i += 1;
            }
            vec![KeyRef {
                pos: 1,
                flags: if readonly {
                    meta::KEY_RO | meta::KEY_ACCESS
                } else {
                    meta::KEY_RW | meta::KEY_ACCESS | meta::KEY_UPDATE
                },
            }]
        }
        _ => Vec::new(),
    }
}

/// getKeysFromCommandWithSpecs: the key arguments of `argv` for the command
/// whose metadata is `m` (arity as in the table).
pub fn get_keys_from_command(m: &CommandMeta, argv: &Args, arity: i32) -> Vec<KeyRef> {
    let has_keyspec = m.key_specs.iter().any(|s| s.flags & meta::KEY_NOT_KEY == 0);
    let has_varflags = m
        .key_specs
        .iter()
        .any(|s| s.flags & meta::KEY_VARIABLE_FLAGS != 0);
    if has_keyspec && !has_varflags {
        if let Some(k) = keys_using_specs(m, argv, arity) {
            return k;
        }
    }
    match m.get_keys {
        Some(p) => keys_using_proc(p, argv),
        None => Vec::new(),
    }
}

/// doesCommandHaveKeys
pub fn command_has_keys(m: &CommandMeta) -> bool {
    m.get_keys.is_some() || m.key_specs.iter().any(|s| s.flags & meta::KEY_NOT_KEY == 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::OwnedArgs;

    fn keys(cmd: &str, args: &[&str]) -> Vec<String> {
        let m = meta::lookup(cmd).unwrap();
        let mut o = OwnedArgs::default();
        for a in args {
            o.push(a.as_bytes());
        }
        let a = o.args();
        get_keys_from_command(m, &a, m.arity)
            .iter()
            .map(|k| String::from_utf8_lossy(a.get(k.pos)).into_owned())
            .collect()
    }

    fn flags(cmd: &str, args: &[&str]) -> Vec<u16> {
        let m = meta::lookup(cmd).unwrap();
        let mut o = OwnedArgs::default();
        for a in args {
            o.push(a.as_bytes());
        }
        get_keys_from_command(m, &o.args(), m.arity)
            .iter()
            .map(|k| k.flags)
            .collect()
    }

    #[test]
    fn specs_cover_the_suite_cases() {
        // unit/introspection-2.tcl
        assert_eq!(keys("get", &["get", "key"]), ["key"]);
        assert_eq!(keys("memory|usage", &["memory", "usage", "key"]), ["key"]);
        assert_eq!(
            keys("xgroup|create", &["xgroup", "create", "key", "g", "$"]),
            ["key"]
        );
        assert_eq!(keys("eval", &["eval", "return 1", "1", "key"]), ["key"]);
        assert!(keys("eval", &["eval", "return 1", "0"]).is_empty());
        assert_eq!(keys("lcs", &["lcs", "key1", "key2"]), ["key1", "key2"]);
        assert_eq!(
            keys("mset", &["mset", "k1", "v1", "k2", "v2"]),
            ["k1", "k2"]
        );
        assert_eq!(
            flags("lmove", &["lmove", "k1", "k2", "left", "right"]),
            [
                meta::KEY_RW | meta::KEY_ACCESS | meta::KEY_DELETE,
                meta::KEY_RW | meta::KEY_INSERT
            ]
        );
        assert_eq!(
            flags("set", &["set", "k1", "v1"]),
            [meta::KEY_OW | meta::KEY_UPDATE]
        );
        assert_eq!(
            flags("set", &["set", "k1", "v1", "GET"]),
            [meta::KEY_RW | meta::KEY_ACCESS | meta::KEY_UPDATE]
        );
        // ZUNIONSTORE with > 256 keys.
        let mut args = vec![
            "zunionstore".to_string(),
            "target".to_string(),
            "300".to_string(),
        ];
        for i in 0..300 {
            args.push(format!("key{}", i));
        }
        let refs: Vec<&str> = args.iter().map(|s| s.as_str()).collect();
        let k = keys("zunionstore", &refs);
        assert_eq!(k.len(), 301);
        assert_eq!(k[0], "target");
        assert_eq!(k[300], "key299");
    }

    #[test]
    fn procs_fallbacks() {
        // unit/sort.tcl
        assert_eq!(
            keys("sort", &["sort", "abc", "store", "def"]),
            ["abc", "def"]
        );
        assert_eq!(keys("sort_ro", &["sort_ro", "abc"]), ["abc"]);
        assert_eq!(
            keys(
                "sort",
                &["sort", "abc", "store", "invalid", "store", "stillbad", "store", "def"]
            ),
            ["abc", "def"]
        );
        assert_eq!(
            flags("sort", &["sort", "k1", "store", "k2"]),
            [
                meta::KEY_RO | meta::KEY_ACCESS,
                meta::KEY_OW | meta::KEY_UPDATE
            ]
        );
        // unit/functions.tcl
        assert_eq!(keys("fcall", &["fcall", "test", "1", "x", "foo"]), ["x"]);
        // MIGRATE with KEYS
        assert_eq!(
            keys(
                "migrate",
                &["migrate", "h", "1", "", "0", "5000", "AUTH", "p", "KEYS", "a", "b"]
            ),
            ["a", "b"]
        );
        assert_eq!(
            keys("migrate", &["migrate", "h", "1", "k", "0", "5000"]),
            ["k"]
        );
        // XREAD with keyword spec
        assert_eq!(
            keys(
                "xread",
                &["xread", "COUNT", "2", "STREAMS", "s1", "s2", "0", "0"]
            ),
            ["s1", "s2"]
        );
        // BITFIELD read-only form
        assert_eq!(
            flags("bitfield", &["bitfield", "k", "get", "u8", "0"]),
            [meta::KEY_RO | meta::KEY_ACCESS]
        );
        assert_eq!(atoi(b"  -12xyz"), -12);
        assert_eq!(atoi(b"abc"), 0);
    }
}
