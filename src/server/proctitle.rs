//! The process title (`proc-title-template`, `set-proc-title`): what `ps`
//! shows for the server, e.g. `/usr/local/bin/redis-server 127.0.0.1:6379`,
//! `redis-sentinel *:26379 [sentinel]`, or `redis-rdb-bgsave ...` in a BGSAVE
//! child — Redis's redisSetProcTitle / expandProcTitleTemplate.
//!
//! Template syntax (sdstemplate): `{name}` is replaced by a variable, `{{`
//! is a literal `{`; unknown names and unterminated `{` make the template
//! invalid (CONFIG SET checks it with `config::table::valid_proc_title_template`).
//! The result is trimmed of spaces at both ends. Variables: title (argv[0]
//! as executed, or the child's name), listen-addr (first bind address or
//! `*`, then `:port`; `unixsocket:<path>` without TCP), server-mode
//! (`[sentinel]` or empty), config-file (absolute path or `-`), port,
//! tls-port (always 0: no TLS), unixsocket.
//!
//! The bytes are written by `sys::proctitle`.

use super::Server;
use crate::config::Config;
use std::cell::RefCell;

thread_local! {
    /// argv[0] exactly as the process was executed (server.exec_argv[0]).
    static EXEC_ARGV0: RefCell<String> = const { RefCell::new(String::new()) };
}

/// Remember argv[0] (main, before the arguments area is reused).
pub fn set_exec_argv0(argv0: &str) {
    EXEC_ARGV0.with(|a| *a.borrow_mut() = argv0.to_string());
}

fn variable(name: &str, title: &str, cfg: &Config, sentinel: bool) -> Option<String> {
    Some(match name {
        "title" => title.to_string(),
        "listen-addr" => {
            if cfg.port != 0 {
                let addr = cfg.bind.first().map(String::as_str).unwrap_or("*");
                format!("{}:{}", addr, cfg.port)
            } else {
                format!("unixsocket:{}", cfg.unixsocket.as_deref().unwrap_or(""))
            }
        }
        "server-mode" => if sentinel { "[sentinel]" } else { "" }.to_string(),
        "config-file" => cfg.config_file.clone().unwrap_or_else(|| "-".to_string()),
        "port" => cfg.port.to_string(),
        "tls-port" => "0".to_string(),
        "unixsocket" => cfg.unixsocket.clone().unwrap_or_default(),
        _ => return None,
    })
}

/// expandProcTitleTemplate: None when the template is invalid.
pub fn expand(template: &str, title: &str, cfg: &Config, sentinel: bool) -> Option<String> {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        if after.is_empty() {
            return None;
        }
        if let Some(stripped) = after.strip_prefix('{') {
            out.push('{');
            rest = stripped;
            continue;
        }
        let close = after.find('}')?;
        out.push_str(&variable(&after[..close], title, cfg, sentinel)?);
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    Some(out.trim_matches(' ').to_string())
}

/// redisSetProcTitle: show the expanded template, with `title` (a child's
/// name) or argv[0]. Callers check `set-proc-title` as Redis's do, except
/// CONFIG SET proc-title-template, which always applies.
pub fn set_proc_title(srv: &Server, title: Option<&str>) {
    let argv0 = EXEC_ARGV0.with(|a| a.borrow().clone());
    let title = title.unwrap_or(&argv0);
    if let Some(t) = expand(
        &srv.config.proc_title_template,
        title,
        &srv.config,
        srv.sentinel_mode,
    ) {
        crate::sys::proctitle::set_process_title(&t);
    }
}

/// The start-up / listener-change call sites: only with set-proc-title yes.
pub fn update_if_enabled(srv: &Server, title: Option<&str>) {
    if srv.config.set_proc_title {
        set_proc_title(srv, title);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg() -> Config {
        Config {
            port: 6379,
            bind: vec!["127.0.0.1".into(), "-::1".into()],
            config_file: Some("/etc/redis/6379.conf".into()),
            unixsocket: Some("/tmp/redis.sock".into()),
            ..Default::default()
        }
    }

    #[test]
    fn default_template() {
        let c = cfg();
        assert_eq!(
            expand(
                "{title} {listen-addr} {server-mode}",
                "/usr/local/bin/redis-server",
                &c,
                false
            )
            .as_deref(),
            Some("/usr/local/bin/redis-server 127.0.0.1:6379")
        );
        assert_eq!(
            expand(
                "{title} {listen-addr} {server-mode}",
                "redis-sentinel",
                &c,
                true
            )
            .as_deref(),
            Some("redis-sentinel 127.0.0.1:6379 [sentinel]")
        );
    }

    #[test]
    fn every_variable_and_quoting() {
        let mut c = cfg();
        assert_eq!(
            expand(
                "TEST {title} {listen-addr} {port} {tls-port} {unixsocket} {config-file} {{x}",
                "t",
                &c,
                false
            )
            .as_deref(),
            Some("TEST t 127.0.0.1:6379 6379 0 /tmp/redis.sock /etc/redis/6379.conf {x}")
        );
        c.port = 0;
        c.bind.clear();
        c.config_file = None;
        assert_eq!(
            expand("{listen-addr} {config-file}", "t", &c, false).as_deref(),
            Some("unixsocket:/tmp/redis.sock -")
        );
        c.port = 7000;
        assert_eq!(
            expand("{listen-addr}", "t", &c, false).as_deref(),
            Some("*:7000")
        );
    }

    #[test]
    fn invalid_templates() {
        let c = cfg();
        for t in ["{invalid-var}", "{title", "abc {", "{}"] {
            assert_eq!(expand(t, "x", &c, false), None, "{}", t);
        }
    }
}
