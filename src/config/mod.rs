//! TEMPORARY minimal config until the config helper delivers.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Loglevel {
    Debug,
    Verbose,
    Notice,
    Warning,
}
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ProtectedConfig {
    No,
    Yes,
    Local,
}
#[derive(Clone, Debug)]
pub struct Config {
    pub port: i64,
    pub bind: Vec<String>,
    pub tcp_backlog: i64,
    pub timeout: i64,
    pub tcp_keepalive: i64,
    pub unixsocket: String,
    pub unixsocketperm: i64,
    pub daemonize: bool,
    pub pidfile: String,
    pub logfile: String,
    pub loglevel: Loglevel,
    pub databases: i64,
    pub always_show_logo: bool,
    pub hz: i64,
    pub maxclients: i64,
    pub requirepass: Option<Vec<u8>>,
    pub protected_mode: bool,
    pub client_query_buffer_limit: i64,
    pub proto_max_bulk_len: i64,
    pub dir: String,
    pub dbfilename: String,
    pub save: Vec<(i64, i64)>,
    pub enable_debug_command: ProtectedConfig,
    pub notify_keyspace_events: u32,
    pub config_file: Option<String>,
}
impl Default for Config {
    fn default() -> Self {
        Config {
            port: 6379,
            bind: vec!["*".into(), "-::*".into()],
            tcp_backlog: 511,
            timeout: 0,
            tcp_keepalive: 300,
            unixsocket: String::new(),
            unixsocketperm: 0,
            daemonize: false,
            pidfile: String::new(),
            logfile: String::new(),
            loglevel: Loglevel::Notice,
            databases: 16,
            always_show_logo: false,
            hz: 10,
            maxclients: 10000,
            requirepass: None,
            protected_mode: true,
            client_query_buffer_limit: 1 << 30,
            proto_max_bulk_len: 512 << 20,
            dir: String::new(),
            dbfilename: "dump.rdb".into(),
            save: vec![(3600, 1), (300, 100), (60, 10000)],
            enable_debug_command: ProtectedConfig::No,
            notify_keyspace_events: 0,
            config_file: None,
        }
    }
}
pub struct LoadError {
    pub line_no: usize,
    pub line: String,
    pub reason: String,
}
impl LoadError {
    pub fn fatal_text(&self) -> String {
        format!("\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line {}\n>>> '{}'\n{}\n", self.line_no, self.line, self.reason)
    }
}
pub fn args_to_options_text(args: &[String]) -> Result<(Option<String>, String), String> {
    let mut file = None;
    let mut i = 0;
    let mut text = String::new();
    if let Some(a) = args.first() {
        if !a.starts_with("--") {
            file = Some(a.clone());
            i = 1;
        }
    }
    while i < args.len() {
        let a = &args[i];
        if let Some(n) = a.strip_prefix("--") {
            if !text.is_empty() {
                text.push('\n');
            }
            text.push_str(n);
        } else {
            text.push(' ');
            if a.is_empty() {
                text.push_str("\"\"");
            } else {
                text.push_str(a);
            }
        }
        i += 1;
    }
    Ok((file, text))
}
pub fn load_server_config(
    file: Option<&str>,
    options: &str,
    _sentinel: bool,
) -> Result<Config, LoadError> {
    let mut cfg = Config::default();
    let mut text = String::new();
    if let Some(f) = file {
        text = std::fs::read_to_string(f).map_err(|e| LoadError {
            line_no: 0,
            line: String::new(),
            reason: e.to_string(),
        })?;
        cfg.config_file = Some(f.to_string());
    }
    text.push('\n');
    text.push_str(options);
    let mut save_reset = false;
    for (n, line) in text.lines().enumerate() {
        let mut buf = Vec::new();
        let mut r = Vec::new();
        if line.trim_start().starts_with('#') {
            continue;
        }
        if !crate::resp::parse::split_args(line.as_bytes(), &mut buf, &mut r) {
            return Err(LoadError {
                line_no: n + 1,
                line: line.into(),
                reason: "Unbalanced quotes in configuration line".into(),
            });
        }
        if r.is_empty() {
            continue;
        }
        let a: Vec<String> = r
            .iter()
            .map(|&(x, y)| String::from_utf8_lossy(&buf[x..y]).into_owned())
            .collect();
        let name = a[0].to_ascii_lowercase();
        let v = a.get(1).cloned().unwrap_or_default();
        let int = |v: &str| v.parse::<i64>().unwrap_or(0);
        match name.as_str() {
            "port" => cfg.port = int(&v),
            "bind" => cfg.bind = a[1..].to_vec(),
            "timeout" => cfg.timeout = int(&v),
            "unixsocket" => cfg.unixsocket = v,
            "daemonize" => cfg.daemonize = v == "yes",
            "pidfile" => cfg.pidfile = v,
            "logfile" => cfg.logfile = v,
            "databases" => cfg.databases = int(&v),
            "always-show-logo" => cfg.always_show_logo = v == "yes",
            "hz" => cfg.hz = int(&v),
            "maxclients" => cfg.maxclients = int(&v),
            "requirepass" => {
                cfg.requirepass = if v.is_empty() {
                    None
                } else {
                    Some(v.into_bytes())
                }
            }
            "protected-mode" => cfg.protected_mode = v == "yes",
            "dir" => {
                let _ = std::env::set_current_dir(&v);
                cfg.dir = v
            }
            "dbfilename" => cfg.dbfilename = v,
            "loglevel" => {
                cfg.loglevel = match v.as_str() {
                    "debug" => Loglevel::Debug,
                    "verbose" => Loglevel::Verbose,
                    "warning" => Loglevel::Warning,
                    _ => Loglevel::Notice,
                }
            }
            "enable-debug-command" => {
                cfg.enable_debug_command = match v.as_str() {
                    "yes" => ProtectedConfig::Yes,
                    "local" => ProtectedConfig::Local,
                    _ => ProtectedConfig::No,
                }
            }
            "save" => {
                if !save_reset {
                    cfg.save.clear();
                    save_reset = true;
                }
                let mut i = 1;
                while i + 1 < a.len() {
                    cfg.save.push((int(&a[i]), int(&a[i + 1])));
                    i += 2;
                }
            }
            _ => {}
        }
    }
    Ok(cfg)
}
pub fn config_get(_cfg: &Config, _patterns: &[&[u8]]) -> Vec<(String, String)> {
    Vec::new()
}
