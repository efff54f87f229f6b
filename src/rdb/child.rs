//! BGSAVE with fork(): the child writes the snapshot and `_exit`s; the
//! parent never blocks — it reaps the child from `server_cron` (Redis's
//! rdbSaveBackground, redisFork, checkChildrenDone,
//! backgroundSaveDoneHandlerDisk, killRDBChild, rdbRemoveTempFile, the
//! save-point loop of serverCron, and childinfo.c).
//!
//! Child → parent information travels over a pipe (read end non-blocking,
//! as Redis's anetPipe(fds, O_NONBLOCK, 0)) as fixed 40-byte records:
//! `[type u64][keys u64][cow bytes u64][cow measured at, unix ms i64]
//! [progress f64]`, little endian. The child measures its copy-on-write
//! size as the sum of `Private_Dirty` in /proc/self/smaps_rollup (what
//! Redis's zmalloc_get_private_dirty reads), throttled so measuring costs at
//! most 1% of the child's time, and reports about once a second plus a
//! final record before exiting. The parent drains the pipe once a second
//! and when the child is reaped, feeding INFO's current_cow_*,
//! current_save_keys_processed and rdb_last_cow_size.
//!
//! While a child exists the keyspace dicts do not resize (unless badly
//! overloaded), so pages shared with the child stay untouched
//! (updateDictResizePolicy).
use super::save::{self, SaveInfo, SaveProgress};
use super::*;
use crate::server::Server;
use crate::sys;

pub const CHILD_INFO_TYPE_CURRENT_INFO: u64 = 0;
pub const CHILD_INFO_TYPE_AOF_COW_SIZE: u64 = 1;
pub const CHILD_INFO_TYPE_RDB_COW_SIZE: u64 = 2;
pub const CHILD_INFO_TYPE_MODULE_COW_SIZE: u64 = 3;
const RECORD: usize = 40;
/// CHILD_COW_DUTY_CYCLE: measure CoW at most 1/100 of the time.
const CHILD_COW_DUTY_CYCLE: u128 = 100;
/// SERVER_CHILD_NOERROR_RETVAL: a child that exits with this status was
/// stopped on purpose.
const SERVER_CHILD_NOERROR_RETVAL: i32 = 255;

/// zmalloc_get_private_dirty(-1): bytes of private dirty memory of this
/// process (its copy-on-write size when it is a fork child).
pub fn private_dirty_bytes() -> u64 {
    fn sum(text: &str) -> u64 {
        text.lines()
            .filter_map(|l| l.strip_prefix("Private_Dirty:"))
            .filter_map(|rest| rest.split_whitespace().next()?.parse::<u64>().ok())
            .sum::<u64>()
            * 1024
    }
    if let Ok(t) = std::fs::read_to_string("/proc/self/smaps_rollup") {
        return sum(&t);
    }
    std::fs::read_to_string("/proc/self/smaps")
        .map(|t| sum(&t))
        .unwrap_or(0)
}

fn encode_record(kind: u64, keys: u64, cow: u64, cow_updated: i64, progress: f64) -> [u8; RECORD] {
    let mut r = [0u8; RECORD];
    r[0..8].copy_from_slice(&kind.to_le_bytes());
    r[8..16].copy_from_slice(&keys.to_le_bytes());
    r[16..24].copy_from_slice(&cow.to_le_bytes());
    r[24..32].copy_from_slice(&cow_updated.to_le_bytes());
    r[32..40].copy_from_slice(&progress.to_le_bytes());
    r
}

/// One decoded child-info record.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChildInfo {
    pub kind: u64,
    pub keys: u64,
    pub cow: u64,
    pub cow_updated: i64,
    pub progress: f64,
}

fn decode_record(r: &[u8]) -> Option<ChildInfo> {
    let u =
        |i: usize| -> Option<u64> { Some(u64::from_le_bytes(r.get(i..i + 8)?.try_into().ok()?)) };
    Some(ChildInfo {
        kind: u(0)?,
        keys: u(8)?,
        cow: u(16)?,
        cow_updated: u(24)? as i64,
        progress: f64::from_bits(u(32)?),
    })
}

