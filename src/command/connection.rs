//! Connection commands: PING, ECHO, QUIT, RESET, AUTH, HELLO, CLIENT *
//! (Redis's networking.c / server.c / acl.c connection handlers).
//!
//! Authentication: ferrodis has Redis's `default` user only for now; its
//! password is `requirepass` (none = `nopass`, any password accepted).
use crate::client::{flags, Args, Client};
use crate::error::{self, CmdResult, Error};
use crate::server::{Server, REDIS_VERSION};
use crate::util::num::string2ll;

/// PING [message]
pub fn ping_command(_srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    if args.len() > 2 {
        return Err(error::wrong_args("ping"));
    }
    if c.has(flags::PUBSUB) && c.reply.resp == 2 {
        c.reply.array_len(2);
        c.reply.bulk(b"pong");
        c.reply
            .bulk(if args.len() == 1 { b"" } else { args.get(1) });
        return Ok(());
    }
    if args.len() == 1 {
        c.reply.raw(b"+PONG\r\n");
    } else {
        c.reply.bulk(args.get(1));
    }
    Ok(())
}

/// ECHO message
pub fn echo_command(_srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    c.reply.bulk(args.get(1));
    Ok(())
}

/// QUIT: reply OK and close once the reply is written.
pub fn quit_command(_srv: &mut Server, c: &mut Client, _args: &Args) -> CmdResult {
    c.reply.ok();
    c.flags |= flags::CLOSE_AFTER_REPLY;
    Ok(())
}

/// RESET: back to a fresh connection's state (db 0, RESP2, no name, ...).
pub fn reset_command(srv: &mut Server, c: &mut Client, _args: &Args) -> CmdResult {
    c.db = 0;
    c.reply.resp = 2;
    c.name = None;
    c.flags &= !(flags::MULTI
        | flags::DIRTY_CAS
        | flags::DIRTY_EXEC
        | flags::NO_EVICT
        | flags::REPLY_OFF
        | flags::REPLY_SKIP
        | flags::REPLY_SKIP_NEXT);
    c.mstate.clear();
    // clearClientConnectionState: drop every (P|S)SUBSCRIBE silently.
    srv.pubsub_forget_client(c);
    c.reply.enabled = true;
    c.authenticated = srv.config.requirepass.is_none();
    c.user = "default".to_string();
    c.reply.status(b"RESET");
    Ok(())
}

/// Check `user`/`pass` against the users we know (ACLAuthenticateUser).
pub fn authenticate(srv: &mut Server, c: &mut Client, user: &[u8], pass: &[u8]) -> bool {
    if user != b"default" {
        return false;
    }
    let ok = match &srv.config.requirepass {
        None => true,
        Some(p) => p.as_slice() == pass,
    };
    if ok {
        c.authenticated = true;
        c.user = "default".to_string();
    }
    ok
}

/// AUTH [username] password
pub fn auth_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    if args.len() > 3 {
        return Err(error::SYNTAX);
    }
    let (user, pass): (&[u8], &[u8]) = if args.len() == 2 {
        if srv.config.requirepass.is_none() {
            return Err(Error::new("ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?"));
        }
        (b"default", args.get(1))
    } else {
        (args.get(1), args.get(2))
    };
    if authenticate(srv, c, user, pass) {
        c.reply.ok();
        Ok(())
    } else {
        Err(error::WRONGPASS)
    }
}

/// Validate and set a client name (clientSetNameOrReply).
fn set_client_name(c: &mut Client, name: &[u8]) -> CmdResult {
    if name.is_empty() {
        c.name = None;
        return Ok(());
    }
    if name.iter().any(|&b| !(b'!'..=b'~').contains(&b)) {
        return Err(Error::new(
            "ERR Client names cannot contain spaces, newlines or special characters.",
        ));
    }
    c.name = Some(name.to_vec());
    Ok(())
}

