//! Server commands: INFO, TIME, LASTSAVE, SHUTDOWN, CONFIG *, COMMAND *
//! (Redis's server.c, config.c).
use crate::client::{Args, Client};
use crate::error::CmdResult;
use crate::server::Server;

pub fn command_command(_srv: &mut Server, c: &mut Client, _args: &Args) -> CmdResult {
    c.reply.error("ERR not implemented yet");
    Ok(())
}

pub fn command_count_command(_srv: &mut Server, c: &mut Client, _args: &Args) -> CmdResult {
    c.reply.error("ERR not implemented yet");
    Ok(())
}

pub fn command_docs_command(_srv: &mut Server, c: &mut Client, _args: &Args) -> CmdResult {
    c.reply.error("ERR not implemented yet");
    Ok(())
}

pub fn command_getkeys_command(_srv: &mut Server, c: &mut Client, _args: &Args) -> CmdResult {
    c.reply.error("ERR not implemented yet");
    Ok(())
}

pub fn command_help_command(_srv: &mut Server, c: &mut Client, _args: &Args) -> CmdResult {
    c.reply.error("ERR not implemented yet");
    Ok(())
}

pub fn command_info_command(_srv: &mut Server, c: &mut Client, _args: &Args) -> CmdResult {
    c.reply.error("ERR not implemented yet");
    Ok(())
}

pub fn command_list_command(_srv: &mut Server, c: &mut Client, _args: &Args) -> CmdResult {
    c.reply.error("ERR not implemented yet");
    Ok(())
}

pub fn config_get_command(_srv: &mut Server, c: &mut Client, _args: &Args) -> CmdResult {
    c.reply.error("ERR not implemented yet");
    Ok(())
}

pub fn config_help_command(_srv: &mut Server, c: &mut Client, _args: &Args) -> CmdResult {
    c.reply.error("ERR not implemented yet");
    Ok(())
}

pub fn config_resetstat_command(_srv: &mut Server, c: &mut Client, _args: &Args) -> CmdResult {
    c.reply.error("ERR not implemented yet");
    Ok(())
}

pub fn config_rewrite_command(_srv: &mut Server, c: &mut Client, _args: &Args) -> CmdResult {
    c.reply.error("ERR not implemented yet");
    Ok(())
}

pub fn config_set_command(_srv: &mut Server, c: &mut Client, _args: &Args) -> CmdResult {
    c.reply.error("ERR not implemented yet");
    Ok(())
}

pub fn info_command(_srv: &mut Server, c: &mut Client, _args: &Args) -> CmdResult {
    c.reply.error("ERR not implemented yet");
    Ok(())
}

pub fn lastsave_command(_srv: &mut Server, c: &mut Client, _args: &Args) -> CmdResult {
    c.reply.error("ERR not implemented yet");
    Ok(())
}

pub fn shutdown_command(_srv: &mut Server, c: &mut Client, _args: &Args) -> CmdResult {
    c.reply.error("ERR not implemented yet");
    Ok(())
}

pub fn time_command(_srv: &mut Server, c: &mut Client, _args: &Args) -> CmdResult {
    c.reply.error("ERR not implemented yet");
    Ok(())
}