/// The child's side of the info pipe (sendChildInfoGeneric's statics).
pub struct ChildInfoSender {
    fd: i32,
    cow: u64,
    peak_cow: u64,
    sum_cow: u64,
    update_count: u64,
    cow_updated_ms: i64,
    last_measure: Option<std::time::Instant>,
    measure_cost: std::time::Duration,
}

impl ChildInfoSender {
    pub fn new(fd: i32) -> ChildInfoSender {
        ChildInfoSender {
            fd,
            cow: 0,
            peak_cow: 0,
            sum_cow: 0,
            update_count: 0,
            cow_updated_ms: 0,
            last_measure: None,
            measure_cost: std::time::Duration::ZERO,
        }
    }

    /// sendChildInfoGeneric: measure CoW (throttled for CURRENT_INFO), log
    /// it, and write a record to the parent. A broken pipe means the parent
    /// is gone: the child exits.
    pub fn send(&mut self, kind: u64, keys: u64, progress: f64, pname: &str) {
        if self.fd == -1 {
            return;
        }
        let due = match self.last_measure {
            None => true,
            Some(t) => {
                t.elapsed().as_micros() > self.measure_cost.as_micros() * CHILD_COW_DUTY_CYCLE
            }
        };
        if kind != CHILD_INFO_TYPE_CURRENT_INFO || due {
            let start = std::time::Instant::now();
            self.cow = private_dirty_bytes();
            self.measure_cost = start.elapsed();
            self.last_measure = Some(std::time::Instant::now());
            self.cow_updated_ms = crate::server::now_ms();
            self.peak_cow = self.peak_cow.max(self.cow);
            self.sum_cow += self.cow;
            self.update_count += 1;
            let final_info = kind != CHILD_INFO_TYPE_CURRENT_INFO;
            if self.cow > 0 || final_info {
                let line = format!(
                    "Fork CoW for {}: current {} MB, peak {} MB, average {} MB",
                    pname,
                    self.cow >> 20,
                    self.peak_cow >> 20,
                    (self.sum_cow / self.update_count) >> 20
                );
                if final_info {
                    crate::server_log!(Notice, "{}", line);
                } else {
                    crate::server_log!(Verbose, "{}", line);
                }
            }
        }
        let rec = encode_record(kind, keys, self.cow, self.cow_updated_ms, progress);
        match sys::write(self.fd, &rec) {
            Ok(n) if n == RECORD => {}
            r => {
                let why = match r {
                    Err(e) => save::io_text(&e),
                    Ok(_) => "short write".to_string(),
                };
                crate::server_log!(
                    Warning,
                    "Child failed reporting info to parent, exiting. {}",
                    why
                );
                sys::process::exit_now(1);
            }
        }
    }
}

/// Progress reports of an RDB child: every 1024 keys, at most once a
/// second (rdbSaveDb's sendChildInfo call).
pub struct ChildProgress {
    sender: ChildInfoSender,
    last_ms: i64,
}

impl ChildProgress {
    pub fn new(sender: ChildInfoSender) -> ChildProgress {
        ChildProgress { sender, last_ms: 0 }
    }

    pub fn sender_mut(&mut self) -> &mut ChildInfoSender {
        &mut self.sender
    }
}

impl SaveProgress for ChildProgress {
    fn key_saved(&mut self, keys: u64) {
        if (keys - 1) & 1023 == 0 {
            let now = crate::server::now_ms();
            if now - self.last_ms >= 1000 {
                self.sender
                    .send(CHILD_INFO_TYPE_CURRENT_INFO, keys, -1.0, "RDB");
                self.last_ms = now;
            }
        }
    }
}

/// openChildInfoPipe
fn open_child_info_pipe(st: &mut RdbState) {
    match sys::process::pipe(true, false) {
        Ok((r, w)) => {
            st.child_info_pipe = (r, w);
            st.child_info_buf.clear();
        }
        Err(_) => st.child_info_pipe = (-1, -1),
    }
}