/// HELLO [protover [AUTH username password] [SETNAME clientname]]
pub fn hello_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let mut ver = 0;
    let mut j = 1;
    if args.len() >= 2 {
        ver = string2ll(args.get(1)).ok_or(Error::new(
            "ERR Protocol version is not an integer or out of range",
        ))?;
        if !(2..=3).contains(&ver) {
            return Err(Error::new("NOPROTO unsupported protocol version"));
        }
        j = 2;
    }
    let mut new_name: Option<&[u8]> = None;
    while j < args.len() {
        let more = args.len() - 1 - j;
        let opt = args.get(j);
        if opt.eq_ignore_ascii_case(b"AUTH") && more >= 2 {
            if !authenticate(srv, c, args.get(j + 1), args.get(j + 2)) {
                return Err(error::WRONGPASS);
            }
            j += 3;
        } else if opt.eq_ignore_ascii_case(b"SETNAME") && more >= 1 {
            let n = args.get(j + 1);
            if !n.is_empty() && n.iter().any(|&b| !(b'!'..=b'~').contains(&b)) {
                return Err(Error::new(
                    "ERR Client names cannot contain spaces, newlines or special characters.",
                ));
            }
            new_name = Some(n);
            j += 2;
        } else {
            return Err(Error::msg(format!(
                "ERR Syntax error in HELLO option '{}'",
                String::from_utf8_lossy(opt)
            )));
        }
    }
    if !c.authenticated {
        return Err(Error::new("NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time"));
    }
    if let Some(n) = new_name {
        set_client_name(c, n)?;
    }
    if ver != 0 {
        c.reply.resp = ver as u8;
    }
    let r = &mut c.reply;
    r.map_len(if srv.sentinel_mode { 6 } else { 7 });
    r.bulk(b"server");
    r.bulk(b"redis");
    r.bulk(b"version");
    r.bulk(REDIS_VERSION.as_bytes());
    r.bulk(b"proto");
    r.int(r.resp as i64);
    r.bulk(b"id");
    r.int(c.id as i64);
    r.bulk(b"mode");
    r.bulk(if srv.sentinel_mode {
        b"sentinel"
    } else {
        b"standalone"
    });
    if !srv.sentinel_mode {
        r.bulk(b"role");
        r.bulk(b"master");
    }
    r.bulk(b"modules");
    r.empty_array();
    Ok(())
}

// ---------------------------------------------------------------------------
// CLIENT
// ---------------------------------------------------------------------------

pub fn client_id_command(_srv: &mut Server, c: &mut Client, _args: &Args) -> CmdResult {
    c.reply.int(c.id as i64);
    Ok(())
}

pub fn client_getname_command(_srv: &mut Server, c: &mut Client, _args: &Args) -> CmdResult {
    match c.name.clone() {
        Some(n) => c.reply.bulk(&n),
        None => c.reply.null(),
    }
    Ok(())
}

pub fn client_setname_command(_srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    set_client_name(c, args.get(1 + 1))?;
    c.reply.ok();
    Ok(())
}

/// The client type names CLIENT LIST TYPE / CLIENT KILL TYPE accept.
fn client_type_matches(c: &Client, t: &[u8]) -> Option<bool> {
    let t = t.to_ascii_lowercase();
    Some(match t.as_slice() {
        b"normal" => !c.has(flags::SLAVE | flags::MASTER | flags::PUBSUB),
        b"slave" | b"replica" => c.has(flags::SLAVE) && !c.has(flags::MONITOR),
        b"pubsub" => c.has(flags::PUBSUB),
        b"master" => c.has(flags::MASTER),
        _ => return None,
    })
}

/// CLIENT LIST [TYPE normal|master|replica|pubsub] [ID id [id ...]]
pub fn client_list_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let mut type_filter: Option<&[u8]> = None;
    let mut ids: Vec<u64> = Vec::new();
    if args.len() == 4 && args.get(2).eq_ignore_ascii_case(b"type") {
        if client_type_matches(c, args.get(3)).is_none() {
            return Err(Error::msg(format!(
                "ERR Unknown client type '{}'",
                String::from_utf8_lossy(args.get(3))
            )));
        }
        type_filter = Some(args.get(3));
    } else if args.len() > 3 && args.get(2).eq_ignore_ascii_case(b"id") {
        for i in 3..args.len() {
            match string2ll(args.get(i)) {
                Some(n) if n > 0 => ids.push(n as u64),
                _ => return Err(Error::new("ERR Invalid client ID")),
            }
        }
    } else if args.len() != 2 {
        return Err(error::SYNTAX);
    }
    let mut out = String::new();
    let mut all: Vec<&Client> = srv.clients.iter().flatten().map(|b| &**b).collect();
    all.push(c);
    all.sort_by_key(|x| x.id);
    for x in all {
        if let Some(t) = type_filter {
            if client_type_matches(x, t) != Some(true) {
                continue;
            }
        }
        if !ids.is_empty() && !ids.contains(&x.id) {
            continue;
        }
        out.push_str(&srv.client_info_string(x));
        out.push('\n');
    }
    c.reply.verbatim(out.as_bytes(), "txt");
    Ok(())
}

pub fn client_info_command(srv: &mut Server, c: &mut Client, _args: &Args) -> CmdResult {
    let mut s = srv.client_info_string(c);
    s.push('\n');
    c.reply.verbatim(s.as_bytes(), "txt");
    Ok(())
}

