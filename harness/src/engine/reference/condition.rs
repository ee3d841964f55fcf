//! TEMP stub (uncommitted)
use crate::policy::Condition;
use crate::request::Context;
/// stub
pub fn conditions_hold(c: &[Condition], _ctx: &Context, _v: bool) -> bool {
    c.is_empty()
}