/// closeChildInfoPipe
fn close_child_info_pipe(st: &mut RdbState) {
    sys::close(st.child_info_pipe.0);
    sys::close(st.child_info_pipe.1);
    st.child_info_pipe = (-1, -1);
    st.child_info_buf.clear();
}

/// updateChildInfo
fn update_child_info(st: &mut RdbState, ci: &ChildInfo) {
    if ci.cow > st.stat_current_cow_peak {
        st.stat_current_cow_peak = ci.cow;
    }
    match ci.kind {
        CHILD_INFO_TYPE_CURRENT_INFO => {
            st.stat_current_cow_bytes = ci.cow;
            st.stat_current_cow_updated = ci.cow_updated;
            st.stat_current_save_keys_processed = ci.keys;
        }
        CHILD_INFO_TYPE_AOF_COW_SIZE => st.stat_aof_cow_bytes = st.stat_current_cow_peak,
        CHILD_INFO_TYPE_RDB_COW_SIZE => st.stat_rdb_cow_bytes = st.stat_current_cow_peak,
        CHILD_INFO_TYPE_MODULE_COW_SIZE => st.stat_module_cow_bytes = st.stat_current_cow_peak,
        _ => {}
    }
}

/// receiveChildInfo: drain complete records from the pipe.
pub fn receive_child_info(st: &mut RdbState) {
    let fd = st.child_info_pipe.0;
    if fd == -1 {
        return;
    }
    let mut chunk = [0u8; RECORD * 16];
    loop {
        match sys::read(fd, &mut chunk) {
            Ok(0) => break,
            Ok(n) => st.child_info_buf.extend_from_slice(&chunk[..n]),
            Err(_) => break,
        }
    }
    let mut done = 0;
    while st.child_info_buf.len() - done >= RECORD {
        if let Some(ci) = decode_record(&st.child_info_buf[done..done + RECORD]) {
            update_child_info(st, &ci);
        }
        done += RECORD;
    }
    st.child_info_buf.drain(..done);
}

/// updateDictResizePolicy: no resizing while a child shares our pages.
pub fn update_dict_resize_policy(srv: &mut Server) {
    let can = !srv.rdb_state.has_active_child();
    for db in srv.dbs.iter_mut() {
        db.dict.can_resize = can;
        db.expires.can_resize = can;
    }
}

/// What every RDB child does first (BGSAVE and the diskless replication
/// child): log role, default signals, close the parent's listeners and the
/// read end of the info pipe; returns the info sender.
pub fn child_setup(srv: &mut Server) -> ChildInfoSender {
    crate::log::set_role(b'C');
    sys::signal::reset_child_signals();
    // closeChildUnusedResourceAfterFork: the listening sockets belong to
    // the parent (closing, not unlinking, the unix socket).
    for l in srv.listeners.iter() {
        sys::close(l.fd);
    }
    sys::close(srv.rdb_state.child_info_pipe.0);
    ChildInfoSender::new(srv.rdb_state.child_info_pipe.1)
}

/// Body of the BGSAVE child: never returns.
fn child_main(srv: &mut Server, filename: &str, rsi: Option<&SaveInfo>) -> ! {
    let mut progress = ChildProgress::new(child_setup(srv));
    let ok = save::rdb_save_with(srv, filename, rsi, &mut progress).is_ok();
    if ok {
        progress
            .sender
            .send(CHILD_INFO_TYPE_RDB_COW_SIZE, 0, -1.0, "RDB");
    }
    sys::process::exit_now(if ok { 0 } else { 1 });
}

