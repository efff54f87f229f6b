#!/usr/bin/env python3
"""Generate src/command/meta.rs from Redis 7.0.15's src/commands/*.json.

The JSON files are the source Redis itself generates its commands.c from
(utils/generate-command-code.py). We keep the facts COMMAND INFO / DOCS /
GETKEYS need and the dispatcher does not: summary, since, group,
complexity, doc flags, deprecation, history, tips, key specs and the
argument tree, plus the legacy (first, last, step) range and movablekeys
flag Redis derives from the key specs at start-up
(populateCommandLegacyRangeSpec), so a unit test can check the hand-written
command table against Redis's own metadata.

Usage: scripts/gen-command-meta.py [JSON_DIR] > src/command/meta.rs
Default JSON_DIR: /var/tmp/redis-suite-src/redis-7.0.15/src/commands

Transformations follow generate-command-code.py: argument names are
lowercased, tokens uppercased, tips lowercased, empty strings are "absent",
group "sorted_set" is reported as "sorted-set".
"""
import glob
import json
import os
import sys

JSON_DIR = sys.argv[1] if len(sys.argv) > 1 else "/var/tmp/redis-suite-src/redis-7.0.15/src/commands"

GROUPS = {
    "generic": "generic", "string": "string", "list": "list", "set": "set",
    "sorted_set": "sorted-set", "hash": "hash", "pubsub": "pubsub",
    "transactions": "transactions", "connection": "connection", "server": "server",
    "scripting": "scripting", "hyperloglog": "hyperloglog", "cluster": "cluster",
    "sentinel": "sentinel", "geo": "geo", "stream": "stream", "bitmap": "bitmap",
}

ARG_TYPES = {
    "string": "String", "integer": "Integer", "double": "Double", "key": "Key",
    "pattern": "Pattern", "unix-time": "UnixTime", "pure-token": "PureToken",
    "oneof": "OneOf", "block": "Block",
}

# Order = bit order = the order COMMAND INFO prints them (addReplyFlagsForKeyArgs).
KEY_FLAGS = ["RO", "RW", "OW", "RM", "ACCESS", "UPDATE", "INSERT", "DELETE",
             "NOT_KEY", "INCOMPLETE", "VARIABLE_FLAGS"]

# Implicit ACL categories (setImplicitACLCategories), in ACLCommandCategories order.
ACL_ORDER = ["keyspace", "read", "write", "set", "sortedset", "list", "hash", "string",
             "bitmap", "hyperloglog", "geo", "stream", "pubsub", "admin", "fast", "slow",
             "blocking", "dangerous", "connection", "transaction", "scripting"]


def rs_str(s):
    out = ['"']
    for ch in s:
        if ch == '"':
            out.append('\\"')
        elif ch == '\\':
            out.append('\\\\')
        elif ch == '\n':
            out.append('\\n')
        elif ch == '\r':
            out.append('\\r')
        elif ch == '\t':
            out.append('\\t')
        elif ord(ch) < 0x20:
            out.append('\\u{%x}' % ord(ch))
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def opt(s, upper=False):
    if not s:
        return "None"
    if upper:
        s = s.upper()
    return "Some(%s)" % rs_str(s)


def key_flags(flags):
    names = ["KEY_%s" % f for f in KEY_FLAGS if f in flags]
    for f in flags:
        if f not in KEY_FLAGS:
            raise SystemExit("unknown key spec flag %s" % f)
    return " | ".join(names) if names else "0"


def begin_search(bs):
    if "index" in bs and bs["index"]:
        return "BeginSearch::Index(%d)" % bs["index"]["pos"]
    if "keyword" in bs and bs["keyword"]:
        return "BeginSearch::Keyword(%s, %d)" % (rs_str(bs["keyword"]["keyword"]), bs["keyword"]["startfrom"])
    if "unknown" in bs:
        return "BeginSearch::Unknown"
    raise SystemExit("bad begin_search %r" % bs)


