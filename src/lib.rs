//! ferrodis: a drop-in replacement for the Redis 7.0.15 server and Sentinel.
//!
//! Layout (one folder per concept; see each file's header):
//!
//! ```text
//! main.rs        argv[0] / --sentinel / check-rdb mode, config, daemonize, run
//! sys/           the ONLY place with unsafe/libc: epoll, sockets, processes, signals, allocator
//! server/        Server state, event loop, dispatch (mod.rs), cron, INFO, keyspace policy, start-up
//! client.rs      a connection: query buffer, parser state, reply buffer, flags
//! resp/          request parser (multibulk + inline) and reply encoder (RESP2/RESP3)
//! command/       mod.rs = the single command table; one file per command family
//! db/            keyspace dicts, values and their encodings
//! rdb/           RDB snapshots: format, SAVE/BGSAVE (fork), load, redis-check-rdb
//! replication/   master/replica replication (PSYNC2, backlog, full sync, WAIT, FAILOVER)
//! sentinel/      Sentinel mode: monitoring, SDOWN/ODOWN, election, failover, SENTINEL
//! types/         the collection value types (list, hash, set, zset) over those encodings
//! config/        the directive table: parse, CONFIG GET/SET/REWRITE
//! util/          number parsing/formatting, glob matching, CRC64, LZF, PRNG
//! log.rs         Redis's log line format, per-line open/append/close
//! error.rs       command errors with Redis's exact texts
//! ```
//!
//! Request flow: epoll wait → `Server::read_from_client` → `resp::parse` →
//! `Server::process_command` (lookup, arity, auth, flag checks) → `Server::call`
//! → `command::<family>::<name>_command` → reply bytes appended to the client's
//! buffer → `Server::before_sleep` writes them → write commands that changed the
//! dataset reach `Server::propagate` (replication/AOF hook).
pub mod client;
pub mod command;
pub mod config;
pub mod db;
pub mod error;
pub mod log;
pub mod rdb;
pub mod replication;
pub mod resp;
pub mod sentinel;
pub mod server;
pub mod sys;
pub mod types;
pub mod util;

pub use sys::alloc;