/// rdbSaveBackground: fork a child that saves to `filename`.
pub fn rdb_save_background(
    srv: &mut Server,
    filename: &str,
    rsi: Option<&SaveInfo>,
) -> Result<(), SaveFailed> {
    if srv.rdb_state.has_active_child() {
        return Err(SaveFailed);
    }
    let now_s = crate::server::now_ms() / 1000;
    srv.rdb_state.stat_rdb_saves += 1;
    srv.rdb_state.dirty_before_bgsave = srv.dirty;
    srv.rdb_state.lastbgsave_try = now_s;
    let start = std::time::Instant::now();
    match fork_rdb_child(srv) {
        Ok(0) => {
            crate::server::proctitle::set_proc_title(srv, Some("redis-rdb-bgsave"));
            child_main(srv, filename, rsi)
        }
        Ok(pid) => {
            parent_after_fork(srv, pid, start);
            crate::server_log!(Notice, "Background saving started by pid {}", pid);
            Ok(())
        }
        Err(e) => {
            srv.rdb_state.lastbgsave_ok = false;
            crate::server_log!(
                Warning,
                "Can't save in background: fork: {}",
                save::io_text(&e)
            );
            Err(SaveFailed)
        }
    }
}

/// Open the child info pipe and fork (redisFork for CHILD_TYPE_RDB).
/// Ok(0) in the child; on error the pipe is closed again.
pub fn fork_rdb_child(srv: &mut Server) -> std::io::Result<i32> {
    open_child_info_pipe(&mut srv.rdb_state);
    let r = sys::process::fork();
    if r.is_err() {
        close_child_info_pipe(&mut srv.rdb_state);
    }
    r
}

/// The parent's bookkeeping once an RDB child (`pid`) runs.
pub fn parent_after_fork(srv: &mut Server, pid: i32, start: std::time::Instant) {
    let now_s = crate::server::now_ms() / 1000;
    let st = &mut srv.rdb_state;
    // Parent: keep only the read end.
    sys::close(st.child_info_pipe.1);
    st.child_info_pipe.1 = -1;
    st.stat_total_forks += 1;
    st.stat_fork_time_us = start.elapsed().as_micros() as u64;
    st.stat_fork_rate = crate::alloc::used_memory() as f64 * 1_000_000.0
        / st.stat_fork_time_us.max(1) as f64
        / (1024.0 * 1024.0 * 1024.0);
    st.child_pid = pid;
    st.child_type = ChildType::Rdb;
    st.stat_current_cow_peak = 0;
    st.stat_current_cow_bytes = 0;
    st.stat_current_cow_updated = 0;
    st.stat_current_save_keys_processed = 0;
    st.stat_current_save_keys_total = srv.dbs.iter().map(|d| d.len() as u64).sum();
    st.rdb_save_time_start = now_s;
    st.last_child_info_ms = crate::server::now_ms();
    update_dict_resize_policy(srv);
}

/// rdbRemoveTempFile for a (dead or dying) child.
pub fn remove_temp_file(srv: &Server, child_pid: i32) {
    let _ = std::fs::remove_file(save::temp_file_for(&srv.config.dbfilename, child_pid));
}

/// killRDBChild: stop the saving child with SIGUSR1 (not a save error);
/// it is reaped and cleaned up by the next cron.
pub fn kill_rdb_child(srv: &mut Server) {
    if srv.rdb_state.child_type == ChildType::Rdb && srv.rdb_state.child_pid > 0 {
        let _ = sys::process::kill(srv.rdb_state.child_pid, sys::process::SIGUSR1);
    }
}

/// backgroundSaveDoneHandlerDisk
fn background_save_done_handler(srv: &mut Server, exitcode: i32, bysignal: i32) {
    let now_s = crate::server::now_ms() / 1000;
    if bysignal == 0 && exitcode == 0 {
        crate::server_log!(Notice, "Background saving terminated with success");
        srv.dirty = srv.dirty.saturating_sub(srv.rdb_state.dirty_before_bgsave);
        srv.lastsave = now_s;
        srv.rdb_state.lastbgsave_ok = true;
    } else if bysignal == 0 {
        crate::server_log!(Warning, "Background saving error");
        srv.rdb_state.lastbgsave_ok = false;
    } else {
        crate::server_log!(
            Warning,
            "Background saving terminated by signal {}",
            bysignal
        );
        remove_temp_file(srv, srv.rdb_state.child_pid);
        if bysignal != sys::process::SIGUSR1 {
            srv.rdb_state.lastbgsave_ok = false;
        }
    }
    let st = &mut srv.rdb_state;
    st.rdb_save_time_last = now_s - st.rdb_save_time_start;
    st.rdb_save_time_start = -1;
}

