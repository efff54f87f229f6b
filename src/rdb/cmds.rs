//! The commands and server hooks of RDB persistence: SAVE, BGSAVE
//! [SCHEDULE], LASTSAVE (Redis's saveCommand, bgsaveCommand,
//! lastsaveCommand), the save step of shutdown (finishShutdown's RDB part),
//! FLUSHALL's kill-child-and-save (flushAllDataAndResetRDB), and the
//! stop-writes-on-bgsave-error check (writeCommandsDeniedByDiskError).
use super::child::{kill_rdb_child, rdb_save_background, remove_temp_file};
use super::save::{populate_save_info, rdb_save};
use super::*;
use crate::client::{Args, Client};
use crate::error::{self, CmdResult, Error};
use crate::server::Server;

/// shared.bgsaveerr (without the leading '-' and CRLF).
pub const MISCONF_BGSAVE_ERR: &str = "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands that may modify the data set are disabled, because this instance is configured to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB error.";

/// writeCommandsDeniedByDiskError (RDB part): writes are refused while the
/// last background save failed, save points exist and
/// stop-writes-on-bgsave-error is on.
pub fn write_commands_denied_by_disk_error(srv: &Server) -> bool {
    srv.config.stop_writes_on_bgsave_error
        && !srv.config.save.is_empty()
        && !srv.rdb_state.lastbgsave_ok
}

/// SAVE
pub fn save_command(srv: &mut Server, c: &mut Client, _args: &Args) -> CmdResult {
    if srv.rdb_state.child_type == ChildType::Rdb {
        return Err(Error::new("ERR Background save already in progress"));
    }
    srv.rdb_state.stat_rdb_saves += 1;
    let rsi = populate_save_info(srv);
    let filename = srv.config.dbfilename.clone();
    if rdb_save(srv, &filename, rsi.as_ref()).is_ok() {
        c.reply.ok();
        Ok(())
    } else {
        Err(Error::new("ERR"))
    }
}

/// BGSAVE [SCHEDULE]
pub fn bgsave_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let mut schedule = false;
    if args.len() > 1 {
        if args.len() == 2 && args.get(1).eq_ignore_ascii_case(b"schedule") {
            schedule = true;
        } else {
            return Err(error::SYNTAX);
        }
    }
    let rsi = populate_save_info(srv);
    if srv.rdb_state.child_type == ChildType::Rdb {
        return Err(Error::new("ERR Background save already in progress"));
    }
    if srv.rdb_state.has_active_child() || srv.in_exec {
        if schedule || srv.in_exec {
            srv.rdb_state.bgsave_scheduled = true;
            c.reply.status(b"Background saving scheduled");
            return Ok(());
        }
        return Err(Error::new("ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible."));
    }
    let filename = srv.config.dbfilename.clone();
    if rdb_save_background(srv, &filename, rsi.as_ref()).is_ok() {
        c.reply.status(b"Background saving started");
        Ok(())
    } else {
        Err(Error::new("ERR"))
    }
}

/// LASTSAVE
pub fn lastsave_command(srv: &mut Server, c: &mut Client, _args: &Args) -> CmdResult {
    c.reply.int(srv.lastsave);
    Ok(())
}

/// The RDB step of finishShutdown: kill a saving child, then save a final
/// snapshot when save points exist (unless `nosave`) or when `save` is
/// asked. Err when the save failed and `force` is not set (the caller then
/// cancels the shutdown).
pub fn shutdown_save(
    srv: &mut Server,
    nosave: bool,
    save: bool,
    force: bool,
) -> Result<(), SaveFailed> {
    if srv.rdb_state.child_type == ChildType::Rdb {
        crate::server_log!(Warning, "There is a child saving an .rdb. Killing it!");
        kill_rdb_child(srv);
        remove_temp_file(srv, srv.rdb_state.child_pid);
    }
    if (!srv.config.save.is_empty() && !nosave) || save {
        crate::server_log!(Notice, "Saving the final RDB snapshot before exiting.");
        let rsi = populate_save_info(srv);
        let filename = srv.config.dbfilename.clone();
        if rdb_save(srv, &filename, rsi.as_ref()).is_err() {
            if force {
                crate::server_log!(Warning, "Error trying to save the DB. Exit anyway.");
            } else {
                crate::server_log!(Warning, "Error trying to save the DB, can't exit.");
                return Err(SaveFailed);
            }
        }
    }
    Ok(())
}

/// flushAllDataAndResetRDB's RDB part, called by FLUSHALL after emptying
/// the dbs: stop a saving child (its snapshot is stale) and, with save
/// points, save the empty dataset at once (which resets `dirty`).
pub fn flushall_hook(srv: &mut Server) {
    if srv.rdb_state.child_type == ChildType::Rdb {
        kill_rdb_child(srv);
    }
    if !srv.config.save.is_empty() {
        let rsi = populate_save_info(srv);
        let filename = srv.config.dbfilename.clone();
        let _ = rdb_save(srv, &filename, rsi.as_ref());
    }
}