def find_keys(fk):
    if "range" in fk and fk["range"]:
        r = fk["range"]
        return "FindKeys::Range { lastkey: %d, keystep: %d, limit: %d }" % (r["lastkey"], r["step"], r["limit"])
    if "keynum" in fk and fk["keynum"]:
        k = fk["keynum"]
        return "FindKeys::Keynum { keynumidx: %d, firstkey: %d, keystep: %d }" % (k["keynumidx"], k["firstkey"], k["step"])
    if "unknown" in fk:
        return "FindKeys::Unknown"
    raise SystemExit("bad find_keys %r" % fk)


def legacy_range(specs):
    """populateCommandLegacyRangeSpec: (first, last, step, movablekeys)."""
    if not specs:
        return (0, 0, 0, False)

    def is_idx_range(s):
        return "index" in s["begin_search"] and "range" in s["find_keys"]

    if len(specs) == 1 and is_idx_range(specs[0]):
        s = specs[0]
        pos = s["begin_search"]["index"]["pos"]
        last = s["find_keys"]["range"]["lastkey"]
        if last >= 0:
            last += pos
        return (pos, last, s["find_keys"]["range"]["step"], "INCOMPLETE" in s["flags"])
    movable = False
    first = None
    lastkey = 0
    prev_last = 0
    u = lambda v: v & 0xffffffff
    for s in specs:
        if not is_idx_range(s):
            movable = True
            continue
        pos = s["begin_search"]["index"]["pos"]
        r = s["find_keys"]["range"]
        if r["step"] != 1 or (prev_last and prev_last != pos - 1):
            movable = True
            continue
        if "INCOMPLETE" in s["flags"]:
            movable = True
        first = pos if first is None else min(first, pos)
        abs_last = r["lastkey"]
        if abs_last >= 0:
            abs_last += pos
        lastkey = lastkey if u(lastkey) >= u(abs_last) else abs_last
        prev_last = lastkey
    if first is None:
        return (0, 0, 0, True)
    rel = lastkey if lastkey < 0 else lastkey - first
    last = rel if rel < 0 else rel + first
    return (first, last, 1, movable)


def implicit_acl(flags, cats):
    cats = set(c.lower() for c in cats)
    f = set(flags)
    if "WRITE" in f:
        cats.add("write")
    if "READONLY" in f and "scripting" not in cats:
        cats.add("read")
    if "ADMIN" in f:
        cats.update(["admin", "dangerous"])
    if "PUBSUB" in f:
        cats.add("pubsub")
    if "FAST" in f:
        cats.add("fast")
    if "BLOCKING" in f:
        cats.add("blocking")
    if "fast" not in cats:
        cats.add("slow")
    return " ".join("@" + c for c in ACL_ORDER if c in cats)


def arg_code(a, indent):
    flags = []
    if a.get("optional"):
        flags.append("ARG_OPTIONAL")
    if a.get("multiple"):
        flags.append("ARG_MULTIPLE")
    if a.get("multiple_token"):
        flags.append("ARG_MULTIPLE_TOKEN")
    sub = a.get("arguments", []) if a["type"] in ("oneof", "block") else []
    pad = " " * indent
    head = "%sArg { name: %s, kind: ArgType::%s, key_spec_index: %d, token: %s, summary: %s, since: %s, deprecated_since: %s, flags: %s, args: " % (
        pad, rs_str(a["name"].lower()), ARG_TYPES[a["type"]], a.get("key_spec_index", -1),
        opt(a.get("token"), upper=True), opt(a.get("summary")), opt(a.get("since")),
        opt(a.get("deprecated_since")), " | ".join(flags) if flags else "0")
    if not sub:
        return head + "&[] },\n"
    s = head + "&[\n"
    for x in sub:
        s += arg_code(x, indent + 4)
    s += pad + "] },\n"
    return s


