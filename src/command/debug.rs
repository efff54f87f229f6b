//! DEBUG: the subcommands the Redis test suite relies on (Redis's debug.c).
use crate::client::{Args, Client};
use crate::error::CmdResult;
use crate::server::Server;

pub fn debug_command(_srv: &mut Server, c: &mut Client, _args: &Args) -> CmdResult {
    c.reply.error("ERR not implemented yet");
    Ok(())
}
