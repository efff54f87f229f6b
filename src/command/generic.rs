//! Keyspace commands that work on any type: DEL, EXISTS, EXPIRE*, TTL*, KEYS,
//! SCAN, RENAME, MOVE, COPY, SELECT, SWAPDB, FLUSH*, OBJECT (Redis's db.c,
//! expire.c, object.c).
use crate::client::{Args, Client};
use crate::error::CmdResult;
use crate::server::Server;

pub fn copy_command(_srv: &mut Server, c: &mut Client, _args: &Args) -> CmdResult {
    c.reply.error("ERR not implemented yet");
    Ok(())
}

pub fn dbsize_command(_srv: &mut Server, c: &mut Client, _args: &Args) -> CmdResult {
    c.reply.error("ERR not implemented yet");
    Ok(())
}

pub fn del_command(_srv: &mut Server, c: &mut Client, _args: &Args) -> CmdResult {
    c.reply.error("ERR not implemented yet");
    Ok(())
}

pub fn exists_command(_srv: &mut Server, c: &mut Client, _args: &Args) -> CmdResult {
    c.reply.error("ERR not implemented yet");
    Ok(())
}

pub fn expire_command(_srv: &mut Server, c: &mut Client, _args: &Args) -> CmdResult {
    c.reply.error("ERR not implemented yet");
    Ok(())
}

pub fn expireat_command(_srv: &mut Server, c: &mut Client, _args: &Args) -> CmdResult {
    c.reply.error("ERR not implemented yet");
    Ok(())
}

pub fn expiretime_command(_srv: &mut Server, c: &mut Client, _args: &Args) -> CmdResult {
    c.reply.error("ERR not implemented yet");
    Ok(())
}

pub fn flushall_command(_srv: &mut Server, c: &mut Client, _args: &Args) -> CmdResult {
    c.reply.error("ERR not implemented yet");
    Ok(())
}

pub fn flushdb_command(_srv: &mut Server, c: &mut Client, _args: &Args) -> CmdResult {
    c.reply.error("ERR not implemented yet");
    Ok(())
}

pub fn keys_command(_srv: &mut Server, c: &mut Client, _args: &Args) -> CmdResult {
    c.reply.error("ERR not implemented yet");
    Ok(())
}

pub fn move_command(_srv: &mut Server, c: &mut Client, _args: &Args) -> CmdResult {
    c.reply.error("ERR not implemented yet");
    Ok(())
}

pub fn object_encoding_command(_srv: &mut Server, c: &mut Client, _args: &Args) -> CmdResult {
    c.reply.error("ERR not implemented yet");
    Ok(())
}

pub fn object_freq_command(_srv: &mut Server, c: &mut Client, _args: &Args) -> CmdResult {
    c.reply.error("ERR not implemented yet");
    Ok(())
}

pub fn object_help_command(_srv: &mut Server, c: &mut Client, _args: &Args) -> CmdResult {
    c.reply.error("ERR not implemented yet");
    Ok(())
}

pub fn object_idletime_command(_srv: &mut Server, c: &mut Client, _args: &Args) -> CmdResult {
    c.reply.error("ERR not implemented yet");
    Ok(())
}

pub fn object_refcount_command(_srv: &mut Server, c: &mut Client, _args: &Args) -> CmdResult {
    c.reply.error("ERR not implemented yet");
    Ok(())
}

pub fn persist_command(_srv: &mut Server, c: &mut Client, _args: &Args) -> CmdResult {
    c.reply.error("ERR not implemented yet");
    Ok(())
}

pub fn pexpire_command(_srv: &mut Server, c: &mut Client, _args: &Args) -> CmdResult {
    c.reply.error("ERR not implemented yet");
    Ok(())
}

pub fn pexpireat_command(_srv: &mut Server, c: &mut Client, _args: &Args) -> CmdResult {
    c.reply.error("ERR not implemented yet");
    Ok(())
}

pub fn pexpiretime_command(_srv: &mut Server, c: &mut Client, _args: &Args) -> CmdResult {
    c.reply.error("ERR not implemented yet");
    Ok(())
}

pub fn pttl_command(_srv: &mut Server, c: &mut Client, _args: &Args) -> CmdResult {
    c.reply.error("ERR not implemented yet");
    Ok(())
}

pub fn randomkey_command(_srv: &mut Server, c: &mut Client, _args: &Args) -> CmdResult {
    c.reply.error("ERR not implemented yet");
    Ok(())
}

pub fn rename_command(_srv: &mut Server, c: &mut Client, _args: &Args) -> CmdResult {
    c.reply.error("ERR not implemented yet");
    Ok(())
}

pub fn renamenx_command(_srv: &mut Server, c: &mut Client, _args: &Args) -> CmdResult {
    c.reply.error("ERR not implemented yet");
    Ok(())
}

pub fn scan_command(_srv: &mut Server, c: &mut Client, _args: &Args) -> CmdResult {
    c.reply.error("ERR not implemented yet");
    Ok(())
}

/// SELECT index
pub fn select_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let id = crate::util::num::string2ll(args.get(1)).ok_or(crate::error::Error::new(
        "ERR value is not an integer or out of range",
    ))?;
    if id < 0 || id as usize >= srv.dbs.len() {
        return Err(crate::error::DB_INDEX_OUT_OF_RANGE);
    }
    c.db = id as usize;
    c.reply.ok();
    Ok(())
}

pub fn swapdb_command(_srv: &mut Server, c: &mut Client, _args: &Args) -> CmdResult {
    c.reply.error("ERR not implemented yet");
    Ok(())
}

pub fn touch_command(_srv: &mut Server, c: &mut Client, _args: &Args) -> CmdResult {
    c.reply.error("ERR not implemented yet");
    Ok(())
}

pub fn ttl_command(_srv: &mut Server, c: &mut Client, _args: &Args) -> CmdResult {
    c.reply.error("ERR not implemented yet");
    Ok(())
}

pub fn type_command(_srv: &mut Server, c: &mut Client, _args: &Args) -> CmdResult {
    c.reply.error("ERR not implemented yet");
    Ok(())
}

pub fn unlink_command(_srv: &mut Server, c: &mut Client, _args: &Args) -> CmdResult {
    c.reply.error("ERR not implemented yet");
    Ok(())
}
