//! String commands (Redis's t_string.c).
use crate::client::{Args, Client};
use crate::error::CmdResult;
use crate::server::Server;

pub fn append_command(_srv: &mut Server, c: &mut Client, _args: &Args) -> CmdResult {
    c.reply.error("ERR not implemented yet");
    Ok(())
}

pub fn decr_command(_srv: &mut Server, c: &mut Client, _args: &Args) -> CmdResult {
    c.reply.error("ERR not implemented yet");
    Ok(())
}

pub fn decrby_command(_srv: &mut Server, c: &mut Client, _args: &Args) -> CmdResult {
    c.reply.error("ERR not implemented yet");
    Ok(())
}

/// GET key
pub fn get_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    match srv.lookup_string(c.db, args.get(1))? {
        Some(s) => {
            let r = &mut c.reply;
            match s {
                crate::db::StrVal::Int(n) => r.bulk_int(*n),
                crate::db::StrVal::Emb(b) => r.bulk(b),
                crate::db::StrVal::Raw(v) => r.bulk(v),
            }
        }
        None => c.reply.null(),
    }
    Ok(())
}

pub fn getdel_command(_srv: &mut Server, c: &mut Client, _args: &Args) -> CmdResult {
    c.reply.error("ERR not implemented yet");
    Ok(())
}

pub fn getex_command(_srv: &mut Server, c: &mut Client, _args: &Args) -> CmdResult {
    c.reply.error("ERR not implemented yet");
    Ok(())
}

pub fn getrange_command(_srv: &mut Server, c: &mut Client, _args: &Args) -> CmdResult {
    c.reply.error("ERR not implemented yet");
    Ok(())
}

pub fn getset_command(_srv: &mut Server, c: &mut Client, _args: &Args) -> CmdResult {
    c.reply.error("ERR not implemented yet");
    Ok(())
}

pub fn incr_command(_srv: &mut Server, c: &mut Client, _args: &Args) -> CmdResult {
    c.reply.error("ERR not implemented yet");
    Ok(())
}

pub fn incrby_command(_srv: &mut Server, c: &mut Client, _args: &Args) -> CmdResult {
    c.reply.error("ERR not implemented yet");
    Ok(())
}

pub fn incrbyfloat_command(_srv: &mut Server, c: &mut Client, _args: &Args) -> CmdResult {
    c.reply.error("ERR not implemented yet");
    Ok(())
}

pub fn lcs_command(_srv: &mut Server, c: &mut Client, _args: &Args) -> CmdResult {
    c.reply.error("ERR not implemented yet");
    Ok(())
}

pub fn mget_command(_srv: &mut Server, c: &mut Client, _args: &Args) -> CmdResult {
    c.reply.error("ERR not implemented yet");
    Ok(())
}

pub fn mset_command(_srv: &mut Server, c: &mut Client, _args: &Args) -> CmdResult {
    c.reply.error("ERR not implemented yet");
    Ok(())
}

pub fn msetnx_command(_srv: &mut Server, c: &mut Client, _args: &Args) -> CmdResult {
    c.reply.error("ERR not implemented yet");
    Ok(())
}

pub fn psetex_command(_srv: &mut Server, c: &mut Client, _args: &Args) -> CmdResult {
    c.reply.error("ERR not implemented yet");
    Ok(())
}

/// SET key value (minimal; full options come with the string family)
pub fn set_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    srv.set_key(
        c.db,
        args.get(1),
        crate::db::Value::Str(crate::db::StrVal::from_bytes(args.get(2))),
        false,
    );
    srv.dirty += 1;
    c.reply.ok();
    Ok(())
}

pub fn setex_command(_srv: &mut Server, c: &mut Client, _args: &Args) -> CmdResult {
    c.reply.error("ERR not implemented yet");
    Ok(())
}

pub fn setnx_command(_srv: &mut Server, c: &mut Client, _args: &Args) -> CmdResult {
    c.reply.error("ERR not implemented yet");
    Ok(())
}

pub fn setrange_command(_srv: &mut Server, c: &mut Client, _args: &Args) -> CmdResult {
    c.reply.error("ERR not implemented yet");
    Ok(())
}

pub fn strlen_command(_srv: &mut Server, c: &mut Client, _args: &Args) -> CmdResult {
    c.reply.error("ERR not implemented yet");
    Ok(())
}
