//! What a command replies when it fails: `Error` carries Redis's exact text,
//! whose first word is the error code (`ERR`, `WRONGTYPE`, `NOAUTH` ...).
//! Handlers return `CmdResult` and use `?`; the dispatcher turns an `Err`
//! into a `-<text>\r\n` reply (Redis's `addReplyError*` / `...OrReply`).
use std::borrow::Cow;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error(pub Cow<'static, str>);

pub type CmdResult = Result<(), Error>;

impl Error {
    pub const fn new(s: &'static str) -> Error {
        Error(Cow::Borrowed(s))
    }
    pub fn msg(s: String) -> Error {
        Error(Cow::Owned(s))
    }
    pub fn text(&self) -> &str {
        &self.0
    }
}

impl From<String> for Error {
    fn from(s: String) -> Error {
        Error(Cow::Owned(s))
    }
}

pub const WRONGTYPE: Error =
    Error::new("WRONGTYPE Operation against a key holding the wrong kind of value");
pub const SYNTAX: Error = Error::new("ERR syntax error");
pub const NOT_INTEGER: Error = Error::new("ERR value is not an integer or out of range");
pub const NOT_FLOAT: Error = Error::new("ERR value is not a valid float");
pub const NO_SUCH_KEY: Error = Error::new("ERR no such key");
pub const OVERFLOW: Error = Error::new("ERR increment or decrement would overflow");
pub const INDEX_OUT_OF_RANGE: Error = Error::new("ERR index out of range");
pub const DB_INDEX_OUT_OF_RANGE: Error = Error::new("ERR DB index is out of range");
pub const NOAUTH: Error = Error::new("NOAUTH Authentication required.");
pub const WRONGPASS: Error =
    Error::new("WRONGPASS invalid username-password pair or user is disabled.");
pub const INVALID_EXPIRE: Error = Error::new("ERR invalid expire time in 'set' command");
pub const STRING_TOO_LONG: Error =
    Error::new("ERR string exceeds maximum allowed size (proto-max-bulk-len)");
pub const NOT_POSITIVE_COUNT: Error = Error::new("ERR value is out of range, must be positive");

/// "ERR wrong number of arguments for 'x' command"
pub fn wrong_args(name: &str) -> Error {
    Error::msg(format!(
        "ERR wrong number of arguments for '{}' command",
        name
    ))
}

/// "ERR unknown subcommand 'x'. Try PARENT HELP."
pub fn unknown_subcommand(sub: &[u8], parent: &str) -> Error {
    let sub = String::from_utf8_lossy(&sub[..sub.len().min(128)]).into_owned();
    Error::msg(format!(
        "ERR unknown subcommand '{}'. Try {} HELP.",
        sub,
        parent.to_ascii_uppercase()
    ))
}