/// resetChildState
pub fn reset_child_state(srv: &mut Server) {
    let st = &mut srv.rdb_state;
    st.child_type = ChildType::None;
    st.child_pid = -1;
    st.stat_current_cow_peak = 0;
    st.stat_current_cow_bytes = 0;
    st.stat_current_cow_updated = 0;
    st.stat_current_save_keys_processed = 0;
    st.stat_current_save_keys_total = 0;
    close_child_info_pipe(st);
    update_dict_resize_policy(srv);
}

/// checkChildrenDone: reap a finished child (non-blocking).
pub fn check_children_done(srv: &mut Server) {
    let Some(ce) = sys::process::wait_any_child() else {
        return;
    };
    let (mut exitcode, mut bysignal) = (ce.exit_code, ce.by_signal);
    if exitcode == SERVER_CHILD_NOERROR_RETVAL {
        bysignal = sys::process::SIGUSR1;
        exitcode = 1;
    }
    if ce.pid == srv.rdb_state.child_pid {
        let rdb = srv.rdb_state.child_type == ChildType::Rdb;
        match srv.rdb_state.child_type {
            ChildType::Rdb if crate::replication::master::socket_child_running(srv) => {
                // Diskless replication child (backgroundSaveDoneHandlerSocket).
                crate::replication::master::socket_child_done(srv, exitcode, bysignal);
                let st = &mut srv.rdb_state;
                st.rdb_save_time_last = crate::server::now_ms() / 1000 - st.rdb_save_time_start;
                st.rdb_save_time_start = -1;
            }
            ChildType::Rdb => background_save_done_handler(srv, exitcode, bysignal),
            // AOF rewrite / module forks: their done handlers go here.
            ChildType::Aof | ChildType::Module | ChildType::None => {}
        }
        if rdb {
            // updateSlavesWaitingBgsave
            crate::replication::master::rdb_child_done(srv, exitcode, bysignal);
        }
        if bysignal == 0 && exitcode == 0 {
            receive_child_info(&mut srv.rdb_state);
        }
        reset_child_state(srv);
        // Start any pending replication fork at once.
        crate::replication::master::start_pending_fork(srv);
    } else {
        crate::server_log!(
            Warning,
            "Warning, detected child with unmatched pid: {}",
            ce.pid
        );
    }
}

