//! The reference evaluator (placeholder: being written).

pub mod condition;
pub mod variables;
