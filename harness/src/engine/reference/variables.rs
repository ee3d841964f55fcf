//! TEMP stub (uncommitted)
use crate::request::Context;
use std::borrow::Cow;
/// stub
pub enum Mode {
    /** l */
    Literal,
    /** p */
    Pattern,
}
/// stub
pub enum Substituted<'a> {
    /** t */
    Text(Cow<'a, str>),
    /** u */
    Unresolved,
}
/// stub
pub fn substitute<'a>(t: &'a str, _c: &Context, _m: Mode) -> Substituted<'a> {
    Substituted::Text(Cow::Borrowed(t))
}
