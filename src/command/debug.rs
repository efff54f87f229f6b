//! DEBUG: the subcommands the Redis test suite relies on (Redis's debug.c).
use crate::client::{Args, Client};
use crate::error::CmdResult;
use crate::server::Server;

pub fn debug_command(_srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    if args.get(1).eq_ignore_ascii_case(b"quicklist-packed-threshold") && args.len() == 3 {
        return crate::command::list::debug_quicklist_packed_threshold(c, args.get(2));
    }
    c.reply.error("ERR not implemented yet");
    Ok(())
}