def main():
    entries = {}
    for path in sorted(glob.glob(os.path.join(JSON_DIR, "*.json"))):
        with open(path) as f:
            d = json.load(f)
        for name, desc in d.items():
            container = desc.get("container")
            full = ("%s|%s" % (container, name) if container else name).lower()
            if full in entries:
                raise SystemExit("duplicate command %s (%s)" % (full, path))
            entries[full] = desc

    out = []
    w = out.append
    w("//! Redis 7.0.15 command metadata: GENERATED by scripts/gen-command-meta.py from\n")
    w("//! redis-7.0.15/src/commands/*.json. Do not edit by hand; re-run the script.\n")
    w("//!\n")
    w("//! One `CommandMeta` per command and subcommand of Redis (keyed by full name,\n")
    w("//! \"get\", \"config|get\"; sorted for binary search): what COMMAND INFO / DOCS /\n")
    w("//! GETKEYS report beyond the dispatch table of `mod.rs` (summary, since, group,\n")
    w("//! complexity, doc flags, deprecation, history, tips, key specs, arguments), and\n")
    w("//! the arity / flags / ACL categories / legacy key range Redis derives, which a\n")
    w("//! unit test compares with the hand-written table. Mirrors Redis's commands.c.\n")
    w("#![allow(clippy::all)]\n\n")
    w("/// Key spec flags (CMD_KEY_*), in the order COMMAND INFO prints them.\n")
    for i, f in enumerate(KEY_FLAGS):
        w("pub const KEY_%s: u16 = 1 << %d;\n" % (f, i))
    w("/// (bit, name) for replies: `RO`, `RW` ... uppercase, the rest lowercase.\n")
    w("pub const KEY_FLAG_NAMES: &[(u16, &str)] = &[\n")
    for f in KEY_FLAGS:
        shown = f if f in ("RO", "RW", "OW", "RM") else f.lower()
        w("    (KEY_%s, %s),\n" % (f, rs_str(shown)))
    w("];\n\n")
    w("/// Argument flags (CMD_ARG_*).\n")
    w("pub const ARG_OPTIONAL: u8 = 1;\npub const ARG_MULTIPLE: u8 = 2;\npub const ARG_MULTIPLE_TOKEN: u8 = 4;\n")
    w("/// Doc flags (CMD_DOC_*).\n")
    w("pub const DOC_DEPRECATED: u8 = 1;\npub const DOC_SYSCMD: u8 = 2;\n\n")
    w("#[derive(Debug, Clone, Copy, PartialEq, Eq)]\n")
    w("pub enum BeginSearch {\n    Index(i32),\n    /// (keyword, startfrom)\n    Keyword(&'static str, i32),\n    Unknown,\n}\n\n")
    w("#[derive(Debug, Clone, Copy, PartialEq, Eq)]\n")
    w("pub enum FindKeys {\n    Range {\n        lastkey: i32,\n        keystep: i32,\n        limit: i32,\n    },\n    Keynum {\n        keynumidx: i32,\n        firstkey: i32,\n        keystep: i32,\n    },\n    Unknown,\n}\n\n")
    w("#[derive(Debug)]\n")
    w("pub struct KeySpec {\n    pub notes: Option<&'static str>,\n    pub flags: u16,\n    pub bs: BeginSearch,\n    pub fk: FindKeys,\n}\n\n")
    w("#[derive(Debug, Clone, Copy, PartialEq, Eq)]\n")
    w("pub enum ArgType {\n    String,\n    Integer,\n    Double,\n    Key,\n    Pattern,\n    UnixTime,\n    PureToken,\n    OneOf,\n    Block,\n}\n\n")
    w("impl ArgType {\n    /// ARG_TYPE_STR of server.c.\n    pub fn name(self) -> &'static str {\n        match self {\n")
    for k, v in ARG_TYPES.items():
        w("            ArgType::%s => %s,\n" % (v, rs_str(k)))
    w("        }\n    }\n}\n\n")
    w("#[derive(Debug)]\n")
    w("pub struct Arg {\n    pub name: &'static str,\n    pub kind: ArgType,\n    /// -1: not a key\n    pub key_spec_index: i32,\n    pub token: Option<&'static str>,\n    pub summary: Option<&'static str>,\n    pub since: Option<&'static str>,\n    pub deprecated_since: Option<&'static str>,\n    pub flags: u8,\n    /// sub-arguments of `OneOf` / `Block`\n    pub args: &'static [Arg],\n}\n\n")
    w("#[derive(Debug)]\n")
    w("pub struct CommandMeta {\n")
    w("    /// Full lowercase name: \"get\", \"config|get\".\n    pub name: &'static str,\n")
    w("    pub summary: Option<&'static str>,\n    pub since: Option<&'static str>,\n")
    w("    /// COMMAND_GROUP_STR: \"string\", \"sorted-set\" ...\n    pub group: &'static str,\n")
    w("    pub complexity: Option<&'static str>,\n    /// DOC_* bits\n    pub doc_flags: u8,\n")
    w("    pub deprecated_since: Option<&'static str>,\n    pub replaced_by: Option<&'static str>,\n")
    w("    /// (version, change)\n    pub history: &'static [(&'static str, &'static str)],\n")
    w("    /// lowercase request/response tips\n    pub tips: &'static [&'static str],\n")
    w("    pub arity: i32,\n")
    w("    /// JSON command_flags, lowercase, space separated (\"readonly fast\").\n    pub flags: &'static str,\n")
    w("    /// ACL categories after setImplicitACLCategories, in ACL order (\"@read @string @fast\").\n    pub acl: &'static str,\n")
    w("    /// Legacy (first, last, step) key range derived from the key specs.\n    pub first_key: i32,\n    pub last_key: i32,\n    pub key_step: i32,\n")
    w("    /// Redis sets CMD_MOVABLE_KEYS for this command.\n    pub movablekeys: bool,\n")
    w("    /// Name of Redis's getkeys_proc, if any (\"sortGetKeys\").\n    pub get_keys: Option<&'static str>,\n")
    w("    pub key_specs: &'static [KeySpec],\n    pub args: &'static [Arg],\n}\n\n")
    w("/// Metadata of a command by full lowercase name (\"config|get\").\n")
    w("pub fn lookup(full_name: &str) -> Option<&'static CommandMeta> {\n")
    w("    COMMAND_META\n        .binary_search_by(|m| m.name.cmp(full_name))\n        .ok()\n        .and_then(|i| COMMAND_META.get(i))\n}\n\n")
    w("#[rustfmt::skip]\npub static COMMAND_META: &[CommandMeta] = &[\n")
    for full in sorted(entries):
        d = entries[full]
        specs = d.get("key_specs", [])
        first, last, step, movable = legacy_range(specs)
        doc = []
        for f in d.get("doc_flags", []):
            doc.append("DOC_%s" % f)
        w("CommandMeta {\n")
        w("    name: %s,\n" % rs_str(full))
        w("    summary: %s,\n" % opt(d.get("summary")))
        w("    since: %s,\n" % opt(d.get("since")))
        w("    group: %s,\n" % rs_str(GROUPS[d["group"]]))
        w("    complexity: %s,\n" % opt(d.get("complexity")))
        w("    doc_flags: %s,\n" % (" | ".join(doc) if doc else "0"))
        w("    deprecated_since: %s,\n" % opt(d.get("deprecated_since")))
        w("    replaced_by: %s,\n" % opt(d.get("replaced_by")))
        hist = d.get("history") or []
        w("    history: &[%s],\n" % ", ".join("(%s, %s)" % (rs_str(a), rs_str(b)) for a, b in hist))
        tips = d.get("command_tips") or []
        w("    tips: &[%s],\n" % ", ".join(rs_str(t.lower()) for t in tips))
        w("    arity: %d,\n" % d["arity"])
        w("    flags: %s,\n" % rs_str(" ".join(f.lower() for f in d.get("command_flags", []))))
        w("    acl: %s,\n" % rs_str(implicit_acl(d.get("command_flags", []), d.get("acl_categories", []))))
        w("    first_key: %d,\n    last_key: %d,\n    key_step: %d,\n" % (first, last, step))
        w("    movablekeys: %s,\n" % ("true" if movable else "false"))
        w("    get_keys: %s,\n" % opt(d.get("get_keys_function")))
        if specs:
            w("    key_specs: &[\n")
            for s in specs:
                w("        KeySpec { notes: %s, flags: %s, bs: %s, fk: %s },\n" % (
                    opt(s.get("notes")), key_flags(s.get("flags", [])),
                    begin_search(s["begin_search"]), find_keys(s["find_keys"])))
            w("    ],\n")
        else:
            w("    key_specs: &[],\n")
        args = d.get("arguments", [])
        if args:
            w("    args: &[\n")
            for a in args:
                w(arg_code(a, 8))
            w("    ],\n")
        else:
            w("    args: &[],\n")
        w("},\n")
    w("];\n")
    sys.stdout.write("".join(out))


if __name__ == "__main__":
    main()
