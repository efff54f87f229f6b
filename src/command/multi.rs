//! Transactions: MULTI, EXEC, DISCARD, WATCH, UNWATCH (Redis's multi.c).
//!
//! Queuing happens in the dispatcher (`Server::process_command`): while a
//! client is in MULTI every command except EXEC/DISCARD/MULTI/WATCH/QUIT/
//! RESET is checked (unknown command, arity, ...) and queued; a rejected one
//! flags the transaction (DIRTY_EXEC) so EXEC answers EXECABORT. EXEC runs
//! the queue through `Server::call`, so stats, propagation and keyspace
//! notifications behave as for direct calls; runtime errors of single
//! commands do not abort the rest. Propagation wraps the transaction in
//! MULTI/EXEC (see `Server::propagate`).
use crate::client::{flags, Args, Client};
use crate::error::{CmdResult, Error};
use crate::server::Server;

/// MULTI
pub fn multi_command(_srv: &mut Server, c: &mut Client, _args: &Args) -> CmdResult {
    if c.has(flags::MULTI) {
        return Err(Error::new("ERR MULTI calls can not be nested"));
    }
    c.flags |= flags::MULTI;
    c.reply.ok();
    Ok(())
}

/// Leave MULTI state, forget the queue and all WATCHes.
pub fn discard_transaction(srv: &mut Server, c: &mut Client) {
    c.mstate.clear();
    c.flags &= !(flags::MULTI | flags::DIRTY_CAS | flags::DIRTY_EXEC);
    srv.unwatch_all_keys(c);
}

/// DISCARD
pub fn discard_command(srv: &mut Server, c: &mut Client, _args: &Args) -> CmdResult {
    if !c.has(flags::MULTI) {
        return Err(Error::new("ERR DISCARD without MULTI"));
    }
    discard_transaction(srv, c);
    c.reply.ok();
    Ok(())
}

/// EXEC
pub fn exec_command(srv: &mut Server, c: &mut Client, _args: &Args) -> CmdResult {
    if !c.has(flags::MULTI) {
        return Err(Error::new("ERR EXEC without MULTI"));
    }
    if srv.is_watched_key_expired(c) {
        c.flags |= flags::DIRTY_CAS;
    }
    if c.has(flags::DIRTY_CAS | flags::DIRTY_EXEC) {
        if c.has(flags::DIRTY_EXEC) {
            c.reply
                .error("EXECABORT Transaction discarded because of previous errors.");
        } else {
            c.reply.null_array();
        }
        discard_transaction(srv, c);
        return Ok(());
    }
    srv.unwatch_all_keys(c);
    let queue = std::mem::take(&mut c.mstate);
    c.reply.array_len(queue.len());
    srv.in_exec = true;
    let propagated_before = srv.propagated.len();
    for q in queue.iter() {
        let args = q.args();
        // The command was resolved when queued; resolve again (cheap) so
        // subcommands and stats map to the same table entry.
        if let Some(idx) = srv.resolve_command(&args) {
            srv.call(c, idx, &args);
        }
    }
    srv.in_exec = false;
    srv.wrap_propagated_in_multi(propagated_before, c.db);
    c.flags &= !(flags::MULTI | flags::DIRTY_CAS | flags::DIRTY_EXEC);
    Ok(())
}

/// WATCH key [key ...]
pub fn watch_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    if c.has(flags::MULTI) {
        return Err(Error::new("ERR WATCH inside MULTI is not allowed"));
    }
    // No point watching if the client is already dirty.
    if !c.has(flags::DIRTY_CAS) {
        for k in args.iter().skip(1) {
            srv.watch_key(c, c.db, k);
        }
    }
    c.reply.ok();
    Ok(())
}

/// UNWATCH
pub fn unwatch_command(srv: &mut Server, c: &mut Client, _args: &Args) -> CmdResult {
    srv.unwatch_all_keys(c);
    c.flags &= !flags::DIRTY_CAS;
    c.reply.ok();
    Ok(())
}