/// CLIENT KILL addr:port | CLIENT KILL [ID id] [TYPE t] [USER u] [ADDR a] [LADDR a] [SKIPME yes|no] ...
pub fn client_kill_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let old_style = args.len() == 3;
    let mut id: Option<u64> = None;
    let mut ctype: Option<Vec<u8>> = None;
    let mut user: Option<Vec<u8>> = None;
    let mut addr: Option<Vec<u8>> = None;
    let mut laddr: Option<Vec<u8>> = None;
    let mut skipme = true;
    if old_style {
        addr = Some(args.get(2).to_vec());
        skipme = false;
    } else {
        let mut i = 2;
        while i < args.len() {
            if i + 1 >= args.len() {
                return Err(error::SYNTAX);
            }
            let opt = args.get(i).to_ascii_lowercase();
            let val = args.get(i + 1);
            match opt.as_slice() {
                b"id" => match string2ll(val) {
                    Some(n) if n > 0 => id = Some(n as u64),
                    _ => return Err(Error::new("ERR client-id should be greater than 0")),
                },
                b"type" => {
                    if client_type_matches(c, val).is_none() {
                        return Err(Error::msg(format!(
                            "ERR Unknown client type '{}'",
                            String::from_utf8_lossy(val)
                        )));
                    }
                    ctype = Some(val.to_vec());
                }
                b"user" => user = Some(val.to_vec()),
                b"addr" => addr = Some(val.to_vec()),
                b"laddr" => laddr = Some(val.to_vec()),
                b"skipme" => {
                    if val.eq_ignore_ascii_case(b"yes") {
                        skipme = true;
                    } else if val.eq_ignore_ascii_case(b"no") {
                        skipme = false;
                    } else {
                        return Err(error::SYNTAX);
                    }
                }
                _ => return Err(error::SYNTAX),
            }
            i += 2;
        }
    }
    let matches = |x: &Client| -> bool {
        if let Some(a) = &addr {
            if x.addr.as_bytes() != a.as_slice() {
                return false;
            }
        }
        if let Some(a) = &laddr {
            if x.laddr.as_bytes() != a.as_slice() {
                return false;
            }
        }
        if let Some(t) = &ctype {
            if client_type_matches(x, t) != Some(true) {
                return false;
            }
        }
        if let Some(i) = id {
            if x.id != i {
                return false;
            }
        }
        if let Some(u) = &user {
            if x.user.as_bytes() != u.as_slice() {
                return false;
            }
        }
        true
    };
    let mut killed = 0;
    let victims: Vec<i32> = srv
        .clients
        .iter()
        .flatten()
        .filter(|x| matches(x))
        .map(|x| x.fd)
        .collect();
    for fd in victims {
        if let Some(mut v) = srv.clients.get_mut(fd as usize).and_then(|s| s.take()) {
            srv.close_client_async(&mut v);
            if let Some(slot) = srv.clients.get_mut(fd as usize) {
                *slot = Some(v);
            }
            killed += 1;
        }
    }
    if matches(c) && !skipme {
        c.flags |= flags::CLOSE_AFTER_REPLY;
        killed += 1;
    }
    if old_style {
        if killed == 0 {
            return Err(Error::new("ERR No such client"));
        }
        c.reply.ok();
    } else {
        c.reply.int(killed);
    }
    Ok(())
}

/// CLIENT PAUSE timeout [WRITE|ALL]
pub fn client_pause_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let ms = string2ll(args.get(2))
        .ok_or(Error::new("ERR timeout is not an integer or out of range"))?;
    if ms < 0 {
        return Err(Error::new("ERR timeout is negative"));
    }
    let mut write_only = false;
    if args.len() == 4 {
        if args.get(3).eq_ignore_ascii_case(b"write") {
            write_only = true;
        } else if !args.get(3).eq_ignore_ascii_case(b"all") {
            return Err(Error::new("ERR CLIENT PAUSE mode must be WRITE or ALL"));
        }
    } else if args.len() > 4 {
        return Err(error::SYNTAX);
    }
    use crate::server::pause::{PausePurpose, PauseType};
    let kind = if write_only {
        PauseType::Write
    } else {
        PauseType::All
    };
    srv.pause_clients(
        PausePurpose::ClientCommand,
        srv.now_ms.saturating_add(ms),
        kind,
    );
    c.reply.ok();
    Ok(())
}

pub fn client_unpause_command(srv: &mut Server, c: &mut Client, _args: &Args) -> CmdResult {
    srv.unpause_clients(crate::server::pause::PausePurpose::ClientCommand);
    c.reply.ok();
    Ok(())
}

