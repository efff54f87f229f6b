//! Value types other than strings, one file per Redis `t_*.c` data half
//! (the commands live in `crate::command`): `list.rs` (quicklist),
//! `zset.rs` (sorted sets), `hash.rs`, `set.rs`, `stream.rs`.
pub mod hash;
pub mod list;
pub mod rax;
pub mod set;
pub mod stream;
pub mod zset;

#[cfg(test)]
mod tests {
    use std::mem::size_of;

    /// Collections live unboxed in `Value`: adding them must not grow it
    /// (every key in the keyspace pays for `Value`).
    #[test]
    fn values_stay_small() {
        assert_eq!(size_of::<super::hash::Hash>(), 16);
        assert_eq!(size_of::<super::set::Set>(), 16);
        assert_eq!(
            size_of::<crate::db::Value>(),
            size_of::<crate::db::StrVal>()
        );
    }

    /// The in-place readers never panic on corrupt blobs (RESTORE with
    /// sanitize-dump-payload no hands us unchecked entries).
    #[test]
    fn readers_survive_garbage() {
        use super::hash::LpRef;
        use super::set::IsRef;
        let mut rng = crate::util::rand::Rng::new(5);
        for n in 0..400usize {
            let mut b = vec![0u8; n % 40];
            rng.fill_bytes(&mut b);
            if b.len() >= 7 {
                let l = b.len() as u32;
                b[..4].copy_from_slice(&l.to_le_bytes());
                let last = b.len() - 1;
                b[last] = 0xff;
            }
            let lp = LpRef(&b);
            let _ = lp.len();
            let _ = lp.iter().count();
            let _ = lp.find_field(b"x");
            let _ = lp.seek(3);
            if n % 2 == 0 && b.len() >= 8 {
                b[..4].copy_from_slice(&[2, 0, 0, 0]);
            }
            let is = IsRef(&b);
            let _ = is.iter().count();
            let _ = is.contains(7);
            let _ = is.get(1000);
        }
    }
}