/// The RDB part of serverCron: reap / poll the child, or start a BGSAVE
/// when a save point is reached, and run a scheduled BGSAVE.
pub fn rdb_cron(srv: &mut Server) {
    let now_ms = crate::server::now_ms();
    let now_s = now_ms / 1000;
    crate::command::dump::migrate_close_timedout_sockets(srv);
    if srv.rdb_state.has_active_child() {
        if now_ms - srv.rdb_state.last_child_info_ms >= 1000 {
            receive_child_info(&mut srv.rdb_state);
            srv.rdb_state.last_child_info_ms = now_ms;
        }
        check_children_done(srv);
    } else {
        let mut due = None;
        for &(secs, changes) in srv.config.save.iter() {
            if srv.dirty >= changes.max(0) as u64
                && now_s - srv.lastsave > secs
                && (now_s - srv.rdb_state.lastbgsave_try > BGSAVE_RETRY_DELAY
                    || srv.rdb_state.lastbgsave_ok)
            {
                due = Some((secs, changes));
                break;
            }
        }
        if let Some((secs, changes)) = due {
            crate::server_log!(Notice, "{} changes in {} seconds. Saving...", changes, secs);
            let rsi = save::populate_save_info(srv);
            let filename = srv.config.dbfilename.clone();
            let _ = rdb_save_background(srv, &filename, rsi.as_ref());
        }
    }
    if !srv.rdb_state.has_active_child()
        && srv.rdb_state.bgsave_scheduled
        && (now_s - srv.rdb_state.lastbgsave_try > BGSAVE_RETRY_DELAY
            || srv.rdb_state.lastbgsave_ok)
    {
        let rsi = save::populate_save_info(srv);
        let filename = srv.config.dbfilename.clone();
        if rdb_save_background(srv, &filename, rsi.as_ref()).is_ok() {
            srv.rdb_state.bgsave_scheduled = false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_round_trip() {
        let r = encode_record(
            CHILD_INFO_TYPE_RDB_COW_SIZE,
            12,
            4096 * 3,
            1_700_000_000_123,
            -1.0,
        );
        let ci = decode_record(&r).unwrap();
        assert_eq!(
            ci,
            ChildInfo {
                kind: 2,
                keys: 12,
                cow: 12288,
                cow_updated: 1_700_000_000_123,
                progress: -1.0
            }
        );
        assert!(decode_record(&r[..39]).is_none());
    }

    #[test]
    fn parent_applies_records_like_update_child_info() {
        let mut st = RdbState::default();
        update_child_info(
            &mut st,
            &ChildInfo {
                kind: CHILD_INFO_TYPE_CURRENT_INFO,
                keys: 10,
                cow: 8192,
                cow_updated: 5,
                progress: -1.0,
            },
        );
        update_child_info(
            &mut st,
            &ChildInfo {
                kind: CHILD_INFO_TYPE_CURRENT_INFO,
                keys: 20,
                cow: 4096,
                cow_updated: 6,
                progress: -1.0,
            },
        );
        assert_eq!(st.stat_current_cow_bytes, 4096);
        assert_eq!(st.stat_current_cow_peak, 8192);
        assert_eq!(st.stat_current_save_keys_processed, 20);
        update_child_info(
            &mut st,
            &ChildInfo {
                kind: CHILD_INFO_TYPE_RDB_COW_SIZE,
                keys: 0,
                cow: 100,
                cow_updated: 7,
                progress: -1.0,
            },
        );
        assert_eq!(st.stat_rdb_cow_bytes, 8192);
    }

    #[test]
    fn pipe_carries_partial_and_whole_records() {
        let mut st = RdbState::default();
        open_child_info_pipe(&mut st);
        assert!(st.child_info_pipe.0 >= 0);
        let rec = encode_record(CHILD_INFO_TYPE_CURRENT_INFO, 7, 4096, 1, -1.0);
        sys::write(st.child_info_pipe.1, &rec[..15]).unwrap();
        receive_child_info(&mut st);
        assert_eq!(st.stat_current_save_keys_processed, 0);
        sys::write(st.child_info_pipe.1, &rec[15..]).unwrap();
        let rec2 = encode_record(CHILD_INFO_TYPE_CURRENT_INFO, 9, 8192, 2, -1.0);
        sys::write(st.child_info_pipe.1, &rec2).unwrap();
        receive_child_info(&mut st);
        assert_eq!(st.stat_current_save_keys_processed, 9);
        assert_eq!(st.stat_current_cow_peak, 8192);
        assert!(st.child_info_buf.is_empty());
        close_child_info_pipe(&mut st);
        assert_eq!(st.child_info_pipe, (-1, -1));
    }

    #[test]
    fn private_dirty_is_measured() {
        // Touch 4 MB so this process surely has private dirty pages.
        let mut v = std::hint::black_box(vec![0u8; 4 << 20]);
        for i in (0..v.len()).step_by(4096) {
            v[i] = 1;
        }
        let v = std::hint::black_box(v);
        assert!(private_dirty_bytes() >= 4 << 20);
        assert_eq!(v.iter().filter(|&&b| b == 1).count(), 1024);
    }
}