/// CLIENT REPLY ON|OFF|SKIP
pub fn client_reply_command(_srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let mode = args.get(2);
    if mode.eq_ignore_ascii_case(b"on") {
        c.flags &= !(flags::REPLY_SKIP | flags::REPLY_OFF);
        c.reply.enabled = true;
        c.reply.ok();
    } else if mode.eq_ignore_ascii_case(b"off") {
        c.flags |= flags::REPLY_OFF;
        c.reply.enabled = false;
    } else if mode.eq_ignore_ascii_case(b"skip") {
        if !c.has(flags::REPLY_OFF) {
            c.flags |= flags::REPLY_SKIP_NEXT;
        }
    } else {
        return Err(error::SYNTAX);
    }
    Ok(())
}

pub fn client_no_evict_command(_srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let v = args.get(2);
    if v.eq_ignore_ascii_case(b"on") {
        c.flags |= flags::NO_EVICT;
    } else if v.eq_ignore_ascii_case(b"off") {
        c.flags &= !flags::NO_EVICT;
    } else {
        return Err(error::SYNTAX);
    }
    c.reply.ok();
    Ok(())
}

pub fn client_help_command(_srv: &mut Server, c: &mut Client, _args: &Args) -> CmdResult {
    let lines: &[&str] = &[
        "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "CACHING (YES|NO)",
        "    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
        "GETREDIR",
        "    Return the client ID we are redirecting to when tracking is enabled.",
        "GETNAME",
        "    Return the name of the current connection.",
        "ID",
        "    Return the ID of the current connection.",
        "INFO",
        "    Return information about the current client connection.",
        "KILL <ip:port>",
        "    Kill connection made from <ip:port>.",
        "KILL <option> <value> [<option> <value> [...]]",
        "    Kill connections. Options are:",
        "    * ADDR (<ip:port>|<unixsocket>:0)",
        "      Kill connections made from the specified address",
        "    * LADDR (<ip:port>|<unixsocket>:0)",
        "      Kill connections made to specified local address",
        "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
        "      Kill connections by type.",
        "    * USER <username>",
        "      Kill connections authenticated by <username>.",
        "    * SKIPME (YES|NO)",
        "      Skip killing current connection (default: yes).",
        "    * ID <client-id>",
        "      Kill connections by client id.",
        "LIST [options ...]",
        "    Return information about client connections. Options:",
        "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
        "      Return clients of specified type.",
        "UNPAUSE",
        "    Stop the current client pause, resuming traffic.",
        "PAUSE <timeout> [WRITE|ALL]",
        "    Suspend all, or just write, clients for <timeout> milliseconds.",
        "REPLY (ON|OFF|SKIP)",
        "    Control the replies sent to the current connection.",
        "SETNAME <name>",
        "    Assign the name <name> to the current connection.",
        "UNBLOCK <clientid> [TIMEOUT|ERROR]",
        "    Unblock the specified blocked client.",
        "TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
        "         [OPTIN] [OPTOUT] [NOLOOP]",
        "    Control server assisted client side caching.",
        "TRACKINGINFO",
        "    Report tracking status for the current connection.",
        "NO-EVICT (ON|OFF)",
        "    Protect current client connection from eviction.",
        "HELP",
        "    Print this help.",
    ];
    c.reply.array_len(lines.len());
    for l in lines {
        c.reply.status(l.as_bytes());
    }
    Ok(())
}

/// CLIENT UNBLOCK client-id [TIMEOUT|ERROR]
pub fn client_unblock_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let id =
        string2ll(args.get(2)).ok_or(Error::new("ERR value is not an integer or out of range"))?;
    let mut with_error = false;
    if args.len() == 4 {
        if args.get(3).eq_ignore_ascii_case(b"error") {
            with_error = true;
        } else if !args.get(3).eq_ignore_ascii_case(b"timeout") {
            return Err(Error::new(
                "ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR",
            ));
        }
    } else if args.len() > 4 {
        return Err(error::SYNTAX);
    }
    let target = srv
        .clients
        .iter()
        .flatten()
        .find(|x| x.id == id as u64 && x.has(flags::BLOCKED))
        .map(|x| x.fd)
        .filter(|&fd| srv.is_unblockable(fd));
    match target {
        Some(fd) => {
            if with_error {
                srv.unblock_client_with_error(fd, "UNBLOCKED client unblocked via CLIENT UNBLOCK");
            } else {
                srv.unblock_client_with_timeout(fd);
            }
            c.reply.int(1);
        }
        None => c.reply.int(0),
    }
    Ok(())
}
