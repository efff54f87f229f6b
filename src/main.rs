//! Entry point: picks the mode from argv[0] (`redis-server`, `redis-sentinel`,
//! `redis-check-rdb`) or `--sentinel`, loads the configuration the way Redis's
//! main() does, then starts the server.
mod checksys;

use ferrodis::config;
use ferrodis::server::{Server, REDIS_VERSION};
use ferrodis::{log, server_log, sys};

#[global_allocator]
static GLOBAL: ferrodis::sys::alloc::CountingAlloc = ferrodis::sys::alloc::CountingAlloc;

fn version_line() -> String {
    format!(
        "Redis server v={} sha=00000000:0 malloc=libc bits=64 build=ferrodis-{}",
        REDIS_VERSION,
        env!("CARGO_PKG_VERSION")
    )
}

fn log_level(l: config::Loglevel) -> log::Level {
    match l {
        config::Loglevel::Debug => log::Level::Debug,
        config::Loglevel::Verbose => log::Level::Verbose,
        config::Loglevel::Notice => log::Level::Notice,
        config::Loglevel::Warning => log::Level::Warning,
    }
}

fn usage() -> ! {
    eprintln!("Usage: ./redis-server [/path/to/redis.conf] [options] [-]");
    eprintln!("       ./redis-server - (read config from stdin)");
    eprintln!("       ./redis-server -v or --version");
    eprintln!("       ./redis-server -h or --help");
    eprintln!("       ./redis-server --test-memory <megabytes>");
    eprintln!("       ./redis-server [/path/to/redis.conf] --check-system");
    eprintln!();
    eprintln!("Examples:");
    eprintln!("       ./redis-server (run the server with default conf)");
    eprintln!("       echo 'maxmemory 128mb' | ./redis-server -");
    eprintln!("       ./redis-server /etc/redis/6379.conf");
    eprintln!("       ./redis-server --port 7777");
    eprintln!("       ./redis-server --port 7777 --replicaof 127.0.0.1 8888");
    eprintln!("       ./redis-server /etc/myredis.conf --loglevel verbose -");
    eprintln!("       ./redis-server /etc/myredis.conf --loglevel verbose");
    eprintln!();
    eprintln!("Sentinel mode:");
    eprintln!("       ./redis-server /etc/sentinel.conf --sentinel");
    std::process::exit(1);
}

fn main() {
    let argv: Vec<String> = std::env::args().collect();
    let exe = argv.first().cloned().unwrap_or_default();
    ferrodis::server::proctitle::set_exec_argv0(&exe);
    let exec_name = std::path::Path::new(&exe)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if exec_name.contains("redis-check-rdb") {
        std::process::exit(ferrodis::rdb::check::check_rdb_main(&argv));
    }
    let mut args: Vec<String> = argv.iter().skip(1).cloned().collect();
    let sentinel_mode = exe.contains("redis-sentinel") || args.iter().any(|a| a == "--sentinel");
    args.retain(|a| a != "--sentinel");
    // `--check-system` anywhere: check the system against the configuration
    // given by the other arguments instead of starting (see checksys.rs).
    let check_system = args.iter().any(|a| a == "--check-system");
    args.retain(|a| a != "--check-system");

    if let Some(first) = args.first() {
        match first.as_str() {
            "-v" | "--version" => {
                println!("{}", version_line());
                return;
            }
            "-h" | "--help" => usage(),
            _ => {}
        }
    }

    sys::tzset();
    let (config_file, options) = match config::args_to_options_text(&args) {
        Ok(x) => x,
        Err(e) => {
            eprintln!("{}", e);
            std::process::exit(1);
        }
    };
    let config_file_abs = config_file.as_ref().map(|f| {
        if f == "-" || f.starts_with('/') {
            f.clone()
        } else {
            std::env::current_dir()
                .map(|d| d.join(f).to_string_lossy().into_owned())
                .unwrap_or_else(|_| f.clone())
        }
    });
    let mut cfg = match config::load_server_config(config_file.as_deref(), &options, sentinel_mode)
    {
        Ok(c) => c,
        Err(e) => {
            if e.kind == config::LoadErrorKind::CantOpen {
                // Redis logs this one (serverLog, role C) instead of the
                // FATAL block on stderr.
                log::set_role(b'C');
                server_log!(Warning, "{}", e.fatal_text());
            } else {
                eprint!("{}", e.fatal_text());
            }
            std::process::exit(1);
        }
    };
    if let Some(f) = config_file_abs {
        if f != "-" {
            cfg.config_file = Some(f);
        }
    }

    if check_system {
        std::process::exit(checksys::check_system(&cfg));
    }

    // Sentinel mode: load the `sentinel` lines (FATAL on error, as Redis's
    // loadSentinelConfigFromQueue), then require a writable config file.
    let sentinel = if sentinel_mode {
        log::set_role(b'X');
        log::setup(&cfg.logfile, log_level(cfg.loglevel));
        let s = match ferrodis::sentinel::config::load(&cfg) {
            Ok(s) => s,
            Err(e) => {
                eprint!("{}", e.fatal_text());
                std::process::exit(1);
            }
        };
        if let Err(msg) = ferrodis::sentinel::config::check_config_file(&cfg) {
            server_log!(Warning, "{}", msg);
            std::process::exit(1);
        }
        Some(Box::new(s))
    } else {
        None
    };

    if cfg.daemonize {
        if let Err(e) = sys::process::daemonize() {
            eprintln!("Can't daemonize: {}", e);
            std::process::exit(1);
        }
    }
    log::setup(&cfg.logfile, log_level(cfg.loglevel));
    log::set_role(if sentinel_mode { b'X' } else { b'C' });
    server_log!(Warning, "oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo");
    server_log!(
        Warning,
        "Redis version={}, bits=64, commit=00000000, modified=0, pid={}, just started",
        REDIS_VERSION,
        sys::process::getpid()
    );
    if argv.len() == 1 {
        server_log!(Warning, "Warning: no config file specified, using the default config. In order to specify a config file use {} /path/to/redis.conf", exe);
    } else {
        server_log!(Warning, "Configuration loaded");
    }
    log::set_role(if sentinel_mode { b'X' } else { b'M' });

    let exe_abs = std::fs::canonicalize(&exe)
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or(exe.clone());
    let mut srv = match Server::new(cfg, exe_abs, sentinel_mode) {
        Ok(s) => s,
        Err(e) => {
            server_log!(
                Warning,
                "Failed creating the event loop. Error message: '{}'",
                e
            );
            std::process::exit(1);
        }
    };
    if !srv.sentinel_mode {
        // `replicaof` in the config: connect from the first replication cron.
        ferrodis::replication::replica::init_from_config(&mut srv);
    }
    srv.sentinel = sentinel;
    sys::signal::setup_signal_handlers();
    srv.adjust_open_files_limit();
    server_log!(Notice, "monotonic clock: POSIX clock_gettime");
    if srv.listen_all().is_err() {
        std::process::exit(1);
    }
    ferrodis::server::proctitle::update_if_enabled(&srv, None);
    if srv.config.daemonize || srv.config.pidfile.is_some() {
        srv.create_pid_file();
    }
    srv.show_banner();
    srv.linux_memory_warnings();
    if srv.sentinel_mode {
        // sentinelIsRunning: Redis logs no "Ready to accept" in this mode.
        ferrodis::sentinel::is_running(&mut srv);
    } else {
        ferrodis::rdb::load_data_from_disk(&mut srv);
        server_log!(Notice, "Ready to accept connections");
    }
    let code = srv.run();
    std::process::exit(code);
}
