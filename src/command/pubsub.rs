//! Pub/Sub commands: SUBSCRIBE, UNSUBSCRIBE, PSUBSCRIBE, PUNSUBSCRIBE,
//! PUBLISH, SSUBSCRIBE, SUNSUBSCRIBE, SPUBLISH, PUBSUB * (Redis's pubsub.c).
//! State and delivery live in `crate::server::pubsub`.
use crate::client::{Args, Client};
use crate::error::CmdResult;
use crate::server::pubsub::Kind;
use crate::server::Server;
use crate::util::glob::string_match_len;

/// SUBSCRIBE channel [channel ...]
pub fn subscribe_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    for ch in args.iter().skip(1) {
        srv.pubsub_subscribe(c, ch, Kind::Channel);
    }
    Ok(())
}

/// UNSUBSCRIBE [channel ...]
pub fn unsubscribe_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    if args.len() == 1 {
        srv.pubsub_unsubscribe_all(c, Kind::Channel, true);
    } else {
        for ch in args.iter().skip(1) {
            srv.pubsub_unsubscribe(c, ch, Kind::Channel, true);
        }
    }
    Ok(())
}

/// PSUBSCRIBE pattern [pattern ...]
pub fn psubscribe_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    for p in args.iter().skip(1) {
        srv.pubsub_psubscribe(c, p);
    }
    Ok(())
}

/// PUNSUBSCRIBE [pattern ...]
pub fn punsubscribe_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    if args.len() == 1 {
        srv.pubsub_punsubscribe_all(c, true);
    } else {
        for p in args.iter().skip(1) {
            srv.pubsub_punsubscribe(c, p, true);
        }
    }
    Ok(())
}

/// PUBLISH channel message
pub fn publish_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let n = srv.publish(args.get(1), args.get(2));
    // Propagated to replicas like a write (Redis forces propagation).
    srv.force_propagate(c.db, args.to_owned());
    c.reply.int(n as i64);
    Ok(())
}

/// SSUBSCRIBE shardchannel [shardchannel ...]
pub fn ssubscribe_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    for ch in args.iter().skip(1) {
        srv.pubsub_subscribe(c, ch, Kind::Shard);
    }
    Ok(())
}

/// SUNSUBSCRIBE [shardchannel ...]
pub fn sunsubscribe_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    if args.len() == 1 {
        srv.pubsub_unsubscribe_all(c, Kind::Shard, true);
    } else {
        for ch in args.iter().skip(1) {
            srv.pubsub_unsubscribe(c, ch, Kind::Shard, true);
        }
    }
    Ok(())
}

/// SPUBLISH shardchannel message
pub fn spublish_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let n = srv.spublish(args.get(1), args.get(2));
    srv.force_propagate(c.db, args.to_owned());
    c.reply.int(n as i64);
    Ok(())
}

fn reply_channels<'a, I: Iterator<Item = &'a Vec<u8>>>(
    c: &mut Client,
    names: I,
    pattern: Option<&[u8]>,
) {
    let matching: Vec<&Vec<u8>> = names
        .filter(|n| {
            pattern
                .map(|p| string_match_len(p, n, false))
                .unwrap_or(true)
        })
        .collect();
    c.reply.array_len(matching.len());
    for n in matching {
        c.reply.bulk(n);
    }
}

/// PUBSUB CHANNELS [pattern]
pub fn pubsub_channels_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let pat = if args.len() > 2 {
        Some(args.get(2))
    } else {
        None
    };
    reply_channels(c, srv.pubsub.channels.keys(), pat);
    Ok(())
}

/// PUBSUB SHARDCHANNELS [pattern]
pub fn pubsub_shardchannels_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let pat = if args.len() > 2 {
        Some(args.get(2))
    } else {
        None
    };
    reply_channels(c, srv.pubsub.shard_channels.keys(), pat);
    Ok(())
}

/// PUBSUB NUMSUB [channel ...]
pub fn pubsub_numsub_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    c.reply.map_len(args.len() - 2);
    for ch in args.iter().skip(2) {
        c.reply.bulk(ch);
        c.reply
            .int(srv.pubsub.channels.get(ch).map(|l| l.len()).unwrap_or(0) as i64);
    }
    Ok(())
}

/// PUBSUB SHARDNUMSUB [shardchannel ...]
pub fn pubsub_shardnumsub_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    c.reply.map_len(args.len() - 2);
    for ch in args.iter().skip(2) {
        c.reply.bulk(ch);
        c.reply.int(
            srv.pubsub
                .shard_channels
                .get(ch)
                .map(|l| l.len())
                .unwrap_or(0) as i64,
        );
    }
    Ok(())
}

/// PUBSUB NUMPAT
pub fn pubsub_numpat_command(srv: &mut Server, c: &mut Client, _args: &Args) -> CmdResult {
    c.reply.int(srv.pubsub.patterns.len() as i64);
    Ok(())
}

pub fn pubsub_help_command(_srv: &mut Server, c: &mut Client, _args: &Args) -> CmdResult {
    let lines: &[&str] = &[
        "PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "CHANNELS [<pattern>]",
        "    Return the currently active channels matching a <pattern> (default: '*').",
        "NUMPAT",
        "    Return number of subscriptions to patterns.",
        "NUMSUB [<channel> ...]",
        "    Return the number of subscribers for the specified channels, excluding",
        "    pattern subscriptions(default: no channels).",
        "SHARDCHANNELS [<pattern>]",
        "    Return the currently active shard level channels matching a <pattern> (default: '*').",
        "SHARDNUMSUB [<shardchannel> ...]",
        "    Return the number of subscribers for the specified shard level channel(s)",
        "HELP",
        "    Print this help.",
    ];
    c.reply.array_len(lines.len());
    for l in lines {
        c.reply.status(l.as_bytes());
    }
    Ok(())
}
