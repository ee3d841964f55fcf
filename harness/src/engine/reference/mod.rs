//! The reference evaluator (placeholder: being written).
